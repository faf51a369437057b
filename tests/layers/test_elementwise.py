"""PReLU without torch: one slope, or one per channel."""

from __future__ import annotations

import pytest

import symcnn
from symcnn import PReLU, ShapeError


def test_prelu_slopes_are_one_or_the_channels() -> None:
    assert PReLU(4).params((4, 2)) == 4
    assert PReLU().params((4, 2)) == 1
    with pytest.raises(ShapeError, match=r"num_parameters must be 1 or the input's channels \(4\), got 3"):
        PReLU(3).output_shape((4, 2))


def test_prelu_with_symbols_lists_the_condition() -> None:
    d = symcnn.Sequential(symcnn.Input("c", 5), PReLU("n")).derive()
    assert [condition.rule for condition in d.conditions] == ["num_parameters must be 1 or the input's channels"]
    assert d.subs(c=4, n=1).totals.params == 1
    assert d.subs(c=4, n=4).totals.params == 4
    with pytest.raises(ShapeError, match="num_parameters must be 1"):
        d.subs(c=4, n=3)
