"""Named sub-expressions: a size that recurs is defined once (``H_1 = ⌊(H-1)/2⌋ + 1``) and used by name.

The names are stable: ``S_i`` is the ``i``-th distinct size in ``S`` (a symbol of the input,
``H`` or ``W``) that holds a floor or ceiling, counted in the order the layers come, so
regenerating a paper gives the same names, and a change to the network renames only what
follows it.  Heights and widths that follow the same rules get the same indices
(``H_2`` beside ``W_2``).  A name stands for its definition exactly: substituting the
definitions back into a named formula gives the unnamed one (``Names.expand``).

>>> import symcnn
>>> d = symcnn.Sequential(symcnn.Input(3, "H", "W"), symcnn.Conv2d(out_channels=8, kernel_size=3, stride=2)).derive()
>>> names = name_sizes(d)
>>> [(str(name), str(value)) for name, value in names.definitions]
[('H_1', 'floor(H/2 - 3/2) + 1'), ('W_1', 'floor(W/2 - 3/2) + 1')]
>>> names.apply(d).output_shape
(8, H_1, W_1)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy

from ..exact.printing import ResultLatexPrinter, to_latex
from .latex import width

if TYPE_CHECKING:  # the renderers read a Derivation by its attributes; it imports them
    from ..derivation.derivation import Derivation

__all__ = ["Names", "group_by_names", "name_sizes"]


@dataclass(frozen=True)
class Names:
    """Definitions ``(name, expression)`` in the order they were found."""

    definitions: tuple[tuple[sympy.Symbol, sympy.Expr], ...] = ()

    @property
    def forward(self) -> dict[sympy.Basic, sympy.Expr]:
        return {value: name for name, value in self.definitions}

    @property
    def backward(self) -> dict[sympy.Basic, sympy.Expr]:
        return {name: value for name, value in self.definitions}

    @property
    def symbols(self) -> frozenset[sympy.Symbol]:
        return frozenset(name for name, _ in self.definitions)

    def name(self, expr: sympy.Expr) -> sympy.Expr:
        """``expr`` with every named size replaced by its name."""
        return sympy.sympify(expr).xreplace(self.forward) if self.definitions else expr

    def expand(self, expr: sympy.Expr) -> sympy.Expr:
        """The definitions substituted back: the unnamed formula."""
        return sympy.sympify(expr).xreplace(self.backward) if self.definitions else expr

    def apply(self, derivation: Derivation) -> Derivation:
        """The same derivation with the names in every value, shape and displayed rule."""
        if not self.definitions:
            return derivation
        # _replace_all is the derivation's own walk over every value and display (as ``subs`` uses);
        # the mapping goes into each step's ``replaced`` so the rule with values shows the names too.
        return derivation._replace_all(self.name, self.forward)

    def used_in(self, *exprs: sympy.Basic) -> Names:
        """Only the definitions these expressions use (a legend lists what its table shows)."""
        found: set[sympy.Basic] = set()
        for expr in exprs:
            found |= sympy.sympify(expr).free_symbols
        return Names(tuple((name, value) for name, value in self.definitions if name in found))

    def legend(self) -> str:
        """``where`` and a display of the definitions, two a row where they fit a column (or nothing)."""
        if not self.definitions:
            return ""
        items = [f"{to_latex(name)} &= {inline_latex(value)}" for name, value in self.definitions]
        rows: list[str] = []
        row: list[str] = []
        for item in items:
            if row and (len(row) == 2 or width(" ".join([*row, item])) > _LEGEND_BUDGET):
                rows.append(" & ".join(row))
                row = []
            row.append(item)
        if row:
            rows.append(" & ".join(row))
        return "\\par\\smallskip\\noindent where\n\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


# Two definitions share a row of the legend up to this estimated width (a column holds about 40
# of render.latex.width's characters of short symbols; a derivation row budgets fewer for its label).
_LEGEND_BUDGET = 38


def _worth_naming(size: sympy.Expr) -> bool:
    return not size.is_Atom and bool(size.atoms(sympy.floor, sympy.ceiling)) and len(size.free_symbols) == 1


def name_sizes(derivation: Derivation) -> Names:
    """Name every spatial size with a floor or ceiling, in the order the layers produce them."""
    taken = {symbol.name for symbol in derivation.free_symbols}
    counters: dict[str, int] = {}
    found: dict[sympy.Expr, sympy.Symbol] = {}
    # Heights and widths with the same rules share an index: the index counts distinct rules per
    # axis position, and a parallel axis reuses the index of its partner at the same position.
    for row in derivation.rows:
        for size in row.output_shape[1:]:
            if size in found or not _worth_naming(size):
                continue
            (base,) = size.free_symbols
            index = counters.get(base.name, 0) + 1
            while f"{base.name}_{index}" in taken:
                index += 1
            counters[base.name] = index
            found[size] = sympy.Symbol(f"{base.name}_{index}", integer=True, positive=True)
    return Names(tuple((name, value) for value, name in found.items()))


def group_by_names(expr: sympy.Expr, names: Names) -> sympy.Expr:
    """A sum of named products with their factors collected: ``H_1 W_1 (27 w^2 + 1856 w + 16384) + ...``.

    The repeated factor (the output area of a stage) is written once per distinct area.
    """
    if not names.definitions or not isinstance(expr, sympy.Add | sympy.Mul):
        return expr
    groups: dict[sympy.Expr, list[sympy.Expr]] = {}
    for term in sympy.Add.make_args(sympy.expand(expr)):
        named = sympy.Mul(*(f for f in sympy.Mul.make_args(term) if f.free_symbols and f.free_symbols <= names.symbols))
        groups.setdefault(named, []).append(term / named)
    return sympy.Add(*(key * sympy.Add(*rest) for key, rest in groups.items()))


class _InlinePrinter(ResultLatexPrinter):
    """Floors as a legend writes them: ``\\lfloor (H - 1)/2 \\rfloor + 1``, one line high."""

    def _print_floor(self, expr: sympy.floor, exp: object = None) -> str:
        return r"\lfloor " + self._slash(expr.args[0]) + r" \rfloor"

    def _print_ceiling(self, expr: sympy.ceiling, exp: object = None) -> str:
        return r"\lceil " + self._slash(expr.args[0]) + r" \rceil"

    def _slash(self, arg: sympy.Expr) -> str:
        num, den = sympy.fraction(sympy.together(arg))
        num = sympy.expand(num)
        if den == 1:
            return str(self._print(num))
        top = self._print(num)
        return (f"({top})" if isinstance(num, sympy.Add) else top) + "/" + str(self._print(den))


_INLINE = _InlinePrinter({"mul_symbol": None})


def inline_latex(expr: sympy.Expr) -> str:
    """LaTeX with floors and ceilings of fractions written with a slash (``\\lfloor (H-1)/2 \\rfloor``)."""
    return str(_INLINE.doprint(expr))
