"""Grading a typed answer: numbers exactly, formulas by symbolic equality."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy

from ..exact.formula import parse_formula

__all__ = ["grade"]


def grade(question: Mapping[str, Any], response: str) -> bool:
    """Is ``response`` right for ``question`` (a question of the JSON export)?

    A symbolic answer is parsed safely (:func:`symcnn.exact.formula.parse_formula`)
    and compared by symbolic equality, so ``9*k*l + k`` and ``k*(9*l + 1)`` are
    both right.

    >>> grade({"grading": "symbolic", "answer": "k*(9*l + 1)"}, "(3*3*l + 1)*k")
    True
    >>> grade({"grading": "numerical", "answer": "832"}, "800")
    False
    """
    expected = parse_formula(str(question["answer"]), what="answer")
    given = parse_formula(response, what="response")
    if question.get("grading") == "symbolic":
        return sympy.simplify(expected - given) == 0
    return bool(sympy.Eq(expected, given) is sympy.true)
