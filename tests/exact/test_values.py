"""``integer``: SymPy's integers made without SymPy's cache must be SymPy's integers in every way."""

from __future__ import annotations

import sympy
from hypothesis import given
from hypothesis import strategies as st

from symcnn.exact.values import integer


@given(st.one_of(st.integers(-(1 << 17), 1 << 17), st.integers(-(10**40), 10**40)))
def test_integer_is_sympys_integer(value: int) -> None:
    made, expected = integer(value), sympy.Integer(value)
    assert made == expected and type(made) is type(expected) and hash(made) == hash(expected)
    assert made + 1 == expected + 1 and sympy.srepr(made) == sympy.srepr(expected)


def test_zero_one_and_minus_one_are_sympys_singletons() -> None:
    assert integer(0) is sympy.S.Zero and integer(1) is sympy.S.One and integer(-1) is sympy.S.NegativeOne
