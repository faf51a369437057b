"""papers/: every committed .tex is what its spec generates now, and it compiles."""

from __future__ import annotations

from pathlib import Path

import pytest

import symcnn
from symcnn.reference import reference_markdown

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "papers").glob("*.yaml"))


def test_there_are_papers():
    assert {spec.stem for spec in SPECS} >= {"mnist", "resnet_stem"}


@pytest.mark.parametrize("spec", SPECS, ids=[spec.stem for spec in SPECS])
def test_paper_is_up_to_date(spec):
    generated = symcnn.load_spec(spec).derive().to_latex(standalone=True)
    committed = spec.with_suffix(".tex").read_text(encoding="utf-8")
    assert committed == generated, f"run: bash papers/build   ({spec.name} changed)"


@pytest.mark.latex
@pytest.mark.parametrize("spec", SPECS, ids=[spec.stem for spec in SPECS])
def test_paper_compiles(spec, pdflatex):
    pdf = pdflatex(spec.stem, spec.with_suffix(".tex").read_text(encoding="utf-8"))
    assert pdf.stat().st_size > 1000


def test_docs_reference_is_current():
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == reference_markdown(), "run: symcnn rules --format md -o docs/rules.md"
