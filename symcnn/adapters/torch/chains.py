"""Graphs of ``nn.Sequential`` chains written directly, as the ``torch.fx`` trace would record them.

A model is a chain when it is an ``nn.Sequential`` (or a subclass keeping its
``forward`` and ``__iter__``, such as torchvision's ``Conv2dNormActivation``)
whose items are modules symcnn maps (leaves of the trace) or chains themselves.  ``Sequential.forward`` calls the
items in order, so its graph is known without running it: a placeholder
``input``, one ``call_module`` per item (an item listed twice is called
twice, under its first name), the output.  Node names and ``nn_module_stack``
are the trace's.  A nested chain with hooks (the trace runs them on proxies),
an overridden call, a ``None`` item or anything else needs the trace: None.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from .modules import _lookup
from .tree import first_paths
from .values import Handler

__all__ = ["_chain"]


def _chain(torch: Any, module: Any, modules: dict[type, Handler], paths: dict[Any, str] | None = None) -> Any:
    """The graph of a chain of leaf modules, written without tracing; else None.

    ``paths``: the module's :func:`~.tree.first_paths`, if the caller has walked it already.
    """
    if not _sequential(torch, module):
        return None
    graph = torch.fx.Graph()
    writer = _Writer(torch, module, modules, graph, paths)
    value = writer.items(module, graph.placeholder("input"))
    if value is None:
        return None
    graph.output(value)
    return graph


class _Writer:
    """Writes each item's call as ``torch.fx``'s tracer would, with its module stack."""

    def __init__(
        self, torch: Any, root: Any, modules: dict[type, Handler], graph: Any, paths: dict[Any, str] | None
    ) -> None:
        self.torch = torch
        self.modules = modules
        self.graph = graph
        self.paths = first_paths(root) if paths is None else paths  # a module's path is its first name, as the tracer's
        self.stack: OrderedDict[str, tuple[str, type]] = OrderedDict()
        self.calls: dict[str, int] = {}

    def items(self, container: Any, value: Any) -> Any:
        for item in container._modules.values():
            value = self.call(item, value)
            if value is None:
                return None
        return value

    def call(self, module: Any, value: Any) -> Any:
        if module is None or module not in self.paths:
            return None
        mapped = _lookup(self.modules, module) is not None  # a leaf of the trace
        if not mapped and not (_sequential(self.torch, module) and _plain(self.torch, module)):
            return None  # an unmapped module (even a torch.nn leaf) or a container the trace must run
        path = self.paths[module]
        calls = self.calls.get(path, 0)
        key = f"{path}@{calls}" if calls else path
        self.stack[key] = (path, type(module))
        self.calls[path] = calls + 1
        if mapped:
            value = self.graph.call_module(path, (value,))
            value.meta["nn_module_stack"] = OrderedDict(self.stack)
        else:
            value = self.items(module, value)
        self.stack.popitem()
        return value


def _sequential(torch: Any, module: Any) -> bool:
    """An ``nn.Sequential`` whose forward is ``Sequential.forward``: its items called in order."""
    sequential = torch.nn.Sequential
    kind = type(module)
    return (
        isinstance(module, sequential)
        and kind.forward is sequential.forward
        and kind.__iter__ is sequential.__iter__
        and "forward" not in module.__dict__
    )


def _plain(torch: Any, module: Any) -> bool:
    """A module whose call is ``forward`` alone: no hooks of its own or global, no override, not compiled."""
    base = torch.nn.Module
    kind = type(module)
    hooks = torch.nn.modules.module
    global_hooks = (
        "_global_backward_pre_hooks",
        "_global_backward_hooks",
        "_global_forward_hooks",
        "_global_forward_pre_hooks",
    )
    return (
        kind.__call__ is base.__call__
        and kind._wrapped_call_impl is base._wrapped_call_impl
        and kind._call_impl is base._call_impl
        and getattr(module, "_compiled_call_impl", None) is None
        and not (module._backward_hooks or module._backward_pre_hooks)
        and not (module._forward_hooks or module._forward_pre_hooks)
        and all(hasattr(hooks, name) and not getattr(hooks, name) for name in global_hooks)
    )
