"""Sweeps: point-by-point agreement with Derivation.subs, invalid configurations, big integers, outputs."""

from __future__ import annotations

import csv
import importlib
import io
import itertools
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symcnn import (
    Add,
    BatchNorm2d,
    Conv2d,
    Graph,
    Input,
    MaxPool2d,
    ReLU,
    Sequential,
    ShapeError,
    SpecError,
)
from symcnn.whatif import parse_axis, sweep
from symcnn.whatif.sweep import Axis


def network() -> Sequential:
    return Sequential(
        Input(3, "H", "W"),
        Conv2d(out_channels="k", kernel_size=7, stride=2, padding=3),
        BatchNorm2d(),
        ReLU(),
        MaxPool2d(3, stride=2, ceil_mode=True),
        Conv2d(out_channels="2*k", kernel_size=5, stride=3),
    )


def expected_row(d, values: dict) -> list | None:
    """What the engine says at one configuration (None: the substitution is refused)."""
    try:
        at = d.subs(values)
    except (ShapeError, SpecError):
        return None
    totals = at.totals
    return [int(totals.params), int(totals.trainable), int(totals.macs), *(int(size) for size in at.output_shape)]


def compare_with_subs(d, result, indices) -> None:
    for i in indices:
        values = {name: int(result.columns[name][i]) for name in result.symbols}
        expected = expected_row(d, values)
        assert bool(result.valid[i]) == (expected is not None), values
        if expected is not None:
            assert [result.column(q)[i] for q in result.quantities] == expected, values


def test_grid_agrees_with_subs_including_invalid_configurations():
    d = network().derive()
    result = sweep(d, ["H=1:40:3", "W=40", "k=1,7,64"])
    assert len(result) == 14 * 3
    assert result.header == [
        "H",
        "W",
        "k",
        "valid",
        "params",
        "trainable_params",
        "macs",
        "output_0",
        "output_1",
        "output_2",
    ]
    assert not result.valid.all() and result.valid.any()  # small H is too small for the last conv
    compare_with_subs(d, result, range(len(result)))
    assert result.column("H")[:4] == [1, 1, 1, 4]  # the last axis varies fastest


def test_random_sample_is_seeded_and_agrees_with_subs():
    d = network().derive()
    axes = {"H": "1:100000", "W": "20:5000", "k": "1:4096"}
    first = sweep(d, axes, random=2000, seed=3)
    again = sweep(d, axes, random=2000, seed=3)
    other = sweep(d, axes, random=2000, seed=4)
    assert first.rows() == again.rows() and first.rows() != other.rows()
    compare_with_subs(d, first, range(0, 2000, 97))


def test_values_past_int64_are_exact():
    d = network().derive()
    result = sweep(d, ["H=2**60 + 31,2**63 - 1,2**64 * 64 + 5,224", "W=2**62:2**62 + 2", "k=1,2**31"])
    assert result.columns["macs"].dtype == object
    assert result.valid.all()
    compare_with_subs(d, result, range(len(result)))
    big = result.column("output_1")[0]
    h1 = (2**60 + 31 - 1) // 2 + 1  # conv 7x7, stride 2, padding 3
    h2 = (h1 - 3 + 1) // 2 + 1  # max-pool 3, stride 2, ceil_mode (no window dropped)
    assert big == (h2 - 5) // 3 + 1  # conv 5x5, stride 3; exact, not a rounded float
    assert isinstance(big, int)


NEAR_INT64 = st.one_of(st.integers(1, 300), st.integers(2**63 - 40, 2**63 + 40), st.integers(2**62, 2**70))


@settings(max_examples=25, deadline=None)
@given(
    st.lists(NEAR_INT64, min_size=1, max_size=4, unique=True),
    st.lists(NEAR_INT64, min_size=1, max_size=3, unique=True),
    st.lists(st.one_of(st.integers(1, 64), st.integers(2**31 - 2, 2**31 + 2)), min_size=1, max_size=3, unique=True),
    st.integers(0, 2**32),
)
def test_random_samples_near_and_past_int64_agree_with_subs(heights, widths, channels, seed):
    """A sample of few values per axis (computed once per distinct combination): every row exact."""
    d = network().derive()
    result = sweep(d, {"H": heights, "W": widths, "k": channels}, random=60, seed=seed)
    grid = sweep(d, {"H": heights, "W": widths, "k": channels})  # the grid path, every combination
    by_configuration = {tuple(row[:3]): row for row in grid.rows()}
    for row in result.rows():
        assert row == by_configuration[tuple(row[:3])]
    compare_with_subs(d, result, range(0, 60, 7))


def test_batches_switch_to_python_integers_only_where_needed():
    d = network().derive()
    result = sweep(d, {"H": range(100, 200), "W": 300, "k": [3]}, quantities=["params", "macs"])
    assert result.columns["macs"].dtype == np.int64  # fits: the fast path
    overflowing = sweep(d, ["H=2**40", "W=2**40", "k=2**20"], quantities=["macs"])
    assert overflowing.columns["macs"].dtype == object
    compare = d.subs(H=2**40, W=2**40, k=2**20).totals.macs
    assert overflowing.column("macs") == [int(compare)] and int(compare) > 2**63


def test_per_layer_values_and_conditions_with_equalities():
    x = Input(1, "H", "W")
    strided = Conv2d(out_channels="k", kernel_size=1, stride=2)(x)
    pooled = MaxPool2d(2)(Conv2d(out_channels="k", kernel_size=1)(x))
    d = Graph(x, Add()(strided, pooled)).derive()
    result = sweep(d, ["H=1:12", "W=6", "k=2"], quantities=["conv2d1.macs", "add.output_shape[1]"])
    valid_h = [h for h, ok in zip(result.column("H"), result.valid, strict=True) if ok]
    # The branches agree for even H; at H = 3 the pooled branch is 1 high and broadcasts, as in PyTorch.
    assert valid_h == [2, 3, 4, 6, 8, 10, 12]
    for i, h in enumerate(result.column("H")):
        if result.valid[i]:
            at = d.subs(H=h, W=6, k=2)
            assert result.column("conv2d1.macs")[i] == int(at.row("conv2d1").macs.value)
            assert result.column("add.output_shape[1]")[i] == int(at.row("add").output_shape[1])
        else:
            assert result.column("conv2d1.macs")[i] is None


def test_csv_json_and_dataframe_outputs():
    d = network().derive()
    result = sweep(d, ["H=1:30:7", "W=40", "k=8"])
    rows = list(csv.reader(io.StringIO(result.to_csv())))
    assert rows[0] == result.header
    for row, valid in zip(rows[1:], result.valid, strict=True):
        assert row[3] == ("true" if valid else "false")
        assert (row[4] == "") == (not valid)
    data = json.loads(result.to_json())
    assert data["columns"] == result.header and data["configurations"] == len(result)
    assert data["rows"] == result.rows()
    assert any(row[4] is None for row in data["rows"])
    pd = pytest.importorskip("pandas")
    frame = result.to_dataframe()
    assert list(frame.columns) == result.header
    assert frame["params"].isna().tolist() == (~result.valid).tolist()
    assert frame["macs"].dropna().astype(int).tolist() == [v for v in result.column("macs") if v is not None]
    assert isinstance(frame, pd.DataFrame)


def test_axis_syntax_and_bad_sweeps():
    assert parse_axis("H=32:512:32").count == 16
    assert parse_axis("H=32:511:32").count == 15  # 512 is not reached
    assert parse_axis("k=16, 32,64").listed == (16, 32, 64)
    d = network().derive()
    with pytest.raises(SpecError, match="give an axis or a value for W"):
        sweep(d, ["H=32", "k=8"])
    with pytest.raises(SpecError, match="no symbol 'Q'"):
        sweep(d, ["H=32", "W=32", "k=8", "Q=1"])
    with pytest.raises(SpecError, match="H must be ≥ 1"):
        sweep(d, ["H=0:10", "W=32", "k=8"])
    with pytest.raises(SpecError, match="more than the limit"):
        sweep(d, ["H=1:1000", "W=1:1000", "k=1:100"], max_configurations=10**6)
    with pytest.raises(SpecError, match="empty"):
        parse_axis("H=10:5")
    with pytest.raises(SpecError, match="cannot parse"):
        parse_axis("H=__import__('os')")


SWEEP_MODULE = importlib.import_module("symcnn.whatif.sweep")  # the package exports the function under this name


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(1, 9), min_size=1, max_size=4), st.integers(1, 40))
def test_grid_blocks_cover_the_grid_once_in_row_order(counts, batch):
    """Blocks of at most BATCH rows, each a contiguous run whose broadcast positions are those rows."""
    axes = [Axis(f"x{i}", start=0, count=count) for i, count in enumerate(counts)]
    rows = list(itertools.product(*(range(count) for count in counts)))
    seen = 0
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SWEEP_MODULE, "BATCH", batch)
        for start, stop, positions in SWEEP_MODULE._grid_blocks(axes):
            shape = np.broadcast_shapes((1,), *(p.shape for p in positions))
            assert start == seen and 0 < stop - start <= max(batch, 1) and math.prod(shape) == stop - start
            spread = [np.broadcast_to(p, shape).ravel().tolist() for p in positions]
            assert list(zip(*spread, strict=True)) == rows[start:stop]
            seen = stop
    assert seen == len(rows)


def test_an_overflowing_grid_is_exact_and_computes_per_axis_value(monkeypatch):
    """Widths near 2**40: MACs past int64 in Python integers, shapes in int64, blocks broadcast by axis."""
    d = network().derive()
    shapes = []
    evaluate_batch = SWEEP_MODULE._evaluate_batch

    def spy(formulas, conditions, values, shape):
        shapes.append(shape)
        return evaluate_batch(formulas, conditions, values, shape)

    monkeypatch.setattr(SWEEP_MODULE, "BATCH", 120)
    monkeypatch.setattr(SWEEP_MODULE, "_evaluate_batch", spy)
    result = sweep(d, {"H": range(60, 70), "W": range(50, 58), "k": [2**40 - 1, 2**40, 2**41]})
    assert result.columns["macs"].dtype == object and result.columns["output_1"].dtype == np.int64
    assert max(result.column("macs")) > 2**63
    assert shapes[0] == (5, 8, 3) and len(shapes) == 2  # H split in two blocks, W and k whole
    compare_with_subs(d, result, range(len(result)))
