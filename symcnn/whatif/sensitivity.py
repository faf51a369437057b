"""How a total moves with one symbol, and which layer dominates it.

:func:`sensitivity` gives, at a point, the exact forward difference
``f(x+1) - f(x)`` (``x`` is an integer), the derivative where ``f`` is smooth in
``x`` (no floors of ``x``), and the elasticities ``f'(x)·x/f(x)`` and
``Δf·x/f(x)`` — all exact rationals.  :func:`shares` splits a total into each
layer's part, as a formula and at a point, largest first.

>>> from symcnn import Conv2d, Input, Sequential
>>> conv = Conv2d(out_channels="k", kernel_size=3)
>>> net = Sequential(Input(3, "H", "W"), conv, conv)
>>> s = sensitivity(net.derive(), "params", "k", {"k": 10})
>>> s.value, s.difference, s.derivative, s.elasticity
(1190, 218, 209, 209/119)
>>> [(share.name, share.value) for share in shares(net.derive(), "params", {"k": 10})]
[('conv2d2', 910), ('conv2d1', 280)]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sympy

from ..derivation.derivation import Derivation
from ..errors import SpecError, SymcnnError
from ..exact.formula import parse_formula
from .quantities import TOTALS, formula_text, quantity, row_quantity

__all__ = ["Sensitivity", "Share", "decimal", "point", "sensitivity", "shares"]


def point(derivation: Derivation, at: Mapping[str, object]) -> dict[sympy.Symbol, sympy.Integer]:
    """Parse ``at`` (names to integers or formulas of numbers) into a substitution of the derivation's symbols."""
    by_name = {item.name: item for item in derivation.free_symbols}
    mapping = {}
    for name, raw in at.items():
        if name not in by_name:
            known = ", ".join(sorted(by_name)) or "none"
            raise SpecError(f"the derivation has no symbol {name!r} (its symbols: {known})")
        value = parse_formula(raw, what=f"value of {name}") if isinstance(raw, str) else sympy.sympify(raw)
        if not (isinstance(value, sympy.Integer) or (isinstance(value, int) and not isinstance(value, bool))):
            raise SpecError(f"the value of {name} must be an integer, got {raw!r}")
        mapping[by_name[name]] = sympy.Integer(value)
    return mapping


def _checked(derivation: Derivation, mapping: Mapping[sympy.Symbol, sympy.Integer]) -> Derivation:
    """The derivation at a point; a point breaking a condition raises the engine's error."""
    return derivation.subs({symbol.name: int(value) for symbol, value in mapping.items()})


def decimal(value: sympy.Rational, digits: int = 6) -> str:
    """An exact rational shown with ``digits`` significant decimals, computed with integers.

    >>> decimal(sympy.Rational(209, 119)), decimal(sympy.Rational(-1, 3)), decimal(sympy.Integer(12))
    ('1.7563', '-0.333333', '12')
    """
    if value.q == 1:
        return str(value)
    sign = "-" if value < 0 else ""
    p, q = abs(int(value.p)), int(value.q)
    whole = p // q
    places = max(digits - len(str(whole)), 0) if whole else digits + len(str(q)) - len(str(p))
    scaled = (p * 10**places + q // 2) // q
    text = str(scaled).rjust(places + 1, "0")
    head, tail = text[: len(text) - places], text[len(text) - places :]
    return sign + (f"{head}.{tail}".rstrip("0").rstrip(".") if places else head)


@dataclass(frozen=True)
class Sensitivity:
    """The sensitivity of one quantity to one symbol at a point; see the module docstring."""

    quantity: str
    symbol: str
    at: Mapping[str, int]
    formula: sympy.Expr
    value: sympy.Integer
    difference_formula: sympy.Expr
    difference: sympy.Integer | None  # None when x + 1 breaks a condition
    derivative_formula: sympy.Expr | None  # None where f is not smooth in x (floors, min, ...)
    derivative: sympy.Rational | None
    elasticity: sympy.Rational | None  # f'(x)·x/f(x)
    discrete_elasticity: sympy.Rational | None  # (f(x+1) - f(x))·x/f(x)

    def as_dict(self) -> dict[str, object]:
        def number(value: sympy.Basic | None) -> int | str | None:
            if value is None:
                return None
            return int(value) if isinstance(value, sympy.Integer) else formula_text(value)

        return {
            "quantity": self.quantity,
            "symbol": self.symbol,
            "at": dict(self.at),
            "formula": formula_text(self.formula),
            "value": number(self.value),
            "forward_difference_formula": formula_text(self.difference_formula),
            "forward_difference": number(self.difference),
            "derivative_formula": None if self.derivative_formula is None else formula_text(self.derivative_formula),
            "derivative": number(self.derivative),
            "elasticity": number(self.elasticity),
            "discrete_elasticity": number(self.discrete_elasticity),
        }

    def __str__(self) -> str:
        at = ", ".join(f"{name}={value}" for name, value in self.at.items())
        x = self.symbol
        lines = [
            f"{self.quantity} = {formula_text(self.formula)}",
            f"at {at}: {self.quantity} = {int(self.value):,}",
            f"forward difference f({x}+1) - f({x}) = {formula_text(self.difference_formula)}",
            "  at the point: "
            + ("undefined (x + 1 breaks a condition)" if self.difference is None else f"{int(self.difference):,}"),
        ]
        if self.derivative_formula is None:
            lines.append(f"derivative d/d{x}: none ({self.quantity} has floors or min/max in {x})")
        else:
            lines.append(f"derivative d/d{x} = {formula_text(self.derivative_formula)} = {_shown(self.derivative)}")
        lines.append(f"elasticity {x}·f'/f = {_shown(self.elasticity)}")
        lines.append(f"discrete elasticity {x}·Δf/f = {_shown(self.discrete_elasticity)}")
        return "\n".join(lines) + "\n"


def _shown(value: sympy.Rational | None) -> str:
    if value is None:
        return "undefined"
    return str(value) if value.q == 1 else f"{value} ≈ {decimal(value)}"


def _smooth_in(expr: sympy.Expr, x: sympy.Symbol) -> bool:
    rough = (sympy.floor, sympy.ceiling, sympy.Min, sympy.Max, sympy.Mod, sympy.Piecewise)
    return not any(x in node.free_symbols for node in expr.atoms(*rough))


def sensitivity(derivation: Derivation, of: str, wrt: str, at: Mapping[str, object]) -> Sensitivity:
    """The sensitivity of quantity ``of`` to symbol ``wrt`` at the point ``at`` (which must give ``wrt``)."""
    mapping = point(derivation, at)
    by_name = {symbol.name: symbol for symbol in mapping}
    if wrt not in by_name:
        raise SpecError(f"sensitivity: give the value of {wrt} in the point (at {wrt}=...)")
    x = by_name[wrt]
    f = quantity(derivation, of)
    missing = f.free_symbols - set(mapping)
    if missing:
        names = ", ".join(sorted(symbol.name for symbol in missing))
        raise SpecError(f"sensitivity: {of} depends on {names}; give a value for it")
    _checked(derivation, mapping)
    value = f.xreplace(mapping)
    difference_formula = sympy.expand(f.xreplace({x: x + 1}) - f)
    after = {**mapping, x: mapping[x] + 1}
    try:
        _checked(derivation, after)
        difference: sympy.Integer | None = sympy.Integer(f.xreplace(after) - value)
    except SymcnnError:
        difference = None
    derivative_formula = sympy.expand(sympy.diff(f, x)) if _smooth_in(f, x) else None
    derivative = None if derivative_formula is None else derivative_formula.xreplace(mapping)
    elasticity = None if derivative is None or value == 0 else derivative * mapping[x] / value
    discrete = None if difference is None or value == 0 else difference * mapping[x] / value
    return Sensitivity(
        quantity=of,
        symbol=wrt,
        at={symbol.name: int(number) for symbol, number in mapping.items()},
        formula=f,
        value=value,
        difference_formula=difference_formula,
        difference=difference,
        derivative_formula=derivative_formula,
        derivative=derivative,
        elasticity=elasticity,
        discrete_elasticity=discrete,
    )


@dataclass(frozen=True)
class Share:
    """One layer's part of a total (its copies counted), as a formula and at a point."""

    name: str
    formula: sympy.Expr
    fraction_formula: sympy.Expr
    value: sympy.Integer | None
    fraction: sympy.Rational | None

    def as_dict(self) -> dict[str, object]:
        return {
            "layer": self.name,
            "formula": formula_text(self.formula),
            "share_formula": formula_text(self.fraction_formula),
            "value": None if self.value is None else int(self.value),
            "share": None if self.fraction is None else formula_text(self.fraction),
        }


_ROW_FIELD = {
    "params": "params",
    "trainable_params": "trainable_params",
    "non_trainable_params": "non_trainable_params",
}
_ROW_FIELD |= {"buffers": "buffers", "macs": "macs", "flops": "macs", "activations": "activations"}


def shares(derivation: Derivation, of: str, at: Mapping[str, object] | None = None) -> list[Share]:
    """Each layer's part of the total ``of`` (largest first at ``at``; in layer order without a point).

    Layers contributing nothing are left out.
    """
    plain = of.removeprefix("total_")
    if plain not in TOTALS:
        raise SpecError(f"shares: {of!r} is not a total; use one of {', '.join(TOTALS)}")
    total = quantity(derivation, plain)
    mapping = point(derivation, at or {})
    if mapping:
        _checked(derivation, mapping)
    scale = derivation.conventions.flops_per_mac if plain == "flops" else 1
    found = []
    for row in derivation.layers:
        part = sympy.expand(scale * row.multiplicity * row_quantity(row, _ROW_FIELD[plain]))
        if part == 0:
            continue
        fraction_formula = sympy.cancel(part / total) if total != 0 else sympy.nan
        value = part.xreplace(mapping) if mapping else None
        total_value = total.xreplace(mapping) if mapping else None
        numeric = value is not None and value.is_Integer and total_value is not None and total_value.is_Integer
        found.append(
            Share(
                name=row.name,
                formula=part,
                fraction_formula=fraction_formula,
                value=value if numeric else None,
                fraction=value / total_value if numeric and value is not None and total_value else None,
            )
        )
    if all(share.value is not None for share in found) and found:
        found.sort(key=lambda share: -int(share.value))  # type: ignore[arg-type]
    return found
