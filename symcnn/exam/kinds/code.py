"""Reading PyTorch code: a short ``nn.Module`` as source; the student gives a count or a size.

The module is printed from a spec network (each layer an attribute named as in
the spec) and the answer is the engine's derivation of that spec.  The
printer knows the handful of ``torch.nn`` constructors the exam's networks use;
the engine keeps no source printer of its own (the torch adapter reads modules,
it does not write them).
"""

from __future__ import annotations

import dataclasses
import random
from typing import Any

from ...layers import layer_class
from .. import distractors as wrong
from ..model import Distractor, Question, Solution
from ..networks import draw_network
from ..solution import row_lines, size_lines, total_line, value_latex
from .common import height, math, paired, question, size_distractors
from .registry import kind

Spec = dict[str, Any]

# The argument a layer reads from its input (PyTorch asks for it first): written from the channels.
_READ_FROM_INPUT = ("in_channels", "in_features", "num_features")


def module_source(spec: Spec, channels: list[int], *, lazy: bool = False) -> str:
    """``class Net(nn.Module)`` for a spec network; ``channels[i]`` is layer ``i``'s input maps (or features).

    ``lazy`` writes the dense layer after ``flatten`` as ``nn.LazyLinear``: its
    ``in_features`` (channels × height × width) would give the sizes away.
    """
    lines = ["import torch", "from torch import nn", "", "", "class Net(nn.Module):", "    def __init__(self):"]
    lines.append("        super().__init__()")
    previous = ""
    for layer, inputs in zip(spec["layers"], channels, strict=True):
        if lazy and layer["type"] == "linear" and previous == "flatten":
            constructor = f"nn.LazyLinear({layer['out_features']})"
        else:
            constructor = _constructor(layer, inputs)
        lines.append(f"        self.{layer['name']} = {constructor}")
        previous = layer["type"]
    lines += ["", "    def forward(self, x):"]
    for layer in spec["layers"]:
        lines.append(f"        x = self.{layer['name']}(x)")
    lines.append("        return x")
    return "\n".join(lines) + "\n"


def _constructor(layer: dict[str, Any], inputs: int) -> str:
    """``nn.Conv2d(3, 8, 3, padding=1)``: the layer's class is torch.nn's of the same name, its fields
    PyTorch's arguments in PyTorch's order; the leading ones PyTorch requires are written positionally."""
    cls = layer_class(layer["type"])
    fields = [item for item in dataclasses.fields(cls) if item.init and item.name != "name"]
    given = {item.name: layer[item.name] for item in fields if item.name in layer}
    for item in fields:
        if item.name in _READ_FROM_INPUT and item.name not in given:
            given[item.name] = inputs
    positional, keywords = [], []
    leading = True
    for item in fields:
        if item.name not in given:
            leading = leading and item.default is not None
            continue
        if leading and item.default is None:
            positional.append(repr(given[item.name]))
        else:
            leading = False
            keywords.append(f"{item.name}={given[item.name]!r}")
    return f"nn.{cls.__name__}({', '.join(positional + keywords)})"


@kind("pytorch_code", "read a PyTorch module: a count or a size", "reading code")
def pytorch_code(rng: random.Random, difficulty: str) -> Question:
    # Chains only: easy one convolution, medium and hard the classic conv-pool-dense network.
    spec, derivation = draw_network(rng, "easy" if difficulty == "easy" else "medium")
    pairs = paired(spec, derivation)
    channels = [int(row.input_shapes[0][0]) for row, _ in pairs]
    code = module_source(spec, channels, lazy=difficulty == "hard")
    size = spec["input"]
    found: list[Distractor | None]
    if difficulty == "hard":
        candidates = [index for index, (row, _) in enumerate(pairs) if row.sizes and len(row.output_shape) == 3]
        index = rng.choice(candidates)
        row, layer = pairs[index]
        answer = height(row.output_shape)
        found = list(size_distractors(row.input_shapes[0], layer, row))
        lines = [line for earlier, _ in pairs[: index + 1] for line in size_lines(earlier)]
        ask = f"the height (= width) of the output of self.{layer['name']}"
    else:
        answer = derivation.totals.params
        rows = derivation.layers
        found = [
            wrong.make("forgot_bias", wrong.forgot_bias(derivation)),
            wrong.make("forgot_input_maps", wrong.forgot_input_maps(rows)),
            wrong.make("kernel_one_side", wrong.kernel_one_side(rows)),
            wrong.make("pooling_params", wrong.pooling_params(derivation, spec["layers"])),
            wrong.make("bias_per_input", wrong.bias_per_input(rows)),
            wrong.make("weights_per_position", wrong.weights_per_position(rows)),
        ]
        lines = [line for row in rows for line in (row_lines(row) if row.params.value != 0 else [])]
        lines.append(total_line(derivation))
        ask = "the number of learnable parameters of Net"
    text = (
        f"The PyTorch module below is called on a batch of inputs of shape (B, {', '.join(map(str, size))}). "
        f"What is {ask}?"
    )
    return question(
        "pytorch_code",
        difficulty,
        text,
        answer,
        solution=Solution(tuple(lines), f"The answer is {math(value_latex(answer))}."),
        network=spec,
        distractors=found,
        code=code,
    )
