"""Require: a condition stated by the model, kept by derive and checked by subs."""

from __future__ import annotations

import pytest
import sympy

from symcnn import Graph, Input, ShapeError, SpecError
from symcnn.exact.symbols import symbol
from symcnn.layers import Require


def test_condition_is_listed_and_substituted() -> None:
    x = Input(3, "H", "W")
    d = Graph([x], [Require("H == 2*W")(x)]).derive()
    assert [condition.relation for condition in d.conditions] == [sympy.Eq(symbol("H"), 2 * symbol("W"))]
    assert d.subs(H=8, W=4).output_shape == (3, 8, 4)
    with pytest.raises(ShapeError):
        d.subs(H=8, W=5)
    assert "H = 2*W" in d.to_text()


def test_numbers_decide_at_once() -> None:
    assert Require(sympy.Eq(3, 3)).output_shape((2,)) == (2,)
    with pytest.raises(ShapeError, match="size must be 224"):
        Require(sympy.false, reason="size must be 224").output_shape((2,))


def test_not_a_relation() -> None:
    with pytest.raises(SpecError):
        Require(condition=5)


def test_a_condition_makes_no_tensor_and_keeps_the_receptive_field() -> None:
    """torch._assert returns nothing: the row counts no activations, and what one unit sees is unchanged."""
    from symcnn import Conv2d

    x = Input(3, "H", "W")
    checked = Graph([x], [Conv2d(out_channels=4, kernel_size=3)(Require("H == W")(x))]).derive()
    plain = Graph([x], [Conv2d(out_channels=4, kernel_size=3)(x)]).derive()
    assert checked.rows[1].activations == 0
    assert checked.totals.activations == plain.totals.activations
    assert [axis.size for axis in checked.receptive_fields.of(checked.rows[-1].name)] == [3, 3]
