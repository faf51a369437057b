"""The Layer base class's shared rules: one integer route, one divisibility rule, rank checks."""

from __future__ import annotations

import pytest
import sympy

import symcnn
from symcnn import ShapeError, SpecError
from symcnn.exact.steps import Tensor
from symcnn.layers.base import Layer

c, k = symcnn.symbols("c k")


def test_divides_is_an_error_for_numbers_and_a_condition_for_symbols() -> None:
    layer = symcnn.Identity()
    assert layer._divides("groups", sympy.Integer(2), "in_channels", sympy.Integer(6)) is None
    assert layer._divides("groups", sympy.Integer(2), "in_channels", 2 * k) is None  # for every k
    with pytest.raises(ShapeError, match=r"^groups must divide in_channels, got in_channels=7 and groups=2$"):
        layer._divides("groups", sympy.Integer(2), "in_channels", sympy.Integer(7))
    check = layer._divides("groups", sympy.Integer(4), "in_channels", c)
    assert check is not None and check.rule == "groups must divide in_channels"
    assert check.holds == sympy.Eq(sympy.Mod(c, 4), 0)


@pytest.mark.parametrize(
    ("layer", "shape", "message"),
    [
        (symcnn.Conv2d(out_channels=6, kernel_size=1, groups=4), (8, 3, 3), "groups must divide out_channels"),
        (symcnn.GroupNorm(3), (4, 3, 3), "num_groups must divide num_channels, got num_channels=4 and num_groups=3"),
        (symcnn.Unflatten(1, (3, -1)), (4,), "the product of the given sizes must divide dim 1"),
        (symcnn.MultiheadAttention(num_heads=3), (5, 4), "num_heads must divide embed_dim"),
    ],
)
def test_every_divisibility_rule_uses_the_helper(layer: Layer, shape: tuple[int, ...], message: str) -> None:
    with pytest.raises(ShapeError, match=message):
        layer.output_shape(shape)


@pytest.mark.parametrize(
    ("layer", "shape", "symbol"),
    [
        (symcnn.Conv2d(out_channels=6, kernel_size=1, groups=3), ("c", 3, 3), "c"),
        (symcnn.GroupNorm(3), ("c", 3, 3), "c"),
        (symcnn.Unflatten(1, (3, -1)), ("c",), "c"),
        (symcnn.MultiheadAttention(num_heads=3), (5, "c"), "c"),
    ],
)
def test_every_divisibility_rule_is_a_condition_with_symbols(
    layer: Layer, shape: tuple[object, ...], symbol: str
) -> None:
    d = symcnn.Sequential(symcnn.Input(*shape), layer).derive()
    assert any("must divide" in condition.rule for condition in d.conditions)
    d.subs({symbol: 6})
    with pytest.raises(ShapeError, match="must divide"):
        d.subs({symbol: 4})


def test_expect_rank_says_at_least_where_more_dimensions_work() -> None:
    layer = symcnn.Identity()
    layer._expect_rank(Tensor.of((1, 2, 3)), at_least=2)
    with pytest.raises(ShapeError, match=r"^input must have at least 2 dimensions \(without batch\), got shape 3$"):
        layer._expect_rank(Tensor.of((3,)), at_least=2)
    with pytest.raises(ShapeError, match=r"^input must have 1 or 2 dimensions"):
        layer._expect_rank(Tensor.of((1, 2, 3)), 1, 2)
    with pytest.raises(ShapeError, match=r"^input must have 3 or at least 5 dimensions"):
        layer._expect_rank(Tensor.of((1, 2, 3, 4)), 3, at_least=5)


def test_integer_arguments_have_one_route_and_name_layer_rule_and_value() -> None:
    with pytest.raises(SpecError, match=r"^conv2d: out_channels must be a positive integer, got 0$"):
        symcnn.Conv2d(out_channels=0, kernel_size=3)
    with pytest.raises(SpecError, match=r"^conv2d: kernel_size must be a positive integer; k/2 is not known"):
        symcnn.Conv2d(out_channels=1, kernel_size="k/2")
    with pytest.raises(SpecError, match=r"^flatten: start_dim must be an integer, got 'a'$"):
        symcnn.Flatten("a")
    with pytest.raises(SpecError, match=r"^zeropad2d: padding must be an integer, got 1/2$"):
        symcnn.ZeroPad2d("1/2")
    with pytest.raises(SpecError, match=r"^concat: dim must not be 0: dimension 0 is the batch"):
        symcnn.Concat(0)
    with pytest.raises(SpecError, match=r"^mean: dim must be an integer, got True$"):
        symcnn.Mean((True,))


def test_a_formula_argument_keeps_its_bound_as_a_condition() -> None:
    conv = symcnn.Conv2d(out_channels=1, kernel_size="k - 2")
    d = symcnn.Sequential(symcnn.Input(1, 9, 9), conv).derive()
    assert any(condition.rule == "kernel_size must be ≥ 1" for condition in d.conditions)
    with pytest.raises(ShapeError, match="kernel_size must be ≥ 1"):
        d.subs(k=2)
