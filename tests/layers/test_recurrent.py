"""Recurrent layers without torch: LSTM's projection with formulas."""

from __future__ import annotations

import pytest

import symcnn
from symcnn import LSTM, ShapeError, SpecError, UnsupportedError


def test_proj_size_smaller_than_hidden_size_is_a_condition_with_symbols() -> None:
    d = symcnn.Sequential(symcnn.Input(5, 3), LSTM(hidden_size="h", proj_size=2)).derive()
    assert [condition.rule for condition in d.conditions] == ["proj_size must be smaller than hidden_size"]
    assert d.subs(h=4).totals.params == LSTM(3, 4, proj_size=2).params((5, 3))
    with pytest.raises(ShapeError, match="proj_size must be smaller than hidden_size"):
        d.subs(h=2)
    with pytest.raises(SpecError, match=r"^lstm: proj_size has to be smaller than hidden_size, got 4 >= 4"):
        LSTM(3, 4, proj_size=4)


def test_a_proj_size_formula_that_may_be_zero_is_refused() -> None:
    """0 means no projection, another formula: 'k - 1' cannot be derived once for every k."""
    with pytest.raises(UnsupportedError, match="proj_size k - 1 may be 0"):
        LSTM(3, 8, proj_size="k - 1")
    assert LSTM(3, 8, proj_size="k").params((2, 3)) is not None
