"""Named sizes: each name stands for its definition exactly, and regenerating gives the same names."""

from __future__ import annotations

import pytest
import sympy

import symcnn
from symcnn import zoo
from symcnn.render.stages import stages
from symcnn.render.subexpressions import group_by_names, name_sizes


@pytest.fixture(scope="module")
def resnet50() -> symcnn.Derivation:
    return zoo.resnet50(width_per_group="w").derive()


def test_substituting_the_definitions_back_gives_the_unnamed_formulas(resnet50):
    names = name_sizes(resnet50)
    named = names.apply(resnet50)
    assert names.definitions, "ResNet-50 in H, W has floors to name"
    for before, after in zip(resnet50.rows, named.rows, strict=True):
        for old, new in zip(before.output_shape, after.output_shape, strict=True):
            assert sympy.expand(names.expand(new) - old) == 0
        assert sympy.expand(names.expand(after.macs.value) - before.macs.value) == 0
    # The collected form a table shows is the same number too.
    for stage in stages(named):
        grouped = group_by_names(stage.macs, names)
        assert sympy.expand(names.expand(grouped) - names.expand(stage.macs)) == 0
    assert sympy.expand(names.expand(named.totals.macs) - resnet50.totals.macs) == 0
    assert not any(value.free_symbols & names.symbols for _, value in names.definitions)


def test_names_are_stable_and_follow_the_layers(resnet50):
    names = name_sizes(resnet50)
    assert [str(name) for name, _ in names.definitions][:4] == ["H_1", "W_1", "H_2", "W_2"]
    H = sympy.Symbol("H", integer=True, positive=True)
    assert names.backward[sympy.Symbol("H_1", integer=True, positive=True)] == (H - 1) // 2 + 1
    again = name_sizes(zoo.resnet50(width_per_group="w").derive())
    assert again == names
    # Appending a layer names only what follows: the earlier definitions stay.
    longer = symcnn.Sequential(
        symcnn.Input(3, "H", "W"),
        symcnn.Conv2d(out_channels=8, kernel_size=3, stride=2),
        symcnn.MaxPool2d(2),
    ).derive()
    shorter = symcnn.Sequential(symcnn.Input(3, "H", "W"), symcnn.Conv2d(out_channels=8, kernel_size=3, stride=2))
    assert name_sizes(longer).definitions[:2] == name_sizes(shorter.derive()).definitions


def test_a_name_already_taken_is_skipped():
    derivation = symcnn.Sequential(
        symcnn.Input("H_1", "H", 32), symcnn.Conv2d(out_channels=8, kernel_size=3, stride=2)
    ).derive()
    assert [str(name) for name, _ in name_sizes(derivation).definitions] == ["H_2"]


def test_the_legend_defines_every_name_it_lists(resnet50):
    legend = name_sizes(resnet50).legend()
    assert r"H_{1} &= \lfloor (H - 1)/2 \rfloor + 1" in legend
    assert legend.count("&=") == 10
