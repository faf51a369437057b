"""``Derivation.subs``: the fast paths (totals compiled on the origin, shapes and conditions in Python ints)
give exactly what substituting with SymPy gives, errors and messages included (issue 21).

The reference, :func:`with_sympy`, substitutes every value with ``xreplace`` and ``collapse_floors``,
decides each condition with ``decide`` and reads the totals off the substituted origin totals; the
"eager" substitution reads every row before the totals, so they are the rows' sums.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import symcnn
from symcnn import Conv2d, Input, Linear, MaxPool2d, Sequential, ShapeError, SpecError, zoo
from symcnn.derivation.derivation import LazyRows
from symcnn.exact.printing import to_text
from symcnn.exact.simplify import collapse_floors, decide
from symcnn.exact.values import to_expr

H, W, k, c = symcnn.symbols("H W k c")


def with_sympy(d: symcnn.Derivation, **values: Any) -> dict[str, Any]:
    """What ``d.subs(**values)`` must give, by SymPy alone; ``{"error": (where, message)}`` for a violated condition."""
    by_name = {symbol.name: symbol for symbol in d.free_symbols}
    mapping = {by_name[name]: to_expr(value, name) for name, value in values.items()}

    def change(expr: sympy.Expr) -> sympy.Expr:
        return collapse_floors(expr.xreplace(mapping))

    conditions = []
    for condition in d.conditions:
        relation = decide(condition.relation.xreplace(mapping))
        if relation is sympy.false:
            shown = ", ".join(f"{symbol}={value}" for symbol, value in mapping.items())
            message = f"{condition.rule}, violated by {shown} (needs {to_text(condition.relation)})"
            return {"error": (condition.where, message)}
        if relation is not sympy.true:
            conditions.append((condition.where, condition.rule, relation))
    return {
        "totals": {name: change(total) for name, total in vars(d.totals).items()},
        "conditions": conditions,
        "input_shapes": tuple(tuple(change(size) for size in shape) for shape in d.input_shapes),
        "output_shapes": tuple(tuple(change(size) for size in shape) for shape in d.output_shapes),
    }


def substituted(d: symcnn.Derivation, **values: Any) -> dict[str, Any]:
    """``d.subs(**values)`` in the reference's terms (its totals read first, before any row)."""
    try:
        got = d.subs(**values)
    except ShapeError as error:
        return {"error": (error.where, error.message)}
    assert isinstance(got.rows, LazyRows) and not got.rows.materialised
    totals = {name: collapse_floors(total) for name, total in vars(got.totals).items()}
    return {
        "totals": totals,
        "conditions": [
            (condition.where, condition.rule, condition.relation)
            for condition in got.conditions
            if not condition.where.startswith("substitution ")
        ],
        "input_shapes": got.input_shapes,
        "output_shapes": got.output_shapes,
    }


def assert_as_sympy(d: symcnn.Derivation, **values: Any) -> None:
    """The fast substitution equals SymPy's, and (when valid) the eager one: totals as the rows' sums."""
    want, got = with_sympy(d, **values), substituted(d, **values)
    assert got.keys() == want.keys()
    if "error" in want:
        assert got == want
        return
    assert got["conditions"] == want["conditions"]
    assert got["input_shapes"] == want["input_shapes"]
    assert got["output_shapes"] == want["output_shapes"]
    for name, total in want["totals"].items():
        assert sympy.expand(got["totals"][name] - total) == 0, name
        if total.is_number:
            assert got["totals"][name] == total, name  # numbers: the same, not only equal after expanding
    eager = d.subs(**values)
    rows = list(eager.rows)  # every row read first: the totals are their sums
    assert eager.rows.materialised and len(rows) == len(d.rows)
    for name, total in vars(eager.totals).items():
        assert sympy.expand(total - got["totals"][name]) == 0, name


# --------------------------------------------------------------------- models


@cache
def alexnet() -> symcnn.Derivation:
    return zoo.alexnet().derive()  # eight conditions: H >= 7, ..., H >= 63


@cache
def resnet18() -> symcnn.Derivation:
    return zoo.resnet18().derive()


@cache
def small() -> symcnn.Derivation:
    """Conditions in H, W and k together: the kernel is a symbol."""
    return Sequential(
        Input(3, H, W), Conv2d(out_channels=k, kernel_size=5), MaxPool2d(2), Conv2d(out_channels=4, kernel_size=k)
    ).derive()


@cache
def residual() -> symcnn.Derivation:
    x = Input(3, H, W)
    stem = Conv2d(out_channels=k, kernel_size=7, stride=2, padding=3)(x)
    pooled = MaxPool2d(3, stride=2, padding=1, ceil_mode=True)(symcnn.ReLU()(stem))
    joined = symcnn.Add()(pooled, Conv2d(out_channels=k, kernel_size=3, padding=1)(pooled))
    flat = symcnn.Flatten()(symcnn.AdaptiveAvgPool2d(1)(joined))
    return symcnn.Graph(x, Linear(out_features=10)(flat)).derive()


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (alexnet, {"H": 224, "W": 224}),
        (alexnet, {"H": 63, "W": 64}),  # the largest bound, just met
        (alexnet, {"H": 62, "W": 224}),  # violated: the layer where 62 first fails
        (alexnet, {"H": 224, "W": 6}),
        (alexnet, {"H": 100}),  # partial: the W conditions stay
        (resnet18, {"H": 224, "W": 224}),
        (resnet18, {"H": 1, "W": 1}),
        (resnet18, {"W": 97}),
        (small, {"H": 40, "W": 41, "k": 3}),
        (small, {"H": 40, "W": 41}),  # the conditions on k stay
        (small, {"H": 12, "W": 40, "k": 5}),  # violated by the second conv
        (small, {"H": 4, "W": 40, "k": 1}),  # violated by the first
        (small, {"k": 2}),
        (small, {"k": "2*c"}),  # a formula value: SymPy's path
        (small, {"H": "W + 1", "k": 3}),
        (residual, {"H": 97, "W": 131, "k": 12}),
        (residual, {"H": 97, "W": 131}),
        (residual, {"H": 10**30, "W": 10**30 + 1, "k": 10**20}),  # big integers stay exact
    ],
)
def test_subs_equals_substituting_with_sympy(model: Any, values: dict[str, Any]) -> None:
    assert_as_sympy(model(), **values)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 300), st.integers(1, 300))
def test_random_sizes_equal_sympy_alexnet(h: int, w: int) -> None:
    assert_as_sympy(alexnet(), H=h, W=w)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 80), st.integers(1, 80), st.integers(1, 12), st.booleans())
def test_random_sizes_equal_sympy_with_a_symbolic_kernel(h: int, w: int, kernel: int, give_w: bool) -> None:
    values = {"H": h, "k": kernel, **({"W": w} if give_w else {})}
    assert_as_sympy(small(), **values)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 10**6), st.integers(1, 10**6), st.integers(1, 64))
def test_random_sizes_equal_sympy_residual(h: int, w: int, width: int) -> None:
    assert_as_sympy(residual(), H=h, W=w, k=width)


# --------------------------------------------------------------------- messages and what subs adds


def test_a_violated_condition_names_its_layer_and_the_values() -> None:
    """The messages as they were before the numeric paths (pinned: the CLI and users read them)."""
    with pytest.raises(ShapeError) as error:
        small().subs(H=12, W=40, k=5)
    assert str(error.value) == (
        "layer 3 (conv2d 'conv2d2'): output height must be ≥ 1, violated by H=12, W=40, k=5 "
        "(needs -k + floor(H/2) >= 2)"
    )
    with pytest.raises(ShapeError) as error:
        small().subs(H=4, W=40, k=1)
    assert str(error.value) == (
        "layer 1 (conv2d 'conv2d1'): output height must be ≥ 1, violated by H=4, W=40, k=1 (needs H >= 5)"
    )


def test_a_formula_value_adds_the_condition_it_leaves_open() -> None:
    got = small().subs(k="c - 1")
    added = [(item.where, item.rule, item.relation) for item in got.conditions if item.where.startswith("substitution")]
    assert added == [("substitution k=c - 1", "k must be ≥ 1", c >= 2)]


def test_unknown_names_list_every_symbol() -> None:
    """A name not among the input's symbols: the message lists all of them, those of the rows too."""
    unknown = r"^cannot substitute q: the derivation has no symbol 'q' \(its symbols: H, W, k\)$"
    with pytest.raises(SpecError, match=unknown):
        small().subs(H=40, q=3)
    with pytest.raises(SpecError, match=r"^cannot substitute k=0: k must be a positive integer, got 0$"):
        small().subs(H=40, k=0)


def test_divisibility_assumptions_are_checked_at_numbers() -> None:
    assumed = alexnet().assuming({H: 32})
    assert assumed.subs(H=224, W=224).totals == alexnet().subs(H=224, W=224).totals
    with pytest.raises(SpecError, match=r"^cannot substitute H=225: this derivation assumes 32 divides H$"):
        assumed.subs(H=225)
    formula = assumed.subs(H="2*k")
    assert [item.rule for item in formula.conditions if item.where.startswith("substitution")] == ["32 must divide H"]


def test_the_compiled_totals_are_kept_on_the_origin() -> None:
    symbolic = residual()
    first = symbolic.subs(H=97, W=131, k=12).totals
    evaluator = symbolic._totals_evaluator
    assert evaluator is not None
    assert symbolic.subs(H=97, W=131, k=12).totals == first
    assert symbolic._totals_evaluator is evaluator  # built once
