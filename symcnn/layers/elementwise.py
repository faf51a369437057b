"""Layers that keep the shape: activations, dropout, identity; and PReLU.

Each class names PyTorch's constructor arguments so a spec or a positional
call means the same as in PyTorch; none of them has parameters except PReLU.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import sympy

from ..errors import ShapeError
from ..exact import rules
from ..exact.conventions import Conventions
from ..exact.steps import Bind, Outcome, Tensor, derive_step
from .base import Layer
from .field import Field
from .registry import register

__all__ = [
    "ELU",
    "GELU",
    "AlphaDropout",
    "Dropout",
    "Dropout1d",
    "Dropout2d",
    "Dropout3d",
    "Hardsigmoid",
    "Hardswish",
    "Identity",
    "LeakyReLU",
    "LogSoftmax",
    "Mish",
    "PReLU",
    "ReLU",
    "ReLU6",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Tanh",
]


@dataclass(frozen=True)
class _SameShape(Layer):
    receptive: ClassVar[Field | None] = Field.POINTWISE
    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        return Outcome(x)


@dataclass(frozen=True)
class _Inplace(_SameShape):
    inplace: bool = False


@dataclass(frozen=True)
class _Dropout(_SameShape):
    p: Any = 0.5
    inplace: bool = False


@register
@dataclass(frozen=True)
class ReLU(_Inplace):
    """``torch.nn.ReLU``."""


@register(prefix="relu")
@dataclass(frozen=True)
class ReLU6(_Inplace):
    """``torch.nn.ReLU6``."""


@register
@dataclass(frozen=True)
class SiLU(_Inplace):
    """``torch.nn.SiLU`` (swish)."""


@register
@dataclass(frozen=True)
class Hardswish(_Inplace):
    """``torch.nn.Hardswish``."""


@register
@dataclass(frozen=True)
class Hardsigmoid(_Inplace):
    """``torch.nn.Hardsigmoid``."""


@register
@dataclass(frozen=True)
class Mish(_Inplace):
    """``torch.nn.Mish``."""


@register
@dataclass(frozen=True)
class LeakyReLU(_SameShape):
    """``torch.nn.LeakyReLU``."""

    negative_slope: Any = 0.01
    inplace: bool = False


@register
@dataclass(frozen=True)
class ELU(_SameShape):
    """``torch.nn.ELU``."""

    alpha: Any = 1.0
    inplace: bool = False


@register
@dataclass(frozen=True)
class GELU(_SameShape):
    """``torch.nn.GELU``."""

    approximate: str = "none"


@register
@dataclass(frozen=True)
class Sigmoid(_SameShape):
    """``torch.nn.Sigmoid``."""


@register
@dataclass(frozen=True)
class Tanh(_SameShape):
    """``torch.nn.Tanh``."""


@register
@dataclass(frozen=True)
class Softplus(_SameShape):
    """``torch.nn.Softplus``."""

    beta: Any = 1.0
    threshold: Any = 20.0


@dataclass(frozen=True)
class _AlongDim(_SameShape):
    """Normalises along ``dim``, counted as in PyTorch: the batch is dimension 0."""
    receptive: ClassVar[Field | None] = None  # no receptive field through it: the analysis refuses, naming the layer

    dim: Any = None

    def __post_init__(self) -> None:
        self._integer("dim", minimum=None, formula=False, optional=True)

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        if self.dim is not None and not -(x.rank + 1) <= self.dim <= x.rank:
            lowest, highest = -(x.rank + 1), x.rank
            raise ShapeError(f"dim must be in [{lowest}, {highest}] (PyTorch counts the batch as 0), got {self.dim}")
        return Outcome(x)


@register
@dataclass(frozen=True)
class Softmax(_AlongDim):
    """``torch.nn.Softmax``."""


@register
@dataclass(frozen=True)
class LogSoftmax(_AlongDim):
    """``torch.nn.LogSoftmax``."""


@register
@dataclass(frozen=True)
class Identity(_SameShape):
    """``torch.nn.Identity``."""


@register
@dataclass(frozen=True)
class Dropout(_Dropout):
    """``torch.nn.Dropout``: no parameters, shape unchanged."""


@register
@dataclass(frozen=True)
class Dropout1d(_Dropout):
    """``torch.nn.Dropout1d``: input ``(C, L)``; PyTorch refuses other ranks (1 passes as unbatched)."""

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        self._expect_rank(x, 1, 2)
        return Outcome(x)


@register
@dataclass(frozen=True)
class Dropout2d(_Dropout):
    """``torch.nn.Dropout2d``."""


@register
@dataclass(frozen=True)
class Dropout3d(_Dropout):
    """``torch.nn.Dropout3d``."""


@register(prefix="dropout")
@dataclass(frozen=True)
class AlphaDropout(_Dropout):
    """``torch.nn.AlphaDropout``."""


@register
@dataclass(frozen=True)
class PReLU(Layer):
    """``torch.nn.PReLU``: one slope, or one per channel (``num_parameters`` = C)."""
    receptive: ClassVar[Field | None] = Field.POINTWISE

    num_parameters: Any = 1
    init: Any = 0.25

    def __post_init__(self) -> None:
        self._integer("num_parameters")

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        count, channels = self.num_parameters, x.shape[0]
        check = self._must_hold(
            "num_parameters must be 1 or the input's channels",
            sympy.Or(sympy.Eq(count, 1), sympy.Eq(count, channels)),
            f"num_parameters must be 1 or the input's channels ({channels}), got {count}",
        )
        params = derive_step("params", rules.per_feature, c=Bind(count, "c"))
        return Outcome(x, params=params, checks=() if check is None else (check,))
