from __future__ import annotations

import pytest

from symcnn.render.latex import escape


def test_mnist_latex_matches_golden(mnist, golden):
    golden("mnist.tex", mnist.to_latex())


def test_latex_has_booktabs_table_and_align(mnist):
    tex = mnist.to_latex()
    for piece in (r"\toprule", r"\midrule", r"\bottomrule", r"\begin{align*}", r"\end{align*}"):
        assert piece in tex
    assert r"\left(5 \cdot 5 \cdot 1 + 1\right) \cdot 32 = 832" in tex
    assert r"832 + 9\,248 + 205\,056 + 2\,570 = 217\,706" in tex
    assert r"\documentclass" not in tex


def test_general_rules_come_from_latexify(mnist):
    tex = mnist.to_latex()
    assert r"\mathrm{size\_valid}(i, n) = i - \mathopen{}\left( n - 1 \mathclose{}\right)" in tex


def test_standalone_is_a_document(mnist):
    tex = mnist.to_latex(standalone=True)
    assert tex.startswith(r"\documentclass{article}") and tex.rstrip().endswith(r"\end{document}")


def test_escape():
    assert escape("a_b & 50% #1 ≥") == r"a\_b \& 50\% \#1 $\geq$"


@pytest.mark.latex
def test_standalone_compiles_with_pdflatex(mnist, pdflatex):
    import symcnn

    H, k = symcnn.symbols("H k")
    symbolic = symcnn.Sequential(
        symcnn.Input(3, H, H),
        symcnn.Conv2d(out_channels=k, kernel_size=7, stride=2, padding=3),
        symcnn.BatchNorm2d(),
        symcnn.MaxPool2d(3, 2, 1, name="pool_1"),
        symcnn.Flatten(),
        symcnn.Linear(out_features=10),
    ).derive()
    for name, derivation in (("mnist", mnist), ("symbolic", symbolic)):
        pdf = pdflatex(name, derivation.to_latex(standalone=True))
        assert pdf.stat().st_size > 1000
