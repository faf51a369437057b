"""Keras's channels-last axes in symcnn's channels-first shapes.

A Keras tensor ``(None, H, W, C)`` is symcnn's ``(C, H, W)``: Keras's last
axis is symcnn's dimension 1 (counting the batch as 0, as symcnn's layers do),
and Keras's axis ``k`` of the spatial ones is ``k + 1``.  Vectors ``(None, F)``
are the same in both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..torch.values import _Unsupported


def symcnn_dim(axis: int, rank: int) -> int:
    """Keras's ``axis`` of a tensor with ``rank`` sample dimensions, as symcnn's dimension (batch = 0)."""
    full = rank + 1
    if not -full <= axis < full:
        raise _Unsupported(f"axis {axis} does not fit a tensor of {full} dimensions")
    axis %= full
    if axis == 0:
        raise _Unsupported("the axis is the batch dimension")
    if rank == 1:
        return 1
    return 1 if axis == rank else axis + 1


def channels_first(shape: Sequence[Any]) -> tuple[Any, ...]:
    """A Keras sample shape ``(H, W, C)`` in symcnn's order ``(C, H, W)``; vectors are unchanged."""
    items = tuple(shape)
    return items if len(items) < 2 else (items[-1], *items[:-1])
