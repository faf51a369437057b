"""LaTeX: a booktabs table and an ``align*`` derivation; ``standalone`` wraps a document.

Any network must typeset cleanly, however long or symbolic: the table is a
``longtable`` (it breaks across pages) with ragged paragraph columns, so long
names and formulas wrap at their operators; long sums in the derivation are
broken over lines; nothing is wider than the text.  The fragment needs the
packages in :data:`PACKAGES` and ``\allowdisplaybreaks`` (stated in its first line).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import sympy

from ..exact.order import ordered_factors
from ..exact.printing import _LONG_SUM, ordered_terms, to_latex
from ..exact.rules import Rule
from ..exact.steps import Step
from .common import collector_paused, shape_latex, size_cells, total_terms, value_latex
from .escape import latex as latex_escape
from .extras import memory_header, memory_items, receptive_latex, receptive_note

if TYPE_CHECKING:  # the renderers read a Derivation by its attributes; it imports them
    from ..derivation.derivation import Derivation, Row


def escape(text: str) -> str:
    """Plain text made safe for LaTeX (names included: see :mod:`symcnn.render.escape`)."""
    return latex_escape(text)


PACKAGES = ("amsmath", "amssymb", "array", "booktabs", "longtable")

# Estimated characters per row of a display: about 40 em, which fits a 12 cm text width.
LINE_BUDGET = 46
COLUMN_BUDGET = 26  # the same for one column of a two-column venue (about 3.4 in)
CELL_BUDGET = 26  # the widest unbreakable formula a table cell takes (about a third of the text width)
_COMMAND = re.compile(r"\\(?:left|right|mathopen|mathclose|frac|mathrm|text)\b|\\[a-zA-Z]+|[{}^_ &]|\\[,;!]")
_OPERATOR = re.compile(r"[-+=]|\\cdot|\\times")


@lru_cache(maxsize=1 << 16)  # the same values and formulas are measured in every layer
def width(latex: str) -> int:
    """A cheap upper estimate of a formula's typeset width, in characters.

    Commands and braces take no room, a fraction's numerator and denominator are
    counted side by side (wider than stacked), an operator counts twice for its
    spacing, and every other command (a bracket, a Greek letter) counts as one.
    """
    operators = len(_OPERATOR.findall(latex))
    symbols = len(re.findall(r"\\(?!left|right|mathopen|mathclose|frac|mathrm|text|cdot|times)[a-zA-Z]+", latex))
    return len(_COMMAND.sub("", latex)) + operators + symbols


def _equation(step: Step) -> str:
    value = value_latex(step.value)
    if step.substituted is None or step.substituted.latex() == value:
        return value
    return f"{step.substituted.latex()} = {value}"


def cell_latex(value: sympy.Expr, shown: Callable[[sympy.Expr], str] = value_latex) -> str:
    """A value for a table cell: inline math that may break between terms and factors.

    A table cell cannot break across pages, so a value of many lines is left to
    the derivation's totals instead of being set in full.
    """
    parts: list[str] = []
    used = 0  # width() of the parts so far: additive, as the parts are joined by spaces, which take no room
    for index, term in enumerate(_terms(value)):
        factors = ordered_factors(term) if isinstance(term, sympy.Mul) else [term]
        coefficient = shown(factors[0]) if factors[0].is_Number else None
        rest = factors[1:] if coefficient is not None else factors
        if len(rest) > 1:
            latex = r" \allowbreak ".join(
                rf"\left({to_latex(factor)}\right)" if isinstance(factor, sympy.Add) else to_latex(factor)
                for factor in rest
            )
            text = (f"{coefficient} \\, " if coefficient else "") + latex
        else:
            text = shown(term)
        if index and text.startswith("-"):
            parts.append("- " + text[1:].lstrip())
        else:
            parts.append(("+ " if index else "") + text)
        used += width(parts[-1])
        if used > _CELL_LIMIT:  # a network's long total: its other terms need not be printed
            return _SEE_TOTALS
    return f"${' '.join(parts)}$"


_CELL_LIMIT = 4 * LINE_BUDGET  # the widest value a cell sets, in lines of a display
_SEE_TOTALS = "see the totals of the derivation"


def name_latex(name: str) -> str:
    """A row name in typewriter type that may break after its dots (``layer4.\\allowbreak 2...``)."""
    return r"\texttt{" + escape(name).replace(".", r".\allowbreak{}") + "}"


def _params_cell(row: Row) -> str:
    """The rule with values, then ``=`` and the value, each part free to wrap (a cell is narrow)."""
    if row.params.value == 0:
        return cell_latex(row.total_params)
    step = row.params
    value = cell_latex(step.value)
    substituted = step.substituted.latex() if step.substituted is not None else None
    # The rule with values shows only where it fits a cell; the derivation always shows it.
    if substituted is None or substituted == value_latex(step.value) or width(substituted) > CELL_BUDGET:
        return value
    return f"${substituted}$ ${{}} = {{}}$ {value}"


def table(derivation: Derivation, receptive_field: bool = False) -> str:
    """A booktabs ``longtable``: breaks across pages; names and formulas wrap inside their columns."""
    column = r">{\raggedright\arraybackslash}p{\dimexpr %s\linewidth-2\tabcolsep\relax}"
    shares = (".2", ".25", ".24", ".21") if receptive_field else (".22", ".34", ".34")
    lines = [
        r"\begin{longtable}{@{}r" + "".join(column % share for share in shares) + "@{}}",
        r"\toprule",
        r"\# & layer & output & parameters" + (" & receptive field" if receptive_field else "") + r" \\",
        r"\midrule",
        r"\endhead",
        r"\bottomrule",
        r"\endfoot",
    ]
    for row in derivation.rows:
        repeat = "" if row.multiplicity == 1 else rf" ($\times {to_latex(row.multiplicity)}$)"
        extra = f" & {receptive_latex(derivation, row)}" if receptive_field else ""
        shape = f"${shape_latex(row.output_shape)}$"
        lines.append(rf"{row.index} & {name_latex(row.name)}{repeat} & {shape} & {_params_cell(row)}{extra} \\")
    lines += [
        r"\midrule",
        rf" & total & & {cell_latex(derivation.totals.params)}" + (" &" if receptive_field else "") + r" \\",
        r"\end{longtable}",
    ]
    return "\n".join(lines)


def _terms(value: sympy.Expr) -> list[sympy.Expr]:
    """A sum's terms in the printer's order: descending degree, the constant last (``38k^2 + 223k + 10``).

    Every table cell, total and derivation row takes its terms from here, so a polynomial reads
    the same everywhere (and the same as ``to_latex`` prints it whole).
    """
    if not isinstance(value, sympy.Add):
        return [value]
    if len(value.args) > _LONG_SUM:  # ordering a 1,000-term sum costs more than it helps
        return list(value.args)
    return ordered_terms(value)


terms = _terms


def _wrapped(
    terms: list[sympy.Expr], used: int, budget: int = LINE_BUDGET, show: Callable[[sympy.Expr], str] = value_latex
) -> list[str]:
    """``t1 + t2 - t3 ...`` in lines of at most :data:`LINE_BUDGET` plain-text characters."""
    lines: list[str] = []
    current: list[str] = []
    for index, term in enumerate(terms):
        shown = show(term)
        room = width(shown) + 3
        sign = "" if index == 0 else ("- " if shown.startswith("-") else "+ ")
        piece = sign + (shown[1:].lstrip() if sign == "- " else shown)
        if current and used + room > budget:
            lines.append(" ".join(current))
            current, used = [], 8
        current.append(piece)
        used += room
    lines.append(" ".join(current) if current else "0")
    return lines


def broken_sum(
    label: str,
    terms: list[sympy.Expr],
    *,
    result: sympy.Expr | None = None,
    budget: int = LINE_BUDGET,
    show: Callable[[sympy.Expr], str] = value_latex,
) -> list[str]:
    """``label = t1 + t2 + ... (= result)`` as ``align*`` rows, each at most :data:`LINE_BUDGET` wide.

    Continuation rows are indented with ``\\quad``; the result starts a row of its
    own (``= ...``) unless it fits on the last one.
    """
    lines = _wrapped(terms, len(label), budget, show)
    rows = [rf"\text{{{label}}} &= {lines[0]}" if label else f"&= {lines[0]}"]
    rows += [rf"&\quad {line}" for line in lines[1:]]
    # the result is printed whole only where it may be shown whole (a long total is shown term by term)
    if result is not None and (len(terms) != 1 or value_latex(terms[0]) != value_latex(result)):
        if len(lines) == 1 and len(label) + width(lines[0]) + width(value_latex(result)) + 3 <= budget:
            rows[-1] += f" = {value_latex(result)}"
        else:
            result_lines = _wrapped(_terms(result), 2, budget)
            rows.append(f"&= {result_lines[0]}")
            rows += [rf"&\quad {line}" for line in result_lines[1:]]
    return rows


def _step_lines(label: str, step: Step, budget: int = LINE_BUDGET) -> list[str]:
    """One step; the rule with values and its value on separate rows when together they are too wide."""
    value = value_latex(step.value)
    value_width = width(value)
    general = step.substituted.latex() if step.substituted is not None else None
    if general == value:
        general = None
    if value_width > budget:  # a long sum: broken over rows, after the rule with values
        rows = broken_sum(label, _terms(step.value), budget=budget)
        if general is None:
            return rows
        return [rf"\text{{{label}}} &= {general}", "&" + rows[0].split("&", 1)[1], *rows[1:]]
    if general is None:
        return [rf"\text{{{label}}} &= {value}"]
    if width(general) + value_width + len(label) > budget:
        return [rf"\text{{{label}}} &= {general}", rf"&= {value}"]
    return [rf"\text{{{label}}} &= {general} = {value}"]


_LABELS = {"params": "parameters", "non_trainable": "non-trainable", "macs": "MACs"}


def _receptive_lines(derivation: Derivation, row: Row) -> list[str]:
    """This layer's receptive-field steps (``r = R + (n - 1)*J`` with values), when it has them."""
    if derivation.receptive_fields.refusal(row.name) is not None:
        return []
    return [
        line for axis in row.receptive_field for step in axis.steps for line in _step_lines(escape(step.quantity), step)
    ]


def _blocks(
    derivation: Derivation, receptive_field: bool = False, budget: int = LINE_BUDGET
) -> list[tuple[str, list[str]]]:
    """(heading, align lines) per layer that derives something, then the totals."""
    blocks = []
    for row in derivation.layers:
        if not (row.sizes or row.params.substituted is not None or row.macs.substituted is not None):
            continue
        lines = []
        for label, step in size_cells(row.sizes):
            lines.extend(_step_lines(escape(label), step, budget))
        for step in (row.params, row.non_trainable, row.buffers, row.macs):
            if step.substituted is not None:
                lines.extend(_step_lines(_LABELS.get(step.quantity, step.quantity), step, budget))
        if receptive_field:
            lines.extend(_receptive_lines(derivation, row))
        blocks.append((f"{name_latex(row.name)} ({escape(row.kind)})", lines))
    totals = derivation.totals
    terms = [value for _, value in total_terms(derivation)] or [sympy.Integer(0)]
    blocks.append(
        (
            "total",
            [
                *broken_sum("parameters", terms, result=totals.params, budget=budget),
                *broken_sum("MACs", _terms(totals.macs), budget=budget),
            ],
        )
    )
    return blocks


def equations(derivation: Derivation, receptive_field: bool = False, budget: int = LINE_BUDGET) -> str:
    """The derivation, one ``align*`` per layer (TeX would run out of memory on one for
    thousands of layers), then the totals with long sums broken over lines.

    ``budget`` is the estimated characters per display row (:data:`COLUMN_BUDGET` for a
    column of a two-column page)."""
    parts = []
    # In a column, a heading of long dotted names is set ragged (justified, it would overfill).
    opening, closing = (r"{\raggedright\noindent ", r"\par}") if budget < LINE_BUDGET else (r"\noindent ", "")
    for heading, lines in _blocks(derivation, receptive_field, budget):
        parts.append(
            rf"{opening}{heading}{closing}"
            + "\n"
            + r"\begin{align*}"
            + "\n"
            + " \\\\\n".join(lines)
            + "\n"
            + r"\end{align*}"
        )
    return "\n".join(parts)


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
        lines.append(rf"\item {escape(rule.summary)}: \[ {rule.latex_definition} \]")
    lines.append(r"\end{itemize}")
    return "\n".join(lines)


def facts(derivation: Derivation, receptive_field: bool = False, memory: Any = None) -> str:
    totals = derivation.totals
    items = [
        _outputs(derivation),
        # Inline sums wrap between terms and factors (cell_latex); the full totals are in the derivation.
        rf"\item trainable parameters: {cell_latex(totals.trainable)}; non-trainable: "
        rf"{cell_latex(totals.non_trainable)}; buffers: {cell_latex(totals.buffers)}",
        rf"\item FLOPs: {derivation.conventions.flops_per_mac} $\times$ MACs (above)",
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


@collector_paused
def render(
    derivation: Derivation, *, standalone: bool = False, receptive_field: bool = False, memory: Any = None
) -> str:
    body = "\n\n".join(
        [
            "% generated by symcnn; regenerate rather than edit\n"
            f"% needs \\usepackage{{{','.join(PACKAGES)}}} and \\allowdisplaybreaks"
            " (long derivations break across pages)",
            table(derivation, receptive_field),
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
            rf"\usepackage{{{','.join(PACKAGES)}}}",
            r"\allowdisplaybreaks",
            r"\begin{document}",
        ]
    )
    return f"{preamble}\n{body}\n\\end{{document}}\n"


@collector_paused
def render_equations(derivation: Derivation) -> str:
    """For Jupyter: the derivation as one display (MathJax has no page width to respect)."""
    lines = []
    for heading, block in _blocks(derivation):
        lines.append(rf"&\text{{{heading}}}")
        lines.extend(block)
    return "$$\n" + r"\begin{aligned}" + "\n" + " \\\\\n".join(lines) + "\n" + r"\end{aligned}" + "\n$$"


def _outputs(derivation: Derivation) -> str:
    if len(derivation.output_shapes) == 1:
        return rf"\item output shape: ${shape_latex(derivation.output_shape)}$"
    shapes = ", ".join(rf"\texttt{{{escape(name)}}}~${shape_latex(shape)}$" for name, shape in derivation.outputs)
    return rf"\item output shapes: {shapes}"
