"""Inception v3 (Szegedy et al. 2016) as torchvision builds it, with or without the auxiliary classifier.

With ``aux_logits=True`` the auxiliary classifier after ``Mixed_6e`` is a
second output (torchvision's training-mode ``InceptionOutputs``); its
5x5 convolution after a 5/3 average pool raises the smallest legal input.
"""

from __future__ import annotations

from typing import Any

from ..layers import AdaptiveAvgPool2d, AvgPool2d, Concat, Dropout, Flatten, Linear, MaxPool2d
from ..model.network import Graph, Input, Network, Node, Sequential
from .googlenet import basic_conv
from .parts import count, source
from .registry import builder

__all__ = ["inception_v3"]


def _chain(x: Node | Input, first: Sequential, *convs: Sequential) -> Node:
    node = first(x)
    for conv in convs:
        node = conv(node)
    return node


def _avg_pool(x: Node | Input) -> Node:
    return AvgPool2d(kernel_size=3, stride=1, padding=1, name="avg_pool2d")(x)


def inception_a(pool_features: int, name: str) -> Network:
    x = Input()
    b1 = basic_conv(64, 1, "branch1x1")(x)
    b5 = _chain(x, basic_conv(48, 1, "branch5x5_1"), basic_conv(64, 5, "branch5x5_2", padding=2))
    b3 = _chain(
        x,
        basic_conv(64, 1, "branch3x3dbl_1"),
        basic_conv(96, 3, "branch3x3dbl_2", padding=1),
        basic_conv(96, 3, "branch3x3dbl_3", padding=1),
    )
    bp = basic_conv(pool_features, 1, "branch_pool")(_avg_pool(x))
    return Graph(x, Concat(dim=1, name="cat")(b1, b5, b3, bp), name=name)


def inception_b(name: str) -> Network:
    x = Input()
    b3 = basic_conv(384, 3, "branch3x3", stride=2)(x)
    bd = _chain(
        x,
        basic_conv(64, 1, "branch3x3dbl_1"),
        basic_conv(96, 3, "branch3x3dbl_2", padding=1),
        basic_conv(96, 3, "branch3x3dbl_3", stride=2),
    )
    bp = MaxPool2d(kernel_size=3, stride=2, name="max_pool2d")(x)
    return Graph(x, Concat(dim=1, name="cat")(b3, bd, bp), name=name)


def inception_c(c7: int, name: str) -> Network:
    x = Input()
    b1 = basic_conv(192, 1, "branch1x1")(x)
    b7 = _chain(
        x,
        basic_conv(c7, 1, "branch7x7_1"),
        basic_conv(c7, (1, 7), "branch7x7_2", padding=(0, 3)),
        basic_conv(192, (7, 1), "branch7x7_3", padding=(3, 0)),
    )
    bd = _chain(
        x,
        basic_conv(c7, 1, "branch7x7dbl_1"),
        basic_conv(c7, (7, 1), "branch7x7dbl_2", padding=(3, 0)),
        basic_conv(c7, (1, 7), "branch7x7dbl_3", padding=(0, 3)),
        basic_conv(c7, (7, 1), "branch7x7dbl_4", padding=(3, 0)),
        basic_conv(192, (1, 7), "branch7x7dbl_5", padding=(0, 3)),
    )
    bp = basic_conv(192, 1, "branch_pool")(_avg_pool(x))
    return Graph(x, Concat(dim=1, name="cat")(b1, b7, bd, bp), name=name)


def inception_d(name: str) -> Network:
    x = Input()
    b3 = _chain(x, basic_conv(192, 1, "branch3x3_1"), basic_conv(320, 3, "branch3x3_2", stride=2))
    b7 = _chain(
        x,
        basic_conv(192, 1, "branch7x7x3_1"),
        basic_conv(192, (1, 7), "branch7x7x3_2", padding=(0, 3)),
        basic_conv(192, (7, 1), "branch7x7x3_3", padding=(3, 0)),
        basic_conv(192, 3, "branch7x7x3_4", stride=2),
    )
    bp = MaxPool2d(kernel_size=3, stride=2, name="max_pool2d")(x)
    return Graph(x, Concat(dim=1, name="cat")(b3, b7, bp), name=name)


def inception_e(name: str) -> Network:
    x = Input()
    b1 = basic_conv(320, 1, "branch1x1")(x)
    s = basic_conv(384, 1, "branch3x3_1")(x)
    b3 = Concat(dim=1, name="cat")(
        basic_conv(384, (1, 3), "branch3x3_2a", padding=(0, 1))(s),
        basic_conv(384, (3, 1), "branch3x3_2b", padding=(1, 0))(s),
    )
    d = _chain(x, basic_conv(448, 1, "branch3x3dbl_1"), basic_conv(384, 3, "branch3x3dbl_2", padding=1))
    bd = Concat(dim=1, name="cat_1")(
        basic_conv(384, (1, 3), "branch3x3dbl_3a", padding=(0, 1))(d),
        basic_conv(384, (3, 1), "branch3x3dbl_3b", padding=(1, 0))(d),
    )
    bp = basic_conv(192, 1, "branch_pool")(_avg_pool(x))
    return Graph(x, Concat(dim=1, name="cat_2")(b1, b3, bd, bp), name=name)


def _aux(x: Node, num_classes: Any) -> Node:
    y = AvgPool2d(kernel_size=5, stride=3, name="AuxLogits.avg_pool2d")(x)
    y = basic_conv(768, 5, "AuxLogits.conv1")(basic_conv(128, 1, "AuxLogits.conv0")(y))
    y = Flatten(name="AuxLogits.flatten")(AdaptiveAvgPool2d((1, 1), name="AuxLogits.adaptive_avg_pool2d")(y))
    return Linear(out_features=num_classes, name="AuxLogits.fc")(y)


@builder("inception")
def inception_v3(
    *, num_classes: Any = 1000, aux_logits: bool = True, dropout: Any = 0.5, input_shape: Any = (3, "H", "W")
) -> Network:
    """Inception v3: 23,834,568 parameters without the auxiliary classifier, 27,161,264 with it."""
    classes = count(num_classes, "num_classes")
    x = source(input_shape)
    y = basic_conv(32, 3, "Conv2d_1a_3x3", stride=2)(x)
    y = basic_conv(32, 3, "Conv2d_2a_3x3")(y)
    y = basic_conv(64, 3, "Conv2d_2b_3x3", padding=1)(y)
    y = MaxPool2d(kernel_size=3, stride=2, name="maxpool1")(y)
    y = basic_conv(192, 3, "Conv2d_4a_3x3")(basic_conv(80, 1, "Conv2d_3b_1x1")(y))
    y = MaxPool2d(kernel_size=3, stride=2, name="maxpool2")(y)
    for pool_features, name in ((32, "Mixed_5b"), (64, "Mixed_5c"), (64, "Mixed_5d")):
        y = inception_a(pool_features, name)(y)
    y = inception_b("Mixed_6a")(y)
    for c7, name in ((128, "Mixed_6b"), (160, "Mixed_6c"), (160, "Mixed_6d"), (192, "Mixed_6e")):
        y = inception_c(c7, name)(y)
    aux = [_aux(y, classes)] if aux_logits else []
    y = inception_e("Mixed_7c")(inception_e("Mixed_7b")(inception_d("Mixed_7a")(y)))
    y = Dropout(p=dropout, name="dropout")(AdaptiveAvgPool2d((1, 1), name="avgpool")(y))
    y = Linear(out_features=classes, name="fc")(Flatten(name="flatten")(y))
    return Graph(x, [y, *aux], name="Inception3")
