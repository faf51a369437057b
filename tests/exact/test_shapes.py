from __future__ import annotations

import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import precedence, precedence_traditional
from sympy.printing.str import StrPrinter

from symcnn.exact import shapes
from symcnn.exact.symbols import symbols

_H, _W = symbols("H W")
_NAMES = [_H, _W, *symbols("k k1 k12 x_2 alpha alpha3 kk1"), sympy.Symbol("x"), sympy.Dummy("d")]
_SPECIAL = [sympy.pi, sympy.oo, -sympy.oo, sympy.zoo, sympy.nan, sympy.I, sympy.Float(-2.5), sympy.exp(_H)]


def _expressions() -> st.SearchStrategy[sympy.Expr]:
    """The shapes networks print (rational multiples of symbols, floors, integer powers) and some that
    SymPy's own code must answer (infinities, floats, constants, Mod, exp, unevaluated parts)."""
    leaves = st.one_of(
        st.sampled_from(_NAMES + _SPECIAL),
        st.integers(-40, 40).map(sympy.Integer),
        st.tuples(st.integers(-9, 9), st.integers(1, 9)).map(lambda pair: sympy.Rational(*pair)),
    )

    def grow(children: st.SearchStrategy[sympy.Expr]) -> st.SearchStrategy[sympy.Expr]:
        return st.one_of(
            st.lists(children, min_size=2, max_size=4).map(lambda args: sympy.Add(*args)),
            st.lists(children, min_size=2, max_size=4).map(lambda args: sympy.Mul(*args)),
            # no zero factor: SymPy's own assumptions on an unevaluated H*0 are inconsistent (Mod(H*0, 4) raises)
            st.lists(children.filter(lambda arg: arg != 0), min_size=2, max_size=3).map(
                lambda args: sympy.Mul(*args, evaluate=False)
            ),
            st.tuples(children, st.integers(-3, 4)).map(lambda pair: pair[0] ** pair[1]),
            st.tuples(children, st.sampled_from([2, 3, 2**70])).map(lambda pair: sympy.floor(pair[0] / pair[1])),
            st.tuples(children, st.integers(2, 5)).map(lambda pair: sympy.ceiling(pair[0] / pair[1])),
            children.map(lambda arg: sympy.Mod(arg, 4)),
            children.map(sympy.UnevaluatedExpr),
            children.map(lambda arg: -arg),
        )

    return st.recursive(leaves, grow, max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(_expressions())
def test_signs_and_binding_strengths_are_sympys(expr: sympy.Expr) -> None:
    for part in sympy.preorder_traversal(expr):
        assert shapes.minus_sign(part) == bool(part.could_extract_minus_sign())
        assert shapes.precedence(part) == precedence(part)
        assert shapes.precedence_traditional(part) == precedence_traditional(part)


def test_the_print_method_is_the_one_sympys_dispatch_finds() -> None:
    class Renamed(sympy.floor):  # a subclass of a known function under another name: not _print_floor
        pass

    called = []
    for printer in (StrPrinter(), LatexPrinter()):
        for expr in (_H, sympy.Integer(3), sympy.Rational(1, 2), _H + 1, 2 * _H, _H**2, sympy.floor(_H / 2)):
            name = shapes.print_method(printer, type(expr))
            assert name is not None and getattr(printer, name)(expr) == printer._print(expr)
            called.append(name)
        assert shapes.print_method(printer, Renamed) == "_print_Function"
    assert "_print_Rational" in called  # the LaTeX printer has no _print_Integer: the MRO decides


def test_one_letter_names_with_digits_print_as_sympy_prints_them() -> None:
    printer = LatexPrinter()
    for name in ("k", "H", "k1", "k12", "W0", "x007"):
        assert shapes.latex_symbol(name) == printer._print_Symbol(sympy.Symbol(name))
    for name in ("alpha", "kk1", "x_2", "k1a", "é1", "", "k١"):  # left to SymPy (Greek, two letters, non-ASCII)
        assert shapes.latex_symbol(name) is None
