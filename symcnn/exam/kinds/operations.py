"""MACs of a layer and the saving of a depthwise-separable block."""

from __future__ import annotations

import random
from typing import Any

import sympy

from ... import Derivation
from .. import distractors as wrong
from ..model import Line, Question, Solution
from ..networks import describe, draw_network
from ..solution import row_lines, value_latex
from .common import (
    earlier_sizes,
    layer_words,
    math,
    network_table,
    paired,
    question,
    shape_math,
    stride_of,
)
from .registry import kind

Spec = dict[str, Any]


@kind("layer_macs", "MACs of a layer", "operations")
def layer_macs(rng: random.Random, difficulty: str) -> Question:
    return _operations("layer_macs", rng, difficulty, flops=False)


@kind("layer_flops", "FLOPs versus MACs of a layer", "operations")
def layer_flops(rng: random.Random, difficulty: str) -> Question:
    return _operations("layer_flops", rng, difficulty, flops=True)


def _operations(name: str, rng: random.Random, difficulty: str, *, flops: bool) -> Question:
    """MACs of a layer, or its FLOPs (2 per MAC, symcnn's stated convention): each misreading ×2 for FLOPs."""
    spec, derivation = draw_network(rng, difficulty)
    pairs = paired(spec, derivation)
    index = rng.choice([index for index, (row, _) in enumerate(pairs) if row.macs.value != 0])
    row, layer = pairs[index]
    per_mac = sympy.Integer(derivation.conventions.flops_per_mac)
    factor = per_mac if flops else 1

    def scaled(value: sympy.Expr | None) -> sympy.Expr | None:
        return None if value is None else value * factor

    answer = row.macs.value * factor
    misread = ("macs_not_flops", row.macs.value) if flops else ("flops_not_macs", per_mac * row.macs.value)
    found = [wrong.make(*misread)]
    if flops:
        found.append(wrong.make("flops_counted_twice", answer * 2))
    found.append(wrong.make("ignored_groups", scaled(wrong.ignored_groups([row], "macs"))))
    if stride_of(layer) > 1 and row.sizes:  # a strided window (pools have no MACs to ask about)
        unit = wrong.apply_layer(row.input_shapes[0], {**layer, "stride": 1})
        found.append(wrong.make("ignored_stride", None if unit is None else scaled(unit.macs.value)))
    found += [
        wrong.make("forgot_input_maps", scaled(wrong.forgot_input_maps([row], "macs"))),
        wrong.make("macs_as_params", scaled(row.params.value)),
        wrong.make("forgot_output_maps", scaled(wrong.forgot_output_maps([row], "macs"))),
        wrong.make("kernel_one_side", scaled(wrong.kernel_one_side([row], "macs"))),
        wrong.make("forgot_inputs", scaled(wrong.forgot_inputs([row], "macs"))),
    ]
    what = (
        "floating-point operations (FLOPs, counting a multiply-accumulate as 2: one multiply, one add)"
        if flops
        else "multiply-accumulate operations (MACs)"
    )
    text = (
        f"The network below reads an input of {shape_math(spec['input'])}. How many {what} "
        f"does {layer_words(index, layer)} perform for one input?"
    )
    lines = [*earlier_sizes(derivation, index + 1), *row_lines(row, ("macs",))]
    if flops:
        lines.append(
            Line(f"{row.name}: FLOPs", rule="FLOPs: 2 per multiply-accumulate", general=r"2 \cdot \text{MACs}",
                 substituted=rf"2 \cdot {value_latex(row.macs.value)}", value=value_latex(answer))
        )  # fmt: skip
    counted = "FLOPs" if flops else "MACs"
    conclusion = f"Layer {index + 1} ({layer['name']}) performs {math(value_latex(answer))} {counted}."
    return question(
        name,
        difficulty,
        text,
        answer,
        solution=Solution(tuple(lines), conclusion),
        network=spec,
        table=network_table(spec),
        distractors=found,
        layer=index + 1,
    )


@kind("separable_saving", "the saving of a depthwise-separable block", "architectures")
def separable_saving(rng: random.Random, difficulty: str) -> Question:
    maps = rng.choice((8, 16, 32, 64))
    filters = rng.choice((16, 32, 64, 128))
    kernel = rng.choice((3, 5))
    size = rng.randrange(7, 33)
    quantity = "macs" if difficulty == "hard" and rng.random() < 0.5 else "params"
    shape = [maps, size, size]
    # Named as the text names them: the solution's lines read "depthwise: parameters".
    standard = {
        "type": "conv2d",
        "out_channels": filters,
        "kernel_size": kernel,
        "padding": kernel // 2,
        "name": "standard",
    }
    depthwise = {
        "type": "conv2d",
        "out_channels": maps,
        "kernel_size": kernel,
        "padding": kernel // 2,
        "groups": maps,
        "name": "depthwise",
    }
    pointwise = {"type": "conv2d", "out_channels": filters, "kernel_size": 1, "name": "pointwise"}  # fmt: skip
    separable: Spec = {"input": shape, "layers": [depthwise, pointwise]}

    def saving(one: Derivation | None, two: Derivation | None, field: str = quantity) -> sympy.Expr | None:
        if one is None or two is None:
            return None
        return getattr(one.totals, field) - getattr(two.totals, field)

    plain, split = wrong.derive_spec({"input": shape, "layers": [standard]}), wrong.derive_spec(separable)
    assert plain is not None and split is not None
    answer = saving(plain, split)
    assert answer is not None
    std_row, (dw_row, pw_row) = plain.layers[0], split.layers
    std, dw, pw = (getattr(row, quantity) for row in (std_row, dw_row, pw_row))  # the steps asked about
    full_dw, one_map, one_map_pw = wrong.reevaluate(dw, g=1), wrong.reevaluate(std, l=1), wrong.reevaluate(pw, l=1)
    # Without biases: each row's own rule with b = 0 (MACs have no bias term: no change, no distractor).
    unbiased = [wrong.reevaluate(step, b=0) if quantity == "params" else step.value for step in (std, dw, pw)]
    std_nb, dw_nb, pw_nb = unbiased
    split_nb = None if dw_nb is None or pw_nb is None else dw_nb + pw_nb
    found = [
        wrong.make("forgot_bias", _difference(std_nb, split_nb)),
        wrong.make("ignored_groups", None if full_dw is None else std.value - (full_dw + pw.value)),
        wrong.make(
            "forgot_input_maps",
            None if one_map is None or one_map_pw is None else one_map - (dw.value + one_map_pw),
        ),
        wrong.make("flops_not_macs", saving(plain, split, "flops") if quantity == "macs" else None),
        wrong.make("forgot_pointwise", std.value - dw.value),
        wrong.make(
            "kernel_one_side",
            _difference(wrong.kernel_one_side([std_row], quantity), wrong.kernel_one_side([dw_row, pw_row], quantity)),
        ),
    ]
    label = "parameters" if quantity == "params" else "MACs"
    lines = [
        *row_lines(std_row, (quantity,)),
        *row_lines(dw_row, (quantity,)),
        *row_lines(pw_row, (quantity,)),
        Line(
            f"saving ({label})",
            substituted=rf"{value_latex(std.value)} - \left({value_latex(dw.value)} + {value_latex(pw.value)}\right)",
            value=value_latex(answer),
        ),
    ]
    text = (
        f"A standard convolution ({describe(standard)}) reads an input of {shape_math(shape)}. It is replaced by a "
        f"depthwise-separable block: a depthwise convolution ({describe(depthwise)}) followed by a pointwise "
        f"convolution ({describe(pointwise)}). How many {label} does the replacement save?"
    )
    conclusion = f"The separable block saves {math(value_latex(answer))} {label}."
    return question(
        "separable_saving",
        difficulty,
        text,
        answer,
        solution=Solution(tuple(lines), conclusion),
        network={"input": shape, "layers": [standard]},
        distractors=found,
    )


def _difference(one: sympy.Expr | None, two: sympy.Expr | None) -> sympy.Expr | None:
    return None if one is None or two is None else one - two
