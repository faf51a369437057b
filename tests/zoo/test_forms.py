"""Readable closed forms: equal to the totals, grouped one term per resolution, pinned for a few models."""

from __future__ import annotations

import pytest
import sympy

from symcnn import symbols, zoo
from symcnn.exact.printing import to_str
from symcnn.zoo import closed_form


@pytest.mark.parametrize(
    ("name", "options", "by"),
    [
        ("resnet50", {"width_per_group": "w", "layers": [3, 4, "N", 3]}, ["w"]),
        ("mobilenet_v2", {"width_mult": "a"}, []),
        ("densenet121", {"growth_rate": "k"}, ["k"]),
        ("vgg16_bn", {}, []),
        ("convnext_tiny", {"depths": [3, 3, "B", 3]}, ["B"]),
    ],
)
def test_closed_forms_equal_the_totals(name: str, options: dict, by: list[str]) -> None:
    totals = zoo.get(name)(**options).derive().totals
    for quantity in (totals.trainable, totals.buffers, totals.macs):
        assert sympy.expand(closed_form(quantity, by=by) - quantity) == 0


def test_resnet50_parameters_as_a_polynomial_in_width() -> None:
    w, N = symbols("w N")
    total = zoo.resnet50(width_per_group=w, layers=[3, 4, N, 3]).derive().totals.trainable
    form = closed_form(total, by=["w"])
    assert sympy.expand(form - (9 * w**2 * (16 * N + 211) + 4 * w * (2052 * N + 24307) + 8 * (256 * N + 606629))) == 0
    assert str(form) == "9*w**2*(16*N + 211) + 4*w*(2052*N + 24307) + 8*(256*N + 606629)"


def test_macs_have_one_term_per_resolution() -> None:
    form = closed_form(zoo.resnet50().derive().totals.macs)
    assert len(sympy.Add.make_args(form)) == 6  # strides 2, 4, 8, 16, 32 and the classifier
    assert to_str(form).startswith("14417920*(floor((H - 1)/32) + 1)*(floor((W - 1)/32) + 1)")
    vgg = closed_form(zoo.vgg16().derive().totals.macs)
    assert to_str(vgg) == (
        "38592*H*W + 7077888*floor(H/16)*floor(W/16) + 5898240*floor(H/8)*floor(W/8) "
        "+ 1474560*floor(H/4)*floor(W/4) + 221184*floor(H/2)*floor(W/2) + 123633664"
    )


def test_densenet_parameters_are_quadratic_in_growth_rate() -> None:
    k = symbols("k")
    form = closed_form(zoo.densenet121(growth_rate=4 * k).derive().totals.trainable, by=["k"])
    assert sympy.Poly(form, k).degree() == 2
    assert form.subs(k, 8) == 7978856  # growth rate 32: torchvision's densenet121
