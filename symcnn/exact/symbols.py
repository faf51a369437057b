"""Symbols and the conversion of user values into exact SymPy expressions.

All hyperparameters are integers.  ``symbols("H W k")`` makes positive-integer
symbols; padding-like names are non-negative integers instead, because a
padding of 0 is legal: ``p``, ``p`` with digits (``p1``), ``ph``/``pw``/``pd``
(with digits), ``p_`` followed by anything (``p_h``), and names starting with
``pad`` (``pad``, ``padding``).  Other names starting with ``p`` (``patches``,
``pk``) are positive like every other hyperparameter.  The same name
always gives the same symbol, so a formula typed in a spec file and a symbol
made in Python refer to the same thing.
"""

from __future__ import annotations

import re
from functools import cache

import sympy

from ..errors import SpecError

__all__ = ["is_nonnegative_name", "symbol", "symbols"]


_PADDING_NAME = re.compile(r"p[hwd]?\d*|p_\w*|pad\w*")


def is_nonnegative_name(name: str) -> bool:
    """Padding-like names may be zero; every other hyperparameter is >= 1.

    >>> [is_nonnegative_name(name) for name in ("p", "p2", "pw", "p_left", "padding", "patches", "pk")]
    [True, True, True, True, True, False, False]
    """
    return _PADDING_NAME.fullmatch(name) is not None


@cache
def symbol(name: str) -> sympy.Symbol:
    """The one symbol symcnn uses for ``name``."""
    if not name.isidentifier():
        raise SpecError(f"symbol name must be an identifier, got {name!r}")
    if is_nonnegative_name(name):
        return sympy.Symbol(name, integer=True, nonnegative=True)
    return sympy.Symbol(name, integer=True, positive=True)


def symbols(names: str) -> tuple[sympy.Symbol, ...] | sympy.Symbol:
    """Make integer symbols from a space- or comma-separated list of names.

    >>> H, W = symbols("H W")
    >>> H.is_positive, H.is_integer
    (True, True)
    >>> symbols("p").is_nonnegative
    True
    """
    parts = [part for part in names.replace(",", " ").split() if part]
    if not parts:
        raise SpecError("symbols() needs at least one name")
    made = tuple(symbol(part) for part in parts)
    return made[0] if len(made) == 1 else made
