"""Solve for one symbol: the largest (or smallest) integer value meeting a bound.

``solve(d, "params <= 20e6", largest="k", fixed={"H": 224, "W": 224})`` finds the
widest ``k`` under 20 M parameters.  Answers are exact: the quantity and the
derivation's validity conditions are evaluated with integers (floors as floor
division), never by floating-point root finding.

How: every predicate (the bound and each validity condition, with the other
symbols fixed) is classified with :func:`~symcnn.whatif.monotone.direction`.
A predicate proved monotone holds on an interval (``x >= a``, ``x <= b`` or
both, for an ``==``), whose ends are found by doubling and bisection on exact
evaluations.  Predicates without a proof (``Mod``, ``H`` even, a sum of rising
and falling floors) are checked value by value over the interval the others
leave, at most ``limit`` values, and the answer says so.

With no bound, ``solve`` asks for the values that are valid at all:
``solve(d, None, smallest="H")`` is :func:`symcnn.minimum_input_size`.

>>> from symcnn import Conv2d, Input, MaxPool2d, Sequential
>>> net = Sequential(Input(3, "H", "W"), Conv2d(out_channels="k", kernel_size=3), MaxPool2d(2))
>>> solution = solve(net.derive(), "params <= 1000", largest="k", fixed={"H": 32, "W": 32})
>>> solution.value, solution.quantity_at_value, solution.quantity_at_next
(35, 980, 1008)
>>> solve(net.derive(), None, smallest="H", fixed={"W": 8}).value
4
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import sympy

from ..derivation.derivation import Derivation
from ..errors import SpecError, SymcnnError
from ..exact.formula import parse_formula, parse_relation
from .evaluate import Formula, Predicate, evaluate, new_compiler
from .monotone import relation_direction
from .quantities import formula_text, quantity

__all__ = ["SEARCH_CAP", "Solution", "solve"]

SEARCH_CAP = 2**256  # doubling stops here: beyond it a monotone search reports "none up to 2**256"
_OPERATORS = {"<=": sympy.Le, "<": sympy.Lt, ">=": sympy.Ge, ">": sympy.Gt, "==": sympy.Eq}


@dataclass(frozen=True)
class Solution:
    """The answer of :func:`solve`.

    ``status`` is ``"found"`` (``value`` is the answer), ``"none"`` (no valid
    value meets the bound) or ``"unbounded"`` (a largest value was asked for,
    but arbitrarily large values meet it).  ``every`` says that the bound
    excludes no valid value.  ``complete`` is False when part of the question
    was searched value by value and the search stopped at ``searched[1]``.
    """

    symbol: str
    goal: str
    bound: str | None
    value: int | None
    status: str
    every: bool
    complete: bool
    searched: tuple[int, int | None]
    notes: tuple[str, ...]
    fixed: Mapping[str, int] = field(default_factory=dict)
    quantity_at_value: int | None = None
    quantity_at_next: int | None = None  # at value + 1 (largest) or value - 1 (smallest); None if invalid

    def as_dict(self) -> dict[str, object]:
        return {
            "symbol": self.symbol,
            "value": self.value,
            "goal": self.goal,
            "bound": self.bound,
            "status": self.status,
            "every_value_satisfies": self.every,
            "complete": self.complete,
            "searched": list(self.searched),
            "fixed": dict(self.fixed),
            "quantity_at_value": self.quantity_at_value,
            "quantity_at_next": self.quantity_at_next,
            "notes": list(self.notes),
        }

    def __str__(self) -> str:
        fixed = ", ".join(f"{name}={value}" for name, value in self.fixed.items())
        what = f"{self.goal} {self.symbol}" + (f" with {self.bound}" if self.bound else " that is valid")
        where = f" ({fixed})" if fixed else ""
        if self.status == "found":
            head = f"{what}{where}: {self.symbol} = {self.value}"
        elif self.status == "unbounded":
            head = f"{what}{where}: none — every value from {self.searched[0]} up satisfies it"
        else:
            head = f"{what}{where}: no value satisfies it"
        lines = [head]
        if self.status == "found" and self.bound:
            step = "+ 1" if self.goal == "largest" else "- 1"
            after = "invalid" if self.quantity_at_next is None else f"{self.quantity_at_next:,}"
            lines.append(
                f"  {self.bound.split()[0]} = {self.quantity_at_value:,} there; at {self.symbol} {step}: {after}"
            )
        if self.every and self.bound:
            lines.append("  every valid value satisfies the bound")
        lines += [f"  {note}" for note in self.notes]
        return "\n".join(lines) + "\n"


@dataclass
class _Check:
    label: str
    relation: sympy.Basic
    test: Predicate
    direction: int | None
    at_least: Predicate | None = None  # for an equation lhs == rhs: lhs >= rhs
    above: Predicate | None = None  # and lhs > rhs


class _Problem:
    """The predicates of one question, evaluated exactly at integers of one symbol."""

    def __init__(
        self, x: sympy.Symbol, lowest: int, checks: list[_Check], bound: _Check | None, bound_text: str | None
    ) -> None:
        self.x, self.lowest, self.checks, self.bound, self.bound_text = x, lowest, checks, bound, bound_text

    def holds(self, check: _Check | Predicate, value: int) -> bool:
        test = check.test if isinstance(check, _Check) else check
        return bool(test({self.x.name: np.array([value], dtype=object)})[0])

    def interval(self, check: _Check) -> tuple[int, int | None] | None:
        """The values ``>= lowest`` where a monotone check holds: ``(a, b)``, ``b`` None for no end."""
        relation, moving = check.relation, check.direction
        if moving == 0:
            return (self.lowest, None) if self.holds(check, self.lowest) else None
        if isinstance(relation, sympy.Eq):  # g == 0 for monotone g: between the ends of g >= 0 and g > 0
            assert check.at_least is not None and check.above is not None
            at_least, above = check.at_least, check.above

            def reached(value: int) -> bool:  # moving * g >= 0, non-decreasing in value
                return self.holds(at_least, value) if moving == 1 else not self.holds(above, value)

            def passed(value: int) -> bool:  # moving * g > 0
                return self.holds(above, value) if moving == 1 else not self.holds(at_least, value)

            start = self._first(reached)
            if start is None:
                return None
            end = self._first(passed, start)
            if end == start:
                return None
            return (start, None if end is None else end - 1)
        if isinstance(relation, sympy.Ge | sympy.Gt) == (moving == 1):  # false, then true
            start = self._first(lambda v: self.holds(check, v))
            return None if start is None else (start, None)
        if not self.holds(check, self.lowest):
            return None
        stop = self._first(lambda v: not self.holds(check, v))
        return (self.lowest, None if stop is None else stop - 1)

    def _first(self, test: Callable[[int], bool], start: int | None = None) -> int | None:
        """The first value from ``start`` where a false-then-true test holds (doubling, then bisection)."""
        low = self.lowest if start is None else start
        if test(low):
            return low
        step = 1
        while True:
            high = low + step
            if high > SEARCH_CAP:
                return None
            if test(high):
                break
            low, step = high, step * 2
        while high - low > 1:
            middle = (low + high) // 2
            if test(middle):
                high = middle
            else:
                low = middle
        return high


_SIGNS = {sympy.Ge: ">=", sympy.Gt: ">", sympy.Le: "<=", sympy.Lt: "<", sympy.Eq: "==", sympy.Ne: "!="}


def relation_text(relation: sympy.Basic) -> str:
    """``lhs OP rhs`` in the formula syntax (``Eq(a, b)`` as ``a == b``)."""
    sign = _SIGNS.get(type(relation))
    if sign is None:
        return formula_text(relation)
    return f"{formula_text(relation.lhs)} {sign} {formula_text(relation.rhs)}"


def _describe(check: _Check, x: sympy.Symbol, name: str) -> str:
    if check.direction is None:
        return f"{check.label} ({relation_text(check.relation)}) is not proved monotone in {x}: searched value by value"
    if check.direction == 0:
        return f"{name} does not depend on {x}"
    kind = "non-decreasing" if check.direction == 1 else "non-increasing"
    return f"{name} is {kind} in {x} (proved from the formula): answer found by doubling and bisection"


def _fixed_values(derivation: Derivation, fixed: Mapping[str, object], symbol: str) -> dict[str, int]:
    values = {}
    for name, raw in fixed.items():
        if name == symbol:
            raise SpecError(f"solve: {symbol} is the symbol to solve for; do not give its value")
        value = parse_formula(raw, what=f"value of {name}") if isinstance(raw, str) else raw
        if isinstance(value, sympy.Integer):
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise SpecError(f"solve: the value of {name} must be an integer, got {raw!r}")
        values[name] = value
    return values


def solve(
    derivation: Derivation,
    bound: str | None,
    *,
    largest: str | None = None,
    smallest: str | None = None,
    fixed: Mapping[str, object] | None = None,
    limit: int = 100_000,
) -> Solution:
    """The largest (or smallest) integer value of one symbol meeting ``bound``; see the module docstring.

    ``bound`` is ``"QUANTITY OP VALUE"`` (``params <= 20e6``, ``output_shape[1] == 7``,
    ``layer3.0.conv2.macs < 1e8``); ``fixed`` gives every other symbol a value.
    A value that breaks a validity condition of the derivation is never an answer.
    """
    if (largest is None) == (smallest is None):
        raise SpecError("solve: give exactly one of largest= or smallest= (the symbol to solve for)")
    name = largest if largest is not None else smallest
    assert name is not None
    goal = "largest" if largest is not None else "smallest"
    by_name = {item.name: item for item in derivation.free_symbols}
    if name not in by_name:
        known = ", ".join(sorted(by_name)) or "none"
        raise SpecError(f"solve: the derivation has no symbol {name!r} (its symbols: {known})")
    x = by_name[name]
    values = _fixed_values(derivation, fixed or {}, name)
    reduced = derivation.subs(values) if values else derivation  # checks the fixed values' own conditions
    lowest = 1 if x.is_positive else 0
    names = [name]
    compiler = new_compiler(names)

    def check(label: str, relation: sympy.Basic) -> _Check:
        others = relation.free_symbols - {x}
        if others:
            missing = ", ".join(sorted(item.name for item in others))
            raise SpecError(f"solve: {label} depends on {missing}; give a value for it (fixed=... / --subs)")
        moving = relation_direction(relation, x, lowest)
        if isinstance(relation, sympy.Ne) and moving != 0:
            moving = None  # the values where a monotone g != 0 need not be one interval
        made = _Check(label, relation, Predicate(relation, names, compiler), moving)
        if isinstance(relation, sympy.Eq):
            made.at_least = Predicate(sympy.Ge(relation.lhs, relation.rhs, evaluate=False), names, compiler)
            made.above = Predicate(sympy.Gt(relation.lhs, relation.rhs, evaluate=False), names, compiler)
        return made

    # Conditions without x do not constrain it (they hold or fail whatever x is), as in minimum_input_size.
    checks = [check(f"{c.where}: {c.rule}", c.relation) for c in reduced.conditions if x in c.relation.free_symbols]
    for symbol, divisor in reduced.assumptions:
        if symbol == x:
            checks.append(check(f"assumption {divisor} divides {x}", sympy.Eq(sympy.Mod(x, divisor), 0)))
    bound_check, bound_text, amount = None, None, None
    if bound is not None:
        operator, left, right = parse_relation(bound)
        target = quantity(reduced, str(left))
        right = right.xreplace({sympy.Symbol(k): v for k, v in values.items()})
        right = right.xreplace({by_name[k]: v for k, v in values.items() if k in by_name})
        relation = _OPERATORS[operator](target, right)
        if relation in (sympy.true, sympy.false):
            relation = _OPERATORS[operator](target, right, evaluate=False)
        bound_text = f"{left} {operator} {formula_text(right)}"
        bound_check = check("the bound", relation)
        amount = Formula(target, names, compiler)
    problem = _Problem(x, lowest, checks, bound_check, bound_text)
    return _search(problem, goal, bound_text, values, amount, limit, reduced)


def _search(
    problem: _Problem,
    goal: str,
    bound_text: str | None,
    values: dict[str, int],
    amount: Formula | None,
    limit: int,
    reduced: Derivation,
) -> Solution:
    x = problem.x
    notes: list[str] = []
    everything = [*problem.checks, *([problem.bound] if problem.bound else [])]
    low, high = problem.lowest, None
    valid_low, valid_high = problem.lowest, None
    bound_interval: tuple[int, int | None] | None = (problem.lowest, None)
    unproved = []
    empty = False
    for item in everything:
        if item.direction is None:
            unproved.append(item)
            notes.append(_describe(item, x, item.label))
            continue
        span = problem.interval(item)
        if item is problem.bound:
            bound_interval = span
        if span is None:
            empty = True
            continue
        low = max(low, span[0])
        high = span[1] if high is None else (high if span[1] is None else min(high, span[1]))
        if item is not problem.bound:
            valid_low = max(valid_low, span[0])
            valid_high = (
                span[1] if valid_high is None else (valid_high if span[1] is None else min(valid_high, span[1]))
            )
    if problem.bound is not None and problem.bound.direction is not None:
        left = (problem.bound_text or "").split()[0] if problem.bound_text else "the bound"
        notes.insert(0, _describe(problem.bound, x, left))
    top = high if high is not None else low + limit - 1
    complete = True
    value: int | None = None
    status = "found"
    every = False
    if empty or (high is not None and low > high):
        status = "none"
    elif not unproved:
        value = low if goal == "smallest" else high
        if value is None:
            status = "unbounded"
        every = problem.bound is None or (
            bound_interval is not None and _contains(bound_interval, valid_low, valid_high)
        )
    else:
        if high is None or high - low + 1 > limit:
            top = low + limit - 1
            complete = False
        value, every = _scan(problem, low, top, goal)
        if value is None:
            status = "none"
        elif not complete and goal == "largest":
            notes.append(f"values of {x} above {top} were not searched (limit={limit})")
        if value is None and not complete:
            notes.append(f"no value of {x} from {low} to {top} satisfies it (limit={limit})")
    searched = (low, top if unproved else high)
    answer = Solution(
        symbol=x.name,
        goal=goal,
        bound=bound_text,
        value=value,
        status=status,
        every=every,
        complete=complete,
        searched=searched,
        notes=tuple(notes),
        fixed=values,
    )
    if value is None or amount is None:
        if value is not None:
            _verify(reduced, x.name, value)
        return answer
    _verify(reduced, x.name, value)
    after = value + 1 if goal == "largest" else value - 1
    at_value = int(amount({x.name: np.array([value], dtype=object)})[0])
    valid_after = after >= problem.lowest and all(problem.holds(c, after) for c in problem.checks)
    at_next = int(amount({x.name: np.array([after], dtype=object)})[0]) if valid_after else None
    return replace(answer, quantity_at_value=at_value, quantity_at_next=at_next)


def _contains(span: tuple[int, int | None], low: int, high: int | None) -> bool:
    """Whether ``span`` contains the whole interval ``[low, high]`` (``None``: no end)."""
    if span[0] > low:
        return False
    if span[1] is None:
        return True
    return high is not None and span[1] >= high


def _scan(problem: _Problem, low: int, top: int, goal: str) -> tuple[int | None, bool]:
    """Check values ``low..top`` one by one (vectorised, in blocks); the answer and 'every'."""
    checks = [*problem.checks]
    found: int | None = None
    every = True
    block = 4096
    starts = range(low, top + 1, block)
    for start in starts if goal == "smallest" else reversed(starts):
        stop = min(start + block - 1, top)
        candidates = np.arange(start, stop + 1, dtype=object) if stop > 2**62 else np.arange(start, stop + 1)
        results, undefined = evaluate(
            [c.test for c in checks] + ([problem.bound.test] if problem.bound else []), {problem.x.name: candidates}
        )
        valid = np.logical_and.reduce(results[: len(checks)]) if checks else np.ones(len(candidates), dtype=bool)
        if undefined is not None:
            valid &= ~undefined
        meets = valid & results[-1] if problem.bound else valid
        if problem.bound is not None and np.any(valid & ~results[-1]):
            every = False
        hits = np.flatnonzero(meets)
        if hits.size and found is None:
            found = int(candidates[hits[0] if goal == "smallest" else hits[-1]])
            if problem.bound is None or not every:
                break
    return found, every and problem.bound is not None


def _verify(derivation: Derivation, name: str, value: int) -> None:
    """The answer must be a legal substitution (the engine's own check)."""
    try:
        derivation.subs({name: value})
    except SymcnnError as error:  # a bug in the search, not in the user's input
        raise AssertionError(f"solve found {name}={value}, but the derivation rejects it: {error}") from None
