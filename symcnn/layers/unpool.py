"""MaxUnpool 1d/2d/3d: the inverse of a max pooling, scattering values back by their indices.

The output size is a transposed window's, ``(i - 1)*s - 2*p + n``; the indices
(the pooling's second result) only say where each value goes, so they change
neither the shape nor any count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import sympy

from ..exact import rules
from ..exact.conventions import Conventions
from ..exact.steps import Bind, Outcome, Tensor, derive_step, size_check, spatial_names
from .base import Layer
from .registry import register

__all__ = ["MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d"]


@dataclass(frozen=True)
class _MaxUnpool(Layer):
    dims: ClassVar[int] = 2

    kernel_size: Any = None
    stride: Any = None
    padding: Any = 0

    def __post_init__(self) -> None:
        self._tuple("kernel_size", self.dims)
        if self.stride is None:
            self._set("stride", self.kernel_size)
        else:
            self._tuple("stride", self.dims)
        self._tuple("padding", self.dims, minimum=0)

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        self._expect_rank(x, self.dims + 1)
        sizes = tuple(
            derive_step(
                name,
                rules.size_transposed,
                i=Bind(size, "i", shown),
                n=Bind(kernel, "n"),
                p=Bind(padding, "p", omit=padding == 0),
                s=Bind(stride, "s"),
                d=Bind(sympy.Integer(1), "d", omit=True),
                a=Bind(sympy.Integer(0), "a", omit=True),
            )
            for name, size, shown, kernel, padding, stride in zip(
                spatial_names(self.dims),
                x.shape[1:],
                x.shown[1:],
                self.kernel_size,
                self.padding,
                self.stride,
                strict=True,
            )
        )
        out = Tensor.of((x.shape[0], *(step.value for step in sizes)))
        return Outcome(out, sizes, checks=tuple(size_check(step.quantity, step) for step in sizes))


@register
@dataclass(frozen=True)
class MaxUnpool1d(_MaxUnpool):
    """``torch.nn.MaxUnpool1d``; ``stride`` defaults to ``kernel_size``.

    >>> MaxUnpool1d(2).output_shape((8, 5))
    (8, 10)
    """

    dims: ClassVar[int] = 1


@register
@dataclass(frozen=True)
class MaxUnpool2d(_MaxUnpool):
    """``torch.nn.MaxUnpool2d``: undoes ``MaxPool2d(kernel_size, stride, padding, return_indices=True)``.

    >>> MaxUnpool2d(3, stride=2, padding=1).output_shape((16, 7, 7))
    (16, 13, 13)
    """

    dims: ClassVar[int] = 2


@register
@dataclass(frozen=True)
class MaxUnpool3d(_MaxUnpool):
    """``torch.nn.MaxUnpool3d``."""

    dims: ClassVar[int] = 3
