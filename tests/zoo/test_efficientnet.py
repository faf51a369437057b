"""EfficientNet in its width and depth coefficients: substituted with B1..B7's values, torchvision's B1..B7."""

from __future__ import annotations

import pytest
import sympy

import symcnn
from symcnn import zoo

#: torchvision's (width_mult, depth_mult) of B0..B7, as the decimals it writes.
COEFFICIENTS = {
    0: ("1.0", "1.0"), 1: ("1.0", "1.1"), 2: ("1.1", "1.2"), 3: ("1.2", "1.4"),
    4: ("1.4", "1.8"), 5: ("1.6", "2.2"), 6: ("1.8", "2.6"), 7: ("2.0", "3.1"),
}  # fmt: skip


def test_block_counts_are_ceilings_of_the_scaled_depths() -> None:
    d = zoo.efficientnet_b1(depth_mult="d").derive()
    depth = sympy.Symbol("d", positive=True)
    assert d.row("features.6.1.block.1.0").multiplicity == sympy.ceiling(4 * depth) - 1
    # A stage of one block (ceiling(1*d) = 1) is valid: B0's d = 1 substitutes and equals B0 itself.
    assert d.conditions == ()
    b0 = zoo.efficientnet_b0(width_mult="w", depth_mult="d").derive().subs(w=1, d=1)
    assert b0.totals.trainable == zoo.efficientnet_b0().derive().totals.trainable == 5_288_548


torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")


@pytest.fixture(scope="module")
def symbolic() -> symcnn.Derivation:
    return zoo.efficientnet_b0(width_mult="w", depth_mult="d").derive()


@pytest.mark.torch
@pytest.mark.parametrize("index", range(1, 8))
def test_coefficients_substituted_equal_torchvision(symbolic, index: int) -> None:
    from .compare import counts, flops, torch_model

    width, depth = COEFFICIENTS[index]
    model = torch_model(f"efficientnet_b{index}")
    at = symbolic.subs(w=width, d=depth)
    assert (at.totals.trainable, at.totals.buffers) == counts(model)
    assert 2 * at.subs(H=97, W=129).totals.macs == flops(model, 97, 129)


@pytest.mark.torch
def test_b0_depth_as_a_number_and_width_as_a_symbol() -> None:
    """B0's depth_mult 1 gives single-block stages, which a Repeat cannot count: it is given as a number."""
    from .compare import counts, flops, torch_model

    at = zoo.efficientnet_b0(width_mult="w").derive().subs(w="1.0")
    model = torch_model("efficientnet_b0")
    assert (at.totals.trainable, at.totals.buffers) == counts(model)
    assert 2 * at.subs(H=97, W=129).totals.macs == flops(model, 97, 129)
