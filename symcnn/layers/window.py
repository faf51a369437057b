"""Output size of a sliding window along one dimension (convolution, pooling).

The rule shown is the simplest textbook relationship that applies to the
layer's values; all of them agree with PyTorch's general formula there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy

from ..exact import rules
from ..exact.display import Leaf, Shown
from ..exact.rules import Rule
from ..exact.simplify import decide
from ..exact.steps import Bind, Check, Step, Tensor, Window, derive_step, size_check, spatial_names

# TensorFlow's (Keras's) and ONNX's 'same' for any stride: ceil(i/s) outputs, the total padding
# max((ceil(i/s) - 1)*s + d*(k - 1) + 1 - i, 0), its odd element at the end ("same_upper": TensorFlow,
# ONNX SAME_UPPER) or the start ("same_lower": ONNX SAME_LOWER).  Shapes and counts are the same.
SAME_ANY_STRIDE = ("same_upper", "same_lower")


def same_any_stride(x: Tensor, strides: Sequence[Any], dims: int) -> tuple[Step, ...]:
    """Output sizes ``ceil(i/s)`` of a TensorFlow/ONNX 'same' window (see :data:`SAME_ANY_STRIDE`)."""
    return tuple(
        derive_step(name, rules.size_same_strided, i=Bind(size, "i", shown), s=Bind(stride, "s"))
        for name, size, shown, stride in zip(spatial_names(dims), x.shape[1:], x.shown[1:], strides, strict=True)
    )


def window_size(
    dimension: str,
    size: sympy.Expr,
    shown: Shown,
    kernel: sympy.Expr,
    padding: sympy.Expr,
    stride: sympy.Expr,
    dilation: sympy.Expr = sympy.S.One,
    *,
    ceil_mode: bool = False,
) -> tuple[Step, Check]:
    """The output size along ``dimension`` and the check that it is at least 1.

    Remembered: a network's convolutions and pools repeat a few geometries on a few sizes
    (every 1x1 convolution of a stage), and the step and check are immutable.
    """
    how = shown.item if isinstance(shown, Leaf) else shown
    key = (dimension, size, how, kernel, padding, stride, dilation, ceil_mode)
    try:
        found = _SIZES.get(key)
    except TypeError:  # a value SymPy cannot hash: not remembered
        return _window_size(dimension, size, shown, kernel, padding, stride, dilation, ceil_mode)
    if found is None:
        found = _window_size(dimension, size, shown, kernel, padding, stride, dilation, ceil_mode)
        if len(_SIZES) >= _SIZES_LIMIT:
            _SIZES.clear()
        _SIZES[key] = found
    return found


# Keyed by how the size is shown as well as its value: a leaf by its item, a formula tree by identity.
_SIZES: dict[tuple[Any, ...], tuple[Step, Check]] = {}
_SIZES_LIMIT = 8192


def clear() -> None:
    """Forget the remembered sizes."""
    _SIZES.clear()


def _window_size(
    dimension: str,
    size: sympy.Expr,
    shown: Shown,
    kernel: sympy.Expr,
    padding: sympy.Expr,
    stride: sympy.Expr,
    dilation: sympy.Expr,
    ceil_mode: bool,
) -> tuple[Step, Check]:
    bind = {
        "i": Bind(size, "i", shown),
        "n": Bind(kernel, "n"),
        "p": Bind(padding, "p", omit=padding == 0),
        "s": Bind(stride, "s"),
        "d": Bind(dilation, "d"),
    }
    if ceil_mode:
        step = _ceil_mode_size(dimension, bind)
    else:
        rule, used = _simplest_rule(kernel, padding, stride, dilation)
        step = derive_step(dimension, rule, **{key: bind[key] for key in used})
    step = Step(
        step.quantity,
        step.value,
        step.rule,
        step.arguments,
        window=Window(kernel, stride, padding, dilation, ceil_mode),
    )
    return step, size_check(dimension, step)


def _simplest_rule(
    kernel: sympy.Expr, padding: sympy.Expr, stride: sympy.Expr, dilation: sympy.Expr
) -> tuple[Rule, tuple[str, ...]]:
    if dilation != 1:
        return rules.size_dilated, ("i", "n", "p", "s", "d")
    if stride == 1:
        return (rules.size_valid, ("i", "n")) if padding == 0 else (rules.size_padded, ("i", "n", "p"))
    if padding == 0 and stride == kernel:
        return rules.size_tiled, ("i", "n")
    return rules.size_strided, ("i", "n", "p", "s")


def _ceil_mode_size(dimension: str, bind: dict[str, Bind]) -> Step:
    """PyTorch's ceil_mode: round up, but drop a last window that starts past the input.

    The window starts at ``(o - 1)*s`` in padded coordinates; PyTorch drops it
    when that is ``>= i + p`` (it would start in the right padding).

    With ``L = i + 2p - d(n - 1) - 1`` the start is ``ceil(L/s)*s < L + s``, so
    a drop needs ``i + p < L + s``, i.e. ``p + s - 1 - d(n - 1) > 0``.  When that
    fails (``MaxPool2d(3, 2, ceil_mode=True)``: ``0 + 2 - 1 - 2 < 0``) no input
    size ever drops a window, which settles the question even when ``i`` is a
    formula with floors of its own that :func:`decide` cannot compare.
    """
    step = derive_step(dimension, rules.size_ceil, **bind)
    size, padding, stride = bind["i"].value, bind["p"].value, bind["s"].value
    kernel, dilation = bind["n"].value, bind["d"].value
    if decide(sympy.Le(padding + stride - 1 - dilation * (kernel - 1), 0)) is sympy.true:
        return step
    starts_outside = decide(sympy.Ge((step.value - 1) * stride, size + padding))
    if starts_outside is sympy.true:
        return derive_step(dimension, rules.size_ceil_dropped, **bind)
    if starts_outside is sympy.false:
        return step
    # Dropped for some sizes only.  Not a Piecewise: nested ones (a chain of such pools) make
    # SymPy raise PrecisionExhausted.  Count the starts j*s allowed both by rounding up
    # (j*s <= L + s - 1) and by PyTorch's check (j*s <= i + p - 1): one floor, exact while
    # p <= d(n - 1) + 1, which PyTorch's p <= n/2 ensures.
    span = dilation * (kernel - 1) + 1
    shortfall = sympy.Min(stride + padding - span, 0)
    return derive_step(
        dimension,
        rules.size_ceil_exact,
        i=bind["i"],
        p=bind["p"],
        s=bind["s"],
        m=Bind(shortfall, "m", omit=shortfall == 0),
    )
