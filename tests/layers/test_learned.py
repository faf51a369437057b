"""Shift (positional embedding) and LearnedConcat (class token) against PyTorch."""

from __future__ import annotations

import pytest

from symcnn import ShapeError, load_spec
from symcnn.layers import LearnedConcat, Shift

torch = pytest.importorskip("torch")


@pytest.mark.torch
@pytest.mark.parametrize("tokens", [1, 5, 49])
def test_class_token_and_embedding_like_torch(tokens: int) -> None:
    token = torch.zeros(1, 1, 16)
    x = torch.zeros(2, tokens, 16)
    joined = torch.cat([token.expand(2, -1, -1), x], dim=1)
    assert LearnedConcat((1, 16), dim=1).output_shape((tokens, 16)) == tuple(joined.shape[1:])
    assert LearnedConcat((1, 16), dim=1).params((tokens, 16)) == token.numel()
    embedding = torch.zeros(1, tokens + 1, 16)
    assert Shift((tokens + 1, 16)).output_shape(tuple(joined.shape[1:])) == tuple((joined + embedding).shape[1:])
    assert Shift((tokens + 1, 16)).params((tokens + 1, 16)) == embedding.numel()


def test_mismatched_sizes_are_refused() -> None:
    with pytest.raises(ShapeError):
        LearnedConcat((1, 8), dim=1).output_shape((4, 16))
    with pytest.raises(ShapeError):
        Shift((5, 16)).output_shape((4, 16))


def test_spec_with_a_class_token() -> None:
    spec = {"input": [4, 8], "layers": [{"type": "learnedconcat", "shape": [1, 8]}, {"type": "shift", "shape": [5, 8]}]}
    d = load_spec(spec).derive()
    assert d.output_shape == (5, 8)
    assert d.totals.trainable == 8 + 40
