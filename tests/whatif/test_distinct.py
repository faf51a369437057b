"""Distinct combinations of flat columns: numbering that agrees with the values, gathers that are lookups."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symcnn.whatif.distinct import SPREAD, Distinct

NAMES = ("a", "b", "c")
VALUES = st.one_of(
    st.integers(-5, 5),
    st.integers(2**63 - 3, 2**63 + 3),
    st.integers(-(2**63) - 3, -(2**63) + 3),
    st.integers(-(2**70), 2**70),
)


def _column(values: list[int]) -> np.ndarray:
    fits = all(abs(value) <= 2**63 - 1 for value in values)
    return np.array(values, dtype=np.int64 if fits else object)


@st.composite
def batches(draw: st.DrawFn) -> dict[str, np.ndarray]:
    """Flat columns of one length, each drawn from a few values (int64 where they fit, else Python ints)."""
    size = draw(st.integers(1, 60))
    made = {}
    for name in NAMES:
        pool = draw(st.lists(VALUES, min_size=1, max_size=4, unique=True))
        made[name] = _column(draw(st.lists(st.sampled_from(pool), min_size=size, max_size=size)))
    return made


@settings(max_examples=120, deadline=None)
@given(batches())
def test_rows_of_one_combination_share_its_values_and_lifts_are_lookups(columns):
    batch = Distinct(columns)
    for size in (1, 2, 3):
        for domain in itertools.combinations(NAMES, size):
            number = batch.rows(domain)
            assert number is not None  # a few values: numbered, not one combination per row
            seen = {}
            for row, key in enumerate(zip(*(columns[name].tolist() for name in domain), strict=True)):
                assert seen.setdefault(int(number[row]), key) == key  # one number, one combination
            assert batch.count(domain) == len(seen) == len(set(seen.values()))  # and distinct ones
    for name in NAMES:
        per_value = batch.values[name]
        assert len(per_value) == batch.count((name,))
        assert batch.lift(per_value, (name,), None).tolist() == columns[name].tolist()
        for target in [("a", "b", "c"), tuple(sorted({name, "b"}))]:
            lifted = batch.lift(per_value, (name,), target)
            assert len(lifted) == batch.count(target)
            assert batch.lift(lifted, target, None).tolist() == columns[name].tolist()


def test_codes_spanning_far_more_than_the_rows_are_not_numbered():
    """Positions on a long axis: each row stands for itself, without sorting; lifts are then no copies."""
    positions = np.arange(1000, dtype=np.int64) * (SPREAD + 1)
    wide = 7 + 3 * positions
    batch = Distinct({"a": wide, "b": np.arange(1000) % 3}, {"a": (positions, int(positions[-1]) + 1)})
    assert batch.rows(("a",)) is None and batch.rows(("a", "b")) is None
    assert batch.count(("a", "b")) == 1000 and batch.count(("b",)) == 3
    threes = batch.values["b"]
    assert batch.lift(threes, ("b",), ("a", "b")).tolist() == (np.arange(1000) % 3).tolist()
    assert batch.lift(wide, ("a",), ("a", "b")) is wide
    assert Distinct({"a": wide}).rows(("a",)).tolist() == list(range(1000))  # its own codes: numbered by a sort


def test_given_codes_number_the_rows_and_columns_must_agree_in_length():
    values = np.array([2**70, 2**70 + 1, 2**70], dtype=object)
    batch = Distinct({"a": values}, {"a": (np.array([4, 0, 4]), 5)})  # a sweep's positions on the axis
    assert batch.rows(("a",)).tolist() == [1, 0, 1] and batch.values["a"].tolist() == [2**70 + 1, 2**70]
    with pytest.raises(ValueError, match="differ in length"):
        Distinct({"a": np.arange(3), "b": np.arange(4)})
