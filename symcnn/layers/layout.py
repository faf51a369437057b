"""Layers that only rearrange values: Unflatten, Permute, Chunk.

They have no parameters and no MACs.  Dimensions use PyTorch's numbering, in
which the batch is dimension 0 (as in ``Flatten`` and ``Concat``); the batch
itself is never moved, split or merged, because symcnn's shapes leave it out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy

from ..errors import ShapeError
from ..exact.conventions import Conventions
from ..exact.simplify import at_least_one
from ..exact.steps import Check, Outcome, Step, Tensor, format_shape, product
from .base import Layer
from .registry import register

__all__ = ["Chunk", "Permute", "Unflatten"]


def _axis(layer: Layer, dim: int, rank: int) -> int:
    """PyTorch's ``dim`` (batch = 0, negative from the end) as an index into a shape without batch."""
    axis = dim - 1 if dim > 0 else dim + rank
    if dim == 0 or not 0 <= axis < rank:
        raise ShapeError(f"dim={dim} does not fit an input of {rank} dimensions (+ batch)")
    return axis


@register
@dataclass(frozen=True)
class Unflatten(Layer):
    """``torch.nn.Unflatten``: split dimension ``dim`` into ``unflattened_size``.

    One size may be -1 (inferred), as in PyTorch.

    >>> Unflatten(1, (2, -1)).output_shape((116, 28, 28))
    (2, 58, 28, 28)
    """

    dim: int = 1
    unflattened_size: Any = None

    def __post_init__(self) -> None:
        self._dimension("dim")
        raw = self.unflattened_size
        if raw is None:
            raise self._fail("unflattened_size is required")
        items = list(raw) if isinstance(raw, list | tuple) else [raw]
        if not items:
            raise self._fail("unflattened_size must not be empty")
        if sum(1 for item in items if isinstance(item, int) and not isinstance(item, bool) and item == -1) > 1:
            raise self._fail("only one size in unflattened_size may be -1")
        self._set(
            "unflattened_size",
            tuple(sympy.Integer(-1) if item == -1 else self._valid_integer(item, "unflattened_size") for item in items),
        )

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        axis = _axis(self, self.dim, x.rank)
        size = x.shape[axis]
        known = product(item for item in self.unflattened_size if item != -1)
        sizes = list(self.unflattened_size)
        if -1 in sizes:
            check = self._divides("the product of the given sizes", known, f"dim {self.dim}", size)
            sizes[sizes.index(-1)] = sympy.cancel(size / known)
        else:
            check = self._must_hold(
                "unflattened_size must multiply to the input size",
                sympy.Eq(known, size),
                f"unflattened_size {format_shape(self.unflattened_size)} must multiply to the size {size}",
            )
        checks = [] if check is None else [check]
        out = Tensor.of((*x.shape[:axis], *sizes, *x.shape[axis + 1 :]))
        return Outcome(out, checks=tuple(checks))


@register
@dataclass(frozen=True)
class Permute(Layer):
    """``torch.permute(x, dims)`` (torchvision's ``Permute``): reorder dimensions.

    ``dims`` counts the batch as 0 and must keep it first: ``Permute((0, 2, 3, 1))``
    turns ``(C, H, W)`` into ``(H, W, C)``.

    >>> Permute((0, 2, 3, 1)).output_shape((96, 56, 56))
    (56, 56, 96)
    """

    dims: Any = None

    def __post_init__(self) -> None:
        raw = self.dims
        if not isinstance(raw, list | tuple) or not raw:
            raise self._fail(f"dims must be a list of dimensions, got {raw!r}")
        self._set("dims", tuple(self._valid_integer(item, "dims", minimum=None, formula=False) for item in raw))

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        rank = x.rank + 1  # with the batch
        if len(self.dims) != rank:
            raise ShapeError(f"dims {self.dims} must list all {rank} dimensions (with the batch), got {len(self.dims)}")
        order = [dim + rank if dim < 0 else dim for dim in self.dims]
        if sorted(order) != list(range(rank)):
            raise ShapeError(f"dims {self.dims} must be a permutation of 0..{rank - 1}")
        if order[0] != 0:
            raise ShapeError(f"dims {self.dims} would move the batch dimension (0), which symcnn leaves out")
        return Outcome(
            Tensor(tuple(x.shape[dim - 1] for dim in order[1:]), tuple(x.shown[dim - 1] for dim in order[1:]))
        )


@register
@dataclass(frozen=True)
class Chunk(Layer):
    """Chunk number ``index`` of ``torch.chunk(x, chunks, dim)``.

    Every chunk has ``ceil(size/chunks)`` entries except possibly the last, as
    in PyTorch (which may return fewer than ``chunks`` chunks).  ``dim``
    counts the batch as 0 and defaults to 1, the channels.

    >>> Chunk(2, dim=1, index=1).output_shape((116, 28, 28))
    (58, 28, 28)
    >>> Chunk(3, dim=1, index=2).output_shape((8, 5, 5))
    (2, 5, 5)
    """

    chunks: Any = None
    dim: int = 1
    index: int = 0

    def __post_init__(self) -> None:
        self._integer("chunks")
        self._dimension("dim")
        self._integer("index", minimum=0, formula=False)
        if self.chunks.is_number and self.index >= self.chunks:
            raise self._fail(f"index must be smaller than chunks ({self.chunks}), got {self.index}")

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        axis = _axis(self, self.dim, x.rank)
        size = x.shape[axis]
        each = sympy.ceiling(size / self.chunks)
        value = sympy.Min(each, size - self.index * each)
        step = Step("chunk size", value)
        holds = at_least_one(value)
        if holds is sympy.false:
            raise ShapeError(f"chunk {self.index} of a size-{size} dimension split into {self.chunks} does not exist")
        checks = () if holds is sympy.true else (Check(f"chunk {self.index} must exist", holds),)
        out = Tensor.of((*x.shape[:axis], value, *x.shape[axis + 1 :]))
        return Outcome(out, (step,), checks=checks)
