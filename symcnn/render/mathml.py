"""MathML for the HTML renderer: SymPy values and display trees as presentation MathML.

Values go through a subclass of SymPy's presentation printer that writes
floors over a common denominator, as :mod:`symcnn.exact.printing` does for text
and LaTeX, ``c mod 4`` for ``Mod`` and integers with thin spaces between
thousands (``217 706``).  Display trees (a step's formula as its rule writes it,
:mod:`symcnn.exact.display`) are walked here, so ``(n*m*l + 1)*k`` keeps its
order.  Names are data: SymPy's printer escapes them (it builds a DOM), and
everything else passes through :func:`escape`, the renderer's one escaper.
"""

from __future__ import annotations

import html
from functools import lru_cache

import sympy
from sympy.printing.mathml import MathMLPresentationPrinter

from ..exact.display import BinOp, Leaf, Neg, Shown
from ..exact.printing import _over_common_denominator

__all__ = ["escape", "expr_mathml", "math", "shape_mathml", "shown_mathml"]


def escape(text: object, quote: bool = True) -> str:
    """symcnn's one HTML escaper (text and attribute values): names are data, never markup.

    ``quote=False`` leaves quotes alone where no attribute can hold the text (element content).
    """
    return html.escape(str(text), quote=quote)


_LONG_SUM = 64  # as in symcnn.exact.printing: SymPy's term order costs quadratic time


class _ResultPrinter(MathMLPresentationPrinter):
    def _element(self, tag: str, text: str):  # type: ignore[no-untyped-def]
        element = self.dom.createElement(tag)
        element.appendChild(self.dom.createTextNode(text))
        return element

    def _fenced(self, left: str, inner, right: str):  # type: ignore[no-untyped-def]
        row = self.dom.createElement("mrow")
        row.appendChild(self._element("mo", left))
        row.appendChild(inner)
        row.appendChild(self._element("mo", right))
        return row

    def _over(self, arg: sympy.Expr):  # type: ignore[no-untyped-def]
        num, den = _over_common_denominator(arg)
        if den == 1:
            return self._print(num)
        fraction = self.dom.createElement("mfrac")
        fraction.appendChild(self._print(num))
        fraction.appendChild(self._print(den))
        return fraction

    def _print_floor(self, expr: sympy.floor):  # type: ignore[no-untyped-def,override]
        return self._fenced("\u230a", self._over(expr.args[0]), "\u230b")

    def _print_ceiling(self, expr: sympy.ceiling):  # type: ignore[no-untyped-def,override]
        return self._fenced("\u2308", self._over(expr.args[0]), "\u2309")

    def _print_Mod(self, expr: sympy.Mod):  # type: ignore[no-untyped-def]
        row = self.dom.createElement("mrow")
        for index, arg in enumerate(expr.args):
            if index:
                row.appendChild(self._element("mo", "mod"))
            printed = self._print(arg)
            row.appendChild(self._fenced("(", printed, ")") if isinstance(arg, sympy.Add | sympy.Mul) else printed)
        return row

    def _print_Mul(self, expr: sympy.Mul):  # type: ignore[no-untyped-def,override]
        # SymPy's own printer rebuilds the numerator, which distributes a number over a sum
        # (5*(15*H + 2) shows as 75*H + 10); the text printers keep the factors as stored.
        coefficient, factors = expr.as_coeff_mul()
        if coefficient < 0:
            row = self.dom.createElement("mrow")
            row.appendChild(self._element("mo", "\u2212"))
            row.appendChild(self._product(-coefficient, factors))
            return row
        return self._product(coefficient, factors)

    def _product(self, coefficient: sympy.Rational, factors: tuple[sympy.Expr, ...]):  # type: ignore[no-untyped-def]
        top: list[sympy.Expr] = [] if coefficient.p == 1 else [sympy.Integer(coefficient.p)]
        bottom: list[sympy.Expr] = [] if coefficient.q == 1 else [sympy.Integer(coefficient.q)]
        for factor in factors:
            base, exponent = factor.as_base_exp()
            if exponent.is_Number and exponent < 0:
                bottom.append(base if exponent == -1 else sympy.Pow(base, -exponent, evaluate=False))
            else:
                top.append(factor)
        numerator = self._juxtaposed(top or [sympy.S.One])
        if not bottom:
            return numerator
        fraction = self.dom.createElement("mfrac")
        fraction.appendChild(numerator)
        fraction.appendChild(self._juxtaposed(bottom))
        return fraction

    def _juxtaposed(self, items: list[sympy.Expr]):  # type: ignore[no-untyped-def]
        if len(items) == 1:  # a lone sum over a fraction bar needs no brackets
            return self._print(items[0])
        row = self.dom.createElement("mrow")
        for index, item in enumerate(items):
            if index:  # a dot between two numbers (2·3), juxtaposition otherwise
                numbers = items[index - 1].is_Number and item.is_Number
                row.appendChild(self._element("mo", "\u22c5" if numbers else "\u2062"))
            printed = self._print(item)
            row.appendChild(self._fenced("(", printed, ")") if isinstance(item, sympy.Add) else printed)
        return row

    def _print_Integer(self, expr: sympy.Integer):  # type: ignore[no-untyped-def]
        digits = f"{abs(int(expr)):,}".replace(",", "\u2009")
        if expr >= 0:
            return self._element("mn", digits)
        row = self.dom.createElement("mrow")
        row.appendChild(self._element("mo", "\u2212"))
        row.appendChild(self._element("mn", digits))
        return row


_PRINTER = _ResultPrinter()
_PRINTER_FAST = _ResultPrinter({"order": "none"})


@lru_cache(maxsize=65536)
def expr_mathml(expr: sympy.Basic) -> str:
    """The inner MathML of a value (no ``<math>`` element)."""
    long = isinstance(expr, sympy.Add) and len(expr.args) > _LONG_SUM
    return _minus(str((_PRINTER_FAST if long else _PRINTER).doprint(expr)))


def _minus(markup: str) -> str:
    """A minus sign, not a hyphen (SymPy writes ``<mo>-</mo>``)."""
    return markup.replace("<mo>-</mo>", "<mo>&#x2212;</mo>")


def _name(name: str) -> str:
    """A notation name: ``p_h`` as p with subscript h."""
    head, _, tail = name.partition("_")
    base = f"<mi>{escape(head)}</mi>"
    return f"<msub>{base}<mi>{escape(tail)}</mi></msub>" if tail else base


def _bracketed(part: str) -> str:
    # BinOp._operands wraps an operand that needs brackets in "(" ... ")"; MathML starts with "<".
    if part.startswith("(") and part.endswith(")"):
        return f"<mrow><mo>(</mo>{part[1:-1]}<mo>)</mo></mrow>"
    return part


def shown_mathml(tree: Shown) -> str:
    """A formula as its rule writes it (``(5*5*1 + 1)*32``), as inner MathML."""
    if isinstance(tree, Leaf):
        return _name(tree.item) if isinstance(tree.item, str) else expr_mathml(tree.item)
    if isinstance(tree, Neg):
        inner = shown_mathml(tree.operand)
        inner = f"<mrow><mo>(</mo>{inner}<mo>)</mo></mrow>" if tree.operand.precedence < 2 else inner
        return f"<mrow><mo>&#x2212;</mo>{inner}</mrow>"
    if isinstance(tree, BinOp):
        if tree.op == "/":
            return f"<mfrac>{shown_mathml(tree.left)}{shown_mathml(tree.right)}</mfrac>"
        if tree.op == "//":
            fraction = f"<mfrac>{shown_mathml(tree.left)}{shown_mathml(tree.right)}</mfrac>"
            return f"<mrow><mo>\u230a</mo>{fraction}<mo>\u230b</mo></mrow>"
        left, right = (_bracketed(part) for part in tree._operands(shown_mathml))
        if tree.op == "**":
            return f"<msup>{left}{right}</msup>"
        if tree.op == "*":  # a dot between numbers (5·5·1), juxtaposition between names (n m l)
            numeric = left.endswith("</mn>") or right.startswith(("<mn>", "<mrow><mo>("))
            return f"<mrow>{left}<mo>{'&#x22C5;' if numeric else '&#x2062;'}</mo>{right}</mrow>"
        return f"<mrow>{left}<mo>{'&#x2212;' if tree.op == '-' else escape(tree.op)}</mo>{right}</mrow>"
    return f"<mi>{escape(tree.text())}</mi>"


def shape_mathml(shape: tuple[sympy.Expr, ...]) -> str:
    """``3 × (H - 4) × (W - 4)``: sums in brackets."""
    parts = [
        f"<mrow><mo>(</mo>{expr_mathml(size)}<mo>)</mo></mrow>" if isinstance(size, sympy.Add) else expr_mathml(size)
        for size in shape
    ]
    return "<mrow>" + "<mo>\u00d7</mo>".join(parts) + "</mrow>"


def math(inner: str, *, block: bool = False) -> str:
    """A ``<math>`` element around inner MathML."""
    # One <mrow> child: a <math> styled as a box (the page lets long formulas scroll) lays out one row.
    return f'<math display="block"><mrow>{inner}</mrow></math>' if block else f"<math><mrow>{inner}</mrow></math>"
