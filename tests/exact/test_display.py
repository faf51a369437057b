"""Formulas as written: the reader's order, parentheses only where needed, identities left out."""

from __future__ import annotations

import pytest
import sympy

from symcnn.exact.display import ONE, ZERO, leaf, show, substitute
from symcnn.exact.symbols import symbols


def conv_params(kernel, l, k, g, b):
    return (kernel * l / g + b) * k


def size(i, n, p, s, d):
    return (i + 2 * p - d * (n - 1) - 1) // s + 1


def test_reader_order_is_kept():
    kernel = leaf("n") * leaf("m")
    general = show(conv_params, {"kernel": kernel, "l": "l", "k": "k", "g": ONE, "b": 1})
    assert general.text() == "(n*m*l + 1)*k"
    assert general.latex() == r"\left(n m l + 1\right) k"
    values = show(conv_params, {"kernel": leaf(5) * leaf(5), "l": 1, "k": 32, "g": ONE, "b": 1})
    assert values.text() == "(5*5*1 + 1)*32"
    assert values.latex() == r"\left(5 \cdot 5 \cdot 1 + 1\right) \cdot 32"


@pytest.mark.parametrize(
    ("g", "b", "text"),
    [(ONE, 1, "(n*m*l + 1)*k"), ("g", 1, "(n*m*l/g + 1)*k"), (ONE, ZERO, "n*m*l*k"), ("g", ZERO, "n*m*l/g*k")],
)
def test_identities_leave_the_display(g, b, text):
    shown = show(conv_params, {"kernel": leaf("n") * leaf("m"), "l": "l", "k": "k", "g": g, "b": b})
    assert shown.text() == text


def test_floor_division_and_parentheses():
    general = show(size, {"i": "i", "n": "n", "p": "p", "s": "s", "d": "d"})
    assert general.text() == "floor((i + 2*p - d*(n - 1) - 1)/s) + 1"
    assert general.latex() == r"\left\lfloor \frac{i + 2 p - d \left(n - 1\right) - 1}{s} \right\rfloor + 1"
    assert show(lambda a, b: a - (b - 1), {"a": 28, "b": 5}).text() == "28 - (5 - 1)"
    assert show(lambda a, b: a - b - 1, {"a": 28, "b": 5}).text() == "28 - 5 - 1"
    assert show(lambda a, b: a / (b * 2), {"a": "x", "b": "y"}).text() == "x/(y*2)"


def test_symbolic_leaves_are_parenthesised_when_needed():
    (H,) = (symbols("H"),)
    inner = sympy.floor((H - 1) / 4) + 1
    shown = show(lambda i, n: i - (n - 1), {"i": inner, "n": 3})
    assert shown.text() == "floor((H - 1)/4) + 1 - (3 - 1)"
    product = show(lambda a, b: a * b, {"a": inner, "b": 2})
    assert product.text() == "(floor((H - 1)/4) + 1)*2"


def test_substitute_replaces_values_in_leaves():
    H = symbols("H")
    shown = show(lambda i, n: i - (n - 1), {"i": H, "n": 3})
    assert substitute(shown, {H: sympy.Integer(28)}).text() == "28 - (3 - 1)"
    assert shown.text() == "H - (3 - 1)"
