"""The row of what a model holds but its forward never uses: "not used by forward: aux1.*, aux2.*".

Keeping it in the network keeps the totals equal to PyTorch's own sums; its
name says which parameters and buffers it holds, by submodule where a whole
submodule is unused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy

from ...layers.usage import Unused
from ...model.network import Node
from .invariant import Placed

#: At most this many names are listed in the row's name.
SHOWN = 6


def unused_row(torch: Any, root: Any, counted: set[int], output: Node, unique: Callable[[str], str] = str) -> Node:
    """``output`` passed through an :class:`~symcnn.layers.usage.Unused` row, if anything is not ``counted``."""
    parameters = [(name, p) for name, p in root.named_parameters() if id(p) not in counted]
    buffers = [(name, b) for name, b in root.named_buffers() if id(b) not in counted]
    if not parameters and not buffers:
        return output
    groups = _groups(root, [name for name, _ in parameters + buffers], counted)
    more = f", ... ({len(groups) - SHOWN} more)" if len(groups) > SHOWN else ""
    layer = Unused(
        parameters=sum(p.numel() for _, p in parameters if p.requires_grad),
        frozen=sum(p.numel() for _, p in parameters if not p.requires_grad),
        buffer_elements=sum(b.numel() for _, b in buffers),
        name=unique(f"not used by forward: {', '.join(groups[:SHOWN])}{more}"),
    )
    return layer(output)


def unused_placed(torch: Any, root: Any, counted: set[int], row: Node) -> Placed:
    """The unused row as :func:`~.invariant.check_totals` reads it: its counts and the tensors it holds."""
    layer = row.module
    assert isinstance(layer, Unused)
    tensors = [
        (name, int(item.numel()), isinstance(item, torch.nn.Parameter))
        for name, item in [*root.named_parameters(), *root.named_buffers()]
        if id(item) not in counted
    ]
    counts = sympy.Integer(layer.parameters + layer.frozen), sympy.Integer(layer.buffer_elements)
    return Placed(str(layer.name), *counts, tuple(tensors))


def _groups(root: Any, names: list[str], counted: set[int]) -> list[str]:
    """``aux1.*`` for a submodule none of whose tensors is used, else the tensor's own name."""
    used_under: set[str] = set()
    # Every name of a tensor (a module in two containers has two): a used one is used under both.
    aliases = [*root.named_parameters(remove_duplicate=False), *root.named_buffers(remove_duplicate=False)]
    for name, item in aliases:
        if id(item) in counted:
            parts = name.split(".")
            used_under.update(".".join(parts[:length]) for length in range(1, len(parts)))
    groups: list[str] = []
    for name in names:
        parts = name.split(".")
        shown = name
        for length in range(1, len(parts)):
            prefix = ".".join(parts[:length])
            if prefix not in used_under:
                shown = f"{prefix}.*"
                break
        if shown not in groups:
            groups.append(shown)
    return groups
