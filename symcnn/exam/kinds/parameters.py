"""Parameter questions: one layer's, and a whole network's."""

from __future__ import annotations

import random
from typing import Any

import sympy

from ... import Derivation, Row
from .. import distractors as wrong
from ..model import Distractor, Line, Question, Solution
from ..networks import describe, draw_network, well_posed
from ..solution import row_lines, total_line, value_latex
from .common import (
    earlier_sizes,
    layer_words,
    math,
    network_table,
    paired,
    question,
    shape_math,
)
from .registry import kind

Spec = dict[str, Any]


@kind("layer_params", "parameters of one layer", "parameters")
def layer_params(rng: random.Random, difficulty: str) -> Question:
    spec, derivation = draw_network(rng, difficulty)
    pairs = paired(spec, derivation)
    candidates = [index for index, (row, _) in enumerate(pairs) if row.params.value != 0]
    index = rng.choice(candidates)
    row, layer = pairs[index]
    answer = row.params.value
    found = layer_param_distractors(spec, derivation, index)
    text = (
        f"The network below reads an input of {shape_math(spec['input'])}. "
        f"How many learnable parameters does {layer_words(index, layer)} have?"
    )
    lines = [*earlier_sizes(derivation, index), *row_lines(row)]
    conclusion = f"Layer {index + 1} ({layer['name']}) has {math(value_latex(answer))} learnable parameters."
    return question(
        "layer_params",
        difficulty,
        text,
        answer,
        solution=Solution(tuple(lines), conclusion),
        network=spec,
        table=network_table(spec),
        distractors=found,
        layer=index + 1,
    )


@kind("total_params", "total parameters of a network", "parameters")
def total_params(rng: random.Random, difficulty: str) -> Question:
    spec, derivation = draw_network(rng, difficulty)
    answer = derivation.totals.params
    has_norm = any(wrong.keeps_running_statistics(row) for row in derivation.layers)
    rows = derivation.layers
    found = [
        wrong.make("ignored_groups", wrong.ignored_groups(rows)),
        wrong.make("batchnorm_statistics", wrong.keras_counting(spec) if has_norm else None),
        wrong.make("forgot_bias", wrong.forgot_bias(derivation)),
        wrong.make("forgot_input_maps", wrong.forgot_input_maps(rows)),
        wrong.make("pooling_params", wrong.pooling_params(derivation, spec["layers"])),
        wrong.make("kernel_one_side", wrong.kernel_one_side(rows)),
        wrong.make("weights_per_position", wrong.weights_per_position(rows)),
        wrong.make("bias_per_input", wrong.bias_per_input(rows)),
    ]
    lines: list[Line] = []
    for row in derivation.layers:
        lines.extend(row_lines(row) if row.params.value != 0 else [])
    lines.append(total_line(derivation))
    text = (
        f"The network below reads an input of {shape_math(spec['input'])}. "
        "How many learnable parameters does it have in total?"
    )
    conclusion = f"The network has {math(value_latex(answer))} learnable parameters."
    return question(
        "total_params",
        difficulty,
        text,
        answer,
        solution=Solution(tuple(lines), conclusion),
        network=spec,
        table=network_table(spec),
        distractors=found,
    )


def layer_param_distractors(spec: Spec, derivation: Derivation, index: int) -> list[Distractor | None]:
    """Wrong parameter counts of layer ``index``: its own rule re-evaluated as each misconception has it."""
    row = derivation.layers[index]
    rows = [row]
    keras = _keras_params(row, spec["layers"][index]) if wrong.keeps_running_statistics(row) else None
    return [
        wrong.make("ignored_groups", wrong.ignored_groups(rows)),
        wrong.make("batchnorm_statistics", keras),
        wrong.make("norm_per_position", wrong.norm_per_position(rows)),
        wrong.make("norm_scale_only", wrong.norm_scale_only(rows)),
        wrong.make("forgot_bias", wrong.reevaluate(row.params, b=0)),
        wrong.make("forgot_input_maps", wrong.forgot_input_maps(rows)),
        wrong.make("kernel_one_side", wrong.kernel_one_side(rows)),
        wrong.make("bias_per_input", wrong.bias_per_input(rows)),
        wrong.make("weights_per_position", wrong.weights_per_position(rows)),
        wrong.make("forgot_inputs", wrong.forgot_inputs(rows)),
    ]


@kind("grouped_params", "parameters of a grouped or depthwise convolution", "parameters")
def grouped_params(rng: random.Random, difficulty: str) -> Question:
    maps = rng.choice((8, 16, 32, 64))
    if difficulty == "hard":  # depthwise: one group per map, a channel multiplier of 1 or 2
        groups, filters = maps, maps * rng.choice((1, 2))
    else:
        groups = 2 if difficulty == "easy" else rng.choice((4, 8))
        filters = groups * rng.choice((2, 4, 8))
    kernel = rng.choice((3, 5))
    conv: dict[str, Any] = {"type": "conv2d", "out_channels": filters, "kernel_size": kernel, "groups": groups}
    if difficulty != "easy" and rng.random() < 0.3:
        conv["bias"] = False
    size = rng.randrange(8, 57)
    spec: Spec = {"input": [maps, size, size], "layers": [conv]}
    derivation = well_posed(spec)
    assert derivation is not None
    (row,) = derivation.layers
    answer = row.params.value
    found = [
        wrong.make("ignored_groups", wrong.reevaluate(row.params, g=1)),
        wrong.make("groups_squared", wrong.reevaluate(row.params, g=groups * groups)),
        wrong.make("forgot_bias", wrong.reevaluate(row.params, b=0)),
        wrong.make("kernel_one_side", wrong.kernel_one_side([row])),
        wrong.make("bias_per_input", wrong.bias_per_input([row])),
        wrong.make("weights_per_position", wrong.weights_per_position([row])),
    ]
    kind_words = "depthwise convolution" if groups == maps else "grouped convolution"
    text = (
        f"A {kind_words} {describe(conv)} reads an input of {shape_math(spec['input'])}. "
        "How many learnable parameters does it have?"
    )
    conclusion = f"The layer has {math(value_latex(answer))} learnable parameters."
    return question(
        "grouped_params",
        difficulty,
        text,
        answer,
        solution=Solution(tuple(row_lines(row)), conclusion),
        network=spec,
        distractors=found,
    )


@kind("batchnorm_counts", "batch-norm parameters versus buffers", "parameters")
def batchnorm_counts(rng: random.Random, difficulty: str) -> Question:
    maps = rng.choice((3, 8, 16))
    filters = rng.choice((16, 24, 32, 48, 64, 96, 128))
    size = rng.randrange(8, 57)
    conv = {"type": "conv2d", "out_channels": filters, "kernel_size": rng.choice((1, 3)), "bias": False}
    spec: Spec = {"input": [maps, size, size], "layers": [conv, {"type": "batchnorm2d"}, {"type": "relu"}]}
    derivation = well_posed(spec)
    assert derivation is not None
    row = derivation.layers[1]
    ask_buffers = difficulty != "easy" and rng.random() < 0.5
    rows = [row]
    if ask_buffers:
        answer = row.buffers.value
        what = (
            "buffer elements (running statistics and counters: state that is saved with the model "
            "but not learned) does the batchnorm2d layer hold"
        )
        found = [
            wrong.make("forgot_num_batches_tracked", answer - 1),
            wrong.make("buffers_include_params", answer + row.params.value),
            wrong.make("buffers_per_position", wrong.reevaluate(row.buffers, c=int(row.activations))),
            wrong.make("running_mean_only", sympy.Integer(filters + 1)),  # a mean per channel, and the counter
        ]
        lines = row_lines(row, ("buffers",))
    else:
        answer = row.params.value
        what = "learnable parameters does the batchnorm2d layer have"
        found = [
            wrong.make("batchnorm_statistics", _keras_params(row, spec["layers"][1])),
            wrong.make("norm_per_position", wrong.norm_per_position(rows)),
            wrong.make("norm_scale_only", wrong.norm_scale_only(rows)),
        ]
        lines = row_lines(row)
    layer = spec["layers"][1]
    text = (
        f"The network below reads an input of {shape_math(spec['input'])}. In PyTorch, how many {what} "
        f"({layer['name']}, layer 2)?"
    )
    conclusion = f"{layer['name']} has {math(value_latex(answer))} of them."
    return question(
        "batchnorm_counts",
        difficulty,
        text,
        answer,
        solution=Solution(tuple(lines), conclusion),
        network=spec,
        table=network_table(spec),
        distractors=found,
        layer=2,
    )


def _keras_params(row: Row, layer: dict[str, Any]) -> sympy.Expr | None:
    """The layer's parameters as Keras counts them (BatchNorm's statistics too): the layer in Keras's conventions."""
    counted = wrong.apply_layer(row.input_shapes[0], layer, wrong.KERAS)
    return None if counted is None else counted.params.value + counted.non_trainable.value
