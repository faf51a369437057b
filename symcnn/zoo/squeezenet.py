"""SqueezeNet 1.0 and 1.1 (Iandola et al. 2016): Fire modules, a squeeze 1x1 and two concatenated expands."""

from __future__ import annotations

from typing import Any

from ..layers import AdaptiveAvgPool2d, Concat, Conv2d, Dropout, Flatten, Layer, MaxPool2d, ReLU
from ..model.network import Graph, Input, Network, Sequential
from .parts import count, numbered, source
from .registry import builder

__all__ = ["fire", "squeezenet1_0", "squeezenet1_1"]


def fire(squeeze: Any, expand1x1: Any, expand3x3: Any, name: str) -> Network:
    """torchvision's ``Fire``: squeeze to ``squeeze`` maps, then 1x1 and 3x3 expands, concatenated."""
    x = Input()
    s = ReLU(name="squeeze_activation")(Conv2d(out_channels=squeeze, kernel_size=1, name="squeeze")(x))
    a = ReLU(name="expand1x1_activation")(Conv2d(out_channels=expand1x1, kernel_size=1, name="expand1x1")(s))
    b = ReLU(name="expand3x3_activation")(Conv2d(out_channels=expand3x3, kernel_size=3, padding=1, name="expand3x3")(s))
    return Graph(x, Concat(dim=1, name="cat")(a, b), name=name)


def _pool(name: str) -> Layer:
    return MaxPool2d(kernel_size=3, stride=2, ceil_mode=True, name=name)


def squeezenet(version: str, num_classes: Any, dropout: Any, input_shape: Any) -> Network:
    if version == "1_0":
        stem = [Conv2d(out_channels=96, kernel_size=7, stride=2, name="0"), ReLU(name="1"), _pool("2")]
        plan: list[tuple[int, int] | str] = [
            (16, 64),
            (16, 64),
            (32, 128),
            "M",
            (32, 128),
            (48, 192),
            (48, 192),
            (64, 256),
            "M",
            (64, 256),
        ]
    else:
        stem = [Conv2d(out_channels=64, kernel_size=3, stride=2, name="0"), ReLU(name="1"), _pool("2")]
        plan = [(16, 64), (16, 64), "M", (32, 128), (32, 128), "M", (48, 192), (48, 192), (64, 256), (64, 256)]
    items: list[Layer | Network] = list(stem)
    for item in plan:
        position = str(len(items))
        items.append(_pool(position) if item == "M" else fire(item[0], item[1], item[1], position))
    x = source(input_shape)
    y = Sequential(*items, name="features")(x)
    head = numbered(
        Dropout(p=dropout),
        Conv2d(out_channels=count(num_classes, "num_classes"), kernel_size=1),
        ReLU(),
        AdaptiveAvgPool2d((1, 1)),
        name="classifier",
    )
    return Graph(x, Flatten(name="flatten")(head(y)), name="SqueezeNet")


@builder("squeezenet")
def squeezenet1_0(*, num_classes: Any = 1000, dropout: Any = 0.5, input_shape: Any = (3, "H", "W")) -> Network:
    """SqueezeNet 1.0: 1,248,424 parameters."""
    return squeezenet("1_0", num_classes, dropout, input_shape)


@builder("squeezenet")
def squeezenet1_1(*, num_classes: Any = 1000, dropout: Any = 0.5, input_shape: Any = (3, "H", "W")) -> Network:
    """SqueezeNet 1.1: 1,235,496 parameters, 2.4x fewer MACs than 1.0."""
    return squeezenet("1_1", num_classes, dropout, input_shape)
