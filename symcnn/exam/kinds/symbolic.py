"""A formula as the answer: the parameter count in k and l, graded by symbolic equality."""

from __future__ import annotations

import random
from typing import Any

import sympy

from ... import Row
from ...exact.printing import to_latex, to_str
from .. import distractors as wrong
from ..model import Question, Solution, Template
from ..networks import describe
from ..solution import step_line
from .common import math, question, shape_math
from .registry import kind

Spec = dict[str, Any]


@kind("symbolic", "parameter count as a formula in k and l", "formulas")
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
    found = [
        wrong.make("forgot_bias", wrong.reevaluate(row.params, b=0) if bias else None),
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


@kind("symbolic_macs", "MACs or output size as a formula in k, l and H", "formulas")
def symbolic_macs(rng: random.Random, difficulty: str) -> Question:
    """The convolution's MACs (or, at easy, its output size) with the input size a symbol ``H``.

    Stride 1, so the formula has no floor and symbolic equality grades it exactly.
    """
    kernel = rng.choice((3, 5, 7))
    padding = rng.choice(range(kernel // 2 + 1))
    conv: dict[str, Any] = {"type": "conv2d", "out_channels": "k", "kernel_size": kernel}
    if padding:
        conv["padding"] = padding
    if difficulty == "hard":
        conv["dilation"] = rng.choice((2, 3))
    spec: Spec = {"input": ["l", "H", "H"], "layers": [conv]}
    derivation = wrong.derive_spec(spec)
    assert derivation is not None
    row = derivation.layers[0]
    ask_size = difficulty == "easy"
    if ask_size:
        answer = row.output_shape[1]
        step = row.sizes[0]
        found = [
            wrong.make("missing_plus_one", answer - 1),
            wrong.make("padded_one_side", answer - padding) if padding else None,
            wrong.make("ignored_padding", answer - 2 * padding) if padding else None,
            wrong.make("same_size", step.rule and wrong.reevaluate(step, n=1)),
            wrong.make("padding_as_kernel", wrong.reevaluate(step, p=kernel)),
        ]
        lines = [step_line(f"{row.name}: output height", step)]
        what = f"the height of its output as a formula in {math('H')}"
    else:
        answer = row.macs.value
        found = [
            wrong.make("ignored_dilation", _undilated_macs(row, conv)) if "dilation" in conv else None,
            wrong.make("flops_not_macs", derivation.totals.flops),
            wrong.make("forgot_input_maps", wrong.reevaluate(row.macs, l=1)),
            wrong.make("kernel_one_side", wrong.kernel_one_side([row], "macs")),
            wrong.make("forgot_output_maps", wrong.reevaluate(row.macs, k=1)),
            wrong.make("macs_as_params", row.params.value),
        ]
        lines = [step_line(f"{row.name}: output height", row.sizes[0]), step_line(f"{row.name}: MACs", row.macs)]
        what = f"its multiply-accumulates (MACs) as a formula in {math('k')}, {math('l')} and {math('H')}"
    text = (
        f"A layer {describe(conv)} reads an input of {shape_math(spec['input'])} "
        f"(with {math('H')} large enough). Give {what}."
    )
    return question(
        "symbolic_macs",
        difficulty,
        text,
        answer,
        solution=Solution(tuple(lines), f"The answer is {math(to_latex(answer))}."),
        network=spec,
        grading="symbolic",
        distractors=found,
    )


def _undilated_macs(row: Row, conv: dict[str, Any]) -> sympy.Expr | None:
    """The MACs of the convolution without its dilation: the undilated layer on the same input."""
    undilated = wrong.apply_layer(row.input_shapes[0], {key: value for key, value in conv.items() if key != "dilation"})
    return None if undilated is None else undilated.macs.value
