"""A value in a functional graph: a module applied to earlier nodes.

Below both the layers (whose ``__call__`` makes nodes) and the networks (which
read them), so neither needs to import the other to build a graph.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import SpecError

__all__ = ["Node"]


@dataclass(frozen=True, eq=False)
class Node:
    """A value in a functional graph: a module applied to earlier nodes."""

    module: Any  # a Layer, a Network or an Input
    inputs: tuple[Node, ...]

    @staticmethod
    def make(module: Any, inputs: Iterable[Any]) -> Node:
        """``module`` applied to ``inputs``: nodes, or ``Input``s (which carry their node)."""
        nodes = tuple(item if isinstance(item, Node) else getattr(item, "node", item) for item in inputs)
        for item in nodes:
            if not isinstance(item, Node):
                raise SpecError(f"{module.kind}: call it on nodes or Inputs, got {item!r}")
        if not nodes:
            raise SpecError(f"{module.kind}: call it on at least one input")
        return Node(module, nodes)
