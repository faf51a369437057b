"""Architectures: the projection a residual add needs, concatenated channels, the layer that cannot work."""

from __future__ import annotations

import random
from typing import Any

import sympy

from ... import SymcnnError, load_spec
from .. import distractors as wrong
from ..model import Distractor, Line, Question, Solution
from ..networks import well_posed
from ..solution import row_lines, size_lines, value_latex
from .common import math, network_table, question, shape_math
from .registry import kind

Spec = dict[str, Any]


def _residual_spec(rng: random.Random, difficulty: str) -> tuple[Spec, dict[str, Any]]:
    """A residual block whose main path changes the shape, and the 1×1 projection that fixes the skip path."""
    maps = rng.choice((16, 32, 64))
    filters = maps * rng.choice((2, 4)) if difficulty != "easy" else rng.choice((24, 48, 96))
    stride = 1 if difficulty == "easy" else 2
    size = rng.randrange(8, 57)
    main: list[dict[str, Any]]
    if difficulty == "hard":  # a bottleneck: 1×1 reduce, 3×3 strided, 1×1 expand
        middle = filters // 4
        main = [
            {"type": "conv2d", "out_channels": middle, "kernel_size": 1, "bias": False, "name": "reduce"},
            {"type": "conv2d", "out_channels": middle, "kernel_size": 3, "stride": stride, "padding": 1,
             "bias": False, "name": "conv3x3"},
            {"type": "conv2d", "out_channels": filters, "kernel_size": 1, "bias": False, "name": "expand"},
        ]  # fmt: skip
    else:
        main = [
            {"type": "conv2d", "out_channels": filters, "kernel_size": 3, "padding": 1, "bias": False, "name": "conv1"},
            {"type": "relu", "name": "relu1"},
            {"type": "conv2d", "out_channels": filters, "kernel_size": 3, "padding": 1, "bias": False, "name": "conv2"},
        ]
        if stride > 1:
            main[0]["stride"] = stride
    main[0]["inputs"] = ["input"]
    bias = rng.random() < 0.5
    projection: dict[str, Any] = {
        "type": "conv2d",
        "out_channels": filters,
        "kernel_size": 1,
        "inputs": ["input"],
        "name": "projection",
    }
    if stride > 1:
        projection["stride"] = stride
    if not bias:
        projection["bias"] = False
    last = main[-1]["name"]
    add = {"type": "add", "inputs": [last, "projection"], "name": "add"}
    return {"input": [maps, size, size], "layers": [*main, projection, add]}, projection


@kind("residual_projection", "the projection a residual add needs", "architectures")
def residual_projection(rng: random.Random, difficulty: str) -> Question:
    spec, projection = _residual_spec(rng, difficulty)
    derivation = well_posed(spec)
    assert derivation is not None
    rows = {row.name: row for row in derivation.layers}
    row = rows["projection"]
    answer = row.params.value
    maps, filters = spec["input"][0], projection["out_channels"]
    found = [
        wrong.make("projection_kernel", wrong.reevaluate(row.params, kernel=9)),
        wrong.make("projection_wrong_maps", wrong.reevaluate(row.params, l=filters)),
        wrong.make("forgot_input_maps", wrong.reevaluate(row.params, l=1)),
        wrong.make(
            "forgot_bias" if projection.get("bias", True) else "projection_bias",
            wrong.reevaluate(row.params, b=0 if projection.get("bias", True) else 1),
        ),
    ]
    lines: list[Line] = []
    for name in [layer["name"] for layer in spec["layers"][:-2]]:
        lines.extend(size_lines(rows[name]))
    lines.extend(row_lines(row))
    stride = projection.get("stride", 1)
    bias_words = "with a bias" if projection.get("bias", True) else "without bias"
    text = (
        f"In the residual block below, add sums {spec['layers'][-3]['name']} and the block's input "
        f"{shape_math(spec['input'])}. The two shapes do not agree, so the skip path gets a 1×1 convolution "
        f"'projection' ({bias_words}) whose stride and filters make them agree. How many learnable parameters "
        "does the projection have?"
    )
    conclusion = (
        f"The main path gives {shape_math(rows['add'].output_shape)}; the projection needs stride {stride} and "
        f"{filters} filters on {maps} maps: {math(value_latex(answer))} parameters."
    )
    return question(
        "residual_projection",
        difficulty,
        text,
        answer,
        solution=Solution(tuple(lines), conclusion),
        network=spec,
        table=network_table(spec, words={"projection": "conv2d 1×1 on the block input: stride and filters to find"}),
        distractors=found,
    )


@kind("concat_channels", "channels after a concatenation (DenseNet, Inception)", "architectures")
def concat_channels(rng: random.Random, difficulty: str) -> Question:
    maps, size = rng.choice((16, 24, 32, 64)), rng.randrange(8, 33)
    if difficulty == "easy":  # an Inception module: four branches side by side
        widths = [rng.choice((16, 32, 64, 96, 128)) for _ in range(4)]
        layers: list[dict[str, Any]] = [
            {"type": "conv2d", "out_channels": widths[0], "kernel_size": 1, "name": "branch1x1", "inputs": ["input"]},
            {"type": "conv2d", "out_channels": widths[1], "kernel_size": 3, "padding": 1, "name": "branch3x3",
             "inputs": ["input"]},
            {"type": "conv2d", "out_channels": widths[2], "kernel_size": 5, "padding": 2, "name": "branch5x5",
             "inputs": ["input"]},
            {"type": "maxpool2d", "kernel_size": 3, "stride": 1, "padding": 1, "name": "pool", "inputs": ["input"]},
            {"type": "conv2d", "out_channels": widths[3], "kernel_size": 1, "name": "pool_proj", "inputs": ["pool"]},
            {"type": "concat", "name": "concat", "inputs": ["branch1x1", "branch3x3", "branch5x5", "pool_proj"]},
        ]  # fmt: skip
        spec: Spec = {"input": [maps, size, size], "layers": layers}
        derivation = well_posed(spec)
        assert derivation is not None
        answer = derivation.layers[-1].output_shape[0]
        found: list[Distractor | None] = [
            wrong.make("concat_dropped_pool_branch", answer - widths[3]),
            wrong.make("concat_counted_input", answer + maps),
            wrong.make("concat_as_add", sympy.Integer(max(widths))),
            wrong.make("concat_counted_pool", answer + maps - widths[3]),
        ]
        ask = "concat"
    else:  # a DenseNet block: each layer reads the concatenation of everything before it
        growth, count = rng.choice((8, 12, 16, 32)), rng.choice((3, 4))
        layers, previous = [], "input"
        for index in range(1, count + 1):
            layers.append({"type": "conv2d", "out_channels": growth, "kernel_size": 3, "padding": 1,
                           "name": f"conv{index}", "inputs": [previous]})  # fmt: skip
            layers.append({"type": "concat", "name": f"cat{index}", "inputs": [previous, f"conv{index}"]})
            previous = f"cat{index}"
        spec = {"input": [maps, size, size], "layers": layers}
        derivation = well_posed(spec)
        assert derivation is not None
        if difficulty == "medium":
            ask = previous
            answer = derivation.layers[-1].output_shape[0]
            found = [
                wrong.make("concat_forgot_input", answer - maps),
                wrong.make("concat_as_add", sympy.Integer(growth)),
                wrong.make("concat_last_only", sympy.Integer(maps + growth)),
                wrong.make("concat_one_layer_short", answer - growth),
            ]
        else:
            ask = f"conv{count}"
            row = next(row for row in derivation.layers if row.name == ask)
            answer = row.params.value
            found = [
                wrong.make("concat_forgot_input", wrong.reevaluate(row.params, l=(count - 1) * growth)),
                wrong.make("concat_last_only", wrong.reevaluate(row.params, l=growth)),
                wrong.make("concat_one_layer_short", wrong.reevaluate(row.params, l=maps + (count - 2) * growth)),
                wrong.make("forgot_bias", wrong.reevaluate(row.params, b=0)),
            ]
    rows = {row.name: row for row in derivation.layers}
    lines: list[Line] = []
    for layer in spec["layers"]:
        lines.extend(size_lines(rows[layer["name"]]))
    if difficulty == "hard":
        lines.extend(row_lines(rows[ask]))
        what = f"How many learnable parameters does {ask} have?"
    else:
        what = f"How many channels (maps) does the output of {ask} have?"
    shapes = ", ".join(f"{row.name}: {shape_math(row.output_shape)}" for row in derivation.layers)
    text = f"The block below reads an input of {shape_math(spec['input'])}. {what}"
    return question(
        "concat_channels",
        difficulty,
        text,
        answer,
        solution=Solution(tuple(lines), f"Output shapes: {shapes}. The answer is {math(value_latex(answer))}."),
        network=spec,
        table=network_table(spec),
        distractors=found,
    )


@kind("invalid_layer", "find the layer that cannot be applied", "architectures")
def invalid_layer(rng: random.Random, difficulty: str) -> Question:
    """A chain with one layer whose window does not fit its input, and decoys that look wrong but work."""
    size = rng.choice(range(9, 16, 2))  # odd: the pool's floor is a decoy
    maps = rng.choice((1, 3))
    half = (size - 1) // 2
    padding = rng.choice((1, 2))
    layers: list[dict[str, Any]] = [
        {"type": "conv2d", "out_channels": rng.choice((8, 16)), "kernel_size": 3, "padding": 1},
        {"type": "maxpool2d", "kernel_size": 2},  # on an odd size: valid (it floors)
        {"type": "conv2d", "out_channels": 16, "kernel_size": half + 2, "padding": padding},  # fits only padded
        {"type": "conv2d", "out_channels": 32, "kernel_size": 1, "stride": 3},  # stride above the kernel: valid
        {"type": "conv2d", "out_channels": 32, "kernel_size": rng.choice((3, 5))},  # too big: the answer
        {"type": "flatten"},
        {"type": "linear", "out_features": 10},
    ]
    # Neutral layers move the rows around, so the answer's row number varies.
    for _ in range(rng.choice((0, 1, 2) if difficulty == "easy" else (1, 2, 3))):
        layers.insert(rng.randrange(1, 4), {"type": rng.choice(("relu", "batchnorm2d"))})
    spec: Spec = {"input": [maps, size, size], "layers": layers}
    _name_layers(spec)
    number = {id(layer): index + 1 for index, layer in enumerate(layers)}
    pool = next(layer for layer in layers if layer["type"] == "maxpool2d")
    _, padded, strided, failing = (layer for layer in layers if layer["type"] == "conv2d")
    answer = sympy.Integer(number[id(failing)])
    try:
        load_spec(spec).derive()
    except SymcnnError as error:
        message = str(error)
    else:  # pragma: no cover - the sizes above make the last convolution too big
        raise SymcnnError("exam: the invalid-layer network derived")
    if f"layer {int(answer)} " not in message:  # pragma: no cover
        raise SymcnnError(f"exam: expected layer {int(answer)} to fail, got: {message}")
    prefix = {**spec, "layers": layers[: int(answer) - 1]}
    derivation = well_posed(prefix)
    assert derivation is not None
    lines = [line for row in derivation.layers for line in size_lines(row)]
    found = [
        wrong.make("ignored_padding_fit", sympy.Integer(number[id(padded)])),
        wrong.make("odd_size_pool", sympy.Integer(number[id(pool)])),
        wrong.make("stride_exceeds_kernel", sympy.Integer(number[id(strided)])),
        wrong.make("blamed_the_head", sympy.Integer(number[id(layers[-1])])),
    ]
    text = (
        f"The network below reads an input of {shape_math(spec['input'])}. Exactly one layer cannot be applied "
        "to its input (PyTorch raises an error there). Give its row number #."
    )
    conclusion = f"Layer {int(answer)} ({failing['name']}) cannot be applied: {message.split(': ', 1)[-1]}."
    return question(
        "invalid_layer",
        difficulty,
        text,
        answer,
        solution=Solution(tuple(lines), conclusion),
        network=spec,
        table=network_table(spec),
        distractors=found,
        layer=int(answer),
    )


def _name_layers(spec: Spec) -> None:
    """Names as the engine gives them (numbered per kind), written into the spec: it cannot be derived whole."""
    kinds = [layer["type"] for layer in spec["layers"]]
    seen: dict[str, int] = {}
    for layer, kind_name in zip(spec["layers"], kinds, strict=True):
        seen[kind_name] = seen.get(kind_name, 0) + 1
        many = kinds.count(kind_name) > 1
        layer["name"] = f"{kind_name}{seen[kind_name]}" if many else kind_name
