"""Convolutions without torch: PyTorch's argument order, groups, and padding='same' with formulas."""

from __future__ import annotations

import pytest

import symcnn
from symcnn import Conv2d, ShapeError, SpecError

H = symcnn.symbols("H")


def test_pytorch_positional_order() -> None:
    conv = symcnn.Conv2d(3, 64, 3)
    assert (conv.in_channels, conv.out_channels, conv.kernel_size) == (3, 64, (3, 3))
    with pytest.raises(ShapeError, match="in_channels is 3 but the input has 4"):
        conv.output_shape((4, 8, 8))
    with pytest.raises(SpecError, match=r"^conv2d: out_channels is required$"):
        symcnn.Conv2d(32)
    transposed = symcnn.ConvTranspose2d(4, 8, 3, 2, 1, 1, 1, False, 2)
    assert (transposed.output_padding, transposed.groups, transposed.bias, transposed.dilation) == (
        (1, 1),
        1,
        False,
        (2, 2),
    )


def test_same_padding_with_a_formula_stride_is_a_condition() -> None:
    """stride 'k//2' is 1 for k = 2 or 3 only: PyTorch refuses 'same' for any other stride."""
    conv = Conv2d(out_channels=1, kernel_size=3, stride="k//2", padding="same")
    d = symcnn.Sequential(symcnn.Input(1, "H", "H"), conv)
    assert "stride must be 1 with padding='same'" in [condition.rule for condition in d.derive().conditions]
    assert d.derive().subs(k=3).output_shape == (1, H, H)
    with pytest.raises(ShapeError, match="stride must be 1 with padding='same'"):
        d.derive().subs(k=4)
    with pytest.raises(SpecError, match=r"^conv2d: padding='same' is not supported for strided convolutions"):
        Conv2d(out_channels=1, kernel_size=3, stride=2, padding="same")


def test_groups_must_divide_both_channel_counts() -> None:
    with pytest.raises(ShapeError, match="groups must divide in_channels, got in_channels=3 and groups=2"):
        Conv2d(out_channels=4, kernel_size=1, groups=2).output_shape((3, 5, 5))
    d = symcnn.Sequential(symcnn.Input("c", 5, 5), Conv2d(out_channels="k", kernel_size=1, groups=2)).derive()
    rules = sorted(condition.rule for condition in d.conditions)
    assert rules == ["groups must divide in_channels", "groups must divide out_channels"]
