"""What every importer does with a layer: apply it to its inputs' tensors and wire its graph node.

The torch, ONNX and Keras importers each walk their framework's graph; each maps a
node to a symcnn layer and places it here, so a row is made the same way whichever
framework it came from.  The torch importer also records what it placed (for the
totals check against ``numel``) by overriding :meth:`Placing._place`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..exact.conventions import Conventions
from ..exact.steps import Check, Tensor
from ..layers.base import Layer
from ..layers.memo import apply_once
from ..layers.node import Node
from ..layers.usage import Held

__all__ = ["Placing", "_Value"]


@dataclass(frozen=True, eq=False)
class _Value:
    """A tensor: the symcnn node that makes it and its shape (without batch)."""

    node: Node
    tensor: Tensor


class Placing:
    """A mixin for importers: ``layer()`` makes a layer without weights and places it."""

    conventions: Conventions

    def layer(
        self,
        name: str,
        kind: type[Layer],
        inputs: Sequence[_Value],
        *,
        checks: tuple[Check, ...] = (),
        **arguments: Any,
    ) -> _Value:
        """A layer without parameters (or whose parameters the caller accounts for)."""
        made: Layer = kind(**arguments, name=None if checks else name)
        if checks:
            made = Held(made, checks=checks, name=name)
        return self._place(made, inputs)

    def _place(self, made: Layer, inputs: Sequence[_Value]) -> _Value:
        """``made`` applied to ``inputs``: its output tensor and the node that makes it."""
        outcome = apply_once(made, [item.tensor for item in inputs], self.conventions)
        return _Value(made(*(item.node for item in inputs)), outcome.output)
