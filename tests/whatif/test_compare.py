"""compare: the depthwise-separable ratio derived by the engine, and values at a point."""

from __future__ import annotations

import pytest
import sympy

from symcnn import Conv2d, Input, Sequential, ShapeError, SpecError, symbols
from symcnn.exact.formula import parse_formula
from symcnn.whatif import compare
from symcnn.whatif.compare import simplest

n, m, l, k, H, W = symbols("n m l k H W")


def standard(bias: bool = False) -> Sequential:
    return Sequential(Input(l, H, W), Conv2d(out_channels=k, kernel_size=(n, m), bias=bias))


def separable(bias: bool = False) -> Sequential:
    return Sequential(
        Input(l, H, W),
        Conv2d(out_channels=l, kernel_size=(n, m), groups=l, bias=bias),
        Conv2d(out_channels=k, kernel_size=1, bias=bias),
    )


def test_mobilenets_ratio_is_derived():
    result = compare(separable().derive(), standard().derive())
    paper = 1 / k + 1 / (n * m)  # Howard et al. 2017, eq. 5
    assert sympy.simplify(result.ratio["macs"] - paper) == 0
    assert sympy.simplify(result.ratio["params"] - paper) == 0
    # the simplified form is the paper's sum, not a cancelled fraction
    assert sympy.Add.make_args(result.ratio["macs"]) == sympy.Add.make_args(paper)


def test_with_padding_and_bias_the_ratio_changes_and_the_values_match():
    a, b = separable(bias=True).derive(), standard(bias=True).derive()
    result = compare(a, b)
    assert sympy.simplify(result.ratio["params"] - (1 / k + 1 / (n * m))) != 0  # biases count
    point = {"n": 3, "m": 3, "l": 32, "k": 64, "H": 56, "W": 56}
    at = compare(a, b, at=point)
    pa, pb = a.subs(point).totals, b.subs(point).totals
    assert at.values["a"]["params"] == pa.params and at.values["b"]["macs"] == pb.macs
    assert at.values["difference"]["macs"] == pa.macs - pb.macs
    assert at.values["ratio"]["macs"] == sympy.Rational(int(pa.macs), int(pb.macs))
    assert sympy.simplify(result.difference["params"] - (a.totals.params - b.totals.params)) == 0


def test_formulas_are_in_the_spec_syntax():
    data = compare(separable().derive(), standard().derive()).as_dict()
    for part in ("difference", "ratio"):
        for text in data[part].values():
            assert "Mod(" not in text and "ceiling" not in text
            parse_formula(text)  # reads back


def test_different_symbols_and_a_point_breaking_a_condition():
    a = Sequential(Input(3, "H", "W"), Conv2d(out_channels="k", kernel_size=3)).derive()
    b = Sequential(Input(3, "H", "W"), Conv2d(out_channels="c", kernel_size=5)).derive()
    result = compare(a, b, at={"H": 10, "W": 10, "k": 4, "c": 4})
    assert result.values["difference"]["macs"] == 4 * 27 * 64 - 4 * 75 * 36
    with pytest.raises(ShapeError):
        compare(a, b, at={"H": 4, "W": 4, "k": 4, "c": 4})  # b's 5x5 kernel needs H >= 5
    with pytest.raises(SpecError, match="neither network"):
        compare(a, b, at={"Z": 1})


def test_simplest_picks_the_shortest_exact_form():
    expr = (k + m * n) / (k * m * n)
    assert simplest(expr) == 1 / k + 1 / (m * n)
    assert simplest(k**2 + 2 * k + 1) == (k + 1) ** 2  # "(k + 1)**2" is shorter than the expanded form
    assert sympy.simplify(simplest(expr) - expr) == 0
