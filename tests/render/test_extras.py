"""The receptive-field column and memory lines the renderers add on request."""

from __future__ import annotations

import json

import pytest

import symcnn
from symcnn.render.extras import receptive_text


def rectangular() -> symcnn.Derivation:
    return symcnn.Sequential(
        symcnn.Input(1, 16, 12), symcnn.Conv2d(1, 2, (5, 3), stride=(2, 1)), symcnn.ReLU()
    ).derive()


def test_axes_that_differ_are_shown_one_by_one() -> None:
    d = rectangular()
    assert receptive_text(d, d.rows[-1]) == "5x3 (jump 2x1, start 0)"


def test_text_blocks_show_each_layers_steps() -> None:
    from symcnn.render import text

    lines = text._blocks(rectangular(), receptive_field=True)
    assert any("receptive size (height)" in line and "1 + (5 - 1)*1 = 5" in line for line in lines)


def test_memory_in_every_format() -> None:
    d = rectangular()
    memory = d.memory(batch=4, optimizer="adam")
    assert f"total             {int(memory.total_bytes):,}".replace(",", "'") in d.to_text(memory=memory)
    assert "optimizer state" in d.to_markdown(memory=memory)
    assert "optimizer state" in d.to_latex(memory=memory)
    assert json.loads(d.to_json(memory=memory))["memory"]["total_bytes"] == memory.total_bytes


@pytest.mark.latex
def test_latex_with_the_column_compiles(pdflatex, mnist: symcnn.Derivation) -> None:  # type: ignore[no-untyped-def]
    source = mnist.to_latex(standalone=True, receptive_field=True, memory=mnist.memory(optimizer="adam"))
    assert "receptive field" in source
    assert pdflatex("receptive", source).exists()
