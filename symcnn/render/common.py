"""What every renderer shares: numbers, values and shapes as text or LaTeX."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import sympy

from ..exact.printing import to_latex, to_str
from ..exact.steps import Step

if TYPE_CHECKING:  # the renderers read a Derivation by its attributes; it imports them
    from ..derivation.derivation import Derivation, Row

__all__ = [
    "Group",
    "by_block",
    "collector_paused",
    "number",
    "shape_latex",
    "shape_text",
    "size_cells",
    "total_terms",
    "value_latex",
    "value_text",
]


P = ParamSpec("P")
R = TypeVar("R")


def collector_paused(render: Callable[P, R]) -> Callable[P, R]:
    """``render`` with Python's cyclic garbage collector paused while it runs.

    A render allocates millions of small objects (strings, memo entries), which start the
    collector's passes again and again, and each full pass walks every object of the derivation
    (a 10,000-layer one has millions): a third of such a render's time.  What a render frees is
    freed by reference counting; cycles it leaves are collected after it, when the collector runs again.
    """

    @functools.wraps(render)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        if not gc.isenabled():
            return render(*args, **kwargs)
        gc.disable()
        try:
            return render(*args, **kwargs)
        finally:
            gc.enable()

    return paused


def number(value: sympy.Expr, separator: str = "'") -> str | None:
    """``217706`` -> ``217'706`` for integers; ``None`` for anything symbolic."""
    if isinstance(value, sympy.Integer):
        return f"{int(value):,}".replace(",", separator)
    return None


def value_text(value: sympy.Expr) -> str:
    return number(value) or to_str(value)


def value_latex(value: sympy.Expr) -> str:
    return number(value, r"\,") or to_latex(value)


def shape_text(shape: Iterable[sympy.Expr]) -> str:
    parts = [to_str(size) for size in shape]
    return "x".join(part if _simple(part) else f"({part})" for part in parts)


def shape_latex(shape: Iterable[sympy.Expr]) -> str:
    return r" \times ".join(
        to_latex(size) if size.is_Atom or isinstance(size, sympy.Function) else rf"\left({to_latex(size)}\right)"
        for size in shape
    )


def _simple(text: str) -> bool:
    return text.replace("_", "").isalnum()


def total_terms(derivation: Derivation) -> list[tuple[Row, sympy.Expr]]:
    """The rows that contribute parameters, with their contribution (times repeats)."""
    terms = []
    for row in derivation.layers:
        contribution = row.multiplicity * row.total_params
        if contribution != 0:
            terms.append((row, contribution))
    return terms


def size_cells(steps: Iterable[Step]) -> list[tuple[str, Step]]:
    """Size steps with identical formulas shown once, labelled "height, width"."""
    labels: dict[str, list[str]] = {}
    first: dict[str, Step] = {}
    for step in steps:
        key = (step.substituted.text() if step.substituted is not None else "") + "=" + to_str(step.value)
        labels.setdefault(key, []).append(step.quantity)
        first.setdefault(key, step)
    return [(", ".join(labels[key]), first[key]) for key in first]


@dataclass(frozen=True)
class Group:
    """Consecutive rows of one top-level block (``layer3``), summed: a summary line of a long table."""

    name: str
    rows: tuple[Row, ...]

    @property
    def output_shape(self) -> tuple[sympy.Expr, ...]:
        return self.rows[-1].output_shape

    @property
    def params(self) -> sympy.Expr:
        return sympy.Add(*(row.multiplicity * row.total_params for row in self.rows))

    @property
    def macs(self) -> sympy.Expr:
        return sympy.Add(*(row.multiplicity * row.macs.value for row in self.rows))


def by_block(derivation: Derivation, max_rows: int) -> list[Group]:
    """One group per row, or per top-level block (``layer3.*``) when there are more than ``max_rows`` rows."""
    if len(derivation.rows) <= max_rows:
        return [Group(row.name, (row,)) for row in derivation.rows]
    runs: list[list[Row]] = []
    for row in derivation.rows:
        block = row.name.split(".")[0]
        if runs and runs[-1][0].name.split(".")[0] == block:
            runs[-1].append(row)
        else:
            runs.append([row])
    return [Group(run[0].name.split(".")[0] + (".*" if len(run) > 1 else ""), tuple(run)) for run in runs]
