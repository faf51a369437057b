"""Comparing zoo models with torchvision: meta-device models, module hooks, formula equality."""

from __future__ import annotations

from typing import Any

import pytest
import sympy

from symcnn import Derivation


def torch_model(name: str, **options: Any) -> Any:
    """A torchvision model on the meta device: its shapes and counts without allocating its weights."""
    torch = pytest.importorskip("torch")
    torchvision = pytest.importorskip("torchvision")
    with torch.device("meta"):
        return getattr(torchvision.models, name)(weights=None, **options).eval()


def counts(model: Any) -> tuple[int, int]:
    return sum(p.numel() for p in model.parameters()), sum(b.numel() for b in model.buffers())


def module_shapes(model: Any, height: int, width: int) -> tuple[tuple[int, ...], dict[str, tuple[int, ...]]]:
    """The output shape and each module's first output shape (meta forward pass, without the batch)."""
    import torch

    seen: dict[str, tuple[int, ...]] = {}
    handles = []
    for qualified, module in model.named_modules():
        if qualified:

            def hook(module: Any, inputs: Any, output: Any, qualified: str = qualified) -> None:
                if isinstance(output, torch.Tensor):
                    seen.setdefault(qualified, tuple(output.shape[1:]))

            handles.append(module.register_forward_hook(hook))
    try:
        output = model(torch.empty(1, 3, height, width, device="meta"))
    finally:
        for handle in handles:
            handle.remove()
    if isinstance(output, tuple):
        output = output[0]
    return tuple(output.shape[1:]), seen


def flops(model: Any, height: int, width: int) -> int:
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        model(torch.empty(1, 3, height, width, device="meta"))
    return int(counter.get_total_flops())


def same_formula(a: sympy.Expr, b: sympy.Expr) -> bool:
    difference = sympy.expand(a - b)
    return difference == 0 or sympy.simplify(difference) == 0


def assert_matches_torch(d: Derivation, model: Any, sizes: list[tuple[int, int]]) -> None:
    """Counts exactly, then at each size: output shape, every module-named row's shape, MACs = FLOPs / 2."""
    params, buffers = counts(model)
    assert (d.totals.trainable, d.totals.buffers) == (params, buffers)
    for height, width in sizes:
        output, seen = module_shapes(model, height, width)
        at = d.subs(H=height, W=width)
        assert tuple(int(size) for size in at.output_shape) == output
        compared = 0
        for row in at.rows:
            if row.name in seen and row.kind not in ("input",):
                assert tuple(int(size) for size in row.output_shape) == seen[row.name], (row.name, height, width)
                compared += 1
        assert compared >= sum(1 for row in d.rows if row.kind == "conv2d") // 2  # the names match torchvision's
        assert 2 * at.totals.macs == flops(model, height, width)
