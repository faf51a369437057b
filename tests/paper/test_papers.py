"""papers/: every committed .tex is what its spec generates now, and it compiles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import symcnn
from symcnn.render.reference import reference_markdown

ROOT = Path(__file__).resolve().parents[2]
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


# -- the article: papers/closed-forms ---------------------------------------------------------
ARTICLE = ROOT / "papers" / "closed-forms"


def _generator():  # type: ignore[no-untyped-def]
    import importlib.util

    spec = importlib.util.spec_from_file_location("closed_forms_generate", ARTICLE / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_article_fragments_are_what_the_code_generates_now():
    generated = _generator().files()
    committed = {path.name: path.read_text(encoding="utf-8") for path in (ARTICLE / "generated").iterdir()}
    assert set(committed) == set(generated), "run: bash papers/build"
    stale = [name for name, text in generated.items() if committed[name] != text]
    assert not stale, f"run: bash papers/build   (stale: {', '.join(stale)})"


def test_the_article_cites_numbers_only_through_macros():
    text = (ARTICLE / "article.tex").read_text(encoding="utf-8")
    body = text.split(r"\begin{document}", 1)[1]
    prose = re.sub(r"\\[A-Za-z]+|\{[^{}]*\}|\[[^\]]*\]|%.*", " ", body)  # commands, arguments, comments
    big = re.findall(r"\d[\d,.]{3,}\d", prose)
    assert not big, f"numbers typed into the article instead of cited: {big}"
    macros = (ARTICLE / "generated" / "macros.tex").read_text(encoding="utf-8")
    used = set(re.findall(r"\\([A-Z][A-Za-z]+)\{\}", body)) | set(re.findall(r"\\([A-Z][A-Za-z]+)\b", body))
    defined = set(re.findall(r"\\newcommand\{\\(\w+)\}", macros))
    assert used <= defined | {"noindent"}, sorted(used - defined)


@pytest.mark.latex
def test_the_article_compiles_cleanly(tmp_path):
    import shutil
    import subprocess

    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed")
    work = tmp_path / "closed-forms"
    shutil.copytree(ARTICLE, work, ignore=shutil.ignore_patterns("*.pdf", "*.aux", "*.log"))
    for _ in range(2):  # the second run resolves references
        done = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "article.tex"],
            cwd=work, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-2000:]
    log = (work / "article.log").read_text(encoding="latin-1")
    assert "Overfull" not in log and "undefined" not in log.lower(), re.findall(r".*(?:Overfull|undefined).*", log)
