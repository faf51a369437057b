"""walk(): walk a network once, layer by layer, and collect a Derivation.

The walk is a plain loop over modules.  A structure (Sequential, Graph,
Repeat in :mod:`symcnn.model.network`) walks itself by calling
:meth:`Walker.module` on its children; each layer's ``apply`` returns its steps
and checks, and this module names the layer, places errors ("layer 3 (conv2d
'conv2d2'): ..."), settles the checks that numbers decide and keeps the rest as
conditions.  ``symcnn.derive`` and ``net.derive()`` (in :mod:`symcnn.model`)
call :func:`walk`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Protocol

import sympy

from ..errors import ShapeError, SpecError, SymcnnError
from ..exact.conventions import Conventions
from ..exact.simplify import decide, tidy
from ..exact.steps import Tensor
from ..exact.symbols import symbol
from ..exact.values import MAX_DIGITS
from ..layers.base import Layer
from ..layers.memo import apply_once
from .derivation import Condition, Derivation, Row
from .naming import unique

__all__ = ["Flow", "Walker", "parse_assumption", "walk"]

Flow = tuple[Tensor, str]  # a tensor and the name of the row that made it


class Structure(Protocol):
    """A network structure (:mod:`symcnn.model.network`): it walks itself through the walker."""

    @property
    def name(self) -> str | None: ...

    @property
    def prefix(self) -> str: ...

    def walk(self, walker: Walker, name: str, flows: list[Flow], times: sympy.Expr, top: bool) -> list[Flow]: ...


class Declared(Protocol):
    """An input with its shape: :class:`symcnn.Input`."""

    @property
    def name(self) -> str | None: ...

    @property
    def shape(self) -> tuple[sympy.Expr, ...] | None: ...


def walk(
    network: Structure,
    inputs: Sequence[Declared],
    *,
    conventions: Conventions | None = None,
    assume: Mapping[str, int] | Iterable[str] | None = None,
) -> Derivation:
    """Derive shapes, parameters, buffers and MACs of every layer of ``network`` fed ``inputs``."""
    walker = Walker(conventions or Conventions())
    sources = walker.inputs(inputs)
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
    match = re.fullmatch(r"\s*([A-Za-z]\w*)\s*%\s*(\d+)\s*==\s*0\s*", text, re.ASCII) or re.fullmatch(
        r"\s*(\d+)\s*\|\s*([A-Za-z]\w*)\s*", text, re.ASCII
    )
    if not match:
        raise SpecError(f"cannot read assumption {text!r}: write it as H%32==0")
    name, number = match.groups() if match.group(1)[0].isalpha() else match.groups()[::-1]
    if len(number) > MAX_DIGITS:
        raise SpecError(f"assumption {text[:40]!r}...: integers of more than {MAX_DIGITS} digits are not supported")
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


class Walker:
    """The state of one walk: the rows so far, the open conditions, the Repeats around the current layer."""

    def __init__(self, conventions: Conventions) -> None:
        self.conventions = conventions
        self.rows: list[Row] = []
        self.conditions: list[Condition] = []
        self._seen_conditions: set[sympy.Basic] = set()
        self._repeats: list[tuple[str, sympy.Expr]] = []  # the Repeats around the current layer, outermost first

    # -- inputs ---------------------------------------------------------------------------
    def inputs(self, declared: Sequence[Declared]) -> list[Flow]:
        if not declared or any(item.shape is None for item in declared):
            raise SpecError("the input shape is unknown: start with Input(C, H, W) or pass input_shape")
        names = unique([item.name for item in declared], ["input"] * len(declared), where="inputs")
        flows = []
        for item, name in zip(declared, names, strict=True):
            assert item.shape is not None
            tensor = Tensor.of(item.shape)
            where = f"layer {len(self.rows)} (input '{name}')"
            for position, size in enumerate(item.shape, start=1):
                # A number is compared in Python: SymPy's Ge on two integers goes through evalf (100 µs each)
                at_least_one = (sympy.true if size >= 1 else sympy.false) if size.is_Integer else sympy.Ge(size, 1)
                self.condition(where, f"size {position} must be ≥ 1", at_least_one)
            self.rows.append(Row(len(self.rows), name, "input", (), (), tensor.shape))
            flows.append((tensor, name))
        return flows

    # -- modules ---------------------------------------------------------------------------
    def module(
        self, module: Layer | Structure, name: str, flows: list[Flow], times: sympy.Expr, *, top: bool = False
    ) -> list[Flow]:
        """Walk one layer, or a structure (it walks its own children through this method)."""
        if isinstance(module, Layer):
            return [self.layer(module, name, flows, times)]
        return module.walk(self, name, flows, times, top)

    @contextmanager
    def repeated(self, name: str, times: sympy.Expr) -> Iterator[None]:
        """While walking a Repeat's block: its rows record the Repeat around them."""
        self._repeats.append((name, times))
        try:
            yield
        finally:
            self._repeats.pop()

    def condition(self, where: str, rule: str, relation: sympy.Basic, failure: str | None = None) -> None:
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
        if layer.arity == 1 and len(flows) != 1:
            raise ShapeError(f"takes one input, got {len(flows)}", where=_where(index, layer, name))
        tensors = [flow[0] for flow in flows]
        try:
            outcome = apply_once(layer, tensors, self.conventions)
        except SymcnnError as error:
            raise error.located(_where(index, layer, name)) from None
        for checks in (layer.argument_checks(), outcome.checks):
            for check in checks:
                if check.holds is sympy.true:  # settled by the numbers (most checks of a numeric network)
                    continue
                where = _where(index, layer, name)
                if decide(check.holds) is sympy.false:  # the failure message prints the formula: only now
                    raise ShapeError(check.failure(), where=where)
                self.condition(where, check.rule, check.holds)
        self.rows.append(
            Row(
                index=index,
                name=name,
                kind=layer.kind,
                sources=tuple(flow[1] for flow in flows),
                input_shapes=tuple(tensor.shape for tensor in tensors),
                output_shape=outcome.output.shape,
                sizes=outcome.sizes,
                params=outcome.params,
                non_trainable=outcome.non_trainable,
                buffers=outcome.buffers,
                macs=outcome.macs,
                multiplicity=times,
                repeats=tuple(self._repeats),
                layer=layer,
            )
        )
        return outcome.output, name


def _where(index: int, layer: Layer, name: str) -> str:
    """How errors and conditions name a row: ``layer 3 (conv2d 'conv2d2')`` (made only when needed)."""
    return f"layer {index} ({layer.kind} '{name}')"


def child_names(modules: Sequence[Layer | Structure], top: bool) -> list[str]:
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

