"""EfficientNet B0-B7 (Tan & Le 2019) in their width and depth coefficients, exactly.

Channel counts are ``_make_divisible(c * width_mult, 8)`` and block counts
``ceil(n * depth_mult)``, both exact integer expressions in the coefficients:
``efficientnet_b0(width_mult="w", depth_mult="d")`` substituted with b3's
``w = 6/5, d = 7/5`` is torchvision's ``efficientnet_b3``.  A symbolic
``depth_mult`` makes every stage a first block plus a :class:`~symcnn.Repeat`
of ``ceil(n*d) - 1`` blocks, so it needs ``ceil(d) ≥ 2`` (``d > 1``: B1 to B7);
give B0's ``depth_mult=1`` as a number.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy

from ..layers import AdaptiveAvgPool2d, Add, Dropout, Flatten, Linear, Sigmoid, SiLU
from ..model.network import Graph, Input, Network, Sequential
from .mobilenet import squeeze_excitation
from .parts import conv_norm_act, count, make_divisible, multiplier, numbered, source, stack, widths_differ
from .registry import builder

__all__ = [
    "efficientnet_b0", "efficientnet_b1", "efficientnet_b2", "efficientnet_b3",
    "efficientnet_b4", "efficientnet_b5", "efficientnet_b6", "efficientnet_b7",
]  # fmt: skip

#: expand ratio, kernel, stride, input channels, output channels, layers (torchvision's MBConv settings).
SETTING = (
    (1, 3, 1, 32, 16, 1), (6, 3, 2, 16, 24, 2), (6, 5, 2, 24, 40, 2), (6, 3, 2, 40, 80, 3),
    (6, 5, 1, 80, 112, 3), (6, 5, 2, 112, 192, 4), (6, 3, 1, 192, 320, 1),
)  # fmt: skip


def mbconv(
    inp: sympy.Expr, out: sympy.Expr, expand: int, kernel: int, stride: int, residual: bool, drop: Any, name: str
) -> Network:
    """torchvision's ``MBConv``: expand 1x1, depthwise, squeeze-and-excitation, project 1x1 (+ residual)."""
    # torchvision rounds inp * expand to a multiple of 8 again; inp is one already, so the product is exact.
    expanded = inp * expand
    layers: list[Network] = []
    if expand != 1:
        layers.append(conv_norm_act(expanded, 1, activation=SiLU, name="0"))
    position = str(len(layers))
    layers.append(conv_norm_act(expanded, kernel, stride, groups=expanded, activation=SiLU, name=position))
    squeeze = sympy.Max(1, sympy.floor(inp / 4))  # inp is a multiple of 8: inp/4
    layers.append(_se(expanded, squeeze, str(len(layers))))
    layers.append(conv_norm_act(out, 1, name=str(len(layers))))
    x = Input()
    y = Sequential(*layers, name="block")(x)
    if residual:
        y = Add(name="add")(Dropout(p=drop, name="stochastic_depth")(y), x)
    return Graph(x, y, name=name)


def _se(channels: sympy.Expr, squeeze: sympy.Expr, name: str) -> Network:
    return squeeze_excitation(channels, squeeze, Sigmoid, name, activation=SiLU)


def efficientnet(
    width_mult: Any,
    depth_mult: Any,
    dropout: Any,
    stochastic_depth_prob: Any,
    num_classes: Any,
    input_shape: Any,
) -> Network:
    width = multiplier(width_mult, "width_mult")
    depth = multiplier(depth_mult, "depth_mult")

    def adjust(channels: int) -> sympy.Expr:
        return make_divisible(channels * width, 8)

    x = source(input_shape)
    node = conv_norm_act(adjust(SETTING[0][3]), 3, 2, activation=SiLU, name="features.0")(x)
    for position, (expand, kernel, stride, raw_in, raw_out, layers) in enumerate(SETTING, start=1):
        inp, out = adjust(raw_in), adjust(raw_out)
        blocks = sympy.ceiling(layers * depth)

        def make(
            index: int, inp: sympy.Expr = inp, out: sympy.Expr = out, expand: int = expand, kernel: int = kernel,
            stride: int = stride, raw_in: int = raw_in, raw_out: int = raw_out,
        ) -> Network:  # fmt: skip
            if index == 0:
                residual = stride == 1 and not widths_differ(inp, out, raw_in, raw_out)
                return mbconv(inp, out, expand, kernel, stride, residual, stochastic_depth_prob, "0")
            return mbconv(out, out, expand, kernel, 1, True, stochastic_depth_prob, str(index))

        node = stack(node, blocks, make, f"features.{position}")
    last = adjust(SETTING[-1][4])
    node = conv_norm_act(4 * last, 1, activation=SiLU, name=f"features.{len(SETTING) + 1}")(node)
    node = Flatten(name="flatten")(AdaptiveAvgPool2d(1, name="avgpool")(node))
    head = numbered(Dropout(p=dropout), Linear(out_features=count(num_classes, "num_classes")), name="classifier")
    return Graph(x, head(node), name="EfficientNet")


def _variant(name: str, width: str, depth: str, dropout: float) -> Callable[..., Network]:
    def build(
        *,
        width_mult: Any = width,
        depth_mult: Any = depth,
        dropout: Any = dropout,
        stochastic_depth_prob: Any = 0.2,
        num_classes: Any = 1000,
        input_shape: Any = (3, "H", "W"),
    ) -> Network:
        return efficientnet(width_mult, depth_mult, dropout, stochastic_depth_prob, num_classes, input_shape)

    build.__name__ = build.__qualname__ = name
    build.__doc__ = f"EfficientNet-{name[-2:].upper()}: width_mult {width}, depth_mult {depth}, dropout {dropout}."
    return builder("efficientnet")(build)


efficientnet_b0 = _variant("efficientnet_b0", "1.0", "1.0", 0.2)
efficientnet_b1 = _variant("efficientnet_b1", "1.0", "1.1", 0.2)
efficientnet_b2 = _variant("efficientnet_b2", "1.1", "1.2", 0.3)
efficientnet_b3 = _variant("efficientnet_b3", "1.2", "1.4", 0.3)
efficientnet_b4 = _variant("efficientnet_b4", "1.4", "1.8", 0.4)
efficientnet_b5 = _variant("efficientnet_b5", "1.6", "2.2", 0.4)
efficientnet_b6 = _variant("efficientnet_b6", "1.8", "2.6", 0.5)
efficientnet_b7 = _variant("efficientnet_b7", "2.0", "3.1", 0.5)
