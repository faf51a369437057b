"""AlexNet as torchvision builds it (the one-GPU variant of Krizhevsky et al. 2012, 64-192-384-256-256 maps)."""

from __future__ import annotations

from typing import Any

from ..layers import AdaptiveAvgPool2d, Conv2d, Flatten, MaxPool2d, ReLU
from ..model.network import Graph, Network
from .parts import count, numbered, source
from .registry import builder
from .vgg import classifier

__all__ = ["alexnet"]


@builder("alexnet")
def alexnet(*, num_classes: Any = 1000, dropout: Any = 0.5, input_shape: Any = (3, "H", "W")) -> Network:
    """AlexNet: five convolutions, three dense layers; 61,100,840 parameters."""
    features = numbered(
        Conv2d(out_channels=64, kernel_size=11, stride=4, padding=2),
        ReLU(),
        MaxPool2d(kernel_size=3, stride=2),
        Conv2d(out_channels=192, kernel_size=5, padding=2),
        ReLU(),
        MaxPool2d(kernel_size=3, stride=2),
        Conv2d(out_channels=384, kernel_size=3, padding=1),
        ReLU(),
        Conv2d(out_channels=256, kernel_size=3, padding=1),
        ReLU(),
        Conv2d(out_channels=256, kernel_size=3, padding=1),
        ReLU(),
        MaxPool2d(kernel_size=3, stride=2),
        name="features",
    )
    x = source(input_shape)
    y = Flatten(name="flatten")(AdaptiveAvgPool2d((6, 6), name="avgpool")(features(x)))
    y = numbered(
        *classifier(256 * 6 * 6, count(num_classes, "num_classes"), dropout, last_dropout=False), name="classifier"
    )(y)
    return Graph(x, y, name="AlexNet")
