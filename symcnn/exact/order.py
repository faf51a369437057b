"""SymPy's order of a sum's terms and a product's factors, without SymPy's general code.

Printers write a sum in ``Expr.as_ordered_terms()`` order and a product in
``Mul.as_ordered_factors()`` order.  SymPy computes the term order from every term's
coefficient as a complex float (an ``evalf`` each) and a product's order from sort keys that
order every sum inside again; a deep network prints thousands of new sums and products
(``9*k94 + 1``, ``9*k94*k95*floor(H/512)*floor(W/512)``), and that ordering was most of the
printing time.  The functions here give the same lists for the shapes networks produce
(rational multiples of commuting symbols, floors and integer powers) and ask SymPy otherwise;
``tests/exact/test_order.py`` compares them with SymPy on random expressions.
"""

from __future__ import annotations

from functools import cmp_to_key
from typing import Any

import sympy
from sympy.core.expr import Expr

from .memo import ExprMemo

__all__ = ["clear_orders", "ordered_factors", "ordered_terms", "sort_key"]

_MEMO_SIZE = 1 << 17  # a 10,000-layer chain orders about 40,000 distinct sums and products

_TERMS: ExprMemo[tuple[sympy.Basic, ...]] = ExprMemo(_MEMO_SIZE)
_FACTORS: ExprMemo[tuple[sympy.Basic, ...]] = ExprMemo(_MEMO_SIZE)
_SORT_KEYS: ExprMemo[Any] = ExprMemo(_MEMO_SIZE)


def clear_orders() -> None:
    _TERMS.clear()
    _FACTORS.clear()
    _SORT_KEYS.clear()


def ordered_terms(expr: sympy.Basic, order: str | None = None) -> list[sympy.Basic]:
    """``expr.as_ordered_terms(order)``, remembered (and computed without SymPy where it can be)."""
    terms = _TERMS.get(expr, (order,))
    if terms is None:
        fast = _lex_terms(expr) if order is None and isinstance(expr, sympy.Add) else None
        terms = tuple(fast if fast is not None else expr.as_ordered_terms(order=order))  # type: ignore[attr-defined]
        _TERMS.put(expr, (order,), terms)
    return list(terms)


def ordered_factors(expr: sympy.Mul) -> list[sympy.Basic]:
    """``expr.as_ordered_factors()``, remembered; factors of different classes are ordered by class alone."""
    factors = _FACTORS.get(expr)
    if factors is None:
        factors = tuple(_ordered_factors(expr))
        _FACTORS.put(expr, (), factors)
    return list(factors)


def sort_key(expr: sympy.Basic) -> Any:
    """``expr.sort_key()``, remembered, with the sums and products inside ordered by this module."""
    if type(expr).sort_key is _SYMBOL_KEY:  # Symbol.sort_key, without its cache's look-up
        return _class_key(type(expr)), (1, (expr.name,)), _ONE_KEY, sympy.S.One  # type: ignore[attr-defined]
    key = _SORT_KEYS.get(expr)
    if key is None:
        key = _expr_sort_key(expr) if type(expr).sort_key is Expr.sort_key else expr.sort_key()
        _SORT_KEYS.put(expr, (), key)
    return key


_SYMBOL_KEY = sympy.Symbol.sort_key
_SYMBOL_HEAD = sympy.Symbol.class_key()
_ONE_KEY = sympy.S.One.sort_key()


_CLASS_KEYS: dict[type, Any] = {}


def _class_key(cls: type) -> Any:
    # Function.class_key builds the class's argument-count set each time: one look-up per class instead.
    try:
        return _CLASS_KEYS[cls]
    except KeyError:
        key = _CLASS_KEYS[cls] = cls.class_key()  # type: ignore[attr-defined]
        return key


def _expr_sort_key(self: sympy.Expr) -> Any:
    """``Expr.sort_key`` (SymPy 1.14), line for line, with this module's orders and keys."""
    coeff, expr = self.as_coeff_Mul()
    if expr.is_Pow:
        base, exp = expr.as_base_exp()
        if base is sympy.S.Exp1:
            return self.sort_key()
        expr = base
    else:
        exp = sympy.S.One
    if expr.is_Dummy:
        args: tuple[Any, ...] = (expr.sort_key(),)
    elif expr.is_Atom:
        args = (str(expr),)
    else:
        if expr.is_Add:
            parts: Any = ordered_terms(expr)
        elif expr.is_Mul:
            parts = ordered_factors(expr)  # type: ignore[arg-type]
        else:
            parts = expr.args
        args = tuple(
            sort_key(part) if isinstance(part, sympy.Basic) else sympy.default_sort_key(part) for part in parts
        )
    return _class_key(type(expr)), (len(args), args), sort_key(exp), coeff


# The classes whose sort key starts with their class key (the first item compared).
_CLASS_FIRST = {sympy.Symbol.sort_key, sympy.Number.sort_key, sympy.Atom.sort_key, sympy.Dummy.sort_key}


def _head(factor: sympy.Basic) -> Any:
    """The first item of ``factor.sort_key()``, or ``None`` where that is not simply a class key."""
    method = type(factor).sort_key
    if method in _CLASS_FIRST:
        return _class_key(type(factor))
    if method is not Expr.sort_key or type(factor).as_coeff_Mul is not Expr.as_coeff_Mul:
        return None  # a product, a matrix expression, ...: its key starts elsewhere
    if isinstance(factor, sympy.Pow):
        return None if factor.base is sympy.S.Exp1 else _head(factor.base)
    return _class_key(type(factor))


def _ordered_factors(expr: sympy.Mul) -> list[sympy.Basic]:
    commuting, rest = _commuting_split(expr)
    heads = [_SYMBOL_HEAD if type(factor) is sympy.Symbol else _head(factor) for factor in commuting]
    if None in heads:
        return sorted(commuting, key=sort_key) + rest
    # Keys of different classes differ in their first item, the class key: only factors of one
    # class need their full keys compared (a sum's full key orders its terms).
    if len(set(heads)) == len(heads):
        keys = heads
    else:
        counts: dict[Any, int] = {}
        for head in heads:
            counts[head] = counts.get(head, 0) + 1
        keys = [
            (head, sort_key(factor) if counts[head] > 1 else ()) for head, factor in zip(heads, commuting, strict=True)
        ]
    order = sorted(range(len(commuting)), key=keys.__getitem__)  # stable, as sorted() on the factors is
    return [commuting[index] for index in order] + rest


def _commuting_split(expr: sympy.Mul) -> tuple[list[sympy.Basic], list[sympy.Basic]]:
    """``expr.args_cnc()``: the commuting factors (a negative coefficient split off as ``-1``) and the rest."""
    head = expr.args[0]
    if expr.is_commutative and not (head.is_Number and head.is_extended_negative and head is not sympy.S.NegativeOne):
        return list(expr.args), []
    commuting, rest = expr.args_cnc()
    return commuting, rest


def _lex_terms(expr: sympy.Add) -> list[sympy.Basic] | None:
    """``Expr.as_ordered_terms()`` for a sum of rational multiples of commuting, non-numeric factors with
    integer powers, else ``None``.

    SymPy writes each term as a monomial over the sum's generators (sorted by sort key) and sorts by
    the monomial, highest first, then by the coefficient; a sum's terms have distinct monomials (equal
    ones were added together), so the coefficient never decides and its float need not be computed.
    """
    args = expr.args
    if len(args) == 2:  # SymPy writes ``1 - 2*x``, not ``-2*x + 1``
        number, other = (args[0], args[1]) if args[0].is_Number else (args[1], args[0])
        if number.is_Number and isinstance(other, sympy.Mul) and len(other.args) == 2:
            head = other.args[0] if other.args[0].is_Number else other.args[1]
            if head.is_Number and number.is_positive and head.is_negative:
                return [number, other]
        if isinstance(args[0], sympy.Rational) and _positive_monomial(args[1]):  # 9*k94 + 1
            return [args[1], args[0]]  # a monomial with a positive power comes before the constant
    powers: list[dict[sympy.Basic, int]] = []
    for term in args:
        if isinstance(term, sympy.Rational):
            powers.append({})
            continue
        factors = term.args if isinstance(term, sympy.Mul) else (term,)
        if factors[0].is_Number:
            if not isinstance(factors[0], sympy.Rational):
                return None
            factors = factors[1:]
        monomial: dict[sympy.Basic, int] = {}
        for factor in factors:
            if not factor.is_commutative or factor.is_Number or factor.is_number:
                return None
            if isinstance(factor, sympy.Pow):
                if not isinstance(factor.exp, sympy.Integer) or factor.base.is_Rational:
                    return None
                monomial[factor.base] = int(factor.exp)
            elif type(factor).as_base_exp is Expr.as_base_exp and not factor.is_Order:
                monomial[factor] = 1
            else:
                return None
        powers.append(monomial)
    generators = {base for monomial in powers for base in monomial}
    keyed = sorted(((sort_key(base), base) for base in generators), key=lambda pair: pair[0])
    if any(keyed[i][0] == keyed[i + 1][0] for i in range(len(keyed) - 1)):
        return None  # equal keys: SymPy's order would follow its set's iteration
    position = {base: index for index, (_, base) in enumerate(keyed)}
    # Each monomial as its nonzero (generator position, exponent) pairs: a long sum has as many
    # generators as terms, and SymPy's dense exponent vectors would make the order quadratic.
    sparse = [
        tuple(sorted((position[base], power) for base, power in monomial.items() if power)) for monomial in powers
    ]
    if len(set(sparse)) != len(sparse):
        return None
    ordered = sorted(zip(sparse, args, strict=True), key=cmp_to_key(_by_monomial))
    return [term for _, term in ordered]


def _positive_monomial(term: sympy.Basic) -> bool:
    """Whether ``term`` is a rational multiple of commuting symbols with positive integer powers (``9*H*k1**2``)."""
    factors = term.args if type(term) is sympy.Mul else (term,)
    if isinstance(factors[0], sympy.Rational):
        factors = factors[1:]
    for factor in factors:
        if type(factor) is sympy.Pow and type(factor.exp) is sympy.Integer and factor.exp.p > 0:
            factor = factor.base
        if type(factor) is not sympy.Symbol or not factor.is_commutative:
            return False
    return bool(factors)


def _by_monomial(a: tuple[Any, sympy.Basic], b: tuple[Any, sympy.Basic]) -> int:
    return _higher_first(a[0], b[0])


def _higher_first(a: tuple[tuple[int, int], ...], b: tuple[tuple[int, int], ...]) -> int:
    """SymPy's lex order of two distinct monomials given sparsely: the higher power of the first
    generator where they differ comes first (a missing generator has power 0)."""
    for (i, x), (j, y) in zip(a, b, strict=False):  # a common prefix, then one may go on
        if i == j:
            if x != y:
                return -1 if x > y else 1
        elif i < j:  # b lacks generator i
            return -1 if x > 0 else 1
        else:  # a lacks generator j
            return 1 if y > 0 else -1
    if len(a) > len(b):
        return -1 if a[len(b)][1] > 0 else 1
    return 1 if b[len(a)][1] > 0 else -1
