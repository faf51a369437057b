"""Naming layers: explicit names kept, defaults numbered per kind when repeated."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ..errors import SpecError

__all__ = ["unique"]


def unique(explicit: Sequence[str | None], prefixes: Sequence[str], *, where: str) -> list[str]:
    """One name per item: ``explicit[i]`` if given, else ``prefix`` or ``prefix<n>``."""
    counts = Counter(prefix for name, prefix in zip(explicit, prefixes, strict=True) if name is None)
    seen: Counter[str] = Counter()
    names = []
    for name, prefix in zip(explicit, prefixes, strict=True):
        if name is None:
            seen[prefix] += 1
            name = prefix if counts[prefix] == 1 else f"{prefix}{seen[prefix]}"
        names.append(name)
    # A block used twice keeps its name with a suffix: res, res_2, res_3.
    uses: Counter[str] = Counter()
    unique_names = []
    for name in names:
        uses[name] += 1
        unique_names.append(name if uses[name] == 1 else f"{name}_{uses[name]}")
    if len(set(unique_names)) != len(unique_names):
        raise SpecError(f"{where}: layer names collide after numbering repeats: {', '.join(unique_names)}")
    return unique_names
