"""Convolutions: Conv1d/2d/3d and ConvTranspose1d/2d/3d, with PyTorch's semantics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

import sympy

from ..errors import ShapeError
from ..exact import rules
from ..exact.conventions import Conventions
from ..exact.rules import Rule
from ..exact.simplify import decide
from ..exact.steps import (
    Bind,
    Check,
    Outcome,
    Step,
    Tensor,
    bias_term,
    derive_step,
    product,
    shown_product,
    size_check,
    spatial_names,
)
from .base import Layer
from .field import Field
from .registry import register
from .window import SAME_ANY_STRIDE, same_any_stride, window_size

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]

KERNEL_NOTATION = {1: ("n",), 2: ("n", "m"), 3: ("q", "n", "m")}
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def channel_checks(layer: Any, channels: sympy.Expr) -> tuple[Check, ...]:
    """in_channels as declared, and groups dividing both channel counts."""
    checks = [
        layer._check_declared("in_channels", channels),
        layer._divides("groups", layer.groups, "in_channels", channels),
        layer._divides("groups", layer.groups, "out_channels", layer.out_channels),
    ]
    return tuple(check for check in checks if check is not None)


def weight_steps(layer: Any, x: Tensor, positions: Bind, params_rule: Rule, macs_rule: Rule) -> tuple[Step, Step]:
    """Parameters and MACs of a convolution or transposed convolution on input ``x``.

    Both share the kernel ``n*m`` (shown with this layer's sizes), the groups
    (left out of the display when 1) and the bias; they differ in their rules.
    """
    kernel = _kernel(layer.kernel_size, layer.dims)
    groups = Bind(layer.groups, "g", omit=layer.groups == 1)
    maps_in, maps_out = Bind(x.shape[0], "l", x.shown[0]), Bind(layer.out_channels, "k")
    rule = params_rule
    params = derive_step("params", rule, kernel=kernel, l=maps_in, k=maps_out, g=groups, b=bias_term(layer.bias))
    macs = derive_step("macs", macs_rule, o=positions, k=maps_out, kernel=kernel, l=maps_in, g=groups)
    return params, macs


def _kernel(kernel_size: tuple[Any, ...], dims: int) -> Bind:
    """The kernel volume ``n*m`` as a rule argument, shown with its sizes (``3*3``): one per kernel size."""
    try:
        return _kernel_bind(kernel_size, dims)
    except TypeError:  # a size SymPy cannot hash
        return _kernel_bind.__wrapped__(kernel_size, dims)


@lru_cache(maxsize=1024)
def _kernel_bind(kernel_size: tuple[Any, ...], dims: int) -> Bind:
    return Bind(product(kernel_size), shown_product(KERNEL_NOTATION[dims]), shown_product(list(kernel_size)))


@dataclass(frozen=True)
class _ConvNd(Layer):
    dims: ClassVar[int] = 2

    in_channels: Any = None
    out_channels: Any = None
    kernel_size: Any = None
    stride: Any = 1
    padding: Any = 0
    dilation: Any = 1
    groups: Any = 1
    bias: bool = True
    padding_mode: str = "zeros"

    def __post_init__(self) -> None:
        self._integer("in_channels", optional=True)
        self._integer("out_channels")
        self._tuple("kernel_size", self.dims)
        self._tuple("stride", self.dims)
        self._tuple("dilation", self.dims)
        self._integer("groups")
        self._flag("bias")
        self._choice("padding_mode", PADDING_MODES)
        if self.padding in ("valid", "same"):
            if self.padding == "same":
                self._same_needs_stride_one()
        elif self.padding in SAME_ANY_STRIDE:
            if self.padding_mode != "zeros":
                raise self._fail(f"padding={self.padding!r} pads with zeros; padding_mode must be 'zeros'")
        else:
            self._tuple("padding", self.dims, minimum=0)

    def _same_needs_stride_one(self) -> None:
        """PyTorch refuses padding='same' with a stride other than 1; a formula stride must be 1."""
        for stride in self.stride:
            holds = decide(sympy.Eq(stride, 1))
            if holds is sympy.false:
                raise self._fail("padding='same' is not supported for strided convolutions")
            if holds is not sympy.true:
                self._defer(Check("stride must be 1 with padding='same'", holds))

    def _padding(self) -> tuple[sympy.Expr, ...]:
        if self.padding == "valid":
            return (sympy.Integer(0),) * self.dims
        return tuple(self.padding)

    def _spatial(self, x: Tensor) -> tuple[tuple[Any, ...], tuple[Check, ...]]:
        if self.padding == "same":
            steps = tuple(
                derive_step(name, rules.size_same, i=Bind(size, "i", shown))
                for name, size, shown in zip(spatial_names(self.dims), x.shape[1:], x.shown[1:], strict=True)
            )
            return steps, ()
        if self.padding in SAME_ANY_STRIDE:
            return same_any_stride(x, self.stride, self.dims), ()
        made = [
            window_size(name, size, shown, kernel, padding, stride, dilation)
            for name, size, shown, kernel, padding, stride, dilation in zip(
                spatial_names(self.dims),
                x.shape[1:],
                x.shown[1:],
                self.kernel_size,
                self._padding(),
                self.stride,
                self.dilation,
                strict=True,
            )
        ]
        return tuple(step for step, _ in made), tuple(check for _, check in made)

    def _padding_mode_checks(self, x: Tensor) -> tuple[Check, ...]:
        """Padding other than zeros copies input values, so it may not reach past the input.

        PyTorch pads with ``F.pad`` first: 'reflect' needs each side's padding < the size,
        'circular' needs it <= the size ("wrapping around more than once"); 'replicate'
        has no limit.  With padding='same' the larger side is the right one, ceil(d*(n-1)/2).
        """
        if self.padding_mode not in ("reflect", "circular"):
            return ()
        if self.padding == "same":
            totals = [dilation * (kernel - 1) for kernel, dilation in zip(self.kernel_size, self.dilation, strict=True)]
            sides = [total - total // 2 for total in totals]
        else:
            sides = list(self._padding())
        relation = sympy.Lt if self.padding_mode == "reflect" else sympy.Le
        wanted = "greater than" if self.padding_mode == "reflect" else "at least"
        return tuple(
            Check(
                f"padding_mode={self.padding_mode!r}: the input {name} must be {wanted} padding {side}",
                relation(side, size),
                Step(name, size),
            )
            for name, size, side in zip(spatial_names(self.dims), x.shape[1:], sides, strict=True)
        )


class _Conv(_ConvNd):
    receptive: ClassVar[Field | None] = Field.WINDOW
    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        self._expect_rank(x, self.dims + 1)
        checks = channel_checks(self, x.shape[0]) + self._padding_mode_checks(x)
        sizes, size_checks = self._spatial(x)
        out = Tensor.of((self.out_channels, *(step.value for step in sizes)))
        positions = Bind(product(out.shape[1:]), "o", shown_product(list(out.shape[1:])))
        params, macs = weight_steps(self, x, positions, rules.conv_params, rules.conv_macs)
        return Outcome(out, sizes, params=params, macs=macs, checks=checks + size_checks)


@register(prefix="conv1d")
@dataclass(frozen=True)
class Conv1d(_Conv):
    """``torch.nn.Conv1d``: input ``(C, L)``."""

    dims: ClassVar[int] = 1


@register(prefix="conv2d")
@dataclass(frozen=True)
class Conv2d(_Conv):
    """``torch.nn.Conv2d``: input ``(C, H, W)``.

    >>> Conv2d(out_channels=32, kernel_size=5).output_shape((1, 28, 28))
    (32, 24, 24)
    >>> Conv2d(out_channels=32, kernel_size=5).params((1, 28, 28))
    832
    """

    dims: ClassVar[int] = 2


@register(prefix="conv3d")
@dataclass(frozen=True)
class Conv3d(_Conv):
    """``torch.nn.Conv3d``: input ``(C, D, H, W)``."""

    dims: ClassVar[int] = 3


@dataclass(frozen=True)
class _ConvTransposeNd(Layer):
    receptive: ClassVar[Field | None] = Field.UPSAMPLE
    dims: ClassVar[int] = 2

    # PyTorch's positional order differs from Conv: output_padding, groups, bias, dilation.
    in_channels: Any = None
    out_channels: Any = None
    kernel_size: Any = None
    stride: Any = 1
    padding: Any = 0
    output_padding: Any = 0
    groups: Any = 1
    bias: bool = True
    dilation: Any = 1
    padding_mode: str = "zeros"

    def __post_init__(self) -> None:
        self._integer("in_channels", optional=True)
        self._integer("out_channels")
        self._tuple("kernel_size", self.dims)
        self._tuple("stride", self.dims)
        if isinstance(self.padding, str) and self.padding in ("same", "valid"):
            raise self._fail(f"padding={self.padding!r} is only supported by (non-transposed) convolutions")
        self._tuple("padding", self.dims, minimum=0)
        self._tuple("output_padding", self.dims, minimum=0)
        self._tuple("dilation", self.dims)
        self._integer("groups")
        self._flag("bias")
        self._choice("padding_mode", ("zeros",))

    def _output_padding_checks(self) -> tuple[Check, ...]:
        checks = []
        for extra, stride, dilation in zip(self.output_padding, self.stride, self.dilation, strict=True):
            holds = sympy.Or(sympy.Lt(extra, stride), sympy.Lt(extra, dilation))
            if holds is sympy.false:
                raise ShapeError(
                    f"output_padding must be smaller than either stride or dilation, "
                    f"got output_padding={extra}, stride={stride}, dilation={dilation}"
                )
            if holds is not sympy.true:
                checks.append(Check("output_padding must be smaller than stride or dilation", holds))
        return tuple(checks)

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        self._expect_rank(x, self.dims + 1)
        checks = channel_checks(self, x.shape[0]) + self._output_padding_checks()
        sizes = tuple(
            derive_step(
                name,
                rules.size_transposed,
                i=Bind(size, "i", shown),
                n=Bind(kernel, "n"),
                p=Bind(padding, "p"),
                s=Bind(stride, "s"),
                d=Bind(dilation, "d"),
                a=Bind(extra, "a"),
            )
            for name, size, shown, kernel, padding, stride, dilation, extra in zip(
                spatial_names(self.dims),
                x.shape[1:],
                x.shown[1:],
                self.kernel_size,
                self.padding,
                self.stride,
                self.dilation,
                self.output_padding,
                strict=True,
            )
        )
        out = Tensor.of((self.out_channels, *(step.value for step in sizes)))
        # Each input position feeds a kernel's worth of outputs.
        positions = Bind(product(x.shape[1:]), "o", shown_product(list(x.shown[1:])))
        params, macs = weight_steps(self, x, positions, rules.conv_transpose_params, rules.conv_transpose_macs)
        size_checks = tuple(size_check(step.quantity, step) for step in sizes)
        return Outcome(out, sizes, params=params, macs=macs, checks=checks + size_checks)


@register(prefix="convtranspose1d")
@dataclass(frozen=True)
class ConvTranspose1d(_ConvTransposeNd):
    """``torch.nn.ConvTranspose1d``."""

    dims: ClassVar[int] = 1


@register(prefix="convtranspose2d")
@dataclass(frozen=True)
class ConvTranspose2d(_ConvTransposeNd):
    """``torch.nn.ConvTranspose2d``."""

    dims: ClassVar[int] = 2


@register(prefix="convtranspose3d")
@dataclass(frozen=True)
class ConvTranspose3d(_ConvTransposeNd):
    """``torch.nn.ConvTranspose3d``."""

    dims: ClassVar[int] = 3
