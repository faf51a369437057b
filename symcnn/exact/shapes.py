"""What SymPy's printers ask of an expression, answered without SymPy's general code.

A deep network prints thousands of new sums and products (``9*k94 + 1``,
``9*H*W*k93*k94``).  For each, SymPy's printers ask the sign (``could_extract_minus_sign``
builds the negated product and compares it with the product), the binding strength (walking
the class's MRO, and the sign again for a product), and find the print method by walking the
MRO too.  The answers here are SymPy 1.14's, computed once per class where they depend on the
class alone and from the leading coefficient where SymPy's do; anything else is asked of
SymPy.  ``tests/exact/test_shapes.py`` compares them with SymPy's on random expressions.
"""

from __future__ import annotations

import re
from typing import Any

import sympy
from sympy.core.expr import Expr, UnevaluatedExpr
from sympy.core.function import AppliedUndef, Function, UndefinedFunction
from sympy.printing.precedence import (
    PRECEDENCE,
    PRECEDENCE_FUNCTIONS,
    PRECEDENCE_TRADITIONAL,
    PRECEDENCE_VALUES,
)
from sympy.printing.precedence import precedence as sympy_precedence

__all__ = ["latex_symbol", "minus_sign", "precedence", "precedence_traditional", "print_method"]

_MUL, _ADD, _ATOM = PRECEDENCE["Mul"], PRECEDENCE["Add"], PRECEDENCE["Atom"]
_RATIONALS = (sympy.Integer, sympy.Rational)


def minus_sign(expr: sympy.Basic) -> bool:
    """``bool(expr.could_extract_minus_sign())``.

    A product's own test compares it with its negation (``self == -self``, a new product each
    time): a product whose leading factor is a negative number never equals its negation (the
    negation's leading factor is positive; ``zoo`` and ``nan`` are not negative), and one without
    a leading number gains a factor ``-1`` when negated, so the comparison never decides.
    """
    cls = type(expr)
    if cls is sympy.Mul:
        head = expr.args[0]
        return bool(head.is_Number and head.is_extended_negative)
    if cls in _RATIONALS:
        return expr.p < 0  # type: ignore[attr-defined, no-any-return]
    if cls.could_extract_minus_sign is Expr.could_extract_minus_sign:  # type: ignore[attr-defined]
        return False
    return bool(expr.could_extract_minus_sign())  # type: ignore[attr-defined]


_BY_CLASS: dict[type, int | None] = {}


def _class_precedence(cls: type) -> int | None:
    """SymPy's ``precedence`` of the class's instances where it depends on the class alone, else ``None``."""
    try:
        return _BY_CLASS[cls]
    except KeyError:
        pass
    value: int | None = None
    if not hasattr(cls, "precedence"):  # an attribute (or property) is read from the instance
        value = _ATOM
        for base in cls.mro():
            name = base.__name__
            if name in PRECEDENCE_FUNCTIONS:
                value = None  # decided by the instance (a sign, a denominator)
                break
            if name in PRECEDENCE_VALUES:
                value = PRECEDENCE_VALUES[name]
                break
    _BY_CLASS[cls] = value
    return value


def precedence(expr: Any) -> int:
    """SymPy's ``precedence(expr)`` (the text printer's binding strength)."""
    cls = type(expr)
    if cls is sympy.Mul:
        # precedence_Mul (SymPy 1.14), the sign from minus_sign
        for arg in expr.args:
            if hasattr(arg, "precedence") and isinstance(arg, Function) and arg.precedence < _MUL:
                return _MUL
        return _ADD if minus_sign(expr) else _MUL
    if cls in _RATIONALS:
        return _ADD if expr.p < 0 else (_ATOM if cls is sympy.Integer else _MUL)
    value = _class_precedence(cls)
    return sympy_precedence(expr) if value is None else value  # type: ignore[no-any-return]


def precedence_traditional(expr: Any) -> int:
    """SymPy's ``precedence_traditional(expr)`` (the LaTeX printer's binding strength)."""
    cls = type(expr)
    if issubclass(cls, UnevaluatedExpr):
        return precedence_traditional(expr.args[0])
    value = PRECEDENCE_TRADITIONAL.get(cls.__name__)
    return precedence(expr) if value is None else value


# A name SymPy's LaTeX printer writes as itself with its trailing digits as a subscript (k12 -> k_{12}):
# no single letter is a Greek letter, other symbol or modifier that translate() would rewrite.
_LETTER_DIGITS = re.compile(r"([A-Za-z])([0-9]*)")


def latex_symbol(name: str) -> str | None:
    """``LatexPrinter._print_Symbol`` for a one-letter name with digits (``k_{12}``), else ``None``."""
    match = _LETTER_DIGITS.fullmatch(name)
    if match is None:
        return None
    letter, digits = match.groups()
    return f"{letter}_{{{digits}}}" if digits else letter


_METHODS: dict[tuple[type, type], str | None] = {}


def print_method(printer: Any, cls: type) -> str | None:
    """The name of the method ``Printer._print`` (SymPy 1.14) would call for instances of ``cls``, or
    ``None`` where that depends on the instance (a class with the printer's ``printmethod``)."""
    key = (type(printer), cls)
    try:
        return _METHODS[key]
    except KeyError:
        pass
    method = None
    if not (printer.printmethod and hasattr(cls, printer.printmethod)):
        classes = cls.__mro__
        # Printer._print's exceptions, line for line: undefined functions, renamed subclasses of known ones
        if AppliedUndef in classes:
            classes = classes[classes.index(AppliedUndef) :]
        if UndefinedFunction in classes:
            classes = classes[classes.index(UndefinedFunction) :]
        if Function in classes:
            i = classes.index(Function)
            classes = (
                tuple(c for c in classes[:i] if c.__name__ == classes[0].__name__ or c.__name__.endswith("Base"))
                + classes[i:]
            )
        for base in classes:
            if getattr(type(printer), "_print_" + base.__name__, None) is not None:
                method = "_print_" + base.__name__
                break
    _METHODS[key] = method
    return method
