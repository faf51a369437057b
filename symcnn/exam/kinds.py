"""The question kinds, each selectable by name, each built on one derivation.

A kind draws a random well-posed network or layer, derives it with the
engine, reads the answer off the derivation (a :class:`~symcnn.Row`'s sizes
or a :class:`~symcnn.Step`'s value), the worked solution off its steps, and
the distractors off modified derivations (:mod:`symcnn.exam.distractors`).

The receptive field of a layer is not offered: the engine does not derive
receptive fields yet.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import sympy

from .. import Derivation, Row, SymcnnError
from ..printing import to_latex, to_str
from . import distractors as wrong
from .model import BLANK, Blank, Distractor, Line, Question, Solution, Template
from .networks import describe, draw_network, single_conv, well_posed
from .solution import row_lines, size_lines, step_line, total_line, value_latex

__all__ = ["KINDS", "Kind"]

Spec = dict[str, Any]
Builder = Callable[[random.Random, str], Question]


@dataclass(frozen=True)
class Kind:
    name: str
    summary: str
    build: Builder


KINDS: dict[str, Kind] = {}


def kind(name: str, summary: str) -> Callable[[Builder], Builder]:
    def register(build: Builder) -> Builder:
        KINDS[name] = Kind(name, summary, build)
        return build

    return register


# --- shared pieces ---------------------------------------------------------------------


def math(latex: str) -> str:
    return rf"\({latex}\)"


def shape_math(shape: tuple[Any, ...] | list[Any]) -> str:
    return math(r" \times ".join(to_latex(sympy.sympify(size)) for size in shape))


def network_table(
    spec: Spec, last: tuple[str, ...] | None = None, heading: str = "output"
) -> tuple[tuple[str, ...], ...]:
    """The layers of ``spec`` as table rows (header first); ``last`` adds a column headed ``heading``."""
    header = ("#", "layer") + ((heading,) if last is not None else ())
    rows = [("0", "input " + "×".join(str(size) for size in spec["input"])) + (("",) if last is not None else ())]
    for index, layer in enumerate(spec["layers"]):
        rows.append((str(index + 1), describe(layer)) + ((last[index],) if last is not None else ()))
    return (header, *rows)


def paired(spec: Spec, derivation: Derivation) -> list[tuple[Row, dict[str, Any]]]:
    """The derivation's layer rows beside the spec's layers (both in the spec's order)."""
    rows = derivation.layers
    if len(rows) != len(spec["layers"]) or any(
        row.kind != layer["type"] for row, layer in zip(rows, spec["layers"], strict=True)
    ):
        raise SymcnnError("exam: the derivation's rows do not follow the spec's layers")  # pragma: no cover
    return list(zip(rows, spec["layers"], strict=True))


def height(shape: tuple[sympy.Expr, ...]) -> sympy.Expr:
    """The output size a question asks for: the height of a map, or the feature count."""
    return shape[1] if len(shape) > 1 else shape[0]


def stride_of(layer: dict[str, Any]) -> int:
    if "stride" in layer:
        return int(layer["stride"])
    return int(layer["kernel_size"]) if layer["type"].endswith("pool2d") else 1


def size_distractors(shape: tuple[sympy.Expr, ...], layer: dict[str, Any], row: Row) -> tuple[Distractor, ...]:
    """Wrong output sizes of ``layer`` on ``shape``: each misconception that changes it."""
    answer = height(row.output_shape)
    base = wrong.one_layer(shape, layer)

    def derived(changed: Spec) -> sympy.Expr | None:
        return wrong.output_height(wrong.derive_spec(changed))

    found: list[Distractor | None] = []
    padding = int(layer.get("padding", 0))
    if padding and layer["type"] in ("conv2d", "maxpool2d", "avgpool2d"):
        pad = {"type": "zeropad2d", "padding": [padding, 0, padding, 0]}
        one_side = wrong.one_layer(shape, {**layer, "padding": 0}, before=(pad,))
        found.append(wrong.make("padded_one_side", derived(one_side)))
    if stride_of(layer) > 1:
        found.append(wrong.make("ignored_stride", derived({**base, "layers": [{**base["layers"][0], "stride": 1}]})))
    if int(layer.get("dilation", 1)) > 1:
        found.append(
            wrong.make("ignored_dilation", derived({**base, "layers": [{**base["layers"][0], "dilation": 1}]}))
        )
    if layer.get("ceil_mode"):
        floored = {**base, "layers": [{**base["layers"][0], "ceil_mode": False}]}
        found.append(wrong.make("ignored_ceil_mode", derived(floored)))
    elif row.sizes:
        found.append(wrong.make("ignored_floor", wrong.unfloored(row.sizes[0])))
    # Last: where it coincides with a more specific misconception (ceil_mode), that one's feedback is kept.
    found.append(wrong.make("missing_plus_one", answer - 1 if answer > 1 else None))
    return wrong.distinct(answer, found)


def question(kind_name: str, difficulty: str, text: str, answer: sympy.Expr, **fields: Any) -> Question:
    distractors = fields.pop("distractors", ())
    return Question(
        kind=kind_name,
        difficulty=difficulty,
        title=KINDS[kind_name].summary,
        text=text,
        blanks=(Blank("answer", answer, wrong.distinct(answer, distractors)),),
        **fields,
    )


def earlier_sizes(derivation: Derivation, upto: int) -> list[Line]:
    """Size lines of the rows before layer ``upto`` whose shape changes (how l and i are found)."""
    lines: list[Line] = []
    for row in derivation.layers[:upto]:
        lines.extend(size_lines(row))
    return lines


# --- parameters ------------------------------------------------------------------------


@kind("layer_params", "parameters of one layer")
def layer_params(rng: random.Random, difficulty: str) -> Question:
    spec, derivation = draw_network(rng, difficulty)
    pairs = paired(spec, derivation)
    candidates = [index for index, (row, _) in enumerate(pairs) if row.params.value != 0]
    index = rng.choice(candidates)
    row, layer = pairs[index]
    answer = row.params.value
    found: list[Distractor | None] = []
    if layer["type"] in wrong.BIASED and layer.get("bias", True):
        plain = {**spec, "layers": [dict(item) for item in spec["layers"]]}
        plain["layers"][index]["bias"] = False
        without = wrong.derive_spec(plain)
        found.append(wrong.make("forgot_bias", None if without is None else without.layers[index].params.value))
    if row.kind.startswith("conv"):
        found.append(wrong.make("forgot_input_maps", wrong.reevaluate(row.params, l=1)))
        found.append(wrong.make("ignored_groups", wrong.reevaluate(row.params, g=1)))
    if row.kind.startswith("batchnorm"):
        keras = wrong.derive_spec(spec, wrong.KERAS)
        found.append(wrong.make("batchnorm_statistics", None if keras is None else keras.layers[index].total_params))
    text = (
        f"The network below reads an input of {shape_math(spec['input'])}. "
        f"How many learnable parameters does layer {index + 1} ({describe(layer)}) have?"
    )
    lines = [*earlier_sizes(derivation, index), *row_lines(row)]
    conclusion = f"Layer {index + 1} has {math(value_latex(answer))} learnable parameters."
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
    found = [
        wrong.make("forgot_bias", None if without is None else without.totals.params),
        wrong.make("forgot_input_maps", wrong.forgot_input_maps(derivation.layers)),
        wrong.make("pooling_params", wrong.pooling_params(derivation, spec["layers"])),
        wrong.make("batchnorm_statistics", wrong.keras_counting(spec) if has_norm else None),
        wrong.make("ignored_groups", wrong.ignored_groups(derivation.layers)),
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


# --- sizes -----------------------------------------------------------------------------


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


@kind("output_size", "output size of a layer")
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


@kind("shape_table", "the shape table of a network (cloze)")
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
        if not row.sizes:
            cells.append(shape_math(row.output_shape))
            continue
        answer = height(row.output_shape)
        what = "features" if len(row.output_shape) == 1 else "height"
        found = size_distractors(row.input_shapes[0], layer, row) if layer["type"] != "flatten" else ()
        blanks.append(Blank(f"layer {index + 1} ({layer['type']}): output {what}", answer, found))
        cells.append(BLANK.format(len(blanks)))
        lines.extend(size_lines(row))
    text = (
        f"The network below reads an input of {shape_math(spec['input'])}. Fill in the output size of each "
        "layer marked with a blank: the height (= width) of its maps, or the number of features after flatten."
    )
    shapes = ", ".join(
        f"layer {index + 1}: {shape_math(row.output_shape)}" for index, row in enumerate(derivation.layers)
    )
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


@kind("keep_padding", "the padding that keeps the size")
def keep_padding(rng: random.Random, difficulty: str) -> Question:
    kernel = rng.choice((3, 5) if difficulty == "easy" else (3, 5, 7))
    dilation = rng.choice((1, 2, 3)) if difficulty == "hard" else 1
    size = rng.randrange(8, 65)
    shape = [rng.choice((1, 3, 16, 32)), size, size]
    conv = {"type": "conv2d", "out_channels": rng.choice((8, 16, 32, 64)), "kernel_size": kernel}
    if dilation > 1:
        conv["dilation"] = dilation
    reach = range(dilation * kernel + 1)
    forward = wrong.size_function(wrong.one_layer(shape, conv | {"padding": "p"}), "p")
    one_sided = ({"type": "zeropad2d", "padding": ["p", 0, "p", 0]},)
    (answer,) = wrong.search(reach, forward, sympy.Integer(size))
    one_side = wrong.search(reach, wrong.size_function(wrong.one_layer(shape, conv, one_sided), "p"), size)
    plus_one = wrong.search(reach, forward, sympy.Integer(size + 1))
    plain = wrong.size_function(wrong.one_layer(shape, conv | {"dilation": 1, "padding": "p"}), "p")
    undilated = wrong.search(reach, plain, sympy.Integer(size))
    found = [
        wrong.make("padded_one_side", one_side[0] if len(one_side) == 1 else None),
        wrong.make("missing_plus_one", plus_one[0] if len(plus_one) == 1 else None),
        wrong.make("ignored_dilation", undilated[0] if len(undilated) == 1 and dilation > 1 else None),
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


@kind("inverse_size", "the stride or kernel that gives a target size")
def inverse_size(rng: random.Random, difficulty: str) -> Question:
    for _ in range(200):
        made = _inverse_attempt(rng, difficulty)
        if made is not None:
            return made
    raise SymcnnError("exam: could not draw a well-posed inverse question")  # pragma: no cover


def _inverse_attempt(rng: random.Random, difficulty: str) -> Question | None:
    """One draw of an inverse question; ``None`` if its answer would not be unique."""
    size = rng.randrange(10, 65)
    padding = rng.choice((0, 1, 2))
    shape = [rng.choice((1, 3, 16)), size, size]
    ask = "stride" if difficulty != "easy" and rng.random() < 0.5 else "kernel_size"
    conv: dict[str, Any] = {"type": "conv2d", "out_channels": rng.choice((8, 16, 32))}
    if padding:
        conv["padding"] = padding
    if ask == "stride":
        conv |= {"kernel_size": rng.choice((3, 5))}
        truth, reach = rng.choice((2, 3, 4)), range(1, size + 1)
    else:
        truth, reach = rng.choice((2, 3, 4, 5, 6, 7)), range(1, size + 2 * padding + 1)

    symbol = "s" if ask == "stride" else "n"
    forward = wrong.size_function(wrong.one_layer(shape, conv | {ask: symbol}), symbol)
    target = forward(truth)
    if target is None or target < 2 or wrong.search(reach, forward, target) != [truth]:
        return None
    pad = ({"type": "zeropad2d", "padding": [padding, 0, padding, 0]},)
    one_sided = wrong.size_function(wrong.one_layer(shape, conv | {"padding": 0, ask: symbol}, pad), symbol)
    one_side = wrong.search(reach, one_sided, target) if padding else []
    plus_one = wrong.search(reach, forward, target + 1)
    found = [
        wrong.make("padded_one_side", one_side[0] if len(one_side) == 1 else None),
        wrong.make("missing_plus_one", plus_one[0] if len(plus_one) == 1 else None),
    ]
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


# --- MACs and depthwise-separable blocks ------------------------------------------------------------


@kind("layer_macs", "MACs of a layer")
def layer_macs(rng: random.Random, difficulty: str) -> Question:
    spec, derivation = draw_network(rng, difficulty)
    pairs = paired(spec, derivation)
    index = rng.choice([index for index, (row, _) in enumerate(pairs) if row.macs.value != 0])
    row, layer = pairs[index]
    answer = row.macs.value
    alone = wrong.one_layer(row.input_shapes[0], layer)
    single = wrong.derive_spec(alone)
    found = [wrong.make("flops_not_macs", None if single is None else single.totals.flops)]
    if row.kind.startswith("conv"):
        found.append(wrong.make("forgot_input_maps", wrong.reevaluate(row.macs, l=1)))
        found.append(wrong.make("ignored_groups", wrong.reevaluate(row.macs, g=1)))
        if stride_of(layer) > 1:
            unit = wrong.derive_spec({**alone, "layers": [{**alone["layers"][0], "stride": 1}]})
            found.append(wrong.make("ignored_stride", None if unit is None else unit.totals.macs))
    text = (
        f"The network below reads an input of {shape_math(spec['input'])}. How many multiply-accumulate "
        f"operations (MACs) does layer {index + 1} ({describe(layer)}) perform for one input?"
    )
    lines = [*earlier_sizes(derivation, index + 1), *row_lines(row, ("macs",))]
    conclusion = f"Layer {index + 1} performs {math(value_latex(answer))} MACs."
    return question(
        "layer_macs",
        difficulty,
        text,
        answer,
        solution=Solution(tuple(lines), conclusion),
        network=spec,
        table=network_table(spec),
        distractors=found,
        layer=index + 1,
    )


@kind("separable_saving", "the saving of a depthwise-separable block")
def separable_saving(rng: random.Random, difficulty: str) -> Question:
    maps = rng.choice((8, 16, 32, 64))
    filters = rng.choice((16, 32, 64, 128))
    kernel = rng.choice((3, 5))
    size = rng.randrange(7, 33)
    quantity = "macs" if difficulty == "hard" and rng.random() < 0.5 else "params"
    shape = [maps, size, size]
    standard = {"type": "conv2d", "out_channels": filters, "kernel_size": kernel, "padding": kernel // 2}
    depthwise = {"type": "conv2d", "out_channels": maps, "kernel_size": kernel, "padding": kernel // 2, "groups": maps}
    pointwise = {"type": "conv2d", "out_channels": filters, "kernel_size": 1}
    separable: Spec = {"input": shape, "layers": [depthwise, pointwise]}

    def saving(one: Derivation | None, two: Derivation | None, field: str = quantity) -> sympy.Expr | None:
        if one is None or two is None:
            return None
        return getattr(one.totals, field) - getattr(two.totals, field)

    plain, split = wrong.derive_spec(wrong.one_layer(shape, standard)), wrong.derive_spec(separable)
    assert plain is not None and split is not None
    answer = saving(plain, split)
    assert answer is not None
    std_row, (dw_row, pw_row) = plain.layers[0], split.layers
    std, dw, pw = (getattr(row, quantity) for row in (std_row, dw_row, pw_row))  # the steps asked about
    full_dw, one_map, one_map_pw = wrong.reevaluate(dw, g=1), wrong.reevaluate(std, l=1), wrong.reevaluate(pw, l=1)
    no_bias = wrong.derive_spec(wrong.without_bias(wrong.one_layer(shape, standard)))
    no_bias_split = wrong.derive_spec(wrong.without_bias(separable))
    found = [
        wrong.make("forgot_bias", saving(no_bias, no_bias_split)),
        wrong.make("ignored_groups", None if full_dw is None else std.value - (full_dw + pw.value)),
        wrong.make(
            "forgot_input_maps",
            None if one_map is None or one_map_pw is None else one_map - (dw.value + one_map_pw),
        ),
        wrong.make("flops_not_macs", saving(plain, split, "flops") if quantity == "macs" else None),
    ]
    label = "parameters" if quantity == "params" else "MACs"
    lines = [
        *(replace(line, label=f"standard {line.label}") for line in row_lines(std_row, (quantity,))),
        *(replace(line, label=f"depthwise {line.label}") for line in row_lines(dw_row, (quantity,))),
        *(replace(line, label=f"pointwise {line.label}") for line in row_lines(pw_row, (quantity,))),
        Line(
            f"saving ({label})",
            substituted=rf"{value_latex(std.value)} - \left({value_latex(dw.value)} + {value_latex(pw.value)}\right)",
            value=value_latex(answer),
        ),
    ]
    text = (
        f"A convolution {describe(standard)} reads an input of {shape_math(shape)}. It is replaced by a "
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


# --- a formula as the answer ---------------------------------------------------------------------


@kind("symbolic", "parameter count as a formula in k and l")
def symbolic(rng: random.Random, difficulty: str) -> Question:
    kernel = rng.choice((1, 3, 5, 7))
    groups = rng.choice((2, 4)) if difficulty == "hard" else 1
    bias = rng.random() < 0.7 if difficulty != "easy" else True
    size = rng.choice((16, 28, 32))
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
