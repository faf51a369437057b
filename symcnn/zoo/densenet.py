"""DenseNet-BC 121/161/169/201 (Huang et al. 2017), in ``growth_rate``, ``num_init_features`` and ``bn_size``.

Each dense layer reads the concatenation of all earlier feature maps of its
block, so its width grows with its position: a dense block is written out
layer by layer, and ``block_config`` must be numbers (a block of a symbolic
number of layers is not a repetition of one shape-preserving block).
``growth_rate``, ``num_init_features`` and ``bn_size`` may be symbols: the
totals are polynomials in them (with the transitions' halvings as floors).
"""

from __future__ import annotations

from typing import Any

import sympy

from ..errors import SpecError
from ..layers import AdaptiveAvgPool2d, AvgPool2d, BatchNorm2d, Concat, Conv2d, Flatten, Linear, MaxPool2d, ReLU
from ..model.network import Graph, Network, Node
from .parts import count, counts, source
from .registry import builder

__all__ = ["densenet121", "densenet161", "densenet169", "densenet201"]


def _dense_block(x: Node, layers: int, growth: sympy.Expr, bn_size: sympy.Expr, scope: str) -> Node:
    features = [x]
    for index in range(1, layers + 1):
        name = f"{scope}.denselayer{index}"
        joined = features[0] if len(features) == 1 else Concat(dim=1, name=f"{name}.cat")(*features)
        y = ReLU(name=f"{name}.relu1")(BatchNorm2d(name=f"{name}.norm1")(joined))
        y = Conv2d(out_channels=bn_size * growth, kernel_size=1, bias=False, name=f"{name}.conv1")(y)
        y = ReLU(name=f"{name}.relu2")(BatchNorm2d(name=f"{name}.norm2")(y))
        y = Conv2d(out_channels=growth, kernel_size=3, padding=1, bias=False, name=f"{name}.conv2")(y)
        features.append(y)
    return Concat(dim=1, name=f"{scope}.cat")(*features)


def densenet(
    growth_rate: Any,
    block_config: Any,
    num_init_features: Any,
    bn_size: Any,
    num_classes: Any,
    input_shape: Any,
    name: str,
) -> Network:
    growth = count(growth_rate, "growth_rate")
    blocks = counts(block_config, "block_config")
    if not all(layers.is_number for layers in blocks):
        raise SpecError(
            "block_config must be numbers: the layers of a dense block differ in width, so a block of a "
            "symbolic number of layers is not a Repeat",
            where="zoo",
        )
    bottleneck = count(bn_size, "bn_size")
    x = source(input_shape)
    y = Conv2d(
        out_channels=count(num_init_features, "num_init_features"),
        kernel_size=7,
        stride=2,
        padding=3,
        bias=False,
        name="features.conv0",
    )(x)
    y = ReLU(name="features.relu0")(BatchNorm2d(name="features.norm0")(y))
    y = MaxPool2d(kernel_size=3, stride=2, padding=1, name="features.pool0")(y)
    features = count(num_init_features, "num_init_features")
    for stage, layers in enumerate(blocks, start=1):
        y = _dense_block(y, int(layers), growth, bottleneck, f"features.denseblock{stage}")
        features = features + layers * growth
        if stage != len(blocks):
            scope = f"features.transition{stage}"
            y = ReLU(name=f"{scope}.relu")(BatchNorm2d(name=f"{scope}.norm")(y))
            features = sympy.floor(features / 2)
            y = Conv2d(out_channels=features, kernel_size=1, bias=False, name=f"{scope}.conv")(y)
            y = AvgPool2d(kernel_size=2, stride=2, name=f"{scope}.pool")(y)
    y = ReLU(name="relu")(BatchNorm2d(name="features.norm5")(y))
    y = Flatten(name="flatten")(AdaptiveAvgPool2d((1, 1), name="adaptive_avg_pool2d")(y))
    y = Linear(out_features=count(num_classes, "num_classes"), name="classifier")(y)
    return Graph(x, y, name=name)


@builder("densenet")
def densenet121(
    *,
    growth_rate: Any = 32,
    block_config: Any = (6, 12, 24, 16),
    num_init_features: Any = 64,
    bn_size: Any = 4,
    num_classes: Any = 1000,
    input_shape: Any = (3, "H", "W"),
) -> Network:
    """DenseNet-121: 7,978,856 parameters."""
    return densenet(growth_rate, block_config, num_init_features, bn_size, num_classes, input_shape, "DenseNet121")


@builder("densenet")
def densenet161(
    *,
    growth_rate: Any = 48,
    block_config: Any = (6, 12, 36, 24),
    num_init_features: Any = 96,
    bn_size: Any = 4,
    num_classes: Any = 1000,
    input_shape: Any = (3, "H", "W"),
) -> Network:
    """DenseNet-161: 28,681,000 parameters."""
    return densenet(growth_rate, block_config, num_init_features, bn_size, num_classes, input_shape, "DenseNet161")


@builder("densenet")
def densenet169(
    *,
    growth_rate: Any = 32,
    block_config: Any = (6, 12, 32, 32),
    num_init_features: Any = 64,
    bn_size: Any = 4,
    num_classes: Any = 1000,
    input_shape: Any = (3, "H", "W"),
) -> Network:
    """DenseNet-169: 14,149,480 parameters."""
    return densenet(growth_rate, block_config, num_init_features, bn_size, num_classes, input_shape, "DenseNet169")


@builder("densenet")
def densenet201(
    *,
    growth_rate: Any = 32,
    block_config: Any = (6, 12, 48, 32),
    num_init_features: Any = 64,
    bn_size: Any = 4,
    num_classes: Any = 1000,
    input_shape: Any = (3, "H", "W"),
) -> Network:
    """DenseNet-201: 20,013,928 parameters."""
    return densenet(growth_rate, block_config, num_init_features, bn_size, num_classes, input_shape, "DenseNet201")
