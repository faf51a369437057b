"""Symbols and the conversion of user values into exact SymPy expressions.

All hyperparameters are integers.  ``symbols("H W k")`` makes positive-integer
symbols; padding-like names are non-negative integers instead, because a
padding of 0 is legal: ``p``, ``p`` with digits (``p1``), ``ph``/``pw``/``pd``
(with digits), ``p_`` followed by anything (``p_h``), and names starting with
``pad`` (``pad``, ``padding``).  Other names starting with ``p`` (``patches``,
``pk``) are positive like every other hyperparameter.  The same name
always gives the same symbol, so a formula typed in a spec file and a symbol
made in Python refer to the same thing.
"""

from __future__ import annotations

import re
from fractions import Fraction
from functools import cache

import sympy

from .errors import SpecError

__all__ = ["is_nonnegative_name", "symbol", "symbols"]


_PADDING_NAME = re.compile(r"p[hwd]?\d*|p_\w*|pad\w*")


def is_nonnegative_name(name: str) -> bool:
    """Padding-like names may be zero; every other hyperparameter is >= 1.

    >>> [is_nonnegative_name(name) for name in ("p", "p2", "pw", "p_left", "padding", "patches", "pk")]
    [True, True, True, True, True, False, False]
    """
    return _PADDING_NAME.fullmatch(name) is not None


@cache
def symbol(name: str) -> sympy.Symbol:
    """The one symbol symcnn uses for ``name``."""
    if not name.isidentifier():
        raise SpecError(f"symbol name must be an identifier, got {name!r}")
    if is_nonnegative_name(name):
        return sympy.Symbol(name, integer=True, nonnegative=True)
    return sympy.Symbol(name, integer=True, positive=True)


def symbols(names: str) -> tuple[sympy.Symbol, ...] | sympy.Symbol:
    """Make integer symbols from a space- or comma-separated list of names.

    >>> H, W = symbols("H W")
    >>> H.is_positive, H.is_integer
    (True, True)
    >>> symbols("p").is_nonnegative
    True
    """
    parts = [part for part in names.replace(",", " ").split() if part]
    if not parts:
        raise SpecError("symbols() needs at least one name")
    made = tuple(symbol(part) for part in parts)
    return made[0] if len(made) == 1 else made


MAX_DIGITS = 1000


def integer_at_least(value: sympy.Expr, minimum: int, what: str) -> sympy.Basic:
    """Check that ``value`` is an integer >= ``minimum``; return the condition left to hold.

    Numbers are checked now.  A formula must be known to be an integer (``k/2``
    is not: write ``k//2``); whether it is large enough may depend on the
    symbols, and then the returned relation is a condition to list.
    """
    from .simplify import decide, tidy

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
        from .formula import parse_formula

        return parse_formula(value, what=what)
    if isinstance(value, sympy.Basic):
        if not isinstance(value, sympy.Expr):
            raise SpecError(f"{what} must be an expression, got {value}")
        if value.has(sympy.Float):
            raise SpecError(f"{what} must be exact, got the float {value}")
        return value
    raise SpecError(f"{what} must be an integer or a formula, got {value!r}")
