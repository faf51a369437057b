from __future__ import annotations

import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symcnn.exact import order
from symcnn.exact.symbols import symbols

_H, _W, _K = symbols("H W k")
_NAMES = [_H, _W, _K, *symbols("k1 k2 k9 k11 k94 k95 alpha"), sympy.Symbol("x"), sympy.Symbol("k1")]  # k1 twice
_SPECIAL = [sympy.pi, sympy.Dummy("d"), sympy.exp(_H), sympy.sqrt(_W), sympy.Float(2.5), sympy.I]


def _network_expressions(special: bool) -> st.SearchStrategy[sympy.Expr]:
    """Sums and products as networks print them (rational multiples of symbols, floors, integer powers),
    and with ``special`` the shapes the fast paths hand to SymPy (constants, dummies, exp, roots, floats)."""
    leaf_items = _NAMES + (_SPECIAL if special else [])
    leaves = st.one_of(
        st.sampled_from(leaf_items),
        st.integers(-40, 40).map(sympy.Integer),
        st.tuples(st.integers(-9, 9), st.integers(1, 9)).map(lambda pair: sympy.Rational(*pair)),
    )

    def grow(children: st.SearchStrategy[sympy.Expr]) -> st.SearchStrategy[sympy.Expr]:
        return st.one_of(
            st.lists(children, min_size=2, max_size=5).map(lambda args: sympy.Add(*args)),
            st.lists(children, min_size=2, max_size=5).map(lambda args: sympy.Mul(*args)),
            st.tuples(children, st.integers(-3, 4)).map(lambda pair: pair[0] ** pair[1]),
            st.tuples(children, st.sampled_from([2, 3, 512, 2**70])).map(lambda pair: sympy.floor(pair[0] / pair[1])),
            st.tuples(children, st.integers(2, 5)).map(lambda pair: sympy.ceiling(pair[0] / pair[1])),
            children.map(lambda arg: sympy.Mod(arg, 4)),
        )

    return st.recursive(leaves, grow, max_leaves=14)


def _parts(expr: sympy.Basic) -> list[sympy.Basic]:
    return list(sympy.preorder_traversal(expr))


@settings(max_examples=250, deadline=None)
@given(st.booleans().flatmap(lambda special: st.lists(_network_expressions(special), min_size=1, max_size=4)))
def test_orders_and_sort_keys_are_sympys(exprs: list[sympy.Expr]) -> None:
    for expr in exprs:  # several in a row: the memos carry parts from one to the next
        for part in _parts(expr):
            assert order.sort_key(part) == part.sort_key()
            if isinstance(part, sympy.Add):
                assert order.ordered_terms(part) == part.as_ordered_terms()
                assert order.ordered_terms(part, "rev-lex") == part.as_ordered_terms(order="rev-lex")
            if isinstance(part, sympy.Mul):
                assert order.ordered_factors(part) == part.as_ordered_factors()


def test_the_fast_path_covers_what_networks_print() -> None:
    k94, k95 = symbols("k94 k95")
    sums = [
        9 * k94 + 1,
        _H * _W * k95 + 27 * k94 * sympy.floor(_H / 512) - 3,
        sympy.floor((_H - 1) / 4) ** 2 + 2 * sympy.floor((_H - 1) / 4) + 1,
        1 - 2 * _H,
        _W / _H + 3 * _H**2 - _W**-2 + 2,
        sympy.Add(*(9 * sympy.Symbol(f"k{i}") * sympy.Symbol(f"k{i + 1}") for i in range(199))),  # 200 generators
    ]
    for expr in sums:
        fast = order._lex_terms(expr)
        assert fast is not None and fast == expr.as_ordered_terms()


def test_a_monomial_plus_a_constant_is_ordered_as_sympy_orders_it() -> None:
    x = sympy.Symbol("x", commutative=False)
    for expr in (9 * _H + 1, _H * _W**2 / 3 - sympy.Rational(1, 2), 1 - _H, 2 - _H * _W, _H**-1 + 1, _H + sympy.pi):
        assert order.ordered_terms(expr) == expr.as_ordered_terms()
    assert order._positive_monomial(9 * _H * _W**2) and not order._positive_monomial(_H**-1)
    assert not order._positive_monomial(x) and not order._positive_monomial(sympy.floor(_H / 2))


def test_sympys_own_order_is_kept_where_the_fast_path_declines() -> None:
    x, y = sympy.Symbol("x"), sympy.Symbol("x", positive=True)  # one name, two symbols: equal sort keys
    for expr in (x + y + 1, sympy.pi * _H + _H**2 + 2.5, sympy.sqrt(_H) + _H, sympy.exp(_H) + _W):
        assert order._lex_terms(expr) is None
        assert order.ordered_terms(expr) == expr.as_ordered_terms()


_MONOMIAL_BASES = [*symbols("a b k1 k2"), sympy.floor(_H / 2), sympy.floor(_H / 4)]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(-5, 5).filter(bool),
            st.lists(st.integers(-2, 3), min_size=len(_MONOMIAL_BASES), max_size=len(_MONOMIAL_BASES)),
        ),
        min_size=2,
        max_size=8,
    )
)
def test_sums_of_monomials_are_ordered_as_sympy_orders_them(terms: list[tuple[int, list[int]]]) -> None:
    # powers of up to six generators, negative and missing ones included: every branch of the sparse comparison
    expr = sympy.Add(
        *(c * sympy.Mul(*(b**e for b, e in zip(_MONOMIAL_BASES, powers, strict=True))) for c, powers in terms)
    )
    if isinstance(expr, sympy.Add):
        assert order.ordered_terms(expr) == expr.as_ordered_terms()
