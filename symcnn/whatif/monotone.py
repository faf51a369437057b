"""Proving that a formula in one integer symbol is monotone, structurally.

``direction(f, x, lowest)`` returns ``+1`` when ``f`` is non-decreasing for
integers ``x >= lowest``, ``-1`` when non-increasing, ``0`` when ``f`` does not
depend on ``x``, and ``None`` when no proof was found (``Mod``, ``Piecewise``,
a sum of rising and falling terms, ``floor((x-1)/2) - floor(x/2)``).  The
proof follows the formula's structure: sums of terms moving the same way,
products of factors of known sign, floors and ceilings (non-decreasing
functions), ``min``/``max``, integer powers.  Signs come from interval
arithmetic over ``[lowest, oo)``.  ``None`` is never wrong, only unhelpful:
the caller then searches exhaustively.

>>> from symcnn import symbols
>>> import sympy
>>> k, H = symbols("k H")
>>> direction(18 * k**2 + 152 * k, k, 1), direction(sympy.floor((H - 1) / 4) + 1, H, 1)
(1, 1)
>>> direction(sympy.floor((H - 1) / 2) + 1 - sympy.floor(H / 2), H, 1) is None
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import sympy

from ..exact.values import to_expr

__all__ = ["direction", "relation_direction"]

Bound = Fraction | None  # None: unbounded on that side


@dataclass(frozen=True)
class _Range:
    low: Bound  # None is -oo
    high: Bound  # None is +oo

    @property
    def nonnegative(self) -> bool:
        return self.low is not None and self.low >= 0

    @property
    def nonpositive(self) -> bool:
        return self.high is not None and self.high <= 0


def _add(a: Bound, b: Bound) -> Bound:
    return None if a is None or b is None else a + b


def _scale(r: _Range, c: Fraction) -> _Range:
    if c >= 0:
        return _Range(None if r.low is None else r.low * c, None if r.high is None else r.high * c)
    return _Range(None if r.high is None else r.high * c, None if r.low is None else r.low * c)


def _times(a: _Range, b: _Range) -> _Range:
    if a.nonnegative and b.nonnegative:
        high = None if a.high is None or b.high is None else a.high * b.high
        return _Range(a.low * b.low, high)  # type: ignore[operator]
    if a.nonpositive:
        return _negate(_times(_negate(a), b))
    if b.nonpositive:
        return _negate(_times(a, _negate(b)))
    return _Range(None, None)


def _negate(r: _Range) -> _Range:
    return _Range(None if r.high is None else -r.high, None if r.low is None else -r.low)


Result = tuple[int | None, _Range]


def _analyse(expr: sympy.Basic, x: sympy.Symbol, lowest: int) -> Result:
    if x not in expr.free_symbols:
        if expr.is_Rational:
            value = Fraction(int(expr.p), int(expr.q))
            return 0, _Range(value, value)
        return 0, _Range(None, None)  # free of x; its value is unknown here (other symbols)
    if expr == x:
        return 1, _Range(Fraction(lowest), None)
    if isinstance(expr, sympy.Add):
        parts = [_analyse(arg, x, lowest) for arg in expr.args]
        low: Bound = Fraction(0)
        high: Bound = Fraction(0)
        for _, r in parts:
            low, high = _add(low, r.low), _add(high, r.high)
        return _combine([d for d, _ in parts]), _Range(low, high)
    if isinstance(expr, sympy.Mul):
        return _product([_analyse(arg, x, lowest) for arg in expr.args])
    if isinstance(expr, sympy.Pow) and expr.exp.is_Integer:
        return _power(_analyse(expr.base, x, lowest), int(expr.exp))
    if isinstance(expr, sympy.floor | sympy.ceiling):
        d, r = _analyse(expr.args[0], x, lowest)
        rounding = math.floor if isinstance(expr, sympy.floor) else math.ceil
        low = None if r.low is None else Fraction(rounding(r.low))
        high = None if r.high is None else Fraction(rounding(r.high))
        return d, _Range(low, high)
    if isinstance(expr, sympy.Min | sympy.Max):
        parts = [_analyse(arg, x, lowest) for arg in expr.args]
        lows = [r.low for _, r in parts]
        highs = [r.high for _, r in parts]
        if isinstance(expr, sympy.Min):
            low = None if None in lows else min(lows)  # type: ignore[type-var]
            high = min((h for h in highs if h is not None), default=None)
        else:
            low = max((v for v in lows if v is not None), default=None)
            high = None if None in highs else max(highs)  # type: ignore[type-var]
        return _combine([d for d, _ in parts]), _Range(low, high)
    return None, _Range(None, None)


def _combine(directions: list[int | None]) -> int | None:
    """Terms moving the same way (or not at all) move the sum that way."""
    if None in directions:
        return None
    moving = {d for d in directions if d != 0}
    if not moving:
        return 0
    return moving.pop() if len(moving) == 1 else None


def _product(parts: list[Result]) -> Result:
    sign, factors = 1, []
    for d, r in parts:
        if d is None:
            return None, _Range(None, None)
        if r.nonnegative:
            factors.append((d, r))
        elif r.nonpositive:  # work with -factor >= 0
            sign, factors = -sign, [*factors, (None if d is None else -d, _negate(r))]
        else:
            return None, _Range(None, None)  # a factor of unknown sign: no proof
    total = _Range(Fraction(1), Fraction(1))
    for _, r in factors:
        total = _times(total, r)
    moving = _combine([d for d, _ in factors])
    if sign < 0:
        total = _negate(total)
        moving = None if moving is None else -moving
    return moving, total


def _power(base: Result, exponent: int) -> Result:
    d, r = base
    if exponent == 0:
        return 0, _Range(Fraction(1), Fraction(1))
    if d is None:
        return None, _Range(None, None)
    if exponent > 0:
        return _product([(d, r)] * exponent)
    if r.low is not None and r.low > 0:  # 1/f for f > 0 moves the other way
        high = 1 / r.low
        low = Fraction(0) if r.high is None else 1 / r.high
        inverse = (-d if d else 0), _Range(low, high)
        return _product([inverse] * -exponent)
    return None, _Range(None, None)


def direction(expr: sympy.Expr, x: sympy.Symbol, lowest: int) -> int | None:
    """+1 (non-decreasing), -1 (non-increasing), 0 (constant) or None (no proof), for ``x >= lowest``.

    A string ``expr`` is read by the whitelisting formula parser, never evaluated.
    """
    return _analyse(to_expr(expr, "formula"), x, lowest)[0]


def relation_direction(relation: sympy.Basic, x: sympy.Symbol, lowest: int) -> int | None:
    """The direction of ``lhs - rhs`` for a relation, or None for anything else."""
    if not isinstance(relation, sympy.core.relational.Relational):
        return None
    return direction(relation.lhs - relation.rhs, x, lowest)
