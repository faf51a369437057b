"""Forget everything symcnn remembers, for benchmarks and long-running processes.

symcnn memoises rule values, floor algebra, printed expressions and layer
outcomes (deep networks and sweeps repeat the same work).  The memos are
bounded; ``clear_caches`` empties them all, and SymPy's own cache too.
"""

from __future__ import annotations

import sys

from sympy.core.cache import clear_cache as clear_sympy_cache

from .exact import display, printing, rules, simplify
from .layers import memo

__all__ = ["clear_caches"]


def clear_caches() -> None:
    """Empty symcnn's memo caches and SymPy's cache (the next derivation runs cold)."""
    for cached in (
        simplify.collapse_floors,
        simplify.at_least_one,
        simplify.decide,
        rules._evaluate,
        rules._in_numbers,
    ):
        cached.cache_clear()
    window = sys.modules.get("symcnn.layers.window")  # loads with the first window layer: none to clear before
    if window is not None:
        window.clear()
    printing.clear_printed()
    display.clear_precedences()
    memo.clear()
    clear_sympy_cache()
