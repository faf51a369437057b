"""symcnn.exact.numeric: evaluating at numbers in Python integers equals SymPy's substitution.

``compile_evaluator`` (a derivation's totals read at many sizes) equals ``evaluate``, expression by
expression, and ``settle`` equals SymPy's decision of a relation at numbers.
"""

from __future__ import annotations

import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symcnn.exact.numeric import compile_evaluator, evaluate, settle

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


# --------------------------------------------------------------------- compiled evaluation


@settings(max_examples=300, deadline=None)
@given(st.lists(expressions, min_size=1, max_size=4), st.integers(-50, 500), st.integers(1, 500), st.integers(1, 64))
def test_compiled_equals_evaluate(exprs: list[sympy.Expr], h: int, w: int, width: int) -> None:
    """Several expressions at once (sharing sub-expressions), at values negative too: the same numbers, same types."""
    compiled = compile_evaluator(exprs)
    values = {H: h, W: w, k: width}
    assert compiled is not None  # every node the strategy makes is handled
    found = compiled(values)
    want = [evaluate(expr, values) for expr in exprs]
    assert found is not None
    assert list(found) == want
    assert [type(item) for item in found] == [type(item) for item in want]


def test_compiled_floors_and_ceilings_of_fractions_are_exact() -> None:
    sizes = [sympy.floor(H / 32 - sympy.Rational(1, 32)) + 1, sympy.ceiling((H - 7) / 3), sympy.floor(-H / 5)]
    compiled = compile_evaluator([*sizes, sympy.Max(H / 2, W / 3), sympy.Min(H / 2, W / 3), H / 6])
    assert compiled is not None
    for h, w in ((1, 1), (224, 299), (225, 3), (10**40 + 1, 7)):
        got = compiled({H: h, W: w})
        assert got == (
            (h - 1) // 32 + 1,
            -(-(h - 7) // 3),
            -h // 5,
            max(sympy.Rational(h, 2), sympy.Rational(w, 3)),
            min(sympy.Rational(h, 2), sympy.Rational(w, 3)),
            sympy.Rational(h, 6),
        )


def test_compiled_keeps_huge_constants_exact() -> None:
    huge = 10**5000 + 3  # more digits than Python prints (sys.int_info): a register, never text
    compiled = compile_evaluator([huge * H + 1, sympy.Integer(huge)])
    assert compiled is not None
    assert compiled({H: 2}) == (2 * huge + 1, huge)


def test_compiled_leaves_what_it_does_not_know() -> None:
    assert compile_evaluator([H + 1, sympy.Mod(H, 3)]) is None
    assert compile_evaluator([2**k]) is None  # a symbolic exponent: evaluate's walk
    assert compile_evaluator([H ** -1]) is None
    compiled = compile_evaluator([H + W])
    assert compiled is not None
    assert compiled({H: 3}) is None  # a symbol without a value
    assert compiled({H: 3, W: 4, k: 5}) == (7,)


# --------------------------------------------------------------------- relations


@settings(max_examples=300, deadline=None)
@given(expressions, expressions, st.integers(1, 60), st.integers(1, 60), st.integers(1, 9))
def test_settle_equals_sympy(lhs: sympy.Expr, rhs: sympy.Expr, h: int, w: int, width: int) -> None:
    values = {H: h, W: w, k: width}
    mapping = {symbol: sympy.Integer(value) for symbol, value in values.items()}
    for relation in (sympy.Ge, sympy.Gt, sympy.Le, sympy.Lt, sympy.Eq, sympy.Ne):
        made = relation(lhs, rhs, evaluate=False)  # a condition in symbols, as a derivation keeps it
        assert settle(made, values) is relation(lhs.xreplace(mapping), rhs.xreplace(mapping))


def test_settle_leaves_what_it_does_not_know() -> None:
    assert settle(sympy.Ge(H, W, evaluate=False), {H: 3}) is None
    assert settle(sympy.Eq(sympy.Mod(H, 3), 0), {H: 3}) is None
    assert settle(sympy.And(H >= 2, W >= 2), {H: 3, W: 3}) is None
    assert settle(sympy.true, {}) is None
