from __future__ import annotations


def test_mnist_markdown_matches_golden(mnist, golden):
    golden("mnist.md", mnist.to_markdown())


def test_markdown_is_a_table_with_one_row_per_layer(mnist):
    lines = [line for line in mnist.to_markdown().splitlines() if line.startswith("| ")]
    assert len(lines) == 1 + len(mnist.rows)  # header + rows (separator starts with "|-")
    assert r"\left(5 \cdot 5 \cdot 1 + 1\right) \cdot 32 = 832" in mnist.to_markdown()
    assert r"217\,706" in mnist.to_markdown()


def test_jupyter_hooks(mnist):
    assert mnist._repr_markdown_() == mnist.to_markdown()
    latex = mnist._repr_latex_()
    assert latex.startswith("$$") and r"\begin{aligned}" in latex and r"217\,706" in latex
