"""Parameter questions: one layer's, and a whole network's."""

from __future__ import annotations

import random
from typing import Any

from ... import Derivation
from .. import distractors as wrong
from ..model import Distractor, Line, Question, Solution
from ..networks import describe, draw_network
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


@kind("layer_params", "parameters of one layer")
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


@kind("total_params", "total parameters of a network")
def total_params(rng: random.Random, difficulty: str) -> Question:
    spec, derivation = draw_network(rng, difficulty)
    answer = derivation.totals.params
    without = wrong.derive_spec(wrong.without_bias(spec))
    has_norm = any(row.kind.startswith("batchnorm") for row in derivation.layers)
    rows = derivation.layers
    found = [
        wrong.make("ignored_groups", wrong.ignored_groups(rows)),
        wrong.make("batchnorm_statistics", wrong.keras_counting(spec) if has_norm else None),
        wrong.make("forgot_bias", None if without is None else without.totals.params),
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
    keras = wrong.derive_spec(spec, wrong.KERAS) if row.kind.startswith("batchnorm") else None
    return [
        wrong.make("ignored_groups", wrong.ignored_groups(rows)),
        wrong.make("batchnorm_statistics", None if keras is None else keras.layers[index].total_params),
        wrong.make("norm_per_position", wrong.norm_per_position(rows)),
        wrong.make("norm_scale_only", wrong.norm_scale_only(rows)),
        wrong.make("forgot_bias", wrong.reevaluate(row.params, b=0)),
        wrong.make("forgot_input_maps", wrong.forgot_input_maps(rows)),
        wrong.make("kernel_one_side", wrong.kernel_one_side(rows)),
        wrong.make("bias_per_input", wrong.bias_per_input(rows)),
        wrong.make("weights_per_position", wrong.weights_per_position(rows)),
        wrong.make("forgot_inputs", wrong.forgot_inputs(rows)),
    ]
