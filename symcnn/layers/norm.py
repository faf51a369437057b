"""Normalisation: BatchNorm1d/2d/3d, LayerNorm, GroupNorm."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import sympy

from ..errors import ShapeError, SymcnnError
from ..exact import rules
from ..exact.conventions import Conventions
from ..exact.steps import Bind, Outcome, Step, Tensor, derive_step, format_shape, product, zero_step
from .base import Layer
from .field import Field
from .registry import register

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "GroupNorm", "LayerNorm", "Normalization"]


def affine_step(affine: bool, bias: bool, features: Bind) -> Step:
    """Scale and shift per feature; the scale alone without bias; nothing without affine."""
    if not affine:
        return zero_step("params")
    return derive_step("params", rules.affine_params if bias else rules.per_feature, c=features)


@dataclass(frozen=True)
class _BatchNorm(Layer):
    receptive: ClassVar[Field | None] = Field.POINTWISE
    ranks: ClassVar[tuple[int, ...]] = (3,)

    num_features: Any = None
    eps: Any = 1e-5
    momentum: Any = 0.1
    affine: bool = True
    track_running_stats: bool = True
    bias: bool = field(default=True, kw_only=True)  # keyword-only, as in PyTorch

    def __post_init__(self) -> None:
        self._integer("num_features", optional=True)
        self._flag("affine")
        self._flag("track_running_stats")
        self._flag("bias")

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        self._expect_rank(x, *self.ranks)
        channels = Bind(x.shape[0], "c", x.shown[0])
        # PyTorch checks num_features only through the per-channel tensors: with neither
        # affine nor running statistics there are none, and any num_features passes.
        check = self._check_declared("num_features", x.shape[0]) if self.affine or self.track_running_stats else None
        params = affine_step(self.affine, self.bias, channels)
        buffers: Step = zero_step("buffers")
        non_trainable: Step = zero_step("non_trainable")
        if self.track_running_stats:
            if conventions.framework == "keras":
                non_trainable = derive_step("non_trainable", rules.affine_params, c=channels)
            else:
                buffers = derive_step("buffers", rules.batchnorm_buffers, c=channels)
        return Outcome(
            x, params=params, non_trainable=non_trainable, buffers=buffers, checks=() if check is None else (check,)
        )


@register
@dataclass(frozen=True)
class BatchNorm1d(_BatchNorm):
    """``torch.nn.BatchNorm1d``: input ``(C,)`` or ``(C, L)``."""

    ranks: ClassVar[tuple[int, ...]] = (1, 2)


@register
@dataclass(frozen=True)
class BatchNorm2d(_BatchNorm):
    """``torch.nn.BatchNorm2d``: 2C parameters, 2C + 1 buffers (PyTorch counting)."""

    ranks: ClassVar[tuple[int, ...]] = (3,)


@register
@dataclass(frozen=True)
class BatchNorm3d(_BatchNorm):
    """``torch.nn.BatchNorm3d``."""

    ranks: ClassVar[tuple[int, ...]] = (4,)


@register
@dataclass(frozen=True)
class Normalization(Layer):
    """Keras's ``Normalization``: ``(x - mean) / sqrt(variance)`` with statistics adapted from data.

    It holds a mean and a variance per channel (dimension 1) and the count of
    samples they were computed from: 2C + 1 values, learned by ``adapt()``, not
    by training.  Keras counts them as non-trainable parameters (``framework="keras"``),
    PyTorch's vocabulary calls them buffers.

    >>> Normalization().output_shape((3, 8, 8))
    (3, 8, 8)
    >>> from symcnn import KERAS
    >>> Normalization()._outcome((3, 8, 8), KERAS).non_trainable.value
    7
    """

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        self._expect_rank(x, at_least=1)
        statistics = derive_step(
            "non_trainable" if conventions.framework == "keras" else "buffers",
            rules.normalization_statistics,
            c=Bind(x.shape[0], "c", x.shown[0]),
        )
        if conventions.framework == "keras":
            return Outcome(x, non_trainable=statistics)
        return Outcome(x, buffers=statistics)


@register
@dataclass(frozen=True)
class LayerNorm(Layer):
    """``torch.nn.LayerNorm`` over the trailing ``normalized_shape``."""
    receptive: ClassVar[Field | None] = Field.POINTWISE

    normalized_shape: Any = None
    eps: Any = 1e-5
    elementwise_affine: bool = True
    bias: bool = True

    def __post_init__(self) -> None:
        raw = self.normalized_shape
        if raw is None:
            raise self._fail("normalized_shape is required")
        items = list(raw) if isinstance(raw, list | tuple) else [raw]
        self._set("normalized_shape", tuple(self._valid_integer(item, "normalized_shape") for item in items))
        self._flag("elementwise_affine")
        self._flag("bias")

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        count = len(self.normalized_shape)
        failure = (
            f"normalized_shape {format_shape(self.normalized_shape)} must match the input's last dimensions, "
            f"got input {format_shape(x.shape)}"
        )
        if x.rank < count:
            raise ShapeError(failure)
        rule = f"normalized_shape {format_shape(self.normalized_shape)} must match the input's last dimensions"
        found = [
            self._must_hold(rule, sympy.Eq(size, wanted), failure)
            for size, wanted in zip(x.shape[-count:], self.normalized_shape, strict=True)
        ]
        params = affine_step(self.elementwise_affine, self.bias, Bind(product(self.normalized_shape), "c"))
        return Outcome(x, params=params, checks=tuple(check for check in found if check is not None))


@register
@dataclass(frozen=True)
class GroupNorm(Layer):
    """``torch.nn.GroupNorm``: ``num_groups`` must divide ``num_channels``."""
    receptive: ClassVar[Field | None] = Field.POINTWISE

    num_groups: Any = None
    num_channels: Any = None
    eps: Any = 1e-5
    affine: bool = True
    bias: bool = field(default=True, kw_only=True)  # keyword-only, as in PyTorch

    def __post_init__(self) -> None:
        self._integer("num_groups")
        self._integer("num_channels", optional=True)
        self._flag("affine")
        self._flag("bias")
        if self.num_channels is not None:  # PyTorch refuses at construction; the condition is listed by apply
            try:
                self._divides("num_groups", self.num_groups, "num_channels", self.num_channels)
            except SymcnnError as error:
                raise self._fail(error.message) from None

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        self._expect_rank(x, at_least=1)
        channels = x.shape[0]
        declared = self.num_channels
        checks = (
            # As for BatchNorm: without affine, PyTorch never compares num_channels with the input.
            self._check_declared("num_channels", channels) if self.affine else None,
            None if declared is None else self._divides("num_groups", self.num_groups, "num_channels", declared),
            self._divides(
                "num_groups", self.num_groups, "num_channels" if declared is None else "input channels", channels
            ),
        )
        params = affine_step(self.affine, self.bias, Bind(channels, "c", x.shown[0]))
        return Outcome(x, params=params, checks=tuple(check for check in checks if check is not None))
