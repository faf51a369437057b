"""Tracing only when needed: ``nn.Sequential`` chains are read directly, traces are remembered.

A ``torch.fx`` trace runs the model's ``forward`` on proxies, a good part of
what a numeric summary costs.  Three shortcuts, all giving the graph the trace
would give:

* an ``nn.Sequential`` (or a subclass keeping its ``forward``) whose modules
  are all mapped or chains themselves is a chain: its graph is written
  directly (:mod:`.chains`);
* any other model is traced by :func:`~.capture.capture`, ``torch.fx``'s tracer
  with cheaper hot paths, which steps aside for the plain trace when unsure;
* a model imported again (another input size, a summary after a symbolic
  derivation) reuses its trace while it has the same submodules (names,
  types), modes and plain settings.  The memo holds models weakly; :func:`clear_trace_cache`
  empties it.
"""

from __future__ import annotations

import weakref
from typing import Any

from .capture import capture
from .chains import _chain
from .modules import _lookup
from .tree import first_paths
from .values import Handler

_TRACES: weakref.WeakKeyDictionary[Any, tuple[Any, Any]] = weakref.WeakKeyDictionary()

__all__ = ["clear_trace_cache", "traced"]


def traced(torch: Any, module: Any, modules: dict[type, Handler], paths: dict[Any, str] | None = None) -> Any:
    """The ``torch.fx`` graph of ``module`` with the types in ``modules`` as leaves (remembered).

    ``paths``: the module's :func:`~.tree.first_paths`, if the caller has walked it already.
    """
    if paths is None:
        paths = first_paths(module)
    key = _fingerprint(paths, modules)
    try:
        known = _TRACES.get(module)
    except TypeError:  # a module that cannot be weakly referenced: trace every time
        return _chain(torch, module, modules, paths) or capture(torch, module, modules, paths)
    if known is not None and known[0] == key:
        return known[1]
    graph = _chain(torch, module, modules, paths) or capture(torch, module, modules, paths)
    _TRACES[module] = (key, graph)
    return graph


def clear_trace_cache() -> None:
    """Forget every remembered trace."""
    _TRACES.clear()


traced.cache_clear = clear_trace_cache  # type: ignore[attr-defined]  # found by benchmarks' cache sweeps


def _fingerprint(paths: dict[Any, str], modules: dict[type, Handler]) -> tuple[Any, ...]:
    """Names, types, modes and plain settings (``self.mode = "a"`` choosing a branch) of every module.

    A mapped module is a leaf of the trace (one node, its ``forward`` not run): its settings
    cannot change the graph, and the import reads them afresh, so they are not compared.
    """
    return tuple(
        (name, type(sub), sub.training, () if _lookup(modules, sub) is not None else _settings(sub))
        for sub, name in paths.items()
    )


def _settings(module: Any) -> tuple[tuple[str, Any], ...]:
    return tuple((key, value) for key, value in module.__dict__.items() if key[0] != "_" and isinstance(value, _PLAIN))


_PLAIN = (bool, int, float, str, type(None))
