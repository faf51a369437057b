"""Receptive fields: the size (and jump) of a layer's field, and dilated convolutions.

The answer is the engine's :attr:`~symcnn.Row.receptive_field` (Araujo et al.'s
recurrence ``r = R + d(n − 1)J``, ``J' = Js``); the worked solution is its
steps; each wrong answer re-runs the chain of those steps' own rules with the
misread argument (the next layer starting from the student's ``R``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import sympy

from ... import Derivation, Row, Step, SymcnnError
from .. import distractors as wrong
from ..model import Distractor, Line, Question, Solution
from ..networks import describe, well_posed
from ..solution import size_lines, step_line, value_latex
from .common import layer_words, math, network_table, question, shape_math, size_distractors
from .registry import kind

Spec = dict[str, Any]
Change = Callable[[Step], dict[str, Any]]


def _axis_steps(row: Row) -> tuple[Step | None, Step | None]:
    """The row's receptive-size and jump steps along the height (``None`` for a row that changes neither)."""
    axis = row.receptive_field[0]
    size = next((step for step in axis.steps if step.quantity.startswith("receptive size")), None)
    jump = next((step for step in axis.steps if step.quantity.startswith("jump")), None)
    return size, jump


def misread_chain(rows: tuple[Row, ...], change: Change) -> sympy.Expr | None:
    """The field size a student gets who applies each layer's rule with ``change(step)`` overriding arguments.

    Each layer starts from the student's own previous value ``R`` (the error
    accumulates, as on paper); the jumps are the true ones unless ``change`` says otherwise.
    """
    field, touched = sympy.Integer(1), False
    for row in rows:
        step, _ = _axis_steps(row)
        if step is None:
            continue
        changes = change(step)
        touched = touched or any(wrong.argument(step, name) != value for name, value in changes.items())
        value = wrong.reevaluate(step, R=field, **changes)
        if value is None:
            return None
        field = value
    return field if touched else None


def _field_distractors(rows: tuple[Row, ...], asked: Row) -> list[Distractor | None]:
    size, _ = _axis_steps(asked)
    assert size is not None
    own = wrong.reevaluate(size, R=1, J=1)  # the asked layer's window alone
    spans = [
        wrong.reevaluate(step, R=1, J=1)
        for step in (_axis_steps(row)[0] for row in rows)
        if step is not None and wrong.argument(step, "n") is not None
    ]
    dilated = any((wrong.argument(step, "d") or 1) != 1 for step in (_axis_steps(row)[0] for row in rows) if step)
    return [
        wrong.make("ignored_dilation", misread_chain(rows, lambda step: {"d": 1}) if dilated else None),
        wrong.make("rf_ignored_jump", misread_chain(rows, lambda step: {"J": 1})),
        wrong.make(
            "rf_jump_after",
            misread_chain(rows, lambda step: {"J": _jump_after(rows, step)}),
        ),
        wrong.make("rf_off_by_one", misread_chain(rows, _wider)),
        wrong.make("rf_last_layer_only", own if len(spans) > 1 else None),
        wrong.make("rf_multiplied", sympy.Mul(*spans) if len(spans) > 1 else None),
    ]


def _wider(step: Step) -> dict[str, Any]:
    """The window counted as n + 1 taps: the student's r = R + d·n·J."""
    kernel = wrong.argument(step, "n")
    return {} if kernel is None else {"n": kernel + 1}


def _jump_after(rows: tuple[Row, ...], step: Step) -> sympy.Expr:
    """The jump after the layer of ``step`` (the input's jump times its stride): the misread ``J``."""
    for row in rows:
        size, jump = _axis_steps(row)
        if size is step and jump is not None:
            return jump.value
    return wrong.argument(step, "J") or sympy.Integer(1)  # pragma: no cover


def field_chain(rng: random.Random, difficulty: str) -> Spec:
    """A chain of convolutions and pools: stride 1 (easy), strides and pools (medium), dilations too (hard)."""
    layers: list[dict[str, Any]] = []
    count = 2 if difficulty == "easy" else rng.choice((3, 4))
    for index in range(count):
        kernel = rng.choice((3, 5, 7)) if difficulty == "easy" else rng.choice((2, 3, 5))
        if difficulty != "easy" and index % 2 == 1 and rng.random() < 0.6:
            layers.append({"type": "maxpool2d", "kernel_size": rng.choice((2, 3)), "stride": 2})
            continue
        conv: dict[str, Any] = {"type": "conv2d", "out_channels": rng.choice((8, 16, 32)), "kernel_size": kernel}
        if difficulty != "easy" and rng.random() < 0.5:
            conv["stride"] = 2
        if difficulty == "hard" and rng.random() < 0.6:
            conv["dilation"] = rng.choice((2, 3))
        if rng.random() < 0.5:
            conv["padding"] = kernel // 2
        layers.append(conv)
    size = rng.randrange(48, 97)
    return {"input": [rng.choice((1, 3)), size, size], "layers": layers}


def _draw_chain(rng: random.Random, difficulty: str) -> tuple[Spec, Derivation]:
    for _ in range(100):
        spec = field_chain(rng, difficulty)
        derivation = well_posed(spec)
        if derivation is not None:
            return spec, derivation
    raise SymcnnError("exam: could not draw a well-posed chain")  # pragma: no cover


@kind("receptive_field", "receptive field (and jump) of a layer", "receptive fields")
def receptive_field(rng: random.Random, difficulty: str) -> Question:
    spec, derivation = _draw_chain(rng, difficulty)
    rows = derivation.layers
    index = len(rows) - 1 if difficulty == "easy" else rng.randrange(1, len(rows))
    asked, layer = rows[index], spec["layers"][index]
    chain = rows[: index + 1]
    axis = asked.receptive_field[0]
    ask_jump = difficulty != "easy" and rng.random() < 0.3
    lines: list[Line] = []
    for row in chain:
        lines.extend(step_line(f"{row.name}: {step.quantity}", step) for step in _axis_steps(row) if step is not None)
    _, own_jump = _axis_steps(asked)
    if ask_jump and own_jump is not None:
        answer = axis.jump
        strides = [wrong.argument(jump, "s") for _, jump in (_axis_steps(row) for row in chain) if jump is not None]
        found = [
            wrong.make("jump_excludes_layer", wrong.argument(own_jump, "J")),
            wrong.make("jump_added", 1 + sum(int(s) - 1 for s in strides if s is not None)),
            wrong.make("jump_is_size", axis.size),
            wrong.make("jump_is_stride", wrong.argument(own_jump, "s")),
        ]
        what, word = "jump", "the distance, in input pixels, between the fields of neighbouring units"
    else:
        answer = axis.size
        found = _field_distractors(chain, asked)
        what, word = "receptive field", "how many input pixels along the height one unit sees"
    text = (
        f"The network below reads an input of {shape_math(spec['input'])}. What is the {what} of "
        f"{layer_words(index, layer)}: {word}?"
    )
    conclusion = f"A unit of {asked.name} has {what} {math(value_latex(answer))}."
    return question(
        "receptive_field",
        difficulty,
        text,
        answer,
        solution=Solution(tuple(lines), conclusion),
        network=spec,
        table=network_table(spec),
        distractors=found,
        layer=index + 1,
    )


@kind("dilated_conv", "size and field of a dilated convolution", "receptive fields")
def dilated_conv(rng: random.Random, difficulty: str) -> Question:
    for _ in range(100):
        kernel, dilation = rng.choice((3, 5)), rng.choice((2, 3, 4))
        size = rng.randrange(16, 65)
        conv: dict[str, Any] = {
            "type": "conv2d",
            "out_channels": rng.choice((8, 16, 32)),
            "kernel_size": kernel,
            "dilation": dilation,
        }
        if difficulty != "easy":
            conv["padding"] = rng.choice((1, 2, dilation))
            conv["stride"] = rng.choice((1, 2, 2))
            conv = {key: value for key, value in conv.items() if (key, value) != ("stride", 1)}
        spec = {"input": [rng.choice((3, 8, 16)), size, size], "layers": [conv]}
        derivation = well_posed(spec)
        if derivation is not None:
            break
    else:  # pragma: no cover
        raise SymcnnError("exam: could not draw a well-posed dilated convolution")
    (row,) = derivation.layers
    ask_size = difficulty == "medium" or (difficulty == "hard" and rng.random() < 0.5)
    if ask_size:
        answer = row.output_shape[1]
        found: list[Distractor | None] = list(size_distractors(derivation.input_shape, conv, row))
        found.append(wrong.make("dilation_times_kernel", _size_with_kernel(spec, conv, dilation * kernel)))
        found.sort(key=lambda d: d is None or d.misconception != "ignored_dilation")
        lines = size_lines(row)
        what = "the height (= width) of its output"
    else:
        answer = row.receptive_field[0].size
        step, _ = _axis_steps(row)
        assert step is not None
        found = [
            wrong.make("ignored_dilation", wrong.reevaluate(step, d=1)),
            wrong.make("dilation_times_kernel", sympy.Integer(dilation * kernel)),
            wrong.make("rf_off_by_one", wrong.reevaluate(step, n=kernel + 1)),
            wrong.make("dilation_gaps_only", sympy.Integer(kernel + dilation - 1)),
        ]
        lines = [step_line(f"{row.name}: {step.quantity}", step)]
        what = "its receptive field: how many input pixels along the height one output unit spans"
    text = f"A layer {describe(conv)} reads an input of {shape_math(derivation.input_shape)}. What is {what}?"
    conclusion = f"The answer is {math(value_latex(answer))}."
    return question(
        "dilated_conv",
        difficulty,
        text,
        answer,
        solution=Solution(tuple(lines), conclusion),
        network=spec,
        distractors=found,
    )


def _size_with_kernel(spec: Spec, conv: dict[str, Any], kernel: int) -> sympy.Expr | None:
    """The output height with the kernel's span taken as d·n (an undilated kernel of that size)."""
    return wrong.height_of(wrong.apply_layer(spec["input"], {**conv, "kernel_size": kernel, "dilation": 1}))
