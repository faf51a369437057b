"""Reductions over dimensions: Mean (``x.mean(dim, keepdim)``).

Global average pooling written as ``x.mean([2, 3])`` (ShuffleNet, MnasNet) or
``x.mean((2, 3), keepdim=True)`` (squeeze-and-excitation).  No parameters and,
like pooling, no MACs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import sympy

from ..errors import ShapeError
from ..exact.conventions import Conventions
from ..exact.steps import Outcome, Tensor
from .base import Layer
from .field import Field
from .registry import register

__all__ = ["Mean"]


@register
@dataclass(frozen=True)
class Mean(Layer):
    """``torch.mean(x, dim, keepdim)``; ``dim`` counts the batch as 0 and must not include it.

    >>> Mean((2, 3)).output_shape((1024, 7, 7))
    (1024,)
    >>> Mean((-2, -1), keepdim=True).output_shape((1024, 7, 7))
    (1024, 1, 1)
    """
    receptive: ClassVar[Field | None] = Field.MEAN

    dim: Any = None
    keepdim: bool = False

    def __post_init__(self) -> None:
        raw = self.dim
        if raw is None:
            raise self._fail("dim is required: a mean over every dimension would include the batch")
        items = list(raw) if isinstance(raw, list | tuple) else [raw]
        if not items:
            raise self._fail("dim must name at least one dimension")
        dims = tuple(self._valid_integer(item, "dim", minimum=None, formula=False) for item in items)
        if 0 in dims:
            raise self._fail("dim must not include 0: dimension 0 is the batch, which symcnn leaves out")
        self._set("dim", dims)
        self._flag("keepdim")

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        rank = x.rank + 1  # with the batch
        axes = set()
        for dim in self.dim:
            position = dim + rank if dim < 0 else dim
            if not 1 <= position < rank:
                raise ShapeError(f"dim={dim} does not fit an input of {x.rank} dimensions (+ batch)")
            if position in axes:
                raise ShapeError(f"dim {dim} appears twice in {self.dim}")
            axes.add(position)
        kept = [
            (sympy.Integer(1), None) if position + 1 in axes else (size, shown)
            for position, (size, shown) in enumerate(zip(x.shape, x.shown, strict=True))
            if self.keepdim or position + 1 not in axes
        ]
        shape = tuple(size for size, _ in kept)
        fresh = Tensor.of(shape)
        shown = tuple(fresh.shown[index] if item is None else item for index, (_, item) in enumerate(kept))
        return Outcome(Tensor(shape, shown))
