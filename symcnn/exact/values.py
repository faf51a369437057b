"""User values as exact SymPy expressions, and the integer rule every hyperparameter obeys.

``to_expr`` accepts an int, an exact fraction, a formula string (parsed safely by
:mod:`symcnn.exact.formula`) or a SymPy expression; ``integer_at_least`` checks a value
is an integer of at least some bound, settling what numbers decide and returning
the condition that symbols leave open.
"""

from __future__ import annotations

from fractions import Fraction

import sympy

from ..errors import SpecError
from .simplify import decide, tidy

__all__ = ["integer", "integer_at_least", "plain_integer", "to_expr"]


MAX_DIGITS = 1000

# The SymPy integers of channel counts, sizes and kernels: a table lookup is a tenth of SymPy's own
# cache (a Python call building a typed key) for the thousands a numeric import makes.
_SMALL: dict[int, sympy.Integer] = {}
_SMALL_LIMIT = 1 << 16


# SymPy's constructor without its cache (a typed key built per call), where SymPy has one: a large
# count (a layer's MACs) is made once and seldom asked for again.  Same values, singletons included.
_UNCACHED = getattr(sympy.Integer.__new__, "__wrapped__", None)


def integer(value: int) -> sympy.Integer:
    """``sympy.Integer(value)`` for a Python int; small ones from a table."""
    found = _SMALL.get(value)
    if found is None:
        if -_SMALL_LIMIT < value < _SMALL_LIMIT:
            found = _SMALL[value] = sympy.Integer(value)
        elif _UNCACHED is not None:
            found = _UNCACHED(sympy.Integer, value)
        else:
            found = sympy.Integer(value)
    return found


def integer_at_least(value: sympy.Expr, minimum: int, what: str) -> sympy.Basic:
    """Check that ``value`` is an integer >= ``minimum``; return the condition left to hold.

    Numbers are checked now.  A formula must be known to be an integer (``k/2``
    is not: write ``k//2``); whether it is large enough may depend on the
    symbols, and then the returned relation is a condition to list.
    """
    if value.is_Integer and int(value) >= minimum:  # the common case, settled in Python ints
        return sympy.true
    kind = "a positive integer" if minimum == 1 else f"an integer ≥ {minimum}"
    if value.is_number:
        if not value.is_integer or value < minimum:
            raise SpecError(f"{what} must be {kind}, got {value}")
        return sympy.true
    if value.is_integer is not True:
        raise SpecError(f"{what} must be {kind}; {value} is not known to be an integer (divide with //)")
    holds = decide(tidy(sympy.Ge(value, minimum)))
    if holds is sympy.false:
        raise SpecError(f"{what} must be {kind}, got {value}")
    return holds


def to_expr(value: object, what: str) -> sympy.Expr:
    """Convert an int, exact fraction, formula string or SymPy expression.

    Floats are refused: a hyperparameter is an integer, and a float would
    silently lose exactness.  Booleans are refused too (``True`` is not 1 here).
    """
    if isinstance(value, bool):
        raise SpecError(f"{what} must be an integer or a formula, got {value!r}")
    if isinstance(value, int):
        if abs(value) >= 10**MAX_DIGITS:
            raise SpecError(f"{what}: integers of more than {MAX_DIGITS} digits are not supported")
        return sympy.Integer(value)
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, str):
        from .formula import parse_formula  # the parser loads when a first formula is given

        return parse_formula(value, what=what)
    if isinstance(value, sympy.Basic):
        if not isinstance(value, sympy.Expr):
            raise SpecError(f"{what} must be an expression, got {value}")
        if value.has(sympy.Float):
            raise SpecError(f"{what} must be exact, got the float {value}")
        return value
    raise SpecError(f"{what} must be an integer or a formula, got {value!r}")


def plain_integer(text: str) -> int | str:
    """ASCII digits as an int (``"224"``); anything else stays text for the formula parser.

    ``"²".isdigit()`` is true but ``int("²")`` fails: such text goes to the parser, which refuses it clearly.
    """
    if text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS:
        return int(text)
    return text
