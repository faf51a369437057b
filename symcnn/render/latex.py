"""LaTeX: a booktabs table and an ``align*`` derivation; ``standalone`` wraps a document."""

from __future__ import annotations

from typing import Any

from ..derivation import Derivation, Row
from ..hooks import provides
from ..printing import to_latex
from ..results import Step
from ..rules import Rule
from .common import shape_latex, size_cells, total_terms, value_latex
from .extras import memory_header, memory_items, receptive_latex, receptive_note

_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "_": r"\_",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "^": r"\^{}",
    "~": r"\~{}",
    "≥": r"$\geq$",
    "≤": r"$\leq$",
    "×": r"$\times$",
}


def escape(text: str) -> str:
    """Plain text made safe for LaTeX."""
    return "".join(_ESCAPES.get(char, char) for char in text)


def _equation(step: Step) -> str:
    value = value_latex(step.value)
    if step.substituted is None or step.substituted.latex() == value:
        return value
    return f"{step.substituted.latex()} = {value}"


def table(derivation: Derivation, receptive_field: bool = False) -> str:
    extra = r" & receptive field" if receptive_field else ""
    lines = [
        r"\begin{tabular}{rllr" + ("l" if receptive_field else "") + "}",
        r"\toprule",
        r"\# & layer & output & parameters" + extra + r" \\",
        r"\midrule",
    ]
    for row in derivation.rows:
        repeat = "" if row.multiplicity == 1 else rf" ($\times {to_latex(row.multiplicity)}$)"
        params = _equation(row.params) if row.params.value != 0 else value_latex(row.total_params)
        lines.append(
            rf"{row.index} & \texttt{{{escape(row.name)}}}{repeat} & ${shape_latex(row.output_shape)}$ & ${params}$"
            + (f" & {receptive_latex(derivation, row)}" if receptive_field else "")
            + r" \\"
        )
    lines += [
        r"\midrule",
        rf" & total & & ${value_latex(derivation.totals.params)}$" + (" &" if receptive_field else "") + r" \\",
        r"\bottomrule",
        r"\end{tabular}",
    ]
    return "\n".join(lines)


def _row_equations(row: Row) -> list[str]:
    lines = [rf"\intertext{{\texttt{{{escape(row.name)}}} ({escape(row.kind)})}}"]
    for label, step in size_cells(row.sizes):
        lines.append(rf"\text{{{escape(label)}}} &= {_equation(step)} \\")
    for step in (row.params, row.non_trainable, row.buffers, row.macs):
        if step.substituted is not None:
            label = {"params": "parameters", "non_trainable": "non-trainable", "macs": "MACs"}.get(
                step.quantity, step.quantity
            )
            lines.append(rf"\text{{{label}}} &= {_equation(step)} \\")
    return lines


def _receptive_equations(derivation: Derivation, row: Row) -> list[str]:
    if derivation.receptive_fields.refusal(row.name) is not None:
        return []
    return [
        rf"\text{{{escape(step.quantity)}}} &= {_equation(step)} \\"
        for axis in row.receptive_field
        for step in axis.steps
    ]


def equations(derivation: Derivation, receptive_field: bool = False) -> str:
    lines = [r"\begin{align*}"]
    for row in derivation.layers:
        if row.sizes or row.params.substituted is not None or row.macs.substituted is not None:
            lines.extend(_row_equations(row))
            if receptive_field:
                lines.extend(_receptive_equations(derivation, row))
    terms = " + ".join(value_latex(value) for _, value in total_terms(derivation)) or "0"
    lines.append(r"\intertext{total}")
    lines.append(rf"\text{{parameters}} &= {terms} = {value_latex(derivation.totals.params)} \\")
    lines.append(rf"\text{{MACs}} &= {value_latex(derivation.totals.macs)}")
    lines.append(r"\end{align*}")
    return "\n".join(lines)


def _rules_used(derivation: Derivation) -> list[Rule]:
    used: dict[str, Rule] = {}
    for row in derivation.rows:
        for step in (*row.sizes, row.params, row.non_trainable, row.buffers, row.macs):
            if step.rule is not None:
                used.setdefault(step.rule.name, step.rule)
    return list(used.values())


def rules_section(derivation: Derivation) -> str:
    lines = [r"\paragraph{Rules used.}", r"\begin{itemize}"]
    for rule in _rules_used(derivation):
        lines.append(rf"\item {escape(rule.summary)}: $\displaystyle {rule.latex_definition}$")
    lines.append(r"\end{itemize}")
    return "\n".join(lines)


def facts(derivation: Derivation, receptive_field: bool = False, memory: Any = None) -> str:
    totals = derivation.totals
    items = [
        rf"\item output shape: ${shape_latex(derivation.output_shape)}$",
        rf"\item trainable parameters: ${value_latex(totals.trainable)}$; non-trainable: "
        rf"${value_latex(totals.non_trainable)}$; buffers: ${value_latex(totals.buffers)}$",
        rf"\item MACs: ${value_latex(totals.macs)}$; FLOPs: ${value_latex(totals.flops)}$",
        rf"\item conventions: {escape(derivation.conventions.describe())}",
    ]
    items += [rf"\item assumed: ${divisor} \mid {to_latex(symbol)}$" for symbol, divisor in derivation.assumptions]
    items += [
        rf"\item valid when ${to_latex(c.relation)}$ ({escape(c.where)}: {escape(c.rule)})"
        for c in derivation.essential_conditions
    ]
    note = receptive_note(derivation) if receptive_field else None
    if note:
        items.append(rf"\item receptive field: {escape(note)}")
    if memory is not None:
        memory_lines = ", ".join(f"{escape(label)} ${value}$" for label, value in memory_items(memory, latex=True))
        items.append(rf"\item {escape(memory_header(memory))} {memory_lines}")
    return "\n".join([r"\begin{itemize}", *items, r"\end{itemize}"])


@provides("render.latex")
def render(
    derivation: Derivation, *, standalone: bool = False, receptive_field: bool = False, memory: Any = None
) -> str:
    body = "\n\n".join(
        [
            "% generated by symcnn; regenerate rather than edit",
            r"\begin{center}" + "\n" + table(derivation, receptive_field) + "\n" + r"\end{center}",
            equations(derivation, receptive_field),
            facts(derivation, receptive_field, memory),
            rules_section(derivation),
        ]
    )
    if not standalone:
        return body + "\n"
    preamble = "\n".join(
        [
            r"\documentclass{article}",
            r"\usepackage[margin=2cm]{geometry}",
            r"\usepackage{amsmath}",
            r"\usepackage{amssymb}",
            r"\usepackage{booktabs}",
            r"\allowdisplaybreaks",
            r"\begin{document}",
        ]
    )
    return f"{preamble}\n{body}\n\\end{{document}}\n"


@provides("render.latex_equations")
def render_equations(derivation: Derivation) -> str:
    """For Jupyter: the derivation as display math."""
    body = (
        equations(derivation).replace(r"\begin{align*}", r"\begin{aligned}").replace(r"\end{align*}", r"\end{aligned}")
    )
    return f"$$\n{body}\n$$"
