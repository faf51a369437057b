"""Tracing only when needed: plain ``nn.Sequential`` chains are read directly, traces are remembered.

A ``torch.fx`` trace runs the model's ``forward`` on proxies, a good part of
what a numeric summary costs.  Two shortcuts, both giving the graph the trace
would give:

* an ``nn.Sequential`` (not a subclass) whose modules are all mapped or plain
  ``nn.Sequential`` themselves is a chain: its graph is written directly;
* a model imported again (another input size, a summary after a symbolic
  derivation) reuses its trace while it has the same submodules (names,
  types), modes and plain settings.  The memo holds models weakly; :func:`clear_trace_cache`
  empties it.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from typing import Any

from .modules import _lookup
from .tracing import _trace
from .values import Handler

_TRACES: weakref.WeakKeyDictionary[Any, tuple[Any, Any]] = weakref.WeakKeyDictionary()

__all__ = ["clear_trace_cache", "traced"]


def traced(torch: Any, module: Any, modules: dict[type, Handler]) -> Any:
    """The ``torch.fx`` graph of ``module`` with the types in ``modules`` as leaves (remembered)."""
    key = _fingerprint(module)
    try:
        known = _TRACES.get(module)
    except TypeError:  # a module that cannot be weakly referenced: trace every time
        return _chain(torch, module, modules) or _trace(torch, module, modules)
    if known is not None and known[0] == key:
        return known[1]
    graph = _chain(torch, module, modules) or _trace(torch, module, modules)
    _TRACES[module] = (key, graph)
    return graph


def clear_trace_cache() -> None:
    """Forget every remembered trace."""
    _TRACES.clear()


traced.cache_clear = clear_trace_cache  # type: ignore[attr-defined]  # found by benchmarks' cache sweeps


def _fingerprint(module: Any) -> tuple[Any, ...]:
    """Names, types, modes and plain settings (``self.mode = "a"`` choosing a branch) of every module."""
    return tuple((name, type(sub), sub.training, _settings(sub)) for name, sub in module.named_modules())


def _settings(module: Any) -> tuple[tuple[str, Any], ...]:
    return tuple((key, value) for key, value in module.__dict__.items() if key[0] != "_" and isinstance(value, _PLAIN))


_PLAIN = (bool, int, float, str, type(None))


def _chain(torch: Any, module: Any, modules: dict[type, Handler]) -> Any:
    """The graph of a plain ``nn.Sequential`` of mapped modules, written without tracing; else None."""
    if type(module) is not torch.nn.Sequential:
        return None
    steps = list(_steps(torch, module, "", modules))
    if not steps or None in steps:
        return None
    graph = torch.fx.Graph()
    value = graph.placeholder("input")
    for name in steps:
        value = graph.call_module(name, (value,))
    graph.output(value)
    return graph


def _steps(torch: Any, module: Any, prefix: str, modules: dict[type, Handler]) -> Iterator[str | None]:
    for name, child in module.named_children():
        qualified = f"{prefix}{name}"
        if _lookup(modules, child) is not None:
            yield qualified
        elif type(child) is torch.nn.Sequential:
            yield from _steps(torch, child, f"{qualified}.", modules)
        else:
            yield None  # anything else needs the trace
