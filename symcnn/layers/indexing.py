"""Indexing and slicing a tensor: ``x[:, 0]`` (Select) and ``x[:, 1:5:2]`` (Slice).

Indices follow Python and PyTorch: negative ones count from the end; slice
bounds are clipped to the size.  symcnn refuses an empty result, as it refuses
every output size below 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy

from ..errors import ShapeError
from ..exact import rules
from ..exact.conventions import Conventions
from ..exact.simplify import decide
from ..exact.steps import Bind, Check, Outcome, Tensor, derive_step, size_check
from .base import Layer
from .layout import _axis
from .registry import register

__all__ = ["Select", "Slice"]


@register
@dataclass(frozen=True)
class Select(Layer):
    """``x.select(dim, index)``, i.e. ``x[:, index]`` for ``dim=1``: the dimension disappears.

    ``dim`` counts the batch as 0.

    >>> Select(dim=1, index=0).output_shape((197, 768))
    (768,)
    >>> Select(dim=-1, index=-1).output_shape((5, 7))
    (5,)
    """

    dim: int = 1
    index: int = 0

    def __post_init__(self) -> None:
        self._dimension("dim")
        self._integer("index", minimum=None, formula=False)

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        axis = _axis(self, self.dim, x.rank)
        size = x.shape[axis]
        needed = self.index + 1 if self.index >= 0 else -self.index
        holds = decide(sympy.Ge(size, needed))
        rule = f"index {self.index} must be within the size of dim {self.dim}"
        if holds is sympy.false:
            raise ShapeError(f"{rule}, got size {size}")
        checks = () if holds is sympy.true else (Check(rule, holds),)
        return Outcome(Tensor.of((*x.shape[:axis], *x.shape[axis + 1 :])), checks=checks)


@register
@dataclass(frozen=True)
class Slice(Layer):
    """``x[..., start:stop:step]`` along ``dim`` (batch = 0); ``None`` bounds mean the whole range.

    >>> Slice(dim=2, start=0, stop=None, step=2).output_shape((3, 7, 7))
    (3, 4, 7)
    >>> Slice(dim=1, start=None, stop=-1).output_shape((10, 4))
    (9, 4)
    """

    dim: int = 1
    start: int | None = None
    stop: int | None = None
    step: int = 1

    def __post_init__(self) -> None:
        self._dimension("dim")
        for bound in ("start", "stop"):
            if getattr(self, bound) is not None:
                self._integer(bound, minimum=None, formula=False)
        self._integer("step", minimum=None, formula=False)
        if self.step < 1:
            raise self._fail(f"step must be ≥ 1 (PyTorch has no negative steps), got {self.step}")

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        axis = _axis(self, self.dim, x.rank)
        size = x.shape[axis]
        start = _clipped(self.start, size, sympy.Integer(0))
        stop = _clipped(self.stop, size, size)
        step = derive_step(
            "length",
            rules.slice_length,
            start=Bind(start, "start"),
            stop=Bind(stop, "stop"),
            step=Bind(sympy.Integer(self.step), "step"),
        )
        check = size_check("length", step)
        if decide(check.holds) is sympy.false:
            raise ShapeError(check.failure())
        out = Tensor.of((*x.shape[:axis], step.value, *x.shape[axis + 1 :]))
        return Outcome(out, (step,), checks=(check,))


def _clipped(bound: int | None, size: sympy.Expr, default: sympy.Expr) -> sympy.Expr:
    """A slice bound as Python reads it: negative from the end, then clipped to ``[0, size]``."""
    if bound is None:
        return default
    if bound >= 0:
        return sympy.Min(sympy.Integer(bound), size)
    return sympy.Max(size + bound, sympy.Integer(0))
