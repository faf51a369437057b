"""Held and Unused: counts as a model holds them, with the wrapped layer's formulas."""

from __future__ import annotations

import pytest

import symcnn
from symcnn import KERAS, SpecError
from symcnn.layers.usage import Held, Measured, Unused


def conv() -> symcnn.Conv2d:
    return symcnn.Conv2d(3, 4, 3)  # (3*3*3 + 1)*4 = 112 parameters


def derive(layer: symcnn.Layer, **options: object) -> symcnn.Derivation:
    return symcnn.Sequential(symcnn.Input(3, 8, 8), layer).derive(**options)  # type: ignore[arg-type]


def test_a_frozen_layer_keeps_its_formula_as_non_trainable() -> None:
    row = derive(Held(conv(), frozen=112, name="c")).row("c")
    assert (row.kind, row.params.value, row.non_trainable.value) == ("conv2d", 0, 112)
    assert row.non_trainable.substituted.text() == "(3*3*3 + 1)*4"
    assert row.macs.value == derive(conv()).layers[0].macs.value


def test_tied_and_frozen_parts_are_subtracted() -> None:
    row = derive(Held(conv(), frozen=4, counted_before=108, name="c")).row("c")
    assert (row.params.value, row.non_trainable.value) == (0, 4)
    row = derive(Held(conv(), counted_before=108, name="c")).row("c")
    assert row.params.value == 4 and row.params.substituted.text() == "(3*3*3 + 1)*4 - 108"


def test_a_repeated_call_counts_macs_only() -> None:
    d = derive(Held(symcnn.BatchNorm2d(3), repeated=True), conventions=KERAS)
    row = d.layers[0]
    assert (row.params.value, row.non_trainable.value, row.buffers.value) == (0, 0, 0)


def test_extra_buffers_are_added() -> None:
    row = derive(Held(conv(), extra_buffers=108, name="c")).row("c")
    assert row.buffers.value == 108


def test_bad_holdings_are_refused() -> None:
    with pytest.raises(SpecError, match="frozen must be a non-negative integer"):
        Held(conv(), frozen=-1)
    with pytest.raises(SpecError, match="layer must be a layer"):
        Held("conv")  # type: ignore[arg-type]
    with pytest.raises(SpecError, match="holds 200 parameter elements aside"):
        derive(Held(conv(), frozen=200))


def test_unused_passes_its_input_through() -> None:
    d = derive(Unused(parameters=5, frozen=2, buffer_elements=3, name="spare"))
    assert d.output_shape == (3, 8, 8)
    assert (d.totals.trainable, d.totals.non_trainable, d.totals.buffers) == (5, 2, 3)
    spec = symcnn.load_spec({"input": [4], "layers": [{"type": "unused", "parameters": 7}]})
    assert spec.derive().totals.params == 7


def test_measured_rows_keep_their_numbers() -> None:
    d = derive(Measured(label="Block (numeric)", shape=(2, 2), parameters=9, macs_counted=40, name="b"))
    row = d.row("b")
    assert (row.kind, row.output_shape, row.params.value, row.macs.value) == ("Block (numeric)", (2, 2), 9, 40)


def test_held_missing_buffers_and_a_fixed_framework() -> None:
    """ONNX holds BatchNorm's mean and variance only; a Keras row keeps Keras's counting under any conventions."""
    onnx_row = Held(symcnn.BatchNorm2d(4), missing_buffers=1, framework="pytorch")
    for conventions in (None, KERAS):
        outcome = onnx_row._outcome((4, 5, 5), conventions)
        assert (outcome.params.value, outcome.non_trainable.value, outcome.buffers.value) == (8, 0, 8)
    keras_row = Held(symcnn.BatchNorm2d(4), framework="keras")
    outcome = keras_row._outcome((4, 5, 5))
    assert (outcome.params.value, outcome.non_trainable.value, outcome.buffers.value) == (8, 8, 0)
    with pytest.raises(SpecError, match="leaves out 10 buffer elements"):
        Held(symcnn.BatchNorm2d(4), missing_buffers=10)._outcome((4, 5, 5))
