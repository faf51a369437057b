"""The tables a paper shows: a stage table (ResNet paper, Table 1) or a per-layer table.

Both take a derivation whose sizes are already named (``H_1``), set in ``\\small`` in ragged
paragraph columns that share ``\\linewidth``, so they fit one column of a two-column venue.
A long table is set as tabulars of about 36 lines each, the header repeated, so it
breaks across pages and columns alike (``longtable`` refuses two-column pages).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import sympy

from ..derivation.derivation import Derivation
from ..exact.printing import to_latex
from ..render.common import shape_latex
from ..render.latex import escape, name_latex, terms, width
from ..render.stages import Bracket, Stage
from ..render.subexpressions import Names, group_by_names
from .numbers import number_latex

__all__ = ["CELL_WIDTHS", "layer_table", "stage_table", "too_wide"]

# Shares of \linewidth per column (they sum to 1), and the widest unbreakable piece
# (in the characters of render.latex.width) a column of a 3.4 in conference column holds.
_STAGE_SHARES = {"stage": 0.22, "block": 0.31, "params": 0.20, "macs": 0.27}
_LAYER_SHARES = {"layer": 0.28, "shape": 0.24, "params": 0.21, "macs": 0.27}
# Estimated lines per tabular: a long table is set as pieces that a page or column may break
# between, each well under the height of a column (about 60 lines of \footnotesize).
LINES_PER_TABULAR = 36
WIDEST = 24  # the widest unbreakable formula (render.latex.width) a cell of a conference column holds
TOTAL_WIDTH = 240  # a total longer than this (about six lines) is left to the totals fragment
CELL_WIDTHS = {"stage": 13, "layer": 16, "block": 18, "shape": 14, "params": 12, "macs": 15}

Shown = Callable[[sympy.Expr], str]


def _column(share: float) -> str:
    return rf">{{\raggedright\arraybackslash}}p{{\dimexpr {share:.3f}\linewidth-2\tabcolsep\relax}}"


def _spec(names: Sequence[str], shares: dict[str, float]) -> str:
    total = sum(shares[name] for name in names)
    return "@{}" + "".join(_column(shares[name] / total) for name in names) + "@{}"


def _bracket(bracket: Bracket) -> str:
    lines = r" \\ ".join(item.latex() for item in bracket.entries)
    times = "" if bracket.times == 1 else rf" \times {to_latex(bracket.times)}"
    return rf"$\left[\begin{{array}}{{@{{}}l@{{}}}} {lines} \end{{array}}\right]{times}$"


def _first_notes(found: Sequence[Stage]) -> str:
    """What only the first block of a stage adds (a projection shortcut), as a line below the table."""
    notes = []
    for stage in found:
        for bracket in stage.brackets:
            if bracket.first:
                added = r",\ ".join(item.latex() for item in bracket.first)
                notes.append(rf"{escape(stage.name)} ${added}$")
    text = r"{\raggedright\noindent The first block also has: " + "; ".join(notes) + ".\\par}\n"
    return text if notes else ""


def _value(value: sympy.Expr, names: Names, shown: Shown) -> str:
    """A cell: named products collected, terms in the one polynomial order, free to wrap after any sign.

    A sum inside a product gets plain parentheses (``\\left( \\right)`` would make it one
    unbreakable box), so ``H_2 W_2 (27 w^2 + 1344 w + 16{,}384)`` wraps inside its brackets too.
    """
    return "$" + sum_latex(group_by_names(value, names), shown) + "$"


def sum_latex(value: sympy.Expr, shown: Shown) -> str:
    """``value`` as inline math that TeX may break after every ``+``/``-``, numbers in ``shown``'s style."""
    parts = []
    for index, term in enumerate(terms(value)):
        text = _term_latex(term, shown)
        if text.startswith("-"):
            parts.append(("- " if index else "-") + text[1:].lstrip())
        else:
            parts.append(("+ " if index else "") + text)
    return " ".join(parts) or "0"


def _term_latex(term: sympy.Expr, shown: Shown) -> str:
    if term.is_Integer:
        return shown(term)
    coefficient, rest = term.as_coeff_Mul()
    if not isinstance(rest, sympy.Mul) and not isinstance(rest, sympy.Add):
        return (shown(coefficient) + " \\, " if coefficient not in (1, -1) else "-" if coefficient == -1 else "") + (
            to_latex(rest)
        )
    factors = rest.as_ordered_factors() if isinstance(rest, sympy.Mul) else [rest]
    shown_factors = [
        (r"\allowbreak (" + sum_latex(factor, shown) + ")") if isinstance(factor, sympy.Add) else to_latex(factor)
        for factor in factors
    ]
    lead = "" if coefficient == 1 else "-" if coefficient == -1 else shown(coefficient) + r" \, \allowbreak "
    return lead + " ".join(shown_factors)


def _lines(row: str, layout: Sequence[str]) -> int:
    """About how many lines a row takes: its tallest cell, a bracket as tall as its entries."""
    tallest = 1
    cells = re.sub(r" \\\\( \\addlinespace\[\d+pt\])?$", "", row).split(" & ")
    for name, cell in zip(layout, cells, strict=False):
        stacked = cell.count(r"\\") + 1 + cell.count(r"\newline")
        wrapped = -(-width(cell) // CELL_WIDTHS.get(name, 12))
        tallest = max(tallest, stacked, wrapped)
    return tallest


def _pieces(rows: list[str], layout: Sequence[str]) -> list[list[str]]:
    """The rows in runs of at most :data:`LINES_PER_TABULAR` estimated lines."""
    pieces: list[list[str]] = [[]]
    used = 0
    for row in rows:
        lines = _lines(row, layout)
        if pieces[-1] and used + lines > LINES_PER_TABULAR:
            pieces.append([])
            used = 0
        pieces[-1].append(row)
        used += lines
    return pieces


def _tabulars(spec: str, heads: list[str], rows: list[str], totals: list[str], layout: Sequence[str]) -> str:
    """The rows as tabulars of at most 30 estimated lines each, the header repeated, the totals in the last.

    A table may break between the pieces, in one column or two (``longtable`` refuses
    two-column pages, and one ``tabular`` taller than a column overfills it).
    """
    pieces = _pieces(rows, layout)
    out = [r"\begingroup\footnotesize\setlength{\tabcolsep}{3pt}"]
    for number, piece in enumerate(pieces):
        last = number == len(pieces) - 1
        out += [
            r"\par\noindent",
            rf"\begin{{tabular}}{{{spec}}}",
            r"\toprule" if number == 0 else r"\midrule",
            " & ".join(heads) + (r" \\" if number == 0 else r" (continued) \\"),
            r"\midrule",
            *piece,
        ]
        if last:
            out += [r"\midrule", *totals]
        out += [r"\bottomrule" if last else r"\midrule", r"\end{tabular}\par"]
    out.append(r"\endgroup")
    return "\n".join(out)


def stage_table(
    derivation: Derivation, found: Sequence[Stage], names: Names, columns: Sequence[str], compute: str, shown: Shown
) -> str:
    """One row per stage: its name (and output size), the bracket of its block, parameters, MACs."""
    factor = derivation.conventions.flops_per_mac if compute == "flops" else 1
    layout = ["stage", "block", *(c for c in columns if c != "shape")]
    heads = {"stage": "stage", "block": "block", "params": "params", "macs": "FLOPs" if compute == "flops" else "MACs"}
    body: list[str] = []
    for stage in found:
        cell = escape(stage.name).replace("–", r"--\allowbreak{}")
        if "shape" in columns:
            cell += rf" \newline ${shape_latex(stage.output_shape)}$"
        values = {
            "stage": cell,
            "block": r" \newline ".join(_bracket(b) for b in stage.brackets) or "--",
            "params": _value(stage.params, names, shown),
            "macs": _value(factor * stage.macs, names, shown),
        }
        # Room between rows: a bracket is taller than its row's other cells.
        body.append(" & ".join(values[c] for c in layout) + r" \\ \addlinespace[2pt]")
    totals = _total_rows(derivation, layout, names, compute, shown)
    table = _tabulars(_spec(layout, _STAGE_SHARES), [heads[c] for c in layout], body, totals, layout)
    return table + "\n" + _first_notes(found)


def _total_rows(derivation: Derivation, layout: Sequence[str], names: Names, compute: str, shown: Shown) -> list[str]:
    """The totals, each across all columns but the first (a symbolic total is longer than any cell)."""
    totals = derivation.totals
    factor = derivation.conventions.flops_per_mac if compute == "flops" else 1
    span = len(layout) - 1
    share = 1 - (_STAGE_SHARES if layout[0] == "stage" else _LAYER_SHARES)[layout[0]] / sum(
        (_STAGE_SHARES if layout[0] == "stage" else _LAYER_SHARES)[c] for c in layout
    )
    column = rf">{{\raggedright\arraybackslash}}p{{\dimexpr {share:.3f}\linewidth-2\tabcolsep\relax}}"
    rows = []
    label = {"params": "params", "macs": "FLOPs" if compute == "flops" else "MACs"}
    for name, value in (("params", totals.params), ("macs", factor * totals.macs)):
        if name in layout:
            cell = _value(value, names, shown)
            if width(cell) > TOTAL_WIDTH:  # a sum of many layers' widths: the totals fragment breaks it over rows
                cell = "in the totals"
            rows.append(rf"total {label[name]} & \multicolumn{{{span}}}{{@{{}}{column}@{{}}}}{{{cell}}} \\")
    return rows


def layer_table(derivation: Derivation, names: Names, columns: Sequence[str], compute: str, shown: Shown) -> str:
    """One row per layer, with named sizes; in pieces that pages and columns break between."""
    factor = derivation.conventions.flops_per_mac if compute == "flops" else 1
    layout = ["layer", *columns]
    heads = {"layer": "layer", "shape": "output", "params": "params"}
    heads["macs"] = "FLOPs" if compute == "flops" else "MACs"
    body: list[str] = []
    for row in derivation.rows:
        repeat = "" if row.multiplicity == 1 else rf" ($\times {to_latex(row.multiplicity)}$)"
        values = {
            "layer": name_latex(row.name) + repeat,
            "shape": f"${shape_latex(row.output_shape)}$",
            "params": _value(row.multiplicity * row.total_params, names, shown),
            "macs": _value(factor * row.multiplicity * row.macs.value, names, shown),
        }
        body.append(" & ".join(values[c] for c in layout) + r" \\")
    totals = _total_rows(derivation, layout, names, compute, shown)
    return _tabulars(_spec(layout, _LAYER_SHARES), [heads[c] for c in layout], body, totals, layout)


def too_wide(table: str) -> list[str]:
    """The formulas of a table too wide to fit their column on a two-column page (estimated).

    A cell breaks after ``+``, ``-`` and ``\\times``, at ``\\allowbreak`` and between bracket
    lines; a piece wider than :data:`WIDEST` cannot break and would overfill its column.
    """
    found = []
    for line in table.splitlines():
        if "&" not in line or line.lstrip().startswith("\\begin"):
            continue
        for cell in line.split(" & "):
            found += [piece for piece in _pieces_of(cell) if width(piece) > WIDEST]
    return found


def _pieces_of(cell: str) -> list[str]:
    """The math of a cell split where it may break."""
    pieces = []
    for math in cell.split("$")[1::2]:
        for part in re.split(r"\\allowbreak|\\times|\\\\|[-+]", math):
            pieces.append(part.strip())
    return pieces


def number_style(style: str) -> Shown:
    return lambda value: number_latex(value, style)
