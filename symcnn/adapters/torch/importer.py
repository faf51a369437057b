"""The graph walker: maps each node of the traced graph to a symcnn layer or value.

:class:`_Importer` visits the nodes in order, finds each one's handler (the
module table, the function table, the tensor-method table), names the rows,
and collects every node that cannot be mapped into one
:class:`~symcnn.errors.UnsupportedError`.

Counts are the model's own.  Each parameter and buffer is counted once, at the
first row that uses it (a module called again shows ``conv (call 2 of 3)``
with its shapes and MACs but no parameters); frozen parameters are
non-trainable; buffers PyTorch keeps beside a layer's own (a pruning mask) are
added to its row; whatever the forward never uses goes in a last row, "not
used by forward", so the totals are always ``sum(p.numel() for p in
model.parameters())`` and the same for buffers.  Before a module's row is
accepted, the layer's own count is compared with the module's: a difference
is an error, never a silent wrong count.
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import sympy

from ...errors import ShapeError, SymcnnError, UnsupportedError
from ...exact.conventions import Conventions
from ...exact.steps import Outcome, Tensor
from ...layers.base import Layer
from ...layers.memo import apply_once
from ...layers.usage import Held
from ...model.network import Graph, Input, Node
from ..placing import Placing
from .functions import METHODS, _function_table
from .invariant import Holdings, Placed, check_totals
from .modules import _lookup
from .outputs import leaves, returned
from .states import takes_states, with_states
from .tensors import MORE_METHODS, more_functions
from .transformer import more_functions as torchvision_functions
from .tree import all_paths
from .unused import unused_placed, unused_row
from .values import (
    UNKNOWN,
    Handler,
    _Chunks,
    _Indices,
    _Parameter,
    _Several,
    _State,
    _Unmapped,
    _Unsupported,
    _Value,
)


class _Importer(Placing):
    def __init__(
        self,
        torch: Any,
        root: Any,
        shapes: list[tuple[Any, ...]],
        modules: dict[type, Handler],
        paths: dict[Any, str] | None = None,
    ) -> None:
        self.torch = torch
        self.root = root
        self.shapes = shapes
        self.conventions = Conventions()
        self.values: dict[Any, Any] = {}
        self.inputs: list[Input] = []
        self.outputs: list[Node] = []
        self.output_names: list[str] = []
        self.problems: list[str] = []
        self.names: set[str] = set()
        self.reserved: set[str] = set()
        self.counted: set[int] = set()  # ids of the parameters and buffers counted at a row so far
        self.calls: Counter[str] = Counter()  # how often the forward calls each module
        self.called: Counter[str] = Counter()  # calls mapped so far
        self.modules = modules
        self.functions, self.methods = _call_tables(torch)
        self.placed: list[Placed] = []  # every row made, for the check of the totals
        self.holdings = Holdings.of(root, paths)
        # A trace names each module by its first path: those are looked up first, every path when missed.
        self._first: dict[str, Any] = {name: module for module, name in paths.items()} if paths is not None else {}
        self._submodules: dict[str, Any] | None = None

    # -- the walk -----------------------------------------------------------------------------
    def run(self, graph: Any) -> Graph:
        self.reserved = {node.target for node in graph.nodes if node.op in ("call_module", "get_attr")}
        self.calls = Counter(node.target for node in graph.nodes if node.op == "call_module")
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
        if not self.outputs:
            raise UnsupportedError(f"cannot import {type(self.root).__name__}: its forward returns no tensor")
        self.outputs[0] = self.unused(self.outputs[0])
        check_totals(self.root, self.placed, self.holdings)
        names = self.output_names if len(self.outputs) > 1 else ()
        return Graph(self.inputs, self.outputs, name=type(self.root).__name__, output_names=names)

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
        items = _flat(args, kwargs)
        if any(item is UNKNOWN for item in items):
            # An input could not be mapped (and is reported): vet what does not depend on it.
            check = getattr(handler, "check", None)
            if check is not None:
                check(self.submodule(node.target))
            return UNKNOWN
        for item in items:
            if isinstance(item, _State) and not takes_states(handler):
                self.tensor(item)  # refuses it, saying where its batch is
            if isinstance(item, _Unmapped):
                if node.target is operator.getitem:
                    return item  # (h, c) = state: still nothing used
                raise _Unsupported(item.reason)
        return handler(self, node, args, kwargs)

    def submodule(self, target: str) -> Any:
        """The module a ``call_module`` node names, looked up in one table of every path (not walked per node)."""
        found = self._first.get(target)
        if found is not None:
            return found
        if self._submodules is None:
            self._submodules = all_paths(self.root)
        try:
            return self._submodules[target]
        except KeyError:
            return self.root.get_submodule(target)  # PyTorch's own error for a path that is not there

    def resolve(self, structure: Any) -> Any:
        """``structure`` with each graph node replaced by what it stands for."""
        if type(structure) is tuple:  # most calls: nodes and plain values, without torch.fx's generic walk
            node, values, items = self.torch.fx.Node, self.values, []
            for item in structure:
                if type(item) is node:
                    items.append(values[item])
                elif type(item) in _PLAIN:
                    items.append(item)
                else:
                    break
            else:
                return tuple(items)
        elif isinstance(structure, dict) and not structure:
            return {}
        return self.torch.fx.node.map_arg(structure, lambda item: self.values[item])

    def handler(self, node: Any) -> Handler:
        if node.op == "call_module":
            module = self.submodule(node.target)
            found = _lookup(self.modules, module)
            if found is None:
                raise _Unsupported("symcnn has no layer for this module type")
            return found
        if node.op == "call_function":
            if isinstance(node.target, type) and issubclass(node.target, tuple) and hasattr(node.target, "_fields"):
                return _namedtuple  # GoogLeNetOutputs(x, aux2, aux1): the outputs, named by its fields
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
                f"module {node.target!r} of type {_type_name(self.torch, type(self.submodule(node.target)))}"
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
        shape = self.shapes[position]
        if not shape:
            raise UnsupportedError(
                f"cannot import {type(self.root).__name__}: input {node.name!r} has no dimension besides the batch; "
                "symcnn's shapes need at least one per-sample dimension (give the input as (1,) and reshape it)"
            )
        made = Input(*shape, name=self.unique(node.name))
        self.inputs.append(made)
        assert made.shape is not None
        return _Value(made.node, Tensor.of(made.shape))

    def get_attr(self, node: Any) -> Any:
        value: Any = self.root
        for part in node.target.split("."):
            value = getattr(value, part)
        if isinstance(value, self.torch.nn.Parameter):
            # Counted where a layer computes with it; a parameter only read stays "not used by forward".
            return _Parameter(node.target, tuple(int(size) for size in value.shape), value)
        if isinstance(value, self.torch.Tensor):
            raise _Unsupported("the forward reads this tensor directly; symcnn maps only parameters used as `p * x`")
        return value

    def output(self, args: list[Any]) -> None:
        """One output per tensor the forward returns, named by key, field, variable or position."""
        structure = args[0] if len(args) == 1 else tuple(args)
        # The forward's source names the items of a returned container; one tensor is the "output".
        expression = returned(self.root) if isinstance(structure, list | tuple | dict) else None
        for name, item in leaves(structure, expression):
            self.output_item(name, item)

    def output_item(self, name: str, item: Any) -> None:
        if isinstance(item, _Several):
            if item.rest is None and not item.indices:  # attention weights: not followed
                self.output_item(name, item.first)
                return
            rest = item.rest() if item.rest is not None else _Indices(item.first)
            for part, value in leaves((item.first, rest), None, name):
                self.output_item(part, value)
        elif isinstance(item, _Value | _State | _Indices):
            value = item.value if isinstance(item, _State) else item.pooled if isinstance(item, _Indices) else item
            self.outputs.append(value.node)
            self.output_names.append(name)
        elif isinstance(item, _Chunks | _Parameter):
            raise _Unsupported(f"the forward returns {name}, which is not a tensor made by layers")

    def unused(self, output: Node) -> Node:
        """A pass-through row after the first output holding what the forward never used, if anything."""
        if self.holdings.all_counted(self.counted):
            return output  # every tensor placed at a row: no need to walk the model again
        made = unused_row(self.torch, self.root, self.counted, output, self.unique)
        if made is not output:
            self.placed.append(unused_placed(self.torch, self.root, self.counted, made))
        return made

    # -- helpers for handlers -----------------------------------------------------------------------
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
        """The module's qualified name (with ``(call k of n)`` when called again), or ``<scope>.<label>``."""
        if node.op == "call_module":
            calls = self.calls[node.target]
            if calls == 1:
                return self.unique(node.target, owner=True)
            return self.unique(f"{node.target} (call {self.called[node.target] + 1} of {calls})", owner=True)
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
        if isinstance(value, _State):
            raise _Unsupported(
                f"the {what} is a recurrent layer's final state {value.name!r}, which PyTorch holds as "
                f"(layers, batch, size): the batch in dimension 1; take {value.name}[-1] (the last layer) first"
            )
        if isinstance(value, _Indices):
            raise _Unsupported(f"the {what} is a max pooling's indices, which only MaxUnpool takes")
        raise _Unsupported(f"the {what} must be a tensor, got {value!r}")

    def module_layer(
        self, node: Any, module: Any, kind: type[Layer], inputs: Sequence[_Value], arguments: dict[str, Any]
    ) -> _Value:
        """The layer for a call of ``module``: its parameters and buffers counted at its first call."""
        name = self.name(node)
        self.called[node.target] += 1
        if self.called[node.target] > 1:
            return self._place(Held(kind(**arguments), repeated=True, name=name), inputs)
        return self.weighted_layer(name, kind, inputs, arguments, _held(module), "the module")

    def weighted_layer(
        self,
        name: str,
        kind: type[Layer],
        inputs: Sequence[_Value],
        arguments: dict[str, Any],
        parameters: Iterable[Any],
        what: str,
    ) -> _Value:
        """A layer computing with ``parameters`` (parameters and buffers, as PyTorch holds them).

        The layer's own count must equal theirs; frozen ones become non-trainable,
        ones already counted elsewhere (tied weights) are left out, and buffers
        beyond the layer's own (a pruning mask) are added to the row.
        """
        tensors = list({id(item): item for item in parameters}.values())
        parameter, counted = self.torch.nn.Parameter, self.counted
        weights: list[Any] = []
        held = kept = before = frozen = 0
        fresh: list[Any] = []
        shared_state = False
        for item in tensors:  # one pass: a Parameter's class checks isinstance in Python, so asked once per tensor
            size = item.numel()
            new = id(item) not in counted
            if new:
                fresh.append(item)
            if type(item) is parameter or isinstance(item, parameter):
                weights.append(item)
                held += size
                if not new:
                    before += size
                elif not item.requires_grad:
                    frozen += size
            else:
                kept += size
                shared_state = shared_state or not new
        layer: Layer = kind(**arguments, name=name)  # named already: _place finds its outcome remembered
        outcome = apply_once(layer, [item.tensor for item in inputs], self.conventions)
        counts = _number(outcome.params.value) + _number(outcome.non_trainable.value)
        # A count that depends on the input (a Linear after view(-1, n)) equals the module's under the
        # conditions the layers state; a number must equal it now.
        if (isinstance(counts, int) or counts.is_number) and counts != held:
            names = ", ".join(self.holdings.names.get(id(item), "?") for item in weights)
            raise _Unsupported(
                f"symcnn's {layer.kind} counts {outcome.params.value + outcome.non_trainable.value} parameters "
                f"but {what} holds {held} ({names}); refusing a wrong count"
            )
        extra = kept - _number(outcome.buffers.value)
        if extra < 0:
            raise _Unsupported(
                f"symcnn's {layer.kind} counts {outcome.buffers.value} buffer elements but {what} holds {kept}"
            )
        if shared_state:
            raise _Unsupported(f"{what} shares buffers with a layer mapped before; symcnn cannot split them")
        counted.update(id(item) for item in tensors)
        if before or frozen or extra:
            layer = Held(layer, frozen=frozen, counted_before=before, extra_buffers=int(extra), name=name)
            return self._place(layer, inputs, fresh)
        return self._place(layer, inputs, fresh, outcome)

    def _place(
        self, made: Layer, inputs: Sequence[_Value], holds: Sequence[Any] = (), outcome: Outcome | None = None
    ) -> _Value:
        """``made`` applied to ``inputs`` (its ``outcome`` if known); ``holds``: the model's tensors counted here."""
        if outcome is None:
            outcome = apply_once(made, [item.tensor for item in inputs], self.conventions)
        params, frozen = outcome.params.value, outcome.non_trainable.value
        self.placed.append(
            Placed(
                made.name or made.kind,
                params if frozen is sympy.S.Zero else params + frozen,  # most rows: no SymPy sum
                outcome.buffers.value,
                held=tuple(holds),
            )
        )
        return _Value(made(*(item.node for item in inputs)), outcome.output)


@lru_cache(maxsize=2)
def _call_tables(torch: Any) -> tuple[dict[Any, Handler], dict[str, Handler]]:
    """The function and method handlers: built once per ``torch`` (they hold no state of an import)."""
    functions = {**_function_table(torch), **more_functions(torch), **torchvision_functions(torch)}
    methods, getitem = with_states({**METHODS, **MORE_METHODS}, functions[operator.getitem])
    functions[operator.getitem] = getitem
    return functions, methods


_PLAIN = frozenset({int, float, str, bool, type(None)})


def _number(value: sympy.Expr) -> int | sympy.Expr:
    """A SymPy integer as a Python int (sums and comparisons without SymPy); any other value as it is."""
    return int(value) if isinstance(value, sympy.Integer) else value


def _held(module: Any) -> list[Any]:
    """The parameters and buffers of ``module`` and its submodules, as ``parameters()`` and ``buffers()`` list them."""
    if module._modules:
        return [*module.parameters(), *module.buffers()]
    # A module without submodules (most layers): its own dictionaries, without PyTorch's generic walk.
    own = [item for item in module._parameters.values() if item is not None]
    return own + [item for item in module._buffers.values() if item is not None]


def _namedtuple(self: Any, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    return node.target(*args, **kwargs)


def _flat(args: list[Any], kwargs: dict[str, Any]) -> list[Any]:
    """The values inside the arguments (lists, tuples and dicts opened), in order."""
    found: list[Any] = []

    def add(value: Any) -> None:
        if isinstance(value, list | tuple):
            for item in value:
                add(item)
        elif isinstance(value, dict):
            for item in value.values():
                add(item)
        else:
            found.append(value)

    for item in args:
        add(item)
    for item in kwargs.values():
        add(item)
    return found


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
    if isinstance(input_shape, str | int) or not isinstance(input_shape, Sequence):
        raise UnsupportedError(
            f"input_shape must be a tuple of sizes without the batch, like (8,) or (3, 'H', 'W'), got {input_shape!r}"
        )
    if input_shape and all(isinstance(item, list | tuple) for item in input_shape):
        return [tuple(item) for item in input_shape]
    return [tuple(input_shape)]
