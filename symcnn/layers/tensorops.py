"""Tensor operations that keep or rearrange values: constants, roll, stack, pixel shuffles.

None of them has parameters or counts MACs (elementwise arithmetic counts 0,
like an activation); they change shapes exactly as PyTorch does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import sympy

from ..errors import ShapeError
from ..exact import rules
from ..exact.conventions import Conventions
from ..exact.simplify import decide
from ..exact.steps import Bind, Check, Outcome, Tensor, derive_step, format_shape
from ..exact.values import to_expr
from .base import Layer
from .layout import _axis
from .registry import register

__all__ = ["ConstantOp", "PixelShuffle", "PixelUnshuffle", "Roll", "Stack"]

_OPERATIONS = ("add", "sub", "rsub", "mul", "div", "rdiv", "pow")


@register
@dataclass(frozen=True)
class ConstantOp(Layer):
    """Arithmetic with a constant: ``x * 0.5`` is ``ConstantOp("mul", "1/2")``; the shape is kept.

    ``rsub``/``rdiv`` put the constant first (``1 - x``).  Decimals are exact.

    >>> ConstantOp("mul", "0.5").constant
    1/2
    >>> ConstantOp("add", 1).output_shape((3, 8, 8))
    (3, 8, 8)
    """

    operation: str = "mul"
    constant: Any = 1

    def __post_init__(self) -> None:
        self._choice("operation", _OPERATIONS)
        value = self.constant
        if isinstance(value, float):
            value = repr(value)  # the decimal Python shows, read exactly
        self._set("constant", to_expr(value, "constant"))

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        return Outcome(x)


@register
@dataclass(frozen=True)
class Roll(Layer):
    """``torch.roll(x, shifts, dims)``: values move around along ``dims`` (batch = 0); the shape is kept.

    >>> Roll((-3, -3), (1, 2)).output_shape((56, 56, 96))
    (56, 56, 96)
    """

    shifts: Any = 0
    dims: Any = 1

    def __post_init__(self) -> None:
        shifts = tuple(self.shifts) if isinstance(self.shifts, list | tuple) else (self.shifts,)
        dims = tuple(self.dims) if isinstance(self.dims, list | tuple) else (self.dims,)
        if len(shifts) != len(dims):
            raise self._fail(f"shifts and dims must have the same length, got {len(shifts)} and {len(dims)}")
        for dim in dims:
            if isinstance(dim, bool) or not isinstance(dim, int) or dim == 0:
                raise self._fail(f"dims must be non-zero integers (0 is the batch), got {dim!r}")
        self._set("shifts", tuple(to_expr(shift, "shifts") for shift in shifts))
        self._set("dims", dims)

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        for dim in self.dims:
            _axis(self, dim, x.rank)
        return Outcome(x)


@register
@dataclass(frozen=True)
class Stack(Layer):
    """``torch.stack(tensors, dim)``: equal shapes joined along a new dimension ``dim`` (batch = 0).

    >>> Stack(dim=1)._stacked([(4, 5), (4, 5), (4, 5)])
    (3, 4, 5)
    """

    arity: ClassVar[int] = 0

    dim: int = 1

    def __post_init__(self) -> None:
        if isinstance(self.dim, bool) or not isinstance(self.dim, int) or self.dim == 0:
            raise self._fail(f"dim must be a non-zero integer (0 is the batch), got {self.dim!r}")

    def _stacked(self, shapes: Sequence[Sequence[Any]]) -> tuple[sympy.Expr, ...]:
        outcome = self.apply([Tensor.of(to_expr(size, "size") for size in shape) for shape in shapes], Conventions())
        return outcome.output.shape

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        if len(inputs) < 1:
            raise ShapeError("needs at least 1 input")
        first = inputs[0]
        checks: list[Check] = []
        for tensor in inputs[1:]:
            mismatch = (
                f"inputs must have the same shape, got {format_shape(first.shape)} and {format_shape(tensor.shape)}"
            )
            if tensor.rank != first.rank:
                raise ShapeError(mismatch)
            for mine, theirs in zip(first.shape, tensor.shape, strict=True):
                holds = decide(sympy.Eq(mine, theirs))
                if holds is sympy.false:
                    raise ShapeError(mismatch)
                if holds is not sympy.true:
                    checks.append(Check("stacked shapes must match", holds))
        rank = first.rank + 1
        axis = self.dim - 1 if self.dim > 0 else self.dim + rank
        if not 0 <= axis < rank:
            raise ShapeError(f"dim={self.dim} does not fit the result's {rank} dimensions (+ batch)")
        out = (*first.shape[:axis], sympy.Integer(len(inputs)), *first.shape[axis:])
        return Outcome(Tensor.of(out), checks=tuple(checks))


@register
@dataclass(frozen=True)
class PixelShuffle(Layer):
    """``nn.PixelShuffle(q)``: ``(C*q*q, H, W)`` to ``(C, H*q, W*q)``.

    >>> PixelShuffle(2).output_shape((12, 5, 7))
    (3, 10, 14)
    """

    upscale_factor: Any = None

    def __post_init__(self) -> None:
        self._integer("upscale_factor")

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        if x.rank < 3:
            raise ShapeError(f"input must be (..., C, H, W), got {format_shape(x.shape)}")
        q = self.upscale_factor
        channels = x.shape[-3]
        checks: list[Check] = []
        holds = decide(sympy.Eq(sympy.Mod(channels, q * q), 0))
        if holds is sympy.false:
            raise ShapeError(
                f"the channels must be divisible by the square of upscale_factor ({q * q}), got {channels}"
            )
        if holds is not sympy.true:
            checks.append(Check(f"the channels must be divisible by {q * q}", holds))
        sizes = [
            derive_step(name, rules.size_shuffled, i=Bind(size, "i", shown), q=Bind(q, "q"))
            for name, size, shown in zip(("height", "width"), x.shape[-2:], x.shown[-2:], strict=True)
        ]
        out = (*x.shape[:-3], channels / (q * q), sizes[0].value, sizes[1].value)
        return Outcome(Tensor.of(out), tuple(sizes), checks=tuple(checks))


@register
@dataclass(frozen=True)
class PixelUnshuffle(Layer):
    """``nn.PixelUnshuffle(q)``: ``(C, H*q, W*q)`` to ``(C*q*q, H, W)``; ``q`` must divide ``H`` and ``W``.

    >>> PixelUnshuffle(2).output_shape((3, 10, 14))
    (12, 5, 7)
    """

    downscale_factor: Any = None

    def __post_init__(self) -> None:
        self._integer("downscale_factor")

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        if x.rank < 3:
            raise ShapeError(f"input must be (..., C, H, W), got {format_shape(x.shape)}")
        q = self.downscale_factor
        checks: list[Check] = []
        for name, size in zip(("height", "width"), x.shape[-2:], strict=True):
            holds = decide(sympy.Eq(sympy.Mod(size, q), 0))
            if holds is sympy.false:
                raise ShapeError(f"the {name} must be divisible by downscale_factor ({q}), got {size}")
            if holds is not sympy.true:
                checks.append(Check(f"downscale_factor {q} must divide the {name}", holds))
        sizes = [
            derive_step(name, rules.size_unshuffled, i=Bind(size, "i", shown), q=Bind(q, "q"))
            for name, size, shown in zip(("height", "width"), x.shape[-2:], x.shown[-2:], strict=True)
        ]
        out = (*x.shape[:-3], x.shape[-3] * q * q, sizes[0].value, sizes[1].value)
        return Outcome(Tensor.of(out), tuple(sizes), checks=tuple(checks))
