"""SymPy printers for results: floors shown as ``floor((H - 1)/4)``.

SymPy distributes numeric factors, so ``floor((H - 1)/4)`` is stored as
``floor(H/4 - 1/4)``.  Readers (and PyTorch's own symbolic engine) write the
numerator over a common denominator; these printers do the same.  The text
form stays valid SymPy syntax, so JSON values can be read back.
"""

from __future__ import annotations

from functools import lru_cache

import sympy
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

__all__ = ["to_latex", "to_str", "to_text"]


def _over_common_denominator(arg: sympy.Expr) -> tuple[sympy.Expr, sympy.Expr]:
    num, den = sympy.fraction(sympy.together(arg))
    return sympy.expand(num), den


class ResultStrPrinter(StrPrinter):
    def _print_floor(self, expr: sympy.floor) -> str:
        num, den = _over_common_denominator(expr.args[0])
        if den == 1:
            return f"floor({self._print(num)})"
        return f"floor({self.parenthesize(num, 45)}/{self.parenthesize(den, 51)})"

    def _print_ceiling(self, expr: sympy.ceiling) -> str:
        num, den = _over_common_denominator(expr.args[0])
        if den == 1:
            return f"ceiling({self._print(num)})"
        return f"ceiling({self.parenthesize(num, 45)}/{self.parenthesize(den, 51)})"


class ResultLatexPrinter(LatexPrinter):
    def _print_floor(self, expr: sympy.floor, exp: object = None) -> str:
        num, den = _over_common_denominator(expr.args[0])
        return r"\left\lfloor " + self._fraction(num, den) + r" \right\rfloor"

    def _print_ceiling(self, expr: sympy.ceiling, exp: object = None) -> str:
        num, den = _over_common_denominator(expr.args[0])
        return r"\left\lceil " + self._fraction(num, den) + r" \right\rceil"

    def _fraction(self, num: sympy.Expr, den: sympy.Expr) -> str:
        if den == 1:
            return str(self._print(num))
        return r"\frac{" + self._print(num) + "}{" + self._print(den) + "}"


class ReaderStrPrinter(ResultStrPrinter):
    """For people, not for reading back: ``c mod 4 = 0`` where SymPy writes ``Eq(Mod(c, 4), 0)``."""

    def _print_Mod(self, expr: sympy.Mod) -> str:
        return f"{self.parenthesize(expr.args[0], 50)} mod {self.parenthesize(expr.args[1], 51)}"

    def _print_Relational(self, expr: sympy.Basic) -> str:
        symbol = {"==": "=", "!=": "!="}.get(expr.rel_op, expr.rel_op)  # type: ignore[attr-defined]
        return f"{self._print(expr.lhs)} {symbol} {self._print(expr.rhs)}"  # type: ignore[attr-defined]

    _print_Equality = _print_Unequality = _print_Relational


_STR = ResultStrPrinter()
_READER = ReaderStrPrinter()
_LATEX = ResultLatexPrinter({"mul_symbol": None})
# SymPy's reader-friendly term order costs time quadratic in the number of
# symbols; a long sum (a 1,000-layer total) keeps SymPy's internal order.
_LONG_SUM = 64
_STR_FAST = ResultStrPrinter({"order": "none"})
_LATEX_FAST = ResultLatexPrinter({"mul_symbol": None, "order": "none"})


def _is_long(expr: sympy.Basic) -> bool:
    return isinstance(expr, sympy.Add) and len(expr.args) > _LONG_SUM


# Deep networks print the same sizes again and again: printing is cached.
@lru_cache(maxsize=65536)
def to_str(expr: sympy.Basic) -> str:
    """Text in SymPy syntax, e.g. ``floor((H - 1)/4) + 1``."""
    return (_STR_FAST if _is_long(expr) else _STR).doprint(expr)


@lru_cache(maxsize=4096)
def to_text(expr: sympy.Basic) -> str:
    """Text for people, as conditions read in every format: ``c mod 4 = 0``, ``H >= 5``.

    >>> import sympy
    >>> c = sympy.Symbol("c", integer=True)
    >>> to_text(sympy.Eq(sympy.Mod(c, 4), 0)), to_text(sympy.Ge(c, 5))
    ('c mod 4 = 0', 'c >= 5')
    """
    return _READER.doprint(expr)


@lru_cache(maxsize=65536)
def to_latex(expr: sympy.Basic) -> str:
    """LaTeX, e.g. ``\\left\\lfloor \\frac{H - 1}{4} \\right\\rfloor + 1``."""
    return (_LATEX_FAST if _is_long(expr) else _LATEX).doprint(expr)
