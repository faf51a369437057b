"""The TikZ diagram: one box per stage layer, labels that are the derivation's sizes, skip arcs."""

from __future__ import annotations

import re

import sympy

from symcnn import zoo
from symcnn.cli import main
from symcnn.exact.printing import to_latex
from symcnn.render.stages import stages
from symcnn.render.subexpressions import name_sizes
from symcnn.render.tikz import boxes

_BOX = re.compile(r"\\boxat\{[\d.]+\}\{[\d.]+\}\{[\d.]+\}\{[\d.]+\}\{\$(.*?)\$\}\{(.*)\}$", re.M)


def test_one_box_per_stage_with_the_derivations_sizes():
    derivation = zoo.resnet50(width_per_group="w").derive()
    picture = derivation.to_tikz()
    found = _BOX.findall(picture)
    assert [label.split(",")[0].split(" $")[0] for _, label in found] == [
        "conv1", "maxpool", "layer1", "layer2", "layer3", "layer4", "fc"
    ]  # fmt: skip
    names = name_sizes(derivation)
    named = {stage.name: stage for stage in stages(names.apply(derivation))}
    layer2 = dict((label.split(" ")[0].rstrip(","), (channels, label)) for channels, label in found)["layer2"]
    assert layer2[0] == to_latex(named["layer2"].output_shape[0]) == "512"
    assert r"$\times 4$" in layer2[1]
    assert "H_{3} \\times W_{3}" in layer2[1]
    # The sizes named in labels are the derivation's, by definition.
    h3 = sympy.Symbol("H_3", integer=True, positive=True)
    assert names.expand(h3) == derivation.row("layer2.3.relu_2").output_shape[1]
    assert picture.count(r"node[above, font=\tiny] {$+$}") == 4  # four residual stages


def test_concatenation_is_drawn_as_such():
    derivation = zoo.densenet121().derive()
    drawn = boxes(derivation)
    assert {box.merge for box in drawn if box.name.startswith("denseblock")} == {"concat"}
    assert {box.merge for box in drawn if box.name.startswith("transition")} == {None}
    assert r"{$\Vert$}" in derivation.to_tikz()


def test_derive_format_tikz(capsys):
    assert main(["derive", "--format", "tikz"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1] == r"% needs \usepackage{tikz}"
    assert r"\begin{tikzpicture}" in out and out.rstrip().endswith(r"\par")
