"""Worked solutions from the engine's derivation steps, phrased for a student.

A :class:`~symcnn.Step` carries its rule (name and summary), the rule in
general (``(n*m*l + 1)*k``), the rule with this layer's values
(``(5*5*1 + 1)*32``) and the value; a solution line keeps all four, as LaTeX.
"""

from __future__ import annotations

from collections.abc import Iterable

import sympy

from .. import Derivation, Row, Step
from ..exact.printing import to_latex
from .model import Line

__all__ = ["row_lines", "size_lines", "step_line", "total_line", "value_latex"]

QUANTITY_LABELS = {"params": "parameters", "non_trainable": "non-trainable", "macs": "MACs", "buffers": "buffers"}


def value_latex(value: sympy.Expr) -> str:
    """Integers with thin-space thousands (``217\\,706``), anything else as SymPy's LaTeX."""
    if isinstance(value, sympy.Integer):
        return f"{int(value):,}".replace(",", r"\,")
    return to_latex(value)


def step_line(label: str, step: Step) -> Line:
    """One step: the rule's summary, its general form, the values substituted, the value."""
    general = step.general.latex() if step.general is not None else ""
    substituted = step.substituted.latex() if step.substituted is not None else ""
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
