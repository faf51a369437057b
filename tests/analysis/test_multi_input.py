"""Layers with several inputs in every analysis: a value, or a refusal naming the layer (issue 17).

Receptive fields combine inputs only where the layer declares how (``Field.MERGE``,
``Field.CONCAT``); any other layer with several inputs — cross-attention, a bilinear
layer — is refused by name.  Memory and what-if read totals and output shapes, which
several inputs do not change.
"""

from __future__ import annotations

import pytest

import symcnn
from symcnn.whatif import solve


def _cross_attention() -> symcnn.Derivation:
    """Queries from one branch, keys and values from another."""
    queries, context = symcnn.Input(5, 16, name="queries"), symcnn.Input(7, 16, name="context")
    attended = symcnn.MultiheadAttention(16, 2)(queries, context, context)
    return symcnn.Graph([queries, context], symcnn.Linear(out_features="k")(attended)).derive()


def _bilinear_branches() -> symcnn.Derivation:
    x = symcnn.Input(3, "H", "W")
    left = symcnn.Conv2d(out_channels=4, kernel_size=3, padding=1)(x)
    right = symcnn.MaxPool2d(3, stride=1, padding=1)(x)
    right = symcnn.Conv2d(out_channels=4, kernel_size=1)(right)
    return symcnn.Graph(x, symcnn.Bilinear(out_features=2)(left, right)).derive()


@pytest.mark.parametrize("make", [_cross_attention, _bilinear_branches])
def test_receptive_field_refuses_the_multi_input_layer_by_name(make) -> None:
    d = make()
    joined = next(row for row in d.rows if len(row.sources) > 1)
    message = d.receptive_fields.refusal(joined.name)
    assert message is not None and joined.where in message
    with pytest.raises(symcnn.UnsupportedError, match=f"{len(joined.sources)} inputs"):
        joined.receptive_field  # noqa: B018
    text = d.to_text(receptive_field=True)  # the renderers show the refusal, they do not fail
    assert joined.name in text


def test_memory_of_a_cross_attention_model() -> None:
    d = _cross_attention().subs(k=3)
    memory = d.memory(batch=2, dtype="float32")
    # Activations: the two inputs, the attention output (5x16) and the linear output (5x3), per sample.
    assert memory.input_bytes == 2 * (5 * 16 + 7 * 16) * 4
    assert memory.activation_bytes == 2 * (5 * 16 + 5 * 3) * 4
    assert memory.params_bytes == d.totals.params * 4


def test_what_if_solves_through_a_multi_input_layer() -> None:
    d = _cross_attention()
    answer = solve(d, "params <= 2000", largest="k")
    assert answer.status == "found" and answer.value is not None
    k = answer.value
    assert d.subs(k=k).totals.params <= 2000 < d.subs(k=k + 1).totals.params
