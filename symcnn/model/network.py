"""Networks: Sequential chains, functional graphs (DAGs) and Repeat.

``Sequential(Input(1, 28, 28), Conv2d(out_channels=32, kernel_size=5), ...)``
is a chain.  Branching architectures use the functional API, as in Keras::

    x = Input(64, "H", "W")
    y = Conv2d(out_channels=64, kernel_size=3, padding=1)(x)
    y = Add()(x, y)
    net = Graph(x, y)

A network is itself usable as a layer (a named block) inside another network,
and ``Repeat(block, times)`` stacks a shape-preserving block ``times`` times,
where ``times`` may be a symbol.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

import sympy

from ..derivation.walker import Flow, Walker, child_names, walk
from ..errors import ShapeError, SpecError, SymcnnError
from ..exact.conventions import Conventions
from ..exact.steps import Value, format_shape
from ..exact.values import integer_at_least, to_expr
from ..layers.base import Layer
from ..layers.node import Node

if TYPE_CHECKING:
    from ..derivation.derivation import Derivation

__all__ = ["Graph", "Input", "Network", "Node", "Repeat", "Sequential", "derive"]

Module = Union[Layer, "Network"]


class Input:
    """The network's input: channels then spatial sizes, without the batch.

    ``Input(1, 28, 28)``; sizes may be symbols or formulas: ``Input(3, "H", "W")``.
    Inside a reusable block, ``Input()`` without sizes takes whatever the block is given.
    """

    kind = "input"
    prefix = "input"

    def __init__(self, *shape: Value, name: str | None = None) -> None:
        sizes = []
        for position, size in enumerate(shape, start=1):
            if isinstance(size, list | tuple):
                raise SpecError(f"size {position} must be a number or a formula, got {size!r}", where="layer 0 (input)")
            try:
                value = to_expr(size, f"size {position}")
                integer_at_least(value, 1, f"size {position}")  # an undecided bound is checked by derive
            except SymcnnError as error:
                raise error.located("layer 0 (input)") from None
            sizes.append(value)
        self.shape: tuple[sympy.Expr, ...] | None = tuple(sizes) if shape else None
        self.name = name
        self.node = Node(self, ())

    def __repr__(self) -> str:
        sizes = ", ".join(str(size) for size in self.shape or ())
        return f"Input({sizes})"


@dataclass(frozen=True, eq=False)
class Network:
    """Base of composite modules: derivable on their own, callable as a block."""

    kind = "network"
    prefix = "block"

    name: str | None = field(default=None, kw_only=True)

    def __call__(self, *inputs: Node | Input) -> Node:
        return Node.make(self, inputs)

    def inputs_declared(self) -> tuple[Input, ...]:
        return ()

    def derive(
        self,
        input_shape: Sequence[Value] | None = None,
        *,
        conventions: Conventions | None = None,
        assume: Mapping[str, int] | Iterable[str] | None = None,
    ) -> Derivation:
        """Derive every layer's shapes, parameters and MACs, exactly.

        ``input_shape`` is needed when the network has no ``Input``;
        ``assume={"H": 32}`` assumes 32 divides ``H`` (floors may disappear).
        """
        declared = self.inputs_declared()
        if input_shape is not None:
            if len(declared) > 1:
                raise SpecError("this network has several inputs; give their shapes with Input(...)")
            declared = (Input(*input_shape, name=declared[0].name if declared else None),)
        return walk(self, declared, conventions=conventions, assume=assume)

    def walk(self, walker: Walker, name: str, flows: list[Flow], times: sympy.Expr, top: bool) -> list[Flow]:
        """Walk this structure's children (see :mod:`symcnn.derivation.walker`)."""
        raise SpecError(f"cannot derive {self!r}")


@dataclass(frozen=True, eq=False, init=False)
class Sequential(Network):
    """A chain of layers or blocks; an ``Input`` may come first.

    >>> from symcnn import Conv2d, MaxPool2d
    >>> net = Sequential(Input(1, 28, 28), Conv2d(out_channels=32, kernel_size=5), MaxPool2d(2))
    >>> net.derive().output_shape
    (32, 12, 12)
    """

    kind = "sequential"
    items: tuple[Module, ...] = ()
    input: Input | None = None

    def __init__(self, *items: Module | Input, name: str | None = None) -> None:
        modules = list(items)
        first = modules.pop(0) if modules and isinstance(modules[0], Input) else None
        for position, item in enumerate(modules):
            if isinstance(item, Input):
                raise SpecError(f"sequential: Input may only come first, found one at position {position + 1}")
            if not isinstance(item, Layer | Network):
                raise SpecError(f"sequential: item {position + 1} is not a layer, got {item!r}")
        object.__setattr__(self, "items", tuple(modules))
        object.__setattr__(self, "input", first)
        object.__setattr__(self, "name", name)

    def inputs_declared(self) -> tuple[Input, ...]:
        return () if self.input is None else (self.input,)

    def walk(self, walker: Walker, name: str, flows: list[Flow], times: sympy.Expr, top: bool) -> list[Flow]:
        scope = "" if top else f"{name}."
        for child, child_name in zip(self.items, child_names(self.items, top), strict=True):
            flows = walker.module(child, scope + child_name, flows, times)
        return flows


@dataclass(frozen=True, eq=False, init=False)
class Graph(Network):
    """A functional DAG from ``Input`` nodes to output nodes."""

    kind = "graph"
    inputs: tuple[Input, ...] = ()
    outputs: tuple[Node, ...] = ()
    output_names: tuple[str, ...] = ()  # one per output, or none (``Derivation.output_names``)

    def __init__(
        self,
        inputs: Input | Sequence[Input],
        outputs: Node | Sequence[Node],
        *,
        name: str | None = None,
        output_names: Sequence[str] = (),
    ) -> None:
        ins = (inputs,) if isinstance(inputs, Input) else tuple(inputs)
        outs = (outputs,) if isinstance(outputs, Node) else tuple(outputs)
        if not ins or not outs:
            raise SpecError("graph: needs at least one input and one output")
        if output_names and len(output_names) != len(outs):
            raise SpecError(f"graph: {len(outs)} outputs but {len(output_names)} output names")
        object.__setattr__(self, "inputs", ins)
        object.__setattr__(self, "outputs", outs)
        object.__setattr__(self, "output_names", tuple(output_names))
        object.__setattr__(self, "name", name)

    def inputs_declared(self) -> tuple[Input, ...]:
        return self.inputs

    def walk(self, walker: Walker, name: str, flows: list[Flow], times: sympy.Expr, top: bool) -> list[Flow]:
        if len(flows) != len(self.inputs):
            raise SpecError(
                f"graph {self.name or ''} expects {len(self.inputs)} inputs, got {len(flows)}".replace("  ", " ")
            )
        scope = "" if top else f"{name}."
        values: dict[int, Flow] = {id(item.node): flow for item, flow in zip(self.inputs, flows, strict=True)}
        nodes = [node for node in self.ordered_nodes() if not isinstance(node.module, Input)]
        names = child_names([node.module for node in nodes], top)  # type: ignore[misc]
        for node, child_name in zip(nodes, names, strict=True):
            module = node.module
            assert not isinstance(module, Input)
            inputs = [values[id(parent)] for parent in node.inputs]
            made = walker.module(module, scope + child_name, inputs, times)
            if len(made) != 1:
                raise SpecError(f"{child_name}: a block used in a graph must have one output")
            values[id(node)] = made[0]
        return [values[id(node)] for node in self.outputs]

    def ordered_nodes(self) -> list[Node]:
        """Nodes in a topological order (inputs first), each once."""
        order: list[Node] = []
        seen: set[int] = set()
        stack: list[tuple[Node, bool]] = [(node, False) for node in reversed(self.outputs)]
        while stack:
            node, expanded = stack.pop()
            if id(node) in seen:
                continue
            if expanded:
                seen.add(id(node))
                order.append(node)
                continue
            stack.append((node, True))
            stack.extend((parent, False) for parent in reversed(node.inputs) if id(parent) not in seen)
        sources = {id(item.node) for item in self.inputs}
        stray = [node for node in order if isinstance(node.module, Input) and id(node) not in sources]
        if stray:
            raise SpecError(f"graph: output depends on an Input not listed as a graph input ({stray[0].module!r})")
        return order


@dataclass(frozen=True, eq=False, init=False)
class Repeat(Network):
    """``block`` applied ``times`` times in a chain; ``times`` may be a symbol.

    The block must map its input shape to itself; its counts are multiplied by ``times``.
    """

    kind = "repeat"
    prefix = "repeat"
    block: Module | None = None
    times: sympy.Expr = sympy.S.One

    def __init__(self, block: Module, times: Value, *, name: str | None = None) -> None:
        if not isinstance(block, Layer | Network):
            raise SpecError(f"repeat: block must be a layer or network, got {block!r}")
        count = to_expr(times, "repeat: times")
        integer_at_least(count, 1, "repeat: times")  # an undecided bound is checked by derive
        object.__setattr__(self, "block", block)
        object.__setattr__(self, "times", count)
        object.__setattr__(self, "name", name)

    def walk(self, walker: Walker, name: str, flows: list[Flow], times: sympy.Expr, top: bool) -> list[Flow]:
        assert self.block is not None
        start = len(walker.rows)
        walker.condition(f"repeat '{name}'", "times must be ≥ 1", sympy.Ge(self.times, 1))
        with walker.repeated(name, self.times):
            made = walker.module(self.block, name, flows, times * self.times)
        before, after = flows[0][0].shape, made[0][0].shape
        where = walker.rows[start].where if start < len(walker.rows) else name
        rule = "repeat: the block must map its input shape to itself"
        failure = f"{rule}, got {format_shape(before)} -> {format_shape(after)}"
        if len(before) != len(after):
            raise ShapeError(failure, where=where)
        # Sizes that agree only for some values (a kernel k with padding (k-1)//2 keeps H for odd k)
        # are a condition: the later copies then see the shape the first one was derived for.
        for old, new in zip(before, after, strict=True):
            walker.condition(where, rule, sympy.Eq(old, new), failure)
        return made


def derive(
    network: Network | Layer,
    input_shape: Sequence[Value] | None = None,
    *,
    conventions: Conventions | None = None,
    assume: Mapping[str, int] | Iterable[str] | None = None,
) -> Derivation:
    """Derive shapes, parameters, buffers and MACs of every layer of ``network`` (a layer alone is a chain of one)."""
    if isinstance(network, Layer):
        network = Sequential(network)
    return network.derive(input_shape, conventions=conventions, assume=assume)
