"""Plots rendered to files (matplotlib's Agg canvas) and checked to be non-trivial images."""

from __future__ import annotations

import pytest

from symcnn import Conv2d, Input, MaxPool2d, Sequential, SpecError

matplotlib = pytest.importorskip("matplotlib")
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
