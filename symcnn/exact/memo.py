"""A bounded memo keyed by SymPy expressions that finds the same object by identity first.

Python hashes integers modulo ``2**61 - 1``, so SymPy hashes ``2**k`` and ``2**(k + 61)``
alike, and a deep chain's sizes ``floor(H/2**k)`` collide in a dict by the dozen: every
lookup then compares whole trees with the others in its slot.  Renderers ask about the
same expression objects again and again; those are found by ``id`` without comparing
anything, and an equal but distinct object still finds the value by equality.
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

    __slots__ = ("_by_id", "_by_value", "size")

    def __init__(self, size: int) -> None:
        self.size = size
        # id-keyed entries keep their expression: an id is only trusted for that very object.
        self._by_id: dict[tuple[Hashable, ...], tuple[object, V]] = {}
        self._by_value: dict[tuple[Hashable, ...], V] = {}

    def get(self, expr: object, extra: tuple[Any, ...] = ()) -> V | None:
        hit = self._by_id.get((id(expr), *extra))
        if hit is not None and hit[0] is expr:
            return hit[1]
        value = self._by_value.get((expr, *extra))
        if value is not None:
            self._by_id[(id(expr), *extra)] = (expr, value)
        return value

    def put(self, expr: object, extra: tuple[Any, ...], value: V) -> None:
        if len(self._by_value) >= self.size or len(self._by_id) >= 2 * self.size:
            self.clear()
        self._by_value[(expr, *extra)] = value
        self._by_id[(id(expr), *extra)] = (expr, value)

    def clear(self) -> None:
        self._by_id.clear()
        self._by_value.clear()

    def __len__(self) -> int:
        return len(self._by_value)
