"""Exact evaluation of an expression at numbers, in Python integers and fractions.

Substituting numbers with SymPy rebuilds every node (``xreplace`` flattens and
asks assumptions at each ``Add`` and ``Mul``); reading a total at ``H=224``
needs only its value.  This walks the tree once with Python's exact ``int`` and
``Fraction``; a node it does not know gives ``None`` and the caller substitutes
with SymPy instead.  :func:`settle` decides a relation the same way, and
:func:`compile_evaluator` turns expressions read at many values (a derivation's
totals) into one Python function of exact integer arithmetic.

>>> import sympy
>>> H = sympy.Symbol("H", integer=True, positive=True)
>>> evaluate(64 * (sympy.floor((H - 1) / 4) + 1) ** 2, {H: 224})
200704
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import sympy

__all__ = ["Evaluator", "compile_evaluator", "evaluate", "number", "settle"]

Number = int | Fraction


def evaluate(expr: sympy.Basic, values: Mapping[sympy.Basic, int]) -> sympy.Integer | sympy.Rational | None:
    """``expr`` at ``values`` (every free symbol given), exactly; ``None`` if it holds a node not handled here."""
    result = number(expr, values)
    if result is None:
        return None
    return sympy.Integer(result) if isinstance(result, int) else sympy.Rational(result.numerator, result.denominator)


def number(expr: sympy.Basic, values: Mapping[sympy.Basic, int]) -> Number | None:
    """``expr`` at ``values`` as a Python ``int`` or ``Fraction``; ``None`` as for :func:`evaluate`."""
    try:
        return _value(expr, values, {})
    except (_Unknown, ZeroDivisionError):  # a division by zero: SymPy's zoo, left to SymPy
        return None


_COMPARISONS: dict[type, Callable[[Number, Number], bool]] = {
    sympy.GreaterThan: operator.ge,
    sympy.StrictGreaterThan: operator.gt,
    sympy.LessThan: operator.le,
    sympy.StrictLessThan: operator.lt,
    sympy.Equality: operator.eq,
    sympy.Unequality: operator.ne,
}


def settle(relation: sympy.Basic, values: Mapping[sympy.Basic, int]) -> sympy.Basic | None:
    """``sympy.true`` or ``sympy.false``: a comparison of two sides whose values :func:`number` finds.

    ``None`` for anything else (a side with a symbol not given, a ``Mod``, a logical
    combination): the caller substitutes with SymPy.
    """
    compare = _COMPARISONS.get(type(relation))
    if compare is None:
        return None
    lhs, rhs = number(relation.args[0], values), number(relation.args[1], values)
    if lhs is None or rhs is None:
        return None
    return sympy.true if compare(lhs, rhs) else sympy.false


class _Unknown(Exception):
    """A node this evaluator leaves to SymPy."""


def _value(node: sympy.Basic, values: Mapping[sympy.Basic, int], seen: dict[sympy.Basic, Number]) -> Number:
    known = seen.get(node)
    if known is not None:
        return known
    if node.is_Integer:
        result: Number = int(node)  # type: ignore[call-overload]
    elif node.is_Rational:
        result = Fraction(int(node.p), int(node.q))  # type: ignore[attr-defined]
    elif node.is_Symbol:
        if node not in values:
            raise _Unknown
        result = values[node]
    elif node.is_Add:
        result = sum((_value(arg, values, seen) for arg in node.args), 0)
    elif node.is_Mul:
        result = 1
        for arg in node.args:
            result *= _value(arg, values, seen)
    elif node.is_Pow:
        base, exponent = _value(node.args[0], values, seen), _value(node.args[1], values, seen)
        if not isinstance(exponent, int):
            raise _Unknown
        result = base**exponent if exponent >= 0 else Fraction(1) / base ** (-exponent)
    elif isinstance(node, sympy.floor):
        result = math.floor(_value(node.args[0], values, seen))
    elif isinstance(node, sympy.ceiling):
        result = math.ceil(_value(node.args[0], values, seen))
    elif isinstance(node, sympy.Max):
        result = max(_value(arg, values, seen) for arg in node.args)
    elif isinstance(node, sympy.Min):
        result = min(_value(arg, values, seen) for arg in node.args)
    else:
        raise _Unknown
    if isinstance(result, Fraction) and result.denominator == 1:
        result = result.numerator
    seen[node] = result
    return result


# -- compiled evaluation ------------------------------------------------------------------
# Each node's value is written N/D: N an integer computed at run time, D an integer known when
# compiling (symbols take integers, so only constants bring denominators).  A floor is then
# ``N // D`` (Python's // floors exactly, toward minus infinity), a sum scales to a common D.
# The program is a list of steps over registers (the symbols' values, the constants, then one
# register per distinct node): no Fraction, no SymPy node and no Python source at run time.

Registers = list[int]
Operation = Callable[[Registers], int]
Ref = tuple[int, int]  # (space, index): a symbol, a constant or a step; its register is known once all are
SYMBOL, CONSTANT, STEP = 0, 1, 2


class _Unsupported(Exception):
    """A node the compiler leaves to :func:`evaluate` (or SymPy)."""


class Evaluator:
    """Expressions compiled into steps of integer arithmetic; call it with the symbols' integer values."""

    __slots__ = ("_constants", "_denominators", "_operations", "_results", "_symbols")

    def __init__(
        self,
        symbols: Sequence[sympy.Basic],
        constants: Sequence[int],
        operations: Sequence[Operation],
        results: Sequence[tuple[int, int]],
    ) -> None:
        self._symbols = tuple(symbols)
        self._constants = list(constants)
        self._operations = tuple(operations)
        self._results = tuple(register for register, _ in results)
        self._denominators = tuple(denominator for _, denominator in results)

    def __call__(self, values: Mapping[sympy.Basic, int]) -> tuple[sympy.Integer | sympy.Rational, ...] | None:
        """Every expression's exact value (as :func:`evaluate` gives it); ``None`` if a symbol has no value."""
        try:
            registers = [values[symbol] for symbol in self._symbols]
        except KeyError:
            return None
        registers += self._constants
        for operation in self._operations:
            registers.append(operation(registers))
        return tuple(
            sympy.Integer(registers[register]) if denominator == 1 else sympy.Rational(registers[register], denominator)
            for register, denominator in zip(self._results, self._denominators, strict=True)
        )


def compile_evaluator(exprs: Sequence[sympy.Basic]) -> Evaluator | None:
    """One program evaluating all of ``exprs``, each shared sub-expression once; ``None`` if a node is not handled.

    Handled: integers, rationals, symbols, ``+``, ``*``, powers to a non-negative integer,
    ``floor``, ``ceiling``, ``Max``, ``Min``.  The results equal :func:`evaluate`'s.
    """
    compiler = _Compiler()
    try:
        results = [compiler.node(expr) for expr in exprs]
    except _Unsupported:
        return None
    return compiler.evaluator(results)


class _Compiler:
    """One step per distinct node, in the order the walk finishes them (children first)."""

    def __init__(self) -> None:
        self.symbols: dict[sympy.Basic, int] = {}
        self.constants: dict[int, int] = {}
        self.steps: list[tuple[str, tuple[Ref, ...], Any]] = []  # (kind, operands, what the kind needs)
        self._done: dict[sympy.Basic, tuple[Ref, int]] = {}

    def node(self, node: sympy.Basic) -> tuple[Ref, int]:
        """The node's N (where it will be) and its D."""
        known = self._done.get(node)
        if known is None:
            known = self._done[node] = self._compile(node)
        return known

    def _compile(self, node: sympy.Basic) -> tuple[Ref, int]:
        if node.is_Rational:  # integers too: q = 1
            numerator = int(node.p)  # type: ignore[attr-defined]
            return (CONSTANT, self.constants.setdefault(numerator, len(self.constants))), int(node.q)  # type: ignore[attr-defined]
        if node.is_Symbol:
            return (SYMBOL, self.symbols.setdefault(node, len(self.symbols))), 1
        if node.is_Add or isinstance(node, sympy.Max | sympy.Min):
            parts = [self.node(arg) for arg in node.args]
            common = math.lcm(*(denominator for _, denominator in parts))
            factors = tuple(common // denominator for _, denominator in parts)
            kind = "sum" if node.is_Add else "max" if isinstance(node, sympy.Max) else "min"
            return self._step(kind, [ref for ref, _ in parts], factors), common
        if node.is_Mul:
            parts = [self.node(arg) for arg in node.args]
            return self._step("product", [ref for ref, _ in parts], None), math.prod(d for _, d in parts)
        if node.is_Pow:
            exponent = node.args[1]
            if not (exponent.is_Integer and int(exponent) >= 0):  # type: ignore[call-overload]
                raise _Unsupported  # a negative or symbolic exponent: evaluate's Fractions
            power = int(exponent)  # type: ignore[call-overload]
            base, denominator = self.node(node.args[0])
            return self._step("power", [base], power), denominator**power
        if isinstance(node, sympy.floor | sympy.ceiling):
            ref, denominator = self.node(node.args[0])
            if denominator == 1:
                return ref, 1  # an integer already
            return self._step("floor" if isinstance(node, sympy.floor) else "ceiling", [ref], denominator), 1
        raise _Unsupported

    def _step(self, kind: str, operands: Sequence[Ref], extra: Any) -> Ref:
        self.steps.append((kind, tuple(operands), extra))
        return STEP, len(self.steps) - 1

    def evaluator(self, results: Sequence[tuple[Ref, int]]) -> Evaluator:
        offsets = (0, len(self.symbols), len(self.symbols) + len(self.constants))

        def register(ref: Ref) -> int:
            return offsets[ref[0]] + ref[1]

        operations = [_operation(kind, [register(ref) for ref in refs], extra) for kind, refs, extra in self.steps]
        # dicts keep insertion order: a symbol's or constant's index is its position
        return Evaluator(
            list(self.symbols), list(self.constants), operations, [(register(ref), d) for ref, d in results]
        )


_COMBINE: dict[str, Callable[[Any], int]] = {"sum": sum, "max": max, "min": min}


def _operation(kind: str, operands: Sequence[int], extra: Any) -> Operation:
    """One step as a function of the registers; the operands are register positions."""
    if kind in ("floor", "ceiling", "power"):
        (only,) = operands
        if kind == "floor":
            return lambda registers: registers[only] // extra
        if kind == "ceiling":
            return lambda registers: -(-registers[only] // extra)
        return lambda registers: registers[only] ** extra
    gather = operator.itemgetter(*operands)  # Add, Mul, Max and Min have two arguments or more
    if kind == "product":
        return lambda registers: math.prod(gather(registers))
    combine: Callable[[Any], int] = _COMBINE[kind]
    if all(factor == 1 for factor in extra):
        return lambda registers: combine(gather(registers))
    return lambda registers: combine(map(operator.mul, gather(registers), extra))
