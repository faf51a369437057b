"""Exact sweeps: totals, output shapes and per-layer values over a grid or a random sample.

Each symbol gets an axis: a range ``H=32:512:32`` (start, stop, step; the stop
is included when the steps reach it), a list ``k=16,32,64`` or one value
``W=224``.  A grid takes every combination (the last axis varies fastest); a
random sample draws ``random`` configurations uniformly from the axes with a
seeded generator, so the same seed gives the same sample.

Formulas are compiled once (:mod:`symcnn.whatif.evaluate`) and evaluated in
batches with exact integers: int64 where the magnitudes provably fit, Python
integers where they might not.  A grid's batch is a block of the grid with each
axis shaped for broadcasting, so a term that depends on the width only is
computed once per width, not once per configuration.  A random sample has no
grid: its batch is flat columns, and each term is computed once per distinct
combination of the values of the axes it uses (25 widths drawn 250,000 times:
a polynomial in the width 25 times), then gathered.  The derivation's validity
conditions (and its divisibility assumptions) are evaluated too: an invalid
configuration is marked ``valid = false`` and gets no numbers.

>>> from symcnn import Conv2d, Input, MaxPool2d, Sequential
>>> net = Sequential(Input(3, "H", "W"), Conv2d(out_channels="k", kernel_size=5), MaxPool2d(2))
>>> result = sweep(net.derive(), ["H=4:8:2", "W=8", "k=1,2"])
>>> print(result.to_csv(), end="")
H,W,k,valid,params,trainable_params,macs,output_0,output_1,output_2
4,8,1,false,,,,,,
4,8,2,false,,,,,,
6,8,1,true,76,76,600,1,1,2
6,8,2,true,152,152,1200,2,1,2
8,8,1,true,76,76,1200,1,2,2
8,8,2,true,152,152,2400,2,2,2
"""

from __future__ import annotations

import itertools
import json
import math
import random as pyrandom
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from ..derivation.derivation import Derivation
from ..errors import SpecError
from ..exact.formula import parse_formula
from .evaluate import INT64_LIMIT, Distinct, Formula, Predicate, batch_fits_int64, evaluate, new_compiler
from .progress import Progress
from .quantities import example_value, quantity

__all__ = ["MAX_CONFIGURATIONS", "Axis", "SweepResult", "parse_axis", "sweep"]

MAX_CONFIGURATIONS = 10_000_000
BATCH = 65_536


@dataclass(frozen=True)
class Axis:
    """The values of one symbol: ``start, start + step, ... <= stop`` or an explicit list."""

    name: str
    start: int = 0
    step: int = 1
    count: int = 0
    listed: tuple[int, ...] | None = None

    @property
    def smallest(self) -> int:
        return min(self.listed) if self.listed is not None else self.start

    @property
    def largest(self) -> int:
        return max(self.listed) if self.listed is not None else self.start + (self.count - 1) * self.step

    def values(self, positions: np.ndarray) -> np.ndarray:
        """The values at integer positions ``0 .. count - 1`` (int64 when they fit, else Python ints)."""
        fits = max(abs(self.smallest), abs(self.largest)) <= INT64_LIMIT
        if self.listed is not None:
            table = np.array(self.listed, dtype=np.int64 if fits else object)
            return table[positions]
        if fits:
            return self.start + positions.astype(np.int64) * self.step
        return self.start + positions.astype(object) * self.step


def _integer(text: str, what: str) -> int:
    value = parse_formula(text, what=what)
    if not isinstance(value, sympy.Integer):
        raise SpecError(f"{what} must be an integer, got {text!r}")
    return int(value)


def parse_axis(text: str) -> Axis:
    """``"H=32:512:32"``, ``"k=16,32,64"`` or ``"W=224"`` (numbers may be formulas: ``2**60 + 31``).

    >>> parse_axis("H=32:512:32").count, parse_axis("k=16,32,64").listed
    (16, (16, 32, 64))
    """
    name, equals, spec = text.partition("=")
    name, spec = name.strip(), spec.strip()
    if not equals or not name.isidentifier() or not spec:
        raise SpecError(f"sweep: expected NAME=START:STOP[:STEP], NAME=V1,V2,... or NAME=VALUE, got {text!r}")
    if ":" in spec:
        parts = spec.split(":")
        if len(parts) not in (2, 3):
            raise SpecError(f"sweep: {name}: a range is START:STOP or START:STOP:STEP, got {spec!r}")
        start, stop = (_integer(part, f"sweep: {name}") for part in parts[:2])
        step = _integer(parts[2], f"sweep: {name} step") if len(parts) == 3 else 1
        if step < 1:
            raise SpecError(f"sweep: {name}: the step must be at least 1, got {step}")
        if stop < start:
            raise SpecError(f"sweep: {name}: the range {start}:{stop} is empty (stop < start)")
        return Axis(name, start=start, step=step, count=(stop - start) // step + 1)
    listed = tuple(_integer(part, f"sweep: {name}") for part in spec.split(","))
    return Axis(name, listed=listed, count=len(listed))


def _axes(spec: Mapping[str, object] | Sequence[str]) -> list[Axis]:
    if isinstance(spec, Mapping):
        made = []
        for name, value in spec.items():
            if isinstance(value, range):
                if len(value) == 0 or value.step < 1:
                    raise SpecError(f"sweep: {name}: the range is empty or decreasing")
                made.append(Axis(name, start=value.start, step=value.step, count=len(value)))
            elif isinstance(value, int | str) and not isinstance(value, bool):
                made.append(parse_axis(f"{name}={value}"))
            elif isinstance(value, Sequence):
                made.append(Axis(name, listed=tuple(int(v) for v in value), count=len(value)))
            else:
                raise SpecError(f"sweep: {name}: give a range, a list of integers or one value, got {value!r}")
        return made
    return [parse_axis(item) for item in spec]


class SweepResult:
    """Columns of exact integers for each configuration; invalid configurations have no numbers."""

    def __init__(self, symbols: list[str], columns: dict[str, np.ndarray], valid: np.ndarray, quantities: list[str]):
        self.symbols = symbols
        self.quantities = quantities
        self.columns = columns  # every symbol and quantity; quantity entries of invalid rows are meaningless
        self.valid = valid

    def __len__(self) -> int:
        return len(self.valid)

    @property
    def header(self) -> list[str]:
        return [*self.symbols, "valid", *self.quantities]

    def column(self, name: str) -> list[int | None]:
        """One column as Python integers, ``None`` where the configuration is invalid."""
        values = self.columns[name]
        if name in self.symbols:
            return [int(v) for v in values]
        return [int(v) if ok else None for v, ok in zip(values, self.valid, strict=True)]

    def rows(self) -> list[list[int | bool | None]]:
        return self._rows(slice(None))

    def to_csv(self) -> str:
        """CSV text: the symbols, ``valid``, then the quantities (empty where invalid)."""
        return "".join(self.iter_csv())

    def iter_csv(self) -> Iterator[str]:
        """:meth:`to_csv` in pieces of :data:`BATCH` rows: 10**7 rows never build a table of strings."""
        yield ",".join(self.header) + "\n"
        for start in range(0, len(self), BATCH):
            part = slice(start, start + BATCH)
            valid = self.valid[part]
            texts = [self.columns[name][part].astype(str) for name in self.symbols]
            texts.append(np.where(valid, "true", "false"))
            for name in self.quantities:
                texts.append(np.where(valid, self.columns[name][part].astype(str), ""))
            yield "".join(",".join(row) + "\n" for row in zip(*texts, strict=True))

    def _rows(self, part: slice) -> list[list[int | bool | None]]:
        valid = self.valid[part]
        columns: list[list[Any]] = [[int(v) for v in self.columns[name][part]] for name in self.symbols]
        columns.append([bool(v) for v in valid])
        for name in self.quantities:
            columns.append([int(v) if ok else None for v, ok in zip(self.columns[name][part], valid, strict=True)])
        return [list(row) for row in zip(*columns, strict=True)]

    def as_dict(self, rows: bool = True) -> dict[str, object]:
        made: dict[str, object] = {
            "symbols": self.symbols,
            "columns": self.header,
            "configurations": len(self),
            "valid": int(self.valid.sum()),
        }
        if rows:
            made["rows"] = self.rows()
        return made

    def to_json(self) -> str:
        return "".join(self.iter_json())

    def iter_json(self) -> Iterator[str]:
        """:meth:`to_json` in pieces of :data:`BATCH` rows, the same text."""
        yield json.dumps(self.as_dict(rows=False))[:-1] + ', "rows": ['
        for start in range(0, len(self), BATCH):
            yield (", " if start else "") + json.dumps(self._rows(slice(start, start + BATCH)))[1:-1]
        yield "]}\n"

    def to_dataframe(self) -> Any:
        """A pandas DataFrame (pandas is optional): nullable integers, missing where invalid."""
        try:
            import pandas as pd
        except ImportError:
            raise SpecError("to_dataframe needs pandas: pip install pandas") from None
        data: dict[str, Any] = {}
        for name in self.header:
            if name == "valid":
                data[name] = self.valid.copy()
                continue
            values = self.columns[name]
            missing = np.zeros(len(self), dtype=bool) if name in self.symbols else ~self.valid
            if values.dtype == object:  # beyond int64: Python integers, None where invalid
                data[name] = pd.Series([None if m else v for v, m in zip(values, missing, strict=True)], dtype=object)
            else:
                data[name] = pd.arrays.IntegerArray(values.astype(np.int64), missing.copy())
        return pd.DataFrame(data)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.summary().rstrip())  # IPython: what print() shows, not the dataclass fields

    def _repr_html_(self) -> str:
        from .display import sweep_html

        return sweep_html(self)

    def summary(self) -> str:
        """A few lines for people: counts, then the range of each quantity over the valid configurations."""
        lines = [f"{len(self):,} configurations, {int(self.valid.sum()):,} valid"]
        for name in self.quantities:
            values = self.columns[name][self.valid]
            if len(values):
                lines.append(f"  {name}: {int(values.min()):,} .. {int(values.max()):,}")
        return "\n".join(lines) + "\n"


def _default_quantities(derivation: Derivation) -> list[tuple[str, sympy.Expr]]:
    made = [(name, quantity(derivation, name)) for name in ("params", "trainable_params", "macs")]
    return made + [(f"output_{i}", size) for i, size in enumerate(derivation.output_shape)]


def sweep(
    derivation: Derivation,
    axes: Mapping[str, object] | Sequence[str],
    *,
    random: int | None = None,
    seed: int = 0,
    quantities: Sequence[str] | None = None,
    max_configurations: int = MAX_CONFIGURATIONS,
    progress: bool | None = None,
) -> SweepResult:
    """Evaluate ``quantities`` (default: params, trainable_params, macs, output shape) over the axes.

    Every symbol of the derivation needs an axis.  ``random=N`` samples N
    configurations (seeded by ``seed``) instead of taking the whole grid.
    ``progress``: a bar on stderr (default: for more than 100,000 configurations
    when stderr is a terminal; :mod:`symcnn.whatif.progress`).
    """
    made = _axes(axes)
    names = [axis.name for axis in made]
    by_name = {item.name: item for item in derivation.free_symbols}
    for axis in made:
        if axis.name not in by_name:
            raise SpecError(
                f"sweep: the derivation has no symbol {axis.name!r} (its symbols: {', '.join(sorted(by_name))})"
            )
        lowest = 1 if by_name[axis.name].is_positive else 0
        if axis.smallest < lowest:
            raise SpecError(f"sweep: {axis.name} must be ≥ {lowest}, but its axis starts at {axis.smallest}")
    if len(set(names)) != len(names):
        raise SpecError("sweep: a symbol has two axes")
    missing = sorted(set(by_name) - set(names))
    if missing:
        example = example_value(derivation, missing[0])
        raise SpecError(f"sweep: give an axis or a value for {', '.join(missing)} (e.g. {missing[0]}={example})")
    total = 1
    for axis in made:
        total *= axis.count
    size = total if random is None else random
    if size > max_configurations:
        raise SpecError(f"sweep: {size:,} configurations is more than the limit {max_configurations:,}")
    if size < 1:
        raise SpecError("sweep: --random needs at least 1 configuration")
    chosen = (
        [(name, quantity(derivation, name)) for name in quantities] if quantities else _default_quantities(derivation)
    )
    compiler = new_compiler(names)
    formulas = [Formula(expr, names, compiler) for _, expr in chosen]
    conditions = [Predicate(c.relation, names, compiler) for c in derivation.conditions]
    conditions += [
        Predicate(sympy.Eq(sympy.Mod(symbol, divisor), 0), names, compiler)
        for symbol, divisor in derivation.assumptions
    ]
    positions = _positions(made, total, random, seed)
    bar = Progress(size, enabled=progress)
    try:
        return _run(made, positions, size, [name for name, _ in chosen], formulas, conditions, bar)
    finally:
        bar.close()


def _positions(axes: list[Axis], total: int, random: int | None, seed: int) -> list[np.ndarray] | None:
    """Random positions per axis (or None for the grid, computed per batch)."""
    if random is None:
        return None
    generator = np.random.default_rng(seed)
    drawn = []
    for axis in axes:
        if axis.count <= INT64_LIMIT:
            drawn.append(generator.integers(0, axis.count, size=random))
        else:  # an axis longer than int64 can count: Python's generator, seeded alike
            source = pyrandom.Random(seed)
            drawn.append(np.array([source.randrange(axis.count) for _ in range(random)], dtype=object))
    return drawn


Block = tuple[int, int, list[np.ndarray]]  # flat start, stop, and each axis's positions shaped for broadcasting


def _grid_blocks(axes: list[Axis]) -> Iterator[Block]:
    """The grid in blocks of at most :data:`BATCH` configurations, each a contiguous run of rows.

    The last axis varies fastest, so fixing the leading axes, taking a slice of
    axis ``split`` and every position of the axes after it is a run of
    consecutive rows.  ``split`` is the first axis whose followers fit in a batch.
    """
    counts = [axis.count for axis in axes]
    if not counts:  # a derivation without symbols: one configuration
        yield 0, 1, []
        return
    split = next(i for i in range(len(counts)) if math.prod(counts[i + 1 :]) <= BATCH)
    inner = math.prod(counts[split + 1 :])
    chunk = max(1, BATCH // inner)
    rank = len(axes)

    def shaped(positions: np.ndarray, place: int) -> np.ndarray:
        return positions.reshape([-1 if i == place else 1 for i in range(rank)])

    after = [shaped(np.arange(count, dtype=np.int64), split + 1 + i) for i, count in enumerate(counts[split + 1 :])]
    for leading in itertools.product(*(range(count) for count in counts[:split])):
        before = [shaped(np.array([position], dtype=np.int64), i) for i, position in enumerate(leading)]
        offset = 0
        for i, position in enumerate(leading):
            offset = offset * counts[i] + position
        for low in range(0, counts[split], chunk):
            high = min(low + chunk, counts[split])
            start = (offset * counts[split] + low) * inner
            middle = shaped(np.arange(low, high, dtype=np.int64), split)
            yield start, start + (high - low) * inner, [*before, middle, *after]


def _sample_blocks(positions: list[np.ndarray], size: int) -> Iterator[Block]:
    for start in range(0, size, BATCH):
        stop = min(start + BATCH, size)
        yield start, stop, [p[start:stop] for p in positions]


def _run(
    axes: list[Axis],
    positions: list[np.ndarray] | None,
    size: int,
    labels: list[str],
    formulas: list[Formula],
    conditions: list[Predicate],
    bar: Progress,
) -> SweepResult:
    names = [axis.name for axis in axes]
    columns: dict[str, np.ndarray] = {}
    valid = np.zeros(size, dtype=bool)
    blocks = _grid_blocks(axes) if positions is None else _sample_blocks(positions, size)
    for start, stop, digits in blocks:
        values = {axis.name: axis.values(d) for axis, d in zip(axes, digits, strict=True)}
        shape = np.broadcast_shapes((1,), *(d.shape for d in digits))
        batch: dict[str, np.ndarray] | Distinct = values
        if positions is not None:  # a sample: flat columns, the axes' values repeated (numbered by position)
            batch = Distinct(values, {axis.name: (d, axis.count) for axis, d in zip(axes, digits, strict=True)})
        results = _evaluate_batch(formulas, conditions, batch, shape)
        ok, undefined = results.pop()
        valid[start:stop] = (ok if undefined is None else ok & ~undefined).ravel()
        for name, array in [*values.items(), *zip(labels, results, strict=True)]:
            _store(columns, name, np.broadcast_to(array, shape), start, stop, size)
        bar.update(stop - start)
    return SweepResult(names, columns, valid, labels)


def _evaluate_batch(
    formulas: list[Formula],
    conditions: list[Predicate],
    batch: dict[str, np.ndarray] | Distinct,
    shape: tuple[int, ...],
) -> list[Any]:
    """Quantities, then (validity, undefined) of the block's shape; int64 for every item that provably fits."""
    values = batch.columns if isinstance(batch, Distinct) else batch
    magnitudes = {name: max(abs(int(array.min())), abs(int(array.max()))) for name, array in values.items()}
    items: list[Formula | Predicate] = [*formulas, *conditions]
    small = max(magnitudes.values(), default=0) <= INT64_LIMIT
    if small and batch_fits_int64([item.node for item in items], magnitudes):
        results, undefined = evaluate(items, values, exact=False)  # int64: flat columns cost less than gathers
    else:  # decide item by item: a huge MACs total need not make the shapes slow
        results, undefined = [], None
        for item in items:
            (result,), missing = evaluate([item], batch)
            results.append(result)
            if missing is not None:
                undefined = missing if undefined is None else undefined | missing
    ok = np.ones(shape, dtype=bool)
    for truth in results[len(formulas) :]:
        ok &= truth
    return [*results[: len(formulas)], (ok, undefined)]


def _store(columns: dict[str, np.ndarray], name: str, array: np.ndarray, start: int, stop: int, size: int) -> None:
    column = columns.get(name)
    if column is None:
        column = columns[name] = np.zeros(size, dtype=array.dtype)
    elif array.dtype == object and column.dtype != object:
        column = columns[name] = column.astype(object)
    column[start:stop].reshape(array.shape)[...] = array  # a block of the grid is a run of rows
