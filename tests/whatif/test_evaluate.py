"""The exact evaluator: agreement with SymPy's own exact arithmetic, int64 only where it is safe."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy
from hypothesis import example, given, settings
from hypothesis import strategies as st

from symcnn import symbols
from symcnn.whatif.evaluate import Distinct, Formula, Predicate, batch_fits_int64, evaluate

H, W, k, s = symbols("H W k s")
NAMES = ["H", "W", "k", "s"]


def exact(expr, values):
    """SymPy's value at one point (exact rational arithmetic, floors evaluated by SymPy).

    ``doit``: a part without symbols drawn unevaluated (``Max(0, 1)``) is not rebuilt by ``xreplace``.
    """
    return expr.xreplace({symbol: sympy.Integer(values[symbol.name]) for symbol in expr.free_symbols}).doit()


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


a, b, c = sympy.symbols("a b c", integer=True)  # any sign: floors and Mods of negatives too
ATOMS = st.one_of(
    st.sampled_from([a, b, c]),
    st.integers(-9, 9).map(sympy.Integer),
    st.sampled_from([2**62, 2**63 - 1, 2**63, -(2**63), 2**64 + 3]).map(sympy.Integer),
)
DIVISORS = st.sampled_from([2, 3, 7, 32, -5, 2**31, 2**63 + 1])
FRACTIONS = st.sampled_from([sympy.Rational(1, 4), sympy.Rational(-3, 8)])


def _extend(parts: st.SearchStrategy) -> st.SearchStrategy:
    pairs = st.tuples(parts, parts)
    return st.one_of(
        pairs.map(lambda p: p[0] + p[1]),
        pairs.map(lambda p: p[0] - p[1]),
        pairs.map(lambda p: p[0] * p[1]),
        parts.map(lambda x: x**2),
        st.tuples(parts, DIVISORS).map(lambda p: sympy.floor(p[0] / p[1])),
        st.tuples(parts, DIVISORS).map(lambda p: sympy.ceiling(p[0] / p[1])),
        st.tuples(parts, DIVISORS).map(lambda p: sympy.Mod(p[0], p[1])),
        st.tuples(parts, FRACTIONS).map(lambda p: sympy.floor(p[1] * p[0])),
        pairs.map(lambda p: sympy.Min(*p)),
        pairs.map(lambda p: sympy.Max(*p)),
    )


FORMULAS = st.recursive(ATOMS, _extend, max_leaves=8)
AXIS_VALUES = st.lists(
    st.one_of(
        st.integers(-300, 300),
        st.integers(2**31 - 3, 2**31 + 3),
        st.integers(2**63 - 3, 2**63 + 3),
        st.integers(-(2**63) - 3, -(2**63) + 3),
        st.integers(-(2**70), 2**70),
    ),
    min_size=1,
    max_size=4,
)


def _grid(*axes: list[int]) -> dict[str, np.ndarray]:
    """Each axis along its own dimension, int64 when its values fit (as sweeps give them)."""
    made = {}
    for i, (name, values) in enumerate(zip("abc", axes, strict=True)):
        fits = all(abs(value) <= 2**63 - 1 for value in values)
        shape = [1] * len(axes)
        shape[i] = len(values)
        made[name] = np.array(values, dtype=np.int64 if fits else object).reshape(shape)
    return made


@settings(max_examples=150, deadline=None)
@given(FORMULAS, AXIS_VALUES, AXIS_VALUES, AXIS_VALUES)
def test_random_formulas_on_broadcast_grids_agree_with_sympy(expr, xs, ys, zs):
    """Near and past 2**63, negative intermediates, floors of negatives: every entry exact."""
    formula = Formula(expr, ["a", "b", "c"])
    (found,), undefined = evaluate([formula], _grid(xs, ys, zs))
    assert undefined is None and found.shape == (len(xs), len(ys), len(zs))
    for (i, x), (j, y), (k_, z) in itertools.product(enumerate(xs), enumerate(ys), enumerate(zs)):
        assert int(found[i, j, k_]) == exact(expr, {"a": x, "b": y, "c": z}), (x, y, z)
    flat = {name: np.broadcast_to(v, found.shape).ravel() for name, v in _grid(xs, ys, zs).items()}
    assert formula(flat).tolist() == found.ravel().tolist()  # the flat batch: the same numbers


def test_a_grid_computes_each_term_once_per_value_of_its_axes():
    """Broadcast values: a polynomial in k is computed per width, not per configuration."""
    poly = Formula(7 * k**2 + 3 * k, ["H", "k"])
    values = {"k": np.array([2**40, 2**41, 5], dtype=np.int64).reshape(3, 1), "H": np.arange(1, 1001).reshape(1, -1)}
    (widths, total), _ = evaluate([poly, Formula(poly.expr * (sympy.floor((H - 1) / 2) + 1), ["H", "k"])], values)
    assert widths.dtype == object and widths.shape == (3, 1000)
    assert widths.strides[1] == 0  # one Python integer per width, broadcast along H
    assert widths[:, 0].tolist() == [7 * w * w + 3 * w for w in (2**40, 2**41, 5)]
    assert total.strides[1] != 0 and int(total[1, 999]) == (7 * 2**82 + 3 * 2**41) * 500


def test_an_exact_batch_keeps_the_sizes_in_int64():
    """Past int64 at the top only: the floors of H stay int64, widened once to meet the widths."""
    side = sympy.floor((H - 3) / 2) + 1
    formula = Formula(k**2 * side, ["H", "k"])
    values = {"k": np.array([2**40], dtype=np.int64).reshape(1, 1), "H": np.arange(3, 103).reshape(1, -1)}
    bounds = {"k": 2**40, "H": 102}
    from symcnn.whatif import evaluate as module

    narrow = module._narrow_nodes([formula.node], module._bounds([formula.node], bounds))
    assert formula.compiler.node(side) is not None and id(formula.compiler.node(side)) in narrow
    assert id(formula.node) not in narrow
    (found,), _ = evaluate([formula], values)
    assert found.dtype == object and found[0].tolist() == [2**80 * ((h - 3) // 2 + 1) for h in range(3, 103)]


@st.composite
def _samples(draw: st.DrawFn) -> dict[str, np.ndarray]:
    """Flat columns, each drawn from a few values near and past +-2**63 (int64 where they fit)."""
    size = draw(st.integers(1, 40))
    made = {}
    for name in "abc":
        pool = draw(AXIS_VALUES)
        values = draw(st.lists(st.sampled_from(pool), min_size=size, max_size=size))
        fits = all(abs(value) <= 2**63 - 1 for value in values)
        made[name] = np.array(values, dtype=np.int64 if fits else object)
    return made


@settings(max_examples=150, deadline=None)
@given(FORMULAS, _samples())
@example(  # found by hypothesis: Max of two constants, one past int64
    sympy.Min(a, sympy.Max(0, sympy.Integer(2**63), evaluate=False), evaluate=False) ** 4,
    {name: np.array([0]) for name in "abc"},
)
@example(
    sympy.Min(a, sympy.Max(0, 1, evaluate=False), evaluate=False) ** 4,
    {"a": np.array([2147483645]), "b": np.array([0]), "c": np.array([0])},
)
def test_random_formulas_on_distinct_samples_agree_with_sympy(expr, columns):
    """A sample computed once per distinct combination of each part's symbols: every row exact."""
    formula = Formula(expr, ["a", "b", "c"])
    (found,), undefined = evaluate([formula], Distinct(columns))
    assert undefined is None and found.shape == (len(columns["a"]),)
    for row, (x, y, z) in enumerate(zip(*(columns[name].tolist() for name in "abc"), strict=True)):
        assert int(found[row]) == exact(expr, {"a": x, "b": y, "c": z}), (x, y, z)
    assert formula(columns).tolist() == found.tolist()  # the flat batch: the same numbers


def test_a_sample_computes_each_part_once_per_distinct_value_of_its_symbols():
    """300 rows, 3 widths, 100 heights: the polynomial in k 3 times, the floor of H 100 times."""
    rng = np.random.default_rng(1)
    widths = np.array([2**40, 2**41, 5], dtype=np.int64)[rng.integers(0, 3, size=300)]
    heights = rng.permutation(np.arange(1, 301) % 100 + 1)
    poly, side = 7 * k**2 + 3 * k, sympy.floor((H - 1) / 2) + 1
    formula = Formula(poly * side, ["H", "k"])
    sizes = {}
    for part in (poly, side):
        node = formula.compiler.node(part)
        compute = node._pair
        node._pair = lambda context, node=node, compute=compute: sizes.setdefault(id(node), compute(context))
    (found,), _ = evaluate([formula], Distinct({"H": heights, "k": widths}))
    assert [np.size(sizes[id(formula.compiler.node(part))][0]) for part in (poly, side)] == [3, 100]
    pairs = zip(widths.tolist(), heights.tolist(), strict=True)
    assert found.tolist() == [(7 * w * w + 3 * w) * ((h - 1) // 2 + 1) for w, h in pairs]


def test_undefined_entries_of_a_sample_are_reported_per_row():
    formula = Formula(sympy.floor(H / (s - 2)), ["H", "s"])
    (result,), undefined = evaluate([formula], Distinct({"H": np.array([9, 9, 9, 9]), "s": np.array([1, 2, 5, 2])}))
    assert undefined.tolist() == [False, True, False, True]
    assert result[0] == -9 and result[2] == 3
