"""Every answer recomputed independently of the generator: by PyTorch for counts and shapes, by the
textbook formulas (written out here) for receptive fields and memory; over seeds 0-199, every kind, every band.
"""

from __future__ import annotations

import re

import pytest
import sympy

from symcnn import exam

torch = pytest.importorskip("torch")
nn = torch.nn

pytestmark = pytest.mark.torch

BYTES = {"float32": 4, "float16": 2}


# --- direct formulas (PyTorch's documentation), independent of the engine -------------------


def conv_size(i, kernel, padding=0, stride=1, dilation=1):
    return (i + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def field_of(layers, upto):
    """Receptive field size and jump of layer ``upto`` (1-based) of a chain: r += d(n - 1)J, J *= s."""
    size, jump = 1, 1
    for layer in layers[:upto]:
        if "kernel_size" not in layer:
            continue
        kernel, dilation = layer["kernel_size"], layer.get("dilation", 1)
        stride = layer.get("stride", kernel if layer["type"].endswith("pool2d") else 1)
        size += dilation * (kernel - 1) * jump
        jump *= stride
    return size, jump


# --- PyTorch ----------------------------------------------------------------------------------


def params(module):
    return sum(p.numel() for p in module.parameters())


def torch_macs(module, x):
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter, torch.no_grad():
        module(x)
    return counter.get_total_flops() // 2


def height(shape):
    return shape[1] if len(shape) > 1 else shape[0]


def by_name(walked, spec):
    return {item["name"]: entry for entry, item in zip(walked, spec["layers"], strict=True)}


def first_failure(spec, walks):
    """The 1-based number of the first layer PyTorch refuses, running ever longer prefixes of the chain."""
    for count in range(1, len(spec["layers"]) + 1):
        try:
            walks.torch_walk({"input": spec["input"], "layers": spec["layers"][:count]})
        except RuntimeError:
            return count
    return None


def expected(question, walks):
    """The answer, recomputed (an integer or a formula), and nothing taken from the question's derivation."""
    kind, spec = question.kind, question.network
    layers = spec["layers"]
    if kind in ("receptive_field",):
        size, jump = field_of(layers, question.layer)
        return jump if "jump" in question.text.split("What is the ")[1][:5] else size
    if kind == "dilated_conv" and "receptive field" in question.text:
        (layer,) = layers
        return layer["dilation"] * (layer["kernel_size"] - 1) + 1
    if kind == "invalid_layer":
        return first_failure(spec, walks)
    if kind == "pytorch_code":
        namespace = {}
        exec(compile(question.code, "<exam>", "exec"), namespace)  # our generated source, in a test
        net = namespace["Net"]().eval()
        if "learnable parameters" in question.text:
            return params(net)
        name = re.search(r"output of self\.(\w+)", question.text).group(1)
        seen = {}

        def record(module, inputs, output):
            seen["shape"] = tuple(output.shape)  # returns None: the output stays as it is

        getattr(net, name).register_forward_hook(record)
        with torch.no_grad():
            net(torch.zeros(1, *spec["input"]))
        return height(seen["shape"][1:])
    if kind in ("symbolic", "symbolic_macs"):
        return _symbolic(question, walks)
    if kind == "separable_saving":
        return _separable(question, walks)
    walked = walks.torch_walk(spec)
    named = by_name(walked, spec)
    if kind in ("output_size", "transposed_size", "dilated_conv"):
        return height(walked[-1][2])
    if kind == "keep_padding":
        (layer,) = layers
        size = spec["input"][1]
        assert walked[0][2][1:] == tuple(spec["input"][1:])
        smaller = [
            conv_size(size, layer["kernel_size"], p, 1, layer.get("dilation", 1)) for p in range(layer["padding"])
        ]
        assert size not in smaller
        return layer["padding"]
    if kind == "inverse_size":
        target = int(re.search(r"output height of \\\((\d+)\\\)", question.text).group(1))
        assert height(walked[-1][2]) == target
        (layer,) = layers
        asked = "stride" if "Which stride" in question.text else "kernel_size"
        hits = [
            value
            for value in range(1, spec["input"][1] + 2 * layer.get("padding", 0) + 2)
            if conv_size(
                spec["input"][1],
                **{"kernel": layer["kernel_size"], "padding": layer.get("padding", 0),
                   "stride": layer.get("stride", 1), "dilation": layer.get("dilation", 1),
                   ("kernel" if asked == "kernel_size" else "stride"): value},
            ) == target
        ]  # fmt: skip
        assert hits == [layer[asked]], (hits, question.text)
        return layer[asked]
    if kind in ("layer_params", "grouped_params"):
        index = (question.layer or 1) - 1
        return params(walked[index][0])
    if kind in ("total_params",):
        return sum(params(module) for module, _, _ in walked if module is not None)
    if kind == "batchnorm_counts":
        module = walked[1][0]
        if "buffer" in question.text:
            return sum(buffer.numel() for buffer in module.buffers())
        return params(module)
    if kind in ("layer_macs", "layer_flops"):
        module, x, _ = walked[question.layer - 1]
        return torch_macs(module, x) * (2 if kind == "layer_flops" else 1)
    if kind == "activation_memory":
        batch = int(re.search(r"in batches of \\\((\d+)\\\)", question.text).group(1))
        size = BYTES[re.search(r"stored as (float\d+)", question.text).group(1)]
        shapes = [out for _, _, out in walked] if question.layer is None else [walked[question.layer - 1][2]]
        return batch * size * sum(int(torch.Size(shape).numel()) for shape in shapes)
    if kind == "residual_projection":
        main = named[layers[-3]["name"]][2]
        assert named["projection"][2] == main  # the projection makes the add's shapes agree
        return params(named["projection"][0])
    if kind == "concat_channels":
        asked = re.search(r"(?:output of|does) (\w+) have", question.text).group(1)
        module, _, out = named[asked]
        return params(module) if "parameters" in question.text else out[0]
    if kind == "shape_table":
        header = question.table[0]
        column = len(header) - 1
        return [height(out) for (_, _, out), row in zip(walked, question.table[2:], strict=True) if "[[" in row[column]]
    raise AssertionError(f"no independent check for kind {kind!r}")


def _symbolic(question, walks):
    """The formula evaluated at a few values, against PyTorch at those values."""
    (item,) = question.network["layers"]
    for values in ({"k": 4, "l": 8, "H": 40}, {"k": 12, "l": 4, "H": 33}):
        numbers = {symbol: values[symbol.name] for symbol in question.answer.free_symbols}
        concrete = {key: values.get(value, value) if isinstance(value, str) else value for key, value in item.items()}
        size = values["H"] if "H" in question.network["input"] else question.network["input"][1]
        spec = {"input": [values["l"], size, size], "layers": [concrete]}
        (module, x, out), *_ = walks.torch_walk(spec)
        if question.kind == "symbolic":
            got = params(module)
        elif "MACs" in question.text:
            got = torch_macs(module, x)
        else:
            got = out[1]
        assert got == question.answer.xreplace(numbers), (question.text, values)
    return question.answer


def _separable(question, walks):
    (standard,) = question.network["layers"]
    shape = question.network["input"]
    kernel = standard["kernel_size"]
    split = {
        "input": shape,
        "layers": [
            {"type": "conv2d", "out_channels": shape[0], "kernel_size": kernel, "padding": kernel // 2,
             "groups": shape[0]},
            {"type": "conv2d", "out_channels": standard["out_channels"], "kernel_size": 1},
        ],
    }  # fmt: skip
    whole, parts = walks.torch_walk(question.network), walks.torch_walk(split)
    if "MACs" in question.text:
        return torch_macs(whole[0][0], whole[0][1]) - sum(torch_macs(m, x) for m, x, _ in parts)
    return params(whole[0][0]) - sum(params(m) for m, _, _ in parts)


def test_every_answer_over_200_seeds_every_kind_and_band_is_recomputed_independently(sweep, walks):
    assert {(q.kind, q.band) for q in sweep} == {(k, b) for k in exam.KINDS for b in exam.DIFFICULTIES}
    for question in sweep:
        got = expected(question, walks)
        if question.is_cloze:
            assert [int(blank.answer) for blank in question.blanks] == got, question.text
        elif question.grading == "symbolic":
            assert sympy.expand(got - question.answer) == 0
        else:
            assert got == question.answer, (question.kind, question.band, question.text)
