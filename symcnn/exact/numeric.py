"""Exact evaluation of an expression at numbers, in Python integers and fractions.

Substituting numbers with SymPy rebuilds every node (``xreplace`` flattens and
asks assumptions at each ``Add`` and ``Mul``); reading a total at ``H=224``
needs only its value.  This walks the tree once with Python's exact ``int`` and
``Fraction``; a node it does not know gives ``None`` and the caller substitutes
with SymPy instead.

>>> import sympy
>>> H = sympy.Symbol("H", integer=True, positive=True)
>>> evaluate(64 * (sympy.floor((H - 1) / 4) + 1) ** 2, {H: 224})
200704
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction

import sympy

__all__ = ["evaluate"]

Number = int | Fraction


def evaluate(expr: sympy.Basic, values: Mapping[sympy.Basic, int]) -> sympy.Integer | sympy.Rational | None:
    """``expr`` at ``values`` (every free symbol given), exactly; ``None`` if it holds a node not handled here."""
    try:
        result = _value(expr, values, {})
    except _Unknown:
        return None
    return sympy.Integer(result) if isinstance(result, int) else sympy.Rational(result.numerator, result.denominator)


class _Unknown(Exception):
    """A node this evaluator leaves to SymPy."""


def _value(node: sympy.Basic, values: Mapping[sympy.Basic, int], seen: dict[sympy.Basic, Number]) -> Number:
    known = seen.get(node)
    if known is not None:
        return known
    if node.is_Integer:
        result: Number = int(node)  # type: ignore[call-overload]
    elif node.is_Rational:
        result = Fraction(int(node.p), int(node.q))  # type: ignore[attr-defined]
    elif node.is_Symbol:
        if node not in values:
            raise _Unknown
        result = values[node]
    elif node.is_Add:
        result = sum((_value(arg, values, seen) for arg in node.args), 0)
    elif node.is_Mul:
        result = 1
        for arg in node.args:
            result *= _value(arg, values, seen)
    elif node.is_Pow:
        base, exponent = _value(node.args[0], values, seen), _value(node.args[1], values, seen)
        if not isinstance(exponent, int):
            raise _Unknown
        result = base**exponent if exponent >= 0 else Fraction(1) / base ** (-exponent)
    elif isinstance(node, sympy.floor):
        result = math.floor(_value(node.args[0], values, seen))
    elif isinstance(node, sympy.ceiling):
        result = math.ceil(_value(node.args[0], values, seen))
    elif isinstance(node, sympy.Max):
        result = max(_value(arg, values, seen) for arg in node.args)
    elif isinstance(node, sympy.Min):
        result = min(_value(arg, values, seen) for arg in node.args)
    else:
        raise _Unknown
    if isinstance(result, Fraction) and result.denominator == 1:
        result = result.numerator
    seen[node] = result
    return result
