"""Select and Slice against Python's and PyTorch's indexing."""

from __future__ import annotations

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symcnn import ShapeError, SpecError
from symcnn.exact.symbols import symbol
from symcnn.layers import Select, Slice

bounds = st.none() | st.integers(-12, 12)


@settings(deadline=None)
@given(size=st.integers(1, 12), start=bounds, stop=bounds, step=st.integers(1, 4))
def test_slice_length_is_pythons(size: int, start: int | None, stop: int | None, step: int) -> None:
    expected = len(range(size)[start:stop:step])
    layer = Slice(dim=1, start=start, stop=stop, step=step)
    if expected == 0:
        with pytest.raises(ShapeError):
            layer.output_shape((size, 3))
    else:
        assert layer.output_shape((size, 3)) == (expected, 3)


@settings(deadline=None)
@given(size=st.integers(1, 12), start=bounds, stop=bounds, step=st.integers(1, 4))
def test_symbolic_slice_substituted_equals_numeric(size: int, start: int | None, stop: int | None, step: int) -> None:
    expected = len(range(size)[start:stop:step])
    try:
        length = Slice(dim=1, start=start, stop=stop, step=step).output_shape(("H",))[0]
    except ShapeError:  # refused symbolically: empty for every size
        assert expected == 0
        return
    assert sympy.Max(length.subs(symbol("H"), size), 0) == expected


@given(size=st.integers(1, 6), index=st.integers(-8, 8))
def test_select_removes_the_dimension_where_the_index_exists(size: int, index: int) -> None:
    layer = Select(dim=-1, index=index)
    if -size <= index < size:
        assert layer.output_shape((2, size)) == (2,)
    else:
        with pytest.raises(ShapeError):
            layer.output_shape((2, size))


def test_select_on_a_symbol_keeps_a_condition() -> None:
    outcome = Select(dim=1, index=3).apply
    from symcnn.exact.conventions import Conventions
    from symcnn.exact.steps import Tensor

    checks = outcome([Tensor.of((symbol("H"), 5))], Conventions()).checks
    assert [check.holds for check in checks] == [sympy.Ge(symbol("H"), 4)]


def test_bad_arguments_are_spec_errors() -> None:
    with pytest.raises(SpecError):
        Slice(step=0)
    with pytest.raises(SpecError):
        Select(dim=0)
