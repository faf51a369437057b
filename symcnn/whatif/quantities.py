"""Quantities by the names of the JSON output, and formulas in the spec-file syntax.

Totals: ``params``, ``trainable_params``, ``non_trainable_params``, ``buffers``,
``macs``, ``flops``, ``activations`` (each also with a ``total_`` prefix), and
``output_shape[i]`` / ``input_shape[i]``.  One layer: ``<row>.<field>`` with the
row's name (``layer3.0.conv2.params``, ``conv2d1.output_shape[1]``); a row's
values are for one copy of the layer, as in the JSON output.

>>> from symcnn import Conv2d, Input, Sequential
>>> d = Sequential(Input(3, "H", "W"), Conv2d(out_channels="k", kernel_size=3, stride=2)).derive()
>>> quantity(d, "params"), formula_text(quantity(d, "conv2d.output_shape[1]"))
(28*k, 'floor((H - 3)/2) + 1')
>>> formula_text(quantity(d, "macs"))
'27*k*(floor((H - 3)/2) + 1)*(floor((W - 3)/2) + 1)'
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable

import sympy
from sympy.printing.str import StrPrinter

from ..derivation.derivation import Derivation, Row, Totals
from ..errors import SpecError

__all__ = ["TOTALS", "formula_text", "quantity", "row_quantity"]

TOTALS: dict[str, Callable[[Totals], sympy.Expr]] = {
    "params": lambda t: t.params,
    "trainable_params": lambda t: t.trainable,
    "non_trainable_params": lambda t: t.non_trainable,
    "buffers": lambda t: t.buffers,
    "macs": lambda t: t.macs,
    "flops": lambda t: t.flops,
    "activations": lambda t: t.activations,
}
ROW_FIELDS: dict[str, Callable[[Row], sympy.Expr]] = {
    "params": lambda r: r.total_params,
    "trainable_params": lambda r: r.params.value,
    "non_trainable_params": lambda r: r.non_trainable.value,
    "buffers": lambda r: r.buffers.value,
    "macs": lambda r: r.macs.value,
    "activations": lambda r: r.activations,
    "multiplicity": lambda r: r.multiplicity,
}
_SHAPE = re.compile(r"(output|input)_shape\[(-?\d+)\]")


def _shape_entry(shape: tuple[sympy.Expr, ...], match: re.Match[str], name: str) -> sympy.Expr:
    index = int(match.group(2))
    if not -len(shape) <= index < len(shape):
        raise SpecError(f"quantity {name!r}: the shape has {len(shape)} dimensions (indices 0 to {len(shape) - 1})")
    return shape[index]


def quantity(derivation: Derivation, name: str) -> sympy.Expr:
    """The formula a quantity name stands for; ``SpecError`` naming the choices if unknown."""
    name = name.strip()
    plain = name.removeprefix("total_")
    if plain in TOTALS:
        return TOTALS[plain](derivation.totals)
    if match := _SHAPE.fullmatch(name):
        shape = derivation.output_shape if match.group(1) == "output" else derivation.input_shape
        return _shape_entry(shape, match, name)
    row_name, dot, field = name.rpartition(".")
    if dot and (field in ROW_FIELDS or _SHAPE.fullmatch(field)):
        try:
            row = derivation.row(row_name)
        except KeyError:
            names = [row.name for row in derivation.layers]
            close = difflib.get_close_matches(row_name, names, n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise SpecError(f"quantity {name!r}: the network has no layer named {row_name!r}{hint}") from None
        return row_quantity(row, field)
    choices = ", ".join([*TOTALS, "output_shape[i]", "<layer>.<field>"])
    close = difflib.get_close_matches(plain, list(TOTALS), n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise SpecError(f"unknown quantity {name!r}{hint}: use one of {choices}")


def row_quantity(row: Row, field: str) -> sympy.Expr:
    """One field of one row (``params``, ``macs``, ``output_shape[1]``, ...)."""
    if field in ROW_FIELDS:
        return ROW_FIELDS[field](row)
    match = _SHAPE.fullmatch(field)
    if match is None:
        raise SpecError(f"unknown layer field {field!r}: use one of {', '.join(ROW_FIELDS)}, output_shape[i]")
    shape = row.output_shape if match.group(1) == "output" else row.input_shapes[0]
    return _shape_entry(shape, match, f"{row.name}.{field}")


class _FormulaPrinter(StrPrinter):
    """The spec-file formula syntax: ``floor((H - 1)/4)``, ``ceil``, ``min``, ``max``, ``%``.

    SymPy stores ``floor((H - 1)/4)`` as ``floor(H/4 - 1/4)``; like symcnn's
    renderers, the argument is printed over its common denominator.
    """

    def _rounded(self, name: str, argument: sympy.Expr) -> str:
        numerator, denominator = sympy.fraction(sympy.together(argument))
        numerator = sympy.expand(numerator)
        if denominator == 1:
            return f"{name}({self._print(numerator)})"
        return f"{name}({self.parenthesize(numerator, 45)}/{self.parenthesize(denominator, 51)})"

    def _print_floor(self, expr: sympy.floor) -> str:
        return self._rounded("floor", expr.args[0])

    def _print_ceiling(self, expr: sympy.ceiling) -> str:
        return self._rounded("ceil", expr.args[0])

    def _print_Min(self, expr: sympy.Min) -> str:
        return "min(" + ", ".join(self._print(arg) for arg in expr.args) + ")"

    def _print_Max(self, expr: sympy.Max) -> str:
        return "max(" + ", ".join(self._print(arg) for arg in expr.args) + ")"

    def _print_Mod(self, expr: sympy.Mod) -> str:
        left, right = expr.args
        return f"{self.parenthesize(left, 50)} % {self.parenthesize(right, 51)}"


_PRINTER = _FormulaPrinter()


def formula_text(expr: sympy.Basic) -> str:
    """A formula as the spec files write it (``symcnn.exact.formula.parse_formula`` reads it back)."""
    return str(_PRINTER.doprint(expr))
