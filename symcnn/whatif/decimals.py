"""Exact rationals shown as decimals, computed with integers: how every what-if result writes a ratio."""

from __future__ import annotations

import sympy

__all__ = ["decimal", "shown"]


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


def shown(value: sympy.Rational | None) -> str:
    """An exact rational as ``str()`` of a result writes it: ``7/19 ≈ 0.368421``; ``undefined`` for None."""
    if value is None:
        return "undefined"
    return str(value) if value.q == 1 else f"{value} ≈ {decimal(value)}"
