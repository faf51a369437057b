"""``symcnn whatif``: each question in text and JSON, files, and one-line errors with status 2."""

from __future__ import annotations

import csv
import io
import json

import pytest

from symcnn import load_spec
from symcnn.cli import main

NET = """
input: [3, H, W]
layers:
  - {type: conv2d, out_channels: k, kernel_size: 7, stride: 2, padding: 3, name: stem}
  - {type: batchnorm2d}
  - {type: relu}
  - {type: maxpool2d, kernel_size: 3, stride: 2, padding: 1, ceil_mode: true}
  - {type: conv2d, out_channels: "2*k", kernel_size: 3, padding: 1, name: body}
  - {type: adaptiveavgpool2d, output_size: 1}
  - {type: flatten}
  - {type: linear, out_features: 10, name: fc}
"""
SEPARABLE = """
input: [l, H, W]
layers:
  - {type: conv2d, out_channels: l, kernel_size: [n, m], groups: l, bias: false}
  - {type: conv2d, out_channels: k, kernel_size: 1, bias: false}
"""
STANDARD = """
input: [l, H, W]
layers:
  - {type: conv2d, out_channels: k, kernel_size: [n, m], bias: false}
"""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def net(tmp_path):
    path = tmp_path / "net.yaml"
    path.write_text(NET, encoding="utf-8")
    return str(path)


def test_solve_text_and_json(capsys, net):
    status, out, err = run(
        capsys, "whatif", "solve", net, "--largest", "k", "--subject-to", "params <= 20e6", "--subs", "H=224", "W=224"
    )
    assert status == 0 and err == ""
    status, out, _ = run(
        capsys, "whatif", "solve", net, "--largest", "k", "--subject-to", "params <= 20e6",
        "--subs", "H=224", "W=224", "--format", "json",
    )  # fmt: skip
    data = json.loads(out)
    d = load_spec(net).derive()
    k = data["value"]
    assert data["symbol"] == "k" and data["status"] == "found"
    assert d.subs(k=k, H=224, W=224).totals.params <= 20_000_000 < d.subs(k=k + 1, H=224, W=224).totals.params
    assert f"k = {k}" in run(capsys, "whatif", "solve", net, "--largest", "k", "--subject-to", "params <= 20e6",
                              "--subs", "H=224", "W=224")[1]  # fmt: skip


def test_solve_without_an_answer_gives_null(capsys, net):
    status, out, _ = run(
        capsys, "whatif", "solve", net, "--smallest", "k", "--subject-to", "params <= 100", "--subs", "H=64", "W=64",
        "--format", "json",
    )  # fmt: skip
    assert status == 0 and json.loads(out)["value"] is None


def test_sensitivity_and_shares(capsys, net):
    status, out, _ = run(
        capsys, "whatif", "sensitivity", net, "--of", "macs", "--wrt", "k", "--at", "k=64", "H=224", "W=224",
        "--shares", "--format", "json",
    )  # fmt: skip
    data = json.loads(out)
    d = load_spec(net).derive()
    here, after = (d.subs(k=k, H=224, W=224).totals.macs for k in (64, 65))
    assert data["value"] == here and data["forward_difference"] == after - here
    assert [share["layer"] for share in data["shares"]][:2] == ["body", "stem"]
    status, text, _ = run(capsys, "whatif", "sensitivity", net, "--of", "macs", "--wrt", "k", "--at", "k=64", "H=224",
                          "W=224")  # fmt: skip
    assert status == 0 and "forward difference" in text and f"{int(after - here):,}" in text


def test_compare_gives_the_mobilenets_ratio(capsys, tmp_path):
    a, b = tmp_path / "separable.yaml", tmp_path / "standard.yaml"
    a.write_text(SEPARABLE, encoding="utf-8")
    b.write_text(STANDARD, encoding="utf-8")
    status, out, _ = run(capsys, "whatif", "compare", str(a), str(b), "--format", "json")
    data = json.loads(out)
    assert status == 0 and data["ratio"]["macs"] == "1/(m*n) + 1/k"
    assert set(data["difference"]) == {"params", "trainable_params", "macs"}
    status, out, _ = run(capsys, "whatif", "compare", str(a), str(b), "--at", "n=3", "m=3", "l=32", "k=64", "H=56",
                         "W=56", "--format", "json")  # fmt: skip
    assert json.loads(out)["values"]["ratio"]["macs"] == "73/576"  # 1/64 + 1/9


def test_sweep_csv_file_and_json(capsys, net, tmp_path):
    target = tmp_path / "sweep.csv"
    status, out, _ = run(
        capsys, "whatif", "sweep", net, "--grid", "H=32:512:32", "k=16,32,64", "W=224", "-o", str(target)
    )
    assert status == 0 and out == ""
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert len(rows) == 16 * 3
    assert list(rows[0]) == ["H", "k", "W", "valid", "params", "trainable_params", "macs", "output_0"]
    d = load_spec(net).derive()
    for row in rows[::7]:
        at = d.subs(H=int(row["H"]), W=224, k=int(row["k"]))
        assert int(row["macs"]) == at.totals.macs and int(row["params"]) == at.totals.params
    status, out, _ = run(capsys, "whatif", "sweep", net, "--grid", "H=1:512", "k=1:64", "W=224", "--random", "50",
                         "--seed", "1", "--format", "json")  # fmt: skip
    assert status == 0 and json.loads(out)["configurations"] == 50


def test_plot_writes_an_image(capsys, net, tmp_path):
    pytest.importorskip("matplotlib")
    target = tmp_path / "macs.png"
    status, out, _ = run(capsys, "whatif", "plot", net, "--x", "H=32:1024:32", "--y", "macs", "--subs", "k=64",
                         "W=224", "--per-layer", "-o", str(target))  # fmt: skip
    assert status == 0 and out == f"wrote {target}\n"
    assert target.read_bytes()[:4] == b"\x89PNG" and target.stat().st_size > 10_000


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["solve", "{net}", "--largest", "k", "--subject-to", "parms <= 1"], "did you mean params"),
        (["solve", "{net}", "--largest", "k", "--subject-to", "params <= __import__('os')"], "cannot parse"),
        (["solve", "{net}", "--largest", "q", "--subject-to", "params <= 1"], "no symbol 'q'"),
        (["sweep", "{net}", "--grid", "H=0:5", "k=1", "W=5"], "H must be ≥ 1"),
        (["sensitivity", "{net}", "--of", "macs", "--wrt", "k", "--at", "k=4"], "depends on"),
        (["plot", "{net}", "--x", "H=1:9", "-o", "x.gif"], "must end in"),
    ],
)
def test_errors_are_one_line_with_status_2(capsys, net, argv, message):
    status, out, err = run(capsys, "whatif", *(part.replace("{net}", net) for part in argv))
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("symcnn: error:") and message in err
