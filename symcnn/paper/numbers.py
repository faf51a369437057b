"""How numbers appear in a paper: plain, grouped with commas or thin spaces, or siunitx."""

from __future__ import annotations

import sympy

from ..errors import SpecError
from ..exact.printing import to_latex

__all__ = ["STYLES", "number_latex"]

STYLES = ("comma", "thin", "plain", "siunitx")


def number_latex(value: sympy.Expr, style: str = "comma") -> str:
    """An integer in the chosen style; a formula as LaTeX.

    >>> [number_latex(sympy.Integer(25557032), style) for style in STYLES]
    ['25{,}557{,}032', '25\\\\,557\\\\,032', '25557032', '\\\\num{25557032}']
    """
    if style not in STYLES:
        raise SpecError(f"number style must be one of {', '.join(STYLES)}, got {style!r}")
    if not isinstance(value, sympy.Integer):
        return to_latex(value)
    digits = str(int(value))
    if style == "plain":
        return digits
    if style == "siunitx":
        return rf"\num{{{digits}}}"
    grouped = f"{int(value):,}"
    return grouped.replace(",", "{,}" if style == "comma" else r"\,")
