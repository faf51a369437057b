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

from .conventions import Conventions
from .errors import SpecError, SymcnnError
from .hooks import call
from .layers.base import Layer
from .node import Node
from .results import Value
from .values import integer_at_least, to_expr

if TYPE_CHECKING:
    from .derivation import Derivation

__all__ = ["Graph", "Input", "Network", "Node", "Repeat", "Sequential"]

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
        derivation: Derivation = call("derive", self, input_shape, conventions=conventions, assume=assume)
        return derivation


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
