"""Layers that resize spatial dimensions without weights: ZeroPad, Upsample."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

import sympy

from ..errors import SpecError, UnsupportedError
from ..exact import rules
from ..exact.conventions import Conventions
from ..exact.display import Shown
from ..exact.steps import Bind, Check, Outcome, Step, Tensor, derive_step, size_check, spatial_names
from .base import Layer
from .field import Field
from .registry import register

__all__ = ["Upsample", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d"]


@dataclass(frozen=True)
class _ZeroPad(Layer):
    receptive: ClassVar[Field | None] = Field.PAD
    dims: ClassVar[int] = 2

    padding: Any = None

    def __post_init__(self) -> None:
        raw = self.padding
        if raw is None:
            raise self._fail("padding is required")
        items = list(raw) if isinstance(raw, list | tuple) else [raw] * (2 * self.dims)
        if len(items) != 2 * self.dims:
            raise self._fail(
                f"padding must have {2 * self.dims} values (before, after per dimension, last first), got {len(items)}"
            )
        # PyTorch allows negative padding (cropping); the output size check catches too much.
        self._set("padding", tuple(self._valid_integer(item, "padding", minimum=None) for item in items))

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        self._expect_rank(x, at_least=self.dims)  # PyTorch pads the last dims of any tensor that has them
        lead = x.rank - self.dims
        # PyTorch lists padding from the last dimension backwards: (left, right, top, bottom, ...).
        pairs = [self.padding[2 * index : 2 * index + 2] for index in range(self.dims)][::-1]
        sizes = tuple(
            derive_step(
                name,
                rules.size_padded_sides,
                i=Bind(size, "i", shown),
                p_before=Bind(before, "p_before"),
                p_after=Bind(after, "p_after"),
            )
            for name, size, shown, (before, after) in zip(
                spatial_names(self.dims), x.shape[lead:], x.shown[lead:], pairs, strict=True
            )
        )
        out = Tensor.of((*x.shape[:lead], *(step.value for step in sizes)))
        # PyTorch crops (narrow) before it pads, so the cropping alone may not use up more than the input.
        crops = tuple(
            Check(
                f"padding ({before}, {after}) may crop at most the input {name}",
                sympy.Ge(size + sympy.Min(before, 0) + sympy.Min(after, 0), 0),
                Step(name, size),
            )
            for name, size, (before, after) in zip(spatial_names(self.dims), x.shape[lead:], pairs, strict=True)
        )
        return Outcome(out, sizes, checks=tuple(size_check(step.quantity, step) for step in sizes) + crops)


@register
@dataclass(frozen=True)
class ZeroPad1d(_ZeroPad):
    """``torch.nn.ZeroPad1d``: padding ``(left, right)``."""

    dims: ClassVar[int] = 1


@register
@dataclass(frozen=True)
class ZeroPad2d(_ZeroPad):
    """``torch.nn.ZeroPad2d``: padding int or ``(left, right, top, bottom)``."""

    dims: ClassVar[int] = 2


@register
@dataclass(frozen=True)
class ZeroPad3d(_ZeroPad):
    """``torch.nn.ZeroPad3d``: ``(left, right, top, bottom, front, back)``."""

    dims: ClassVar[int] = 3


def _exact_ratio(value: object, what: str) -> sympy.Rational | float:
    """Scale factors may be written 2, "3/2" or 1.5: exact fractions.

    PyTorch computes ``floor(L * scale)`` in double precision.  A float whose
    binary value is a short dyadic fraction (2.0, 1.5, 0.25) gives that exact
    product, so it becomes a fraction.  Any other float (0.29, 0.3) stays a
    float and is applied the way PyTorch applies it, which needs a numeric
    size: 100 * 0.29 is 28.999999999999996 in floating point, so PyTorch gives
    28 where the fraction 29/100 would give 29.
    """
    if isinstance(value, float):
        exact = Fraction(value)
        if exact.denominator > 2**16:
            if not value > 0:
                raise SpecError(f"{what} must be a positive number, got {value}")
            return value
        value = exact
    from ..exact.values import to_expr

    ratio = to_expr(value, what)
    if not isinstance(ratio, sympy.Rational) or ratio <= 0:
        raise SpecError(f"{what} must be a positive number, got {ratio}")
    return ratio


# PyTorch's interpolation modes and the spatial dimensions each works on (``F.interpolate``).
UPSAMPLE_MODES: dict[str, tuple[int, ...]] = {
    "nearest": (1, 2, 3),
    "nearest-exact": (1, 2, 3),
    "area": (1, 2, 3),
    "linear": (1,),
    "bilinear": (2,),
    "bicubic": (2,),
    "trilinear": (3,),
}
INTERPOLATING_MODES = ("linear", "bilinear", "bicubic", "trilinear")


@register
@dataclass(frozen=True)
class Upsample(Layer):
    """``torch.nn.Upsample``: by ``size`` or by ``scale_factor`` (output floored as in PyTorch)."""
    receptive: ClassVar[Field | None] = Field.UPSAMPLE

    size: Any = None
    scale_factor: Any = None
    mode: str = "nearest"
    align_corners: Any = None
    recompute_scale_factor: Any = None

    def __post_init__(self) -> None:
        if (self.size is None) == (self.scale_factor is None):
            raise self._fail("give exactly one of size and scale_factor")
        self._choice("mode", tuple(UPSAMPLE_MODES))
        if self.align_corners is not None and self.mode not in INTERPOLATING_MODES:
            raise self._fail(f"align_corners can only be set with the modes {', '.join(INTERPOLATING_MODES)}")
        # One value applies to every spatial dimension; a list or tuple gives one per dimension
        # (PyTorch refuses a list of the wrong length, even of length 1).
        if self.scale_factor is not None:
            raw = self.scale_factor
            if isinstance(raw, list | tuple):
                self._set("scale_factor", tuple(_exact_ratio(item, "upsample: scale_factor") for item in raw))
            else:
                self._set("scale_factor", _exact_ratio(raw, "upsample: scale_factor"))
        else:
            raw = self.size
            if isinstance(raw, list | tuple):
                self._set("size", tuple(self._valid_integer(item, "size") for item in raw))
            else:
                self._set("size", self._valid_integer(raw, "size"))

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        self._expect_rank(x, *(dims + 1 for dims in UPSAMPLE_MODES[self.mode]))
        dims = x.rank - 1
        wanted = self.size if self.size is not None else self.scale_factor
        if not isinstance(wanted, tuple):
            wanted = (wanted,) * dims
        if len(wanted) != dims:
            raise SpecError(f"upsample: expected {dims} sizes or scale factors, got {len(wanted)}")
        if self.size is not None:
            return Outcome(Tensor.of((x.shape[0], *wanted)))
        sizes = tuple(
            _scaled(name, size, shown, ratio)
            for name, size, shown, ratio in zip(spatial_names(dims), x.shape[1:], x.shown[1:], wanted, strict=True)
        )
        out = Tensor.of((x.shape[0], *(step.value for step in sizes)))
        return Outcome(out, sizes, checks=tuple(size_check(step.quantity, step) for step in sizes))


def _scaled(name: str, size: sympy.Expr, shown: Shown, ratio: sympy.Rational | float) -> Step:
    if isinstance(ratio, float):
        if not size.is_Integer:
            raise UnsupportedError(
                f"scale_factor {ratio} is rounded in floating point by PyTorch, which has no exact "
                f"formula for the symbolic size {size}; give the size a value, or write the scale as a fraction"
            )
        return Step(name, sympy.Integer(math.floor(float(int(size)) * ratio)))
    return derive_step(
        name,
        rules.size_scaled,
        i=Bind(size, "i", shown),
        u=Bind(sympy.Integer(ratio.p), "u"),
        v=Bind(sympy.Integer(ratio.q), "v"),
    )
