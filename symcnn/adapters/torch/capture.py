"""A faster ``torch.fx`` trace giving the same graph as :func:`~.tracing._trace`.

``torch.fx.Tracer`` spends most of a trace in general machinery, none of it
visible in the graph: a scope object copied at every module call, every
argument walked by pytree (to find proxies, then again to find ``SymInt``),
a search of the model's parameters at every parameter read, a table of every
module's tensor attributes before the first node, a fresh wrapper for each of
``math``'s functions, node names matched and rewritten with regular
expressions.  ``_Capture`` is a ``Tracer`` (built once per torch) whose hot
paths do the same work in fewer steps: exact-type fast paths for the common
arguments (nodes, plain values, tuples, lists, string-keyed dicts), torch
function calls that find their tracer without pytree (a ``Proxy`` subclass),
module paths and leaf decisions looked up once, the parameter and attribute
tables built when first asked, wrappers and legal names remembered.  It
records the same nodes (op, target, args, kwargs, names, types,
``nn_module_stack``) in the same order; ``tests/adapters/test_capture.py``
compares every torchvision model and the user-style corpora.

Anything it does not handle the same way makes it step aside, and
:func:`capture` runs the plain trace: a constant torch.fx would store on the
model (``_tensor_constant0``), node metadata preserved by an outer tracer,
tracer options it does not implement, any exception (control flow on a
proxy, a module made during ``forward``: torch.fx then gives its own error).
The cost of stepping aside is one partial trace; the graph is never a different one.
"""

from __future__ import annotations

import builtins
import functools
import inspect
import types
from collections import OrderedDict
from typing import Any

from .modules import _lookup
from .tracing import _trace
from .tree import first_paths
from .values import Handler

__all__ = ["capture"]


class _Refused(Exception):
    """The fast tracer would do something differently from ``torch.fx``: trace plainly instead."""


def capture(torch: Any, module: Any, modules: dict[type, Handler], paths: dict[Any, str] | None = None) -> Any:
    """The graph :func:`~.tracing._trace` gives, traced faster when the fast tracer can.

    ``paths``: the module's :func:`~.tree.first_paths`, if the caller has walked it already.
    """
    try:
        return _capture_class(torch)(modules, paths).trace(module)
    except Exception:  # _Refused, or anything the model raises: torch.fx says what (or succeeds)
        return _trace(torch, module, modules)


@functools.cache
def _capture_class(torch: Any) -> type:
    from torch._library.opaque_object import is_opaque_symbolic_type
    from torch.fx import _symbolic_trace as fx_trace
    from torch.fx import graph as graph_module
    from torch.fx import traceback as fx_traceback
    from torch.fx.graph import Graph
    from torch.fx.immutable_collections import immutable_dict
    from torch.fx.node import Node
    from torch.fx.proxy import Attribute, Proxy

    probe = Graph()
    fast_nodes = probe.owning_module is None and all(
        hasattr(probe, name) for name in ("_graph_namespace", "_insert", "_find_nodes_lookup_table", "_len")
    )

    @functools.lru_cache(maxsize=8192)
    def legal(name: str) -> str:
        """The name ``Graph``'s namespace makes of ``name`` before numbering it (``layer1.0`` is ``layer1_0``).

        Given this, ``create_name`` matches its pattern at once and numbers the
        same name the same way; it would otherwise match, substitute and match again.
        """
        if graph_module._name_regex.match(name) is None:
            name = graph_module._illegal_char_regex.sub("_", name) or "_unnamed"
            if name[0].isdigit():
                name = f"_{name}"
        return name

    @functools.lru_cache(maxsize=8192)
    def candidate(target: Any) -> str:
        """A node's name before numbering: a pure function of its target (a string or a function)."""
        return legal(probe._target_to_str(target))

    named = frozenset((str, types.FunctionType, types.BuiltinFunctionType))
    plain = frozenset((int, float, bool, str, type(None)))
    proxies: tuple[type, ...] = (Proxy, Attribute)
    parameter_type = torch.nn.Parameter
    tensor_type = torch.Tensor
    module_type = torch.nn.Module
    original_call = fx_trace._orig_module_call
    original_getattr = fx_trace._orig_module_getattr

    wrappers: dict[Any, Any] = {}  # torch.fx's wrapper of each function it records as a call (math.sqrt, fx.wrap)

    def wrapper(function: Any) -> Any:
        """``_create_wrapped_func(function)``, made once: it holds no state of a trace."""
        try:
            return wrappers[function]
        except KeyError:
            made = wrappers[function] = fx_trace._create_wrapped_func(function)
            return made
        except TypeError:  # unhashable
            return fx_trace._create_wrapped_func(function)

    def autowrap_check(patcher: Any, frame_dict: dict[str, Any], function_ids: set[int]) -> None:
        """torch.fx's ``_autowrap_check`` with the wrappers made once."""
        if patcher.visit_once(frame_dict):
            for name, value in frame_dict.items():
                if id(value) in function_ids and not name.startswith("_") and callable(value):
                    patcher.patch(frame_dict, name, wrapper(value))

    def patch_wrapped_functions(patcher: Any) -> None:
        """torch.fx's ``_patch_wrapped_functions`` (the functions given to ``torch.fx.wrap``), wrappers made once."""
        for (_, name), frame_dict in fx_trace._wrapped_fns_to_patch.copy().items():
            if name not in frame_dict and hasattr(builtins, name):
                function = getattr(builtins, name)
            else:
                function = frame_dict[name]
            patcher.patch(frame_dict, name, wrapper(function))
        for kind, name in fx_trace._wrapped_methods_to_patch:
            patcher.patch_method(kind, name, fx_trace._create_wrapped_method(kind, name))

    is_method: dict[Any, bool] = {}  # torch.overrides.is_tensor_method_or_property, remembered

    class _Proxy(Proxy):  # type: ignore[misc]
        """A ``Proxy`` whose ``torch`` function calls find their tracer without pytree; same nodes."""

        @classmethod
        def __torch_function__(cls, orig_method: Any, types: Any, args: Any = None, kwargs: Any = None) -> Any:
            args = args if args else ()
            kwargs = kwargs if kwargs else {}
            tracers: set[Any] = set()
            simple = _tracers((args, kwargs), tracers) and len(tracers) == 1
            if not simple or isinstance(orig_method, (torch._C.ScriptMethod, torch._ops.HigherOrderOperator)):
                return super().__torch_function__(orig_method, types, args, kwargs)
            (tracer,) = tracers
            try:
                method = is_method[orig_method]
            except KeyError:
                method = is_method[orig_method] = torch.overrides.is_tensor_method_or_property(orig_method)
            except TypeError:  # unhashable
                method = torch.overrides.is_tensor_method_or_property(orig_method)
            if method:
                return tracer.create_proxy("call_method", orig_method.__name__, args, kwargs)
            name = probe._target_to_str(orig_method.__name__)  # the name torch.fx gives; legal() in record()
            return tracer.create_proxy("call_function", orig_method, args, kwargs, name=name)

    def _tracers(value: Any, found: set[Any]) -> bool:
        """Collect the tracers of the proxies in ``value``; False if it holds a container pytree would open."""
        kind = type(value)
        if kind is tuple or kind is list:
            return all(_tracers(item, found) for item in value)
        if kind is dict:
            return all(_tracers(item, found) for item in value.values())
        if kind in proxies:
            found.add(value.tracer)
            return True
        return kind in plain or not _opened(value)

    def _opened(value: Any) -> bool:
        """Whether pytree looks inside ``value`` (a namedtuple, an OrderedDict, a registered class)."""
        return not torch.utils._pytree.tree_is_leaf(value)

    proxies = (*proxies, _Proxy)

    class _Capture(torch.fx.Tracer):  # type: ignore[misc, name-defined]
        """``torch.fx.Tracer`` with the tracing loop's hot paths made cheap; same nodes."""

        def __init__(self, modules: dict[type, Handler], paths: dict[Any, str] | None = None) -> None:
            super().__init__()
            self.table = modules
            self.known_paths = paths
            self.leaves: dict[Any, bool] = {}
            self.parameter_names: dict[int, str] | None = None
            self.exotic = False  # the current node's arguments need Graph.create_node's own checks
            self.refused = ""
            self.submodule_paths: dict[Any, str] | None = None
            self.paths: dict[Any, str] = {}  # every module's qualified name (the first, as named_modules gives it)
            self._tensor_attrs: dict[Any, str] | None = None

        def refuse(self, reason: str) -> None:
            """Stop the fast trace; remembered, so that a forward catching the exception cannot hide it."""
            self.refused = reason
            raise _Refused(reason)

        # -- which modules are nodes ----------------------------------------------------------
        def is_leaf_module(self, m: Any, module_qualified_name: str) -> bool:
            return _lookup(self.table, m) is not None or bool(super().is_leaf_module(m, module_qualified_name))

        def call_module(self, m: Any, forward: Any, args: Any, kwargs: Any) -> Any:
            path = self.paths.get(m)
            if path is None:
                raise NameError("module is not installed as a submodule")
            calls = self.num_calls.get(path, 0)
            key = f"{path}@{calls}" if calls > 0 else path
            self.module_stack[key] = (path, type(m))
            self.num_calls[path] = calls + 1
            leaf = self.leaves.get(m)
            if leaf is None:
                leaf = self.leaves[m] = self.is_leaf_module(m, path)
            value = self.create_proxy("call_module", path, args, kwargs) if leaf else forward(*args, **kwargs)
            if self.module_stack.popitem(last=True)[0] != key:
                self.refuse("the module stack changed during a call")
            return value

        def getattr(self, attr: str, attr_val: Any, parameter_proxy_cache: dict[str, Any]) -> Any:
            if isinstance(attr_val, module_type) or not isinstance(attr_val, tensor_type):
                return attr_val
            if self.parameter_names is None:
                names: dict[int, str] = {}
                for name, parameter in self.root.named_parameters():
                    names.setdefault(id(parameter), name)
                self.parameter_names = names
            name = self.parameter_names.get(id(attr_val))
            if name is None or not isinstance(attr_val, parameter_type):
                return attr_val
            if name not in parameter_proxy_cache:
                parameter_proxy_cache[name] = self.create_proxy("get_attr", name, (), {})
            return parameter_proxy_cache[name]

        # -- nodes ----------------------------------------------------------------------------
        def create_arg(self, a: Any) -> Any:
            kind = type(a)
            if kind is _Proxy:
                return a.node
            if kind is tuple:
                return tuple([item.node if type(item) is _Proxy else self.create_arg(item) for item in a])
            if kind in plain:
                return a
            if kind in proxies:
                return a.node
            if kind is list:
                return [item.node if type(item) is _Proxy else self.create_arg(item) for item in a]
            if kind is dict:
                if not a:
                    return {}
                if all(type(key) is str for key in a):
                    return {key: self.create_arg(value) for key, value in a.items()}
            self.exotic = True
            if isinstance(a, tensor_type) and not isinstance(a, parameter_type):
                stowed = not any(a is buffer for buffer in self.root.buffers()) and a not in self.tensor_attrs
            else:
                constant = isinstance(a, fx_trace._constant_attribute_types) or is_opaque_symbolic_type(kind)
                stowed = (constant and a not in self.tensor_attrs) or kind in fx_trace._proxyable_classes
            if stowed:  # torch.fx would store it on the model as _tensor_constant0, ...: the model would change
                self.refuse("a constant would be stored on the model")
            return super().create_arg(a)

        def create_proxy(
            self,
            kind: str,
            target: Any,
            args: Any,
            kwargs: Any,
            name: str | None = None,
            type_expr: Any = None,
            proxy_factory_fn: Any = None,
        ) -> Any:
            outer, self.exotic = self.exotic, False  # a nested node (an attribute's) must not reset the caller's
            args = self.create_arg(args)
            kwargs = {} if type(kwargs) is dict and not kwargs else self.create_arg(kwargs)
            exotic, self.exotic = self.exotic, outer
            if not isinstance(args, tuple) or not isinstance(kwargs, dict):
                raise AssertionError("torch.fx's create_proxy checks these")
            if exotic or not fast_nodes or fx_traceback.has_preserved_node_meta():
                node = self.create_node(kind, target, args, kwargs, name, type_expr)
            else:
                node = self.record(kind, target, args, kwargs, name, type_expr)
            return _Proxy(node, self) if proxy_factory_fn is None else proxy_factory_fn(node)

        def record(self, kind: str, target: Any, args: Any, kwargs: Any, name: str | None, type_expr: Any) -> Any:
            """``Graph.create_node`` for arguments made only of nodes, plain values and containers.

            Those hold no ``SymInt``, so the graph's check for one (a pytree walk of
            every argument, the costliest step of a node) has nothing to find.
            """
            graph = self.graph
            if not kwargs:
                kwargs = immutable_dict()
            if name is None:
                name = candidate(target) if type(target) in named else graph._target_to_str(target)
            elif type(name) is str:
                name = legal(name)
            unique = graph._graph_namespace.create_name(name, None)
            node = Node(graph, unique, kind, target, args or (), kwargs, type_expr)
            graph._graph_namespace.associate_name_with_obj(unique, node)
            graph._insert(node)
            graph._find_nodes_lookup_table.insert(node)
            graph._len += 1
            if self.module_stack:
                node.meta["nn_module_stack"] = OrderedDict(self.module_stack)
            return node

        def create_node(
            self, kind: str, target: Any, args: Any, kwargs: Any, name: str | None = None, type_expr: Any = None
        ) -> Any:
            if fx_traceback.has_preserved_node_meta():
                self.refuse("an outer tracer preserves node metadata")
            node = self.graph.create_node(kind, target, args, kwargs, name, type_expr)
            if self.module_stack:
                node.meta["nn_module_stack"] = OrderedDict(self.module_stack)
            return node

        @property
        def tensor_attrs(self) -> dict[Any, str]:
            """Every tensor held as a plain attribute of a module, by its qualified name; built when first asked."""
            if self._tensor_attrs is None:
                found: dict[Any, str] = {}
                _collect_constants(self.root, "", found, fx_trace._constant_attribute_types)
                self._tensor_attrs = found
            return self._tensor_attrs

        # -- the trace --------------------------------------------------------------------------
        def trace(self, root: Any, concrete_args: Any = None) -> Any:
            if concrete_args is not None or not isinstance(root, module_type):
                raise _Refused("only modules without concrete arguments")
            if self.record_stack_traces or self.check_mutable_operations or self.proxy_buffer_attributes:
                raise _Refused("a tracer option the fast paths do not implement")
            before = fx_trace._get_is_fx_tracing()
            fx_trace._set_is_fx_tracing(True)
            try:
                return self._trace(root)
            finally:
                fx_trace._set_is_fx_tracing(before)

        def _trace(self, root: Any) -> Any:
            from torch.fx._lazy_graph_module import _LazyGraphModule

            _LazyGraphModule.force_recompile(root)
            self.root = root
            fn = type(root).forward
            self.root_module_name = root._get_name()
            self.submodule_paths = self.paths = first_paths(root) if self.known_paths is None else self.known_paths
            self.graph = Graph(tracer_cls=type(self))
            code = fn.__code__
            self.graph._co_fields = {
                "co_name": code.co_name,
                "co_filename": code.co_filename,
                "co_firstlineno": code.co_firstlineno,
            }
            self._tensor_attrs = None
            fn_globals = fn.__globals__
            fn, args = self.create_args_for_root(fn, True, None)
            parameter_proxy_cache: dict[str, Any] = {}
            autowrap = self._autowrap_function_ids

            with fx_trace._new_patcher() as patcher:

                @functools.wraps(original_getattr)
                def module_getattr_wrapper(mod: Any, attr: str) -> Any:
                    return self.getattr(attr, original_getattr(mod, attr), parameter_proxy_cache)

                @functools.wraps(original_call)
                def module_call_wrapper(mod: Any, *args: Any, **kwargs: Any) -> Any:
                    autowrap_check(patcher, getattr(getattr(mod, "forward", mod), "__globals__", {}), autowrap)
                    return self.call_module(mod, functools.partial(original_call, mod), args, kwargs)

                patcher.patch_method(module_type, "__getattr__", module_getattr_wrapper, deduplicate=False)
                patcher.patch_method(module_type, "__call__", module_call_wrapper, deduplicate=False)
                patch_wrapped_functions(patcher)
                autowrap_check(patcher, fn_globals, autowrap)
                for wrapped in self._autowrap_search:
                    autowrap_check(patcher, wrapped.__dict__, autowrap)
                annotations = inspect.get_annotations(inspect.unwrap(fn))
                self.create_node(
                    "output", "output", (self.create_arg(fn(*args)),), {}, type_expr=annotations.get("return", None)
                )
            self.submodule_paths = None
            if self.refused:
                raise _Refused(self.refused)
            return self.graph

    return _Capture


def _collect_constants(module: Any, prefix: str, found: dict[Any, str], kinds: tuple[type, ...]) -> None:
    """torch.fx's ``collect_tensor_attrs``: a shared module is visited under every parent, the last name wins."""
    for key, value in module.__dict__.items():
        if isinstance(value, kinds):
            found[value] = prefix + key
    for name, child in module.named_children():
        _collect_constants(child, f"{prefix}{name}.", found, kinds)
