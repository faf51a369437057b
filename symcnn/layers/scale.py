"""Scale: a learned tensor multiplied elementwise into the input (LayerScale).

ConvNeXt multiplies each block's output by ``layer_scale``, an
``nn.Parameter`` of shape ``(C, 1, 1)``; CaiT and others do the same.  The
parameter broadcasts against the input like ``*``.  Its elements are trainable
parameters; like normalisation, the product counts no MACs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ..exact import rules
from ..exact.conventions import Conventions
from ..exact.steps import Bind, Outcome, Tensor, derive_step, product, shown_product
from .base import Layer
from .field import Field
from .merge import broadcast
from .registry import register

__all__ = ["Scale"]


@register
@dataclass(frozen=True)
class Scale(Layer):
    """``gamma * x`` with a learned ``gamma`` of ``shape`` (broadcast like ``*``).

    >>> Scale((96, 1, 1)).output_shape((96, 56, 56))
    (96, 56, 56)
    >>> Scale((96, 1, 1)).params((96, 56, 56))
    96
    """
    receptive: ClassVar[Field | None] = Field.POINTWISE

    shape: Any = None

    def __post_init__(self) -> None:
        raw = self.shape
        if raw is None:
            raise self._fail("shape is required")
        items = list(raw) if isinstance(raw, list | tuple) else [raw]
        self._set("shape", tuple(self._valid_integer(item, "shape") for item in items))

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        out, checks = broadcast((x, Tensor.of(self.shape)))
        count = product(self.shape)
        shown = shown_product(list(self.shape)) if self.shape else None
        params = derive_step("params", rules.per_feature, c=Bind(count, "c", shown))
        return Outcome(out, params=params, checks=checks)
