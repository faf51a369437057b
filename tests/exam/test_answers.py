"""Every answer of a generated set recomputed independently: by the layers' own methods and by PyTorch."""

from __future__ import annotations

import pytest
import sympy

import symcnn
from symcnn import exam


def _questions(sets):
    return [question for level in exam.DIFFICULTIES for question in sets[level].questions]


def _height(shape):
    return shape[1] if len(shape) > 1 else shape[0]


def _size_or_none(layer, shape):
    try:
        return layer.output_shape(shape)[1]
    except symcnn.ShapeError:
        return None


def _separable(question):
    """The standard convolution of a separable question and its two replacements, as layers."""
    (standard,) = question.network["layers"]
    maps = question.network["input"][0]
    kernel, padding = standard["kernel_size"], standard["kernel_size"] // 2
    depthwise = symcnn.Conv2d(out_channels=maps, kernel_size=kernel, padding=padding, groups=maps)
    pointwise = symcnn.Conv2d(out_channels=standard["out_channels"], kernel_size=1)
    return standard, depthwise, pointwise


def engine_answer(question, walks):
    walked = walks.engine_walk(question.network)
    kind = question.kind
    if kind == "layer_params":
        layer, shape, _ = walked[question.layer - 1]
        return layer.params(shape)
    if kind == "layer_macs":
        layer, shape, _ = walked[question.layer - 1]
        return layer.macs(shape)
    if kind in ("total_params", "symbolic"):
        return sympy.expand(sum(layer.params(shape) for layer, shape, _ in walked if layer is not None))
    if kind == "output_size":
        return _height(walked[-1][2])
    if kind == "keep_padding":
        (layer, shape, out) = walked[0]
        assert out[1:] == shape[1:]  # the size is kept...
        smaller = [_size_or_none(layer.replace(padding=p), shape) for p in range(int(question.answer))]
        assert shape[1] not in smaller  # ...and by no smaller padding
        return question.answer
    if kind == "inverse_size":
        assert _height(walked[-1][2]) == walks.asked_size(question)
        return question.network["layers"][0].get("stride", question.network["layers"][0]["kernel_size"])
    if kind == "separable_saving":
        _, depthwise, pointwise = _separable(question)
        standard, shape, out = walked[0]
        quantity = "macs" if "MACs" in question.text else "params"
        split = getattr(depthwise, quantity)(shape) + getattr(pointwise, quantity)(depthwise.output_shape(shape))
        return getattr(standard, quantity)(shape) - split
    raise AssertionError(kind)


@pytest.mark.parametrize("level", exam.DIFFICULTIES)
def test_every_answer_agrees_with_the_layers_own_methods(sets, level, walks):
    for question in sets[level].questions:
        if question.kind == "shape_table":
            sizes = [_height(out) for layer, _, out in walks.engine_walk(question.network) if layer is not None]
            walked = walks.engine_walk(question.network)
            expected = [
                _height(out)
                for (layer, shape, out), item in zip(walked, question.network["layers"], strict=True)
                if layer is not None and (item["type"] in ("conv2d", "flatten") or item["type"].endswith("pool2d"))
            ]
            assert [blank.answer for blank in question.blanks] == expected, sizes
            continue
        assert sympy.simplify(engine_answer(question, walks) - question.answer) == 0, (question.kind, question.text)


def test_inverse_answers_are_the_only_ones(sets, walks):
    for question in _questions(sets):
        if question.kind != "inverse_size":
            continue
        item = dict(question.network["layers"][0])
        asked = "stride" if "stride" in item else "kernel_size"
        shape = question.network["input"]
        hits = []
        for value in range(1, shape[1] + 5):
            try:
                layer = symcnn.Conv2d(**{**{k: v for k, v in item.items() if k != "type"}, asked: value})
                if layer.output_shape(shape)[1] == walks.asked_size(question):
                    hits.append(value)
            except symcnn.SymcnnError:
                continue
        assert hits == [int(question.answer)], question.text


def _torch_macs(module, x):
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter, torch.no_grad():
        module(x)
    return counter.get_total_flops() // 2


@pytest.mark.torch
@pytest.mark.parametrize("level", exam.DIFFICULTIES)
def test_every_answer_agrees_with_pytorch(sets, level, walks):
    pytest.importorskip("torch")
    for question in sets[level].questions:
        kind = question.kind
        if kind == "symbolic":
            (item,) = question.network["layers"]
            assert sorted(symbol.name for symbol in question.answer.free_symbols) == ["k", "l"]
            for values in ({"k": 4, "l": 8}, {"k": 12, "l": 4}):
                numbers = {symbol: values[symbol.name] for symbol in question.answer.free_symbols}
                spec = {"input": [values["l"], 8, 8], "layers": [{**item, "out_channels": values["k"]}]}
                (module, _, _), *_ = walks.torch_walk(spec)
                assert sum(p.numel() for p in module.parameters()) == question.answer.xreplace(numbers)
            continue
        if kind == "separable_saving":
            standard, _, _ = _separable(question)
            shape = question.network["input"]
            split = {
                "input": shape,
                "layers": [
                    {"type": "conv2d", "out_channels": shape[0], "kernel_size": standard["kernel_size"],
                     "padding": standard["kernel_size"] // 2, "groups": shape[0]},
                    {"type": "conv2d", "out_channels": standard["out_channels"], "kernel_size": 1},
                ],
            }  # fmt: skip
            whole, parts = walks.torch_walk(question.network), walks.torch_walk(split)
            if "MACs" in question.text:
                saving = _torch_macs(whole[0][0], whole[0][1]) - sum(_torch_macs(m, x) for m, x, _ in parts)
            else:
                count = lambda walked: sum(p.numel() for m, _, _ in walked for p in m.parameters())  # noqa: E731
                saving = count(whole) - count(parts)
            assert saving == question.answer, question.text
            continue
        walked = walks.torch_walk(question.network)
        if kind == "total_params":
            got = sum(p.numel() for m, _, _ in walked if m is not None for p in m.parameters())
            assert got == question.answer
        elif kind == "layer_params":
            module = walked[question.layer - 1][0]
            assert sum(p.numel() for p in module.parameters()) == question.answer
        elif kind == "layer_macs":
            module, x, _ = walked[question.layer - 1]
            assert _torch_macs(module, x) == question.answer
        elif kind == "output_size":
            assert _height(walked[-1][2]) == question.answer
        elif kind == "keep_padding":
            assert walked[0][2][1:] == tuple(question.network["input"][1:])
            assert question.network["layers"][0]["padding"] == question.answer
        elif kind == "inverse_size":
            assert _height(walked[-1][2]) == walks.asked_size(question)
        elif kind == "shape_table":
            expected = [
                _height(out)
                for (module, _, out), item in zip(walked, question.network["layers"], strict=True)
                if item["type"] in ("conv2d", "flatten") or item["type"].endswith("pool2d")
            ]
            assert [int(blank.answer) for blank in question.blanks] == expected
        else:
            raise AssertionError(kind)
