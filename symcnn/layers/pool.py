"""Pooling: MaxPool/AvgPool/LPPool 1d/2d/3d (ceil_mode included) and adaptive pooling."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import sympy

from ..errors import ShapeError
from ..exact.conventions import Conventions
from ..exact.steps import Check, Outcome, Step, Tensor, spatial_names
from .base import Layer
from .field import Field
from .registry import register
from .window import SAME_ANY_STRIDE, same_any_stride, window_size

__all__ = [
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveAvgPool3d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
    "AdaptiveMaxPool3d",
    "AvgPool1d",
    "AvgPool2d",
    "AvgPool3d",
    "LPPool1d",
    "LPPool2d",
    "LPPool3d",
    "MaxPool1d",
    "MaxPool2d",
    "MaxPool3d",
]


class _Pool(Layer):
    """A sliding window without weights; each pool dataclass below declares its arguments in PyTorch's order."""

    receptive: ClassVar[Field | None] = Field.WINDOW
    dims: ClassVar[int] = 2
    input_covers_kernel: ClassVar[bool] = False

    kernel_size: Any  # annotations only: the fields (and their order) are each subclass's
    stride: Any
    padding: Any
    ceil_mode: bool

    def _normalise(self) -> None:
        self._tuple("kernel_size", self.dims)
        if self.stride is None or self.stride == []:  # type: ignore[attr-defined]
            self._set("stride", self.kernel_size)
        else:
            self._tuple("stride", self.dims)
        if isinstance(self.padding, str) and self.padding in SAME_ANY_STRIDE:
            pass  # TensorFlow's and ONNX's 'same': ceil(i/s) windows, whatever the kernel
        elif isinstance(self.padding, str) and self.padding in ("same", "valid"):
            raise self._fail(f"padding={self.padding!r} is only supported by convolutions")
        else:
            self._tuple("padding", self.dims, minimum=0)
        self._flag("ceil_mode")

    def _dilation(self) -> tuple[sympy.Expr, ...]:
        return (sympy.Integer(1),) * self.dims

    def _padding_checks(self) -> tuple[Check, ...]:
        """PyTorch: padding may be at most half the kernel (``p <= floor(n/2)``)."""
        if self.padding in SAME_ANY_STRIDE:
            return ()
        checks = []
        for padding, kernel in zip(self.padding, self.kernel_size, strict=True):  # type: ignore[attr-defined]
            holds = sympy.Le(2 * padding, kernel)
            if holds is sympy.false:
                raise ShapeError(
                    f"pad should be at most half of kernel size, got padding={padding}, kernel_size={kernel}"
                )
            if holds is not sympy.true:
                checks.append(Check("padding must be at most half of kernel_size", holds))
        return tuple(checks)

    def _input_checks(self, x: Tensor) -> tuple[Check, ...]:
        """PyTorch's AvgPool3d alone needs the input, unpadded, at least the kernel in every dimension.

        ATen's ``pool3d_shape_check`` runs with ``check_input_size=true`` for ``avg_pool3d``:
        "input image (T: ... H: ... W: ...) smaller than kernel size".
        """
        if not self.input_covers_kernel:
            return ()
        return tuple(
            Check(f"input {name} must be at least the kernel size {kernel}", sympy.Ge(size, kernel), Step(name, size))
            for name, size, kernel in zip(spatial_names(self.dims), x.shape[1:], self.kernel_size, strict=True)
        )

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        self._expect_rank(x, self.dims + 1)
        checks = self._padding_checks() + self._input_checks(x)
        if self.padding in SAME_ANY_STRIDE:
            out = Tensor.of((x.shape[0], *(step.value for step in same_any_stride(x, self.stride, self.dims))))
            return Outcome(out, same_any_stride(x, self.stride, self.dims), checks=checks)
        made = [
            window_size(name, size, shown, kernel, padding, stride, dilation, ceil_mode=self.ceil_mode)  # type: ignore[attr-defined]
            for name, size, shown, kernel, padding, stride, dilation in zip(
                spatial_names(self.dims),
                x.shape[1:],
                x.shown[1:],
                self.kernel_size,  # type: ignore[attr-defined]
                self.padding,
                self.stride,
                self._dilation(),
                strict=True,  # type: ignore[attr-defined]
            )
        ]
        sizes = tuple(step for step, _ in made)
        out = Tensor.of((x.shape[0], *(step.value for step in sizes)))
        return Outcome(out, sizes, checks=checks + tuple(check for _, check in made))


@dataclass(frozen=True)
class _MaxPool(_Pool):
    kernel_size: Any = None
    stride: Any = None
    padding: Any = 0
    dilation: Any = 1
    return_indices: bool = False
    ceil_mode: bool = False

    def __post_init__(self) -> None:
        self._normalise()
        self._tuple("dilation", self.dims)
        self._flag("return_indices")

    def _dilation(self) -> tuple[sympy.Expr, ...]:
        return tuple(self.dilation)


@dataclass(frozen=True)
class _AvgPool(_Pool):
    kernel_size: Any = None
    stride: Any = None
    padding: Any = 0
    ceil_mode: bool = False
    count_include_pad: bool = True
    divisor_override: Any = None

    def __post_init__(self) -> None:
        self._normalise()
        self._flag("count_include_pad")
        if self.dims == 1 and self.divisor_override is not None:
            raise self._fail("divisor_override is not an argument of PyTorch's AvgPool1d")
        self._integer("divisor_override", optional=True)


@register
@dataclass(frozen=True)
class MaxPool1d(_MaxPool):
    """``torch.nn.MaxPool1d``: input ``(C, L)``."""

    dims: ClassVar[int] = 1


@register
@dataclass(frozen=True)
class MaxPool2d(_MaxPool):
    """``torch.nn.MaxPool2d``; ``stride`` defaults to ``kernel_size``.

    >>> MaxPool2d(2).output_shape((32, 24, 24))
    (32, 12, 12)
    """

    dims: ClassVar[int] = 2


@register
@dataclass(frozen=True)
class MaxPool3d(_MaxPool):
    """``torch.nn.MaxPool3d``."""

    dims: ClassVar[int] = 3


@register
@dataclass(frozen=True)
class AvgPool1d(_AvgPool):
    """``torch.nn.AvgPool1d``."""

    dims: ClassVar[int] = 1


@register
@dataclass(frozen=True)
class AvgPool2d(_AvgPool):
    """``torch.nn.AvgPool2d``."""

    dims: ClassVar[int] = 2


@register
@dataclass(frozen=True)
class AvgPool3d(_AvgPool):
    """``torch.nn.AvgPool3d``; unlike 1d/2d, PyTorch wants the unpadded input at least the kernel."""

    dims: ClassVar[int] = 3
    input_covers_kernel: ClassVar[bool] = True



@dataclass(frozen=True)
class _LPPool(_Pool):
    """The power-average pool: ``(sum of x**p over the window) ** (1/p)``; an average pool's window, no padding.

    PyTorch computes it as ``avg_pool(x**p)`` scaled back, so the sizes are an average
    pool's with ``padding=0`` (and AvgPool3d's rule that the input covers the kernel).
    """

    norm_type: Any = None
    kernel_size: Any = None
    stride: Any = None
    ceil_mode: bool = False
    padding: Any = field(default=0, init=False, repr=False)  # PyTorch's LPPool has none

    def __post_init__(self) -> None:
        if isinstance(self.norm_type, bool) or not isinstance(self.norm_type, int | float) or self.norm_type <= 0:
            raise self._fail(f"norm_type must be a positive number (the p of the p-norm), got {self.norm_type!r}")
        if self.dims == 1 and isinstance(self.kernel_size, list | tuple):  # PyTorch multiplies by it
            raise self._fail(f"kernel_size of LPPool1d must be one integer, got {self.kernel_size!r}")
        self._normalise()


@register
@dataclass(frozen=True)
class LPPool1d(_LPPool):
    """``torch.nn.LPPool1d(norm_type, kernel_size, stride=None, ceil_mode=False)``."""

    dims: ClassVar[int] = 1


@register
@dataclass(frozen=True)
class LPPool2d(_LPPool):
    """``torch.nn.LPPool2d``: a window like AvgPool2d's without padding.

    >>> LPPool2d(2, 3, stride=2).output_shape((8, 15, 16))
    (8, 7, 7)
    """

    dims: ClassVar[int] = 2


@register
@dataclass(frozen=True)
class LPPool3d(_LPPool):
    """``torch.nn.LPPool3d``; like AvgPool3d, PyTorch wants the input at least the kernel."""

    dims: ClassVar[int] = 3
    input_covers_kernel: ClassVar[bool] = True


@dataclass(frozen=True)
class _AdaptivePool(Layer):
    receptive: ClassVar[Field | None] = Field.ADAPTIVE
    dims: ClassVar[int] = 2

    output_size: Any = None

    def __post_init__(self) -> None:
        raw = self.output_size
        if raw is None:
            raise self._fail("output_size is required")
        items = list(raw) if isinstance(raw, list | tuple) else [raw] * self.dims
        if len(items) != self.dims:
            raise self._fail(f"output_size must have {self.dims} values, got {len(items)}")
        self._set(
            "output_size", tuple(None if item is None else self._valid_integer(item, "output_size") for item in items)
        )

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        self._expect_rank(x, self.dims + 1)
        sizes = tuple(
            size if wanted is None else wanted for size, wanted in zip(x.shape[1:], self.output_size, strict=True)
        )
        return Outcome(Tensor.of((x.shape[0], *sizes)))


@dataclass(frozen=True)
class _AdaptiveMaxPool(_AdaptivePool):
    return_indices: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        self._flag("return_indices")


@register
@dataclass(frozen=True)
class AdaptiveAvgPool1d(_AdaptivePool):
    """``torch.nn.AdaptiveAvgPool1d``."""

    dims: ClassVar[int] = 1


@register
@dataclass(frozen=True)
class AdaptiveAvgPool2d(_AdaptivePool):
    """``torch.nn.AdaptiveAvgPool2d``; ``None`` in ``output_size`` keeps that size."""

    dims: ClassVar[int] = 2


@register
@dataclass(frozen=True)
class AdaptiveAvgPool3d(_AdaptivePool):
    """``torch.nn.AdaptiveAvgPool3d``."""

    dims: ClassVar[int] = 3


@register
@dataclass(frozen=True)
class AdaptiveMaxPool1d(_AdaptiveMaxPool):
    """``torch.nn.AdaptiveMaxPool1d``."""

    dims: ClassVar[int] = 1


@register
@dataclass(frozen=True)
class AdaptiveMaxPool2d(_AdaptiveMaxPool):
    """``torch.nn.AdaptiveMaxPool2d``."""

    dims: ClassVar[int] = 2


@register
@dataclass(frozen=True)
class AdaptiveMaxPool3d(_AdaptiveMaxPool):
    """``torch.nn.AdaptiveMaxPool3d``."""

    dims: ClassVar[int] = 3
