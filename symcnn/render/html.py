"""HTML: the derivation as tables with MathML math, for Jupyter and as one self-contained page.

* :func:`fragment` — what a notebook shows for a derivation (``_repr_html_``): the
  table (a long network collapsed by block into ``<details>``), the total and the
  facts, with the same numbers as :mod:`symcnn.render.text`;
* :func:`page` — ``d.to_html()`` and ``symcnn derive --format html``: one file with
  no scripts and no outside resources (styles inline, math as MathML, which
  browsers lay out natively): table, totals, conditions, the derivation steps, the
  receptive fields and memory;
* :func:`table`, :class:`Safe`, :func:`value` — the pieces the what-if results and
  exam questions build their displays from.

Everything that is not markup passes through :func:`escape` (layer names, kinds,
rules and messages are data).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import sympy

from ..errors import SymcnnError
from ..exact.printing import to_str
from ..exact.steps import Step
from . import svg
from .common import by_block, collector_paused, number, shape_text, size_cells, total_terms
from .extras import MEMORY_LABELS, memory_header, receptive_note
from .mathml import escape, expr_mathml, math, shape_mathml, shown_mathml

if TYPE_CHECKING:  # the renderers read a Derivation by its attributes; it imports them
    from ..derivation.derivation import Derivation, Row

__all__ = ["MAX_ROWS", "Safe", "diagram", "escape", "fragment", "page", "table", "value"]

MAX_ROWS = 40  # a notebook shows longer networks collapsed by block
MAX_TOTAL_TERMS = 16  # as the text renderer: beyond it the sum of every row is unreadable


class Safe(str):
    """Markup made here (already escaped); any other ``str`` given to :func:`table` is escaped."""

    __slots__ = ()


def _cell(content: object) -> str:
    return content if isinstance(content, Safe) else escape(content)


def _row(cells: Sequence[object], numeric: Sequence[int] = ()) -> str:
    return (
        "<tr>"
        + "".join(
            f'<td class="num">{_cell(cell)}</td>' if index in numeric else f"<td>{_cell(cell)}</td>"
            for index, cell in enumerate(cells)
        )
        + "</tr>"
    )


def table(header: Sequence[object] | None, rows: Iterable[Sequence[object]], *, numeric: Sequence[int] = ()) -> Safe:
    """A ``<table>`` (no header row for ``None``); columns listed in ``numeric`` are right-aligned."""
    head = "<thead><tr>" + "".join(f"<th>{_cell(cell)}</th>" for cell in header) + "</tr></thead>" if header else ""
    body = [_row(row, numeric) for row in rows]
    return Safe(f'<table class="symcnn">{head}<tbody>{"".join(body)}</tbody></table>')


def value(expr: sympy.Basic) -> Safe:
    """An integer as text with thin spaces (``217 706``), anything else as MathML."""
    shown = number(expr, "\u2009") if isinstance(expr, sympy.Expr) else None
    return Safe(escape(shown) if shown is not None else math(expr_mathml(expr)))


def _plain(expr: sympy.Expr) -> Safe:
    """A value as compact text: thin-spaced digits, or the formula in ``<code>``."""
    shown = number(expr, "\u2009")
    return Safe(escape(shown) if shown is not None else f"<code>{escape(to_str(expr))}</code>")


# Characters of text: a longer "formula = value" shows only its value in the table (all of it in the steps).
CELL_BUDGET = 36
PARAMS_BUDGET = 24


def _formula(step: Step, budget: int | None = None) -> Safe:
    """``(5·5·1 + 1)·32 = 832``: the rule with this layer's values, then the value."""
    result = value(step.value)
    if step.substituted is None or step.substituted.text() == to_str(step.value):
        return result
    shown = step.substituted.text()
    if budget is not None and len(shown) + len(to_str(step.value)) > budget:
        return Safe(f'<span title="{escape(shown)}">{result}</span>')
    return Safe(math(f"<mrow>{shown_mathml(step.substituted)}<mo>=</mo>{expr_mathml(step.value)}</mrow>"))


def _shape(shape: tuple[sympy.Expr, ...]) -> Safe:
    return Safe(math(shape_mathml(shape)))


def _breakable(name: str) -> str:
    """``layer1.0.conv1`` may break after its dots in a narrow column."""
    return escape(name).replace(".", ".<wbr>")


def _name(row: Row) -> Safe:
    copies = "" if row.multiplicity == 1 else f" \u00d7{math(expr_mathml(row.multiplicity))}"
    return Safe(f"<code>{_breakable(row.name)}</code>{copies}<br><span class=kind>{escape(row.kind)}</span>")


def _params(row: Row) -> Safe:
    parts = [_formula(row.params, PARAMS_BUDGET)] if row.params.value != 0 else []
    if row.non_trainable.value != 0:  # Keras's BatchNorm statistics, frozen parameters
        parts.append(Safe(f"{_formula(row.non_trainable, PARAMS_BUDGET)} non-trainable"))
    return Safe(" + ".join(parts) or "0")


def _sizes(row: Row) -> Safe:
    steps = [Safe(f"{escape(label)}: {_formula(step, CELL_BUDGET)}") for label, step in size_cells(row.sizes)]
    if not steps:
        return _shape(row.output_shape)
    return Safe("<br>".join([*steps, Safe(f"\u2192 {_shape(row.output_shape)}")]))


def _rows_table(derivation: Derivation, rows: Sequence[Row], *, formulas: bool, receptive_field: bool = False) -> Safe:
    header = ["#", "name", "output" if not formulas else "size", "parameters", "MACs"]
    cells = []
    for row in rows:
        if formulas:
            line = [row.index, _name(row), _sizes(row), _params(row), value(row.macs.value)]
        else:  # inside a collapsed block: values only, as text (MathML would be ten times the size)
            line = [row.index, _name(row), Safe(f"<code>{escape(shape_text(row.output_shape))}</code>")]
            line += [_plain(row.total_params), _plain(row.macs.value)]
        if receptive_field:
            line.append(_receptive_cell(derivation, row))
        cells.append(line)
    columns = Safe(
        '<colgroup><col class="index"><col class="name"><col class="size"><col class="params"><col>'
        + ("<col>" if receptive_field else "")
        + "</colgroup>"
    )
    made = table([*header, *(["receptive field"] if receptive_field else [])], cells, numeric=(0, 4))
    return Safe(made.replace('<table class="symcnn">', f'<table class="symcnn layers">{columns}', 1))


def _total(derivation: Derivation) -> Safe:
    terms = [value for _, value in total_terms(derivation)]
    total = expr_mathml(derivation.totals.params)
    if len(terms) > MAX_TOTAL_TERMS:
        return Safe(
            f"<p><b>Total parameters</b> (sum of the {len(terms)} rows with parameters): "
            f"{value(derivation.totals.params)}</p>"
        )
    parts = [_bracketed(term) for term in terms] or ["<mn>0</mn>"]
    return Safe(f"<p><b>Total parameters:</b> {math('<mo>+</mo>'.join(parts) + '<mo>=</mo>' + total)}</p>")


def _bracketed(term: sympy.Expr) -> str:
    return expr_mathml(term) if term.is_Atom else f"<mrow><mo>(</mo>{expr_mathml(term)}<mo>)</mo></mrow>"


def _facts(derivation: Derivation) -> Safe:
    totals = derivation.totals
    items = [
        ("input shape", Safe(", ".join(_shape(shape) for shape in derivation.input_shapes))),
        ("output shape", Safe(", ".join(_shape(shape) for shape in derivation.output_shapes))),
        ("trainable params", value(totals.trainable)),
        ("non-trainable params", value(totals.non_trainable)),
        ("buffers", value(totals.buffers)),
        ("MACs", value(totals.macs)),
        ("FLOPs", value(totals.flops)),
        ("conventions", derivation.conventions.describe()),
    ]
    for symbol, divisor in derivation.assumptions:
        items.append(("assumed", Safe(f"{divisor} divides {math(expr_mathml(symbol))}")))
    lines = "".join(f"<tr><th>{escape(label)}</th><td>{_cell(content)}</td></tr>" for label, content in items)
    return Safe(f'<table class="symcnn facts">{lines}</table>{_conditions(derivation)}')


def _conditions(derivation: Derivation) -> Safe:
    if not derivation.essential_conditions:
        return Safe("")
    items = "".join(
        f"<li>{math(expr_mathml(c.relation))} <span class=where>({escape(c.where)}: {escape(c.rule)})</span></li>"
        for c in derivation.essential_conditions
    )
    return Safe(f"<p><b>Valid when</b></p><ul class=conditions>{items}</ul>")


@collector_paused
def fragment(derivation: Derivation, *, max_rows: int = MAX_ROWS) -> str:
    """For Jupyter: every row (with its formulas) for a short network; for a long one a
    ``<details>`` per block whose summary line carries the block's output and sums."""
    if len(derivation.rows) <= max_rows:
        body = _rows_table(derivation, derivation.rows, formulas=True)
    else:  # one line per block, its rows collapsed beneath it
        lines = []
        for group in by_block(derivation, max_rows):
            name = Safe(f"<code>{escape(group.name)}</code>")
            cells = [name, len(group.rows), _shape(group.output_shape), value(group.params), value(group.macs)]
            lines.append(_row(cells, numeric=(1, 3)))
            if len(group.rows) > 1:
                inner = _rows_table(derivation, group.rows, formulas=False)
                summary = f"the {len(group.rows)} rows of <code>{escape(group.name)}</code>"
                lines.append(f'<tr><td colspan="5"><details><summary>{summary}</summary>{inner}</details></td></tr>')
        head = "".join(f"<th>{label}</th>" for label in ("block", "rows", "output", "parameters", "MACs"))
        body = Safe(f'<table class="symcnn"><thead><tr>{head}</tr></thead><tbody>{"".join(lines)}</tbody></table>')
    return f'<div class="symcnn">{_STYLE_INLINE}{body}{_total(derivation)}{_facts(derivation)}</div>'


# -- the page ------------------------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 72em; padding: 0 1em; line-height: 1.4; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table.symcnn { border-collapse: collapse; margin: 0.5em 0; width: 100%; table-layout: fixed; }
table.symcnn th, table.symcnn td { border: 1px solid #ddd; padding: 0.2em 0.5em; text-align: left;
  vertical-align: top; }
table.symcnn td.num { text-align: right; }
table.symcnn thead th { background: #f3f3f3; }
table.layers col.index { width: 3.5em; } table.layers col.name { width: 11em; }
table.layers col.size { width: 34%; } table.layers col.params { width: 22%; }
.kind { color: #666; font-size: 0.85em; }
table.facts th { font-weight: normal; color: #555; width: 12em; }
/* Browsers do not break MathML lines: a long formula scrolls in its cell, the page never does. */
math { display: inline-block; max-width: 100%; overflow-x: auto; overflow-y: hidden; vertical-align: middle;
  scrollbar-width: thin; }
details > summary { cursor: pointer; padding: 0.15em 0; }
.where { color: #666; font-size: 0.9em; }
"""
_STYLE_INLINE = (
    "<style>.symcnn table.symcnn{border-collapse:collapse}.symcnn td.num{text-align:right}"
    ".symcnn td,.symcnn th{vertical-align:top;padding:0.15em 0.4em;text-align:left}</style>"
)


def _step_line(label: str, step: Step) -> str:
    """``label: general = with values = value``, the parts that differ."""
    parts = []
    if step.general is not None:
        parts.append(shown_mathml(step.general))
    if step.substituted is not None and (not parts or step.substituted.text() != step.general.text()):  # type: ignore[union-attr]
        parts.append(shown_mathml(step.substituted))
    result = expr_mathml(step.value)
    if not parts or (step.substituted is not None and step.substituted.text() != to_str(step.value)):
        parts.append(result)
    rule = f" <span class=where>({escape(step.rule.name)})</span>" if step.rule is not None else ""
    return f"<li>{escape(label)}{rule}: {math('<mo>=</mo>'.join(parts))}</li>"


_LABELS = {"params": "parameters", "non_trainable": "non-trainable", "macs": "MACs"}


def _steps(derivation: Derivation) -> str:
    """One collapsible entry per layer that derives something: each step in general, with values, its value."""
    entries = []
    opened = " open" if len(derivation.rows) <= MAX_ROWS else ""  # a long network: the reader opens a layer
    for row in derivation.layers:
        lines = [_step_line(label, step) for label, step in size_cells(row.sizes)]
        lines += [
            _step_line(_LABELS.get(step.quantity, step.quantity), step)
            for step in (row.params, row.non_trainable, row.buffers, row.macs)
            if step.substituted is not None
        ]
        if lines:
            head = f"{row.index} <code>{escape(row.name)}</code> ({escape(row.kind)})"
            entries.append(f"<details{opened}><summary>{head}</summary><ul class=steps>{''.join(lines)}</ul></details>")
    return "".join(entries)


def _receptive_cell(derivation: Derivation, row: Row) -> Safe:
    if derivation.receptive_fields.refusal(row.name) is not None:
        return Safe("\u2013")
    axes = row.receptive_field
    if not axes:
        return Safe("")

    def joined(values: list[sympy.Expr]) -> Safe:  # one value when the axes agree, else (H + 8) × (W + 8)
        return value(values[0]) if len(set(values)) == 1 else Safe(math(shape_mathml(tuple(values))))

    aligned = "" if all(axis.aligned for axis in axes) else ", misaligned"
    size, jump, start = (joined([getattr(a, key) for a in axes]) for key in ("size", "jump", "start"))
    return Safe(f"{size} (jump {jump}, start {start}{aligned})")


def _receptive(derivation: Derivation) -> str:
    try:
        rows = [(row.index, _name(row), _receptive_cell(derivation, row)) for row in derivation.rows]
    except SymcnnError as error:
        return f"<p>{escape(error)}</p>"
    note = receptive_note(derivation)
    intro = "<p>Unit <i>t</i> of a layer sees inputs [start + t\u00b7jump, start + t\u00b7jump + size \u2212 1].</p>"
    made = table(["#", "name", "receptive field"], rows, numeric=(0,))
    columns = '<colgroup><col class="index"><col class="name"><col></colgroup>'
    made = Safe(made.replace('<table class="symcnn">', f'<table class="symcnn layers">{columns}', 1))
    return intro + made + (f"<p>{escape(note)}</p>" if note else "")


def _memory(derivation: Derivation, memory: Any) -> str:
    try:
        memory = derivation.memory() if memory is None else memory
    except SymcnnError as error:
        return f"<p>{escape(error)}</p>"
    rows = [(label, value(getattr(memory, key))) for key, label in MEMORY_LABELS.items()]
    return f"<p>{escape(memory_header(memory))}</p>" + table(["", "bytes"], rows, numeric=(1,))


def diagram(derivation: Derivation) -> str:
    """The architecture diagram as inline SVG, drawn from the TikZ renderer's layout (:mod:`.svg`)."""
    return svg.render(derivation)


@collector_paused
def page(
    derivation: Derivation, *, title: str = "symcnn derivation", receptive_field: bool = False, memory: Any = None
) -> str:
    """One self-contained HTML page: no scripts, no outside styles or fonts, math as MathML."""
    layers = _rows_table(derivation, derivation.rows, formulas=True, receptive_field=receptive_field)
    sections = [
        ("Layers", layers),
        ("Totals", _total(derivation) + _facts(derivation)),
        ("Derivation, step by step", _steps(derivation)),
        ("Receptive fields", _receptive(derivation)),
        ("Memory", _memory(derivation, memory)),
    ]
    drawing = diagram(derivation)
    if drawing:
        sections.insert(1, ("Architecture", drawing))
    body = "".join(f"<section><h2>{escape(heading)}</h2>{content}</section>" for heading, content in sections)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<h1>{escape(title)}</h1>\n{body}\n"
        f"<footer><p class=where>{escape('made by symcnn; conventions: ' + derivation.conventions.describe())}"
        "</p></footer>\n</body>\n</html>\n"
    )
