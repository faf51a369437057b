"""Exact simplification of floor expressions.

The one identity used, valid for integers ``a, b`` and positive integers
``m, n``::

    floor((floor(a/m) + b) / n) == floor((a + b*m) / (m*n))

Proof: write ``a = q*m + r`` with ``0 <= r < m`` and ``q + b = t*n + u`` with
``0 <= u < n``; both sides equal ``t`` because ``u + r/m < n``.  Applied bottom
up it turns a stack of strided layers into one floor, which is what PyTorch's
own symbolic shape engine reports (ResNet's stem: ``floor((H - 1)/4) + 1``).
"""

from __future__ import annotations

from functools import lru_cache

import sympy

__all__ = ["assume_divisible", "at_least_one", "collapse_floors", "decide", "floor_div", "tidy"]


def _is_positive_int(expr: sympy.Expr) -> bool:
    return bool(expr.is_integer and expr.is_positive)


def _split_fraction(expr: sympy.Expr) -> tuple[sympy.Expr, sympy.Expr]:
    num, den = sympy.fraction(sympy.together(expr))
    return sympy.expand(num, deep=False), den  # nested floors are already in form: expanding them again is superlinear


def _collapse_one(node: sympy.floor) -> sympy.Expr:
    arg = node.args[0]
    if not arg.has(sympy.floor):
        return node
    num, den = _split_fraction(arg)
    if not (num.is_integer and _is_positive_int(den)):
        return node
    inner = [term for term in sympy.Add.make_args(num) if isinstance(term, sympy.floor)]
    if len(inner) != 1:
        return node
    rest = num - inner[0]
    a, m = _split_fraction(inner[0].args[0])
    if not (a.is_integer and rest.is_integer and _is_positive_int(m)):
        return node
    return sympy.floor(sympy.expand(a + rest * m) / (m * den))


@lru_cache(maxsize=65536)
def collapse_floors(expr: sympy.Expr) -> sympy.Expr:
    """Collapse nested floors, bottom up; the result equals ``expr`` exactly."""
    if not expr.has(sympy.floor):
        return expr
    return expr.replace(lambda e: isinstance(e, sympy.floor), _collapse_one)


def floor_div(a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
    """``floor(a/b)`` for integer ``a`` and positive integer ``b``, built directly.

    A nested ``floor`` in ``a`` collapses (the identity above) and terms with
    integer coefficients divisible by ``b`` move outside.  Building the floor
    unevaluated skips SymPy's costly search for integer parts, which this
    function has already done; other arguments take SymPy's general path.
    """
    a, b = sympy.sympify(a, strict=True), sympy.sympify(b, strict=True)
    if a.is_Integer and b.is_Integer:
        return sympy.Integer(int(a) // int(b))
    if not (_is_positive_int(b) and a.is_integer):
        return collapse_floors(sympy.floor(a / b))
    num, den = sympy.expand(a, deep=False), b
    inner = [term for term in sympy.Add.make_args(num) if isinstance(term, sympy.floor)]
    if len(inner) == 1:
        rest = num - inner[0]
        top, bottom = _split_fraction(inner[0].args[0])
        if top.is_integer and rest.is_integer and _is_positive_int(bottom):
            num, den = sympy.expand(top + rest * bottom), bottom * b
    if not den.is_Integer:
        return sympy.floor(num / den)
    # As SymPy's floor does: terms that stay integers after division move out,
    # everything else stays inside (so results have SymPy's canonical form).
    divisor = int(den)
    outside, inside = [], []
    for term in sympy.Add.make_args(num):
        coefficient, factor = term.as_coeff_Mul()
        if coefficient.is_Integer and int(coefficient) % divisor == 0 and factor.is_integer:
            outside.append(int(coefficient) // divisor * factor)
        else:
            inside.append(term)
    remaining = sympy.Add(*inside)
    if remaining.is_number or divisor == 1:
        return sympy.Add(*outside) + sympy.floor(remaining / divisor)
    return sympy.Add(*outside) + sympy.floor(remaining / divisor, evaluate=False)


def assume_divisible(expr: sympy.Expr, name: sympy.Symbol, divisor: int) -> sympy.Expr:
    """Rewrite ``expr`` assuming ``divisor`` divides ``name``, removing floors where possible."""
    quotient = sympy.Dummy(f"{name}_over_{divisor}", integer=True, positive=True)
    rewritten = collapse_floors(expr).xreplace({name: divisor * quotient})
    return sympy.expand(rewritten.xreplace({quotient: name / divisor}))


@lru_cache(maxsize=65536)
def at_least_one(size: sympy.Expr) -> sympy.Basic:
    """The condition ``size >= 1``, stated without floors when it can be.

    ``a*floor(N/d) + c >= 1`` (``a``, ``d`` > 0) holds exactly when
    ``floor(N/d) >= t`` with ``t = ceil((1 - c)/a)``, that is when ``N >= t*d``.
    Returns ``sympy.true``/``sympy.false`` when decidable.
    """
    if size.is_Integer:
        return sympy.true if size >= 1 else sympy.false
    size = sympy.expand(size, deep=False)  # the top-level terms; nested floors stay as built (deep: superlinear)
    floors = [term for term in sympy.Add.make_args(size) if term.has(sympy.floor)]
    if len(floors) == 1:
        scale, node = floors[0].as_coeff_Mul()
        constant = size - floors[0]
        if isinstance(node, sympy.floor) and scale.is_Integer and scale > 0 and constant.is_Integer:
            num, den = _split_fraction(node.args[0])
            if _is_positive_int(den) and num.is_integer:
                threshold = -((constant - 1) // scale)  # ceil((1 - c)/a), exactly
                return tidy(sympy.Ge(num, threshold * den))
    return tidy(sympy.Ge(size, 1))


def tidy(relation: sympy.Basic) -> sympy.Basic:
    """Move everything but one symbol's term to the right: ``H - 4 >= 1`` -> ``H >= 5``."""
    if relation in (sympy.true, sympy.false) or not isinstance(relation, sympy.Ge):
        return relation
    lhs = sympy.expand(relation.lhs - relation.rhs)
    const = lhs.as_coeff_Add()[0]
    return sympy.Ge(lhs - const, -const)


@lru_cache(maxsize=65536)
def decide(relation: sympy.Basic) -> sympy.Basic:
    """Try to settle a relation containing one floor, for every integer value.

    ``floor(N/d)`` equals ``N/d - t`` for some ``t`` in ``[0, (d-1)/d]``.  A
    linear relation that holds (or fails) at both ends of that range holds
    (or fails) for every value in it, hence for every integer ``N``.
    """
    if relation in (sympy.true, sympy.false) or not isinstance(relation, sympy.core.relational.Relational):
        return relation
    if isinstance(relation, sympy.Eq | sympy.Ne):
        # Equality is not settled at the two ends: it may fail at both and hold in between
        # (3*floor(H/3) == H - 1 at H = 4).  It fails everywhere when one side is always larger.
        lhs, rhs = relation.lhs, relation.rhs
        if sympy.true in (decide(sympy.Gt(lhs, rhs)), decide(sympy.Lt(lhs, rhs))):
            return sympy.false if isinstance(relation, sympy.Eq) else sympy.true
        return relation
    floors = relation.atoms(sympy.floor)
    if len(floors) != 1:
        return relation
    (node,) = floors
    num, den = _split_fraction(node.args[0])
    if not (den.is_Integer and num.is_integer):
        return relation
    t = sympy.Dummy("t")
    relaxed = relation.xreplace({node: num / den - t})
    if not relaxed.lhs.has(t) and not relaxed.rhs.has(t):
        return relation
    ends = {relaxed.xreplace({t: 0}), relaxed.xreplace({t: (den - 1) / den})}
    if not (relaxed.lhs - relaxed.rhs).diff(t).is_number:
        return relation
    return ends.pop() if len(ends) == 1 and ends <= {sympy.true, sympy.false} else relation
