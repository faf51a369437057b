from __future__ import annotations

from fractions import Fraction

import pytest
import sympy

import symcnn
from symcnn.exact.symbols import symbol
from symcnn.exact.values import to_expr


def test_symbols_are_positive_integers_and_padding_may_be_zero():
    H, W, k = symcnn.symbols("H W k")
    assert all(s.is_integer and s.is_positive for s in (H, W, k))
    p, pad = symcnn.symbols("p, pad")
    assert all(s.is_nonnegative and s.is_integer and not s.is_positive for s in (p, pad))
    assert symcnn.symbols("H") is symbol("H")


def test_same_name_same_symbol_across_formulas():
    k = symcnn.symbols("k")
    assert to_expr("2*k", "x") == 2 * k


def test_to_expr_is_exact_and_refuses_floats_and_booleans():
    assert to_expr(10**30, "x") == sympy.Integer(10**30)
    assert to_expr(Fraction(3, 2), "x") == sympy.Rational(3, 2)
    for bad in (1.5, True, None, sympy.Float(2.0)):
        with pytest.raises(symcnn.SpecError):
            to_expr(bad, "x")


def test_bad_names():
    with pytest.raises(symcnn.SpecError, match="symbol name must be an identifier"):
        symcnn.symbols("2x")
    with pytest.raises(symcnn.SpecError, match="needs at least one name"):
        symcnn.symbols(" ")
