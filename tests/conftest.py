"""Shared fixtures: the worked MNIST example, golden-file comparison, PyTorch's totals checked.

Set SYMCNN_UPDATE_GOLDEN=1 to rewrite golden files after an intended change
(then read the diff before committing it).

Every ``from_torch`` import in the suite is checked against PyTorch's own sums
(issue 17): the importer and the measuring pass are wrapped so that each
network they return is derived and its totals compared with
``sum(p.numel() for p in model.parameters())`` and the same for buffers,
independently of the check the importer makes itself.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


# Helper modules, not tests: --doctest-modules would import them, and corpus.py and forum.py need
# torch at import (test_user_models.py and test_user_corpus.py import them after skipping where torch is absent);
# torchvision_models.py holds a fixture, for the test modules that import it.
collect_ignore = ["adapters/corpus.py", "adapters/forum.py", "adapters/torchvision_models.py"]


def assert_totals_match(model: Any, network: Any) -> None:
    totals = network.derive().totals
    if totals.params.is_number:  # a count that depends on the input is checked by its conditions
        assert totals.params == sum(p.numel() for p in model.parameters()), (totals.params, type(model).__name__)
        assert totals.trainable == sum(p.numel() for p in model.parameters() if p.requires_grad)
    if totals.buffers.is_number:
        assert totals.buffers == sum(b.numel() for b in model.buffers()), (totals.buffers, type(model).__name__)


@pytest.fixture(autouse=True)
def _every_import_keeps_pytorch_totals(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    if importlib.util.find_spec("torch") is None:  # the adapter's tests skip themselves without torch
        yield
        return
    import symcnn.adapters.torch as adapter  # does not import torch

    importer, measure = adapter._Importer, adapter.measure

    class Checked(importer):  # type: ignore[misc, valid-type]
        def run(self, graph: Any) -> Any:
            network = super().run(graph)
            assert_totals_match(self.root, network)
            return network

    def measured(torch: Any, module: Any, *args: Any, **kwargs: Any) -> Any:
        network = measure(torch, module, *args, **kwargs)
        assert_totals_match(module, network)
        return network

    monkeypatch.setattr(adapter, "_Importer", Checked)
    monkeypatch.setattr(adapter, "measure", measured)
    yield
