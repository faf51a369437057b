"""solve: every answer checked by brute force with Derivation.subs (the engine's own checks)."""

from __future__ import annotations

import operator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symcnn import (
    Add,
    AvgPool2d,
    Conv2d,
    Graph,
    Input,
    MaxPool2d,
    Permute,
    Sequential,
    ShapeError,
    SpecError,
    minimum_input_size,
)
from symcnn.exact.formula import parse_relation
from symcnn.whatif import quantity, solve

OPS = {"<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt, "==": operator.eq}


def meets(d, name: str, value: int, bound: str | None, fixed: dict) -> bool:
    """Directly: the substitution is legal and the quantity meets the bound."""
    try:
        at = d.subs({**fixed, name: value})
    except (ShapeError, SpecError):
        return False
    if bound is None:
        return True
    op, left, right = parse_relation(bound)
    return OPS[op](int(quantity(at, str(left))), int(right))


def brute(d, name: str, bound: str | None, fixed: dict, low: int, high: int) -> list[int]:
    return [v for v in range(low, high + 1) if meets(d, name, v, bound, fixed)]


def check_against_brute_force(d, name, bound, fixed, goal, high, low=1):
    answer = solve(d, bound, fixed=fixed, **{goal: name})
    found = brute(d, name, bound, fixed, low, max(high, (answer.value or 0) + 50))
    if not found:
        assert answer.value is None and answer.status == "none"
        return answer
    expected = found[-1] if goal == "largest" else found[0]
    assert answer.status == "found" and answer.value == expected
    # the value satisfies, the next one does not
    assert meets(d, name, answer.value, bound, fixed)
    after = answer.value + 1 if goal == "largest" else answer.value - 1
    assert not meets(d, name, after, bound, fixed)
    return answer


def strided() -> Sequential:
    return Sequential(
        Input(3, "H", "W"),
        Conv2d(out_channels="k", kernel_size=7, stride=2, padding=3),
        MaxPool2d(3, stride=2, padding=1),
        Conv2d(out_channels="2*k", kernel_size=3, stride=2, padding=1),
    )


@pytest.mark.parametrize(
    ("bound", "goal"),
    [
        ("output_shape[1] <= 10", "largest"),
        ("output_shape[1] >= 10", "smallest"),
        ("output_shape[1] == 7", "largest"),
        ("output_shape[1] == 7", "smallest"),
        ("macs <= 2e6", "largest"),
        ("macs > 1e6", "smallest"),
    ],
)
def test_floors_of_strided_layers(bound, goal):
    d = strided().derive()
    answer = check_against_brute_force(d, "H", bound, {"W": 64, "k": 4}, goal, high=400)
    assert answer.complete and answer.value is not None


def test_width_under_a_parameter_budget():
    d = strided().derive()
    answer = check_against_brute_force(d, "k", "params <= 20e3", {"H": 64, "W": 64}, "largest", high=200)
    assert answer.quantity_at_value <= 20_000 < answer.quantity_at_next


@pytest.mark.parametrize(
    "pool",
    [
        MaxPool2d(3, stride=2, ceil_mode=True),
        MaxPool2d(2, stride=2, padding=1, ceil_mode=True),
        AvgPool2d(3, stride=3, padding=1, ceil_mode=True),
    ],
)
@pytest.mark.parametrize(("bound", "goal"), [("output_shape[1] <= 6", "largest"), ("output_shape[2] >= 9", "smallest")])
def test_ceil_mode_pools(pool, bound, goal):
    d = Sequential(Input(2, "H", "W"), pool, MaxPool2d(2, ceil_mode=True)).derive()
    check_against_brute_force(
        d, "H" if "[1]" in bound else "W", bound, {"W": 20} if "[1]" in bound else {"H": 20}, goal, 200
    )


def test_symbolic_stride_of_a_ceil_mode_pool_goes_through_min():
    d = Sequential(Input(1, 50, 50), MaxPool2d(3, stride="s", ceil_mode=True)).derive()
    assert any("Min" in str(size) for size in d.output_shape)
    for bound in ("output_shape[1] >= 7", "output_shape[1] >= 2", "output_shape[1] == 9"):
        check_against_brute_force(d, "s", bound, {}, "largest", high=120)
        check_against_brute_force(d, "s", bound, {}, "smallest", high=120)


def test_inverse_layer_questions():
    same = Sequential(Input(3, 32, 32), Conv2d(out_channels=8, kernel_size=5, padding="p")).derive()
    answer = check_against_brute_force(same, "p", "output_shape[1] == 32", {}, "smallest", high=20, low=0)
    assert answer.value == 2  # the padding that keeps the size
    stride = Sequential(Input(3, 224, 224), Conv2d(out_channels=8, kernel_size=3, stride="s")).derive()
    assert check_against_brute_force(stride, "s", "output_shape[1] == 28", {}, "largest", high=300).value == 8
    assert check_against_brute_force(stride, "s", "output_shape[1] == 30", {}, "largest", high=300).status == "none"
    kernel = Sequential(Input(3, 224, 224), Conv2d(out_channels=8, kernel_size="n")).derive()
    assert check_against_brute_force(kernel, "n", "conv2d.output_shape[2] == 220", {}, "smallest", high=300).value == 5


def even_only() -> Graph:
    """Needs H >= 7 and H even: not monotone (floor((H-1)/2) + 1 == floor(H/2))."""
    x = Input(1, "H", "W")
    strided = Conv2d(out_channels=1, kernel_size=1, stride=2)(x)
    pooled = MaxPool2d(2)(x)
    wide = Conv2d(out_channels=1, kernel_size=7)(x)
    return Graph(x, [Add()(strided, pooled), wide])


def test_non_monotone_condition_is_searched_value_by_value():
    d = even_only().derive()
    for goal, bound in [("smallest", None), ("smallest", "activations >= 400"), ("largest", "activations <= 400")]:
        answer = solve(d, bound, fixed={"W": 8}, **{goal: "H"}, limit=500)
        found = brute(d, "H", bound, {"W": 8}, 1, 500)
        assert answer.value == (found[0] if goal == "smallest" else found[-1])
        assert answer.value % 2 == 0
        assert any("not proved monotone" in note for note in answer.notes)


def test_non_monotone_quantity_searched_within_the_limit():
    d = Sequential(Input(3, 8, 8), Conv2d(out_channels="k*(k % 3 + 1)", kernel_size=3)).derive()
    answer = solve(d, "params <= 5000", largest="k", limit=600)
    found = brute(d, "k", "params <= 5000", {}, 1, 600)
    assert answer.value == found[-1] and not answer.complete
    assert any("above 600 were not searched" in note for note in answer.notes)
    smallest = solve(d, "params >= 5000", smallest="k", limit=600)
    assert smallest.value == brute(d, "k", "params >= 5000", {}, 1, 600)[0]


def test_unbounded_none_and_every():
    d = strided().derive()
    unbounded = solve(d, "params <= 1e6", largest="H", fixed={"W": 64, "k": 4})
    assert unbounded.status == "unbounded" and unbounded.value is None and unbounded.every
    assert meets(d, "H", 10**6, "params <= 1e6", {"W": 64, "k": 4})
    smallest = solve(d, "params <= 1e6", smallest="H", fixed={"W": 64, "k": 4})
    assert smallest.every and smallest.value == minimum_input_size(d, "H", W=64, k=4)
    none = solve(d, "params <= 10", smallest="H", fixed={"W": 64, "k": 4})
    assert none.status == "none" and none.value is None
    assert not brute(d, "H", "params <= 10", {"W": 64, "k": 4}, 1, 100)


def test_huge_answers_are_exact():
    d = strided().derive()
    answer = solve(d, "macs >= 10**40", smallest="H", fixed={"W": 64, "k": 4})
    assert answer.value > 2**64
    assert int(d.subs(H=answer.value, W=64, k=4).totals.macs) >= 10**40
    assert int(d.subs(H=answer.value - 1, W=64, k=4).totals.macs) < 10**40


def square_only() -> Graph:
    x = Input(2, "H", "W")
    y = Conv2d(out_channels=2, kernel_size=3)(x)
    return Graph(x, Add()(y, Permute((0, 1, 3, 2))(y)))


@pytest.mark.parametrize(
    ("network", "fixed"),
    [
        (strided, {}),
        (even_only, {}),
        (square_only, {"W": 9}),
        (lambda: Sequential(Input(3, "H", "W"), MaxPool2d(3, stride=2)), {}),
        (lambda: Sequential(Input(3, 8, 8), Conv2d(out_channels=4, kernel_size=5, padding="p")), {}),
    ],
)
def test_minimum_input_size_is_the_case_without_a_bound(network, fixed):
    d = network().derive()
    name = "p" if "p" in {s.name for s in d.free_symbols} else "H"
    assert solve(d, None, smallest=name, fixed=fixed).value == minimum_input_size(d, name, fixed)


def test_bad_questions():
    d = strided().derive()
    with pytest.raises(SpecError, match="exactly one"):
        solve(d, "params <= 1", largest="k", smallest="k")
    with pytest.raises(SpecError, match="no symbol 'K'"):
        solve(d, "params <= 1", largest="K")
    with pytest.raises(SpecError, match="give a value"):
        solve(d, "macs <= 1e6", largest="k", fixed={"H": 64})
    with pytest.raises(SpecError, match="do not give its value"):
        solve(d, "params <= 1", largest="k", fixed={"k": 3})
    with pytest.raises(SpecError, match="did you mean params"):
        solve(d, "parms <= 1", largest="k")
    with pytest.raises(SpecError, match="must be a positive integer"):
        solve(d, "params <= 1e6", largest="k", fixed={"H": 64, "W": 0})
    with pytest.raises(ShapeError, match="branch sizes must match or be 1"):  # W = 7 alone breaks a condition
        solve(even_only().derive(), "activations <= 1e6", largest="H", fixed={"W": 7})


@settings(max_examples=25, deadline=None)
@given(
    kernel=st.integers(1, 5),
    stride=st.integers(1, 3),
    padding=st.integers(0, 2),
    ceil=st.booleans(),
    target=st.integers(1, 30),
    op=st.sampled_from(["<=", ">=", "=="]),
    goal=st.sampled_from(["largest", "smallest"]),
)
def test_random_pool_stacks_against_brute_force(kernel, stride, padding, ceil, target, op, goal):
    padding = min(padding, kernel // 2)  # PyTorch: padding at most half the kernel
    d = Sequential(
        Input(1, "H", 40),
        Conv2d(out_channels=2, kernel_size=kernel, stride=stride, padding=padding),
        MaxPool2d(kernel, stride=stride, padding=padding, ceil_mode=ceil),
    ).derive()
    bound = f"output_shape[1] {op} {target}"
    if (op == ">=" and goal == "largest") or (op == "<=" and goal == "smallest"):
        goal = "smallest" if goal == "largest" else "largest"  # keep the answer finite
    check_against_brute_force(d, "H", bound, {}, goal, high=200)
