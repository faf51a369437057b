"""SymPy printers for results: floors shown as ``floor((H - 1)/4)``.

SymPy distributes numeric factors, so ``floor((H - 1)/4)`` is stored as
``floor(H/4 - 1/4)``.  Readers (and PyTorch's own symbolic engine) write the
numerator over a common denominator; these printers do the same.  The text
form stays valid SymPy syntax, so JSON values can be read back.
"""

from __future__ import annotations

import math
import weakref
from functools import lru_cache
from typing import Any, ClassVar

import sympy
from sympy.printing.latex import LatexPrinter, _between_two_numbers_p
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.str import StrPrinter

from .memo import ExprMemo
from .order import clear_orders, ordered_factors, ordered_terms
from .shapes import latex_symbol, minus_sign, precedence_traditional, print_method
from .shapes import precedence as shape_precedence

__all__ = ["clear_printed", "ordered_terms", "to_latex", "to_str", "to_text"]

# Sub-expressions each printer remembers before it starts afresh (a 10,000-layer chain has ~40,000).
_MEMO_SIZE = 1 << 17

# The classes printed without Printer._print's dispatch (its method found once per class): what a deep
# network's formulas are made of.  Their print methods are the ones SymPy would call.
_DIRECT = (sympy.Symbol, sympy.Integer, sympy.Rational, sympy.Add, sympy.Mul, sympy.Pow, sympy.floor, sympy.ceiling)


class MemoPrinter:
    """Each distinct sub-expression printed once: a deep network's sizes, symbols and floors recur
    in every layer's formulas, and SymPy's printers would print them again inside every term.

    A printer's output for an expression depends only on the expression, the keyword arguments
    and the printer's fixed settings, so the text is reused whole.  Floats are the exception
    (SymPy strips their zeros only when nested): they are printed every time.
    """

    _instances: ClassVar[weakref.WeakSet[MemoPrinter]] = weakref.WeakSet()  # for clear_printed

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        super().__init__(settings)  # type: ignore[call-arg]
        self._printed: ExprMemo[str] = ExprMemo(_MEMO_SIZE)
        # the same printer in SymPy's term order, for a printer in internal order ("none"): see _print
        self.twin: MemoPrinter | None = None
        MemoPrinter._instances.add(self)

    def _print(self, expr: Any, **kwargs: Any) -> str:
        if not isinstance(expr, sympy.Basic) or isinstance(expr, sympy.Float):
            return super()._print(expr, **kwargs)  # type: ignore[misc, no-any-return]
        # the type too: SymPy calls some objects of different types equal
        extra = (type(expr), *sorted(kwargs.items())) if kwargs else (type(expr),)
        try:
            text = self._printed.get(expr, extra)
        except TypeError:  # an unhashable keyword argument: print without the memo
            return super()._print(expr, **kwargs)  # type: ignore[misc, no-any-return]
        if text is None:
            # A long sum's terms (a network's total MACs) were printed row by row in SymPy's order;
            # where that order is the internal one throughout, the text is the same.
            text = self.twin._printed.get(expr, extra) if self.twin is not None else None
            if text is None or not _order_free(expr):
                text = self._dispatch(expr, kwargs)
            self._printed.put(expr, extra, text)
        return text

    def _dispatch(self, expr: sympy.Basic, kwargs: dict[str, Any]) -> str:
        """``Printer._print(expr, **kwargs)``, its method looked up once per class for the common classes."""
        cls = type(expr)
        method = print_method(self, cls) if cls in _DIRECT else None
        if method is None:
            return super()._print(expr, **kwargs)  # type: ignore[misc, no-any-return]
        self._print_level += 1  # type: ignore[attr-defined]  # as Printer._print counts it (a Float reads it)
        try:
            return getattr(self, method)(expr, **kwargs)  # type: ignore[no-any-return]
        finally:
            self._print_level -= 1  # type: ignore[attr-defined]

    def print_remembered(self, expr: Any) -> str:
        """``doprint(expr)``, the memo asked first: renderers print each value many times, and the
        printer's set-up for each call (``doprint``, dispatch) cost more than the look-up."""
        if isinstance(expr, sympy.Basic) and not isinstance(expr, sympy.Float):
            text = self._printed.get(expr, (type(expr),))
            if text is not None:
                return text
        return self.doprint(expr)  # type: ignore[attr-defined, no-any-return]

    def _as_ordered_terms(self, expr: sympy.Basic, order: str | None = None) -> list[sympy.Basic]:
        order = order or self.order  # type: ignore[attr-defined]
        if order in ("old", "none"):
            return super()._as_ordered_terms(expr, order=order)  # type: ignore[misc, no-any-return]
        return ordered_terms(expr, order)

    def clear(self) -> None:
        self._printed.clear()


def _factors(printer: StrPrinter | LatexPrinter, expr: sympy.Mul) -> list[sympy.Basic]:
    """A product's factors in the printer's order (``Mul.as_ordered_factors``, computed by :mod:`.order`)."""
    return list(expr.args) if printer.order in ("old", "none") else ordered_factors(expr)


_ORDER_FREE: ExprMemo[bool] = ExprMemo(_MEMO_SIZE)


def _order_free(expr: sympy.Basic) -> bool:
    """Whether ``expr`` prints the same in SymPy's order and in its internal order: an atom, a plain
    product whose factors are already in SymPy's order, a power or a floor of such."""
    free = _ORDER_FREE.get(expr, (type(expr),))
    if free is None:
        if expr.is_Atom:
            free = not isinstance(expr, sympy.Float)
        elif isinstance(expr, sympy.floor | sympy.ceiling):
            num, den = _over_common_denominator(expr.args[0])
            free = _order_free(num) and _order_free(den)
        elif isinstance(expr, sympy.Pow):
            free = isinstance(expr.exp, sympy.Integer) and _order_free(expr.base)
        elif plain_product(expr):
            factors = list(expr.args)
            free = ordered_factors(expr) == factors and all(_order_free(factor) for factor in factors)
        else:
            free = False
        _ORDER_FREE.put(expr, (type(expr),), free)
    return free


_NODE_TYPES: ExprMemo[frozenset[type]] = ExprMemo(_MEMO_SIZE)


def _node_types(expr: sympy.Basic) -> frozenset[type]:
    """The classes of every node of ``expr``, itself included (what ``expr.has(cls)`` searches), remembered."""
    types = _NODE_TYPES.get(expr, (type(expr),))
    if types is None:
        types = frozenset((type(expr),)).union(*(_node_types(arg) for arg in expr.args))
        _NODE_TYPES.put(expr, (type(expr),), types)
    return types


def _has_class(expr: sympy.Basic, classes: type | tuple[type, ...]) -> bool:
    """``expr.has(*classes)`` for classes, from the remembered node classes of its parts."""
    return any(issubclass(cls, classes) for cls in _node_types(expr))


def clear_printed() -> None:
    """Forget the sub-expressions every printer remembers (``symcnn.clear_caches`` calls this)."""
    for printer in MemoPrinter._instances:
        printer.clear()
    clear_orders()
    _NODE_TYPES.clear()
    _PRECEDENCES.clear()
    _ORDER_FREE.clear()
    _over_common_denominator.cache_clear()


_UNIT_FRACTIONS = (sympy.Rational, type(sympy.S.Half))


@lru_cache(maxsize=4096)  # a chain's floors nest: each inner one is printed once per outer one
def _over_common_denominator(arg: sympy.Expr) -> tuple[sympy.Expr, sympy.Expr]:
    if type(arg) is sympy.Mul and len(arg.args) == 2 and type(arg.args[1]) is sympy.Symbol:
        head = arg.args[0]
        if type(head) in _UNIT_FRACTIONS and head.p == 1 and arg.is_commutative:  # H/2**k, a pool's size
            return arg.args[1], sympy.Integer(head.q)
    num, den = sympy.fraction(sympy.together(arg))
    return sympy.expand(num), den


def plain_product(expr: sympy.Basic) -> bool:
    """A product both printers write as its factors in order: no sign, fraction, float, unit or
    non-commuting factor, and a coefficient (if any) that is an integer above 1.  Products like
    ``9*k1*k2*floor(H/8)`` fill a deep network's formulas; the rest go to SymPy's general code.
    """
    if not isinstance(expr, sympy.Mul):
        return False
    head, *rest = expr.args
    if head.is_Number:
        if not (isinstance(head, sympy.Integer) and head.p > 1):
            return False
    else:
        rest = list(expr.args)
    for factor in rest:
        if type(factor) is sympy.Symbol:  # the usual factor: only its commutativity to check
            if not factor.is_commutative:
                return False
            continue
        if factor.is_Number or not factor.is_commutative or isinstance(factor, sympy.exp):
            return False
        if isinstance(factor, sympy.Pow) and not (
            isinstance(factor.exp, sympy.Integer) and factor.exp.p > 0 and not factor.base.is_Integer
        ):
            return False
        if hasattr(factor, "_scale_factor") or hasattr(factor, "is_physical_constant"):
            return False
    return True


# A divisor this long is written as a power when it is one: after 1,000 pools a size is
# floor(H/2**1000), whose divisor has 302 digits (most of what a deep chain's printout would be).
_LONG_DIVISOR = 10**12


def power_of_small_base(number: sympy.Expr) -> tuple[int, int] | None:
    """``(2, 1000)`` for the integer ``2**1000``: a long divisor written as a power of 2 to 16, else ``None``.

    >>> power_of_small_base(sympy.Integer(2) ** 60), power_of_small_base(sympy.Integer(1024))
    ((2, 60), None)
    """
    if not isinstance(number, sympy.Integer) or number < _LONG_DIVISOR:
        return None
    value = int(number)
    for base in range(2, 17):
        exponent = round(math.log(value, base))
        if base**exponent == value:
            return base, exponent
    return None


_PRECEDENCES: ExprMemo[int] = ExprMemo(_MEMO_SIZE)


def _precedence(item: Any) -> int:
    """SymPy's ``precedence(item)``, remembered: the text printer asks it of every operand of every
    sum and product, and for a product it negates the product to look for a sign."""
    if not isinstance(item, sympy.Basic):
        return precedence(item)  # type: ignore[no-any-return]
    value = _PRECEDENCES.get(item, (type(item),))
    if value is None:
        value = shape_precedence(item)
        _PRECEDENCES.put(item, (type(item),), value)
    return value


class ResultStrPrinter(MemoPrinter, StrPrinter):
    def parenthesize(self, item: Any, level: int, strict: bool = False) -> str:
        # StrPrinter.parenthesize (SymPy 1.14) with the precedence remembered
        strength = _precedence(item)
        if strength < level or (not strict and strength <= level):
            return f"({self._print(item)})"
        return self._print(item)

    def _print_Add(self, expr: sympy.Add, order: str | None = None) -> str:
        # StrPrinter._print_Add (SymPy 1.14) with the precedences remembered
        terms = self._as_ordered_terms(expr, order=order)
        own = _precedence(expr)
        parts = []
        for term in terms:
            text = self._print(term)
            if text.startswith("-") and not term.is_Add:
                sign, text = "-", text[1:]
            else:
                sign = "+"
            parts.extend([sign, f"({text})" if _precedence(term) < own or term.is_Add else text])
        sign = parts.pop(0)
        return ("" if sign == "+" else sign) + " ".join(parts)

    def _print_Mul(self, expr: sympy.Mul) -> str:
        # what StrPrinter._print_Mul writes for a plain product, without its sign and fraction analysis
        if not plain_product(expr):
            return super()._print_Mul(expr)  # type: ignore[no-any-return]
        level = PRECEDENCE["Mul"]
        # a symbol prints as its name (StrPrinter._print_Symbol) and a factor's name needs no parentheses
        names = type(self)._print_Symbol is StrPrinter._print_Symbol
        return "*".join(
            factor.name if names and type(factor) is sympy.Symbol else self.parenthesize(factor, level)
            for factor in _factors(self, expr)
        )

    def _print_floor(self, expr: sympy.floor) -> str:
        return self._rounded("floor", expr.args[0])

    def _print_ceiling(self, expr: sympy.ceiling) -> str:
        return self._rounded("ceiling", expr.args[0])

    def _rounded(self, name: str, arg: sympy.Expr) -> str:
        num, den = _over_common_denominator(arg)
        if den == 1:
            return f"{name}({self._print(num)})"
        power = power_of_small_base(den)
        divisor = f"{power[0]}**{power[1]}" if power else self.parenthesize(den, 51)
        return f"{name}({self.parenthesize(num, 45)}/{divisor})"


class ResultLatexPrinter(MemoPrinter, LatexPrinter):
    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        super().__init__(settings)
        self._brackets: ExprMemo[bool] = ExprMemo(_MEMO_SIZE)

    def _print_Mul(self, expr: sympy.Mul) -> str:
        # what LatexPrinter._print_Mul writes for a plain product (its convert_args), without
        # the sign, fraction and unit analysis that it does first
        if not plain_product(expr):
            return super()._print_Mul(expr)  # type: ignore[no-any-return]
        separator, between_numbers = self._settings["mul_symbol_latex"], self._settings["mul_symbol_latex_numbers"]
        factors = _factors(self, expr)
        tex = last = ""
        for index, factor in enumerate(factors):
            term = self._print(factor)
            if self._needs_mul_brackets(factor, first=index == 0, last=index == len(factors) - 1):
                term = r"\left(" + term + r"\right)"
            if _between_two_numbers_p[0].search(last) and _between_two_numbers_p[1].match(term):
                tex += between_numbers
            elif tex:
                tex += separator
            tex += term
            last = term
        return tex

    def _needs_mul_brackets(self, expr: sympy.Basic, first: bool = False, last: bool = False) -> bool:
        # Asked of every factor of every product (a tree search each time): remembered like the text.
        if type(expr) is sympy.Symbol:  # an atom: no sign, no lower precedence, nothing inside
            return False
        needs = self._brackets.get(expr, (first, last))
        if needs is None:
            needs = self._mul_brackets(expr, first, last)
            self._brackets.put(expr, (first, last), needs)
        return needs

    def _mul_brackets(self, expr: sympy.Basic, first: bool, last: bool) -> bool:
        """``LatexPrinter._needs_mul_brackets`` (SymPy 1.14), its tree searches answered by ``_has_class``."""
        if expr.is_Mul:
            if not first and minus_sign(expr):
                return True
        elif precedence_traditional(expr) < PRECEDENCE["Mul"] or expr.is_Relational:
            return True
        if expr.is_Piecewise or _has_class(expr, sympy.Mod):
            return True
        return not last and _has_class(expr, (sympy.Integral, sympy.Product, sympy.Sum))

    def _print_Add(self, expr: sympy.Add, order: str | None = None) -> str:
        # LatexPrinter._print_Add (SymPy 1.14), the sign of each term from minus_sign
        terms = self._as_ordered_terms(expr, order=order)
        tex = ""
        for index, term in enumerate(terms):
            if index == 0:
                pass
            elif minus_sign(term):
                tex += " - "
                term = -term
            else:
                tex += " + "
            term_tex = self._print(term)
            if self._needs_add_brackets(term):
                term_tex = r"\left(" + term_tex + r"\right)"
            tex += term_tex
        return tex

    def _print_Symbol(self, expr: sympy.Symbol, style: str = "plain") -> str:
        # a one-letter name with digits (k12) without SymPy's name splitting and translation
        fast = latex_symbol(expr.name) if style == "plain" and not self._settings["symbol_names"] else None
        return fast if fast is not None else super()._print_Symbol(expr, style=style)  # type: ignore[no-any-return]

    def _needs_add_brackets(self, expr: sympy.Basic) -> bool:
        # LatexPrinter._needs_add_brackets (SymPy 1.14), asked of every term of every sum
        return bool(expr.is_Relational or _has_class(expr, sympy.Mod) or expr.is_Add)

    def clear(self) -> None:
        super().clear()
        self._brackets.clear()

    def _print_floor(self, expr: sympy.floor, exp: str | None = None) -> str:
        num, den = _over_common_denominator(expr.args[0])
        return _powered(r"\left\lfloor " + self._fraction(num, den) + r" \right\rfloor", exp)

    def _print_ceiling(self, expr: sympy.ceiling, exp: str | None = None) -> str:
        num, den = _over_common_denominator(expr.args[0])
        return _powered(r"\left\lceil " + self._fraction(num, den) + r" \right\rceil", exp)

    def _fraction(self, num: sympy.Expr, den: sympy.Expr) -> str:
        if den == 1:
            return str(self._print(num))
        power = power_of_small_base(den)
        divisor = f"{power[0]}^{{{power[1]}}}" if power else self._print(den)
        return r"\frac{" + self._print(num) + "}{" + divisor + "}"


def _powered(tex: str, exp: str | None) -> str:
    """A function's LaTeX raised to ``exp``: SymPy's printer passes a power's exponent to the
    function's own printer (``floor(H/2)**2``), as its ``_print_floor`` writes it."""
    return tex if exp is None else tex + "^{" + exp + "}"


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
_STR_FAST.twin, _LATEX_FAST.twin = _STR, _LATEX


def _is_long(expr: sympy.Basic) -> bool:
    return isinstance(expr, sympy.Add) and len(expr.args) > _LONG_SUM


# Deep networks print the same sizes again and again: the printers remember what they printed.
def to_str(expr: sympy.Basic) -> str:
    """Text in SymPy syntax, e.g. ``floor((H - 1)/4) + 1``."""
    return (_STR_FAST if _is_long(expr) else _STR).print_remembered(expr)


def to_text(expr: sympy.Basic) -> str:
    """Text for people, as conditions read in every format: ``c mod 4 = 0``, ``H >= 5``.

    >>> import sympy
    >>> c = sympy.Symbol("c", integer=True)
    >>> to_text(sympy.Eq(sympy.Mod(c, 4), 0)), to_text(sympy.Ge(c, 5))
    ('c mod 4 = 0', 'c >= 5')
    """
    return _READER.print_remembered(expr)


def to_latex(expr: sympy.Basic) -> str:
    """LaTeX, e.g. ``\\left\\lfloor \\frac{H - 1}{4} \\right\\rfloor + 1``."""
    return (_LATEX_FAST if _is_long(expr) else _LATEX).print_remembered(expr)
