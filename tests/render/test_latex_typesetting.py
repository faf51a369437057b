"""Any network typesets cleanly: no overfull box, no empty page, however long or symbolic (issue 10, part 0)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import symcnn
from symcnn.render.latex import PACKAGES, width

pytestmark = pytest.mark.latex


def _chain(layers: int, symbolic: bool) -> symcnn.Derivation:
    items: list[object] = [symcnn.Input(3, "H" if symbolic else 224, "W" if symbolic else 224)]
    for index in range(layers):
        items.append(symcnn.Conv2d(out_channels=f"w{index}" if symbolic else 8, kernel_size=3, padding=1))
        if index % 10 == 9 and index < 60:
            items.append(symcnn.MaxPool2d(2, ceil_mode=True))
    return symcnn.Sequential(*items).derive()  # type: ignore[arg-type]


def assert_typesets_cleanly(pdf: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    log = pdf.with_suffix(".log").read_text(encoding="latin-1")
    overfull = re.findall(r"Overfull \\[hv]box \([\d.]+pt too (?:wide|high)\)[^\n]*", log)
    assert not overfull, overfull[:3]
    pages = [page.extract_text() for page in pypdf.PdfReader(pdf).pages]
    empty = [number for number, text in enumerate(pages, start=1) if len(re.sub(r"\s|\d", "", text)) < 5]
    assert not empty, f"empty pages: {empty} of {len(pages)}"


def test_the_width_estimate_does_not_undercount_a_floor():
    # ( ⌊(H - 1)/64⌋ + 1 ) is about ten characters wide when typeset.
    assert width(r"\left(\left\lfloor \frac{H - 1}{64} \right\rfloor + 1\right)") >= 10
    assert width(r"9\,408 + 128") == 9


@pytest.mark.parametrize("symbolic", [False, True], ids=["numeric", "symbolic"])
def test_a_thousand_layer_chain_typesets(pdflatex, symbolic):
    derivation = _chain(1000, symbolic)
    assert_typesets_cleanly(pdflatex("chain", derivation.to_latex(standalone=True)))


@pytest.mark.torch
@pytest.mark.parametrize("model", ["resnet50", "densenet121"])
@pytest.mark.parametrize("size", [224, "H"], ids=["numeric", "symbolic"])
def test_torchvision_models_typeset(pdflatex, model, size):
    pytest.importorskip("torch")
    torchvision = pytest.importorskip("torchvision")
    derivation = symcnn.from_torch(getattr(torchvision.models, model)().eval(), (3, size, size)).derive()
    assert_typesets_cleanly(pdflatex(model, derivation.to_latex(standalone=True)))


def test_the_fragment_compiles_inside_an_article_with_the_packages_it_names(pdflatex, mnist):
    fragment = mnist.to_latex()
    assert f"\\usepackage{{{','.join(PACKAGES)}}}" in fragment.splitlines()[1]
    document = "\n".join(
        [
            r"\documentclass{article}",
            f"\\usepackage{{{','.join(PACKAGES)}}}",
            r"\allowdisplaybreaks",
            r"\begin{document}",
            fragment,
            r"\end{document}",
        ]
    )
    assert_typesets_cleanly(pdflatex("fragment", document))


def test_a_table_cell_keeps_the_brackets_of_a_sum_factor():
    import sympy

    from symcnn.render.latex import cell_latex

    x = sympy.Symbol("x", integer=True, positive=True)
    # (6x + 1)·max(1, ⌊x/4⌋) may wrap between its factors, but must not lose its brackets.
    assert cell_latex((6 * x + 1) * sympy.Max(1, x // 4)).startswith(r"$\left(6 x + 1\right) \allowbreak \max")


@pytest.mark.parametrize("builder", ["mobilenet_v3_large", "efficientnet_b0"])
def test_zoo_models_in_a_width_multiplier_typeset(pdflatex, builder):
    from symcnn import zoo

    derivation = getattr(zoo, builder)(width_mult="a").derive()
    assert_typesets_cleanly(pdflatex(builder, derivation.to_latex(standalone=True)))
