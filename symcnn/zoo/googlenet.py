"""GoogLeNet (Szegedy et al. 2014) as torchvision builds it, with or without its two auxiliary classifiers.

The auxiliary classifiers run only while training; with ``aux_logits=True``
they are extra outputs of the network (torchvision's ``(x, aux2, aux1)``), so
their parameters and MACs count as in a training step.
"""

from __future__ import annotations

from typing import Any

from ..layers import AdaptiveAvgPool2d, BatchNorm2d, Concat, Conv2d, Dropout, Flatten, Linear, MaxPool2d, ReLU
from ..model.network import Graph, Input, Network, Node, Sequential
from .parts import count, source
from .registry import builder

__all__ = ["basic_conv", "googlenet"]

#: torchvision's Inception modules: in, 1x1, 3x3 reduce, 3x3, "5x5" reduce, "5x5" (a 3x3 in torchvision), pool proj.
MODULES = {
    "inception3a": (64, 96, 128, 16, 32, 32),
    "inception3b": (128, 128, 192, 32, 96, 64),
    "inception4a": (192, 96, 208, 16, 48, 64),
    "inception4b": (160, 112, 224, 24, 64, 64),
    "inception4c": (128, 128, 256, 24, 64, 64),
    "inception4d": (112, 144, 288, 32, 64, 64),
    "inception4e": (256, 160, 320, 32, 128, 128),
    "inception5a": (256, 160, 320, 32, 128, 128),
    "inception5b": (384, 192, 384, 48, 128, 128),
}


def basic_conv(out_channels: Any, kernel_size: Any, name: str, stride: Any = 1, padding: Any = 0) -> Sequential:
    """torchvision's ``BasicConv2d``: convolution without bias, batch norm (eps 0.001), ReLU."""
    return Sequential(
        Conv2d(
            out_channels=out_channels, kernel_size=kernel_size, stride=stride, padding=padding, bias=False, name="conv"
        ),
        BatchNorm2d(eps=0.001, name="bn"),
        ReLU(name="relu"),
        name=name,
    )


def inception(ch1x1: int, ch3x3red: int, ch3x3: int, ch5x5red: int, ch5x5: int, pool_proj: int, name: str) -> Network:
    x = Input()
    b1 = basic_conv(ch1x1, 1, "branch1")(x)
    b2 = Sequential(basic_conv(ch3x3red, 1, "0"), basic_conv(ch3x3, 3, "1", padding=1), name="branch2")(x)
    b3 = Sequential(basic_conv(ch5x5red, 1, "0"), basic_conv(ch5x5, 3, "1", padding=1), name="branch3")(x)
    pool = MaxPool2d(kernel_size=3, stride=1, padding=1, ceil_mode=True, name="0")
    b4 = Sequential(pool, basic_conv(pool_proj, 1, "1"), name="branch4")(x)
    return Graph(x, Concat(dim=1, name="cat")(b1, b2, b3, b4), name=name)


def _aux(x: Node, num_classes: Any, name: str) -> Node:
    y = AdaptiveAvgPool2d((4, 4), name=f"{name}.adaptive_avg_pool2d")(x)
    y = Flatten(name=f"{name}.flatten")(basic_conv(128, 1, f"{name}.conv")(y))
    y = ReLU(name=f"{name}.relu")(Linear(out_features=1024, name=f"{name}.fc1")(y))
    return Linear(out_features=num_classes, name=f"{name}.fc2")(Dropout(p=0.7, name=f"{name}.dropout")(y))


@builder("googlenet")
def googlenet(
    *,
    num_classes: Any = 1000,
    aux_logits: bool = True,
    dropout: Any = 0.2,
    dropout_aux: Any = 0.7,
    input_shape: Any = (3, "H", "W"),
) -> Network:
    """GoogLeNet (Inception v1): 6,624,904 parameters without the auxiliary classifiers, 13,004,888 with them."""
    classes = count(num_classes, "num_classes")
    x = source(input_shape)
    y = basic_conv(64, 7, "conv1", stride=2, padding=3)(x)
    y = MaxPool2d(kernel_size=3, stride=2, ceil_mode=True, name="maxpool1")(y)
    y = basic_conv(192, 3, "conv3", padding=1)(basic_conv(64, 1, "conv2")(y))
    y = MaxPool2d(kernel_size=3, stride=2, ceil_mode=True, name="maxpool2")(y)
    aux: list[Node] = []
    for name, channels in MODULES.items():
        if name == "inception4a":
            y = MaxPool2d(kernel_size=3, stride=2, ceil_mode=True, name="maxpool3")(y)
        if name == "inception5a":
            y = MaxPool2d(kernel_size=2, stride=2, ceil_mode=True, name="maxpool4")(y)
        y = inception(*channels, name=name)(y)
        if aux_logits and name in ("inception4a", "inception4d"):
            aux.insert(0, _aux(y, classes, "aux1" if name == "inception4a" else "aux2"))
    y = Flatten(name="flatten")(AdaptiveAvgPool2d((1, 1), name="avgpool")(y))
    y = Linear(out_features=classes, name="fc")(Dropout(p=dropout, name="dropout")(y))
    return Graph(x, [y, *aux], name="GoogLeNet")
