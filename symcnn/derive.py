"""derive(): walk a network once, layer by layer, and collect a Derivation.

The walk is a plain loop over modules.  Each layer's ``apply`` returns its
steps and checks; this module names the layer, places errors ("layer 3
(conv2d 'conv2d2'): ..."), settles the checks that numbers decide and keeps
the rest as conditions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence

import sympy

from .conventions import Conventions
from .derivation import Condition, Derivation, Row
from .errors import ShapeError, SpecError, SymcnnError
from .hooks import provides
from .layers.base import Layer
from .layers.memo import apply_once
from .naming import unique
from .network import Graph, Input, Network, Repeat, Sequential
from .results import Tensor, Value, format_shape
from .simplify import decide, tidy
from .symbols import symbol

__all__ = ["derive", "parse_assumption"]

Flow = tuple[Tensor, str]  # a tensor and the name of the row that made it


@provides("derive")
def derive(
    network: Network | Layer,
    input_shape: Sequence[Value] | None = None,
    *,
    conventions: Conventions | None = None,
    assume: Mapping[str, int] | Iterable[str] | None = None,
) -> Derivation:
    """Derive shapes, parameters, buffers and MACs of every layer of ``network``."""
    if isinstance(network, Layer):
        network = Sequential(network)
    walker = _Walker(conventions or Conventions())
    sources = walker.inputs(network, input_shape)
    outputs = walker.module(network, "", sources, sympy.Integer(1), top=True)
    derivation = Derivation(
        rows=tuple(walker.rows),
        input_shapes=tuple(flow[0].shape for flow in sources),
        output_shapes=tuple(flow[0].shape for flow in outputs),
        output_names=getattr(network, "output_names", ()),
        conventions=walker.conventions,
        conditions=tuple(walker.conditions),
    )
    divisors = _divisors(assume)
    return derivation.assuming(divisors) if divisors else derivation


def parse_assumption(text: str) -> tuple[sympy.Symbol, int]:
    """``"H%32==0"`` (or ``"32|H"``) -> (H, 32)."""
    match = re.fullmatch(r"\s*([A-Za-z]\w*)\s*%\s*(\d+)\s*==\s*0\s*", text) or re.fullmatch(
        r"\s*(\d+)\s*\|\s*([A-Za-z]\w*)\s*", text
    )
    if not match:
        raise SpecError(f"cannot read assumption {text!r}: write it as H%32==0")
    name, number = match.groups() if match.group(1)[0].isalpha() else match.groups()[::-1]
    divisor = int(number)
    if divisor < 1:
        raise SpecError(f"assumption {text!r}: the divisor must be positive")
    return symbol(name), divisor


def _divisors(assume: Mapping[str, int] | Iterable[str] | None) -> dict[sympy.Symbol, int]:
    if assume is None:
        return {}
    pairs = []
    if isinstance(assume, Mapping):
        for name, divisor in assume.items():
            if isinstance(divisor, bool) or not isinstance(divisor, int) or divisor < 1:
                raise SpecError(f"assumption for {name}: the divisor must be a positive integer, got {divisor!r}")
            pairs.append((symbol(name), divisor))
    else:
        pairs = [parse_assumption(text) for text in assume]
    divisors: dict[sympy.Symbol, int] = {}
    for name, divisor in pairs:  # H%4==0 and H%6==0 together: 12 divides H
        divisors[name] = math.lcm(divisors.get(name, 1), divisor)
    return divisors


class _Walker:
    def __init__(self, conventions: Conventions) -> None:
        self.conventions = conventions
        self.rows: list[Row] = []
        self.conditions: list[Condition] = []
        self._seen_conditions: set[sympy.Basic] = set()
        self._repeats: list[tuple[str, sympy.Expr]] = []  # the Repeats around the current layer, outermost first

    # -- inputs ---------------------------------------------------------------------------
    def inputs(self, network: Network, input_shape: Sequence[Value] | None) -> list[Flow]:
        declared = network.inputs_declared()
        if input_shape is not None:
            if len(declared) > 1:
                raise SpecError("this network has several inputs; give their shapes with Input(...)")
            given = Input(*input_shape)
            declared = (given,) if not declared else (Input(*input_shape, name=declared[0].name),)
        if not declared or any(item.shape is None for item in declared):
            raise SpecError("the input shape is unknown: start with Input(C, H, W) or pass input_shape")
        names = unique([item.name for item in declared], ["input"] * len(declared), where="inputs")
        flows = []
        for item, name in zip(declared, names, strict=True):
            assert item.shape is not None
            tensor = Tensor.of(item.shape)
            where = f"layer {len(self.rows)} (input '{name}')"
            for position, size in enumerate(item.shape, start=1):
                self._condition(where, f"size {position} must be ≥ 1", sympy.Ge(size, 1))
            self.rows.append(Row(len(self.rows), name, "input", (), (), tensor.shape))
            flows.append((tensor, name))
        return flows

    # -- modules ---------------------------------------------------------------------------
    def module(
        self, module: Layer | Network, name: str, flows: list[Flow], times: sympy.Expr, *, top: bool = False
    ) -> list[Flow]:
        if isinstance(module, Layer):
            return [self.layer(module, name, flows, times)]
        scope = "" if top else f"{name}."
        if isinstance(module, Sequential):
            return self.sequential(module, scope, flows, times, top)
        if isinstance(module, Graph):
            return self.graph(module, scope, flows, times, top)
        if isinstance(module, Repeat):
            return self.repeat(module, name, flows, times)
        raise SpecError(f"cannot derive {module!r}")

    def sequential(self, net: Sequential, scope: str, flows: list[Flow], times: sympy.Expr, top: bool) -> list[Flow]:
        names = _child_names(net.items, top)
        for child, child_name in zip(net.items, names, strict=True):
            flows = self.module(child, scope + child_name, flows, times)
        return flows

    def graph(self, net: Graph, scope: str, flows: list[Flow], times: sympy.Expr, top: bool) -> list[Flow]:
        if len(flows) != len(net.inputs):
            raise SpecError(
                f"graph {net.name or ''} expects {len(net.inputs)} inputs, got {len(flows)}".replace("  ", " ")
            )
        values: dict[int, Flow] = {id(item.node): flow for item, flow in zip(net.inputs, flows, strict=True)}
        nodes = [node for node in net.ordered_nodes() if not isinstance(node.module, Input)]
        names = _child_names([node.module for node in nodes], top)  # type: ignore[misc]
        for node, child_name in zip(nodes, names, strict=True):
            module = node.module
            assert not isinstance(module, Input)
            inputs = [values[id(parent)] for parent in node.inputs]
            made = self.module(module, scope + child_name, inputs, times)
            if len(made) != 1:
                raise SpecError(f"{child_name}: a block used in a graph must have one output")
            values[id(node)] = made[0]
        return [values[id(node)] for node in net.outputs]

    def repeat(self, net: Repeat, name: str, flows: list[Flow], times: sympy.Expr) -> list[Flow]:
        assert net.block is not None
        start = len(self.rows)
        self._condition(f"repeat '{name}'", "times must be ≥ 1", sympy.Ge(net.times, 1))
        self._repeats.append((name, net.times))
        try:
            made = self.module(net.block, name, flows, times * net.times)
        finally:
            self._repeats.pop()
        before, after = flows[0][0].shape, made[0][0].shape
        where = self.rows[start].where if start < len(self.rows) else name
        rule = "repeat: the block must map its input shape to itself"
        failure = f"{rule}, got {format_shape(before)} -> {format_shape(after)}"
        if len(before) != len(after):
            raise ShapeError(failure, where=where)
        # Sizes that agree only for some values (a kernel k with padding (k-1)//2 keeps H for odd k)
        # are a condition: the later copies then see the shape the first one was derived for.
        for old, new in zip(before, after, strict=True):
            self._condition(where, rule, sympy.Eq(old, new), failure)
        return made

    def _condition(self, where: str, rule: str, relation: sympy.Basic, failure: str | None = None) -> None:
        """Settle a condition the numbers decide; list an open one once, at the first layer it constrains."""
        holds = decide(tidy(relation))
        if holds is sympy.false:
            raise ShapeError(failure or rule, where=where)
        if holds is not sympy.true and holds not in self._seen_conditions:
            self._seen_conditions.add(holds)
            self.conditions.append(Condition(where, rule, holds))

    # -- one layer ------------------------------------------------------------------------
    def layer(self, layer: Layer, name: str, flows: list[Flow], times: sympy.Expr) -> Flow:
        index = len(self.rows)
        where = f"layer {index} ({layer.kind} '{name}')"
        if layer.arity == 1 and len(flows) != 1:
            raise ShapeError(f"takes one input, got {len(flows)}", where=where)
        try:
            outcome = apply_once(layer, [flow[0] for flow in flows], self.conventions)
        except SymcnnError as error:
            raise error.located(where) from None
        for check in (*layer.argument_checks(), *outcome.checks):
            if decide(check.holds) is sympy.false:  # the failure message prints the formula: only now
                raise ShapeError(check.failure(), where=where)
            self._condition(where, check.rule, check.holds)
        self.rows.append(
            Row(
                index=index,
                name=name,
                kind=layer.kind,
                sources=tuple(flow[1] for flow in flows),
                input_shapes=tuple(flow[0].shape for flow in flows),
                output_shape=outcome.output.shape,
                sizes=outcome.sizes,
                params=outcome.params,
                non_trainable=outcome.non_trainable,
                buffers=outcome.buffers,
                macs=outcome.macs,
                multiplicity=times,
                repeats=tuple(self._repeats),
            )
        )
        return outcome.output, name


def _child_names(modules: Sequence[Layer | Network], top: bool) -> list[str]:
    """Default names in the textbook's style: conv2d1, maxpool1, conv2d2, dense, output.

    A kind is numbered only when it occurs more than once in the same scope;
    at the top level a final, unnamed layer takes its ``last_prefix`` if it has
    one (a Linear layer is the "output").
    """
    prefixes = [module.prefix for module in modules]
    last = modules[-1] if modules else None
    if top and isinstance(last, Layer) and last.last_prefix and last.name is None:
        prefixes[-1] = last.last_prefix
    return unique([module.name for module in modules], prefixes, where="layers")
