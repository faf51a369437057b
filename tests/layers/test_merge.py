"""Add, Multiply and Concat: PyTorch broadcasting, exact for sizes that may be 1."""

from __future__ import annotations

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import symcnn

c, k, H, W = symcnn.symbols("c k H W")


def test_residual_graph_and_concat_and_multiply() -> None:
    x = symcnn.Input(16, "H", "W")
    a = symcnn.Conv2d(out_channels=16, kernel_size=3, padding=1)(x)
    b = symcnn.Add()(x, a)
    cat = symcnn.Concat()(x, b)
    gate = symcnn.AdaptiveAvgPool2d(1)(cat)
    d = symcnn.Multiply()(cat, gate)
    derivation = symcnn.Graph(x, d).derive()
    assert derivation.output_shape == (32, H, W)
    assert derivation.totals.trainable == 16 * 16 * 9 + 16
    assert derivation.row("concat").sources == ("input", "add")


def test_add_of_different_shapes_is_an_error_naming_the_layer() -> None:
    x = symcnn.Input(4, 8, 8)
    y = symcnn.Conv2d(out_channels=4, kernel_size=3)(x)
    with pytest.raises(symcnn.ShapeError, match=r"^layer 2 \(add 'add'\): shapes must match or be 1"):
        symcnn.Graph(x, symcnn.Add()(x, y)).derive()


def two_branches(first: tuple[object, ...], second: tuple[object, ...], merge: symcnn.Layer) -> symcnn.Derivation:
    a, b = symcnn.Input(*first, name="a"), symcnn.Input(*second, name="b")
    return symcnn.Graph([a, b], merge(a, b)).derive()


def test_sizes_that_may_be_one_broadcast_to_their_maximum() -> None:
    """(c, H) + (k, H): equal, or one of them 1 — PyTorch accepts all three."""
    d = two_branches(("c", "H"), ("k", "H"), symcnn.Add())
    assert d.output_shape == (sympy.Max(c, k), H)
    assert d.subs(c=1, k=5, H=2).output_shape == (5, 2)
    assert d.subs(c=5, k=1, H=2).output_shape == (5, 2)
    assert d.subs(c=5, k=5, H=2).output_shape == (5, 2)
    with pytest.raises(symcnn.ShapeError, match="branch sizes must match or be 1"):
        d.subs(c=2, k=5, H=2)


def test_the_same_formula_needs_no_condition() -> None:
    d = two_branches(("c", "H"), ("c", "H"), symcnn.Multiply())
    assert d.output_shape == (c, H) and d.conditions == ()
    d = two_branches(("c", "H", "W"), ("W",), symcnn.Add())  # aligned at the last dimension
    assert d.output_shape == (c, H, W) and d.conditions == ()


@given(first=st.lists(st.integers(1, 3), min_size=1, max_size=3), second=st.lists(st.integers(1, 3), max_size=3))
def test_numeric_broadcasting_follows_numpy_rules(first: list[int], second: list[int]) -> None:
    """Torch-free: the rule NumPy states (align at the end, sizes equal or 1)."""
    if not second:
        second = [1]
    rank = max(len(first), len(second))
    a, b = [1] * (rank - len(first)) + first, [1] * (rank - len(second)) + second
    fits = all(x == y or 1 in (x, y) for x, y in zip(a, b, strict=True))
    if fits:
        expected = tuple(max(x, y) for x, y in zip(a, b, strict=True))
        assert two_branches(tuple(first), tuple(second), symcnn.Add()).output_shape == expected
    else:
        with pytest.raises(symcnn.ShapeError):
            two_branches(tuple(first), tuple(second), symcnn.Add())


def test_concat_sizes_must_match_except_along_dim() -> None:
    d = two_branches(("c", "H"), ("k", "W"), symcnn.Concat())
    assert d.output_shape == (c + k, H)
    assert [condition.relation for condition in d.conditions] == [sympy.Eq(H, W)]
    with pytest.raises(symcnn.ShapeError, match="sizes must match except along dim 1"):
        two_branches((2, 3), (2, 4), symcnn.Concat())
