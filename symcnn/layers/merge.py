"""Layers that join branches: Add (residual), Concat (channels), Multiply (gating)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import sympy

from ..errors import ShapeError
from ..exact.conventions import Conventions
from ..exact.simplify import decide
from ..exact.steps import Check, Outcome, Tensor, format_shape
from .base import Layer
from .field import Field
from .registry import register

__all__ = ["Add", "Concat", "Multiply"]


def _same(a: sympy.Expr, b: sympy.Expr) -> sympy.Basic:
    """``true`` when provably equal, ``false`` when provably not, else the equation."""
    if a == b:  # the same expression: no expansion (most branches of a numeric network)
        return sympy.true
    if a.is_Integer and b.is_Integer:
        return sympy.false
    if sympy.expand(a - b) == 0:
        return sympy.true
    return sympy.Eq(a, b)


def broadcast(tensors: Sequence[Tensor]) -> tuple[Tensor, tuple[Check, ...]]:
    """PyTorch broadcasting, aligned at the last dimension; sizes must match or be 1.

    Two sizes that are neither provably equal nor provably 1 (``c`` and ``k``)
    broadcast to ``Max(c, k)`` under the condition that they are equal or one is
    1: exact for every value, where assuming ``c = k`` would refuse ``c = 1``.
    """
    rank = max(tensor.rank for tensor in tensors)
    padded = [(sympy.Integer(1),) * (rank - t.rank) + t.shape for t in tensors]
    sizes, checks = [], []
    for position in range(rank):
        column = [shape[position] for shape in padded if shape[position] != 1]
        size = column[0] if column else sympy.Integer(1)
        for other in column[1:]:
            if _same(size, other) is sympy.true:
                continue
            holds = decide(sympy.Or(sympy.Eq(size, other), sympy.Eq(size, 1), sympy.Eq(other, 1)))
            if holds is sympy.false:
                shapes = ", ".join(format_shape(t.shape) for t in tensors)
                raise ShapeError(f"shapes must match or be 1 in each dimension, got {shapes}")
            if holds is not sympy.true:
                checks.append(Check("branch sizes must match or be 1", holds))
            size = sympy.Max(size, other)
        sizes.append(size)
    return Tensor.of(sizes), tuple(checks)


@dataclass(frozen=True)
class _Merge(Layer):
    arity: ClassVar[int] = 0

    def _inputs(self, inputs: Sequence[Tensor]) -> None:
        if len(inputs) < 2:
            raise ShapeError(f"needs at least 2 inputs, got {len(inputs)}")


@register
@dataclass(frozen=True)
class Add(_Merge):
    """Elementwise sum of branches (residual connections); broadcasts like ``+``."""
    receptive: ClassVar[Field | None] = Field.MERGE

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        self._inputs(inputs)
        out, checks = broadcast(inputs)
        return Outcome(out, checks=checks)


@register
@dataclass(frozen=True)
class Multiply(_Merge):
    """Elementwise product (squeeze-and-excitation gating); broadcasts like ``*``."""
    receptive: ClassVar[Field | None] = Field.MERGE

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        self._inputs(inputs)
        out, checks = broadcast(inputs)
        return Outcome(out, checks=checks)


@register
@dataclass(frozen=True)
class Concat(_Merge):
    """``torch.cat`` along ``dim`` (PyTorch numbering, batch = 0; default 1 = channels)."""
    receptive: ClassVar[Field | None] = Field.CONCAT

    dim: int = 1

    def __post_init__(self) -> None:
        self._dimension("dim")

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        self._inputs(inputs)
        rank = inputs[0].rank
        if any(tensor.rank != rank for tensor in inputs):
            raise ShapeError(f"inputs must have the same rank, got {', '.join(format_shape(t.shape) for t in inputs)}")
        axis = self.dim - 1 if self.dim > 0 else self.dim + rank
        if not 0 <= axis < rank:
            raise ShapeError(f"dim={self.dim} does not fit inputs of {rank} dimensions (+ batch)")
        checks: list[Check] = []
        for position in range(rank):
            if position == axis:
                continue
            first = inputs[0].shape[position]
            for tensor in inputs[1:]:
                holds = _same(first, tensor.shape[position])
                if holds is sympy.false:
                    shapes = ", ".join(format_shape(t.shape) for t in inputs)
                    raise ShapeError(f"sizes must match except along dim {self.dim}, got {shapes}")
                if holds is not sympy.true:
                    checks.append(Check("branch sizes must match", holds))
        parts = [tensor.shape[axis] for tensor in inputs]
        if all(isinstance(part, sympy.Integer) for part in parts):  # numbers: summed as Python ints
            joined: sympy.Expr = sympy.Integer(sum(int(part) for part in parts))
        else:
            joined = sympy.Add(*parts)
        out = list(inputs[0].shape)
        out[axis] = joined
        return Outcome(Tensor.of(out), checks=tuple(checks))
