"""MaxUnpool 1d/2d/3d: the default output size of PyTorch's unpooling."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symcnn
from symcnn import SymcnnError
from symcnn.exact.symbols import symbol


def test_undoes_the_pooling_size() -> None:
    H = symbol("H")
    d = symcnn.Sequential(symcnn.Input(4, "H", 9), symcnn.MaxUnpool2d(2)).derive()
    assert d.output_shape == (4, 2 * H, 18)
    assert symcnn.MaxUnpool1d(3, stride=2, padding=1).output_shape((2, 5)) == (2, 9)
    assert symcnn.MaxUnpool2d(3).macs((1, 4, 4)) == 0


def test_rejects_a_negative_padding() -> None:
    with pytest.raises(SymcnnError, match="padding"):
        symcnn.MaxUnpool2d(2, padding=-1)


@pytest.mark.torch
@settings(max_examples=40, deadline=None)
@given(
    dims=st.integers(1, 3),
    kernel=st.integers(1, 4),
    stride=st.integers(1, 3),
    padding=st.integers(0, 2),
    size=st.integers(4, 9),
)
def test_agrees_with_pytorch(dims: int, kernel: int, stride: int, padding: int, size: int) -> None:
    torch = pytest.importorskip("torch")
    if 2 * padding > kernel:
        return  # the pooling itself is refused by PyTorch
    pool = getattr(torch.nn, f"MaxPool{dims}d")(kernel, stride, padding, return_indices=True)
    unpool = getattr(torch.nn, f"MaxUnpool{dims}d")(kernel, stride, padding)
    x = torch.randn((1, 2, *([size] * dims)))
    try:
        y, indices = pool(x)
        expected = tuple(unpool(y, indices).shape[1:])
    except RuntimeError:
        return  # both refuse or PyTorch's indices fall outside: not a shape question
    got = getattr(symcnn, f"MaxUnpool{dims}d")(kernel, stride, padding).output_shape(tuple(y.shape[1:]))
    assert got == expected
