"""Shared fixtures: the worked MNIST example and golden-file comparison.

Set SYMCNN_UPDATE_GOLDEN=1 to rewrite golden files after an intended change
(then read the diff before committing it).
"""

from __future__ import annotations

import os
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
