"""The root conftest's summary: which extras would run the skipped tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def _root_conftest():  # type: ignore[no-untyped-def]
    path = Path(__file__).resolve().parents[1] / "conftest.py"
    spec = importlib.util.spec_from_file_location("symcnn_root_conftest", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_skip_reasons_name_the_extras_and_system_packages():
    advice = _root_conftest().skip_advice(
        [
            "could not import 'torch': No module named 'torch'",
            "could not import 'torchvision': No module named 'torchvision'",
            "plots need matplotlib: pip install '.[plot]'",
            "the tour needs Jupyter: pip install '.[torch,plot,notebook]'",
            "pdflatex is not installed",
            "needs headless Chromium: apt-get install -y chromium-headless-shell",
            "the moon is not full",
        ]
    )
    assert advice == [
        "7 tests skipped for want of optional parts; to run them:",
        "  pip install '.[notebook,plot,torch]'",
        "  apt-get install texlive-latex-base texlive-latex-recommended texlive-latex-extra",
        "  apt-get install -y chromium-headless-shell",
        "  (1 skipped for other reasons: pytest -rs lists every reason)",
    ]


def test_torchvision_alone_is_the_torch_extra_and_nothing_is_guessed_from_substrings():
    advice = _root_conftest().skip_advice(["could not import 'torchvision.models.maxvit'", "torchaudio missing"])
    assert advice[1] == "  pip install '.[torch]'" and "other reasons" in advice[2]
