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
from symcnn.examples import MNIST

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


# CI sets SYMCNN_NO_SKIPS=1 after installing torch and pdflatex: there, a skip
# (of a test or of a whole module) means a dependency is missing, so it fails.
_NO_SKIPS = bool(os.environ.get("SYMCNN_NO_SKIPS"))


def _fail_skip(report: pytest.CollectReport | pytest.TestReport) -> None:
    if _NO_SKIPS and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped, but SYMCNN_NO_SKIPS is set: {report.longrepr}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    _fail_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _fail_skip(outcome.get_result())
