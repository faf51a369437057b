"""Answers as students type them, and the blank mark of a table cell: what the exporters need of an answer.

Apart from :mod:`symcnn.exam.model` so that the exporters need not import the model
they are called from (a question displays itself through them).
"""

from __future__ import annotations

import sympy

__all__ = ["BLANK", "answer_text"]

# A gap in a shape table cell: "[[1]]" is the first blank (each exporter writes its own).
BLANK = "[[{}]]"


def answer_text(value: sympy.Expr) -> str | None:
    """An answer as a student types it: an integer, a finite decimal, or ``None``.

    >>> answer_text(sympy.Integer(24)), answer_text(sympy.Rational(3, 2)), answer_text(sympy.Rational(1, 3))
    ('24', '1.5', None)
    """
    if isinstance(value, sympy.Integer):
        return str(int(value))
    if isinstance(value, sympy.Rational):
        denominator = int(value.q)
        twos = fives = 0
        while denominator % 2 == 0:
            denominator //= 2
            twos += 1
        while denominator % 5 == 0:
            denominator //= 5
            fives += 1
        if denominator != 1:
            return None  # a repeating decimal: no exact numerical answer
        places = max(twos, fives)
        scaled = value * 10**places
        whole = int(scaled)
        sign = "-" if whole < 0 else ""
        digits = str(abs(whole)).rjust(places + 1, "0")
        return f"{sign}{digits[:-places]}.{digits[-places:]}"
    return None
