"""Naming layers: explicit names kept, defaults numbered per kind when repeated."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from .errors import SpecError

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
    duplicates = [name for name, count in Counter(names).items() if count > 1]
    if duplicates:
        raise SpecError(f"{where}: the name {duplicates[0]!r} is used twice")
    return names
