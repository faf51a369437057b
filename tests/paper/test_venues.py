"""Every fragment ``symcnn paper`` writes typesets in one column of real venue templates (issue 19).

Three networks, as a researcher would bring them: a symbolic spec (ResNet's stem in ``k, H, W``),
a symbolic zoo model (ResNet-50 in ``width_per_group=w``) and a big torchvision model (DenseNet-121
in ``H, W``).  Each network's fragments are ``\\input`` into each template and compiled twice;
the log must show no error and no overfull box.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import symcnn
from symcnn import zoo
from symcnn.paper import Options, files
from tests.paper.typeset import ONE_COLUMN, TEMPLATES, compile_in

pytestmark = pytest.mark.latex

ROOT = Path(__file__).resolve().parents[2]
NETWORKS = ("stem", "resnet50", "densenet121")


def _derivation(network: str) -> symcnn.Derivation:
    if network == "stem":
        return symcnn.load_spec(ROOT / "papers" / "resnet_stem.yaml").derive()
    if network == "resnet50":
        return zoo.resnet50(width_per_group="w").derive()
    pytest.importorskip("torch")
    torchvision = pytest.importorskip("torchvision")
    return symcnn.from_torch(torchvision.models.densenet121(), (3, "H", "W")).derive()


@pytest.fixture(scope="module")
def fragments() -> dict[str, dict[str, str]]:
    """Each network's files, generated once for the module (densenet121 takes a few seconds)."""
    return {}


def _files(cache: dict[str, dict[str, str]], network: str) -> dict[str, str]:
    if network not in cache:
        options = Options(at={"H": 224, "W": 224, "k": 64, "w": 64})
        cache[network] = files({network: _derivation(network)}, options)
    return cache[network]


@pytest.mark.parametrize("template", list(TEMPLATES))
@pytest.mark.parametrize("network", NETWORKS)
def test_every_fragment_typesets_without_an_overfull_box(tmp_path, fragments, network, template):
    written = _files(fragments, network)
    assert {name.split("-")[-1] for name in written} == {
        "table.tex",
        "derivation.tex",
        "totals.tex",
        "diagram.tex",
        "macros.tex",
    }
    report = compile_in(template, tmp_path, written)
    assert not report.errors, str(report)
    assert not report.overfull, str(report)
    assert report.pdf.stat().st_size > 5000


def test_a_long_flat_network_keeps_its_layer_table_and_breaks_across_columns(tmp_path):
    chain = symcnn.Sequential(
        symcnn.Input(3, "H", "W"),
        *[symcnn.Conv2d(out_channels=f"w{index}", kernel_size=3, padding=1) for index in range(60)],
    ).derive()
    written = files({"chain": chain}, Options())
    table = written["Chain-table.tex"]
    assert table.startswith("% layers table")  # a flat network has no stages to show
    assert table.count(r"\begin{tabular}") > 1  # in pieces a column may break between
    assert table.count(r"\texttt{conv2d") == 60
    for template in ("twocolumn", ONE_COLUMN[1]):
        report = compile_in(template, tmp_path / template, {"Chain-table.tex": table})
        assert not report.errors and not report.overfull, str(report)
