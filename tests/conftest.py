"""Shared fixtures: the worked MNIST example and golden-file comparison.

Set SYMCNN_UPDATE_GOLDEN=1 to rewrite golden files after an intended change
(then read the diff before committing it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import symcnn
from symcnn.model.examples import MNIST

GOLDEN = Path(__file__).parent / "render" / "golden"


@pytest.fixture(scope="session")
def mnist() -> symcnn.Derivation:
    return symcnn.load_spec(MNIST).derive()


def assert_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("SYMCNN_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"golden file {path} is missing; run with SYMCNN_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8")


@pytest.fixture
def golden():
    return assert_golden


def compile_latex(directory: Path, name: str, source: str) -> Path:
    """Compile a standalone document with pdflatex (skip where it is absent); return the PDF."""
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed")
    (directory / f"{name}.tex").write_text(source, encoding="utf-8")
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    return directory / f"{name}.pdf"


@pytest.fixture
def pdflatex(tmp_path):
    return lambda name, source: compile_latex(tmp_path, name, source)


# Helper modules, not tests: --doctest-modules would import them, and corpus.py needs torch
# at import (test_user_models.py imports it after skipping where torch is absent).
collect_ignore = ["adapters/corpus.py"]
