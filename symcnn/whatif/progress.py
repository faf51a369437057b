"""A small progress bar on stderr for long sweeps, in the style of tqdm (no dependency).

Shown only when asked (``progress=True``) or, by default, for more than
:data:`THRESHOLD` configurations when stderr is a terminal: a pipe or a log
file never receives carriage returns.

>>> import io
>>> out = io.StringIO()
>>> bar = Progress(200_000, stream=out, enabled=True, width=10)
>>> bar.update(100_000); bar.close()
>>> out.getvalue().split("\\r")[1].rstrip()
' 50%|#####     | 100,000/200,000 configurations'
"""

from __future__ import annotations

import sys
from typing import TextIO

__all__ = ["THRESHOLD", "Progress"]

THRESHOLD = 100_000


class Progress:
    def __init__(
        self, total: int, *, stream: TextIO | None = None, enabled: bool | None = None, width: int = 30
    ) -> None:
        self.total = max(total, 1)
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            enabled = total > THRESHOLD and bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = enabled
        self.width = width
        self.done = 0

    def update(self, count: int) -> None:
        """``count`` more configurations evaluated."""
        self.done = min(self.done + count, self.total)
        if not self.enabled:
            return
        filled = self.width * self.done // self.total
        percent = 100 * self.done // self.total
        bar = "#" * filled + " " * (self.width - filled)
        self.stream.write(f"\r{percent:>3}%|{bar}| {self.done:,}/{self.total:,} configurations")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
