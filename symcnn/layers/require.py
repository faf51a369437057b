"""Require: a condition the model asserts on its sizes (``torch._assert(h == 224)``).

The tensor passes through unchanged; the condition becomes a condition of the
derivation, listed, substituted and rendered like every other one.  It is
stated in the symbols of the network's input (``H``), as the model compares
sizes it read from its input.  A model
written for one image size (torchvision's ViT) states it this way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import sympy

from ..errors import ShapeError
from ..exact.conventions import Conventions
from ..exact.formula import parse_relation
from ..exact.printing import to_str
from ..exact.steps import Check, Outcome, Tensor
from .base import Layer
from .field import Field
from .registry import register

__all__ = ["Require"]

_RELATIONS = {"==": sympy.Eq, "<=": sympy.Le, "<": sympy.Lt, ">=": sympy.Ge, ">": sympy.Gt}


@register
@dataclass(frozen=True)
class Require(Layer):
    """Passes the input through; ``condition`` (``"H == 224"`` or a SymPy relation) must hold.

    >>> from symcnn import Graph, Input
    >>> x = Input(3, "H", "W")
    >>> d = Graph([x], [Require("H == 224")(x)]).derive()
    >>> [str(condition.relation) for condition in d.conditions]
    ['Eq(H, 224)']
    >>> d.subs(H=225)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symcnn.errors.ShapeError: layer 1 (require 'require'): H = 224, violated by H=225 ...
    """

    makes_tensor: ClassVar[bool] = False
    receptive: ClassVar[Field | None] = Field.POINTWISE  # the input passes through unchanged

    condition: Any = None
    reason: str = ""

    def __post_init__(self) -> None:
        raw = self.condition
        if isinstance(raw, str):
            operator, left, right = parse_relation(raw, what="condition")
            raw = _RELATIONS[operator](left, right)
        if not isinstance(raw, sympy.logic.boolalg.Boolean):
            raise self._fail(f"condition must be a relation such as 'H == 224', got {raw!r}")
        self._set("condition", raw)
        if not isinstance(self.reason, str):
            raise self._fail(f"reason must be text, got {self.reason!r}")

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        rule = self.reason or _text(self.condition)
        if self.condition is sympy.false:
            raise ShapeError(rule)
        checks = () if self.condition is sympy.true else (Check(rule, self.condition),)
        return Outcome(x, checks=checks)


def _text(condition: sympy.Basic) -> str:
    if isinstance(condition, sympy.Eq):
        return f"{to_str(condition.lhs)} = {to_str(condition.rhs)}"
    return to_str(condition)
