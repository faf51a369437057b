"""ResNet, ResNeXt and Wide ResNet (torchvision's ``ResNet`` class, V1.5: the stride in the 3x3).

``layers`` are the block counts of the four stages (each may be a symbol: a
:class:`~symcnn.Repeat`), ``groups`` and ``width_per_group`` set the bottleneck
width ``planes * width_per_group / 64 * groups`` (ResNeXt's cardinality and
Wide ResNet's doubled width).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy

from ..errors import SpecError
from ..layers import AdaptiveAvgPool2d, Add, BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU
from ..model.network import Graph, Input, Network, Sequential
from .parts import count, counts, source, stack
from .registry import builder

__all__ = [
    "resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
    "resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2",
]  # fmt: skip

Block = Callable[[sympy.Expr, sympy.Expr, sympy.Expr, sympy.Expr, sympy.Expr, str], Network]


def _downsample(planes_out: sympy.Expr, stride: int) -> Sequential:
    return Sequential(
        Conv2d(out_channels=planes_out, kernel_size=1, stride=stride, bias=False, name="0"),
        BatchNorm2d(name="1"),
        name="downsample",
    )


def basic_block(
    inplanes: sympy.Expr, planes: sympy.Expr, stride: int, groups: sympy.Expr, base_width: sympy.Expr, name: str
) -> Network:
    """torchvision's ``BasicBlock``: two 3x3 convolutions and the identity (expansion 1)."""
    x = Input()
    y = Conv2d(out_channels=planes, kernel_size=3, stride=stride, padding=1, bias=False, name="conv1")(x)
    y = ReLU(name="relu")(BatchNorm2d(name="bn1")(y))
    y = Conv2d(out_channels=planes, kernel_size=3, padding=1, bias=False, name="conv2")(y)
    y = BatchNorm2d(name="bn2")(y)
    identity = _downsample(planes, stride)(x) if stride != 1 or inplanes != planes else x
    return Graph(x, ReLU(name="relu_1")(Add(name="add")(y, identity)), name=name)


def bottleneck(
    inplanes: sympy.Expr, planes: sympy.Expr, stride: int, groups: sympy.Expr, base_width: sympy.Expr, name: str
) -> Network:
    """torchvision's ``Bottleneck``: 1x1, grouped 3x3 (strided), 1x1 to ``4*planes``."""
    width = sympy.floor(planes * base_width / 64) * groups
    x = Input()
    y = Conv2d(out_channels=width, kernel_size=1, bias=False, name="conv1")(x)
    y = ReLU(name="relu")(BatchNorm2d(name="bn1")(y))
    y = Conv2d(out_channels=width, kernel_size=3, stride=stride, padding=1, groups=groups, bias=False, name="conv2")(y)
    y = ReLU(name="relu_1")(BatchNorm2d(name="bn2")(y))
    y = BatchNorm2d(name="bn3")(Conv2d(out_channels=4 * planes, kernel_size=1, bias=False, name="conv3")(y))
    identity = _downsample(4 * planes, stride)(x) if stride != 1 or inplanes != 4 * planes else x
    return Graph(x, ReLU(name="relu_2")(Add(name="add")(y, identity)), name=name)


def resnet(
    block: Block,
    expansion: int,
    layers: Any,
    num_classes: Any,
    groups: Any,
    width_per_group: Any,
    input_shape: Any,
    name: str,
) -> Network:
    """torchvision's ``ResNet(block, layers, num_classes, groups=..., width_per_group=...)``."""
    blocks = counts(layers, "layers", 4)
    cardinality = count(groups, "groups")
    base_width = count(width_per_group, "width_per_group")
    if block is basic_block and (cardinality != 1 or base_width != 64):
        raise SpecError("BasicBlock only supports groups=1 and width_per_group=64 (as in torchvision)", where="zoo")
    x = source(input_shape)
    y = Conv2d(out_channels=64, kernel_size=7, stride=2, padding=3, bias=False, name="conv1")(x)
    y = ReLU(name="relu")(BatchNorm2d(name="bn1")(y))
    y = MaxPool2d(kernel_size=3, stride=2, padding=1, name="maxpool")(y)
    inplanes: sympy.Expr = sympy.Integer(64)
    for stage, (planes, times) in enumerate(zip((64, 128, 256, 512), blocks, strict=True), start=1):
        stride = 1 if stage == 1 else 2
        first_in = inplanes

        def make(index: int, planes: int = planes, stride: int = stride, first_in: sympy.Expr = first_in) -> Network:
            if index == 0:
                return block(first_in, sympy.Integer(planes), stride, cardinality, base_width, "0")
            return block(
                sympy.Integer(planes * expansion), sympy.Integer(planes), 1, cardinality, base_width, str(index)
            )

        y = stack(y, times, make, f"layer{stage}")
        inplanes = sympy.Integer(planes * expansion)
    y = Flatten(name="flatten")(AdaptiveAvgPool2d((1, 1), name="avgpool")(y))
    y = Linear(out_features=count(num_classes, "num_classes"), name="fc")(y)
    return Graph(x, y, name=name)


H_W = (3, "H", "W")


@builder("resnet")
def resnet18(*, layers: Any = (2, 2, 2, 2), num_classes: Any = 1000, input_shape: Any = H_W) -> Network:
    """ResNet-18 (BasicBlock, layers 2, 2, 2, 2): 11,689,512 parameters."""
    return resnet(basic_block, 1, layers, num_classes, 1, 64, input_shape, "ResNet18")


@builder("resnet")
def resnet34(*, layers: Any = (3, 4, 6, 3), num_classes: Any = 1000, input_shape: Any = H_W) -> Network:
    """ResNet-34 (BasicBlock, layers 3, 4, 6, 3): 21,797,672 parameters."""
    return resnet(basic_block, 1, layers, num_classes, 1, 64, input_shape, "ResNet34")


def _bottleneck_builder(
    name: str, title: str, layers: tuple[int, ...], groups: int, width: int
) -> Callable[..., Network]:
    def build(
        *,
        layers: Any = layers,
        num_classes: Any = 1000,
        groups: Any = groups,
        width_per_group: Any = width,
        input_shape: Any = H_W,
    ) -> Network:
        return resnet(bottleneck, 4, layers, num_classes, groups, width_per_group, input_shape, title)

    build.__name__ = build.__qualname__ = name
    shown = ", ".join(map(str, layers))
    build.__doc__ = f"{title} (Bottleneck, layers {shown}, groups {groups}, width_per_group {width})."
    return builder("resnet")(build)


resnet50 = _bottleneck_builder("resnet50", "ResNet50", (3, 4, 6, 3), 1, 64)
resnet101 = _bottleneck_builder("resnet101", "ResNet101", (3, 4, 23, 3), 1, 64)
resnet152 = _bottleneck_builder("resnet152", "ResNet152", (3, 8, 36, 3), 1, 64)
resnext50_32x4d = _bottleneck_builder("resnext50_32x4d", "ResNeXt50_32x4d", (3, 4, 6, 3), 32, 4)
resnext101_32x8d = _bottleneck_builder("resnext101_32x8d", "ResNeXt101_32x8d", (3, 4, 23, 3), 32, 8)
resnext101_64x4d = _bottleneck_builder("resnext101_64x4d", "ResNeXt101_64x4d", (3, 4, 23, 3), 64, 4)
wide_resnet50_2 = _bottleneck_builder("wide_resnet50_2", "WideResNet50_2", (3, 4, 6, 3), 1, 128)
wide_resnet101_2 = _bottleneck_builder("wide_resnet101_2", "WideResNet101_2", (3, 4, 23, 3), 1, 128)
