"""Padding by reflection, replication and wrapping: ReflectionPad, ReplicationPad, CircularPad 1d/2d/3d.

The sizes are ZeroPad's (``i + p_before + p_after``, padding listed from the
last dimension backwards); only the values written into the border differ,
and with them PyTorch's limits: a reflection needs each padding below the
input size, a circular padding at most the input size (it wraps around once).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import sympy

from ..exact.conventions import Conventions
from ..exact.steps import Check, Outcome, Step, Tensor, size_check, spatial_names
from .field import Field
from .registry import register
from .resize import _ZeroPad

__all__ = [
    "CircularPad1d",
    "CircularPad2d",
    "CircularPad3d",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReflectionPad3d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "ReplicationPad3d",
]


@dataclass(frozen=True)
class _ModePad(_ZeroPad):
    receptive: ClassVar[Field | None] = None  # no receptive field through it: the analysis refuses, naming the layer
    #: How each padding compares with the input size it reads from ("<" or "<="), or None.
    limit: ClassVar[str | None] = None
    mode: ClassVar[str] = ""

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        outcome = super().apply(inputs, conventions)
        # ZeroPad crops before it pads; these pad first, so only the output size and the mode's limit count.
        outcome = Outcome(outcome.output, outcome.sizes, checks=tuple(size_check(s.quantity, s) for s in outcome.sizes))
        if self.limit is None:
            return outcome
        (x,) = inputs
        lead = x.rank - self.dims
        pairs = [self.padding[2 * index : 2 * index + 2] for index in range(self.dims)][::-1]
        compare = sympy.Lt if self.limit == "<" else sympy.Le
        wording = "less than" if self.limit == "<" else "at most"
        checks = tuple(
            Check(f"{self.mode} padding {pad} must be {wording} the input {name}", compare(pad, size), Step(name, size))
            for name, size, pair in zip(spatial_names(self.dims), x.shape[lead:], pairs, strict=True)
            for pad in pair
        )
        return Outcome(outcome.output, outcome.sizes, checks=outcome.checks + checks)


@dataclass(frozen=True)
class _ReflectionPad(_ModePad):
    limit: ClassVar[str | None] = "<"
    mode: ClassVar[str] = "reflection"


@dataclass(frozen=True)
class _CircularPad(_ModePad):
    limit: ClassVar[str | None] = "<="
    mode: ClassVar[str] = "circular"


@register
@dataclass(frozen=True)
class ReflectionPad1d(_ReflectionPad):
    """``torch.nn.ReflectionPad1d``: padding ``(left, right)``, each below the input length.

    >>> ReflectionPad1d((2, 1)).output_shape((4, 10))
    (4, 13)
    """

    dims: ClassVar[int] = 1


@register
@dataclass(frozen=True)
class ReflectionPad2d(_ReflectionPad):
    """``torch.nn.ReflectionPad2d``: padding int or ``(left, right, top, bottom)``."""

    dims: ClassVar[int] = 2


@register
@dataclass(frozen=True)
class ReflectionPad3d(_ReflectionPad):
    """``torch.nn.ReflectionPad3d``: ``(left, right, top, bottom, front, back)``."""

    dims: ClassVar[int] = 3


@register
@dataclass(frozen=True)
class ReplicationPad1d(_ModePad):
    """``torch.nn.ReplicationPad1d``: padding ``(left, right)``; any size repeats the edge."""

    dims: ClassVar[int] = 1


@register
@dataclass(frozen=True)
class ReplicationPad2d(_ModePad):
    """``torch.nn.ReplicationPad2d``: padding int or ``(left, right, top, bottom)``."""

    dims: ClassVar[int] = 2


@register
@dataclass(frozen=True)
class ReplicationPad3d(_ModePad):
    """``torch.nn.ReplicationPad3d``: ``(left, right, top, bottom, front, back)``."""

    dims: ClassVar[int] = 3


@register
@dataclass(frozen=True)
class CircularPad1d(_CircularPad):
    """``torch.nn.CircularPad1d``: padding ``(left, right)``, each at most the input length."""

    dims: ClassVar[int] = 1


@register
@dataclass(frozen=True)
class CircularPad2d(_CircularPad):
    """``torch.nn.CircularPad2d``: padding int or ``(left, right, top, bottom)``.

    >>> CircularPad2d(1).output_shape((3, 8, 8))
    (3, 10, 10)
    """

    dims: ClassVar[int] = 2


@register
@dataclass(frozen=True)
class CircularPad3d(_CircularPad):
    """``torch.nn.CircularPad3d``: ``(left, right, top, bottom, front, back)``."""

    dims: ClassVar[int] = 3
