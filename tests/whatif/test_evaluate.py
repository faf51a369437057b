"""The exact evaluator: agreement with SymPy's own exact arithmetic, int64 only where it is safe."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symcnn import symbols
from symcnn.whatif.evaluate import Formula, Predicate, batch_fits_int64, evaluate

H, W, k, s = symbols("H W k s")
NAMES = ["H", "W", "k", "s"]


def exact(expr, values):
    """SymPy's value at one point (exact rational arithmetic, floors evaluated by SymPy)."""
    return expr.xreplace({symbol: sympy.Integer(values[symbol.name]) for symbol in expr.free_symbols})


def test_lambdify_loses_the_answer_we_keep():
    size = sympy.floor((H - 1) / 32) + 1
    huge = 2**60 + 31
    floating = sympy.lambdify(H, size)(huge)
    assert float(floating) != 36028797018963969 or int(floating) != 36028797018963969
    assert Formula(size, ["H"])({"H": np.array([huge])}).tolist() == [36028797018963969]


EXPRESSIONS = [
    sympy.floor((H - 1) / 32) + 1,
    sympy.ceiling((H + 2 * k - 3) / 4) * (sympy.floor(W / 2) + 1),
    18 * k**2 * (sympy.floor(H / 4 - sympy.Rational(1, 4)) + 1) + 152 * k,
    sympy.floor((H + sympy.Min(0, s - 3) - 1) / s) + 1,
    sympy.Mod(H, 7) * k + sympy.Mod(-W, 5),
    sympy.Max(H - 2 * W, k) - sympy.Min(H, 3 * s),
    sympy.Piecewise((H * k, H > W), (W * 2, True)),
    (k * (k - 1)) / 2 + sympy.floor(H * W / (s + 1)),
    sympy.Rational(7, 20) * k * 20,
    sympy.floor(sympy.floor((H - 1) / 2) / 3) ** 2,
]


@pytest.mark.parametrize("expr", EXPRESSIONS, ids=str)
@settings(max_examples=40, deadline=None)
@given(
    values=st.fixed_dictionaries(
        {
            "H": st.one_of(st.integers(1, 10**4), st.integers(2**62, 2**80)),
            "W": st.integers(1, 10**4),
            "k": st.one_of(st.integers(1, 100), st.integers(2**40, 2**45)),
            "s": st.integers(1, 9),
        }
    )
)
def test_agrees_with_sympy(expr, values):
    compiled = Formula(expr, NAMES)
    result = compiled({name: np.array([value], dtype=object) for name, value in values.items()})
    assert int(result[0]) == exact(expr, values)


@pytest.mark.parametrize("expr", EXPRESSIONS, ids=str)
def test_vectorised_batches_agree_point_by_point(expr):
    rng = np.random.default_rng(7)
    values = {
        "H": rng.integers(1, 5000, size=300),
        "W": rng.integers(1, 5000, size=300),
        "k": rng.integers(1, 300, size=300),
        "s": rng.integers(1, 9, size=300),
    }
    (result,), _ = evaluate([Formula(expr, NAMES)], values)
    assert result.dtype == np.int64  # small values: the fast path
    for i in range(0, 300, 23):
        assert int(result[i]) == exact(expr, {name: int(array[i]) for name, array in values.items()})


def test_int64_is_refused_where_an_intermediate_could_overflow():
    product = Formula(H * W * k, ["H", "W", "k"])
    assert batch_fits_int64([product.node], {"H": 2**20, "W": 2**20, "k": 2**20})
    assert not batch_fits_int64([product.node], {"H": 2**22, "W": 2**22, "k": 2**20})
    values = {"H": np.array([2**22, 5]), "W": np.array([2**22, 7]), "k": np.array([2**20, 3])}
    result = product(values)
    assert result.dtype == object and result.tolist() == [2**64, 105]
    forced = evaluate([product], values, exact=False)[0][0]
    assert forced.tolist()[0] != 2**64  # what int64 would have answered: why the check exists


def test_predicates_and_conditions():
    relation = sympy.Eq(sympy.floor((H - 1) / 2) + 1, sympy.floor(H / 2))
    truth = Predicate(relation, ["H"])({"H": np.arange(1, 9)})
    assert truth.tolist() == [bool(exact(relation, {"H": h})) for h in range(1, 9)]
    both = Predicate(sympy.And(H >= 3, sympy.Or(W < 2, sympy.Not(sympy.Eq(sympy.Mod(H, 2), 0)))), ["H", "W"])
    assert both({"H": np.array([2, 3, 4, 4]), "W": np.array([1, 5, 1, 5])}).tolist() == [False, True, True, False]


def test_division_by_zero_is_reported_as_undefined():
    formula = Formula(sympy.floor(H / (s - 2)), ["H", "s"])
    (result,), undefined = evaluate([formula], {"H": np.array([9, 9, 9]), "s": np.array([1, 2, 5])})
    assert undefined.tolist() == [False, True, False]
    assert result[0] == -9 and result[2] == 3


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 2**45), min_size=1, max_size=50), st.integers(8, 4096))
def test_mixed_width_batches_are_exact(widths: list[int], height: int) -> None:
    """Beyond int64 only at the top: the sizes in int64, the products in Python integers, all exact."""
    H, k = sympy.symbols("H k", integer=True, positive=True)
    side = sympy.floor((H - 3) / 2) + 1
    expr = 18 * k**2 * side**2 + 20 * k * side**2 + sympy.Max(k, H) * sympy.floor(side / 3)
    f = Formula(expr, ["H", "k"])
    found = f({"H": np.full(len(widths), height, dtype=np.int64), "k": np.array(widths, dtype=np.int64)})
    assert [int(value) for value in found] == [int(expr.subs({H: height, k: width})) for width in widths]
