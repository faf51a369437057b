"""MobileNetV2 and MobileNetV3 (small, large) with an exact, possibly symbolic, ``width_mult``.

Every channel count is torchvision's ``_make_divisible(c * width_mult, 8)``
as an exact integer function (:class:`.parts.make_divisible`, which rewrites to
``floor``/``Max``/``Piecewise``), so ``width_mult=Rational(7, 20)`` (or a
symbol substituted by it) gives torchvision's ``width_mult=0.35`` exactly.

Where torchvision decides the structure by comparing two rounded widths (a
residual connection when input and output widths are equal; MobileNetV3's
expansion convolution when the expanded width differs from the input width), a
numeric ``width_mult`` decides exactly as torchvision does.  A symbolic one
decides by the unscaled widths, which agrees with torchvision for
``width_mult ≥ 1/4``: only below it can rounding up to the minimum of 8 make two
different widths equal.  (A residual addition changes no parameter or MAC count.)
"""

from __future__ import annotations

from typing import Any

import sympy

from ..layers import (
    AdaptiveAvgPool2d,
    Add,
    BatchNorm2d,
    Conv2d,
    Dropout,
    Flatten,
    Hardsigmoid,
    Hardswish,
    Layer,
    Linear,
    Multiply,
    ReLU,
    ReLU6,
)
from ..model.network import Graph, Input, Network, Node, Sequential
from .parts import conv_norm_act, count, make_divisible, multiplier, numbered, source, widths_differ
from .registry import builder

__all__ = ["mobilenet_v2", "mobilenet_v3_large", "mobilenet_v3_small", "squeeze_excitation"]

#: MobileNetV2's inverted residual setting: expansion t, channels c, repeats n, stride s.
V2_SETTING = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1))


def _inverted_residual_v2(
    inp: sympy.Expr, oup: sympy.Expr, stride: int, expand: int, residual: bool, name: str
) -> Network:
    hidden = inp * expand
    layers: list[Network | Layer] = []
    if expand != 1:
        layers.append(conv_norm_act(hidden, 1, activation=ReLU6, name=str(len(layers))))
    layers.append(conv_norm_act(hidden, 3, stride, groups=hidden, activation=ReLU6, name=str(len(layers))))
    layers.append(Conv2d(out_channels=oup, kernel_size=1, bias=False, name=str(len(layers))))
    layers.append(BatchNorm2d(name=str(len(layers))))
    x = Input()
    y = Sequential(*layers, name="conv")(x)
    return Graph(x, Add(name="add")(x, y) if residual else y, name=name)


@builder("mobilenet")
def mobilenet_v2(
    *,
    num_classes: Any = 1000,
    width_mult: Any = 1,
    round_nearest: int = 8,
    dropout: Any = 0.2,
    input_shape: Any = (3, "H", "W"),
) -> Network:
    """MobileNetV2 (Sandler et al. 2018): 3,504,872 parameters at width_mult 1."""
    alpha = multiplier(width_mult, "width_mult")
    first = make_divisible(32 * alpha, round_nearest)
    last = make_divisible(1280 * sympy.Max(1, alpha), round_nearest)
    x = source(input_shape)
    blocks: list[Network] = [conv_norm_act(first, 3, 2, activation=ReLU6, name="0")]
    inp, raw_inp = first, 32
    for expand, channels, repeats, stride in V2_SETTING:
        out = make_divisible(channels * alpha, round_nearest)
        for index in range(repeats):
            step = stride if index == 0 else 1
            residual = step == 1 and not widths_differ(inp, out, raw_inp, channels)
            blocks.append(_inverted_residual_v2(inp, out, step, expand, residual, str(len(blocks))))
            inp, raw_inp = out, channels
    blocks.append(conv_norm_act(last, 1, activation=ReLU6, name=str(len(blocks))))
    y: Node = Sequential(*blocks, name="features")(x)
    y = Flatten(name="flatten")(AdaptiveAvgPool2d((1, 1), name="adaptive_avg_pool2d")(y))
    y = numbered(Dropout(p=dropout), Linear(out_features=count(num_classes, "num_classes")), name="classifier")(y)
    return Graph(x, y, name="MobileNetV2")


def squeeze_excitation(
    channels: sympy.Expr, squeeze: sympy.Expr, scale: type[Layer], name: str, activation: type[Layer] = ReLU
) -> Network:
    """torchvision's ``SqueezeExcitation``: pool, 1x1 down, ReLU, 1x1 up, gate, multiply into the input."""
    x = Input()
    s = AdaptiveAvgPool2d(1, name="avgpool")(x)
    s = activation(name="activation")(Conv2d(out_channels=squeeze, kernel_size=1, name="fc1")(s))
    s = scale(name="scale_activation")(Conv2d(out_channels=channels, kernel_size=1, name="fc2")(s))
    return Graph(x, Multiply(name="mul")(s, x), name=name)


#: MobileNetV3's bneck settings: input, kernel, expanded, output, SE, activation, stride (Table 1/2 of the paper).
V3_LARGE = (
    (16, 3, 16, 16, False, "RE", 1), (16, 3, 64, 24, False, "RE", 2), (24, 3, 72, 24, False, "RE", 1),
    (24, 5, 72, 40, True, "RE", 2), (40, 5, 120, 40, True, "RE", 1), (40, 5, 120, 40, True, "RE", 1),
    (40, 3, 240, 80, False, "HS", 2), (80, 3, 200, 80, False, "HS", 1), (80, 3, 184, 80, False, "HS", 1),
    (80, 3, 184, 80, False, "HS", 1), (80, 3, 480, 112, True, "HS", 1), (112, 3, 672, 112, True, "HS", 1),
    (112, 5, 672, 160, True, "HS", 2), (160, 5, 960, 160, True, "HS", 1), (160, 5, 960, 160, True, "HS", 1),
)  # fmt: skip
V3_SMALL = (
    (16, 3, 16, 16, True, "RE", 2), (16, 3, 72, 24, False, "RE", 2), (24, 3, 88, 24, False, "RE", 1),
    (24, 5, 96, 40, True, "HS", 2), (40, 5, 240, 40, True, "HS", 1), (40, 5, 240, 40, True, "HS", 1),
    (40, 5, 120, 48, True, "HS", 1), (48, 5, 144, 48, True, "HS", 1), (48, 5, 288, 96, True, "HS", 2),
    (96, 5, 576, 96, True, "HS", 1), (96, 5, 576, 96, True, "HS", 1),
)  # fmt: skip


def _mobilenet_v3(
    setting: tuple[tuple[Any, ...], ...],
    last_raw: int,
    num_classes: Any,
    width_mult: Any,
    reduced_tail: bool,
    dilated: bool,
    dropout: Any,
    input_shape: Any,
    name: str,
) -> Network:
    alpha = multiplier(width_mult, "width_mult")
    divider, dilation = (2 if reduced_tail else 1), (2 if dilated else 1)
    tail_from = len(setting) - 3  # the C4 stage: its first block and the two after it

    def adjust(raw: int) -> sympy.Expr:
        return make_divisible(raw * alpha, 8)

    x = source(input_shape)
    blocks: list[Network] = [conv_norm_act(adjust(setting[0][0]), 3, 2, activation=Hardswish, name="0")]
    for position, (raw_in, kernel, raw_exp, raw_out, use_se, act, stride) in enumerate(setting):
        tail = position >= tail_from
        # reduced_tail: the C4 stage's output width is halved, and in the blocks after its first all widths.
        raw_out = raw_out // divider if tail else raw_out
        if position > tail_from:
            raw_in, raw_exp = raw_in // divider, raw_exp // divider
        inp, exp, out = adjust(raw_in), adjust(raw_exp), adjust(raw_out)
        activation: type[Layer] = Hardswish if act == "HS" else ReLU
        block_dilation = dilation if tail else 1
        layers: list[Network] = []
        if widths_differ(exp, inp, raw_exp, raw_in):
            layers.append(conv_norm_act(exp, 1, activation=activation, name=str(len(layers))))
        layers.append(
            conv_norm_act(
                exp,
                kernel,
                1 if block_dilation > 1 else stride,
                groups=exp,
                dilation=block_dilation,
                activation=activation,
                name=str(len(layers)),
            )
        )
        if use_se:
            layers.append(
                squeeze_excitation(exp, make_divisible(sympy.floor(exp / 4), 8), Hardsigmoid, str(len(layers)))
            )
        layers.append(conv_norm_act(out, 1, name=str(len(layers))))
        inner = Input()
        y = Sequential(*layers, name="block")(inner)
        if stride == 1 and not widths_differ(inp, out, raw_in, raw_out):
            y = Add(name="add")(y, inner)
        blocks.append(Graph(inner, y, name=str(position + 1)))
    last_in = adjust(setting[-1][3] // divider)
    blocks.append(conv_norm_act(6 * last_in, 1, activation=Hardswish, name=str(len(blocks))))
    y = Sequential(*blocks, name="features")(x)
    y = Flatten(name="flatten")(AdaptiveAvgPool2d(1, name="avgpool")(y))
    head = numbered(
        Linear(out_features=adjust(last_raw // divider)),
        Hardswish(),
        Dropout(p=dropout),
        Linear(out_features=count(num_classes, "num_classes")),
        name="classifier",
    )
    return Graph(x, head(y), name=name)


@builder("mobilenet")
def mobilenet_v3_large(
    *,
    num_classes: Any = 1000,
    width_mult: Any = 1,
    reduced_tail: bool = False,
    dilated: bool = False,
    dropout: Any = 0.2,
    input_shape: Any = (3, "H", "W"),
) -> Network:
    """MobileNetV3-Large (Howard et al. 2019): 5,483,032 parameters at width_mult 1."""
    return _mobilenet_v3(
        V3_LARGE, 1280, num_classes, width_mult, reduced_tail, dilated, dropout, input_shape, "MobileNetV3"
    )


@builder("mobilenet")
def mobilenet_v3_small(
    *,
    num_classes: Any = 1000,
    width_mult: Any = 1,
    reduced_tail: bool = False,
    dilated: bool = False,
    dropout: Any = 0.2,
    input_shape: Any = (3, "H", "W"),
) -> Network:
    """MobileNetV3-Small (Howard et al. 2019): 2,542,856 parameters at width_mult 1."""
    return _mobilenet_v3(
        V3_SMALL, 1024, num_classes, width_mult, reduced_tail, dilated, dropout, input_shape, "MobileNetV3"
    )
