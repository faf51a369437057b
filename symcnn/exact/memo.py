"""A bounded memo keyed by SymPy expressions that never compares whole trees.

Python hashes integers modulo ``2**61 - 1``, so SymPy hashes ``2**k`` and ``2**(k + 61)``
alike, and a deep chain's sizes ``floor(H/2**k)`` collide in a dict by the dozen: a lookup
by value compares whole trees with the others in its slot (at 10,000 layers, 16 of them).
Renderers ask about the same expression objects again and again; those are found by ``id``.
An equal but distinct expression (a total's term, rebuilt from a row's factors) is found
by its class and the identities of its arguments: equal expressions built from the same
objects have the same arguments, in SymPy's canonical order.  Only atoms (numbers, symbols),
whose comparison is cheap, are looked up by value.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Generic, TypeVar

__all__ = ["ExprMemo"]

V = TypeVar("V")


class ExprMemo(Generic[V]):
    """``key -> value`` where a key is a hashable tuple whose first item is the expression.

    Holds at most ``size`` values and starts afresh when full (a deep render's working set
    is the last few layers, so forgetting everything now and then costs little).
    """

    __slots__ = ("_by_id", "_by_parts", "size")

    def __init__(self, size: int) -> None:
        self.size = size
        # Every entry keeps its expression: an id is only trusted for that very object, and the
        # ids of its arguments in a key stay those of live objects.
        self._by_id: dict[tuple[Hashable, ...], tuple[object, V]] = {}
        self._by_parts: dict[tuple[Hashable, ...], tuple[object, V]] = {}

    def get(self, expr: object, extra: tuple[Any, ...] = ()) -> V | None:
        hit = self._by_id.get((id(expr), *extra))
        if hit is not None and hit[0] is expr:
            return hit[1]
        hit = self._by_parts.get(_parts(expr, extra))
        if hit is None:
            return None
        self._by_id[(id(expr), *extra)] = (expr, hit[1])
        return hit[1]

    def put(self, expr: object, extra: tuple[Any, ...], value: V) -> None:
        if len(self._by_parts) >= self.size or len(self._by_id) >= 2 * self.size:
            self.clear()
        self._by_parts[_parts(expr, extra)] = (expr, value)
        self._by_id[(id(expr), *extra)] = (expr, value)

    def clear(self) -> None:
        self._by_id.clear()
        self._by_parts.clear()

    def __len__(self) -> int:
        return len(self._by_parts)


def _parts(expr: object, extra: tuple[Any, ...]) -> tuple[Hashable, ...]:
    """An atom itself; a compound expression as its class and the identities of its arguments."""
    args = getattr(expr, "_args", None)  # SymPy's slot behind .args, read without the property
    if args and type(args) is tuple:
        return (type(expr), *map(id, args), *extra)
    return (expr, *extra)
