"""MultiheadAttention without torch: embed_dim read from the query, or checked against it."""

from __future__ import annotations

import pytest
import sympy

import symcnn
from symcnn import MultiheadAttention, ShapeError, SpecError

L, e, h = symcnn.symbols("L e h")


def test_embed_dim_is_read_from_the_query_when_left_out() -> None:
    inferred = MultiheadAttention(num_heads=2)
    given = MultiheadAttention(8, 2)
    for method in ("output_shape", "params", "macs"):
        assert getattr(inferred, method)((5, 8)) == getattr(given, method)((5, 8))


def test_a_given_embed_dim_must_match_the_query() -> None:
    with pytest.raises(ShapeError, match="embed_dim is 8 but the input has 6"):
        MultiheadAttention(8, 2).output_shape((5, 6))
    d = symcnn.Sequential(symcnn.Input("L", "e"), MultiheadAttention(8, 2)).derive()
    assert sympy.Eq(8, e) in [condition.relation for condition in d.conditions]
    assert d.subs(e=8, L=3).output_shape == (3, 8)
    with pytest.raises(ShapeError, match="embed_dim must equal"):
        d.subs(e=6, L=3)


def test_symbolic_embed_dim_and_heads_list_the_divisibility() -> None:
    d = symcnn.Sequential(symcnn.Input("L", "e"), MultiheadAttention(num_heads="h")).derive()
    assert d.output_shape == (L, e)
    assert [condition.rule for condition in d.conditions] == ["num_heads must divide embed_dim"]
    assert d.subs(e=12, h=4).totals.params == MultiheadAttention(12, 4).params((1, 12))
    with pytest.raises(ShapeError, match="num_heads must divide embed_dim"):
        d.subs(e=10, h=4)


def test_numbers_that_do_not_divide_are_refused_at_construction_as_in_pytorch() -> None:
    with pytest.raises(SpecError, match=r"^multiheadattention: num_heads must divide embed_dim, got embed_dim=10"):
        MultiheadAttention(10, 4)


def test_inputs_must_be_sequences_of_vectors() -> None:
    with pytest.raises(ShapeError, match=r"query \(length, features\) must have 2 dimensions"):
        MultiheadAttention(num_heads=1).output_shape((2, 3, 4))
