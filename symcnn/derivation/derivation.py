"""The result of a derivation: plain data, no formatting.

A :class:`Derivation` holds one :class:`Row` per layer (the input first), each
with its steps (rule, the rule in general, the rule with values, the value),
the totals, the conventions and the validity conditions.  Renderers in
:mod:`symcnn.render` walk it; ``subs`` substitutes values into all of it.

The conveniences (``d.to_latex()``, ``d.receptive_fields``, ``d.memory()``) call
:mod:`symcnn.render` and :mod:`symcnn.analysis` directly: those read a
derivation by its attributes and never import this module, so the imports run
one way.  Each convenience imports its module when called: a derivation that is
only counted loads no renderer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, overload

import sympy

from ..errors import ShapeError, SpecError, UnknownLayerError
from ..exact import numeric
from ..exact.conventions import Conventions
from ..exact.printing import to_text
from ..exact.simplify import assume_divisible, collapse_floors, decide
from ..exact.steps import Step, product
from ..exact.values import integer_at_least, to_expr
from ..layers.base import Layer

if TYPE_CHECKING:
    from ..analysis.memory import Memory
    from ..analysis.receptive import ReceptiveFields

__all__ = ["Condition", "Derivation", "Row", "Totals"]

Shape = tuple[sympy.Expr, ...]


@dataclass(frozen=True)
class Row:
    """One layer (or the input) with everything derived for it."""

    index: int
    name: str
    kind: str
    sources: tuple[str, ...]
    input_shapes: tuple[Shape, ...]
    output_shape: Shape
    sizes: tuple[Step, ...] = ()
    params: Step = Step("params", sympy.S.Zero)
    non_trainable: Step = Step("non_trainable", sympy.Integer(0))
    buffers: Step = Step("buffers", sympy.Integer(0))
    macs: Step = Step("macs", sympy.Integer(0))
    multiplicity: sympy.Expr = sympy.S.One
    repeats: tuple[tuple[str, sympy.Expr], ...] = ()  # the Repeat blocks around this layer: (name, times)
    # The layer this row was derived from (None for an input): analyses ask it what it declares.
    layer: Layer | None = field(default=None, compare=False, repr=False)
    # The derivation this row belongs to (set by it), for what needs the rows around it.
    derivation: Any = field(default=None, compare=False, repr=False)

    @property
    def receptive_field(self) -> tuple[Any, ...]:
        """What one unit sees, per spatial axis: ``size``, ``jump``, ``start`` (:mod:`symcnn.analysis.receptive`).

        Raises ``UnsupportedError`` naming the layer where it cannot be derived exactly.
        """
        if self.derivation is None:
            raise SpecError(f"{self.where}: a receptive field needs the derivation this row belongs to")
        return tuple(self.derivation.receptive_fields.of(self.name))

    @property
    def where(self) -> str:
        return f"layer {self.index} ({self.kind} '{self.name}')"

    @property
    def total_params(self) -> sympy.Expr:
        """Trainable plus non-trainable parameters of one copy of this layer."""
        return self.params.value + self.non_trainable.value

    @property
    def activations(self) -> sympy.Expr:
        """Elements of the tensor this row makes (none for a row that only states a condition)."""
        if self.layer is not None and not self.layer.makes_tensor:
            return sympy.S.Zero
        return product(self.output_shape)


@dataclass(frozen=True)
class Condition:
    """A validity condition that could not be decided without values."""

    where: str
    rule: str
    relation: sympy.Basic


@dataclass(frozen=True)
class Totals:
    params: sympy.Expr
    trainable: sympy.Expr
    non_trainable: sympy.Expr
    buffers: sympy.Expr
    macs: sympy.Expr
    flops: sympy.Expr
    activations: sympy.Expr


class LazyRows(Sequence[Row]):
    """Rows substituted when first read: ``d.subs(...)`` returns at once.

    A substitution touches every step of every row; most callers of ``subs`` read
    the totals or the output shape only, which come from the origin's totals.  A
    row is substituted on first access and kept; iterating substitutes them all.
    """

    __slots__ = ("_change", "_done", "_owner", "_source")

    def __init__(self, source: Sequence[Row], change: Callable[[Row], Row]) -> None:
        self._source = source
        self._change = change
        self._done: list[Row | None] = [None] * len(source)
        self._owner: Derivation | None = None

    def adopt(self, owner: Derivation) -> None:
        """Rows belong to the derivation made with them (``row.derivation``)."""
        self._owner = owner
        for row in self._done:
            if row is not None:
                object.__setattr__(row, "derivation", owner)

    @property
    def materialised(self) -> bool:
        return all(row is not None for row in self._done)

    def __len__(self) -> int:
        return len(self._source)

    @overload
    def __getitem__(self, index: int) -> Row: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Row, ...]: ...

    def __getitem__(self, index: int | slice) -> Row | tuple[Row, ...]:
        if isinstance(index, slice):
            return tuple(self[position] for position in range(*index.indices(len(self))))
        position = index + len(self) if index < 0 else index
        if not 0 <= position < len(self):
            raise IndexError(index)
        row = self._done[position]
        if row is None:
            row = self._change(self._source[position])
            if self._owner is not None:
                object.__setattr__(row, "derivation", self._owner)
            self._done[position] = row
        return row

    def __iter__(self) -> Iterator[Row]:
        return (self[position] for position in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return tuple(self) == tuple(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(tuple(self))


@dataclass(frozen=True)
class Derivation:
    """Everything symcnn derived for a network; see the module docstring."""

    rows: Sequence[Row]
    input_shapes: tuple[Shape, ...]
    output_shapes: tuple[Shape, ...]
    conventions: Conventions
    conditions: tuple[Condition, ...] = ()
    assumptions: tuple[tuple[sympy.Symbol, int], ...] = ()
    output_names: tuple[str, ...] = ()  # one per output shape when the network names them
    # A substituted derivation: the one it came from and the substitution, for totals without its rows.
    origin: tuple[Derivation, Mapping[sympy.Basic, sympy.Expr]] | None = field(
        default=None, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        if isinstance(self.rows, LazyRows):
            self.rows.adopt(self)
            return
        for row in self.rows:  # rows are shared by derivations that differ in conditions only
            object.__setattr__(row, "derivation", self)

    # -- the numbers -----------------------------------------------------------------
    @cached_property
    def totals(self) -> Totals:
        if self.origin is not None and isinstance(self.rows, LazyRows) and not self.rows.materialised:
            substituted = self._substituted_totals(*self.origin)
            if substituted is not None:
                return substituted
        # Counts of weights are polynomials in the widths: expanded, they read as such.
        # Compute sums keep each layer's factored form (expanding floors helps nobody).
        layers = self.layers
        numeric = self._numeric_totals(layers)
        if numeric is not None:
            return numeric

        def steps(field: str) -> sympy.Expr:
            return sympy.Add(*(row.multiplicity * getattr(row, field).value for row in layers))

        trainable, non_trainable = sympy.expand(steps("params")), sympy.expand(steps("non_trainable"))
        macs = steps("macs")
        return Totals(
            params=trainable + non_trainable,
            trainable=trainable,
            non_trainable=non_trainable,
            buffers=sympy.expand(steps("buffers")),
            macs=macs,
            flops=self.conventions.flops_per_mac * macs,
            activations=sympy.Add(*(row.multiplicity * row.activations for row in layers)),
        )

    def _numeric_totals(self, layers: Sequence[Row]) -> Totals | None:
        """Totals of a derivation in numbers, summed as Python integers (SymPy's Add would flatten each sum)."""
        params = non_trainable = buffers = macs = activations = 0
        for row in layers:
            values = (row.multiplicity, row.params.value, row.non_trainable.value, row.buffers.value, row.macs.value)
            if not all(isinstance(value, sympy.Integer) for value in values):
                return None  # a symbol somewhere: SymPy's sums below
            if row.layer is None or row.layer.makes_tensor:
                count = 1
                for size in row.output_shape:
                    if not isinstance(size, sympy.Integer):
                        return None
                    count *= size.p  # type: ignore[attr-defined]
            else:
                count = 0
            times = values[0].p  # type: ignore[attr-defined]  # Python's int of a SymPy integer
            params += times * values[1].p  # type: ignore[attr-defined]
            non_trainable += times * values[2].p  # type: ignore[attr-defined]
            buffers += times * values[3].p  # type: ignore[attr-defined]
            macs += times * values[4].p  # type: ignore[attr-defined]
            activations += times * count
        return Totals(
            params=sympy.Integer(params + non_trainable),
            trainable=sympy.Integer(params),
            non_trainable=sympy.Integer(non_trainable),
            buffers=sympy.Integer(buffers),
            macs=sympy.Integer(macs),
            flops=self.conventions.flops_per_mac * sympy.Integer(macs),
            activations=sympy.Integer(activations),
        )

    @staticmethod
    def _substituted_totals(origin: Derivation, mapping: Mapping[sympy.Basic, sympy.Expr]) -> Totals | None:
        """The origin's totals at numbers, when every symbol of theirs is given one (then equal to the rows' sums)."""
        numbers = _numbers(mapping)
        if numbers is None:
            return None
        evaluator = origin._totals_evaluator
        if evaluator is not None:
            found = evaluator(numbers)
            if found is not None:
                return Totals(*found)
        values = {}
        for name, total in vars(origin.totals).items():
            value = numeric.evaluate(total, numbers)
            if value is None:
                value = collapse_floors(total.xreplace(mapping))
                if not value.is_number:
                    return None  # a partial substitution: summing the substituted rows keeps the renderers' forms
            values[name] = value
        return Totals(**values)

    @cached_property
    def _totals_evaluator(self) -> numeric.Evaluator | None:
        """The totals compiled once (they share their floors): each full substitution only runs integer steps."""
        return numeric.compile_evaluator(tuple(vars(self.totals).values()))

    @cached_property
    def essential_conditions(self) -> tuple[Condition, ...]:
        """The conditions without lower bounds implied by a stronger one (H >= 2 beside H >= 32).

        ``conditions`` keeps them all, each at the first layer it constrains, so a
        substitution is blamed on the layer where it first fails; renderers list these.
        """
        bounds: dict[sympy.Expr, sympy.Expr] = {}
        for condition in self.conditions:
            relation = condition.relation
            if isinstance(relation, sympy.GreaterThan) and relation.rhs.is_number:
                known = bounds.get(relation.lhs)
                bounds[relation.lhs] = relation.rhs if known is None else sympy.Max(known, relation.rhs)
        kept, placed = [], set()
        for condition in self.conditions:
            relation = condition.relation
            if isinstance(relation, sympy.GreaterThan) and relation.rhs.is_number:
                if relation.rhs != bounds[relation.lhs] or relation.lhs in placed:
                    continue
                placed.add(relation.lhs)
            kept.append(condition)
        return tuple(kept)

    @property
    def input_shape(self) -> Shape:
        return self.input_shapes[0]

    @property
    def output_shape(self) -> Shape:
        """The first output's shape; a network with several outputs has them all in :attr:`output_shapes`."""
        return self.output_shapes[0]

    @property
    def outputs(self) -> tuple[tuple[str, Shape], ...]:
        """Every output as ``(name, shape)``: the network's names (``"out"``, ``"h"``), else ``output``, ``output_1``;
        unnamed, one output is ``(("output", shape),)``."""
        names = self.output_names or tuple(
            "output" if position == 0 else f"output_{position}" for position in range(len(self.output_shapes))
        )
        return tuple(zip(names, self.output_shapes, strict=True))

    @property
    def layers(self) -> tuple[Row, ...]:
        """Rows of layers (without the input rows)."""
        return tuple(row for row in self.rows if row.kind != "input")

    @cached_property
    def free_symbols(self) -> frozenset[sympy.Symbol]:
        return frozenset().union(*(value.free_symbols for value in self._distinct_values()))

    def _distinct_values(self) -> set[sympy.Basic]:
        """Every size, count and condition, each distinct expression once (rows share most of them)."""
        values: set[sympy.Basic] = {size for shape in (*self.input_shapes, *self.output_shapes) for size in shape}
        for row in self.rows:
            values.add(row.multiplicity)
            values.update(row.output_shape)  # a size set inside the network (AdaptiveAvgPool2d("a"))
            values.update(step.value for step in (*row.sizes, row.params, row.non_trainable, row.buffers, row.macs))
        values.update(condition.relation for condition in self.conditions)  # in_channels="c": only in a condition
        return values

    def row(self, name: str) -> Row:
        for row in self.rows:
            if row.name == name:
                return row
        raise UnknownLayerError(f"no row named {name!r} (rows: {_listed(row.name for row in self.rows)})")

    @cached_property
    def receptive_fields(self) -> ReceptiveFields:
        """Every row's receptive field (a :class:`symcnn.analysis.receptive.ReceptiveFields`), derived once."""
        from ..analysis import receptive

        return receptive.receptive_fields(self)

    def memory(
        self, batch: object = "B", dtype: str = "float32", optimizer: str | None = None, convention: str = "saved"
    ) -> Memory:
        """Training memory in bytes as formulas (a :class:`symcnn.analysis.memory.Memory`); see docs/conventions.md."""
        from ..analysis import memory as memory_model

        return memory_model.memory(self, batch=batch, dtype=dtype, optimizer=optimizer, convention=convention)

    # -- substitution -------------------------------------------------------------------
    def subs(self, values: Mapping[str, object] | None = None, /, **more: object) -> Derivation:
        """Substitute values (fully or partly): ``d.subs(H=28, k=64)``.

        Values may be integers or formulas (``k="2*c"``).  A value must lie in its
        symbol's domain (an integer >= 1, or >= 0 for padding names) and respect
        the divisibility assumptions; what a formula value leaves open becomes a
        condition.  Validity conditions that become decidable are checked; a
        violated one raises ``ShapeError`` naming the layer and the values.
        """
        given = {**(values or {}), **more}
        by_name = self._symbols_named(given)
        mapping: dict[sympy.Basic, sympy.Expr] = {}
        added: list[Condition] = []
        for name, value in given.items():
            if name not in by_name:
                known = ", ".join(sorted(by_name)) or "none"
                raise SpecError(
                    f"cannot substitute {name}: the derivation has no symbol {name!r} (its symbols: {known})"
                )
            symbol, expr = by_name[name], to_expr(value, f"value of {name}")
            if symbol.is_integer:
                lowest = 1 if symbol.is_positive else 0
                if expr.is_Integer and int(expr) >= lowest:  # type: ignore[call-overload]
                    holds = sympy.true  # settled without printing the message integer_at_least may need
                else:
                    holds = integer_at_least(expr, lowest, f"cannot substitute {name}={expr}: {name}")
                if holds is not sympy.true:
                    added.append(Condition(f"substitution {name}={expr}", f"{name} must be ≥ {lowest}", holds))
            elif expr.is_positive is not True and (expr.is_number or expr.is_positive is False):
                # A real multiplier (a zoo width_mult): any positive value, 7/20 as well as 2.
                raise SpecError(f"cannot substitute {name}={expr}: {name} must be positive")
            mapping[symbol] = expr
        for symbol, divisor in self.assumptions:
            value = mapping.get(symbol)
            if value is None:
                continue
            if value.is_Integer:
                divisible = sympy.true if int(value) % divisor == 0 else sympy.false  # type: ignore[call-overload]
            else:
                divisible = decide(sympy.Eq(sympy.Mod(value, divisor), 0))
            if divisible is sympy.false:
                raise SpecError(
                    f"cannot substitute {symbol}={value}: this derivation assumes {divisor} divides {symbol}"
                )
            if divisible is not sympy.true:
                added.append(Condition(f"substitution {symbol}={value}", f"{divisor} must divide {symbol}", divisible))
        return self._replace_all(lambda expr: collapse_floors(expr.xreplace(mapping)), mapping, tuple(added))

    def _symbols_named(self, names: Mapping[str, object]) -> dict[str, sympy.Symbol]:
        """This derivation's symbols by name, enough to look up ``names``.

        The input shapes' symbols (H, W) are found at once; :attr:`free_symbols` walks every
        row, so it is read only for a name not among them.
        """
        inputs = {symbol.name: symbol for shape in self.input_shapes for size in shape for symbol in size.free_symbols}
        if all(name in inputs for name in names):
            return inputs
        return {symbol.name: symbol for symbol in self.free_symbols}

    def assuming(self, divisors: Mapping[sympy.Symbol, int]) -> Derivation:
        """Rewrite every value assuming each divisor divides its symbol."""
        for symbol in divisors:
            if symbol not in self.free_symbols:
                known = ", ".join(sorted(s.name for s in self.free_symbols)) or "none"
                raise SpecError(
                    f"cannot assume a divisor of {symbol}: the derivation has no such symbol (its symbols: {known})"
                )

        def rewrite(expr: sympy.Expr) -> sympy.Expr:
            for symbol, divisor in divisors.items():
                expr = assume_divisible(expr, symbol, divisor)
            return expr

        changed = self._replace_all(rewrite, {})
        return replace(changed, assumptions=self.assumptions + tuple(divisors.items()))

    def _replace_all(  # type: ignore[no-untyped-def]
        self, change, mapping: Mapping[sympy.Basic, sympy.Expr], added: tuple[Condition, ...] = ()
    ) -> Derivation:
        def step(old: Step) -> Step:
            replaced = (*old.replaced, mapping) if mapping else old.replaced
            window = old.window.map(change) if old.window is not None else None
            return replace(old, value=change(old.value), replaced=replaced, window=window)

        def row(old: Row) -> Row:
            return replace(
                old,
                input_shapes=tuple(tuple(change(size) for size in shape) for shape in old.input_shapes),
                output_shape=tuple(change(size) for size in old.output_shape),
                sizes=tuple(step(item) for item in old.sizes),
                params=step(old.params),
                non_trainable=step(old.non_trainable),
                buffers=step(old.buffers),
                macs=step(old.macs),
                multiplicity=change(old.multiplicity),
                repeats=tuple((name, change(times)) for name, times in old.repeats),
            )

        rows = LazyRows(self.rows, row)
        numbers = _numbers(mapping) if mapping else None
        # The shapes at numbers straight from Python ints; the rows (substituted when read) keep ``change``.
        shape_change = change if numbers is None else _numbers_first(change, numbers)
        conditions = []
        for condition in self.conditions:
            relation = condition.relation
            if mapping:
                settled = numeric.settle(relation, numbers) if numbers is not None else None
                relation = settled if settled is not None else decide(relation.xreplace(mapping))
            if relation is sympy.false:
                values = ", ".join(f"{symbol}={value}" for symbol, value in mapping.items())
                raise ShapeError(
                    f"{condition.rule}, violated by {values} (needs {to_text(condition.relation)})",
                    where=condition.where,
                )
            if relation is not sympy.true:
                conditions.append(replace(condition, relation=relation))
        return replace(
            self,
            rows=rows,
            origin=(self, mapping) if mapping else None,
            input_shapes=tuple(tuple(shape_change(size) for size in shape) for shape in self.input_shapes),
            output_shapes=tuple(tuple(shape_change(size) for size in shape) for shape in self.output_shapes),
            conditions=(*conditions, *added),
        )

    # -- output formats (symcnn.render) ---------------------------------------------------
    # ``receptive_field=True`` adds a column; ``memory=d.memory(...)`` adds its lines (JSON: keys).
    def to_text(self, *, receptive_field: bool = False, memory: Any = None) -> str:
        from ..render import text

        return text.render(self, receptive_field=receptive_field, memory=memory)

    def to_markdown(self, *, receptive_field: bool = False, memory: Any = None) -> str:
        from ..render import markdown

        return markdown.render(self, receptive_field=receptive_field, memory=memory)

    def to_latex(self, standalone: bool = False, *, receptive_field: bool = False, memory: Any = None) -> str:
        from ..render import latex

        return latex.render(self, standalone=standalone, receptive_field=receptive_field, memory=memory)

    def to_tikz(self) -> str:
        """A ``tikzpicture`` of the architecture, one column wide (see :mod:`symcnn.render.tikz`)."""
        from ..render import tikz

        return tikz.render(self)

    def to_json(self, *, receptive_field: bool = False, memory: Any = None) -> str:
        from ..render import json

        return json.render(self, receptive_field=receptive_field, memory=memory)

    def to_dict(self, *, receptive_field: bool = False, memory: Any = None) -> dict[str, object]:
        from ..render import json

        result: dict[str, object] = json.as_dict(self, receptive_field=receptive_field, memory=memory)
        return result

    def to_html(
        self, *, title: str = "symcnn derivation", receptive_field: bool = False, memory: Any = None
    ) -> str:
        """One self-contained HTML page (MathML, inline styles, no scripts); ``memory`` defaults to ``d.memory()``."""
        from ..render import html

        return html.page(self, title=title, receptive_field=receptive_field, memory=memory)

    def _repr_html_(self) -> str:
        # Jupyter: the table with MathML (a long network collapsed by block into <details>).
        from ..render import html

        return html.fragment(self)

    def _repr_latex_(self) -> str:
        from ..render import latex

        return latex.render_equations(self)

    def _repr_markdown_(self) -> str:
        # Jupyter: a long network (ResNet-50) collapsed by block; to_markdown() gives every row.
        from ..render import markdown

        return markdown.summary(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # IPython's plain text (and a notebook's text/plain): the table, not the dataclass fields.
        from ..render import text

        printer.text("Derivation(...)" if cycle else text.summary(self).rstrip("\n"))

    def __str__(self) -> str:
        return self.to_text()


def _numbers(mapping: Mapping[sympy.Basic, sympy.Expr]) -> dict[sympy.Basic, int] | None:
    """A substitution of integers as Python ints (for :mod:`symcnn.exact.numeric`); None if a value is not one."""
    if not all(value.is_Integer for value in mapping.values()):
        return None
    return {symbol: int(value) for symbol, value in mapping.items()}  # type: ignore[call-overload]


def _numbers_first(
    change: Callable[[sympy.Expr], sympy.Expr], numbers: Mapping[sympy.Basic, int]
) -> Callable[[sympy.Expr], sympy.Expr]:
    """``change`` (a substitution with SymPy) for an expression whose value Python integers give directly."""

    def changed(expr: sympy.Expr) -> sympy.Expr:
        value = numeric.evaluate(expr, numbers)
        return value if value is not None else change(expr)

    return changed


def _listed(names: Any, shown: int = 8) -> str:
    names = list(names)
    return ", ".join(names[:shown]) + (", ..." if len(names) > shown else "")
