from __future__ import annotations

import sympy

from symcnn.exact.printing import to_latex, to_str
from symcnn.exact.symbols import symbols


def test_floors_print_over_a_common_denominator():
    H, s = symbols("H s")
    assert to_str(sympy.floor((H - 1) / 4) + 1) == "floor((H - 1)/4) + 1"
    assert to_str(sympy.floor((H - 3) / s)) == "floor((H - 3)/s)"
    assert to_latex(sympy.floor((H - 1) / 4)) == r"\left\lfloor \frac{H - 1}{4} \right\rfloor"


def test_text_form_reads_back_as_the_same_expression():
    H = symbols("H")
    expr = 3 * sympy.floor((H - 1) / 32) + 1
    assert sympy.sympify(to_str(expr), locals={"H": H}) == expr


# -- each distinct sub-expression printed once --------------------------------------------------

from collections import Counter  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from symcnn.exact import printing  # noqa: E402
from symcnn.exact.memo import ExprMemo  # noqa: E402

_H, _W, _K = symbols("H W k")


def _expressions() -> st.SearchStrategy[sympy.Expr]:
    leaves = st.one_of(
        st.sampled_from(
            [_H, _W, _K, sympy.Symbol("k_1", integer=True), sympy.Symbol("x"), *symbols("k12 alpha2 kk1 x_2")]
        ),
        st.integers(-40, 40).map(sympy.Integer),
        st.tuples(st.integers(-9, 9), st.integers(1, 9)).map(lambda pair: sympy.Rational(*pair)),
    )

    def grow(children: st.SearchStrategy[sympy.Expr]) -> st.SearchStrategy[sympy.Expr]:
        return st.one_of(
            st.lists(children, min_size=2, max_size=4).map(lambda args: sympy.Add(*args)),
            st.lists(children, min_size=2, max_size=4).map(lambda args: sympy.Mul(*args)),
            st.tuples(children, st.integers(1, 3)).map(lambda pair: pair[0] ** pair[1]),
            st.tuples(children, st.integers(1, 5)).map(lambda pair: sympy.floor(pair[0] / pair[1])),
            st.tuples(children, st.sampled_from([2, 3, 2**45])).map(lambda pair: sympy.ceiling(pair[0] / pair[1])),
            children.map(lambda arg: sympy.Mod(arg, 4)),
        )

    return st.recursive(leaves, grow, max_leaves=12)


class _Forgetful(ExprMemo[Any]):
    """A memo that keeps nothing: the printer prints every sub-expression afresh."""

    def put(self, expr: object, extra: tuple[Any, ...], value: Any) -> None:
        pass


def _plain(cls: type, general_mul: Any) -> type:
    """``cls`` with SymPy's general product code and term order (no fast path) and memos that keep nothing."""

    from sympy.printing.latex import LatexPrinter
    from sympy.printing.printer import Printer
    from sympy.printing.str import StrPrinter

    class Plain(cls):  # type: ignore[misc, valid-type]
        _print_Mul = general_mul
        _as_ordered_terms = Printer._as_ordered_terms  # SymPy's term order, not remembered

        def _dispatch(self, expr: sympy.Basic, kwargs: dict[str, Any]) -> str:  # SymPy's dispatch
            return Printer._print(self, expr, **kwargs)

        if issubclass(cls, LatexPrinter):  # SymPy's sums, symbols and bracket checks (tree searches), not remembered
            _print_Add = LatexPrinter._print_Add
            _print_Symbol = LatexPrinter._print_Symbol
            _needs_mul_brackets = LatexPrinter._needs_mul_brackets
            _needs_add_brackets = LatexPrinter._needs_add_brackets
        else:  # SymPy's sums and parentheses, precedences not remembered
            _print_Add = StrPrinter._print_Add
            parenthesize = StrPrinter.parenthesize

        def __init__(self, settings: dict[str, Any] | None = None) -> None:
            super().__init__(settings)
            self._printed = _Forgetful(1)
            if hasattr(self, "_brackets"):
                self._brackets = _Forgetful(1)

    return Plain


def _printer_pairs() -> list[tuple[Any, Any]]:
    from sympy.printing.latex import LatexPrinter
    from sympy.printing.str import StrPrinter

    cases: list[tuple[type, Any, dict[str, Any]]] = [
        (printing.ResultStrPrinter, StrPrinter._print_Mul, {}),
        (printing.ReaderStrPrinter, StrPrinter._print_Mul, {}),
        (printing.ResultLatexPrinter, LatexPrinter._print_Mul, {"mul_symbol": None}),
        (printing.ResultStrPrinter, StrPrinter._print_Mul, {"order": "none"}),
        (printing.ResultLatexPrinter, LatexPrinter._print_Mul, {"mul_symbol": None, "order": "none"}),
    ]
    return [(cls(settings), _plain(cls, general)(settings)) for cls, general, settings in cases]


_PAIRS = _printer_pairs()  # the memoised printers live across examples, as the module's printers do


@settings(max_examples=300, deadline=None)
@given(st.lists(_expressions(), min_size=1, max_size=6))
def test_memoised_fast_printers_print_what_sympys_general_code_prints(exprs: list[sympy.Expr]) -> None:
    for memoised, plain in _PAIRS:
        for expr in exprs:  # several in a row: sub-expressions are reused across them
            assert memoised.doprint(expr) == plain.doprint(expr)
            assert memoised.print_remembered(expr) == plain.doprint(expr)


def test_a_deep_chain_prints_each_distinct_floor_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import symcnn

    calls: Counter[tuple[int, sympy.Basic]] = Counter()

    def spy(original: Any) -> Any:
        def counted(self: Any, expr: sympy.floor, *args: Any) -> str:
            calls[(id(self), expr, args)] += 1
            return original(self, expr, *args)  # type: ignore[no-any-return]

        return counted

    for cls in (printing.ResultStrPrinter, printing.ResultLatexPrinter):
        monkeypatch.setattr(cls, "_print_floor", spy(cls._print_floor))
    symcnn.clear_caches()

    def rendered(depth: int) -> int:
        calls.clear()
        layers: list[symcnn.Layer] = [symcnn.Input(3, "H", "W")]
        for index in range(1, depth + 1):
            layers.append(symcnn.MaxPool2d(2) if index % 3 == 0 else symcnn.Conv2d(out_channels=8, kernel_size=3))
        d = symcnn.Sequential(*layers).derive()
        d.to_text(), d.to_latex()
        assert calls and max(calls.values()) == 1  # every floor once per printer, however often it recurs
        return sum(calls.values())

    shallow, deep = rendered(30), rendered(60)
    assert deep <= 2.2 * shallow  # distinct floors grow with the pools, not with how often each is printed


def test_a_symbol_over_an_integer_is_put_over_its_denominator_as_sympy_puts_it() -> None:
    x = sympy.Symbol("x", commutative=False)
    for arg in (_H / 2, _H / 8, _H / sympy.Integer(2) ** 100, 3 * _H / 4, _H / 3 + sympy.Rational(1, 3), x / 2):
        printing._over_common_denominator.cache_clear()
        num, den = sympy.fraction(sympy.together(arg))
        assert printing._over_common_denominator(arg) == (sympy.expand(num), den)


def test_long_power_divisors_print_as_powers_and_read_back() -> None:
    H = symbols("H")
    deep = sympy.floor(H / 2**1000)
    assert to_str(deep) == "floor(H/2**1000)"
    assert to_latex(deep) == r"\left\lfloor \frac{H}{2^{1000}} \right\rfloor"
    assert sympy.sympify(to_str(deep), locals={"H": H}) == deep
    assert to_str(sympy.ceiling((H - 1) / 3**40) + 1) == "ceiling((H - 1)/3**40) + 1"
    # short divisors, and long ones that are no power of a small base, keep their digits
    assert to_str(sympy.floor(H / 1024)) == "floor(H/1024)"
    assert to_str(sympy.floor(H / (3 * 2**50))) == f"floor(H/{3 * 2**50})"


def test_clear_printed_forgets_every_printers_memo() -> None:
    printer = printing.ResultStrPrinter()
    printer.doprint(sympy.floor(_H / 2))
    assert printer._printed
    printing.clear_printed()
    assert not printer._printed


def _twinned_pairs() -> list[tuple[Any, Any, Any]]:
    """(printer in SymPy's order, printer in internal order that reuses its twin's texts, plain reference)."""
    from sympy.printing.latex import LatexPrinter
    from sympy.printing.str import StrPrinter

    cases: list[tuple[type, Any, dict[str, Any]]] = [
        (printing.ResultStrPrinter, StrPrinter._print_Mul, {}),
        (printing.ResultLatexPrinter, LatexPrinter._print_Mul, {"mul_symbol": None}),
    ]
    triples = []
    for cls, general, settings_ in cases:
        ordered, internal = cls(settings_), cls({**settings_, "order": "none"})
        internal.twin = ordered
        triples.append((ordered, internal, _plain(cls, general)({**settings_, "order": "none"})))
    return triples


_TWINNED = _twinned_pairs()


@settings(max_examples=200, deadline=None)
@given(st.lists(_expressions(), min_size=1, max_size=6))
def test_a_printer_in_internal_order_reuses_only_texts_that_order_does_not_change(exprs: list[sympy.Expr]) -> None:
    for ordered, internal, plain in _TWINNED:
        for expr in exprs:
            ordered.doprint(expr)  # the twin prints first, as a row is printed before the total
            assert internal.doprint(expr) == plain.doprint(expr)
            in_a_sum = sympy.Add(expr, _W, evaluate=False)
            assert internal.doprint(in_a_sum) == plain.doprint(in_a_sum)


def test_a_power_of_a_floor_keeps_its_exponent_in_latex() -> None:
    # SymPy hands a power's exponent to the function's printer; a square input's MACs have floor(H/2)**2
    k = sympy.Symbol("k")
    assert printing.to_latex(sympy.floor(_H / 2) ** 2) == r"\left\lfloor \frac{H}{2} \right\rfloor^{2}"
    assert printing.to_latex(3 * k * sympy.ceiling((_H - 1) / 2) ** 3) == (
        r"3 k \left\lceil \frac{H - 1}{2} \right\rceil^{3}"
    )
    assert printing.to_str(sympy.floor(_H / 2) ** 2) == "floor(H/2)**2"
