"""Plots rendered to files (matplotlib's Agg canvas) and checked to be non-trivial images."""

from __future__ import annotations

import pytest

from symcnn import Conv2d, Input, MaxPool2d, Sequential, SpecError

matplotlib = pytest.importorskip("matplotlib")
import numpy as np  # noqa: E402
from matplotlib import image  # noqa: E402


def network(width: str = "k") -> Sequential:
    return Sequential(
        Input(3, "H", "W"),
        Conv2d(out_channels=width, kernel_size=3, stride=2, padding=1, name="stem"),
        MaxPool2d(2, name="pool"),
        Conv2d(out_channels=f"2*{width}", kernel_size=3, padding=1, name="body"),
        Conv2d(out_channels=10, kernel_size=1, name="head"),
    )


def assert_picture(path) -> None:
    pixels = image.imread(path)
    assert pixels.shape[0] > 200 and pixels.shape[1] > 300
    assert pixels.std() > 0.05  # not a blank canvas
    colours = {tuple(pixel) for pixel in pixels.reshape(-1, pixels.shape[-1])[::37]}
    assert len(colours) > 20  # lines, text, axes: many distinct colours


def test_one_line_png_and_svg(tmp_path):
    from symcnn.whatif import plot

    d = network().derive()
    png = plot(d, "H=32:1024:32", "macs", tmp_path / "macs.png", fixed={"W": 224, "k": 64})
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert_picture(png)
    svg = plot(d, "H=32:1024:32", "macs", tmp_path / "macs.svg", fixed={"W": 224, "k": 64})
    text = svg.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert text.count("<path") > 10


def test_networks_per_layer_and_stacked(tmp_path):
    from symcnn.whatif import plot

    networks = {"narrow": network().derive().subs(k=16), "wide": network().derive().subs(k=64)}
    many = plot(networks, "H=8:512:8", "params", tmp_path / "two.png", fixed={"W": 64})
    assert_picture(many)
    d = network().derive()
    per_layer = plot(d, "H=16:4096:16", "macs", tmp_path / "layers.svg", fixed={"W": 64, "k": 8}, per_layer=True)
    text = per_layer.read_text()
    for name in ("stem", "body", "head"):
        assert name in text  # one legend entry per layer with MACs (pool has none)
    stacked = plot(d, "k=1:64", "params", tmp_path / "shares.png", fixed={"H": 32, "W": 32}, stacked=True)
    assert_picture(stacked)


def test_bad_plots(tmp_path):
    from symcnn.whatif import plot

    d = network().derive()
    with pytest.raises(SpecError, match="must end in"):
        plot(d, "H=32:64", "macs", tmp_path / "x.jpg", fixed={"W": 64, "k": 4})
    with pytest.raises(SpecError, match="nothing to draw"):
        plot(d, "H=1:1", "macs", tmp_path / "x.png", fixed={"W": 64, "k": 4})
    with pytest.raises(SpecError, match="no network has a symbol 'Z'"):
        plot(d, "H=32:64", "macs", tmp_path / "x.png", fixed={"Z": 1})


def repeated() -> Sequential:
    from symcnn import ReLU, Repeat

    block = Sequential(Conv2d(out_channels=8, kernel_size=3, padding=1), ReLU())
    return Sequential(
        Input(3, "H", "W"),
        Conv2d(out_channels=8, kernel_size=3, padding=1, name="stem"),
        Repeat(block, "N", name="repeat"),
        Conv2d(out_channels=10, kernel_size=1, name="head"),
    )


def test_a_symbolic_repeat_is_plotted_and_stacked_shares_sum_to_one(tmp_path):
    from symcnn.whatif.plot import layer_series

    d = repeated().derive()
    # The block count as the axis, and as a fixed value with another axis: the repeat's rows count N times.
    for x, fixed in (("N=1:12", {"H": 32, "W": 32}), ("H=8:64:8", {"N": 3, "W": 32})):
        for y in ("params", "macs"):
            data = layer_series(d, x, y, fixed)
            assert "repeat.conv2d" in data.series
            for i, total in enumerate(data.total):
                assert total is not None and sum(values[i] for values in data.series.values()) == total
            shares = data.shares()
            stacked = sum(shares.values())
            assert np.allclose(stacked, 1.0), stacked
    data = layer_series(d, "N=1:12", "params", {"H": 32, "W": 32})
    assert data.series["repeat.conv2d"] == [584 * n for n in range(1, 13)]  # (3*3*8 + 1)*8 per copy


def test_stacked_and_per_layer_plots_draw_the_repeat(tmp_path):
    from symcnn.whatif import plot

    d = repeated().derive()
    svg = plot(d, "N=1:12", "params", tmp_path / "shares.svg", fixed={"H": 32, "W": 32}, stacked=True).read_text()
    assert "repeat.conv2d" in svg and "share of parameters" in svg
    lines = plot(d, "N=1:12", "macs", tmp_path / "lines.svg", fixed={"H": 32, "W": 32}, per_layer=True).read_text()
    assert "repeat.conv2d" in lines and "MACs (multiply-accumulates)" in lines


def test_axis_labels_name_symbol_and_unit(tmp_path):
    from symcnn.whatif import plot
    from symcnn.whatif.plot import quantity_label

    assert quantity_label("macs") == "MACs (multiply-accumulates)"
    assert quantity_label("total_params") == "parameters"
    assert quantity_label("stem.activations") == "stem: activations (elements)"
    svg = plot(network().derive(), "H=32:64:8", "params", tmp_path / "p.svg", fixed={"W": 64, "k": 4}).read_text()
    assert "<!-- H -->" in svg and "<!-- parameters -->" in svg
