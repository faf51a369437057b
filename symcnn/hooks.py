"""Operations defined above a module, reached from that module's conveniences.

The engine is a hierarchy: structure (:mod:`symcnn.network`) and results
(:mod:`symcnn.derivation`) sit below the walker (:mod:`symcnn.derive`) and the
renderers (:mod:`symcnn.render`).  ``net.derive()`` and ``d.to_latex()`` are
conveniences on the lower modules for operations defined higher up; the upper
modules register those operations here when they are imported (``import
symcnn`` imports them all), so no module imports one above it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["OPERATIONS", "call", "provides"]

OPERATIONS: dict[str, Callable[..., Any]] = {}
F = TypeVar("F", bound=Callable[..., Any])


def provides(name: str) -> Callable[[F], F]:
    """Register the decorated function as the operation ``name`` (once)."""

    def enter(function: F) -> F:
        if name in OPERATIONS:
            raise ValueError(f"operation {name!r} is provided twice")
        OPERATIONS[name] = function
        return function

    return enter


def call(name: str, *args: Any, **kwargs: Any) -> Any:
    """Run the operation ``name``; its module registers it when ``symcnn`` is imported."""
    return OPERATIONS[name](*args, **kwargs)
