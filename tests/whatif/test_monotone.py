"""Monotonicity proofs: every claim checked on integers; None where no proof exists."""

from __future__ import annotations

import itertools

import pytest
import sympy

from symcnn import symbols
from symcnn.whatif.monotone import direction, relation_direction

x, k = symbols("x k")


def observed(expr, low: int = 1, high: int = 300) -> set[int]:
    values = [expr.xreplace({x: sympy.Integer(v)}) for v in range(low, high)]
    return {int(sympy.sign(b - a)) for a, b in itertools.pairwise(values)}


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (18 * x**2 + 152 * x, 1),
        (sympy.floor((x - 1) / 32) + 1, 1),
        (sympy.ceiling((x + 3) / 5) * (sympy.floor(x / 2) + 1), 1),
        (-3 * sympy.floor(x / 7) + 40, -1),
        (sympy.floor(221 / x) + 1, -1),
        (sympy.floor((224 + sympy.Min(0, x - 3) - 1) / x) + 1, None),  # rises at x = 1..3 then falls: no proof
        (sympy.Min(x, 50) * sympy.Max(x - 100, 2), 1),
        (1 / x + 1 / (2 * x), -1),
        (sympy.Integer(5), 0),
        (sympy.floor((x - 1) / 2) + 1 - sympy.floor(x / 2), None),
        (sympy.Mod(x, 3), None),
        (x * (x - 10), None),  # a factor of unknown sign
    ],
)
def test_directions_are_true_on_integers(expr, expected):
    found = direction(expr, x, 1)
    assert found == expected
    steps = observed(expr)
    if found == 1:
        assert steps <= {0, 1}
    elif found == -1:
        assert steps <= {0, -1}
    elif found == 0:
        assert steps == {0}


def test_relations():
    assert relation_direction(sympy.Ge(sympy.floor(x / 2), 3), x, 1) == 1
    assert relation_direction(sympy.Le(5 * x, k), x, 1) == 1  # k is constant in x
    assert relation_direction(sympy.And(x > 1, x < 5), x, 1) is None
