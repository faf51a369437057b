"""Two networks side by side: difference ``a - b`` and ratio ``a / b`` of their totals.

Formulas are simplified exactly (SymPy's ``cancel``, then the shortest of the
expanded, factored and cancelled forms); with a point, both are evaluated
there too.  The classic check, derived by the engine rather than typed in: a
depthwise-separable convolution costs ``1/k + 1/(n·m)`` of a standard one
(MobileNets, Howard et al. 2017, eq. 5).

>>> from symcnn import Conv2d, Input, Sequential, symbols
>>> n, m, l, k, H, W = symbols("n m l k H W")
>>> standard = Sequential(Input(l, H, W), Conv2d(out_channels=k, kernel_size=(n, m), bias=False))
>>> separable = Sequential(
...     Input(l, H, W),
...     Conv2d(out_channels=l, kernel_size=(n, m), groups=l, bias=False),
...     Conv2d(out_channels=k, kernel_size=1, bias=False),
... )
>>> comparison = compare(separable.derive(), standard.derive())
>>> comparison.ratio["macs"]
1/(m*n) + 1/k
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import sympy

from ..derivation.derivation import Derivation
from ..errors import SpecError
from .quantities import formula_text, quantity
from .sensitivity import decimal, point

__all__ = ["Comparison", "compare", "simplest"]

DEFAULT_QUANTITIES = ("params", "trainable_params", "macs")


def simplest(expr: sympy.Expr) -> sympy.Expr:
    """The shortest exact form among cancelled, expanded and factored (ties: cancelled)."""
    cancelled = sympy.cancel(expr)
    forms = [cancelled, sympy.expand(cancelled), sympy.factor(cancelled)]
    return min(forms, key=lambda form: (len(formula_text(form)), forms.index(form)))


@dataclass(frozen=True)
class Comparison:
    """Formulas of ``a``, ``b``, ``a - b`` and ``a / b`` per quantity; values at ``at`` if given."""

    quantities: tuple[str, ...]
    a: Mapping[str, sympy.Expr]
    b: Mapping[str, sympy.Expr]
    difference: Mapping[str, sympy.Expr]
    ratio: Mapping[str, sympy.Expr]
    at: Mapping[str, int] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, sympy.Expr | None]] = field(default_factory=dict)  # "a", "b", ... -> q -> value

    def as_dict(self) -> dict[str, object]:
        def text(value: sympy.Expr | None) -> int | str | None:
            if value is None:
                return None
            return int(value) if isinstance(value, sympy.Integer) else formula_text(value)

        result: dict[str, object] = {
            "a": {q: text(self.a[q]) for q in self.quantities},
            "b": {q: text(self.b[q]) for q in self.quantities},
            "difference": {q: text(self.difference[q]) for q in self.quantities},
            "ratio": {q: text(self.ratio[q]) for q in self.quantities},
        }
        if self.at:
            result["at"] = dict(self.at)
            result["values"] = {part: {q: text(v) for q, v in row.items()} for part, row in self.values.items()}
        return result

    def __str__(self) -> str:
        lines = []
        for q in self.quantities:
            lines.append(f"{q}:")
            lines.append(f"  a - b = {formula_text(self.difference[q])}")
            lines.append(f"  a / b = {formula_text(self.ratio[q])}")
            if self.at:
                values = {part: self.values[part][q] for part in ("a", "b", "difference", "ratio")}
                shown = {
                    part: "undefined" if v is None else (f"{int(v):,}" if v.is_Integer else f"{v} ≈ {decimal(v)}")
                    for part, v in values.items()
                }
                lines.append(
                    f"  at the point: a = {shown['a']}, b = {shown['b']}, "
                    f"a - b = {shown['difference']}, a / b = {shown['ratio']}"
                )
        if self.at:
            lines.insert(0, "at " + ", ".join(f"{name}={value}" for name, value in self.at.items()))
        return "\n".join(lines) + "\n"


def compare(
    a: Derivation,
    b: Derivation,
    quantities: Sequence[str] = DEFAULT_QUANTITIES,
    at: Mapping[str, object] | None = None,
) -> Comparison:
    """Compare two derivations; ``at`` may name symbols of either (each must be a symbol of one)."""
    first, second, difference, ratio = {}, {}, {}, {}
    for name in quantities:
        left, right = quantity(a, name), quantity(b, name)
        first[name], second[name] = left, right
        difference[name] = simplest(left - right)
        ratio[name] = simplest(left / right) if right != 0 else sympy.nan
    if not at:
        return Comparison(tuple(quantities), first, second, difference, ratio)
    names = {item.name for item in a.free_symbols | b.free_symbols}
    unknown = sorted(set(at) - names)
    if unknown:
        raise SpecError(f"compare: neither network has a symbol {unknown[0]!r}")
    points = [point(d, {k: v for k, v in at.items() if k in {s.name for s in d.free_symbols}}) for d in (a, b)]
    for d, mapping in zip((a, b), points, strict=True):
        if mapping:  # a point breaking either network's conditions raises the engine's error
            d.subs({symbol.name: int(value) for symbol, value in mapping.items()})
    mapping = {**points[0], **points[1]}
    values: dict[str, dict[str, sympy.Expr | None]] = {"a": {}, "b": {}, "difference": {}, "ratio": {}}
    for name in quantities:
        left, right = first[name].xreplace(mapping), second[name].xreplace(mapping)
        values["a"][name], values["b"][name] = left, right
        values["difference"][name] = left - right
        values["ratio"][name] = left / right if right != 0 else None
    at_values = {symbol.name: int(value) for symbol, value in mapping.items()}
    return Comparison(tuple(quantities), first, second, difference, ratio, at_values, values)
