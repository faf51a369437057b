"""The graph walker: maps each node of the traced graph to a symcnn layer or value.

:class:`_Importer` visits the nodes in order, finds each one's handler (the
module table, the function table, the tensor-method table), names the rows,
counts each parameter once, and collects every node that cannot be mapped into
one :class:`~symcnn.errors.UnsupportedError`.
"""

from __future__ import annotations

import operator
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ...conventions import Conventions
from ...errors import ShapeError, SymcnnError, UnsupportedError
from ...layers.base import Layer
from ...layers.memo import apply_once
from ...network import Graph, Input, Node
from ...results import Tensor
from .functions import METHODS, _function_table
from .modules import _lookup
from .tensors import MORE_METHODS, more_functions
from .transformer import more_functions as torchvision_functions
from .values import UNKNOWN, Handler, _Chunks, _Parameter, _Several, _Unmapped, _Unsupported, _Value


class _Importer:
    def __init__(self, torch: Any, root: Any, shapes: list[tuple[Any, ...]], modules: dict[type, Handler]) -> None:
        self.torch = torch
        self.root = root
        self.shapes = shapes
        self.conventions = Conventions()
        self.values: dict[Any, Any] = {}
        self.inputs: list[Input] = []
        self.outputs: list[Node] = []
        self.problems: list[str] = []
        self.names: set[str] = set()
        self.reserved: set[str] = set()
        self.parameter_uses: Counter[str] = Counter()
        self.covered: set[int] = set()  # ids of the parameters the mapped nodes account for
        self.modules = modules
        self.functions = {**_function_table(torch), **more_functions(torch), **torchvision_functions(torch)}
        self.methods = {**METHODS, **MORE_METHODS}

    # -- the walk -----------------------------------------------------------------------------
    def run(self, graph: Any) -> Graph:
        self.reserved = {node.target for node in graph.nodes if node.op in ("call_module", "get_attr")}
        for node in graph.nodes:
            try:
                self.values[node] = self.visit(node)
            except _Unsupported as problem:
                self.problems.append(f"node {node.name!r} ({self.describe(node)}): {problem}")
                self.values[node] = UNKNOWN
            except SymcnnError as error:
                if isinstance(error, ShapeError):
                    raise error.located(f"node {node.name!r} ({self.describe(node)})") from None
                self.problems.append(f"node {node.name!r} ({self.describe(node)}): {error}")
                self.values[node] = UNKNOWN
        if self.problems:
            count = len(self.problems)
            what = "operation has" if count == 1 else "operations have"
            raise UnsupportedError(
                f"cannot import {type(self.root).__name__}: {count} {what} no symcnn equivalent:\n  - "
                + "\n  - ".join(self.problems)
            )
        unused = [name for name, parameter in self.root.named_parameters() if id(parameter) not in self.covered]
        if unused:
            shown = ", ".join(unused[:5]) + (", ..." if len(unused) > 5 else "")
            warnings.warn(
                f"{len(unused)} parameters of {type(self.root).__name__} are not used by the traced forward "
                f"and are not counted: {shown}",
                stacklevel=3,
            )
        if not self.outputs:
            raise UnsupportedError(f"cannot import {type(self.root).__name__}: its forward returns no tensor")
        return Graph(self.inputs, self.outputs, name=type(self.root).__name__)

    def visit(self, node: Any) -> Any:
        if node.op == "placeholder":
            return self.placeholder(node)
        if node.op == "get_attr":
            return self.get_attr(node)
        args = list(self.resolve(node.args))
        kwargs = dict(self.resolve(node.kwargs))
        if node.op == "output":
            return self.output(args)
        handler = self.handler(node)
        if any(item is UNKNOWN for item in _flat((args, kwargs))):
            # An input could not be mapped (and is reported): vet what does not depend on it.
            check = getattr(handler, "check", None)
            if check is not None:
                check(self.root.get_submodule(node.target))
            return UNKNOWN
        for item in _flat((args, kwargs)):
            if isinstance(item, _Unmapped):
                if node.target is operator.getitem:
                    return item  # (h, c) = state: still nothing used
                raise _Unsupported(item.reason)
        return handler(self, node, args, kwargs)

    def resolve(self, structure: Any) -> Any:
        return self.torch.fx.node.map_arg(structure, lambda item: self.values[item])

    def handler(self, node: Any) -> Handler:
        if node.op == "call_module":
            module = self.root.get_submodule(node.target)
            found = _lookup(self.modules, module)
            if found is None:
                raise _Unsupported("symcnn has no layer for this module type")
            return found
        if node.op == "call_function":
            found = self.functions.get(node.target)
            if found is None:
                raise _Unsupported("symcnn has no layer for this function")
            return found
        if node.op == "call_method":
            found = self.methods.get(node.target)
            if found is None:
                raise _Unsupported("symcnn has no layer for this tensor method")
            return found
        raise _Unsupported(f"unknown graph operation {node.op!r}")

    def describe(self, node: Any) -> str:
        if node.op == "call_module":
            return (
                f"module {node.target!r} of type {_type_name(self.torch, type(self.root.get_submodule(node.target)))}"
            )
        if node.op == "call_function":
            return _function_name(self.torch, node.target)
        if node.op == "call_method":
            return f"Tensor.{node.target}()"
        if node.op == "get_attr":
            return f"attribute {node.target!r}"
        return node.op

    # -- sources and results -------------------------------------------------------------------
    def placeholder(self, node: Any) -> Any:
        position = len(self.inputs)
        if position >= len(self.shapes):
            if node.args:  # an argument with a default value, e.g. need_weights=False
                return node.args[0]
            raise _Unsupported(f"the forward takes more inputs than the {len(self.shapes)} shapes given")
        made = Input(*self.shapes[position], name=self.unique(node.name))
        self.inputs.append(made)
        assert made.shape is not None
        return _Value(made.node, Tensor.of(made.shape))

    def get_attr(self, node: Any) -> Any:
        value: Any = self.root
        for part in node.target.split("."):
            value = getattr(value, part)
        if isinstance(value, self.torch.nn.Parameter):
            self.claim([value], f"the parameter {node.target!r}")
            return _Parameter(node.target, tuple(int(size) for size in value.shape))
        if isinstance(value, self.torch.Tensor):
            raise _Unsupported("the forward reads this tensor directly; symcnn maps only parameters used as `p * x`")
        return value

    def output(self, args: list[Any]) -> None:
        for item in _flat(args):
            if isinstance(item, _Several):
                item = item.first
            if isinstance(item, _Value):
                self.outputs.append(item.node)
            elif isinstance(item, _Unmapped):
                raise _Unsupported(f"returns a value symcnn does not follow: {item.reason}")
            elif isinstance(item, _Chunks | _Parameter):
                raise _Unsupported("the forward returns something other than tensors made by layers")

    # -- helpers for handlers -----------------------------------------------------------------------
    def claim(self, parameters: Iterable[Any], what: str) -> None:
        """Count ``parameters`` once: a second use would be counted again by symcnn."""
        parameters = list(parameters)
        if any(id(parameter) in self.covered for parameter in parameters):
            raise _Unsupported(
                f"{what} shares its weights with a layer mapped before (a repeated call or tied parameters); "
                "symcnn would count them twice"
            )
        self.covered.update(id(parameter) for parameter in parameters)

    def unique(self, base: str, *, owner: bool = False) -> str:
        """``base``, or ``base_1``, ``base_2``... if taken.

        A module's (or parameter's) qualified name is kept for its own row
        (``owner``): other rows do not take it even when they come first.
        """
        name, count = base, 0
        while name in self.names or (not owner and name in self.reserved):
            count += 1
            name = f"{base}_{count}"
            owner = False
        self.names.add(name)
        return name

    def name(self, node: Any, label: str | None = None) -> str:
        """The module's qualified name, or ``<enclosing module>.<label>`` for functions and methods."""
        if node.op == "call_module":
            return self.unique(node.target, owner=True)
        stack = node.meta.get("nn_module_stack") or {}
        scope = ""
        if stack:
            last = list(stack.items())[-1]
            scope = last[1][0] if isinstance(last[1], tuple) else str(last[0])
        op = label or str(node.target if isinstance(node.target, str) else getattr(node.target, "__name__", "op"))
        return self.unique(f"{scope}.{op}" if scope else op)

    def tensor(self, value: Any, what: str = "input") -> _Value:
        if isinstance(value, _Value):
            return value
        if isinstance(value, _Several):
            raise _Unsupported(f"the {what} is a tuple (tensor, {value.others}); take its item [0] first")
        if isinstance(value, _Parameter):
            raise _Unsupported(f"uses the parameter {value.name!r} directly; symcnn maps only `parameter * x` (Scale)")
        if isinstance(value, _Chunks):
            raise _Unsupported(f"the {what} is a list of chunks, not a tensor")
        raise _Unsupported(f"the {what} must be a tensor, got {value!r}")

    def layer(self, name: str, kind: type[Layer], inputs: Sequence[_Value], **arguments: Any) -> _Value:
        made = kind(**arguments, name=name)
        outcome = apply_once(made, [item.tensor for item in inputs], self.conventions)
        return _Value(made(*(item.node for item in inputs)), outcome.output)


def _flat(value: Any) -> Iterator[Any]:
    if isinstance(value, list | tuple):
        for item in value:
            yield from _flat(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _flat(item)
    else:
        yield value


def _type_name(torch: Any, kind: type) -> str:
    if getattr(torch.nn, kind.__name__, None) is kind:
        return f"torch.nn.{kind.__name__}"
    return f"{kind.__module__}.{kind.__qualname__}"


def _function_name(torch: Any, target: Any) -> str:
    name = getattr(target, "__name__", repr(target))
    for prefix, namespace in (("torch", torch), ("torch.nn.functional", torch.nn.functional), ("operator", operator)):
        if getattr(namespace, name, None) is target:
            return f"{prefix}.{name}"
    return f"{getattr(target, '__module__', None) or '?'}.{name}"


def _input_shapes(input_shape: Sequence[Any]) -> list[tuple[Any, ...]]:
    """One shape ``(3, "H", "W")`` or several ``[(3, "H", "W"), (10,)]``."""
    if input_shape and all(isinstance(item, list | tuple) for item in input_shape):
        return [tuple(item) for item in input_shape]
    return [tuple(input_shape)]
