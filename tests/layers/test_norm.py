"""Normalisation without torch: the rules PyTorch applies, as errors for numbers and conditions for symbols."""

from __future__ import annotations

import pytest
import sympy

import symcnn
from symcnn import BatchNorm2d, GroupNorm, LayerNorm, ShapeError, SpecError

c, H = symcnn.symbols("c H")


def derive(shape: tuple[object, ...], layer: symcnn.Layer) -> symcnn.Derivation:
    return symcnn.Sequential(symcnn.Input(*shape), layer).derive()


def test_groupnorm_on_symbolic_channels_lists_divisibility_and_subs_respects_it() -> None:
    d = derive(("c", "H", "H"), GroupNorm(5))
    assert d.totals.params == 2 * c
    assert [condition.relation for condition in d.conditions] == [sympy.Eq(sympy.Mod(c, 5), 0)]
    assert d.subs(c=15).totals.params == 30
    with pytest.raises(ShapeError, match="num_groups must divide num_channels, violated by c=4"):
        d.subs(c=4)


def test_groupnorm_checks_a_declared_num_channels_at_construction() -> None:
    with pytest.raises(SpecError, match=r"^groupnorm: num_groups must divide num_channels, got num_channels=4"):
        GroupNorm(3, 4)
    layer = GroupNorm(2, "c")
    d = derive(("c", 3), layer)
    assert [condition.rule for condition in d.conditions] == ["num_groups must divide num_channels"]


def test_without_affine_pytorch_never_compares_the_declared_channels() -> None:
    """GroupNorm(2, 4, affine=False) runs on 6 channels in PyTorch; BatchNorm likewise without statistics."""
    assert GroupNorm(2, 4, affine=False).output_shape((6, 3)) == (6, 3)
    with pytest.raises(ShapeError, match="num_channels is 4 but the input has 6"):
        GroupNorm(2, 4).output_shape((6, 3))
    assert BatchNorm2d(2, affine=False, track_running_stats=False).output_shape((3, 4, 4)) == (3, 4, 4)
    for flags in ({"affine": True, "track_running_stats": False}, {"affine": False, "track_running_stats": True}):
        with pytest.raises(ShapeError, match="num_features is 2 but the input has 3"):
            BatchNorm2d(2, **flags).output_shape((3, 4, 4))


def test_groupnorm_needs_channels() -> None:
    assert GroupNorm(1).params((4,)) == 8


def test_layernorm_compares_each_trailing_size_as_a_condition() -> None:
    d = derive((3, "H"), LayerNorm(["H"]))
    assert d.conditions == () and d.totals.params == 2 * H
    d = derive((3, "H"), LayerNorm([8]))
    assert [condition.relation for condition in d.conditions] == [sympy.Eq(H, 8)]
    assert d.subs(H=8).totals.params == 16
    with pytest.raises(ShapeError, match="must match the input's last dimensions"):
        d.subs(H=7)
    with pytest.raises(ShapeError, match="normalized_shape 3x4 must match"):
        LayerNorm([3, 4]).output_shape((4,))
