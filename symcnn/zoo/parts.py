"""What every zoo family needs: exact hyperparameters, torchvision's rounding, stacks of blocks.

* :func:`count` and :func:`multiplier` read a hyperparameter (a number, a
  symbol or a formula) exactly; floats are refused, decimals typed as text are
  exact (``"0.35"`` is 7/20);
* :func:`make_divisible` is MobileNet's ``_make_divisible`` written with
  ``floor``, ``Max`` and ``Piecewise``, so it stays an integer expression in a
  symbolic width;
* :func:`stack` repeats a block: unrolled (rows ``layer3.0``, ``layer3.1``, ...)
  when the count is a number, the first block then a :class:`~symcnn.Repeat`
  of the next when it is a symbol.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import sympy

from ..errors import SpecError, SymcnnError
from ..exact.formula import parse_formula
from ..exact.values import integer_at_least, to_expr
from ..layers import Conv2d, Layer
from ..model.network import Input, Network, Node, Repeat, Sequential

__all__ = [
    "conv_norm_act",
    "count",
    "counts",
    "make_divisible",
    "multiplier",
    "numbered",
    "source",
    "stack",
    "widths_differ",
]


def count(value: Any, what: str, minimum: int = 1) -> sympy.Expr:
    """An integer hyperparameter (channels, blocks, classes): number, symbol or formula."""
    try:
        expr = to_expr(value, what)
        integer_at_least(expr, minimum, what)
    except SymcnnError as error:
        raise error.located("zoo") from None
    return expr


def counts(values: Any, what: str, length: int | None = None, minimum: int = 1) -> tuple[sympy.Expr, ...]:
    """A list of integer hyperparameters, e.g. ResNet's ``layers=[3, 4, 6, 3]``."""
    if isinstance(values, str):
        values = [part for part in values.split(",")]
    if not isinstance(values, list | tuple):
        raise SpecError(f"{what} must be a list, got {values!r}", where="zoo")
    if length is not None and len(values) != length:
        raise SpecError(f"{what} must have {length} entries, got {len(values)}", where="zoo")
    return tuple(count(item, f"{what}[{index}]", minimum) for index, item in enumerate(values))


def multiplier(value: Any, what: str) -> sympy.Expr:
    """A positive rational multiplier (``width_mult``): an exact number or an expression in positive symbols.

    A name typed as text (``"a"``) becomes a positive symbol, not an integer one:
    a width multiplier is a real number.

    >>> multiplier("0.35", "width_mult")
    7/20
    >>> multiplier("a", "width_mult").is_integer is None
    True
    """
    if isinstance(value, float):
        raise SpecError(f"{what} must be exact: write {value!r} as a fraction or as the text '{value}'", where="zoo")
    if isinstance(value, str):
        try:
            parsed = parse_formula(value, what=what)
        except SymcnnError as error:
            raise error.located("zoo") from None
        expr = parsed.subs({name: sympy.Symbol(name.name, positive=True) for name in parsed.free_symbols})
    elif isinstance(value, Fraction):
        expr = sympy.Rational(value.numerator, value.denominator)
    else:
        try:
            expr = to_expr(value, what)
        except SymcnnError as error:
            raise error.located("zoo") from None
    if expr.is_positive is not True:
        raise SpecError(f"{what} must be positive (a positive number or positive symbols), got {expr}", where="zoo")
    return expr


class make_divisible(sympy.Function):  # lower case: printed as torchvision names it
    """torchvision's ``_make_divisible(value, divisor)``, exactly: the nearest multiple of ``divisor``
    (at least ``divisor``), one step up if that falls more than 10% below ``value``.

    A number gives the integer at once; a formula in a symbolic multiplier stays
    ``make_divisible(32*a, 8)``, an integer that substitution evaluates, and
    ``.rewrite(sympy.Piecewise)`` writes it with ``floor``, ``Max`` and ``Piecewise``.

    >>> make_divisible(sympy.Rational(56, 5), 8)   # 32 * 0.35
    16
    >>> make_divisible(sympy.Integer(96) * 3 / 4, 8)
    72
    >>> a = sympy.Symbol("a", positive=True)
    >>> make_divisible(32 * a, 8).is_integer, make_divisible(32 * a, 8).subs(a, sympy.Rational(7, 20))
    (True, 16)
    """

    @classmethod
    def eval(cls, value: sympy.Expr, divisor: sympy.Expr) -> sympy.Expr | None:  # type: ignore[override]
        if value.is_Rational and divisor.is_Integer:
            return cls._formula(value, divisor)
        return None

    @staticmethod
    def _formula(value: sympy.Expr, divisor: sympy.Expr) -> sympy.Expr:
        # int(v + d/2) // d * d is floor(v/d + 1/2) * d for v > 0; "new_v < 0.9 * v" compared exactly.
        rounded = sympy.Max(divisor, divisor * sympy.floor(value / divisor + sympy.Rational(1, 2)))
        return sympy.Piecewise((rounded + divisor, rounded < sympy.Rational(9, 10) * value), (rounded, True))

    def _eval_rewrite_as_Piecewise(self, value: sympy.Expr, divisor: sympy.Expr, **hints: Any) -> sympy.Expr:
        return self._formula(value, divisor)

    def _eval_is_integer(self) -> bool:
        return True

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        # Compact in tables: [32 a]_8, "32a rounded to a multiple of 8" (SymPy's default, make_{divisible}(...),
        # would be long and read the underscore as a subscript).
        value, divisor = (printer._print(arg) for arg in self.args)
        text = rf"\left[{value}\right]_{{{divisor}}}"
        return text if exp is None else rf"{text}^{{{exp}}}"

    def _eval_is_positive(self) -> bool:
        return True


def widths_differ(a: sympy.Expr, b: sympy.Expr, raw_a: int, raw_b: int) -> bool:
    """Whether two rounded widths differ: exactly when they are numbers, by their unscaled widths when symbolic.

    torchvision chooses a block's structure (a residual addition, an expansion
    convolution) by comparing rounded widths; for a symbolic multiplier the
    unscaled widths decide, which agrees whenever rounding keeps them apart.
    """
    difference = a - b
    if difference.is_number:
        return bool(difference != 0)
    return raw_a != raw_b


def source(input_shape: Sequence[Any]) -> Input:
    """The network input; ``input_shape`` is ``(C, H, W)`` with numbers, symbols or formulas."""
    if not isinstance(input_shape, list | tuple) or len(input_shape) != 3:
        raise SpecError(f"input_shape must be (C, H, W), got {input_shape!r}", where="zoo")
    return Input(*input_shape)


def stack(
    x: Node | Input, times: sympy.Expr, make: Callable[[int], Network], name: str, *, identical: bool = False
) -> Node:
    """``times`` blocks in a row, block ``i`` made by ``make(i)`` and named ``str(i)``.

    A symbolic ``times`` gives block 0 and then ``Repeat(make(1), times - 1)``,
    named ``1``: its rows (``layer3.1.conv1``) stand for blocks 1 to ``times - 1``,
    and the derivation lists ``times ≥ 2`` as a condition.  When all blocks are
    ``identical`` (ConvNeXt), it is ``Repeat(make(0), times)`` named ``0``, valid from one block.
    """
    if times.is_number:
        return Sequential(*(make(index) for index in range(int(times))), name=name)(x)
    if identical:
        return Sequential(Repeat(make(0), times, name="0"), name=name)(x)
    rest = Repeat(make(1), times - 1, name="1")
    return Sequential(make(0), rest, name=name)(x)


def numbered(*layers: Layer, name: str | None = None) -> Sequential:
    """``nn.Sequential``'s naming: the items are ``0``, ``1``, ``2``..."""
    return Sequential(*(layer.replace(name=str(index)) for index, layer in enumerate(layers)), name=name)


def conv_norm_act(
    out_channels: Any,
    kernel_size: int,
    stride: int = 1,
    *,
    groups: Any = 1,
    dilation: int = 1,
    activation: type[Layer] | None = None,
    name: str,
    norm: type[Layer] | None = None,
) -> Sequential:
    """torchvision's ``Conv2dNormActivation``: convolution (no bias), batch norm, activation as ``0``, ``1``, ``2``."""
    from ..layers import BatchNorm2d

    padding = (kernel_size - 1) // 2 * dilation
    conv = Conv2d(
        out_channels=out_channels,
        kernel_size=kernel_size,
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
        bias=False,
        name="0",
    )
    items: list[Layer] = [conv, (norm or BatchNorm2d)(name="1")]
    if activation is not None:
        items.append(activation(name="2"))
    return Sequential(*items, name=name)
