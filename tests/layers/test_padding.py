"""ReflectionPad, ReplicationPad, CircularPad: shapes and PyTorch's limits, exactly as PyTorch."""

from __future__ import annotations

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import symcnn
from symcnn import ShapeError, SymcnnError
from symcnn.exact.symbols import symbol


def test_sizes_are_zero_padding_sizes() -> None:
    assert symcnn.ReflectionPad2d((1, 2, 3, 0)).output_shape((4, 10, 9)) == (4, 13, 12)
    assert symcnn.ReplicationPad3d(2).output_shape((1, 3, 3, 3)) == (1, 7, 7, 7)
    assert symcnn.CircularPad1d((0, 3)).output_shape((2, 3)) == (2, 6)


def test_reflection_needs_padding_below_the_size_and_circular_at_most_the_size() -> None:
    with pytest.raises(ShapeError, match="reflection padding 3 must be less than the input height, got 3"):
        symcnn.Sequential(symcnn.Input(1, 3, 3), symcnn.ReflectionPad2d(3)).derive()
    assert symcnn.CircularPad2d(3).output_shape((1, 3, 3)) == (1, 9, 9)
    with pytest.raises(ShapeError, match="circular padding 4 must be at most the input"):
        symcnn.Sequential(symcnn.Input(1, 3, 3), symcnn.CircularPad2d(4)).derive()
    assert symcnn.ReplicationPad2d(10).output_shape((1, 1, 1)) == (1, 21, 21)


def test_symbolic_sizes_keep_the_limit_as_a_condition() -> None:
    d = symcnn.Sequential(symcnn.Input(1, "H", "W"), symcnn.ReflectionPad2d(2)).derive()
    relations = {condition.relation for condition in d.conditions}
    assert sympy.Gt(symbol("H"), 2) in relations or sympy.Lt(2, symbol("H")) in relations
    assert d.output_shape == (1, symbol("H") + 4, symbol("W") + 4)


@pytest.mark.torch
@settings(max_examples=60, deadline=None)
@given(
    mode=st.sampled_from(["Reflection", "Replication", "Circular"]),
    dims=st.integers(1, 3),
    size=st.integers(1, 5),
    pads=st.lists(st.integers(-2, 6), min_size=6, max_size=6),
)
def test_agrees_with_pytorch(mode: str, dims: int, size: int, pads: list[int]) -> None:
    torch = pytest.importorskip("torch")
    padding = tuple(pads[: 2 * dims])
    module = getattr(torch.nn, f"{mode}Pad{dims}d")(padding)
    x = torch.zeros((1, 2, *([size] * dims)))
    try:
        expected = tuple(module(x).shape[1:])
    except (RuntimeError, ValueError, IndexError):
        expected = None
    layer = getattr(symcnn, f"{mode}Pad{dims}d")(padding)
    try:
        got = symcnn.Sequential(symcnn.Input(2, *([size] * dims)), layer).derive().output_shape
    except SymcnnError:
        got = None
    if expected is not None and 0 in expected:
        assert got is None  # symcnn refuses empty outputs (docs/conventions.md)
    else:
        assert got == expected, (mode, dims, size, padding)
