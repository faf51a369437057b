"""Questions about a derivation's validity conditions: which values satisfy them.

A symbolic derivation keeps every check it could not settle as a
:class:`~symcnn.derivation.Condition` (``H >= 7``: "output height must be
>= 1").  :func:`violated` lists the conditions some values break, and
:func:`minimum_input_size` finds the smallest value of a size symbol for which
every condition holds, e.g. the smallest image a network accepts::

    >>> from symcnn import Conv2d, Input, MaxPool2d, Sequential
    >>> net = Sequential(Input(3, "H", "W"), Conv2d(out_channels=8, kernel_size=5), MaxPool2d(2))
    >>> minimum_input_size(net.derive(), "H")
    6

Conditions are evaluated exactly (SymPy integers), not solved: the search
starts at the bound the simple conditions (``H >= 7``) give and tries each
integer in turn, so conditions that hold only for some values (``H`` even)
are honoured too.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy

from ..errors import SpecError
from ..exact.symbols import is_nonnegative_name
from ..exact.values import to_expr
from .derivation import Condition, Derivation

__all__ = ["minimum_input_size", "violated"]


def _settle(condition: Condition, mapping: Mapping[sympy.Basic, sympy.Expr]) -> sympy.Basic:
    relation = condition.relation.xreplace(mapping)
    if relation.free_symbols:
        return relation
    if not isinstance(relation, sympy.logic.boolalg.BooleanAtom):
        relation = sympy.simplify(relation)  # e.g. a Piecewise of numbers
    return relation


def _mapping(derivation: Derivation, values: Mapping[str, object]) -> dict[sympy.Basic, sympy.Expr]:
    by_name = {symbol.name: symbol for condition in derivation.conditions for symbol in condition.relation.free_symbols}
    return {by_name[name]: to_expr(value, f"value of {name}") for name, value in values.items() if name in by_name}


def violated(derivation: Derivation, values: Mapping[str, object] | None = None, /, **more: object) -> list[Condition]:
    """The conditions that ``values`` break (those still symbolic count as not broken).

    >>> from symcnn import Conv2d, Input, Sequential
    >>> d = Sequential(Input(3, "H", "W"), Conv2d(out_channels=8, kernel_size=5)).derive()
    >>> [condition.rule for condition in violated(d, H=4, W=9)]
    ['output height must be ≥ 1']
    """
    mapping = _mapping(derivation, {**(values or {}), **more})
    return [condition for condition in derivation.conditions if _settle(condition, mapping) is sympy.false]


def _lower_bound(relation: sympy.Basic, symbol: sympy.Symbol) -> int | None:
    """``a*H + b >= 0`` with ``a > 0`` (and ``>``) gives a smallest integer ``H``; else ``None``."""
    if not isinstance(relation, sympy.Ge | sympy.Gt | sympy.Le | sympy.Lt):
        return None
    difference = sympy.expand(relation.lhs - relation.rhs)
    if isinstance(relation, sympy.Le | sympy.Lt):
        difference = -difference
    polynomial = difference.as_poly(symbol)
    if polynomial is None or polynomial.degree() != 1:
        return None
    slope, offset = polynomial.all_coeffs()
    if not (slope.is_number and offset.is_number and slope > 0):
        return None
    bound = -offset / slope
    strict = isinstance(relation, sympy.Gt | sympy.Lt)
    return int(sympy.floor(bound)) + 1 if strict else int(sympy.ceiling(bound))


def minimum_input_size(
    derivation: Derivation,
    symbol_name: str,
    values: Mapping[str, object] | None = None,
    /,
    *,
    limit: int = 100_000,
    **more: object,
) -> int:
    """The smallest value of ``symbol_name`` that satisfies every condition.

    Conditions that also involve other symbols need their values
    (``minimum_input_size(d, "H", W=224)``); conditions without
    ``symbol_name`` are ignored.  Symbols are positive integers (padding-like
    names, ``p...``, non-negative), so the answer is at least 1 (or 0).  Up to
    ``limit`` candidates above the first bound are tried; if none works, a
    :class:`~symcnn.errors.SpecError` says so.

    >>> from symcnn import Input, MaxPool2d, Sequential
    >>> d = Sequential(Input(3, "H", "W"), MaxPool2d(3, stride=2)).derive()
    >>> minimum_input_size(d, "H"), minimum_input_size(d, "W")
    (3, 3)
    """
    given = {**(values or {}), **more}
    if symbol_name in given:
        raise SpecError(f"minimum_input_size: {symbol_name} is the symbol to minimise; do not give its value")
    mapping = _mapping(derivation, given)
    symbol = next(
        (
            item
            for condition in derivation.conditions
            for item in condition.relation.free_symbols
            if item.name == symbol_name
        ),
        None,
    )
    smallest = 0 if is_nonnegative_name(symbol_name) else 1
    if symbol is None:
        if all(item.name != symbol_name for item in derivation.free_symbols):
            raise SpecError(f"minimum_input_size: the derivation has no symbol named {symbol_name!r}")
        return smallest  # no condition constrains it
    relations = []
    for condition in derivation.conditions:
        relation = condition.relation.xreplace(mapping)
        if symbol not in relation.free_symbols:
            if _settle(condition, mapping) is sympy.false:
                raise SpecError(f"{condition.where}: {condition.rule}, violated by the values given")
            continue
        others = relation.free_symbols - {symbol}
        if others:
            names = ", ".join(sorted(item.name for item in others))
            raise SpecError(f"{condition.where}: the condition {relation} also depends on {names}; give a value for it")
        relations.append((condition, relation))
    start = max(
        [smallest, *(bound for _, relation in relations if (bound := _lower_bound(relation, symbol)) is not None)]
    )
    for candidate in range(start, start + limit):
        if all(_holds(condition, relation, symbol, candidate) for condition, relation in relations):
            return candidate
    raise SpecError(f"no value of {symbol_name} from {start} to {start + limit - 1} satisfies every condition")


def _holds(condition: Condition, relation: sympy.Basic, symbol: sympy.Symbol, value: int) -> bool:
    settled = relation.xreplace({symbol: sympy.Integer(value)})
    if not isinstance(settled, sympy.logic.boolalg.BooleanAtom):
        settled = sympy.simplify(settled)
    if settled is sympy.true:
        return True
    if settled is sympy.false:
        return False
    raise SpecError(f"{condition.where}: cannot decide the condition {relation} at {symbol} = {value}")
