"""Totals as a person writes them: grouped by input-size factor, collected in the hyperparameters.

SymPy expands a symbolic total into a long sum.  :func:`closed_form` groups
its terms by the factors that depend on the input size (``floor((H - 1)/16) + 1``
and so on: one group per resolution), and within each group collects the
coefficient in the chosen hyperparameters, factoring what is left.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import sympy

from ..exact.values import to_expr

__all__ = ["closed_form"]


def closed_form(expr: sympy.Expr, by: Iterable[str] = (), sizes: Iterable[str] = ("H", "W")) -> sympy.Expr:
    """``expr`` grouped by its input-size factors, each coefficient collected in ``by`` and factored.

    >>> from symcnn import zoo
    >>> total = zoo.resnet50(width_per_group="w", layers=[3, 4, "N", 3]).derive().totals.trainable
    >>> closed_form(total, by=["w"])
    9*w**2*(16*N + 211) + 4*w*(2052*N + 24307) + 8*(256*N + 606629)
    """
    expr = to_expr(expr, "closed_form")  # a formula string is parsed safely
    names = set(sizes)
    chosen = set(by)

    def sized(part: sympy.Expr) -> bool:
        return bool(part.free_symbols) and all(s.name in names for s in part.free_symbols)

    # An output size such as floor((H - 1)/16) + 1 stays one factor: expanding it would split each group in four.
    held: dict[sympy.Expr, sympy.Dummy] = {}

    def hold(part: sympy.Expr) -> sympy.Expr:
        if part.is_Atom:
            return part
        args = [hold(arg) for arg in part.args]
        if part.is_Mul:
            args = [held.setdefault(arg, sympy.Dummy("size")) if arg.is_Add and sized(arg) else arg for arg in args]
        return part.func(*args)

    expanded = sympy.expand(hold(expr))
    names |= {dummy.name for dummy in held.values()}
    groups: dict[sympy.Expr, sympy.Expr] = defaultdict(lambda: sympy.S.Zero)
    for term in sympy.Add.make_args(expanded):
        size_part: list[sympy.Expr] = []
        rest: list[sympy.Expr] = []
        for factor in sympy.Mul.make_args(term):
            (size_part if any(s.name in names for s in factor.free_symbols) else rest).append(factor)
        groups[sympy.Mul(*size_part)] += sympy.Mul(*rest)
    parts = []
    for key, coefficient in groups.items():
        symbols = sorted((s for s in coefficient.free_symbols if s.name in chosen), key=lambda s: s.name)
        if symbols:
            collected = sympy.collect(sympy.expand(coefficient), symbols, evaluate=False)
            coefficient = sympy.Add(*(sympy.factor(value) * power for power, value in collected.items()))
        else:
            coefficient = sympy.factor(coefficient)
        parts.append(coefficient * key)
    return sympy.Add(*parts).xreplace({dummy: part for part, dummy in held.items()})
