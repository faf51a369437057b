"""The two layer kinds of LeNet-5 that PyTorch lacks (LeCun et al., 1998).

* :class:`SubSampling2d`: LeNet's S2 and S4.  Each map's ``n×m`` window is
  summed, multiplied by one trainable coefficient and shifted by one trainable
  bias per map (Torch7 called it ``SpatialSubSampling``): ``2c`` parameters.
* :class:`ConvolutionMap2d`: LeNet's C3, a convolution in which each output map
  reads only the input maps its connection table lists (Torch7's
  ``SpatialConvolutionMap``): ``n*m`` weights per connection plus one bias per
  output map.  With the paper's table, ``60*25 + 16 = 1516`` parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy

from ..errors import ShapeError
from ..exact import rules
from ..exact.conventions import Conventions
from ..exact.steps import Bind, Check, Outcome, Tensor, bias_term, derive_step, product, shown_product, spatial_names
from .base import Layer
from .registry import register
from .window import window_size

__all__ = ["ConvolutionMap2d", "SubSampling2d"]


def _sizes(layer: Layer, x: Tensor, kernel: tuple[Any, ...], stride: tuple[Any, ...]) -> tuple[Any, ...]:
    """The spatial size steps and checks of an unpadded sliding window."""
    return tuple(
        window_size(name, size, shown, n, sympy.Integer(0), s)
        for name, size, shown, n, s in zip(spatial_names(2), x.shape[1:], x.shown[1:], kernel, stride, strict=True)
    )


@register
@dataclass(frozen=True)
class SubSampling2d(Layer):
    """Trainable subsampling: ``coefficient_c * (window sum) + bias_c`` for every map ``c``.

    ``stride`` defaults to ``kernel_size`` (non-overlapping windows, as in LeNet-5).

    >>> SubSampling2d(kernel_size=2).output_shape((6, 28, 28))
    (6, 14, 14)
    >>> SubSampling2d(kernel_size=2).params((6, 28, 28))
    12
    """

    in_channels: Any = None
    kernel_size: Any = 2
    stride: Any = None

    def __post_init__(self) -> None:
        self._integer("in_channels", optional=True)
        self._tuple("kernel_size", 2)
        if self.stride is None:
            self._set("stride", self.kernel_size)
        else:
            self._tuple("stride", 2)

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        self._expect_rank(x, 3)
        declared = self._check_declared("in_channels", x.shape[0])
        made = _sizes(self, x, self.kernel_size, self.stride)
        sizes = tuple(step for step, _ in made)
        out = Tensor.of((x.shape[0], *(step.value for step in sizes)))
        maps = Bind(x.shape[0], "c", x.shown[0])
        params = derive_step("params", rules.subsampling_params, c=maps)
        positions = Bind(product(out.shape[1:]), "o", shown_product(list(out.shape[1:])))
        macs = derive_step("macs", rules.subsampling_macs, o=positions, c=maps)
        checks = tuple(check for _, check in made) + (() if declared is None else (declared,))
        return Outcome(out, sizes, params=params, macs=macs, checks=checks)


@register
@dataclass(frozen=True)
class ConvolutionMap2d(Layer):
    """A convolution whose output map ``j`` reads only the input maps ``table[j]``.

    ``table`` lists, for each output map, the input maps (0-based) it is connected to;
    the number of output maps is ``len(table)``.

    >>> layer = ConvolutionMap2d(table=[(0, 1, 2), (1, 2)], kernel_size=5)
    >>> layer.output_shape((3, 14, 14)), layer.params((3, 14, 14))
    ((2, 10, 10), 127)
    """

    in_channels: Any = None
    table: Any = None
    kernel_size: Any = None
    stride: Any = 1
    bias: bool = True

    def __post_init__(self) -> None:
        self._integer("in_channels", optional=True)
        self._tuple("kernel_size", 2)
        self._tuple("stride", 2)
        self._flag("bias")
        if not isinstance(self.table, list | tuple) or not self.table:
            raise self._fail(f"table must list the input maps of each output map, got {self.table!r}")
        rows = []
        for position, row in enumerate(self.table):
            maps = list(row) if isinstance(row, list | tuple) else None
            if not maps or any(isinstance(m, bool) or not isinstance(m, int) or m < 0 for m in maps):
                raise self._fail(f"table row {position} must list input maps as integers ≥ 0, got {row!r}")
            if len(set(maps)) != len(maps):
                raise self._fail(f"table row {position} lists an input map twice: {row!r}")
            rows.append(tuple(maps))
        self._set("table", tuple(rows))

    @property
    def out_channels(self) -> int:
        return len(self.table)

    @property
    def connections(self) -> int:
        """Input-map/output-map pairs that share a kernel (60 in LeNet-5's C3)."""
        return sum(len(row) for row in self.table)

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        self._expect_rank(x, 3)
        channels = x.shape[0]
        highest = max(max(row) for row in self.table)
        inside = sympy.Gt(channels, highest)
        if inside is sympy.false:
            raise ShapeError(f"the table reads input map {highest}, but the input has {channels} maps")
        checks: list[Check] = [Check(f"the input must have more than {highest} maps (the table reads it)", inside)]
        declared = self._check_declared("in_channels", channels)
        if declared is not None:
            checks.append(declared)
        made = _sizes(self, x, self.kernel_size, self.stride)
        sizes = tuple(step for step, _ in made)
        out = Tensor.of((sympy.Integer(self.out_channels), *(step.value for step in sizes)))
        kernel = Bind(product(self.kernel_size), shown_product(["n", "m"]), shown_product(list(self.kernel_size)))
        connections = Bind(sympy.Integer(self.connections), "cn")
        params = derive_step(
            "params",
            rules.connection_table_params,
            kernel=kernel,
            cn=connections,
            k=Bind(sympy.Integer(self.out_channels), "k"),
            b=bias_term(self.bias),
        )
        positions = Bind(product(out.shape[1:]), "o", shown_product(list(out.shape[1:])))
        macs = derive_step("macs", rules.connection_table_macs, o=positions, kernel=kernel, cn=connections)
        return Outcome(out, sizes, params=params, macs=macs, checks=(*checks, *(check for _, check in made)))
