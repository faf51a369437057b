"""Sensitivities and layer shares, checked against direct evaluation with Derivation.subs."""

from __future__ import annotations

import pytest
import sympy

from symcnn import BatchNorm2d, Conv2d, Flatten, Graph, Input, Linear, MaxPool2d, Repeat, Sequential, SpecError, symbols
from symcnn.whatif import sensitivity, shares
from symcnn.whatif.sensitivity import decimal


def network() -> Sequential:
    return Sequential(
        Input(3, "H", "W"),
        Conv2d(out_channels="k", kernel_size=3, padding=1),
        BatchNorm2d(),
        MaxPool2d(2),
        Conv2d(out_channels="2*k", kernel_size=3, stride=2),
        Flatten(),
        Linear(out_features=10),
    )


def total(d, name: str, **values: int) -> int:
    at = d.subs(values)
    return int({"params": at.totals.params, "macs": at.totals.macs}[name])


@pytest.mark.parametrize("of", ["params", "macs"])
@pytest.mark.parametrize(("wrt", "point"), [("k", {"k": 16, "H": 64, "W": 48}), ("H", {"k": 5, "H": 37, "W": 40})])
def test_forward_difference_is_the_direct_difference(of, wrt, point):
    d = network().derive()
    result = sensitivity(d, of, wrt, point)
    here = total(d, of, **point)
    after = total(d, of, **{**point, wrt: point[wrt] + 1})
    assert result.value == here
    assert result.difference == after - here
    assert result.difference_formula.xreplace({symbols(n): v for n, v in point.items()}) == after - here
    assert result.discrete_elasticity == sympy.Rational(after - here, 1) * point[wrt] / here


def test_derivative_of_a_polynomial_total():
    d = network().derive()
    point = {"k": 16, "H": 64, "W": 48}
    result = sensitivity(d, "params", "k", point)
    # params is quadratic in k: the central difference equals the derivative exactly
    central = sympy.Rational(total(d, "params", **{**point, "k": 17}) - total(d, "params", **{**point, "k": 15}), 2)
    assert result.derivative == central
    assert result.elasticity == central * 16 / total(d, "params", **point)
    assert result.derivative_formula is not None


def test_no_derivative_through_floors():
    d = network().derive()
    result = sensitivity(d, "macs", "H", {"k": 5, "H": 37, "W": 40})
    assert result.derivative is None and result.elasticity is None
    assert result.difference is not None


def test_difference_at_the_edge_of_validity_is_undefined():
    d = Sequential(Input(1, 8, 8), Conv2d(out_channels=2, kernel_size="n")).derive()
    result = sensitivity(d, "params", "n", {"n": 8})  # n = 9 > 8 breaks the output size
    assert result.value == 2 * 64 + 2 and result.difference is None


def test_shares_sum_to_the_total_and_are_sorted():
    d = network().derive()
    point = {"k": 16, "H": 64, "W": 48}
    at = d.subs(point)
    for of in ("params", "macs", "flops"):
        parts = shares(d, of, point)
        values = [int(part.value) for part in parts]
        assert values == sorted(values, reverse=True)
        expected_total = {"params": at.totals.params, "macs": at.totals.macs, "flops": at.totals.flops}[of]
        assert sum(values) == expected_total
        assert sum(part.fraction for part in parts) == 1
        for part in parts:
            row = at.row(part.name)
            direct = row.total_params if of == "params" else row.macs.value * (2 if of == "flops" else 1)
            assert part.value == direct
            assert part.fraction_formula.xreplace({symbols(n): v for n, v in point.items()}) == part.fraction


def test_shares_count_repeated_copies():
    block = Graph(inner := Input(), Conv2d(out_channels=8, kernel_size=3, padding=1)(inner), name="block")
    d = Sequential(Input(8, 16, 16), Repeat(block, "N")).derive()
    (part,) = shares(d, "params", {"N": 5})
    assert part.value == 5 * (8 * 8 * 9 + 8) == d.subs(N=5).totals.params


def test_shares_without_a_point_keep_formulas():
    d = network().derive()
    parts = shares(d, "params")
    assert [part.name for part in parts] == [row.name for row in d.layers if row.total_params != 0]
    assert all(part.value is None for part in parts)
    assert sympy.simplify(sum(part.fraction_formula for part in parts) - 1) == 0


def test_bad_requests():
    d = network().derive()
    with pytest.raises(SpecError, match="give the value of k"):
        sensitivity(d, "params", "k", {"H": 4})
    with pytest.raises(SpecError, match="depends on"):
        sensitivity(d, "macs", "k", {"k": 4})
    with pytest.raises(SpecError, match="not a total"):
        shares(d, "output_shape[1]")


def test_decimal_is_computed_exactly():
    assert decimal(sympy.Rational(2, 3)) == "0.666667"
    assert decimal(sympy.Rational(1, 8)) == "0.125"
    assert decimal(sympy.Rational(10**30 + 1, 10**10)) == "100000000000000000000"
