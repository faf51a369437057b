"""Activation memory: the bytes a layer's output (or a whole forward pass) takes for a batch."""

from __future__ import annotations

import random
from typing import Any

import sympy

from ... import Derivation
from ...analysis.memory import DTYPES
from .. import distractors as wrong
from ..model import Line, Question, Solution
from ..networks import draw_network
from ..solution import value_latex
from .common import layer_words, math, network_table, question, shape_math
from .registry import kind

Spec = dict[str, Any]


def _bytes(derivation: Derivation, batch: int, dtype: str) -> sympy.Expr:
    """What the engine's memory analysis says the activations of ``derivation`` take (outputs kept)."""
    return derivation.memory(batch=batch, dtype=dtype).activation_bytes


@kind("activation_memory", "activation memory of a layer or a forward pass", "memory")
def activation_memory(rng: random.Random, difficulty: str) -> Question:
    spec, derivation = draw_network(rng, difficulty)
    batch = rng.choice((8, 16, 32, 64, 128))
    dtype = "float32" if difficulty == "easy" else rng.choice(("float32", "float16"))
    size = DTYPES[dtype]
    whole = difficulty == "hard"
    rows = derivation.layers
    if whole:
        index, scope = None, "all layer outputs of one forward pass (every output kept for the backward pass)"
        elements = derivation.totals.activations
        counted = rows
    else:
        index = 0 if difficulty == "easy" else rng.randrange(len(rows))
        scope = f"the output of {layer_words(index, spec['layers'][index])}"
        elements = rows[index].activations
        counted = (rows[index],)
    answer = batch * elements * size
    if whole:
        assert answer == _bytes(derivation, batch, dtype)
    per_map = sum((row.multiplicity * sympy.Mul(*row.output_shape[1:]) for row in counted), sympy.Integer(0))
    inputs = sum((row.multiplicity * sympy.Mul(*row.input_shapes[0]) for row in counted), sympy.Integer(0))
    other = DTYPES["float32" if dtype != "float32" else "float16"]
    found = [
        wrong.make("forgot_batch", elements * size),
        wrong.make("bits_not_bytes", batch * elements * size * 8),
        wrong.make("wrong_dtype_size", batch * elements * other),
        wrong.make("forgot_channels", batch * per_map * size if per_map != elements else None),
        wrong.make("counted_inputs", batch * inputs * size),
    ]
    lines = [
        Line("elements per example", value=value_latex(elements)),
        Line(
            f"bytes ({dtype}, batch {batch})",
            rule="activation memory: batch × elements × bytes per value",
            general=r"B \cdot \text{elements} \cdot \text{bytes per value}",
            substituted=rf"{batch} \cdot {value_latex(elements)} \cdot {size}",
            value=value_latex(answer),
        ),
    ]
    text = (
        f"The network below reads inputs of {shape_math(spec['input'])}, in batches of {math(str(batch))}, "
        f"stored as {dtype} ({size} bytes per value). How many bytes are needed for {scope}?"
    )
    conclusion = f"It takes {math(value_latex(answer))} bytes."
    return question(
        "activation_memory",
        difficulty,
        text,
        answer,
        solution=Solution(tuple(lines), conclusion),
        network=spec,
        table=network_table(spec),
        distractors=found,
        layer=None if index is None else index + 1,
    )
