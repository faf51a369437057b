"""symcnn.exact.numeric: evaluating at numbers in Python integers equals SymPy's substitution."""

from __future__ import annotations

import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symcnn.exact.numeric import evaluate

H, W, k = (sympy.Symbol(name, integer=True, positive=True) for name in "HWk")

leaves = st.one_of(st.sampled_from([H, W, k]), st.integers(-5, 40).map(sympy.Integer))


def _combine(children: st.SearchStrategy[sympy.Expr]) -> st.SearchStrategy[sympy.Expr]:
    pair = st.tuples(children, children)
    return st.one_of(
        pair.map(lambda ab: ab[0] + ab[1]),
        pair.map(lambda ab: ab[0] * ab[1]),
        pair.map(lambda ab: ab[0] - ab[1]),
        st.tuples(children, st.integers(1, 7)).map(lambda ad: sympy.floor(ad[0] / ad[1])),
        st.tuples(children, st.integers(1, 7)).map(lambda ad: sympy.ceiling(ad[0] / ad[1])),
        pair.map(lambda ab: sympy.Max(*ab)),
        pair.map(lambda ab: sympy.Min(*ab)),
        st.tuples(children, st.integers(0, 3)).map(lambda be: be[0] ** be[1]),
        st.tuples(children, st.integers(1, 9)).map(lambda ad: ad[0] / ad[1]),
    )


expressions = st.recursive(leaves, _combine, max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(expressions, st.integers(1, 500), st.integers(1, 500), st.integers(1, 64))
def test_evaluate_equals_sympy_substitution(expr: sympy.Expr, h: int, w: int, width: int) -> None:
    values = {H: h, W: w, k: width}
    found = evaluate(expr, values)
    assert found is not None
    assert found == expr.xreplace({symbol: sympy.Integer(value) for symbol, value in values.items()})
    assert isinstance(found, sympy.Rational)


def test_big_integers_stay_exact() -> None:
    big = 10**40 + 7
    assert evaluate(H**3 + 1, {H: big}) == big**3 + 1


def test_a_node_it_does_not_know_is_left_to_sympy() -> None:
    assert evaluate(sympy.Mod(H, 3), {H: 7}) is None
    assert evaluate(H + W, {H: 7}) is None  # a symbol without a value
