"""Markdown: a table with inline LaTeX math (GitHub and Jupyter render both)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..exact.printing import to_latex
from ..exact.steps import Step
from .common import by_block, collector_paused, shape_latex, size_cells, total_terms, value_latex
from .escape import markdown, markdown_code
from .extras import memory_header, memory_items, receptive_latex, receptive_note

if TYPE_CHECKING:  # the renderers read a Derivation by its attributes; it imports them
    from ..derivation.derivation import Derivation, Row


def _step(step: Step) -> str:
    value = value_latex(step.value)
    if step.substituted is None or step.substituted.latex() == value:
        return f"${value}$"
    return f"${step.substituted.latex()} = {value}$"


def _sizes(row: Row) -> str:
    steps = size_cells(row.sizes)
    formulas = "<br>".join(_step(step) for _, step in steps)
    shape = f"${shape_latex(row.output_shape)}$"
    return f"{formulas} → {shape}" if formulas else shape


@collector_paused
def summary(derivation: Derivation, max_rows: int = 40) -> str:
    """For Jupyter: a long network collapsed by block (``layer3.*``), with the totals."""
    if len(derivation.rows) <= max_rows:
        return render(derivation)
    lines = ["| block | output | parameters | MACs |", "|---|---|---:|---:|"]
    for group in by_block(derivation, max_rows):
        lines.append(
            f"| {markdown_code(group.name)} | ${shape_latex(group.output_shape)}$ | ${value_latex(group.params)}$ "
            f"| ${value_latex(group.macs)}$ |"
        )
    return "\n".join(lines) + "\n" + _facts(derivation)


@collector_paused
def render(derivation: Derivation, *, receptive_field: bool = False, memory: Any = None) -> str:
    extra = (" receptive field |", "---|") if receptive_field else ("", "")
    lines = ["| # | name | size | parameters | MACs |" + extra[0], "|---:|---|---|---|---:|" + extra[1]]
    for row in derivation.rows:
        name = markdown_code(row.name) + ("" if row.multiplicity == 1 else f" ×${to_latex(row.multiplicity)}$")
        parts = [_step(row.params)] if row.params.value != 0 else []
        if row.non_trainable.value != 0:  # Keras's BatchNorm statistics, frozen parameters
            parts.append(f"{_step(row.non_trainable)} non-trainable")
        params = " + ".join(parts) or "$0$"
        cell = f" {receptive_latex(derivation, row)} |" if receptive_field else ""
        lines.append(f"| {row.index} | {name} | {_sizes(row)} | {params} | ${value_latex(row.macs.value)}$ |{cell}")
    terms = " + ".join(value_latex(value) for _, value in total_terms(derivation)) or "0"
    lines += ["", f"**Total parameters:** ${terms} = {value_latex(derivation.totals.params)}$"]
    return "\n".join(lines) + "\n" + _facts(derivation, receptive_field, memory)


def _facts(derivation: Derivation, receptive_field: bool = False, memory: Any = None) -> str:
    totals = derivation.totals
    lines = [
        "",
        _outputs(derivation),
        f"- trainable: ${value_latex(totals.trainable)}$, non-trainable: ${value_latex(totals.non_trainable)}$, "
        f"buffers: ${value_latex(totals.buffers)}$",
        f"- MACs: ${value_latex(totals.macs)}$ (FLOPs: ${value_latex(totals.flops)}$)",
        f"- conventions: {derivation.conventions.describe()}",
    ]
    lines += [f"- assumed: ${divisor} \\mid {to_latex(symbol)}$" for symbol, divisor in derivation.assumptions]
    if derivation.essential_conditions:
        lines.append(
            "- valid when: "
            + "; ".join(f"${to_latex(c.relation)}$ ({markdown(c.where)})" for c in derivation.essential_conditions)
        )
    note = receptive_note(derivation) if receptive_field else None
    if note:
        lines.append(f"- receptive field: {markdown(note)}")
    if memory is not None:
        items = ", ".join(f"{label} ${value}$" for label, value in memory_items(memory, latex=True))
        lines.append(f"- {memory_header(memory)} {items}")
    return "\n".join(lines) + "\n"


def _outputs(derivation: Derivation) -> str:
    if len(derivation.output_shapes) == 1:
        return f"- output shape: ${shape_latex(derivation.output_shape)}$"
    return "- output shapes: " + ", ".join(f"`{name}` ${shape_latex(shape)}$" for name, shape in derivation.outputs)
