"""A formula as the answer: the parameter count in k and l, graded by symbolic equality."""

from __future__ import annotations

import random
from typing import Any

import sympy

from ...printing import to_latex, to_str
from .. import distractors as wrong
from ..model import Question, Solution, Template
from ..networks import describe
from ..solution import step_line
from .common import (
    math,
    question,
    shape_math,
)
from .registry import kind

Spec = dict[str, Any]


@kind("symbolic", "parameter count as a formula in k and l")
def symbolic(rng: random.Random, difficulty: str) -> Question:
    kernel = rng.choice((1, 3, 5, 7))
    groups = rng.choice((2, 4)) if difficulty == "hard" else 1
    bias = rng.random() < 0.7 if difficulty != "easy" else True
    size = rng.randrange(8, 65)
    conv: dict[str, Any] = {"type": "conv2d", "out_channels": "k", "kernel_size": kernel}
    if groups > 1:
        conv["groups"] = groups
    if not bias:
        conv["bias"] = False
    spec: Spec = {"input": ["l", size, size], "layers": [conv]}
    derivation = wrong.derive_spec(spec)
    assert derivation is not None
    row = derivation.layers[0]
    answer = row.params.value
    without = wrong.derive_spec(wrong.without_bias(spec)) if bias else None
    found = [
        wrong.make("forgot_bias", None if without is None else without.layers[0].params.value),
        wrong.make("forgot_input_maps", wrong.reevaluate(row.params, l=1)),
        wrong.make("ignored_groups", wrong.reevaluate(row.params, g=1)),
        wrong.make("kernel_one_side", wrong.kernel_one_side([row])),
        wrong.make("bias_per_input", wrong.bias_per_input([row])),
        wrong.make("weights_per_position", wrong.weights_per_position([row])),
    ]
    layer_words = describe(conv)
    condition = f" ({math('l')} and {math('k')} are multiples of {groups})" if groups > 1 else ""
    text = (
        f"A layer {layer_words} reads an input of {shape_math(spec['input'])}{condition}. Give its number of "
        f"learnable parameters as a formula in {math('k')} and {math('l')}."
    )
    k, l = (symbol for symbol in sorted(answer.free_symbols, key=str))
    variants = [(groups * rng.randrange(1, 17), groups * rng.randrange(1, 17)) for _ in range(10)]
    wildcards = {k: sympy.Symbol("{k}"), l: sympy.Symbol("{l}")}
    moodle_text = describe(conv).replace("k filters", "{k} filters")
    template = Template(
        text=f"A layer {moodle_text} reads an input with {{l}} maps of size {size}×{size}. "
        "How many learnable parameters does it have?",
        formula=to_str(answer.xreplace(wildcards)),
        datasets=(("k", tuple(pair[0] for pair in variants)), ("l", tuple(pair[1] for pair in variants))),
    )
    conclusion = f"The layer has {math(to_latex(answer))} learnable parameters."
    return question(
        "symbolic",
        difficulty,
        text,
        answer,
        solution=Solution((step_line(f"{row.name}: parameters", row.params),), conclusion),
        network=spec,
        grading="symbolic",
        template=template,
        distractors=found,
    )
