"""The registry: one table from a layer's spec name to its class.

``@register`` enters a class under its class name in lower case
(``Conv2d`` -> ``"conv2d"``), the name spec files and the CLI use.  The row
names a derivation gives unnamed layers come from the class's ``prefix``:
the kind without its dimensionality (``maxpool1``, ``batchnorm2``), except
where the textbook keeps it (``conv2d1``, as Keras names convolutions) or
uses another word (``dense`` for Linear); those pass ``prefix=`` explicitly.

Layer modules are imported on first use (:mod:`symcnn.layers`): looking a
kind up imports the module that defines it, listing ``LAYERS`` imports them all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, TypeVar, overload

from ..errors import UnknownLayerError

if TYPE_CHECKING:
    from .base import Layer

__all__ = ["LAYERS", "layer_class", "register"]

L = TypeVar("L", bound="type[Layer]")


class Registry(Mapping[str, "type[Layer]"]):
    """Spec name -> layer class, complete whatever has been imported so far."""

    def __init__(self) -> None:
        self._entered: dict[str, type[Layer]] = {}

    def enter(self, kind: str, cls: type[Layer]) -> None:
        if kind in self._entered:
            raise ValueError(f"layer type {kind!r} is registered twice")
        self._entered[kind] = cls

    def __getitem__(self, kind: str) -> type[Layer]:
        found = self._entered.get(kind)
        if found is None:
            from . import load_kind  # the package knows which module defines which layer

            load_kind(kind)
            found = self._entered[kind]
        return found

    def __iter__(self) -> Iterator[str]:
        from . import load_all

        load_all()
        return iter(sorted(self._entered))  # the same order whatever was imported first

    def __len__(self) -> int:
        from . import load_all

        load_all()
        return len(self._entered)


LAYERS = Registry()


@overload
def register(cls: L, /) -> L: ...


@overload
def register(*, prefix: str) -> Callable[[L], L]: ...


def register(cls: L | None = None, /, *, prefix: str | None = None) -> L | Callable[[L], L]:
    """Enter a layer class in the registry: ``@register`` or ``@register(prefix="dense")``."""

    def enter(cls: L) -> L:
        kind = cls.__name__.lower()
        LAYERS.enter(kind, cls)
        cls.kind = kind
        cls.prefix = prefix if prefix is not None else re.sub(r"\d+d$", "", kind)
        return cls

    return enter if cls is None else enter(cls)


def layer_class(kind: str) -> type[Layer]:
    """The class registered under ``kind`` (case-insensitive), or ``UnknownLayerError`` with suggestions."""
    try:
        return LAYERS[kind.lower()]
    except KeyError:
        close = sorted(name for name in LAYERS if name.startswith(kind.lower()[:4]))
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise UnknownLayerError(f"unknown layer type {kind!r}{hint}") from None
