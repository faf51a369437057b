"""Swin's window attention and patch merging, MaxViT's partitions, against torchvision's modules."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symcnn import ShapeError
from symcnn.layers import PatchMerge, RelativeAttention, WindowAttention, WindowDepartition, WindowPartition

torch = pytest.importorskip("torch")
swin = pytest.importorskip("torchvision.models.swin_transformer")
maxvit = pytest.importorskip("torchvision.models.maxvit")
pytestmark = pytest.mark.torch

from torch.utils.flop_counter import FlopCounterMode  # noqa: E402


def counted(module: Any, x: Any) -> tuple[tuple[int, ...], int]:
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        out = module(x)
    return tuple(out.shape[1:]), counter.get_total_flops()


@settings(deadline=None, max_examples=25)
@given(
    heads=st.sampled_from([1, 2, 4]),
    window=st.tuples(st.integers(2, 5), st.integers(2, 5)),
    height=st.integers(1, 13),
    width=st.integers(1, 13),
    shifted=st.booleans(),
    qkv_bias=st.booleans(),
    version=st.sampled_from([1, 2]),
)
def test_window_attention_matches_torchvision(
    heads: int, window: tuple[int, int], height: int, width: int, shifted: bool, qkv_bias: bool, version: int
) -> None:
    shift = [w // 2 for w in window] if shifted else [0, 0]
    kind = swin.ShiftedWindowAttention if version == 1 else swin.ShiftedWindowAttentionV2
    with torch.device("meta"):
        module = kind(8 * heads, list(window), shift, heads, qkv_bias=qkv_bias).eval()
        shape, flops = counted(module, torch.zeros(1, height, width, 8 * heads))
    layer = WindowAttention(heads, window, shift, qkv_bias=qkv_bias, version=version)
    sample = (height, width, 8 * heads)
    assert layer.output_shape(sample) == shape
    assert layer.params(sample) == sum(p.numel() for p in module.parameters())
    assert layer.buffers(sample) == sum(b.numel() for b in module.buffers())
    assert 2 * layer.macs(sample) == flops


@given(height=st.integers(1, 20), width=st.integers(1, 20), channels=st.integers(1, 6))
def test_patch_merge_matches_torchvision(height: int, width: int, channels: int) -> None:
    out = swin._patch_merging_pad(torch.zeros(1, height, width, channels, device="meta"))
    assert PatchMerge().output_shape((height, width, channels)) == tuple(out.shape[1:])


@pytest.mark.parametrize(("size", "p", "accepted"), [(56, 7, True), (28, 7, True), (30, 7, False), (14, 2, True)])
def test_partitions_round_trip_where_torch_accepts(size: int, p: int, accepted: bool) -> None:
    x = torch.zeros(1, 16, size, size, device="meta")
    if not accepted:
        with pytest.raises(RuntimeError):
            maxvit.WindowPartition()(x, p)
        with pytest.raises(ShapeError):
            WindowPartition(p).output_shape((16, size, size))
        return
    parts = maxvit.WindowPartition()(x, p)
    assert WindowPartition(p).output_shape((16, size, size)) == tuple(parts.shape[1:])
    back = maxvit.WindowDepartition()(parts, p, size // p, size // p)
    assert WindowDepartition(p, size // p, size // p).output_shape(tuple(parts.shape[1:])) == tuple(back.shape[1:])
    with pytest.raises(ShapeError):
        WindowDepartition(p, size // p + 1, size // p).output_shape(tuple(parts.shape[1:]))


@pytest.mark.parametrize(("channels", "head_dim", "size", "windows"), [(64, 32, 7, 64), (32, 8, 4, 9), (48, 16, 3, 2)])
def test_relative_attention_matches_torchvision(channels: int, head_dim: int, size: int, windows: int) -> None:
    with torch.device("meta"):
        module = maxvit.RelativePositionalMultiHeadAttention(channels, head_dim, size * size)
        shape, flops = counted(module, torch.zeros(1, windows, size * size, channels))
    layer = RelativeAttention(channels // head_dim, size)
    sample = (windows, size * size, channels)
    assert layer.output_shape(sample) == shape
    assert layer.params(sample) == sum(p.numel() for p in module.parameters())
    assert layer.buffers(sample) == sum(b.numel() for b in module.buffers())
    assert 2 * layer.macs(sample) == flops
    with pytest.raises(ShapeError):
        layer.output_shape((windows, size * size + 1, channels))
