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
# The same layer object on the same input objects (an import's layers, derived next): found by identity,
# without hashing the layer's arguments and the shapes.  Each entry holds what its ids name, so no id is reused.
_RECENT: dict[int, tuple[Layer, Sequence[Tensor], Conventions, Outcome]] = {}


def apply_once(layer: Layer, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
    """``layer.apply``, remembered for equal layers on equal input shapes.

    Importing a PyTorch model applies every layer to follow shapes; deriving the
    network then finds the same outcomes here instead of computing them again.
    The key includes how each input size is shown (``32*5*5`` after Flatten, or
    ``800``), since the outcome's formulas show them.
    """
    recent = _RECENT.get(id(layer))
    if (
        recent is not None
        and recent[0] is layer
        and recent[2] == conventions
        and len(recent[1]) == len(inputs)
        and all(old is new for old, new in zip(recent[1], inputs, strict=True))
    ):
        return recent[3]
    key = (
        _arguments(layer),
        conventions,
        tuple((x.shape, tuple(_shown_key(part) for part in x.shown)) for x in inputs),
    )
    try:
        outcome = _APPLIED.get(key)
    except TypeError:  # a layer with an unhashable argument: nothing to remember it by
        return layer.apply(inputs, conventions)
    if outcome is None:
        outcome = layer.apply(inputs, conventions)
        if len(_APPLIED) >= _APPLIED_LIMIT:
            del _APPLIED[next(iter(_APPLIED))]
        _APPLIED[key] = outcome
    if len(_RECENT) >= _APPLIED_LIMIT:
        _RECENT.clear()
    _RECENT[id(layer)] = (layer, tuple(inputs), conventions, outcome)
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
    _RECENT.clear()
