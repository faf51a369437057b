"""MobileNets at a symbolic width_mult: every channel count an exact integer, torchvision's at each width."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy

from symcnn import SpecError, zoo
from symcnn.zoo.parts import make_divisible, multiplier

WIDTHS = ["0.35", "0.5", "0.75", "1.0", "1.3", "1.4"]


def reference_make_divisible(v: Fraction, divisor: int = 8) -> int:
    """torchvision's _make_divisible, in exact arithmetic."""
    new_v = max(divisor, int(v + Fraction(divisor, 2)) // divisor * divisor)
    return new_v + divisor if new_v < Fraction(9, 10) * v else new_v


@pytest.mark.parametrize("numerator", range(1, 400, 7))
def test_make_divisible_is_torchvisions_at_every_width(numerator: int) -> None:
    a = sympy.Symbol("a", positive=True)
    for channels in (16, 24, 32, 96, 1280):
        width = Fraction(numerator, 100)
        rounded = make_divisible(channels * a, 8)
        assert rounded.is_integer
        expected = reference_make_divisible(channels * width)
        assert rounded.subs(a, sympy.Rational(numerator, 100)) == expected
        assert rounded.rewrite(sympy.Piecewise).subs(a, sympy.Rational(numerator, 100)) == expected


def test_multipliers_are_exact() -> None:
    assert multiplier("0.35", "width_mult") == sympy.Rational(7, 20)
    assert multiplier(Fraction(7, 20), "width_mult") == sympy.Rational(7, 20)
    with pytest.raises(SpecError, match="exact"):
        multiplier(0.35, "width_mult")
    with pytest.raises(SpecError, match="positive"):
        multiplier("-1/2", "width_mult")


@pytest.fixture(scope="module", params=["mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large"])
def symbolic(request):
    return request.param, zoo.get(request.param)(width_mult="a").derive()


def test_symbolic_width_gives_integer_channels(symbolic) -> None:
    _, d = symbolic
    for row in d.rows:
        if row.kind == "conv2d":
            assert row.output_shape[0].is_integer, row.name


torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")


@pytest.mark.torch
@pytest.mark.parametrize("width", WIDTHS)
def test_substituted_width_equals_torchvision(symbolic, width: str) -> None:
    from .compare import counts, flops, torch_model

    name, d = symbolic
    model = torch_model(name, width_mult=float(width))
    at = d.subs(a=width)  # a decimal typed as text is exact: "0.35" is 7/20
    assert (at.totals.trainable, at.totals.buffers) == counts(model)
    assert 2 * at.subs(H=97, W=131).totals.macs == flops(model, 97, 131)
    direct = zoo.get(name)(width_mult=sympy.Rational(width)).derive()
    assert direct.totals.trainable == at.totals.trainable


@pytest.mark.torch
@pytest.mark.parametrize(
    "options", [{"reduced_tail": True}, {"dilated": True}, {"reduced_tail": True, "dilated": True}]
)
@pytest.mark.parametrize("name", ["mobilenet_v3_small", "mobilenet_v3_large"])
def test_v3_tail_options_equal_torchvision(name: str, options: dict[str, bool]) -> None:
    from .compare import assert_matches_torch, torch_model

    assert_matches_torch(zoo.get(name)(**options).derive(), torch_model(name, **options), [(97, 131)])


def test_make_divisible_prints_compactly() -> None:
    a = sympy.Symbol("a", positive=True)
    assert sympy.latex(make_divisible(16 * a, 8) ** 2) == r"\left[16 a\right]_{8}^{2}"
    assert str(make_divisible(16 * a, 8)) == "make_divisible(16*a, 8)"


@pytest.mark.latex
def test_symbolic_width_derivation_compiles(pdflatex) -> None:
    """It compiles; a few table cells with nested roundings still run 15-30pt into the margin (see docs/zoo.md)."""
    d = zoo.mobilenet_v3_small(width_mult="a").derive()
    source = d.to_latex(standalone=True)
    assert r"\left[16 a\right]_{8}" in source
    assert pdflatex("mobilenet", source).exists()
