"""Tracing with ``torch.fx``: modules symcnn maps are leaves, every other module is traced through."""

from __future__ import annotations

from typing import Any

from ...errors import UnsupportedError
from .modules import _lookup
from .values import Handler


class _Untraceable(UnsupportedError):
    """``torch.fx`` cannot trace the module; ``reason`` is its error in one line."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"torch.fx cannot trace {name}: {reason}")
        self.reason = reason


def _trace(torch: Any, module: Any, modules: dict[type, Handler]) -> Any:
    """The ``torch.fx`` graph of ``module``, stopping at the module types in ``modules``."""

    class Tracer(torch.fx.Tracer):  # type: ignore[misc, name-defined]
        """Stops at every module symcnn maps to a layer; traces through the rest."""

        def is_leaf_module(self, m: Any, module_qualified_name: str) -> bool:
            return _lookup(modules, m) is not None or bool(super().is_leaf_module(m, module_qualified_name))

    try:
        return Tracer().trace(module)
    except Exception as error:  # torch.fx raises many kinds (TraceError, TypeError, ...)
        lines = str(error).strip().splitlines()
        first = lines[0].split(". ")[0] if lines else type(error).__name__  # torch.fx explains at length
        raise _Untraceable(type(module).__name__, first) from error
