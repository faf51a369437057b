"""Learned tensors used as activations: added to the input, or concatenated to it.

Vision transformers add a positional embedding (an ``nn.Parameter`` of shape
``(1, tokens, dim)``) to the patch tokens and prepend a class token (an
``nn.Parameter`` of shape ``(1, 1, dim)``, expanded over the batch and joined
with ``torch.cat``).  Their elements are trainable parameters; neither counts
MACs (additions and concatenations count 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy

from ..errors import ShapeError
from ..exact import rules
from ..exact.conventions import Conventions
from ..exact.steps import Bind, Check, Outcome, Step, Tensor, derive_step, format_shape, product, shown_product
from .base import Layer
from .merge import broadcast
from .registry import register

__all__ = ["LearnedConcat", "Shift"]


def _shape(layer: Layer) -> None:
    raw = getattr(layer, "shape", None)
    if raw is None:
        raise layer._fail("shape is required")
    items = list(raw) if isinstance(raw, list | tuple) else [raw]
    layer._set("shape", tuple(layer._valid_integer(item, "shape", minimum=1) for item in items))


def _count(shape: tuple[sympy.Expr, ...]) -> Step:
    shown = shown_product(list(shape)) if shape else None
    return derive_step("params", rules.per_feature, c=Bind(product(shape), "c", shown))


@register
@dataclass(frozen=True)
class Shift(Layer):
    """``x + beta`` with a learned ``beta`` of ``shape`` (broadcast like ``+``): a positional embedding.

    >>> Shift((197, 768)).output_shape((197, 768))
    (197, 768)
    >>> Shift((197, 768)).params((197, 768))
    151296
    """

    shape: Any = None

    def __post_init__(self) -> None:
        _shape(self)

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        out, checks = broadcast((x, Tensor.of(self.shape)))
        return Outcome(out, params=_count(self.shape), checks=checks)


@register
@dataclass(frozen=True)
class LearnedConcat(Layer):
    """``torch.cat([token, x], dim)`` with a learned ``token`` of ``shape``: a class token.

    ``dim`` counts the batch as 0; ``first`` puts the learned tensor before the input.

    >>> LearnedConcat((1, 768), dim=1).output_shape((196, 768))
    (197, 768)
    >>> LearnedConcat((1, 768), dim=1).params((196, 768))
    768
    """

    shape: Any = None
    dim: int = 1
    first: bool = True

    def __post_init__(self) -> None:
        _shape(self)
        if isinstance(self.dim, bool) or not isinstance(self.dim, int) or self.dim == 0:
            raise self._fail(f"dim must be a non-zero integer (0 is the batch), got {self.dim!r}")
        self._flag("first")

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        if x.rank != len(self.shape):
            raise ShapeError(
                f"the learned tensor {format_shape(self.shape)} and the input {format_shape(x.shape)} "
                "must have the same rank"
            )
        axis = self.dim - 1 if self.dim > 0 else self.dim + x.rank
        if not 0 <= axis < x.rank:
            raise ShapeError(f"dim={self.dim} does not fit inputs of {x.rank} dimensions (+ batch)")
        checks = []
        for position, (mine, theirs) in enumerate(zip(self.shape, x.shape, strict=True)):
            if position == axis:
                continue
            holds = sympy.Eq(mine, theirs)
            if holds is sympy.false:
                raise ShapeError(
                    f"sizes must match except along dim {self.dim}, got {format_shape(self.shape)} "
                    f"and {format_shape(x.shape)}"
                )
            if holds is not sympy.true:
                checks.append(Check("the learned tensor's sizes must match the input's", holds))
        out = list(x.shape)
        out[axis] = x.shape[axis] + self.shape[axis]
        return Outcome(Tensor.of(out), params=_count(self.shape), checks=tuple(checks))
