"""Worked solutions from the engine's derivation steps, phrased for a student.

A :class:`~symcnn.Step` carries its rule (name and summary), the rule in
general (``(n*m*l + 1)*k``), the rule with this layer's values
(``(5*5*1 + 1)*32``) and the value; a solution line keeps all four, as LaTeX.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import ClassVar

import sympy

from .. import Derivation, Row, Step
from ..exact.display import Leaf, Shown
from ..exact.printing import to_latex
from ..exact.steps import Bind
from .model import Line

__all__ = ["row_lines", "size_lines", "step_line", "total_line", "value_latex"]

QUANTITY_LABELS = {"params": "parameters", "non_trainable": "non-trainable", "macs": "MACs", "buffers": "buffers"}


def value_latex(value: sympy.Expr) -> str:
    """Integers with thin-space thousands (``217\\,706``), anything else as SymPy's LaTeX."""
    if isinstance(value, sympy.Integer):
        return f"{int(value):,}".replace(",", r"\,")
    return to_latex(value)


class Rendered:
    """LaTeX of step displays, each distinct display rendered once.

    A step's displays are its rule's formula with each argument's notation (the
    general form) or with each argument's value as shown (the substituted one):
    steps with the same rule and the same arguments print the same.  A set of
    questions applies a few dozen rules to a few hundred distinct values, and the
    height and width of a square map are the same step twice.  ``cache_clear``
    empties it (the benchmark's cold runs do).
    """

    LIMIT = 1 << 14
    _latex: ClassVar[dict[Hashable, str]] = {}

    @classmethod
    def latex(cls, key: Hashable | None, render: Callable[[], str]) -> str:
        if key is None:
            return render()
        found = cls._latex.get(key)
        if found is None:
            if len(cls._latex) >= cls.LIMIT:
                cls._latex.clear()
            found = cls._latex[key] = render()
        return found

    @classmethod
    def cache_clear(cls) -> None:
        cls._latex.clear()


def _general_key(step: Step) -> Hashable:
    """What the general form shows: the rule, each argument's notation (or its absence)."""
    return ("general", step.rule, tuple((name, _notation(bind)) for name, bind in step.arguments))


def _substituted_key(step: Step) -> Hashable | None:
    """What the substituted form shows: the rule, each argument's value and how it is shown."""
    if step.rule is None or step.replaced:
        return None  # a display given directly, or substituted into since: rendered as it is
    return ("substituted", step.rule, tuple((name, *_shown(bind)) for name, bind in step.arguments))


def _notation(bind: Bind) -> Hashable:
    return ("omitted", bind.value == 1) if bind.omit else bind.notation


def _shown(bind: Bind) -> tuple[object, ...]:
    if bind.omit:
        return ("omitted", bind.value == 1)
    shown = bind.shown
    if shown is None or (isinstance(shown, Leaf) and not isinstance(shown.item, str) and shown.item == bind.value):
        return ("value", type(bind.value), bind.value)  # a leaf of the value itself prints as the value
    if isinstance(shown, Leaf):
        return ("leaf", type(shown.item), shown.item, type(bind.value), bind.value)
    return ("shown", shown, type(bind.value), bind.value)  # a tree: this very display


def _latex_of(shown: Shown | None) -> str:
    return shown.latex() if shown is not None else ""


def step_line(label: str, step: Step) -> Line:
    """One step: the rule's summary, its general form, the values substituted, the value."""
    general = Rendered.latex(_general_key(step), lambda: _latex_of(step.general)) if step.rule is not None else ""
    substituted = Rendered.latex(_substituted_key(step), lambda: _latex_of(step.substituted))
    value = value_latex(step.value)
    if substituted == value:
        substituted = ""
    return Line(
        label=label,
        rule=step.rule.summary if step.rule is not None else "",
        general=general,
        substituted=substituted,
        value=value,
    )


def size_lines(row: Row) -> list[Line]:
    """The output sizes of ``row``, one line per distinct formula (height and width together)."""
    lines: list[Line] = []
    seen: dict[tuple[str, str], int] = {}
    for step in row.sizes:
        line = step_line(f"{row.name}: output {step.quantity}", step)
        key = (line.substituted, line.value)
        if key in seen:
            earlier = lines[seen[key]]
            lines[seen[key]] = Line(f"{earlier.label}, {step.quantity}", *_rest(earlier))
            continue
        seen[key] = len(lines)
        lines.append(line)
    return lines


def _rest(line: Line) -> tuple[str, str, str, str]:
    return line.rule, line.general, line.substituted, line.value


def row_lines(row: Row, quantities: Iterable[str] = ("params",)) -> list[Line]:
    """The steps of ``row`` for ``quantities`` (``params``, ``macs``, ...) that are not zero."""
    lines = []
    for quantity in quantities:
        step: Step = getattr(row, quantity)
        if step.value != 0 or step.rule is not None:
            lines.append(step_line(f"{row.name}: {QUANTITY_LABELS.get(quantity, quantity)}", step))
    return lines


def total_line(derivation: Derivation, label: str = "total parameters") -> Line:
    """The total as the sum of the rows that have parameters: ``832 + 9\\,248 + ... = 217\\,706``."""
    terms = [row.multiplicity * row.total_params for row in derivation.layers]
    shown = " + ".join(value_latex(term) for term in terms if term != 0) or "0"
    total = value_latex(derivation.totals.params)
    return Line(label=label, substituted=shown if shown != total else "", value=total)
