"""``symcnn paper --check``: 0 when the directory is current, 1 naming each stale file and macro."""

from __future__ import annotations

import shutil
from pathlib import Path

from symcnn.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_check_passes_on_fresh_output_and_names_the_changed_macro(tmp_path, capsys):
    spec = tmp_path / "stem.yaml"
    shutil.copy(ROOT / "papers" / "resnet_stem.yaml", spec)
    args = [str(spec), "-o", str(tmp_path / "out"), "--at", "H=224", "W=224", "k=64"]
    assert main(["paper", *args]) == 0
    capsys.readouterr()
    assert main(["paper", *args, "--check"]) == 0
    assert capsys.readouterr().out == ""

    spec.write_text(spec.read_text().replace("out_channels: k,", "out_channels: 2*k,"))
    before = {path.name: path.read_text() for path in (tmp_path / "out").iterdir()}
    assert main(["paper", *args, "--check"]) == 1
    report = capsys.readouterr().out
    assert "macros.tex: stale" in report and "ResNetStem-table.tex: stale" in report
    assert r"\ResNetStemParams: \ensuremath{9{,}536} -> \ensuremath{19{,}072}" in report
    assert r"\ResNetStemParamsFormula: \ensuremath{149 k} -> \ensuremath{298 k}" in report
    # --check writes nothing.
    assert {path.name: path.read_text() for path in (tmp_path / "out").iterdir()} == before


def test_check_names_a_missing_file(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["paper", str(ROOT / "papers" / "mnist.yaml"), "-o", str(out)]) == 0
    (out / "MNISTClassic-diagram.tex").unlink()
    capsys.readouterr()
    assert main(["paper", str(ROOT / "papers" / "mnist.yaml"), "-o", str(out), "--check"]) == 1
    assert "MNISTClassic-diagram.tex: missing" in capsys.readouterr().out


def test_headers_name_the_source_and_version_and_no_date(tmp_path, capsys):
    import symcnn

    out = tmp_path / "out"
    assert main(["paper", "--zoo", "resnet50 width_per_group=w", "-o", str(out)]) == 0
    header = (out / "ResnetFifty-table.tex").read_text().splitlines()[0]
    assert f"symcnn {symcnn.__version__} from zoo resnet50 width_per_group=w" in header
    assert "resnet50: zoo resnet50 width_per_group=w" in (out / "macros.tex").read_text().splitlines()[0]
    import datetime

    everything = "".join(path.read_text() for path in out.iterdir())
    assert str(datetime.date.today().year) not in everything  # no dates: an unchanged model changes nothing
