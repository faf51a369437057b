"""A size rule as written, evaluated in exact fractions with its floors taken away.

A student who forgets to round down computes ``(i + 2p - n)/s + 1`` exactly.
The rule's display in its own notation (:attr:`~symcnn.exact.rules.Rule.general`)
records the formula as its source writes it; reading ``//`` there as exact
division gives that number with Python's ``Fraction``, where building the rule
in SymPy symbols and taking its floors away costs tens of milliseconds on cold caches.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from functools import lru_cache

import sympy

from ..exact.display import BinOp, Leaf, Neg, Shown
from ..exact.rules import Rule

__all__ = ["NotWritten", "has_floor", "unfloored_value"]


class NotWritten(Exception):
    """The formula holds something this reading does not know (the caller asks SymPy instead)."""


@lru_cache(maxsize=256)  # a handful of size rules
def has_floor(rule: Rule) -> bool:
    """Whether the rule as written floors (``//``) anywhere."""
    return _floors(rule.general)


def _floors(node: Shown) -> bool:
    if isinstance(node, BinOp):
        return node.op == "//" or _floors(node.left) or _floors(node.right)
    if isinstance(node, Neg):
        return _floors(node.operand)
    return False


def unfloored_value(rule: Rule, values: Mapping[str, sympy.Expr]) -> sympy.Rational:
    """The rule at ``values`` (exact numbers), ``//`` read as ``/``; :class:`NotWritten` if it cannot say."""
    numbers = {}
    for name, value in values.items():
        if not isinstance(value, sympy.Rational):
            raise NotWritten(name)
        numbers[name] = Fraction(int(value.p), int(value.q))
    result = _value(rule.general, numbers)
    return sympy.Rational(result.numerator, result.denominator)


def _value(node: Shown, numbers: Mapping[str, Fraction]) -> Fraction:
    if isinstance(node, Leaf):
        if isinstance(node.item, str):
            if node.item not in numbers:
                raise NotWritten(node.item)
            return numbers[node.item]
        if isinstance(node.item, sympy.Rational):
            return Fraction(int(node.item.p), int(node.item.q))
        raise NotWritten(str(node.item))
    if isinstance(node, Neg):
        return -_value(node.operand, numbers)
    if isinstance(node, BinOp):
        left, right = _value(node.left, numbers), _value(node.right, numbers)
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        if node.op == "*":
            return left * right
        if node.op in ("/", "//"):
            if right == 0:
                raise NotWritten("a division by zero")
            return left / right
        if node.op == "**" and right.denominator == 1:
            return left ** int(right)
    raise NotWritten(type(node).__name__)
