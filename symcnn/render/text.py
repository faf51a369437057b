"""Plain-text table, in the style of a textbook's worked answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..exact.display import BinOp
from ..exact.printing import to_str, to_text
from ..exact.steps import Step
from .common import collector_paused, number, shape_text, size_cells, total_terms, value_text
from .escape import text as escaped
from .extras import memory_header, memory_items, receptive_note, receptive_text

if TYPE_CHECKING:  # the renderers read a Derivation by its attributes; it imports them
    from ..derivation.derivation import Derivation, Row


def _compact(step: Step) -> str:
    """``(28-(5-1))=24``: the formula with values, without spaces, then the value."""
    if step.substituted is None:
        return value_text(step.value)
    formula = step.substituted.text().replace(" ", "")
    if isinstance(step.substituted, BinOp) and step.substituted.op in ("+", "-"):
        formula = f"({formula})"
    return f"{formula}={to_str(step.value).replace(' ', '')}"


def _size_cell(row: Row) -> str:
    shape = shape_text(row.output_shape)
    steps = size_cells(row.sizes)
    return f"{', '.join(_compact(step) for _, step in steps)} -> {shape}" if steps else shape


def _formula(step: Step) -> str:
    return step.substituted.text().replace(" ", "") if step.substituted is not None else ""


def _total_formula(row: Row) -> str:
    """The formula of the row's parameter count, where one formula gives it all."""
    if row.non_trainable.value == 0:
        return _formula(row.params) if row.params.value != 0 else ""
    return _formula(row.non_trainable) if row.params.value == 0 else ""  # a frozen layer


def _name(row: Row) -> str:
    name = escaped(row.name)  # a name is data: no control character reaches the terminal
    return name if row.multiplicity == 1 else f"{name} (x{to_str(row.multiplicity)})"


MAX_TABLE_WIDTH = 160


@collector_paused
def render(derivation: Derivation, *, receptive_field: bool = False, memory: Any = None) -> str:
    """A table like the textbook's; one block per layer when formulas are too wide for it."""
    table = None if _a_row_too_wide(derivation) else _table(derivation, receptive_field)
    if table is None or max(len(line) for line in table) > MAX_TABLE_WIDTH:
        table = _blocks(derivation, receptive_field)
    lines = [*table, _total_line(derivation), "", *_summary(derivation)]
    if receptive_field:
        note = receptive_note(derivation)
        lines += [
            "receptive field:      unit t sees [start + t*jump, start + t*jump + size - 1]",
            *([escaped(note)] if note else []),
        ]
    if memory is not None:
        lines += [memory_header(memory), *(f"  {label:<16}  {value}" for label, value in memory_items(memory))]
    return "\n".join(lines) + "\n"


MAX_TOTAL_TERMS = 16


def _total_line(derivation: Derivation) -> str:
    terms = [value_text(value) if number(value) else f"({to_str(value)})" for _, value in total_terms(derivation)]
    if len(terms) > MAX_TOTAL_TERMS:  # a real model: the sum of every row would be unreadable
        return f"total (sum of the {len(terms)} rows with parameters) = {value_text(derivation.totals.params)}"
    return f"total {' + '.join(terms) or '0'} = {value_text(derivation.totals.params)}"


def _blocks(derivation: Derivation, receptive_field: bool = False) -> list[str]:
    lines = []
    for row in derivation.rows:
        lines.append(f"{row.index}  {_name(row)} ({row.kind})")
        for label, step in size_cells(row.sizes):
            formula = f"{step.substituted.text()} = " if step.substituted is not None else ""
            lines.append(f"     {label:<14} {formula}{to_str(step.value)}")
        lines.append(f"     {'output':<14} {shape_text(row.output_shape)}")
        for step, label in (
            (row.params, "parameters"),
            (row.non_trainable, "non-trainable"),
            (row.buffers, "buffers"),
            (row.macs, "MACs"),
        ):
            if step.value != 0:
                value = value_text(step.value)
                formula = step.substituted.text() if step.substituted is not None else value
                lines.append(f"     {label:<14} {formula if formula == value else f'{formula} = {value}'}")
        if receptive_field:
            lines.extend(_receptive_steps(derivation, row))
    return lines


def _receptive_steps(derivation: Derivation, row: Row) -> list[str]:
    if derivation.receptive_fields.refusal(row.name) is not None:
        return [f"     {'receptive':<14} -"]
    lines = []
    for axis in row.receptive_field:
        for step in axis.steps:
            formula = f"{step.substituted.text()} = " if step.substituted is not None else ""
            lines.append(f"     {step.quantity:<14} {formula}{to_str(step.value)}")
    return lines


def _a_row_too_wide(derivation: Derivation) -> bool:
    """Whether some row alone makes the table wider than :data:`MAX_TABLE_WIDTH`, found without
    building the table: a deep symbolic chain's rows outgrow it within a few layers, and its table
    would be built whole only to be replaced by blocks.  A row's line is at least its cells side by
    side (columns are padded to their widest cell, and a receptive-field column only adds to it).
    """
    for row in derivation.rows:
        formula, value = _total_formula(row), value_text(row.total_params)
        params = len(formula) + 3 + len(value) if formula else len(value)
        cells = (len(str(row.index)), len(_name(row)), len(_size_cell(row)), params, len(value_text(row.macs.value)))
        if sum(cells) + 2 * (len(cells) - 1) > MAX_TABLE_WIDTH:
            return True
    return False


def _table(derivation: Derivation, receptive_field: bool = False) -> list[str]:
    rows = derivation.rows
    names = [_name(row) for row in rows]
    sizes = [_size_cell(row) for row in rows]
    formulas = [_total_formula(row) for row in rows]
    values = [value_text(row.total_params) for row in rows]
    macs = [value_text(row.macs.value) for row in rows]
    index_w = max(len("#"), *(len(str(row.index)) for row in rows))
    name_w = max(len("name"), *map(len, names))
    size_w = max(len("size"), *map(len, sizes))
    formula_w = max(map(len, formulas))
    value_w = max(map(len, values))
    param_cells = [
        f"{formula:<{formula_w}} = {value:>{value_w}}" if formula else value
        for formula, value in zip(formulas, values, strict=True)
    ]
    param_w = max(len("parameters"), *map(len, param_cells))
    lines = [f"{'#':<{index_w}}  {'name':<{name_w}}  {'size':<{size_w}}  {'parameters':<{param_w}}  MACs"]
    for row, name, size, params, mac in zip(rows, names, sizes, param_cells, macs, strict=True):
        lines.append(f"{row.index:<{index_w}}  {name:<{name_w}}  {size:<{size_w}}  {params:<{param_w}}  {mac}".rstrip())
    if receptive_field:  # one more column, after MACs
        cells = [receptive_text(derivation, row) for row in rows]
        width = max(len(line) for line in lines)
        lines = [
            f"{line:<{width}}  {cell}".rstrip() for line, cell in zip(lines, ["receptive field", *cells], strict=True)
        ]
    return lines


@collector_paused
def summary(derivation: Derivation, max_rows: int = 40) -> str:
    """For IPython's plain display: the table of a short network; for a long one its facts and how to see the rest."""
    if len(derivation.rows) <= max_rows:
        return render(derivation)
    note = f"{len(derivation.rows)} rows: print(d) or d.to_text() shows the table"
    return "\n".join([_total_line(derivation), "", *_summary(derivation), note]) + "\n"


def _summary(derivation: Derivation) -> list[str]:
    totals = derivation.totals
    lines = [
        f"input shape:          {', '.join(shape_text(shape) for shape in derivation.input_shapes)}",
        _outputs(derivation),
        f"trainable params:     {value_text(totals.trainable)}",
        f"non-trainable params: {value_text(totals.non_trainable)}",
        f"buffers:              {value_text(totals.buffers)}",
        f"MACs:                 {value_text(totals.macs)}",
        f"FLOPs:                {value_text(totals.flops)}",
        f"conventions:          {derivation.conventions.describe()}",
    ]
    for symbol, divisor in derivation.assumptions:
        lines.append(f"assumed:              {divisor} divides {symbol}")
    if derivation.essential_conditions:
        lines.append("valid when:")
        lines.extend(
            f"  {to_text(c.relation)}    ({escaped(c.where)}: {c.rule})" for c in derivation.essential_conditions
        )
    return lines


def _outputs(derivation: Derivation) -> str:
    """``output shape: 10``; named outputs one by one: ``output shapes: out 7x6, h 1x6, c 1x6``."""
    if not derivation.output_names:
        return f"output shape:         {', '.join(shape_text(shape) for shape in derivation.output_shapes)}"
    return "output shapes:        " + ", ".join(f"{name} {shape_text(shape)}" for name, shape in derivation.outputs)
