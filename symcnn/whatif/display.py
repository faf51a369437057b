"""How notebooks show what-if results: HTML tables built from :mod:`symcnn.render.html`.

Each result's ``_repr_html_`` calls one function here.  Numbers are written as
their ``str()`` writes them (``12,345``, ``1/3 ≈ 0.333333``), so a notebook and a
terminal agree digit for digit; formulas are MathML.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy

from ..render.html import Safe, escape, table
from ..render.mathml import expr_mathml, math
from .decimals import decimal, shown

if TYPE_CHECKING:
    from .compare import Comparison
    from .sensitivity import Sensitivity
    from .solve import Solution
    from .sweep import SweepResult

__all__ = ["comparison_html", "sensitivity_html", "solution_html", "sweep_html"]

SWEEP_ROWS = 20  # a notebook shows the first rows of a sweep and the summary of all


def _formula(expr: sympy.Basic | None) -> Safe:
    return Safe("\u2013") if expr is None else Safe(math(expr_mathml(expr)))


def _lines(text: str) -> Safe:
    """Plain lines (a result's ``str()``), escaped, one ``<div>`` each."""
    return Safe("".join(f"<div>{escape(line)}</div>" for line in text.splitlines() if line.strip()))


def _box(title: str, *parts: str) -> str:
    return f'<div class="symcnn"><p><b>{escape(title)}</b></p>{"".join(parts)}</div>'


def solution_html(solution: Solution) -> str:
    head, *rest = str(solution).splitlines()
    rows: list[tuple[str, object]] = [("symbol", solution.symbol), ("goal", solution.goal)]
    rows.append(("bound", solution.bound or "validity only"))
    rows.append(("status", solution.status))
    if solution.value is not None:
        rows.append(("value", f"{solution.value:,}"))
    if solution.quantity_at_value is not None and solution.bound:
        step = "+ 1" if solution.goal == "largest" else "- 1"
        after = "invalid" if solution.quantity_at_next is None else f"{solution.quantity_at_next:,}"
        quantity = solution.bound.split()[0]
        rows.append((f"{quantity} there", f"{solution.quantity_at_value:,}"))
        rows.append((f"{quantity} at {solution.symbol} {step}", after))
        rows += [(f"{label} there", f"{amount:,}") for label, amount in solution.others_at_value]
    if solution.closest is not None and solution.quantity_at_closest is not None and solution.bound:
        rows.append(("closest", f"{solution.symbol} = {solution.closest:,}"))
        rows.append((f"{solution.bound.split()[0]} there", f"{solution.quantity_at_closest:,}"))
    if solution.fixed:
        rows.append(("fixed", ", ".join(f"{name}={value}" for name, value in solution.fixed.items())))
    low, high = solution.searched
    rows.append(("searched", f"{low:,} .. {'∞' if high is None else f'{high:,}'}"))
    shown = ("there;", "there", "closest:")  # lines the table already holds
    notes = _lines("\n".join(line.strip() for line in rest if not any(word in line for word in shown)))
    return _box(head, table(None, rows), notes)


def sweep_html(result: SweepResult, max_rows: int = SWEEP_ROWS) -> str:
    rows = result.rows()

    def cell(item: int | bool | None) -> str:
        if item is None:
            return "\u2013"
        if isinstance(item, bool):
            return "yes" if item else "no"
        return f"{item:,}"

    shown = rows[:max_rows]
    numeric = tuple(index for index, name in enumerate(result.header) if name != "valid")
    body = table(result.header, ([cell(item) for item in row] for row in shown), numeric=numeric)
    more = f"<p>… {len(rows) - max_rows:,} more rows (to_csv(), to_dataframe())</p>" if len(rows) > max_rows else ""
    return _box("sweep", _lines(result.summary()), body, more)


def sensitivity_html(result: Sensitivity) -> str:
    at = ", ".join(f"{name}={value}" for name, value in result.at.items())
    x = result.symbol
    difference = "undefined (x + 1 breaks a condition)" if result.difference is None else f"{int(result.difference):,}"
    derivative = "none (floors or min/max)" if result.derivative_formula is None else shown(result.derivative)
    rows = [
        (result.quantity, _formula(result.formula), f"{int(result.value):,}"),
        (f"f({x}+1) \u2212 f({x})", _formula(result.difference_formula), difference),
        (f"d/d{x}", _formula(result.derivative_formula), derivative),
        (f"elasticity {x}\u00b7f'/f", "", shown(result.elasticity)),
        (f"discrete elasticity {x}\u00b7\u0394f/f", "", shown(result.discrete_elasticity)),
    ]
    return _box(f"sensitivity of {result.quantity} to {x} at {at}", table(["", "formula", "at the point"], rows))


def comparison_html(result: Comparison) -> str:
    def at_point(value: sympy.Expr | None) -> str:  # as str(result) writes it
        if value is None:
            return "undefined"
        return f"{int(value):,}" if value.is_Integer else f"{value} \u2248 {decimal(value)}"

    header: list[object] = ["quantity", "a \u2212 b", "a / b"]
    if result.at:
        point = ", ".join(f"{name}={value}" for name, value in result.at.items())
        header += [f"a at {point}", "b", "a \u2212 b", "a / b"]
    rows = []
    for q in result.quantities:
        row: list[object] = [q, _formula(result.difference[q]), _formula(result.ratio[q])]
        if result.at:
            row += [at_point(result.values[part][q]) for part in ("a", "b", "difference", "ratio")]
        rows.append(row)
    return _box("comparison of a and b", table(header, rows))
