"""Unflatten, Chunk and Permute without torch: shapes, conditions, and refusals that name the rule."""

from __future__ import annotations

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import symcnn
from symcnn import Chunk, Permute, ShapeError, SpecError, Unflatten

H, W, k = symcnn.symbols("H W k")


def derive(shape: tuple[object, ...], layer: symcnn.Layer) -> symcnn.Derivation:
    return symcnn.Sequential(symcnn.Input(*shape), layer).derive()


# --------------------------------------------------------------------- Unflatten


def test_unflatten_splits_a_dimension_and_infers_minus_one() -> None:
    assert Unflatten(1, (2, 3)).output_shape((6, 5)) == (2, 3, 5)
    assert Unflatten(-1, (5, -1)).output_shape((6, 10)) == (6, 5, 2)
    assert Unflatten(2, (1, 5, 2)).output_shape((6, 10)) == (6, 1, 5, 2)


def test_unflatten_with_symbols_lists_the_divisibility_condition() -> None:
    d = derive(("k", 7), Unflatten(1, (4, -1)))
    assert d.output_shape == (4, k / 4, 7)
    assert [condition.rule for condition in d.conditions] == ["the product of the given sizes must divide dim 1"]
    assert d.subs(k=12).output_shape == (4, 3, 7)
    with pytest.raises(ShapeError, match="must divide dim 1"):
        d.subs(k=10)


def test_unflatten_sizes_must_multiply_to_the_size() -> None:
    with pytest.raises(ShapeError, match=r"must multiply to the size 6"):
        Unflatten(1, (2, 2)).output_shape((6,))
    with pytest.raises(ShapeError, match=r"got dim 1=7 and the product of the given sizes=2"):
        Unflatten(1, (2, -1)).output_shape((7,))
    d = derive(("2*k",), Unflatten(1, (2, "k")))  # provably equal: no condition
    assert d.conditions == () and d.output_shape == (2, k)
    d = derive(("H",), Unflatten(1, (2, "k")))
    assert [condition.relation for condition in d.conditions] == [sympy.Eq(2 * k, H)]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"dim": 0, "unflattened_size": (2, 3)}, "dim must not be 0: dimension 0 is the batch"),
        ({"dim": 1.5, "unflattened_size": (2, 3)}, "dim must be an integer, got 1.5"),
        ({"dim": 1, "unflattened_size": (-1, -1)}, "only one size in unflattened_size may be -1"),
        ({"dim": 1, "unflattened_size": ()}, "unflattened_size must not be empty"),
        ({"dim": 1, "unflattened_size": (0, 3)}, "unflattened_size must be a positive integer, got 0"),
    ],
)
def test_unflatten_refuses_bad_arguments_naming_the_layer(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(SpecError, match=rf"^unflatten: {message}"):
        Unflatten(**arguments)


def test_unflatten_dim_must_fit_the_input() -> None:
    with pytest.raises(ShapeError, match="dim=3 does not fit an input of 1 dimensions"):
        Unflatten(3, (1, 2)).output_shape((2,))


# --------------------------------------------------------------------- Chunk


@given(size=st.integers(1, 30), chunks=st.integers(1, 8), data=st.data())
def test_chunk_sizes_are_those_of_python_slicing(size: int, chunks: int, data: st.DataObject) -> None:
    """torch.chunk: pieces of ceil(size/chunks), the last one shorter, and maybe fewer pieces."""
    index = data.draw(st.integers(0, chunks - 1))
    each = -(-size // chunks)
    pieces = [len(range(size)[start : start + each]) for start in range(0, size, each)]
    layer = Chunk(chunks, dim=1, index=index)
    if index < len(pieces):
        assert layer.output_shape((size, 3)) == (pieces[index], 3)
    else:
        with pytest.raises(ShapeError, match=f"chunk {index} of a size-{size} dimension"):
            layer.output_shape((size, 3))


def test_chunk_with_symbols_is_a_formula_and_the_last_chunk_a_condition() -> None:
    d = derive((3, "H"), Chunk(2, dim=2, index=1))
    assert d.subs(H=7).output_shape == (3, 3)
    assert d.subs(H=8).output_shape == (3, 4)
    with pytest.raises(ShapeError, match="chunk 1 must exist"):
        d.subs(H=1)


def test_chunk_refuses_bad_arguments() -> None:
    with pytest.raises(SpecError, match=r"^chunk: index must be smaller than chunks \(2\), got 2"):
        Chunk(2, index=2)
    with pytest.raises(SpecError, match=r"^chunk: index must be an integer ≥ 0, got -1"):
        Chunk(2, index=-1)
    with pytest.raises(SpecError, match=r"^chunk: dim must not be 0"):
        Chunk(2, dim=0)
    with pytest.raises(SpecError, match=r"^chunk: chunks must be a positive integer, got 0"):
        Chunk(0)


# --------------------------------------------------------------------- Permute


@given(shape=st.lists(st.integers(1, 5), min_size=1, max_size=4), data=st.data())
def test_permute_reorders_sizes(shape: list[int], data: st.DataObject) -> None:
    order = data.draw(st.permutations(range(1, len(shape) + 1)))
    assert Permute((0, *order)).output_shape(tuple(shape)) == tuple(shape[dim - 1] for dim in order)


def test_permute_accepts_negative_dims_and_keeps_symbols() -> None:
    assert derive((3, "H", "W"), Permute((0, -2, -1, 1))).output_shape == (H, W, 3)


@pytest.mark.parametrize(
    ("dims", "message"),
    [
        ((0, 2, 1), "must list all 4 dimensions"),
        ((0, 1, 1, 2), "must be a permutation of 0..3"),
        ((1, 0, 2, 3), "would move the batch dimension"),
    ],
)
def test_permute_refuses_what_is_not_a_permutation_keeping_the_batch(dims: tuple[int, ...], message: str) -> None:
    with pytest.raises(ShapeError, match=message):
        Permute(dims).output_shape((3, 4, 5))


def test_permute_dims_must_be_integers() -> None:
    with pytest.raises(SpecError, match=r"^permute: dims must be an integer, got '1'"):
        Permute((0, "1"))
