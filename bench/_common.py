"""Shared helpers for the benchmark scripts: timing, versions, tables.

Nothing here asserts: the scripts print figures and ratios, because timings on
shared machines are noisy.  Each measurement is repeated and reported as the
best (minimum) and the median of its runs.
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


def versions() -> str:
    """One line per library that matters for the figures."""
    lines = [
        f"python   {sys.version.split()[0]} ({platform.python_implementation()}) on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, {platform.system()} {platform.release()}",
    ]
    from importlib import metadata

    for package in ("sympy", "torch", "torchvision", "torchinfo", "numpy", "symcnn"):
        # metadata, not import: importing torch here would show up in profiles of the benchmarks
        try:
            lines.append(f"{package:<11} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            lines.append(f"{package:<11} not installed")
    try:
        from sympy.external.gmpy import GROUND_TYPES

        lines.append(f"sympy ground types: {GROUND_TYPES}")
    except Exception:
        pass
    lines.append(f"date     {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")
    return "\n".join(lines)


def clear_sympy_cache(keep: tuple[str, ...] = ()) -> None:
    """Forget SymPy's global cache and symcnn's own memo caches (``functools.lru_cache``).

    A run measured after this is cold, as a user's first derivation in a process
    is, except for one-time costs (imports, printers) that a warm-up pays.
    ``symcnn.exact.symbols.symbol`` is kept: it only interns Symbols; so are the
    caches named in ``keep`` (``("traced",)``: from_torch's remembered traces).
    """
    from sympy.core.cache import clear_cache

    import symcnn

    clear_cache()
    symcnn.clear_caches()  # also the layer outcomes that from_torch and derive share
    for name, module in list(sys.modules.items()):
        if not (name == "symcnn" or name.startswith("symcnn.")) or module is None:
            continue
        for attribute, value in list(vars(module).items()):
            if attribute == "symbol" or attribute in keep or getattr(value, "__module__", None) != name:
                continue
            clear = getattr(value, "cache_clear", None)
            if callable(clear):
                clear()


@dataclass
class Timing:
    runs: list[float]

    @property
    def best(self) -> float:
        return min(self.runs)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def __str__(self) -> str:
        return (
            f"best {fmt_s(self.best)}, median {fmt_s(self.median)}, first {fmt_s(self.runs[0])} "
            f"over {len(self.runs)} run(s)"
        )


def repeat(
    run: Callable[[], Any],
    *,
    times: int,
    budget: float = float("inf"),
    setup: Callable[[], Any] | None = None,
) -> tuple[Timing, Any]:
    """Run ``run`` up to ``times`` times (at least once; stop early when ``budget`` seconds are spent).

    ``setup`` runs before each run, untimed.  Returns the timings and the last result.
    """
    runs: list[float] = []
    result: Any = None
    spent_start = time.perf_counter()
    for _ in range(max(1, times)):
        if setup is not None:
            setup()
        gc.collect()
        start = time.perf_counter()
        result = run()
        runs.append(time.perf_counter() - start)
        if time.perf_counter() - spent_start > budget:
            break
    return Timing(runs), result


def fmt_s(seconds: float) -> str:
    if seconds >= 100:
        return f"{seconds:.0f} s"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.1f} µs"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table with right-aligned columns (the first left-aligned)."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(headers[i]), *(len(row[i]) for row in cells)) for i in range(len(headers))]

    def line(items: Sequence[str]) -> str:
        return "  ".join(
            item.ljust(width) if index == 0 else item.rjust(width)
            for index, (item, width) in enumerate(zip(items, widths, strict=True))
        )

    return "\n".join([line(headers), line(["-" * width for width in widths]), *(line(row) for row in cells)])
