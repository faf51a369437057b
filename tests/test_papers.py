"""papers/: every committed .tex is what its spec generates now, and it compiles."""

from __future__ import annotations

import shutil
import subprocess
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
def test_paper_compiles(spec, tmp_path):
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed")
    source = tmp_path / spec.with_suffix(".tex").name
    shutil.copy(spec.with_suffix(".tex"), source)
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", source.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:]


def test_docs_reference_is_current():
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == reference_markdown(), "run: symcnn rules --format md -o docs/rules.md"
