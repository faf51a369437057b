"""VGG-11/13/16/19 (Simonyan & Zisserman), with and without batch normalisation, as torchvision builds them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..layers import AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Dropout, Flatten, Layer, Linear, MaxPool2d, ReLU
from ..model.network import Graph, Network
from .parts import count, numbered, source
from .registry import builder

__all__ = ["CONFIGS", "classifier", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn"]

#: torchvision's ``cfgs``: output channels of each 3x3 convolution, "M" for a 2x2 max-pool.
CONFIGS: dict[str, tuple[int | str, ...]] = {
    "A": (64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"),
    "B": (64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"),
    "D": (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"),
    "E": (64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"),
}


def classifier(features: Any, num_classes: Any, dropout: Any, *, last_dropout: bool) -> list[Layer]:
    """Two 4096-unit dense layers with ReLU and dropout, then the scores (AlexNet: no last dropout)."""
    layers: list[Layer] = [] if last_dropout else [Dropout(p=dropout)]
    layers += [Linear(features, 4096), ReLU(), Dropout(p=dropout), Linear(4096, 4096), ReLU()]
    layers += [Dropout(p=dropout)] if last_dropout else []
    return [*layers, Linear(out_features=count(num_classes, "num_classes"))]


def vgg(config: str, batch_norm: bool, num_classes: Any, dropout: Any, input_shape: Any, name: str) -> Network:
    layers: list[Layer] = []
    for item in CONFIGS[config]:
        if item == "M":
            layers.append(MaxPool2d(kernel_size=2, stride=2))
            continue
        layers.append(Conv2d(out_channels=item, kernel_size=3, padding=1))
        layers += [BatchNorm2d(), ReLU()] if batch_norm else [ReLU()]
    x = source(input_shape)
    y = numbered(*layers, name="features")(x)
    y = Flatten(name="flatten")(AdaptiveAvgPool2d((7, 7), name="avgpool")(y))
    y = numbered(*classifier(512 * 7 * 7, num_classes, dropout, last_dropout=True), name="classifier")(y)
    return Graph(x, y, name=name)


def _vgg_builder(name: str, config: str, batch_norm: bool) -> Callable[..., Network]:
    def build(*, num_classes: Any = 1000, dropout: Any = 0.5, input_shape: Any = (3, "H", "W")) -> Network:
        return vgg(config, batch_norm, num_classes, dropout, input_shape, name.upper())

    build.__name__ = build.__qualname__ = name
    depth = name[3:5]
    build.__doc__ = f"VGG-{depth} (configuration {config}){' with batch normalisation' if batch_norm else ''}."
    return builder("vgg")(build)


vgg11 = _vgg_builder("vgg11", "A", False)
vgg11_bn = _vgg_builder("vgg11_bn", "A", True)
vgg13 = _vgg_builder("vgg13", "B", False)
vgg13_bn = _vgg_builder("vgg13_bn", "B", True)
vgg16 = _vgg_builder("vgg16", "D", False)
vgg16_bn = _vgg_builder("vgg16_bn", "D", True)
vgg19 = _vgg_builder("vgg19", "E", False)
vgg19_bn = _vgg_builder("vgg19_bn", "E", True)
