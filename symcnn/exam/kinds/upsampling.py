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

    step = row.sizes[0]

    def misread(**changes: int) -> sympy.Expr | None:
        """The height by the row's own rule (``size_transposed``) with some of its values changed."""
        value = wrong.reevaluate(step, **changes)
        return value if value is not None and value >= 1 else None

    size, stride = int(shape[1]), int(layer["stride"])
    without_padding = misread(p=0)  # then the padding added around the output instead of cropped
    # The forward convolution's formula on the same values: the general window rule.
    geometry = {"kernel": int(layer["kernel_size"]), "padding": padding, "dilation": int(layer.get("dilation", 1))}
    found = [
        wrong.make("forgot_output_padding", misread(a=0)),
        wrong.make("ignored_dilation", misread(d=1)),
        wrong.make("transposed_padding_added", None if without_padding is None else without_padding + 2 * padding),
        wrong.make("conv_formula_for_transposed", wrong.window_at(size, stride=stride, **geometry)),
        wrong.make("upsample_by_stride", sympy.Integer(size * stride)),
        wrong.make("transposed_i_not_i_minus_one", misread(i=size + 1)),
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
