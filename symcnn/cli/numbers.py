"""How the command line reads numbers typed by people: ``1_000_000``, ``1,000,000`` and ``20e6``.

One place, so every flag reads them alike.  A value is still parsed later by the
whitelisting formula parser (:mod:`symcnn.exact.formula`); this only removes
thousands separators, which the parser would read as a tuple.

>>> plain_numbers("params <= 20,000,000 and macs <= 4e9")
'params <= 20000000 and macs <= 4e9'
>>> count("1,000,000"), count("1_000_000"), count("2e5")
(1000000, 1000000, 200000)
"""

from __future__ import annotations

import argparse
import re

import sympy

from ..errors import SpecError
from ..exact.formula import parse_formula

__all__ = ["count", "count_argument", "plain_numbers"]

# Digits grouped by commas in threes, not inside a name or a decimal (a1,000 or 1.5,000 are left alone).
_GROUPED = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?![\w.])")
_STRAY = re.compile(r"(?<![\w.])\d+,\d")


def plain_numbers(text: str, what: str = "value") -> str:
    """``1,000,000`` -> ``1000000`` (``1_000_000`` and ``20e6`` the parser reads as they are)."""
    plain = _GROUPED.sub(lambda match: match.group(0).replace(",", ""), text)
    if _STRAY.search(plain):
        raise SpecError(
            f"{what}: cannot read {text!r}: group thousands in threes (1,000,000), or write 1_000_000 or 1e6"
        )
    return plain


def count(text: str) -> int:
    """A count typed on the command line (``--limit``, ``--random``): a whole number ≥ 0."""
    try:
        value = parse_formula(plain_numbers(text.strip(), "count"), what="count")
    except SpecError as error:
        raise SpecError(f"expected a whole number (1000, 1_000, 1,000 or 1e3), got {text!r}: {error}") from None
    if not isinstance(value, sympy.Integer) or value < 0:
        raise SpecError(f"expected a whole number (1000, 1_000, 1,000 or 1e3), got {text!r}")
    return int(value)


def count_argument(text: str) -> int:
    """:func:`count` as an argparse ``type`` (its message kept)."""
    try:
        return count(text)
    except SpecError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
