"""Exact vectorised evaluation of symcnn formulas over many integer configurations.

``sympy.lambdify`` turns ``floor((H - 1)/32) + 1`` into float division: at
``H = 2**60 + 31`` it answers ``3.6028797e+16`` instead of ``36028797018963969``.
Here every sub-expression is compiled to a pair of integer arrays ``(N, D)``
with value ``N/D`` and ``D > 0``; a floor is ``N // D``, exactly.  Rational
coefficients (``H/4 - 1/4``) stay integer numerators over a common denominator.

Before a batch is evaluated, the magnitude of every intermediate integer is
bounded from the batch's smallest and largest symbol values.  If any bound
reaches ``2**63`` the batch is evaluated with exact Python integers (NumPy
object arrays) instead of int64, so NumPy's silent wrap-around can never occur.

Compilation walks SymPy trees into small node objects; nothing is ``eval``-ed.
Shared sub-expressions (the same ``floor`` in many terms) become one node and
are computed once per batch.

The values may be shaped for NumPy broadcasting (a grid: ``w`` of shape
``(25, 1, 1)``, ``H`` of ``(1, 200, 1)``, ``W`` of ``(1, 1, 200)``): every node
then computes once per combination of the symbols it depends on (a floor of
``H`` 200 times, a polynomial in ``w`` 25 times), and only the nodes that depend
on every axis pay once per configuration.  Results have the broadcast shape.

Flat columns with repeated values (a random sample drawn from a few values per
axis) have no grid to broadcast over: given as a :class:`~symcnn.whatif.distinct.Distinct`,
every node computes once per distinct combination of the values of its symbols
(its *domain*) and its result is gathered to the parents' domains, then to the rows.

>>> import sympy
>>> from symcnn import symbols
>>> H = symbols("H")
>>> f = Formula(sympy.floor((H - 1) / 32) + 1, ["H"])
>>> f({"H": np.array([224, 2**60 + 31], dtype=object)}).tolist()
[7, 36028797018963969]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from math import lcm
from typing import Any

import numpy as np
import sympy

from ..errors import UnsupportedError
from ..exact.values import to_expr
from .distinct import Distinct, Domain

__all__ = ["Distinct", "Formula", "Predicate", "batch_fits_int64", "compile_expr", "compile_relation"]

INT64_LIMIT = 2**63 - 1
Array = Any  # an int64 or object ndarray (or a Python int broadcast against one)
Pair = tuple[Array, Array]
Magnitudes = Mapping[str, int]  # symbol name -> largest |value| in the batch


class _Context:
    """One batch: the symbol values, its shape, the dtype, memoised node results, undefined entries.

    An exact batch (some value or intermediate beyond int64) still computes in int64
    every node whose bound, and every bound below it, fits (``narrow``: their ids);
    only the nodes above them work on Python integers, their int64 inputs widened
    once.  A sweep of widths up to 2**40 then pays Python's arithmetic for the last
    products only.

    With ``distinct`` (flat columns), ``values`` are each symbol's distinct values and
    every result is kept once per combination of its node's symbols (``domain``: those
    of the node being computed); a parent reads it gathered to its own domain.
    """

    def __init__(
        self,
        values: Mapping[str, Array],
        shape: tuple[int, ...],
        exact: bool,
        narrow: frozenset[int] = frozenset(),
        narrow_values: Mapping[str, Array] | None = None,
        distinct: Distinct | None = None,
    ) -> None:
        self.values = values
        self.shape = shape
        self.exact = exact
        self.memo: dict[int, Any] = {}
        self.wide: dict[int, Pair] = {}  # int64 results widened to Python integers, once
        self.undefined: Array | None = None  # division by zero, e.g. a stride of 0 outside the domain
        self.narrow_nodes = narrow
        self.narrow_values = narrow_values or {}
        self.in_narrow = False  # whether the node being computed works in int64
        self.distinct = distinct
        self.domain: Domain = ()
        self.lifted: dict[tuple[int, bool, Domain], Pair] = {}  # results gathered to a parent's domain

    @property
    def dtype(self) -> Any:
        return object if self.exact and not self.in_narrow else np.int64

    def mark_undefined(self, where: Array) -> None:
        where = self.to_rows(where, self.domain)
        self.undefined = where if self.undefined is None else (self.undefined | where)

    def to_rows(self, value: Array, domain: Domain) -> Array:
        """A value of ``domain`` (one per combination) per row of a distinct batch; others unchanged."""
        return value if self.distinct is None else self.distinct.lift(value, domain, None)


class _Node:
    denominator: int | None = 1  # the denominator D when it is the same constant for every configuration

    @cached_property
    def symbols(self) -> Domain:
        """The symbols the node depends on, sorted: its domain in a distinct batch."""
        return tuple(sorted({name for child in self.children() for name in child.symbols}))

    def pair(self, context: _Context) -> Pair:
        key = id(self)
        if key not in context.memo:
            outer = context.in_narrow, context.domain
            context.in_narrow, context.domain = key in context.narrow_nodes, self.symbols
            try:
                context.memo[key] = self._pair(context)
            finally:
                context.in_narrow, context.domain = outer
        widened = context.exact and not context.in_narrow and key in context.narrow_nodes
        if widened:
            if key not in context.wide:  # an int64 result read by a node that works on Python integers
                context.wide[key] = tuple(_widen(value) for value in context.memo[key])  # type: ignore[assignment]
            found: Pair = context.wide[key]
        else:
            found = context.memo[key]
        if context.distinct is None or context.domain == self.symbols:
            return found
        lifted = (key, widened, context.domain)
        if lifted not in context.lifted:  # once per combination of the parent's symbols
            distinct = context.distinct
            context.lifted[lifted] = tuple(distinct.lift(v, self.symbols, context.domain) for v in found)  # type: ignore[assignment]
        return context.lifted[lifted]

    def _pair(self, context: _Context) -> Pair:
        raise NotImplementedError

    def magnitude(self, sizes: Magnitudes, memo: dict[int, tuple[int, int]]) -> tuple[int, int]:
        """Upper bounds of ``|N|`` and ``D`` over the batch (and of every intermediate)."""
        key = id(self)
        if key not in memo:
            memo[key] = self._magnitude(sizes, memo)
        return memo[key]

    def _magnitude(self, sizes: Magnitudes, memo: dict[int, tuple[int, int]]) -> tuple[int, int]:
        raise NotImplementedError

    def children(self) -> tuple[_Node, ...]:
        return ()


class _Constant(_Node):
    def __init__(self, value: sympy.Rational) -> None:
        self.numerator, self.fixed = int(value.p), int(value.q)
        self.denominator = self.fixed

    def _pair(self, context: _Context) -> Pair:
        return self.numerator, self.fixed

    def _magnitude(self, sizes: Magnitudes, memo: dict[int, tuple[int, int]]) -> tuple[int, int]:
        return abs(self.numerator), self.fixed


class _Symbol(_Node):
    def __init__(self, name: str) -> None:
        self.name = name
        self.symbols = (name,)

    def _pair(self, context: _Context) -> Pair:
        if context.in_narrow and self.name in context.narrow_values:
            return context.narrow_values[self.name], 1
        return context.values[self.name], 1

    def _magnitude(self, sizes: Magnitudes, memo: dict[int, tuple[int, int]]) -> tuple[int, int]:
        return sizes[self.name], 1


def _smallest_first(values: Sequence[Array]) -> list[Array]:
    """Broadcast operands ordered by size: adding or multiplying the small ones first keeps them small."""
    return sorted(values, key=np.size)


def _common(pairs: Sequence[Pair]) -> tuple[list[Array], Array]:
    """Numerators over one common denominator (an lcm when every denominator is a constant)."""
    denominators = [d for _, d in pairs]
    if all(isinstance(d, int) for d in denominators):
        common = lcm(*denominators)
        return [n if d == common else n * (common // d) for n, d in pairs], common
    # A symbolic denominator (a stride symbol): multiply the others in.
    common = 1
    for d in denominators:
        common = common * d
    numerators = []
    for i, (n, _) in enumerate(pairs):
        for j, d in enumerate(denominators):
            if j != i:
                n = n * d
        numerators.append(n)
    return numerators, common


def _fixed_common(nodes: Sequence[_Node]) -> int | None:
    denominators = [node.denominator for node in nodes]
    return None if None in denominators else lcm(*denominators)  # type: ignore[arg-type]


def _common_magnitude(bounds: Sequence[tuple[int, int]], nodes: Sequence[_Node]) -> tuple[int, int]:
    fixed = _fixed_common(nodes)
    if fixed is not None:  # as _common computes it: over the lcm
        scaled = [n * (fixed // (node.denominator or 1)) for (n, _), node in zip(bounds, nodes, strict=True)]
        return sum(scaled), fixed
    common = 1
    for _, d in bounds:
        common *= max(d, 1)
    return sum(max(n, 1) * common for n, _ in bounds) + 1, common


class _Sum(_Node):
    def __init__(self, terms: tuple[_Node, ...]) -> None:
        self.terms = terms
        self.denominator = _fixed_common(terms)

    def children(self) -> tuple[_Node, ...]:
        return self.terms

    def _pair(self, context: _Context) -> Pair:
        numerators, common = _common([term.pair(context) for term in self.terms])
        numerators = _smallest_first(numerators)  # exact integers: the order cannot change the sum
        total = numerators[0]
        for numerator in numerators[1:]:
            total = total + numerator
        return total, common

    def _magnitude(self, sizes: Magnitudes, memo: dict[int, tuple[int, int]]) -> tuple[int, int]:
        return _common_magnitude([term.magnitude(sizes, memo) for term in self.terms], self.terms)


def _is_one(value: Array) -> bool:
    return isinstance(value, int) and value == 1


class _Product(_Node):
    def __init__(self, factors: tuple[_Node, ...]) -> None:
        self.factors = factors
        denominators = [factor.denominator for factor in factors]
        self.denominator = None if None in denominators else math.prod(denominators)  # type: ignore[arg-type]

    def children(self) -> tuple[_Node, ...]:
        return self.factors

    def _pair(self, context: _Context) -> Pair:
        pairs = sorted((factor.pair(context) for factor in self.factors), key=lambda pair: np.size(pair[0]))
        numerator, denominator = pairs[0]
        for n, d in pairs[1:]:
            numerator = n if _is_one(numerator) else (numerator if _is_one(n) else numerator * n)
            denominator = d if _is_one(denominator) else (denominator if _is_one(d) else denominator * d)
        return numerator, denominator

    def _magnitude(self, sizes: Magnitudes, memo: dict[int, tuple[int, int]]) -> tuple[int, int]:
        numerator = denominator = 1
        for factor in self.factors:
            n, d = factor.magnitude(sizes, memo)
            numerator, denominator = numerator * max(n, 1), denominator * max(d, 1)
        return numerator, denominator


class _Power(_Node):
    def __init__(self, base: _Node, exponent: int) -> None:
        self.base, self.exponent = base, exponent
        fixed = exponent >= 0 and base.denominator is not None
        self.denominator = base.denominator**exponent if fixed else None  # type: ignore[operator]

    def children(self) -> tuple[_Node, ...]:
        return (self.base,)

    def _pair(self, context: _Context) -> Pair:
        n, d = self.base.pair(context)
        if self.exponent >= 0:
            return n**self.exponent, d**self.exponent
        zero = n == 0
        if isinstance(zero, np.ndarray) and zero.any():
            context.mark_undefined(zero)
            n = np.where(zero, 1, n)
        elif zero is True:
            raise ZeroDivisionError("division by zero")
        sign = np.where(n < 0, -1, 1) if isinstance(n, np.ndarray) else (-1 if n < 0 else 1)
        power = -self.exponent
        return (d * sign) ** power, (n * sign) ** power

    def _magnitude(self, sizes: Magnitudes, memo: dict[int, tuple[int, int]]) -> tuple[int, int]:
        n, d = self.base.magnitude(sizes, memo)
        power = abs(self.exponent)
        return max(n, d, 1) ** power, max(n, d, 1) ** power


class _Floor(_Node):
    def __init__(self, argument: _Node, ceiling: bool) -> None:
        self.argument, self.ceiling = argument, ceiling

    def children(self) -> tuple[_Node, ...]:
        return (self.argument,)

    def _pair(self, context: _Context) -> Pair:
        n, d = self.argument.pair(context)
        if isinstance(d, int) and d == 1:
            return n, 1
        return (-((-n) // d) if self.ceiling else n // d), 1

    def _magnitude(self, sizes: Magnitudes, memo: dict[int, tuple[int, int]]) -> tuple[int, int]:
        n, d = self.argument.magnitude(sizes, memo)
        return (n // d + 1 if self.argument.denominator is not None else n + 1), 1


class _Mod(_Node):
    """``a mod b = a - b*floor(a/b)`` (SymPy's and Python's sign convention: that of ``b``)."""

    def __init__(self, dividend: _Node, divisor: _Node) -> None:
        self.dividend, self.divisor = dividend, divisor
        fixed = dividend.denominator is not None and divisor.denominator is not None
        self.denominator = dividend.denominator * divisor.denominator if fixed else None  # type: ignore[operator]

    def children(self) -> tuple[_Node, ...]:
        return (self.dividend, self.divisor)

    def _pair(self, context: _Context) -> Pair:
        na, da = self.dividend.pair(context)
        nb, db = self.divisor.pair(context)
        top, bottom = na * db, da * nb  # a/b = top/bottom
        zero = bottom == 0
        if isinstance(zero, np.ndarray) and zero.any():
            context.mark_undefined(zero)
            bottom = np.where(zero, 1, bottom)
        elif zero is True:
            raise ZeroDivisionError("modulo by zero")
        quotient = top // bottom  # floor division by a negative bottom is still floor(a/b)
        return na * db - nb * quotient * da, da * db

    def _magnitude(self, sizes: Magnitudes, memo: dict[int, tuple[int, int]]) -> tuple[int, int]:
        na, da = self.dividend.magnitude(sizes, memo)
        nb, db = self.divisor.magnitude(sizes, memo)
        top = max(na, 1) * max(db, 1) + 1
        return top + max(nb, 1) * top * max(da, 1), max(da, 1) * max(db, 1) * max(nb, 1)


class _Extreme(_Node):
    """Min or Max, compared over a common positive denominator."""

    def __init__(self, items: tuple[_Node, ...], largest: bool) -> None:
        self.items, self.largest = items, largest
        self.denominator = _fixed_common(items)

    def children(self) -> tuple[_Node, ...]:
        return self.items

    def _pair(self, context: _Context) -> Pair:
        numerators, common = _common([item.pair(context) for item in self.items])
        result = numerators[0]
        for numerator in numerators[1:]:
            result = self._pick(result, numerator)
        return result, common

    def _pick(self, one: Array, other: Array) -> Array:
        if isinstance(one, int) and isinstance(other, int):  # two constants: NumPy would make C longs of them
            return max(one, other) if self.largest else min(one, other)
        return np.maximum(one, other) if self.largest else np.minimum(one, other)

    def _magnitude(self, sizes: Magnitudes, memo: dict[int, tuple[int, int]]) -> tuple[int, int]:
        return _common_magnitude([item.magnitude(sizes, memo) for item in self.items], self.items)


class _Test(_Node):
    """A relation ``lhs OP rhs`` (as the sign of ``lhs - rhs``), And/Or/Not, or a constant truth."""

    def __init__(self, kind: str, parts: tuple[_Node, ...]) -> None:
        self.kind, self.parts = kind, parts

    def children(self) -> tuple[_Node, ...]:
        return self.parts

    def _pair(self, context: _Context) -> Pair:
        return self.truth(context), 1

    def truth(self, context: _Context) -> Array:
        if self.kind in ("true", "false"):
            return np.array(self.kind == "true")  # broadcasts against any batch
        if self.kind in ("and", "or"):
            combine = np.logical_and if self.kind == "and" else np.logical_or
            result = self.parts[0].truth(context)  # type: ignore[attr-defined]
            for part in self.parts[1:]:
                result = combine(result, part.truth(context))  # type: ignore[attr-defined]
            return result
        if self.kind == "not":
            return np.logical_not(self.parts[0].truth(context))  # type: ignore[attr-defined]
        difference, _ = self.parts[0].pair(context)  # the denominator is positive: only the sign matters
        return np.asarray(_SIGN_TESTS[self.kind](difference), dtype=bool)

    def _magnitude(self, sizes: Magnitudes, memo: dict[int, tuple[int, int]]) -> tuple[int, int]:
        bounds = [part.magnitude(sizes, memo) for part in self.parts]
        return max([1, *(n for n, _ in bounds)]), 1


_SIGN_TESTS: dict[str, Callable[[Array], Array]] = {
    ">=": lambda x: x >= 0,
    ">": lambda x: x > 0,
    "<=": lambda x: x <= 0,
    "<": lambda x: x < 0,
    "==": lambda x: x == 0,
    "!=": lambda x: x != 0,
}
_RELATIONS = {sympy.GreaterThan: ">=", sympy.StrictGreaterThan: ">", sympy.LessThan: "<="}
_RELATIONS |= {sympy.StrictLessThan: "<", sympy.Equality: "==", sympy.Unequality: "!="}


class _Selection(_Node):
    """Piecewise: the first branch whose condition holds."""

    def __init__(self, branches: tuple[tuple[_Node, _Test], ...]) -> None:
        self.branches = branches
        self.denominator = _fixed_common([value for value, _ in branches])

    def children(self) -> tuple[_Node, ...]:
        return tuple(node for branch in self.branches for node in branch)

    def _pair(self, context: _Context) -> Pair:
        numerators, common = _common([value.pair(context) for value, _ in self.branches])
        conditions = [test.truth(context) for _, test in self.branches]
        shape = np.broadcast_shapes(*(np.shape(part) for part in [*numerators, *conditions, common]))
        chosen = np.zeros(shape, dtype=bool)
        for condition in conditions:
            chosen |= condition
        if not chosen.all():
            context.mark_undefined(~chosen)
        dtype = context.dtype
        shaped = [np.broadcast_to(np.asarray(n, dtype=dtype), shape) for n in numerators]
        if not isinstance(common, int):
            common = np.broadcast_to(np.asarray(common, dtype=dtype), shape)
        picked = np.select([np.broadcast_to(c, shape) for c in conditions], shaped, default=0)
        return picked, common

    def _magnitude(self, sizes: Magnitudes, memo: dict[int, tuple[int, int]]) -> tuple[int, int]:
        values = _common_magnitude(
            [value.magnitude(sizes, memo) for value, _ in self.branches], [value for value, _ in self.branches]
        )
        tests = [test.magnitude(sizes, memo) for _, test in self.branches]
        return max(values[0], *(n for n, _ in tests)), values[1]


_ROUGH = (sympy.floor, sympy.ceiling, sympy.Min, sympy.Max, sympy.Mod, sympy.Piecewise)


def _grouped(expr: sympy.Add) -> list[sympy.Expr]:
    """Terms sharing their floors, grouped: ``(a*w**2 + b*w + c)*X*Y`` instead of three products.

    Totals of CNNs are sums over stages of a polynomial in the widths times a
    product of output sizes; evaluating each product once halves the work.
    """
    groups: dict[sympy.Expr, list[sympy.Expr]] = {}
    for term in expr.args:
        factors = sympy.Mul.make_args(term)
        rough = sympy.Mul(*(f for f in factors if f.has(*_ROUGH)))
        groups.setdefault(rough, []).append(sympy.Mul(*(f for f in factors if not f.has(*_ROUGH))))
    if len(groups) == len(expr.args):
        return list(expr.args)
    terms: list[sympy.Expr] = []
    for rough, smooth in groups.items():
        if rough == 1 or len(smooth) == 1:
            terms += [sympy.Mul(part, rough) for part in smooth]
        else:
            terms.append(sympy.Mul(sympy.Add(*smooth), rough, evaluate=False))
    return terms


class _Compiler:
    def __init__(self, names: Sequence[str]) -> None:
        self.names = set(names)
        self.nodes: dict[sympy.Basic, _Node] = {}

    def node(self, expr: sympy.Basic) -> _Node:
        found = self.nodes.get(expr)
        if found is None:
            found = self.nodes[expr] = self._build(expr)
        return found

    def _build(self, expr: sympy.Basic) -> _Node:
        if isinstance(expr, sympy.Rational):
            return _Constant(expr)
        if isinstance(expr, sympy.Symbol):
            if expr.name not in self.names:
                raise UnsupportedError(f"the formula needs a value for {expr.name}")
            return _Symbol(expr.name)
        if isinstance(expr, sympy.Add):
            return _Sum(tuple(self.node(arg) for arg in _grouped(expr)))
        if isinstance(expr, sympy.Mul):
            return _Product(tuple(self.node(arg) for arg in expr.args))
        if isinstance(expr, sympy.Pow) and expr.exp.is_Integer:
            return _Power(self.node(expr.base), int(expr.exp))
        if isinstance(expr, sympy.floor | sympy.ceiling):
            return _Floor(self.node(expr.args[0]), isinstance(expr, sympy.ceiling))
        if isinstance(expr, sympy.Mod):
            return _Mod(self.node(expr.args[0]), self.node(expr.args[1]))
        if isinstance(expr, sympy.Min | sympy.Max):
            return _Extreme(tuple(self.node(arg) for arg in expr.args), isinstance(expr, sympy.Max))
        if isinstance(expr, sympy.Piecewise):
            return _Selection(tuple((self.node(value), self.test(condition)) for value, condition in expr.args))
        raise UnsupportedError(f"cannot evaluate {type(expr).__name__} exactly in a sweep: {expr}")

    def test(self, relation: sympy.Basic) -> _Test:
        if relation is sympy.true or relation is sympy.false:
            return _Test(str(relation).lower(), ())
        if isinstance(relation, sympy.And | sympy.Or):
            kind = "and" if isinstance(relation, sympy.And) else "or"
            return _Test(kind, tuple(self.test(arg) for arg in relation.args))
        if isinstance(relation, sympy.Not):
            return _Test("not", (self.test(relation.args[0]),))
        sign = _RELATIONS.get(type(relation))
        if sign is None:
            raise UnsupportedError(f"cannot evaluate the condition {relation} in a sweep")
        return _Test(sign, (self.node(relation.lhs - relation.rhs),))


def _bounds(nodes: Sequence[_Node], magnitudes: Magnitudes) -> dict[int, tuple[int, int]]:
    """Every node's bounds of ``|N|`` and ``D`` (by id), for values of these magnitudes."""
    memo: dict[int, tuple[int, int]] = {}
    for node in nodes:
        node.magnitude(magnitudes, memo)
    return memo


def batch_fits_int64(nodes: Sequence[_Node], magnitudes: Magnitudes) -> bool:
    """Whether every intermediate of ``nodes`` stays below 2**63 for values of these magnitudes."""
    return _all_fit(_bounds(nodes, magnitudes))


def _all_fit(bounds: Mapping[int, tuple[int, int]]) -> bool:
    return all(max(n, d) <= INT64_LIMIT for n, d in bounds.values())


def _widen(value: Array) -> Array:
    return value.astype(object) if isinstance(value, np.ndarray) and value.dtype != object else value


def _narrow_nodes(nodes: Sequence[_Node], bounds: Mapping[int, tuple[int, int]]) -> frozenset[int]:
    """Ids of the nodes whose every intermediate, theirs and below, stays below 2**63."""
    fits: dict[int, bool] = {}

    def visit(node: _Node) -> bool:
        key = id(node)
        if key not in fits:
            children = [visit(child) for child in node.children()]  # every child visited
            n, d = bounds.get(key, (INT64_LIMIT + 1, 1))
            fits[key] = all(children) and max(n, d) <= INT64_LIMIT
        return fits[key]

    for node in nodes:
        visit(node)
    return frozenset(key for key, fit in fits.items() if fit)


def _batch_magnitudes(values: Mapping[str, Array]) -> dict[str, int]:
    sizes = {}
    for name, array in values.items():
        array = np.asarray(array)
        if array.dtype == object and array.size:  # Python's min/max: NumPy's reduce on objects is slower
            items = array.ravel().tolist()
            sizes[name] = max(abs(min(items)), abs(max(items)))
        else:
            sizes[name] = max(abs(int(array.min())), abs(int(array.max()))) if array.size else 0
    return sizes


def _prepare(
    values: Mapping[str, Array], exact: bool, distinct: Distinct | None
) -> tuple[dict[str, Array], tuple[int, ...]]:
    arrays = {name: np.atleast_1d(np.asarray(value)) for name, value in values.items()}
    if distinct is not None:  # each symbol's distinct values, one entry per row in the results
        shape: tuple[int, ...] = (distinct.size,)
    else:
        shape = np.broadcast_shapes(*(array.shape for array in arrays.values())) if arrays else (1,)
    prepared = {name: array.astype(object if exact else np.int64, copy=False) for name, array in arrays.items()}
    return prepared, shape  # object: Python ints


class Formula:
    """A compiled exact integer formula; call it with arrays of symbol values (broadcast together).

    Returns an int64 array when every intermediate provably fits, else an object
    array of Python integers.  Entries where the formula is undefined (a division
    by zero outside the symbols' domain) are listed in ``undefined`` after a call.
    """

    def __init__(self, expr: sympy.Expr, names: Sequence[str], compiler: _Compiler | None = None) -> None:
        self.expr = expr
        self.compiler = compiler or _Compiler(names)
        self.node = self.compiler.node(to_expr(expr, "formula"))  # a string is parsed safely

    def __call__(self, values: Mapping[str, Array] | Distinct) -> Array:
        return evaluate([self], values)[0][0]


class Predicate:
    """A compiled exact condition (relation, And/Or/Not); call it for a boolean array."""

    def __init__(self, relation: sympy.Basic, names: Sequence[str], compiler: _Compiler | None = None) -> None:
        self.relation = relation
        self.compiler = compiler or _Compiler(names)
        self.node = self.compiler.test(relation)

    def __call__(self, values: Mapping[str, Array] | Distinct) -> Array:
        return evaluate([self], values)[0][0]


def compile_expr(expr: sympy.Expr, names: Sequence[str], compiler: _Compiler | None = None) -> Formula:
    return Formula(expr, names, compiler)


def compile_relation(relation: sympy.Basic, names: Sequence[str], compiler: _Compiler | None = None) -> Predicate:
    return Predicate(relation, names, compiler)


def new_compiler(names: Sequence[str]) -> _Compiler:
    """One compiler per set of formulas evaluated together, so shared parts are computed once."""
    return _Compiler(names)


def evaluate(
    items: Sequence[Formula | Predicate], batch: Mapping[str, Array] | Distinct, exact: bool | None = None
) -> tuple[list[Array], Array | None]:
    """Evaluate formulas and predicates on one batch; ``exact`` None chooses int64 when safe.

    The values broadcast together (equal lengths, or shaped for a grid), or are
    flat columns given as a :class:`Distinct` (each node computed once per distinct
    combination of its symbols' values).  Returns the results (int arrays for
    formulas, bool arrays for predicates) of the broadcast shape (one entry per
    row of a :class:`Distinct`), and the mask of entries where some formula is
    undefined (or None).
    """
    distinct = batch if isinstance(batch, Distinct) else None
    values = batch.values if isinstance(batch, Distinct) else batch
    nodes = [item.node for item in items]
    magnitudes = _batch_magnitudes(values)  # every value must fit too, used or not
    bounds = _bounds(nodes, magnitudes)  # once: to choose int64, and which nodes may stay in it
    if exact is None:
        exact = max(magnitudes.values(), default=0) > INT64_LIMIT or not _all_fit(bounds)
    prepared, shape = _prepare(values, exact, distinct)
    narrow: frozenset[int] = frozenset()
    narrow_values: dict[str, Array] = {}
    if exact:
        for name, value in values.items():
            if magnitudes[name] <= INT64_LIMIT:
                narrow_values[name] = np.atleast_1d(np.asarray(value)).astype(np.int64, copy=False)
        if narrow_values:
            narrow = _narrow_nodes(nodes, bounds)
    context = _Context(prepared, shape, exact, narrow, narrow_values, distinct)
    results = []
    for item in items:
        context.domain = item.node.symbols
        if isinstance(item, Predicate):
            truth = context.to_rows(item.node.truth(context), item.node.symbols)
            results.append(np.broadcast_to(np.asarray(truth, dtype=bool), shape))
            continue
        numerator, denominator = item.node.pair(context)
        if not (isinstance(denominator, int) and denominator == 1):
            quotient, remainder = numerator // denominator, numerator % denominator
            if np.any(remainder != 0):
                raise UnsupportedError(f"the formula {item.expr} does not give an integer for every configuration")
            numerator = quotient
        dtype = object if exact else np.int64
        numerator = context.to_rows(numerator, item.node.symbols)
        results.append(np.broadcast_to(np.asarray(numerator, dtype=dtype), shape))
    undefined = None if context.undefined is None else np.broadcast_to(context.undefined, shape)
    return results, undefined
