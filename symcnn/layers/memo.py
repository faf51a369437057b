"""A bounded memo of layer outcomes: each layer is applied once per input shapes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields

from ..exact.conventions import Conventions
from ..exact.display import Leaf, Shown
from ..exact.steps import Outcome, Tensor
from .base import Layer

__all__ = ["apply_once", "clear"]


_APPLIED: dict[object, Outcome] = {}
_APPLIED_LIMIT = 8192


def apply_once(layer: Layer, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
    """``layer.apply``, remembered for equal layers on equal input shapes.

    Importing a PyTorch model applies every layer to follow shapes; deriving the
    network then finds the same outcomes here instead of computing them again.
    The key includes how each input size is shown (``32*5*5`` after Flatten, or
    ``800``), since the outcome's formulas show them.
    """
    try:
        key = (
            _arguments(layer),
            conventions,
            tuple((x.shape, tuple(_shown_key(part) for part in x.shown)) for x in inputs),
        )
        hash(key)
    except TypeError:  # a layer with an unhashable argument: nothing to remember it by
        return layer.apply(inputs, conventions)
    outcome = _APPLIED.get(key)
    if outcome is None:
        outcome = layer.apply(inputs, conventions)
        if len(_APPLIED) >= _APPLIED_LIMIT:
            del _APPLIED[next(iter(_APPLIED))]
        _APPLIED[key] = outcome
    return outcome


def _arguments(layer: Layer) -> tuple[object, ...]:
    """The layer's class and arguments without its name: an outcome never depends on the name,
    so the 16 identical blocks of a network share one."""
    names = _FIELDS.get(type(layer))
    if names is None:
        names = _FIELDS[type(layer)] = tuple(item.name for item in fields(layer) if item.name != "name")
    return (type(layer), *(getattr(layer, name) for name in names))


_FIELDS: dict[type, tuple[str, ...]] = {}


def _shown_key(part: Shown) -> object:
    return part.item if isinstance(part, Leaf) else part.text()


def clear() -> None:
    """Forget every remembered outcome."""
    _APPLIED.clear()
