"""Exact floor simplification: collapse_floors, assume_divisible, decide, at_least_one.

The invariant throughout: a simplified form equals the unsimplified one.  Unsimplified
nested floors are built here directly with ``sympy.floor`` (never through symcnn) and
compared with symcnn's forms at sampled integers.
"""

from __future__ import annotations

from functools import reduce

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import symcnn
from symcnn import Conv2d, MaxPool2d
from symcnn.exact.simplify import assume_divisible, at_least_one, collapse_floors, decide, floor_div

H, W = symcnn.symbols("H W")
floor = sympy.floor

FAST = settings(max_examples=60, deadline=None)


def nested_floors(expr: sympy.Expr) -> int:
    """Depth of floor nesting in ``expr``."""
    if not expr.args:
        return 0
    inner = max(nested_floors(arg) for arg in expr.args)
    return inner + 1 if isinstance(expr, sympy.floor) else inner


def at(expr: sympy.Basic, **values: int) -> sympy.Basic:
    mapping = {symcnn.symbols(name): sympy.Integer(value) for name, value in values.items()}
    return expr.xreplace(mapping)


# --------------------------------------------------------------------- collapse_floors on networks

STEM = (Conv2d(out_channels=64, kernel_size=7, stride=2, padding=3), MaxPool2d(3, stride=2, padding=1))
DOWN = Conv2d(out_channels=64, kernel_size=3, stride=2, padding=1)


def test_resnet_stem_is_one_floor() -> None:
    net = symcnn.Sequential(symcnn.Input(3, H, W), *STEM)
    d = net.derive()
    assert d.output_shape == (64, floor((H - 1) / 4) + 1, floor((W - 1) / 4) + 1)
    # unsimplified, by hand: floor((floor((H + 6 - 7)/2) + 1 + 2 - 3)/2) + 1
    by_hand = floor((floor((H + 2 * 3 - 7) / 2) + 1 + 2 * 1 - 3) / 2) + 1
    assert nested_floors(by_hand) == 2
    assert collapse_floors(by_hand) == floor((H - 1) / 4) + 1
    assert all(at(by_hand, H=h) == (h - 1) // 4 + 1 for h in range(1, 300))
    assert d.conditions == ()  # every H >= 1 works


def test_five_stride_two_stages() -> None:
    net = symcnn.Sequential(symcnn.Input(3, H, W), *STEM, DOWN, DOWN, DOWN)
    d = net.derive()
    assert d.output_shape == (64, floor((H - 1) / 32) + 1, floor((W - 1) / 32) + 1)
    for row in d.layers:
        for size in row.output_shape:
            assert nested_floors(size) <= 1


def test_assume_divisible_removes_the_floor() -> None:
    net = symcnn.Sequential(symcnn.Input(3, H, W), *STEM, DOWN, DOWN, DOWN)
    d = net.derive(assume={"H": 32})
    assert d.output_shape == (64, H / 32, floor((W - 1) / 32) + 1)
    both = net.derive(assume={"H": 32, "W": 32})
    assert both.output_shape == (64, H / 32, W / 32)
    assert symcnn.derive(net, assume=["H%32==0", "32|W"]).output_shape == (64, H / 32, W / 32)
    # the stem alone: H/4 for H divisible by 32
    assert symcnn.Sequential(symcnn.Input(3, H, W), *STEM).derive(assume={"H": 32}).output_shape[1] == H / 4
    # and the values agree with the unsimplified network for multiples of 32
    plain = net.derive()
    for h in range(32, 32 * 12, 32):
        assert at(both.output_shape[1], H=h) == at(plain.output_shape[1], H=h) == h // 32


def test_assume_divisible_directly() -> None:
    assert assume_divisible(floor((H - 1) / 32) + 1, H, 32) == H / 32
    assert assume_divisible(floor(H / 2) + floor(H / 4), H, 4) == 3 * H / 4
    assert assume_divisible(floor(H / 64), H, 32) == floor(H / 64)  # 32 | H says nothing about H/64
    assert assume_divisible(floor(W / 2), H, 32) == floor(W / 2)


# kernel, stride, padding, dilation
stage = st.tuples(st.integers(1, 7), st.integers(1, 4), st.integers(0, 3), st.integers(1, 3))


@FAST
@given(st.lists(stage, min_size=1, max_size=6), st.lists(st.integers(1, 400), min_size=5, max_size=5))
def test_collapsed_chain_equals_nested_floors(stages: list[tuple[int, int, int, int]], heights: list[int]) -> None:
    """A chain of strided windows: the nested floors built by hand equal their collapse and the network's size."""

    def one(x: sympy.Expr, hyper: tuple[int, int, int, int]) -> sympy.Expr:
        k, s, p, d = hyper
        return floor((x + 2 * p - d * (k - 1) - 1) / s) + 1

    nested = reduce(one, stages, H)
    collapsed = collapse_floors(nested)
    assert nested_floors(collapsed) <= 1
    layers = [Conv2d(out_channels=2, kernel_size=k, stride=s, padding=p, dilation=d) for k, s, p, d in stages]
    derived = symcnn.Sequential(symcnn.Input(1, H, W), *layers).derive().output_shape[1]
    assert nested_floors(derived) <= 1
    for h in heights:
        want = h
        for k, s, p, d in stages:
            want = (want + 2 * p - d * (k - 1) - 1) // s + 1
        assert at(nested, H=h) == want
        assert at(collapsed, H=h) == want
        assert at(derived, H=h) == want


linear = st.tuples(st.integers(-4, 4), st.integers(-20, 20))  # a*H + b
fraction = st.builds(sympy.Rational, st.integers(-6, 6), st.integers(1, 6))


@st.composite
def floor_expressions(draw: st.DrawFn, depth: int = 3) -> sympy.Expr:
    """floor((c*inner + a*H + b + r)/n) with random integer or rational c, a, b, r, nested up to ``depth``."""
    a, b = draw(linear)
    m = draw(st.integers(1, 7))
    expr = floor((a * H + b) / m)
    for _ in range(draw(st.integers(0, depth - 1))):
        c = draw(st.one_of(st.integers(-3, 3), fraction))
        a, b = draw(linear)
        r = draw(st.one_of(st.just(sympy.Integer(0)), fraction))
        n = draw(st.integers(1, 7))
        expr = floor((c * expr + a * H + b + r) / n) + draw(st.integers(-3, 3))
    return expr


@settings(max_examples=100, deadline=None)
@given(floor_expressions())
def test_collapse_floors_is_exact_on_arbitrary_nestings(expr: sympy.Expr) -> None:
    collapsed = collapse_floors(expr)
    for h in range(1, 40):
        assert at(collapsed, H=h) == at(expr, H=h), (expr, collapsed, h)


def test_collapse_floors_leaves_what_it_cannot_prove() -> None:
    # the inner floor scaled by 2: the identity does not apply, nothing changes
    scaled = floor((2 * floor(H / 2) + 1) / 4)
    assert collapse_floors(scaled) == scaled
    # a non-integer shift: floor((floor(H/2) + 1/2)/2) is not floor((H + 1)/4) (H = 3)
    shifted = floor((floor(H / 2) + sympy.Rational(1, 2)) / 2)
    assert at(collapse_floors(shifted), H=3) == at(shifted, H=3) == 0
    # a genuinely collapsible one
    assert collapse_floors(floor((floor(H / 3) + 2) / 5)) == floor((H + 6) / 15)
    assert collapse_floors(H + 1) == H + 1


def test_floor_div() -> None:
    assert floor_div(floor((H - 1) / 2) + 1 - 1, 2) == floor((H - 1) / 4)
    assert floor_div(7, 2) == 3
    assert floor_div(H, 1) == H


# --------------------------------------------------------------------- decide


@pytest.mark.parametrize(
    "relation",
    [
        sympy.Ge(floor(H / 2), 0),
        sympy.Le(2 * floor(H / 2), H),
        sympy.Gt(3 * floor((H + 2) / 3), H - 1),  # 3*floor(x/3) > x - 3
        sympy.Ge(floor((H - 1) / 4) + 1, 1),
        sympy.Ne(2 * floor(H / 2), H + 1),  # 2*floor(H/2) is H or H - 1
    ],
)
def test_decide_true(relation: sympy.Basic) -> None:
    assert decide(relation) is sympy.true
    assert all(at(relation, H=h) == sympy.true for h in range(1, 100))


@pytest.mark.parametrize(
    "relation",
    [
        sympy.Lt(floor(H / 2), 0),
        sympy.Ge(2 * floor(H / 2), H + 1),
        sympy.Gt(5 * floor(H / 5), H),
        sympy.Eq(2 * floor(H / 2), H + 1),
    ],
)
def test_decide_false(relation: sympy.Basic) -> None:
    assert decide(relation) is sympy.false
    assert all(at(relation, H=h) == sympy.false for h in range(1, 100))


@pytest.mark.parametrize(
    "relation",
    [
        sympy.Ge(floor(H / 2), 3),  # depends on H
        sympy.Ge(floor(H / 2) - floor(W / 3), 0),  # two floors
        sympy.Ge(H * floor(H / 2), 4),  # not linear in the floor
        sympy.Ge(floor(H / W), 1),  # symbolic divisor
        # equality may fail at both ends of floor's range yet hold in between: H = 4, 7, 10, ...
        sympy.Eq(3 * floor(H / 3), H - 1),
        sympy.Ne(3 * floor(H / 3), H - 1),
        sympy.Eq(floor(H / 2), 5),
    ],
)
def test_decide_undecidable(relation: sympy.Basic) -> None:
    assert decide(relation) == relation
    values = {at(relation, H=h, W=w) for h in range(1, 40) for w in range(1, 5)}
    assert values == {sympy.true, sympy.false}  # really undecidable: both outcomes occur


def test_decide_passes_through_non_relations() -> None:
    assert decide(sympy.true) is sympy.true
    assert decide(sympy.false) is sympy.false
    assert decide(sympy.Ge(H, 1)) is sympy.true  # SymPy settles it itself
    either = sympy.Or(sympy.Lt(H, 3), sympy.Lt(W, 2))
    assert decide(either) == either


relations = st.sampled_from([sympy.Ge, sympy.Gt, sympy.Le, sympy.Lt, sympy.Eq, sympy.Ne])


@settings(max_examples=150, deadline=None)
@given(
    relations,
    st.integers(-4, 4),
    st.integers(-3, 3),
    st.integers(-10, 10),
    st.integers(1, 6),
    st.integers(-3, 3),
    st.integers(-12, 12),
)
def test_decide_is_sound(relation, c: int, a: int, b: int, m: int, e: int, f: int) -> None:  # type: ignore[no-untyped-def]
    """relation(c*floor((a*H + b)/m), e*H + f): when decide settles it, every H agrees."""
    made = relation(c * floor((a * H + b) / m), e * H + f)
    settled = decide(made)
    if settled in (sympy.true, sympy.false):
        for h in range(1, 80):
            assert at(made, H=h) == settled, (made, h)


# --------------------------------------------------------------------- at_least_one


def test_at_least_one_true() -> None:
    assert at_least_one(floor((H - 1) / 4) + 1) is sympy.true
    assert at_least_one(sympy.Integer(3)) is sympy.true
    assert at_least_one(H) is sympy.true
    assert at_least_one(floor(H / 2) + 1) is sympy.true


def test_at_least_one_false() -> None:
    assert at_least_one(sympy.Integer(0)) is sympy.false
    assert at_least_one(sympy.Integer(-3)) is sympy.false
    assert at_least_one(floor(H / 2) - floor(H / 2)) is sympy.false


def test_at_least_one_conditions_without_floors() -> None:
    assert at_least_one(H - 4) == sympy.Ge(H, 5)
    assert at_least_one(floor(H / 2) - 2) == sympy.Ge(H, 6)  # floor(H/2) >= 3 <=> H >= 6
    assert at_least_one(floor((H - 5) / 3) + 1) == sympy.Ge(H, 5)
    for h in range(1, 30):
        assert (h // 2 - 2 >= 1) == (h >= 6)


def test_at_least_one_undecidable() -> None:
    two = at_least_one(floor(H / 2) - floor(W / 3))
    assert two not in (sympy.true, sympy.false)
    assert two.has(sympy.floor)
    symbolic_shift = at_least_one(floor(H / 2) - W)
    assert symbolic_shift not in (sympy.true, sympy.false)


@settings(max_examples=100, deadline=None)
@given(st.integers(-3, 4), st.integers(-20, 20), st.integers(1, 8), st.integers(-5, 5), st.integers(-3, 3))
def test_at_least_one_is_exact(a: int, b: int, m: int, c: int, e: int) -> None:
    """at_least_one(size) at H = h is exactly size(h) >= 1."""
    size = floor((a * H + b) / m) + e * W + c if e else floor((a * H + b) / m) + c
    condition = at_least_one(size)
    for h in range(1, 40):
        for w in (1, 2, 5):
            assert at(condition, H=h, W=w) == sympy.sympify(at(size, H=h, W=w) >= 1), (size, condition, h, w)
