"""Size questions: a layer's output size, a shape table, the padding that keeps the size, inverse questions."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import sympy

from ... import Row, SymcnnError
from .. import distractors as wrong
from ..model import BLANK, Blank, Line, Question, Solution
from ..networks import describe, draw_network, single_conv, well_posed
from ..solution import size_lines, value_latex
from .common import height, math, network_table, paired, question, shape_math, size_distractors
from .registry import KINDS, kind

Spec = dict[str, Any]


def _size_layer(rng: random.Random, difficulty: str) -> dict[str, Any]:
    if difficulty == "easy":
        return single_conv(rng, "medium")["layers"][0] | {"dilation": 1}
    choice = rng.random()
    if difficulty == "medium":
        if choice < 0.5:
            kernel = rng.choice((2, 3))
            pool = {"type": "maxpool2d", "kernel_size": kernel, "stride": 2, "padding": rng.choice((0, kernel // 2))}
            return pool | {"ceil_mode": rng.random() < 0.5}
        return single_conv(rng, "hard")["layers"][0]
    if choice < 0.4:
        kernel = rng.choice((2, 3, 4))
        stride = rng.choice((2, 3))
        return {
            "type": "convtranspose2d",
            "out_channels": rng.choice((4, 8, 16)),
            "kernel_size": kernel,
            "stride": stride,
            "padding": rng.choice((0, 1)),
            "output_padding": rng.choice(range(stride)),
        }
    if choice < 0.7:
        kernel = rng.choice((3, 4, 5))
        return {
            "type": rng.choice(("maxpool2d", "avgpool2d")),
            "kernel_size": kernel,
            "stride": rng.choice((2, 3)),
            "padding": rng.choice(range(kernel // 2 + 1)),
            "ceil_mode": True,
        }
    return single_conv(rng, "hard")["layers"][0] | {"dilation": rng.choice((2, 3))}


def _clean(layer: dict[str, Any]) -> dict[str, Any]:
    defaults = {"padding": 0, "dilation": 1, "ceil_mode": False, "output_padding": 0}
    return {key: value for key, value in layer.items() if defaults.get(key, object()) != value}


@kind("output_size", "output size of a layer", "sizes and shapes")
def output_size(rng: random.Random, difficulty: str) -> Question:
    for _ in range(100):
        layer = _clean(_size_layer(rng, difficulty))
        shape = [rng.choice((1, 3, 8, 16)), rng.randrange(6, 65)]
        spec = wrong.one_layer([shape[0], shape[1], shape[1]], layer)
        derivation = well_posed(spec)
        if derivation is not None:
            break
    else:  # pragma: no cover
        raise SymcnnError("exam: could not draw a well-posed layer")
    (row,) = derivation.layers
    answer = height(row.output_shape)
    text = (
        f"A layer {describe(layer)} reads an input of {shape_math(spec['input'])}. "
        "What is the height (= width) of its output?"
    )
    conclusion = f"The output is {shape_math(row.output_shape)}: its height is {math(value_latex(answer))}."
    return question(
        "output_size",
        difficulty,
        text,
        answer,
        solution=Solution(tuple(size_lines(row)), conclusion),
        network=spec,
        distractors=size_distractors(derivation.input_shape, layer, row),
    )


@kind("shape_table", "the shape table of a network (cloze)", "sizes and shapes")
def shape_table(rng: random.Random, difficulty: str) -> Question:
    if difficulty == "easy":
        for _ in range(100):
            spec = single_conv(rng, "easy")
            spec["layers"].append({"type": "maxpool2d", "kernel_size": 2})
            derivation = well_posed(spec)
            if derivation is not None:
                break
        else:  # pragma: no cover
            raise SymcnnError("exam: could not draw a well-posed network")
    else:
        spec, derivation = draw_network(rng, difficulty)
    blanks: list[Blank] = []
    cells: list[str] = []
    lines: list[Line] = []
    for index, (row, layer) in enumerate(paired(spec, derivation)):
        cells.append(_shown_size(row, layer))
        if cells[-1]:
            continue
        answer = height(row.output_shape)
        what = "features" if len(row.output_shape) == 1 else "height"
        found = size_distractors(row.input_shapes[0], layer, row)
        blanks.append(Blank(f"layer {index + 1} ({layer['name']}): output {what}", answer, found))
        cells[-1] = BLANK.format(len(blanks))
        lines.extend(size_lines(row))
    text = (
        f"The network below reads an input of {shape_math(spec['input'])}. Fill in the output size of each "
        "layer marked with a blank: the height (= width) of its maps, or the number of features after flatten."
    )
    shapes = ", ".join(f"{row.name}: {shape_math(row.output_shape)}" for row in derivation.layers)
    return Question(
        kind="shape_table",
        difficulty=difficulty,
        title=KINDS["shape_table"].summary,
        text=text,
        blanks=tuple(blanks),
        solution=Solution(tuple(lines), f"Output shapes: {shapes}."),
        network=spec,
        table=network_table(spec, tuple(cells), "output height (= width) or features"),
    )


SAME = "same as its input"


def _shown_size(row: Row, layer: dict[str, Any]) -> str:
    """What the size column shows for a row: ``""`` for a blank, else nothing a blank's value follows from.

    No leaks by construction: a row that keeps its input's shape (an activation,
    a normalisation, a residual sum) says so without a number, and a dense
    layer shows only its own width (its argument, given in the layer column);
    every row whose size depends on an earlier size is a blank.
    """
    if row.sizes:
        return ""
    if row.output_shape == row.input_shapes[0]:
        return SAME
    if len(row.output_shape) == 1 and "out_features" in layer:
        return str(layer["out_features"])
    return ""  # pragma: no cover - every other size-changing row derives its sizes


@kind("keep_padding", "the padding that keeps the size", "sizes and shapes")
def keep_padding(rng: random.Random, difficulty: str) -> Question:
    kernel = rng.choice((3, 5) if difficulty == "easy" else (3, 5, 7))
    dilation = rng.choice((1, 2, 3)) if difficulty == "hard" else 1
    size = rng.randrange(8, 65)
    shape = [rng.choice((1, 3, 16, 32)), size, size]
    conv = {"type": "conv2d", "out_channels": rng.choice((8, 16, 32, 64)), "kernel_size": kernel}
    if dilation > 1:
        conv["dilation"] = dilation
    reach = range(dilation * kernel + 1)

    def forward(p: int) -> int | None:
        return wrong.window_at(size, kernel=kernel, padding=p, dilation=dilation)

    def one_sided(p: int) -> int | None:  # padded on one side: the input grows by p, the window pads nothing
        return wrong.window_at(size + p, kernel=kernel, dilation=dilation)

    def plain(p: int) -> int | None:
        return wrong.window_at(size, kernel=kernel, padding=p)

    (answer,) = wrong.search(reach, forward, size)
    one_side = wrong.search(reach, one_sided, size)
    plus_one = wrong.search(reach, forward, size + 1)
    undilated = wrong.search(reach, plain, size)
    span = dilation * (kernel - 1)  # how much the window shrinks the map: the size a "full" padding adds
    full = wrong.search(range(2 * span + 2), forward, size + span)
    found = [
        wrong.make("ignored_dilation", undilated[0] if len(undilated) == 1 and dilation > 1 else None),
        wrong.make("padded_one_side", one_side[0] if len(one_side) == 1 else None),
        wrong.make("missing_plus_one", plus_one[0] if len(plus_one) == 1 else None),
        wrong.make("full_padding", full[0] if len(full) == 1 else None),
        wrong.make("padding_as_kernel", kernel),
        wrong.make("no_padding_needed", 0),
    ]
    spec = wrong.one_layer(shape, conv | {"padding": answer})
    derivation = well_posed(spec)
    assert derivation is not None
    text = (
        f"A layer {describe(conv)}, stride 1, reads an input of {shape_math(shape)}. "
        f"Which padding {math('p')} keeps the output height equal to the input height {math(str(size))}?"
    )
    conclusion = f"With {math(f'p = {answer}')} the output height stays {math(str(size))}."
    return question(
        "keep_padding",
        difficulty,
        text,
        sympy.Integer(answer),
        solution=Solution(tuple(size_lines(derivation.layers[0])), conclusion),
        network=spec,
        distractors=found,
    )


@kind("inverse_size", "the stride or kernel that gives a target size", "sizes and shapes")
def inverse_size(rng: random.Random, difficulty: str) -> Question:
    for _ in range(200):
        made = _inverse_attempt(rng, difficulty)
        if made is not None:
            return made
    raise SymcnnError("exam: could not draw a well-posed inverse question")  # pragma: no cover


def _inverse_attempt(rng: random.Random, difficulty: str) -> Question | None:
    """One draw of an inverse question; ``None`` if its answer would not be unique."""
    size = rng.randrange(10, 65)
    padding = rng.choice((2, 3))  # padding gives the misreadings (one side, none) their own answers
    shape = [rng.choice((1, 3, 16)), size, size]
    ask = "stride" if difficulty != "easy" and rng.random() < 0.3 else "kernel_size"
    conv: dict[str, Any] = {"type": "conv2d", "out_channels": rng.choice((8, 16, 32)), "padding": padding}
    if difficulty == "hard" and ask == "kernel_size" and rng.random() < 0.5:
        conv["dilation"] = 2
    if ask == "stride":
        conv |= {"kernel_size": rng.choice((3, 5))}
        truth, reach = rng.choice((2, 3, 4)), range(1, size + 1)
    else:
        # A kernel beyond 2p keeps "ignored the padding" (n - 2p) a kernel size too.
        truth, reach = rng.choice(range(2 * padding + 1, 2 * padding + 6)), range(1, size + 2 * padding + 1)

    symbol = "s" if ask == "stride" else "n"
    # The layer's window; each misreading changes some of its values, and the asked one is searched.
    window = {"kernel": conv.get("kernel_size"), "padding": padding, "dilation": conv.get("dilation", 1)}
    asked = "stride" if ask == "stride" else "kernel"

    def sized(size: int = size, **changes: int) -> Callable[[int], int | None]:
        return lambda value: wrong.window_at(size, **(window | changes | {asked: value}))

    forward = sized()
    target = forward(truth)
    if target is None or target < 2 or wrong.search(reach, forward, target) != [truth]:
        return None
    # Padded on one side: the input grows by the padding, the window pads nothing.
    one_side = wrong.search(reach, sized(size + padding, padding=0), target) if padding else []
    plus_one = wrong.search(reach, forward, target + 1)
    no_padding = wrong.search(reach, sized(padding=0), target) if padding else []
    misread: Callable[[int], int | None]
    if ask == "stride":  # the stride taken first: a strided 1x1 subsampling, then the window at stride 1

        def misread(stride: int) -> int | None:
            subsampled = wrong.window_at(size + 2 * padding, kernel=1, stride=stride)
            return None if subsampled is None else wrong.window_at(subsampled, kernel=window["kernel"])

        name = "stride_before_kernel"
    else:  # the stride taken to be the kernel, as for pooling

        def misread(kernel: int) -> int | None:
            return wrong.window_at(size, **(window | {"kernel": kernel, "stride": kernel}))

        name = "stride_as_kernel"
    other = wrong.search(reach, misread, target)
    # A student solving the misread equation stops at its first (smallest) solution.
    found = [
        wrong.make("padded_one_side", one_side[0] if one_side else None),
        wrong.make("ignored_padding", no_padding[0] if no_padding else None),
        wrong.make(name, other[0] if other else None),
        wrong.make("missing_plus_one", plus_one[0] if plus_one else None),
        wrong.make("size_ratio", sympy.Integer(round(size / int(target))) if ask == "stride" else None),
    ]
    if "dilation" in conv:
        plain = wrong.search(reach, sized(dilation=1), target)
        found.insert(0, wrong.make("ignored_dilation", plain[0] if plain else None))
    spec = wrong.one_layer(shape, conv | {ask: truth})
    derivation = well_posed(spec)
    assert derivation is not None
    what = "stride" if ask == "stride" else "kernel size"
    given = describe(conv) if ask == "stride" else describe(conv | {"kernel_size": "n"}) + ", stride 1"
    text = (
        f"A layer {given} reads an input of {shape_math(shape)}. "
        f"Which {what} {math(symbol)} gives an output height of {math(str(target))}?"
    )
    conclusion = f"{what.capitalize()} {math(f'{symbol} = {truth}')} gives the output height {math(str(target))}."
    return question(
        "inverse_size",
        difficulty,
        text,
        sympy.Integer(truth),
        solution=Solution(tuple(size_lines(derivation.layers[0])), conclusion),
        network=spec,
        distractors=found,
    )
