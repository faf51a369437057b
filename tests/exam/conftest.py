"""Shared pieces of the exam tests: generated sets, and two independent ways to recompute answers.

``engine_walk`` follows a spec layer by layer with the layer classes' own
``output_shape``/``params``/``macs`` methods (a second path through the engine,
not the derivation the generator used); ``torch_walk`` builds the same layers
as ``torch.nn`` modules and runs them.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
import sympy

import symcnn
from symcnn import exam

LAYER_CLASSES = {
    cls.kind: cls
    for cls in (getattr(symcnn, name) for name in symcnn.__all__)
    if isinstance(cls, type) and issubclass(cls, symcnn.Layer) and cls is not symcnn.Layer
}


@pytest.fixture(scope="session")
def sets() -> dict[str, exam.Exam]:
    """Every kind twice at every difficulty."""
    return {level: exam.generate(2 * len(exam.KINDS), seed=11, difficulty=level) for level in exam.DIFFICULTIES}


SWEEP_SEEDS = range(200)


@pytest.fixture(scope="session")
def sweep() -> list[exam.Question]:
    """Seeds 0-199, each generating every kind once, the bands in turn by seed: 4,200 questions,
    every (kind, band) pair 66 or 67 times."""
    questions = []
    for seed in SWEEP_SEEDS:
        level = exam.DIFFICULTIES[seed % 3]
        questions.extend(exam.generate(len(exam.KINDS), seed=seed, difficulty=level).questions)
    return questions


def arguments(item: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if key not in ("type", "name", "inputs")}


def engine_walk(spec: dict[str, Any]) -> list[tuple[Any, tuple[Any, ...], tuple[Any, ...]]]:
    """``(layer, input shape, output shape)`` per spec layer, by the layers' own methods.

    The exam's networks are chains except for ``add``, whose inputs have the
    shape of the layer before it.
    """
    shape = tuple(sympy.sympify(size) if isinstance(size, int) else symcnn.symbols(size) for size in spec["input"])
    walked = []
    for item in spec["layers"]:
        if item["type"] == "add":
            walked.append((None, shape, shape))
            continue
        layer = LAYER_CLASSES[item["type"]](**arguments(item))
        out = tuple(layer.output_shape(shape))
        walked.append((layer, shape, out))
        shape = out
    return walked


def torch_walk(spec: dict[str, Any]) -> list[tuple[Any, Any, tuple[int, ...]]]:
    """``(module, input tensor, output shape)`` per spec layer, run in PyTorch (batch 1)."""
    import torch
    from torch import nn

    x = torch.zeros(1, *spec["input"])
    outputs = {"input": x}
    walked = []
    for index, item in enumerate(spec["layers"]):
        if "inputs" in item and item["type"] not in ("add", "concat"):
            x = outputs[item["inputs"][0]]
        a, channels = arguments(item), x.shape[1]
        kind = item["type"]
        module: Any
        if kind == "conv2d":
            module = nn.Conv2d(
                channels,
                a["out_channels"],
                a["kernel_size"],
                stride=a.get("stride", 1),
                padding=a.get("padding", 0),
                dilation=a.get("dilation", 1),
                groups=a.get("groups", 1),
                bias=a.get("bias", True),
            )
        elif kind == "convtranspose2d":
            module = nn.ConvTranspose2d(
                channels,
                a["out_channels"],
                a["kernel_size"],
                stride=a.get("stride", 1),
                padding=a.get("padding", 0),
                output_padding=a.get("output_padding", 0),
                groups=a.get("groups", 1),
                bias=a.get("bias", True),
                dilation=a.get("dilation", 1),
            )
        elif kind == "maxpool2d":
            module = nn.MaxPool2d(
                a["kernel_size"],
                a.get("stride"),
                a.get("padding", 0),
                a.get("dilation", 1),
                ceil_mode=a.get("ceil_mode", False),
            )
        elif kind == "avgpool2d":
            module = nn.AvgPool2d(
                a["kernel_size"], a.get("stride"), a.get("padding", 0), ceil_mode=a.get("ceil_mode", False)
            )
        elif kind == "batchnorm2d":
            module = nn.BatchNorm2d(channels)
        elif kind == "linear":
            module = nn.Linear(channels, a["out_features"], bias=a.get("bias", True))
        elif kind == "zeropad2d":
            module = nn.ZeroPad2d(tuple(a["padding"]))
        else:
            module = {"relu": nn.ReLU, "flatten": nn.Flatten}.get(kind)
            module = module() if module is not None else None
        if kind == "add":
            first, second = item["inputs"]
            y = outputs[first] + outputs[second]
        elif kind == "concat":
            y = torch.cat([outputs[name] for name in item["inputs"]], dim=1)
        else:
            module.eval()
            with torch.no_grad():
                y = module(x)
        walked.append((module, x, tuple(y.shape[1:])))
        outputs[item.get("name", f"#{index}")] = y
        x = y
    return walked


def asked_size(question: exam.Question) -> int:
    """The target size an inverse question names ("an output height of \\(14\\)")."""
    match = re.search(r"output height of \\\((\d+)\\\)", question.text)
    assert match, question.text
    return int(match.group(1))


@pytest.fixture(scope="session")
def walks() -> SimpleNamespace:
    """The helpers above, for the test modules (fixtures are how tests share code here)."""
    return SimpleNamespace(engine_walk=engine_walk, torch_walk=torch_walk, asked_size=asked_size)
