"""ConstantOp, Roll, Stack and the pixel shuffles against PyTorch."""

from __future__ import annotations

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from symcnn import ShapeError, SpecError
from symcnn.layers import ConstantOp, PixelShuffle, PixelUnshuffle, Roll, Stack

torch = pytest.importorskip("torch")


def test_constants_are_exact() -> None:
    assert ConstantOp("mul", 0.1).constant == sympy.Rational(1, 10)
    assert ConstantOp("rsub", 1).output_shape((4, 5)) == (4, 5)
    with pytest.raises(SpecError):
        ConstantOp("floor", 1)


@pytest.mark.torch
@given(channels=st.integers(1, 20), height=st.integers(1, 9), width=st.integers(1, 9), factor=st.integers(1, 3))
def test_pixel_shuffles_match_torch(channels: int, height: int, width: int, factor: int) -> None:
    x = torch.zeros(1, channels, height, width, device="meta")
    try:
        expected = tuple(torch.nn.PixelShuffle(factor)(x).shape[1:])
    except RuntimeError:
        with pytest.raises(ShapeError):
            PixelShuffle(factor).output_shape((channels, height, width))
    else:
        assert PixelShuffle(factor).output_shape((channels, height, width)) == expected
    try:
        expected = tuple(torch.nn.PixelUnshuffle(factor)(x).shape[1:])
    except RuntimeError:
        with pytest.raises(ShapeError):
            PixelUnshuffle(factor).output_shape((channels, height, width))
    else:
        assert PixelUnshuffle(factor).output_shape((channels, height, width)) == expected


@pytest.mark.torch
@pytest.mark.parametrize("dim", [1, 2, 3, -1, -2])
def test_stack_matches_torch(dim: int) -> None:
    x = torch.zeros(1, 4, 5)
    assert Stack(dim=dim)._stacked([(4, 5)] * 3) == tuple(torch.stack([x, x, x], dim=dim).shape[1:])


def test_stack_and_roll_refuse_what_torch_refuses() -> None:
    with pytest.raises(ShapeError):
        Stack(dim=1)._stacked([(4, 5), (4, 6)])
    with pytest.raises(SpecError):
        Roll((1,), (0,))  # the batch
    with pytest.raises(ShapeError):
        Roll((1,), (4,)).output_shape((3, 3))
    assert Roll((1, -1), (1, 2)).output_shape((3, 3)) == (3, 3)
