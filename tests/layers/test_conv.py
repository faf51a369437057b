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


@pytest.mark.parametrize("kind", ["same_upper", "same_lower"])
def test_same_for_any_stride_is_ceil_of_size_over_stride(kind: str) -> None:
    """TensorFlow's/ONNX's 'same': ceil(i/s) for every size, kernel, dilation and stride, convolutions and poolings.

    Checked against PyTorch padding by hand as TensorFlow does: the total padding
    max((ceil(i/s) - 1)*s + d*(k - 1) + 1 - i, 0), its odd element at the end (upper) or start (lower).
    """
    torch = pytest.importorskip("torch")
    for size in (1, 2, 5, 8, 13):
        for kernel, stride, dilation in ((1, 2, 1), (3, 2, 1), (3, 3, 2), (5, 1, 1), (2, 4, 1), (7, 2, 3)):
            conv = Conv2d(2, 3, kernel, stride=stride, dilation=dilation, padding=kind)
            pool = symcnn.MaxPool2d(kernel, stride, padding=kind)
            total = max((-(-size // stride) - 1) * stride + dilation * (kernel - 1) + 1 - size, 0)
            before = total // 2 if kind == "same_upper" else total - total // 2
            x = torch.nn.functional.pad(torch.zeros(1, 2, size, size + 1), (0, 0, before, total - before))
            reference = torch.nn.Conv2d(2, 3, (kernel, 1), (stride, 1), dilation=(dilation, 1))(x)
            assert conv.output_shape((2, size, "W"))[1] == reference.shape[2]
            assert conv.output_shape((2, size, 4))[1:] == (-(-size // stride), -(-4 // stride))
            assert pool.output_shape((2, size, size))[1] == -(-size // stride)
    shape = Conv2d(out_channels=4, kernel_size=3, stride=2, padding=kind).output_shape((3, H, 9))
    assert shape == (4, (H - 1) // 2 + 1, 5)  # ceil(H/2), written as the floors of the other window rules
    with pytest.raises(SpecError, match="padding_mode must be 'zeros'"):
        Conv2d(out_channels=4, kernel_size=3, padding=kind, padding_mode="reflect")
