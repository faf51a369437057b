"""Linear and Embedding without torch: rank and index rules."""

from __future__ import annotations

import pytest

import symcnn
from symcnn import Embedding, ShapeError, SpecError


def test_embedding_padding_idx_with_symbols_is_a_condition() -> None:
    d = symcnn.Sequential(symcnn.Input(4), Embedding("v", 3, padding_idx="p")).derive()
    assert [condition.rule for condition in d.conditions] == ["padding_idx must be in [-v, v)"]
    assert d.subs(v=5, p=4).totals.params == 15
    with pytest.raises(ShapeError, match=r"padding_idx must be in \[-v, v\)"):
        d.subs(v=5, p=5)
    with pytest.raises(SpecError, match=r"^embedding: padding_idx must be in \[-5, 5\), got -6"):
        Embedding(5, 3, padding_idx=-6)
    assert Embedding(5, 3, padding_idx=-5).params((4,)) == 15
