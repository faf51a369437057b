"""ConvNeXt tiny/small/base/large (Liu et al. 2022) as torchvision builds them.

Besides torchvision's keywords, ``dims`` (the four stage widths) and
``depths`` (the blocks per stage) are hyperparameters; every block of a stage
is the same shape-preserving block, so a symbolic depth is one
:class:`~symcnn.Repeat` (rows ``features.5.0...`` counted ``depth`` times).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy

from ..layers import GELU, AdaptiveAvgPool2d, Add, Conv2d, Dropout, Flatten, LayerNorm, Linear, Permute, Scale
from ..model.network import Graph, Input, Network, Sequential
from .parts import count, counts, source, stack
from .registry import builder

__all__ = ["convnext_base", "convnext_large", "convnext_small", "convnext_tiny", "layer_norm_2d"]


def layer_norm_2d(channels: sympy.Expr, name: str) -> Sequential:
    """torchvision's ``LayerNorm2d`` as its forward: channels last, LayerNorm, channels first."""
    return Sequential(
        Permute((0, 2, 3, 1), name="permute"),
        LayerNorm((channels,), eps=1e-6, name="layer_norm"),
        Permute((0, 3, 1, 2), name="permute_1"),
        name=name,
    )


def cn_block(dim: sympy.Expr, drop: Any, name: str) -> Network:
    """torchvision's ``CNBlock``: depthwise 7x7, LayerNorm, MLP 4x, layer scale, stochastic depth, residual."""
    block = Sequential(
        Conv2d(out_channels=dim, kernel_size=7, padding=3, groups=dim, name="0"),
        Permute((0, 2, 3, 1), name="1"),
        LayerNorm((dim,), eps=1e-6, name="2"),
        Linear(out_features=4 * dim, name="3"),
        GELU(name="4"),
        Linear(out_features=dim, name="5"),
        Permute((0, 3, 1, 2), name="6"),
        name="block",
    )
    x = Input()
    y = Scale((dim, 1, 1), name="layer_scale")(block(x))
    y = Add(name="add")(Dropout(p=drop, name="stochastic_depth")(y), x)
    return Graph(x, y, name=name)


def convnext(
    dims: Any, depths: Any, stochastic_depth_prob: Any, num_classes: Any, input_shape: Any, name: str
) -> Network:
    widths = counts(dims, "dims", 4)
    blocks = counts(depths, "depths", 4)
    x = source(input_shape)
    stem = Sequential(
        Conv2d(out_channels=widths[0], kernel_size=4, stride=4, name="0"),
        layer_norm_2d(widths[0], "1"),
        name="features.0",
    )
    y = stem(x)
    for stage, (width, depth) in enumerate(zip(widths, blocks, strict=True)):
        position = 2 * stage + 1

        def make(index: int, width: sympy.Expr = width) -> Network:
            return cn_block(width, stochastic_depth_prob, str(index))

        y = stack(y, depth, make, f"features.{position}", identical=True)
        if stage < 3:
            down = Sequential(
                layer_norm_2d(width, "0"),
                Conv2d(out_channels=widths[stage + 1], kernel_size=2, stride=2, name="1"),
                name=f"features.{position + 1}",
            )
            y = down(y)
    y = AdaptiveAvgPool2d(1, name="avgpool")(y)
    head = Sequential(
        layer_norm_2d(widths[3], "0"),
        Flatten(name="1"),
        Linear(out_features=count(num_classes, "num_classes"), name="2"),
        name="classifier",
    )
    return Graph(x, head(y), name=name)


def _variant(name: str, dims: tuple[int, ...], depths: tuple[int, ...], drop: float) -> Callable[..., Network]:
    def build(
        *,
        dims: Any = dims,
        depths: Any = depths,
        stochastic_depth_prob: Any = drop,
        layer_scale: Any = 1e-6,
        num_classes: Any = 1000,
        input_shape: Any = (3, "H", "W"),
    ) -> Network:
        return convnext(dims, depths, stochastic_depth_prob, num_classes, input_shape, "ConvNeXt")

    build.__name__ = build.__qualname__ = name
    build.__doc__ = f"ConvNeXt-{name[9:].capitalize()}: widths {dims}, depths {depths}."
    return builder("convnext")(build)


convnext_tiny = _variant("convnext_tiny", (96, 192, 384, 768), (3, 3, 9, 3), 0.1)
convnext_small = _variant("convnext_small", (96, 192, 384, 768), (3, 3, 27, 3), 0.4)
convnext_base = _variant("convnext_base", (128, 256, 512, 1024), (3, 3, 27, 3), 0.5)
convnext_large = _variant("convnext_large", (192, 384, 768, 1536), (3, 3, 27, 3), 0.5)
