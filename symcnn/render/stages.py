"""Stages of a network, as Table 1 of the ResNet paper shows them: one row per stage, its block as a bracket.

The module hierarchy decides the stages: the rows' dotted names (``layer1.0.conv1`` from
torch or the zoo, ``features.denseblock1...``).  A top-level block is a stage; a block that
holds most of the network (torchvision's ``features``) is opened into its children;
consecutive single layers (``conv1``, ``bn1``, ``relu``, ``maxpool``) form one stage named
``conv1–maxpool``.  Inside a stage, the units (``layer1.0``, ``layer1.1`` ...) with the same
layers collapse into one bracket ``[...] × N``; a ``Repeat`` multiplies ``N`` (symbolic where
its count is).  A flat network gets one stage per layer.

>>> import symcnn
>>> from symcnn import zoo
>>> d = zoo.resnet18().derive()
>>> [stage.name for stage in stages(d)]
['conv1–maxpool', 'layer1', 'layer2', 'layer3', 'layer4', 'avgpool–fc']
>>> [([str(e) for e in b.entries], b.times) for b in stages(d)[1].brackets]
[(['3×3, 64', '3×3, 64'], 2)]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy

from ..exact.printing import to_latex, to_str

if TYPE_CHECKING:  # the renderers read a Derivation by its attributes; it imports them
    from ..derivation.derivation import Derivation, Row

__all__ = ["Bracket", "Entry", "Stage", "entry", "stages"]

# A block holding more than this share of the layers is opened into its children.
_OPEN_SHARE = sympy.Rational(1, 2)


@dataclass(frozen=True)
class Entry:
    """One line of a bracket: a kernel and a width (``3×3, 64``), a pool, or a dense layer."""

    kernel: tuple[sympy.Expr, ...]  # empty for a dense layer
    channels: sympy.Expr | None  # None for a pool
    stride: sympy.Expr

    def text(self) -> str:
        return self._join(to_str, "×", " pool", "fc")

    def latex(self) -> str:
        r"""Math-mode LaTeX, e.g. ``3{\times}3,\,64``."""
        return self._join(to_latex, r"{\times}", r"\,\text{pool}", r"\text{fc}", r",\,")

    def _join(self, show: Callable[[sympy.Expr], str], times: str, pool: str, dense: str, comma: str = ", ") -> str:
        parts = [times.join(show(k) for k in self.kernel) + (pool if self.channels is None else "") or dense]
        if self.channels is not None:
            parts.append(show(self.channels))
        if self.stride != 1:
            parts.append(f"/{show(self.stride)}")
        return comma.join(parts)

    def __str__(self) -> str:
        return self.text()


def entry(row: Row) -> Entry | None:
    """What a bracket lists for this layer: sliding windows (convolutions, pools) and dense layers.

    Read from the derivation, not from the layer's kind: a size made by a window has its
    kernel and stride; a layer with weights that changes the feature count is dense. Norms,
    activations and merges list nothing (the table's counts include them).
    """
    windows = [step.window for step in row.sizes if step.window is not None]
    weighted = row.total_params != 0
    if windows:
        stride = windows[0].stride
        return Entry(tuple(w.kernel for w in windows), row.output_shape[0] if weighted else None, stride)
    if weighted and row.input_shapes and len(row.output_shape) == 1 and row.input_shapes[0] != row.output_shape:
        return Entry((), row.output_shape[0], sympy.Integer(1))
    return None


@dataclass(frozen=True)
class Bracket:
    """A block's layers ``[...] × times``; ``first`` lists what only the first copy adds (a projection)."""

    entries: tuple[Entry, ...]
    times: sympy.Expr
    first: tuple[Entry, ...] = ()


@dataclass(frozen=True)
class Stage:
    """Consecutive rows shown as one line of a stage table."""

    name: str
    prefix: str | None  # the block's dotted name, None for a run of single layers
    rows: tuple[Row, ...]

    @property
    def output_shape(self) -> tuple[sympy.Expr, ...]:
        return self.rows[-1].output_shape

    @property
    def params(self) -> sympy.Expr:
        return sympy.expand(sympy.Add(*(row.multiplicity * row.total_params for row in self.rows)))

    @property
    def macs(self) -> sympy.Expr:
        return sympy.Add(*(row.multiplicity * row.macs.value for row in self.rows))

    @property
    def units(self) -> list[tuple[str | None, tuple[Row, ...]]]:
        """The stage's children in order: (child name, rows); a run of direct layers has name None."""
        depth = 0 if self.prefix is None else self.prefix.count(".") + 1
        units: list[tuple[str | None, list[Row]]] = []
        for row in self.rows:
            parts = row.name.split(".")
            key = parts[depth] if self.prefix is not None and len(parts) > depth + 1 else None
            if units and units[-1][0] == key:
                units[-1][1].append(row)
            else:
                units.append((key, [row]))
        return [(key, tuple(rows)) for key, rows in units]

    def _inner_repeats(self, row: Row) -> sympy.Expr:
        """How often the Repeats inside this stage run ``row`` (those around the stage are not its count)."""
        if self.prefix is None:
            return sympy.Integer(1)
        inside = [times for name, times in row.repeats if name == self.prefix or name.startswith(self.prefix + ".")]
        return sympy.Mul(*inside)

    @property
    def brackets(self) -> list[Bracket]:
        """Consecutive units with the same entries become one bracket × their count.

        A first unit that only adds layers to the others' (ResNet's projection shortcut)
        joins their bracket, its extra layers noted as ``first``.
        """
        found: list[Bracket] = []
        for _, rows in self.units:
            entries = tuple(e for e in (entry(row) for row in rows) if e is not None)
            if not entries:
                continue
            times = self._inner_repeats(rows[0])
            last = found[-1] if found else None
            if last is not None and len(last.entries) == len(entries) and _matching(last.entries, entries):
                found[-1] = Bracket(last.entries, last.times + times, last.first)
            elif last is not None and len(found) == 1 and last.times == 1 and _adds_to(last.entries, entries):
                # The first copy's own lines keep their strides (where the stage downsamples).
                kept = _matching(last.entries, entries)
                marks = _marks(last.entries, kept)
                extra = tuple(item for item, is_kept in zip(last.entries, marks, strict=True) if not is_kept)
                found[-1] = Bracket(kept, 1 + times, extra)
            else:
                found.append(Bracket(entries, times))
        return found


def _same_layer(a: Entry, b: Entry) -> bool:
    return a.kernel == b.kernel and a.channels == b.channels


def _matching(bigger: tuple[Entry, ...], smaller: tuple[Entry, ...]) -> tuple[Entry, ...]:
    """The entries of ``bigger`` that ``smaller``'s match in order (strides aside), or () if some do not."""
    remaining = iter(bigger)
    kept = []
    for item in smaller:
        match = next((other for other in remaining if _same_layer(item, other)), None)
        if match is None:
            return ()
        kept.append(match)
    return tuple(kept)


def _marks(bigger: tuple[Entry, ...], kept: tuple[Entry, ...]) -> list[bool]:
    """Which of ``bigger``'s entries are ``kept`` (matched in order, by identity)."""
    marks, position = [], 0
    for item in bigger:
        hit = position < len(kept) and item is kept[position]
        marks.append(hit)
        position += hit
    return marks


def _adds_to(bigger: tuple[Entry, ...], smaller: tuple[Entry, ...]) -> bool:
    """``smaller`` is ``bigger`` with some entries left out, in the same order (strides aside)."""
    return len(bigger) > len(smaller) and bool(_matching(bigger, smaller))


def _key(name: str, depth: int) -> str | None:
    parts = name.split(".")
    return ".".join(parts[: depth + 1]) if len(parts) > depth + 1 else None


def _split(rows: list[Row], depth: int, total: int) -> list[tuple[str | None, list[Row]]]:
    groups: list[tuple[str | None, list[Row]]] = []
    for row in rows:
        key = _key(row.name, depth)
        if groups and groups[-1][0] == key and key is not None:
            groups[-1][1].append(row)
        else:
            groups.append((key, [row]))
    opened: list[tuple[str | None, list[Row]]] = []
    for key, members in groups:
        inner = {_key(row.name, depth + 1) for row in members}
        if key is not None and len(members) > _OPEN_SHARE * total and len(inner) > 1:
            opened.extend(_split(members, depth + 1, total))
        else:
            opened.append((key, members))
    return opened


def stages(derivation: Derivation) -> list[Stage]:
    """The network's stages, in order (the input row is not one)."""
    rows = list(derivation.layers)
    found: list[Stage] = []
    single: list[Row] = []

    def close_single() -> None:
        if single:
            last = single[-1].name.rsplit(".", 1)[-1]
            first = single[0].name.rsplit(".", 1)[-1]
            found.append(Stage(first if len(single) == 1 else f"{first}–{last}", None, tuple(single)))
            single.clear()

    for key, members in _split(rows, 0, len(rows)):
        if key is None:
            single.extend(members)
            continue
        close_single()
        found.append(Stage(key.rsplit(".", 1)[-1], key, tuple(members)))
    close_single()
    return found
