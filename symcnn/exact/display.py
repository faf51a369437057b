"""Formulas as written: the reader's order, not SymPy's canonical one.

A rule function called with :class:`Shown` values records the expression tree
exactly as the function's source writes it, so ``(n*m*l + 1)*k`` prints as
``(5*5*1 + 1)*32`` and not as SymPy's ``32*(1 + 25)``.  The same function
called with SymPy values computes the result.  Leaves hold a notation name
(``"n"``) or a value (a SymPy expression, printed by :mod:`symcnn.exact.printing`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Union

import sympy

from .memo import ExprMemo
from .printing import to_latex, to_str

__all__ = ["ONE", "ZERO", "BinOp", "Leaf", "Neg", "Shown", "leaf", "show", "substitute"]

Operand = Union["Shown", int, sympy.Expr]

# Binding strength: higher binds tighter.  Leaves that are sums bind like "+".
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "//": 2, "**": 3}


class Shown:
    """Operator overloading that builds a tree instead of computing."""

    precedence = 9

    def __add__(self, other: Operand) -> Shown:
        return _binop("+", self, leaf(other))

    def __radd__(self, other: Operand) -> Shown:
        return _binop("+", leaf(other), self)

    def __sub__(self, other: Operand) -> Shown:
        return _binop("-", self, leaf(other))

    def __rsub__(self, other: Operand) -> Shown:
        return _binop("-", leaf(other), self)

    def __mul__(self, other: Operand) -> Shown:
        return _binop("*", self, leaf(other))

    def __rmul__(self, other: Operand) -> Shown:
        return _binop("*", leaf(other), self)

    def __truediv__(self, other: Operand) -> Shown:
        return _binop("/", self, leaf(other))

    def __rtruediv__(self, other: Operand) -> Shown:
        return _binop("/", leaf(other), self)

    def __floordiv__(self, other: Operand) -> Shown:
        return _binop("//", self, leaf(other))

    def __rfloordiv__(self, other: Operand) -> Shown:
        return _binop("//", leaf(other), self)

    def __pow__(self, other: Operand) -> Shown:
        return _binop("**", self, leaf(other))

    def __neg__(self) -> Shown:
        return Neg(self)

    # A formula is printed for every renderer and again inside larger ones (the text table, its
    # blocks, size_cells' keys): each node works out its text and LaTeX once and keeps them.
    # (get, not try/except KeyError: every node is read a first time, and raising costs more than a look-up)
    def text(self) -> str:
        text: str | None = self.__dict__.get("_text")
        if text is None:
            text = self.__dict__["_text"] = self._as_text()
        return text

    def latex(self) -> str:
        latex: str | None = self.__dict__.get("_latex")
        if latex is None:
            latex = self.__dict__["_latex"] = self._as_latex()
        return latex

    def _as_text(self) -> str:
        raise NotImplementedError

    def _as_latex(self) -> str:
        raise NotImplementedError

    def is_number(self) -> bool:
        return False

    def __str__(self) -> str:
        return self.text()


@dataclass(frozen=True, eq=False)
class Leaf(Shown):
    """A notation name (``str``) or a value (SymPy expression)."""

    item: str | sympy.Expr

    @property
    def precedence(self) -> int:  # type: ignore[override]
        # asked by each operator around the leaf, for each format: kept like the text
        strength: int | None = self.__dict__.get("_precedence")
        if strength is None:
            strength = self.__dict__["_precedence"] = 9 if isinstance(self.item, str) else _value_precedence(self.item)
        return strength

    def is_number(self) -> bool:
        return not isinstance(self.item, str) and bool(self.item.is_number)

    def _as_text(self) -> str:
        return self.item if isinstance(self.item, str) else to_str(self.item)

    def _as_latex(self) -> str:
        if isinstance(self.item, str):
            return _latex_name(self.item)
        return to_latex(self.item)


@dataclass(frozen=True, eq=False)
class BinOp(Shown):
    op: str
    left: Shown
    right: Shown

    @property
    def precedence(self) -> int:  # type: ignore[override]
        return 9 if self.op == "//" else _PRECEDENCE[self.op]

    def _operands(self, render: Callable[[Shown], str], *, latex: bool = False) -> tuple[str, str]:
        own = _PRECEDENCE[self.op]
        # Left-associative: the right operand of - and / needs parentheses at equal strength.
        right_needs = self.right.precedence < own or (self.right.precedence == own and self.op in ("-", "/"))
        left_needs = self.left.precedence < own or (self.op == "**" and self.left.precedence <= own)
        left, right = render(self.left), render(self.right)
        opening, closing = (r"\left(", r"\right)") if latex else ("(", ")")
        return (
            f"{opening}{left}{closing}" if left_needs else left,
            f"{opening}{right}{closing}" if right_needs else right,
        )

    def _as_text(self) -> str:
        if self.op == "//":
            return f"floor({_wrap_text(self.left, 2)}/{_wrap_text(self.right, 2, strict=True)})"
        left, right = self._operands(lambda part: part.text())
        spaced = self.op in ("+", "-")
        return f"{left} {self.op} {right}" if spaced else f"{left}{self.op}{right}"

    def _as_latex(self) -> str:
        if self.op == "/":
            return r"\frac{" + self.left.latex() + "}{" + self.right.latex() + "}"
        if self.op == "//":
            return r"\left\lfloor \frac{" + self.left.latex() + "}{" + self.right.latex() + r"} \right\rfloor"
        left, right = self._operands(lambda part: part.latex(), latex=True)
        if self.op == "**":
            return "{" + left + "}^{" + self.right.latex() + "}"
        if self.op == "*":
            joiner = r" \cdot " if right[:1].isdigit() or (left[-1:].isdigit() and right[:1] in "(\\") else " "
            return f"{left}{joiner}{right}"
        return f"{left} {self.op} {right}"

    def is_number(self) -> bool:
        return self.left.is_number() and self.right.is_number()


@dataclass(frozen=True, eq=False)
class Neg(Shown):
    operand: Shown
    precedence = 1

    def _as_text(self) -> str:
        return f"-{_wrap_text(self.operand, 2)}"

    def _as_latex(self) -> str:
        inner = self.operand.latex()
        return f"-\\left({inner}\\right)" if self.operand.precedence < 2 else f"-{inner}"


class _Identity(Shown):
    """A term left out of a display: zero in sums, one in products.

    ``(kernel*l/g + b)*k`` shows as ``(n*m*l + 1)*k`` when ``g`` is ONE, and as
    ``n*m*l*k`` when ``b`` is ZERO too, so one rule serves every variant.
    """

    def __init__(self, additive: bool) -> None:
        self.additive = additive

    def __add__(self, other: Operand) -> Shown:
        return leaf(other) if self.additive else BinOp("+", self, leaf(other))

    def __radd__(self, other: Operand) -> Shown:
        return self.__add__(other)

    def __mul__(self, other: Operand) -> Shown:
        return self if self.additive else leaf(other)

    def __rmul__(self, other: Operand) -> Shown:
        return self.__mul__(other)


ZERO = _Identity(additive=True)
ONE = _Identity(additive=False)


def _drop_identities(op: str, left: Shown, right: Shown) -> Shown | None:
    if isinstance(right, _Identity):
        if right.additive and op in ("+", "-"):
            return left
        if right.additive and op == "*":
            return right
        if not right.additive and op in ("*", "/", "//", "**"):
            return left
    if isinstance(left, _Identity):
        if left.additive and op == "+":
            return right
        if left.additive and op == "*":
            return left
        if not left.additive and op == "*":
            return right
    return None


def _binop(op: str, left: Shown, right: Shown) -> Shown:
    simpler = _drop_identities(op, left, right)
    return BinOp(op, left, right) if simpler is None else simpler


# A value recurs in every layer's formulas (a size, a width): its binding strength is worked out once.
_PRECEDENCES: ExprMemo[int] = ExprMemo(1 << 16)


def _value_precedence(value: sympy.Expr) -> int:
    strength = _PRECEDENCES.get(value, (type(value),))
    if strength is None:
        if isinstance(value, sympy.Add) or (value.is_number and value.is_negative):
            strength = 1
        elif isinstance(value, sympy.Mul | sympy.Rational) and not isinstance(value, sympy.Integer):
            strength = 2
        else:
            strength = 9
        _PRECEDENCES.put(value, (type(value),), strength)
    return strength


def clear_precedences() -> None:
    _PRECEDENCES.clear()


def _wrap_text(part: Shown, strength: int, *, strict: bool = False) -> str:
    needs = part.precedence < strength or (strict and part.precedence == strength)
    return f"({part.text()})" if needs else part.text()


def _latex_name(name: str) -> str:
    head, _, tail = name.partition("_")
    head = head if len(head) == 1 else r"\mathit{" + head + "}"
    return f"{head}_{{{tail}}}" if tail else head


def leaf(value: Operand | str) -> Shown:
    """Wrap a name or value as a display leaf (trees pass through)."""
    if isinstance(value, Shown):
        return value
    if isinstance(value, str):
        return Leaf(value)
    if isinstance(value, int):
        return Leaf(sympy.Integer(value))
    return Leaf(value)


def show(rule: Callable[..., object], arguments: Mapping[str, Operand | str]) -> Shown:
    """Call ``rule`` with display leaves and return the formula as written."""
    result = rule(**{name: leaf(value) for name, value in arguments.items()})
    if not isinstance(result, Shown):
        raise TypeError(f"rule {rule.__name__} did not build a formula")
    return result


def substitute(tree: Shown, mapping: Mapping[sympy.Basic, sympy.Expr]) -> Shown:
    """The same formula with values replaced inside its leaves."""
    if not mapping:
        return tree
    if isinstance(tree, Leaf):
        return tree if isinstance(tree.item, str) else Leaf(tree.item.xreplace(mapping))
    if isinstance(tree, BinOp):
        return BinOp(tree.op, substitute(tree.left, mapping), substitute(tree.right, mapping))
    if isinstance(tree, Neg):
        return Neg(substitute(tree.operand, mapping))
    return tree
