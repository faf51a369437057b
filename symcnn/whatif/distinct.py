"""Flat columns drawn from few values: the distinct combinations of any set of them.

A random sample of 250,000 configurations of ``(w, H, W)`` drawn from 25 x 100 x 100
values has only 25 distinct widths, 100 heights and at most 10,000 distinct
``(H, W)`` pairs.  :class:`Distinct` numbers the combinations of the values of
every set of symbols (a *domain*) and says, for each row, which combination it
has, so that the evaluator (:mod:`symcnn.whatif.evaluate`) computes a polynomial
in ``w`` 25 times, a floor of ``H`` 100 times, and only what depends on all three
once per configuration, then gathers the results to the rows (an index lookup).

Numbering is linear: a table indexed by each row's code (a sweep gives each
row's positions on the axes; by default the values are the codes, numbered first
if they spread).  A column or domain whose codes span more than a few times the
number of rows is not deduplicated, each row being its own combination (still
correct: the rows of one combination need only agree on the domain's values,
not be all of them), so a sample of wide axes pays no sort.

>>> import numpy as np
>>> batch = Distinct({"H": np.array([7, 9, 7, 7]), "W": np.array([1, 1, 2, 1])})
>>> batch.values["H"].tolist(), batch.rows(("H",)).tolist()
([7, 9], [0, 1, 0, 0])
>>> batch.count(("H", "W")), batch.rows(("H", "W")).tolist()
(3, [0, 2, 1, 0])
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

import numpy as np

__all__ = ["Distinct", "Domain"]

Domain = tuple[str, ...]  # the symbols a value depends on, sorted
Codes = tuple[np.ndarray, int]  # non-negative int64 codes, equal where the values are, and a bound above them
SPREAD = 4  # codes spanning up to SPREAD x the rows are numbered with a table; beyond, rows stand for themselves


def _numbered(codes: np.ndarray, span: int) -> tuple[int, np.ndarray | None]:
    """How many combinations, and each row's number (0 .. count - 1); None: each row its own."""
    if span > max(SPREAD * codes.size, 1024) or not codes.size:
        return codes.size, None
    present = np.zeros(span, dtype=bool)
    present[codes] = True
    number = np.cumsum(present) - 1
    return int(number[-1]) + 1, number[codes]


def _codes(column: np.ndarray) -> Codes:
    """A column's own codes: its values shifted to start at 0, or numbered (a dict, a sort) when they spread."""
    if column.dtype == object:  # Python integers
        numbers: dict[Any, int] = {}
        found = [numbers.setdefault(value, len(numbers)) for value in column.tolist()]
        return np.array(found, dtype=np.int64), max(len(numbers), 1)
    if not column.size:
        return column.astype(np.int64), 1
    low, high = int(column.min()), int(column.max())
    if high - low < SPREAD * column.size:
        return column.astype(np.int64) - low, high - low + 1
    distinct, inverse = np.unique(column, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64, copy=False), len(distinct)


class Distinct:
    """Flat columns of equal length, with each symbol's distinct values and the domains' combinations.

    ``codes`` (optional, per column): non-negative integers equal exactly where the
    values are, and a bound above them (a sweep's positions on each axis and the
    axis's length); by default the values themselves.  Nothing is numbered before
    it is asked for: a batch evaluated in int64 reads ``columns`` only.

    ``columns[name]``: the flat column.  ``values[name]``: one value per combination
    of ``(name,)``.  ``rows(domain)``: each row's combination.  ``lift(value, source,
    target)``: a value given per combination of ``source``, per combination of
    ``target`` (a domain with every symbol of ``source``; None: per row).
    """

    def __init__(self, columns: Mapping[str, Any], codes: Mapping[str, Codes] | None = None) -> None:
        self.columns = {name: np.asarray(column).reshape(-1) for name, column in columns.items()}
        lengths = {array.size for array in self.columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"Distinct: the columns differ in length ({sorted(lengths)})")
        self.size = lengths.pop() if lengths else 1
        self._codes = dict(codes or {})
        self._rows: dict[Domain, np.ndarray | None] = {}
        self._counts: dict[Domain, int] = {(): 1}
        self._picks: dict[tuple[Domain, Domain], np.ndarray] = {}
        self._any_rows: dict[Domain, np.ndarray] = {}

    @cached_property
    def values(self) -> dict[str, np.ndarray]:
        made = {}
        for name, column in self.columns.items():
            number = self.rows((name,))
            if number is None:
                made[name] = column
            else:
                made[name] = np.empty(self.count((name,)), dtype=column.dtype)
                made[name][number] = column  # each row writes its value at its number: the writes agree
        return made

    def rows(self, domain: Domain) -> np.ndarray | None:
        """Each row's combination number in ``domain`` (its symbols sorted); None: each row its own."""
        if domain not in self._rows:
            if not domain:
                return np.zeros(self.size, dtype=np.int64)
            if len(domain) == 1:
                name = domain[0]
                codes, span = self._codes[name] if name in self._codes else _codes(self.columns[name])
            else:
                head, last = self.rows(domain[:-1]), self.rows(domain[-1:])
                width = self.count(domain[-1:])
                if head is None or last is None:
                    codes, span = np.empty(0, dtype=np.int64), self.size * SPREAD + 1  # rows stand for themselves
                else:
                    codes, span = head * width + last, self.count(domain[:-1]) * width
            self._counts[domain], self._rows[domain] = _numbered(codes, span)
            if self._rows[domain] is None:
                self._counts[domain] = self.size
        return self._rows[domain]

    def count(self, domain: Domain) -> int:
        """How many combinations of the domain's values are numbered."""
        if domain not in self._counts:
            self.rows(domain)
        return self._counts[domain]

    def lift(self, value: Any, source: Domain, target: Domain | None) -> Any:
        """``value`` (one entry per combination of ``source``) per combination of ``target`` (None: per row).

        Scalars (a constant, a truth that holds everywhere) are returned as they are.
        """
        if not isinstance(value, np.ndarray) or value.ndim == 0 or source == target:
            return value
        pick = self._pick(source, target)
        return value if pick is None else value[pick]

    def _pick(self, source: Domain, target: Domain | None) -> np.ndarray | None:
        if target is None:
            return self.rows(source)
        number, wanted = self.rows(source), self.rows(target)
        if number is None or wanted is None:  # per row already (then so is the target), or wanted per row
            return number
        key = (source, target)
        if key not in self._picks:
            self._picks[key] = number[self._any_row(target, wanted)]
        return self._picks[key]

    def _any_row(self, domain: Domain, number: np.ndarray) -> np.ndarray:
        """A row of each combination of ``domain`` (any one: they all agree on its symbols)."""
        if domain not in self._any_rows:
            made = np.empty(self.count(domain), dtype=np.int64)
            made[number] = np.arange(self.size)
            self._any_rows[domain] = made
        return self._any_rows[domain]
