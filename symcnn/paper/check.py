"""``symcnn paper --check``: are the files in a paper's directory what symcnn would write now?

Like ``black --check``: nothing is written; each stale file is named, and for ``macros.tex``
each macro whose value changed, with the old and the new value, so a paper's CI says which
number in the text went out of date.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

__all__ = ["macro_values", "stale"]

_MACRO = re.compile(r"^\\newcommand\{\\(\w+)\}\{(.*)\}$", re.M)


def macro_values(text: str) -> dict[str, str]:
    """``{name: value}`` of every ``\\newcommand`` line (the value as written, ``\\ensuremath{...}``)."""
    return {name: value for name, value in _MACRO.findall(text)}


def stale(expected: Mapping[str, str], directory: Path) -> list[str]:
    """One line per difference between ``expected`` (file name -> text) and ``directory``; none when current."""
    found = []
    for name, text in expected.items():
        path = directory / name
        if not path.is_file():
            found.append(f"{path}: missing")
            continue
        old = path.read_text(encoding="utf-8")
        if old == text:
            continue
        found.append(f"{path}: stale")
        if name == "macros.tex":
            found.extend(_macro_changes(macro_values(old), macro_values(text)))
    return found


def _macro_changes(old: Mapping[str, str], new: Mapping[str, str]) -> list[str]:
    lines = []
    for name in new:
        if name not in old:
            lines.append(f"  \\{name}: new, {new[name]}")
        elif old[name] != new[name]:
            lines.append(f"  \\{name}: {old[name]} -> {new[name]}")
    lines += [f"  \\{name}: no longer defined (was {old[name]})" for name in old if name not in new]
    return lines
