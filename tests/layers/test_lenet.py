"""LeNet-5's trainable subsampling and connection-table convolution, counted by hand and by torch."""

from __future__ import annotations

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from symcnn import ConvolutionMap2d, ShapeError, SpecError, SubSampling2d, symbols


def test_subsampling_counts_two_parameters_per_map() -> None:
    c, H = symbols("c H")
    layer = SubSampling2d(kernel_size=2)
    assert layer.params((c, H, H)) == 2 * c
    assert layer.output_shape((c, 28, 28)) == (c, 14, 14)
    assert layer.macs((6, 28, 28)) == 6 * 14 * 14


def test_subsampling_stride_defaults_to_the_kernel_and_may_be_given() -> None:
    assert SubSampling2d(kernel_size=3).output_shape((1, 9, 10)) == (1, 3, 3)
    assert SubSampling2d(kernel_size=3, stride=1).output_shape((1, 9, 10)) == (1, 7, 8)


@given(
    st.lists(st.lists(st.integers(0, 7), min_size=1, max_size=8, unique=True), min_size=1, max_size=12),
    st.integers(1, 5),
    st.booleans(),
)
def test_connection_table_parameters_count_each_connection(table, kernel, bias) -> None:
    layer = ConvolutionMap2d(table=table, kernel_size=kernel, bias=bias)
    connections = sum(len(row) for row in table)
    assert layer.params((8, 12, 12)) == kernel * kernel * connections + (len(table) if bias else 0)
    side = 12 - kernel + 1
    assert layer.output_shape((8, 12, 12)) == (len(table), side, side)
    assert layer.macs((8, 12, 12)) == side * side * kernel * kernel * connections


def test_connection_table_is_checked() -> None:
    with pytest.raises(ShapeError, match="reads input map 6"):
        ConvolutionMap2d(table=[(0, 6)], kernel_size=5).output_shape((6, 14, 14))
    with pytest.raises(SpecError, match="row 1"):
        ConvolutionMap2d(table=[(0,), (1, 1)], kernel_size=5)
    with pytest.raises(SpecError, match="table"):
        ConvolutionMap2d(table=[], kernel_size=5)
    with pytest.raises(ShapeError, match="height"):
        ConvolutionMap2d(table=[(0,)], kernel_size=5).output_shape((1, 4, 9))


@pytest.mark.torch
def test_agree_with_torch_equivalents() -> None:
    """A connection table is a full convolution with the unlisted kernels fixed at zero;
    trainable subsampling is a depthwise 2x2 convolution whose four weights are one number."""
    torch = pytest.importorskip("torch")
    table = [(0, 1), (1, 2, 3), (3,)]
    conv = torch.nn.Conv2d(4, 3, 3)
    mask = torch.zeros_like(conv.weight)
    for out, row in enumerate(table):
        mask[out, list(row)] = 1
    free = int(mask.sum()) + conv.bias.numel()
    layer = ConvolutionMap2d(table=table, kernel_size=3)
    assert layer.params((4, 9, 11)) == free
    assert layer.output_shape((4, 9, 11)) == tuple(conv(torch.zeros(1, 4, 9, 11)).shape[1:])
    pool = torch.nn.AvgPool2d(2)
    assert SubSampling2d(kernel_size=2).output_shape((5, 9, 11)) == tuple(pool(torch.zeros(1, 5, 9, 11)).shape[1:])
    assert isinstance(SubSampling2d(kernel_size=2).params((5, 9, 11)), sympy.Integer)
