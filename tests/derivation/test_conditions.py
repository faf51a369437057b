"""Tests for symcnn.derivation.conditions: the smallest size a network accepts, and broken conditions."""

from __future__ import annotations

import pytest

from symcnn import Add, Conv2d, Graph, Input, MaxPool2d, Permute, Sequential, ShapeError
from symcnn.derivation.conditions import minimum_input_size, violated
from symcnn.errors import SpecError


def conv_pool(kernel: int = 5) -> Sequential:
    return Sequential(Input(3, "H", "W"), Conv2d(out_channels=8, kernel_size=kernel), MaxPool2d(2))


def even_only() -> Graph:
    """Needs H >= 7 (a 7x7 conv) and H even (a stride-2 conv and a 2x2 pool must agree)."""
    x = Input(1, "H", "W")
    strided = Conv2d(out_channels=1, kernel_size=1, stride=2)(x)  # floor((H - 1)/2) + 1
    pooled = MaxPool2d(2)(x)  # floor(H/2)
    wide = Conv2d(out_channels=1, kernel_size=7)(x)
    return Graph(x, [Add()(strided, pooled), wide])


def square_only() -> Graph:
    """Adding a tensor to its transpose needs H == W, or a side of 1 (H or W = 3), which broadcasts."""
    x = Input(2, "H", "W")
    y = Conv2d(out_channels=2, kernel_size=3)(x)
    return Graph(x, Add()(y, Permute((0, 1, 3, 2))(y)))


def test_minimum_follows_the_simple_bound() -> None:
    d = conv_pool().derive()
    assert minimum_input_size(d, "H") == 6
    assert minimum_input_size(d, "W") == 6
    assert minimum_input_size(conv_pool(kernel=3).derive(), "H") == 4


def test_minimum_is_legal_and_one_less_is_not() -> None:
    d = conv_pool().derive()
    assert violated(d, H=6, W=6) == []
    assert d.subs(H=6, W=6).output_shape == (8, 1, 1)
    broken = violated(d, H=5, W=6)
    assert broken and all("height" in condition.rule for condition in broken)
    with pytest.raises(ShapeError):
        d.subs(H=5, W=6)


def test_minimum_honours_conditions_that_hold_only_for_some_values() -> None:
    d = even_only().derive()
    assert minimum_input_size(d, "H") == 8  # 7 is large enough for the 7x7 conv, but odd
    assert minimum_input_size(d, "W") == 8
    assert violated(d, H=7, W=8) and not violated(d, H=8, W=8)
    with pytest.raises(ShapeError):
        d.subs(H=9, W=8)
    assert d.subs(H=10, W=8).output_shapes == ((1, 5, 4), (1, 4, 2))


def test_coupled_conditions_need_the_other_value() -> None:
    d = square_only().derive()
    with pytest.raises(SpecError, match="also depends on W"):
        minimum_input_size(d, "H")
    # (1, 7) + (7, 1) broadcasts to (7, 7), as in PyTorch: H = 3 is the smallest, not H = W.
    assert minimum_input_size(d, "H", W=9) == 3
    assert d.subs(H=3, W=9).output_shape == (2, 7, 7)
    with pytest.raises(ShapeError):
        d.subs(H=4, W=9)  # (2, 7) + (7, 2): neither equal nor 1
    assert minimum_input_size(d, "H", {"W": 4}) == 3
    with pytest.raises(SpecError, match="violated"):
        minimum_input_size(d, "H", W=2)  # the conv needs W >= 3 whatever H is


def test_unconstrained_and_unknown_symbols() -> None:
    d = Sequential(Input(3, "H", "W"), Conv2d(out_channels=4, kernel_size=1)).derive()
    assert d.conditions == ()
    assert minimum_input_size(d, "H") == 1
    with pytest.raises(SpecError, match="no symbol named 'K'"):
        minimum_input_size(d, "K")
    with pytest.raises(SpecError, match="symbol to minimise"):
        minimum_input_size(conv_pool().derive(), "H", H=3)


def test_padding_symbols_may_be_zero() -> None:
    unconstrained = Sequential(Input(3, 8, 8), Conv2d(out_channels=4, kernel_size=3, padding="p")).derive()
    assert minimum_input_size(unconstrained, "p") == 0
    tight = Sequential(Input(3, 1, 1), Conv2d(out_channels=4, kernel_size=3, padding="p")).derive()
    assert minimum_input_size(tight, "p") == 1


def test_limit_bounds_the_search() -> None:
    d = even_only().derive()
    with pytest.raises(SpecError, match="no value of H from 7 to 7"):
        minimum_input_size(d, "H", limit=1)
    assert minimum_input_size(d, "H", limit=2) == 8
