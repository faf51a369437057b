"""Transposed convolutions: the output size, with ``output_padding``."""

from __future__ import annotations

import random
from typing import Any

import sympy

from ... import SymcnnError
from .. import distractors as wrong
from ..model import Question, Solution
from ..networks import describe, well_posed
from ..solution import size_lines, value_latex
from .common import math, question, shape_math
from .registry import kind

Spec = dict[str, Any]


def _draw(rng: random.Random, difficulty: str) -> tuple[Spec, Any]:
    for _ in range(100):
        stride = 2 if difficulty == "easy" else rng.choice((2, 3))
        layer: dict[str, Any] = {
            "type": "convtranspose2d",
            "out_channels": rng.choice((4, 8, 16, 32)),
            "kernel_size": rng.choice((2, 3, 4, 5)),
            "stride": stride,
        }
        if difficulty != "easy":
            layer["padding"] = rng.choice((1, 2))
            layer["output_padding"] = rng.randrange(1, stride)
        if difficulty == "hard" and rng.random() < 0.5:
            layer["dilation"] = 2
        size = rng.randrange(4, 33)
        spec = {"input": [rng.choice((8, 16, 64)), size, size], "layers": [layer]}
        derivation = well_posed(spec)
        if derivation is not None:
            return spec, derivation
    raise SymcnnError("exam: could not draw a well-posed transposed convolution")  # pragma: no cover


@kind("transposed_size", "output size of a transposed convolution", "sizes and shapes")
def transposed_size(rng: random.Random, difficulty: str) -> Question:
    spec, derivation = _draw(rng, difficulty)
    (row,) = derivation.layers
    layer = spec["layers"][0]
    answer = row.output_shape[1]
    shape = spec["input"]
    padding = int(layer.get("padding", 0))

    def height(changed: Spec) -> sympy.Expr | None:
        return wrong.output_height(wrong.derive_spec(changed))

    plain = {key: value for key, value in layer.items() if key != "name"}
    forward = {key: value for key, value in plain.items() if key != "output_padding"} | {"type": "conv2d"}
    grown = [{**plain, "padding": 0}] + ([{"type": "zeropad2d", "padding": padding}] if padding else [])
    found = [
        wrong.make("forgot_output_padding", height(wrong.one_layer(shape, {**plain, "output_padding": 0}))),
        wrong.make("ignored_dilation", height(wrong.one_layer(shape, {**plain, "dilation": 1}))),
        wrong.make("transposed_padding_added", height({"input": shape, "layers": grown})),
        wrong.make("conv_formula_for_transposed", height(wrong.one_layer(shape, forward))),
        wrong.make("upsample_by_stride", sympy.Integer(int(shape[1]) * int(layer["stride"]))),
        wrong.make(
            "transposed_i_not_i_minus_one", height(wrong.one_layer([shape[0], shape[1] + 1, shape[2] + 1], plain))
        ),
    ]
    text = (
        f"A layer {describe(layer)} reads an input of {shape_math(shape)}. What is the height (= width) of its output?"
    )
    conclusion = f"The output is {shape_math(row.output_shape)}: its height is {math(value_latex(answer))}."
    return question(
        "transposed_size",
        difficulty,
        text,
        answer,
        solution=Solution(tuple(size_lines(row)), conclusion),
        network=spec,
        distractors=found,
    )
