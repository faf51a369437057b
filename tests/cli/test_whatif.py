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
    assert status == 1 and json.loads(out)["value"] is None  # answered "no": status 1, not an error (2)


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


# -- a CLI that forgives and explains (issue 23): one test per edge, status and message -------------


def test_several_subject_to_all_hold(capsys, net):
    one = run(
        capsys, "whatif", "solve", net, "--largest", "k", "--subject-to", "params <= 1e6", "--subs", "H=224", "W=224"
    )
    both = run(capsys, "whatif", "solve", net, "--largest", "k", "--subject-to", "params <= 1e6",
               "--subject-to", "macs <= 4e8", "--subs", "H=224", "W=224")  # fmt: skip
    assert one[0] == both[0] == 0
    assert "params <= 1000000 and macs <= 400000000" in both[1]
    k_one, k_both = (int(text.split(": k = ")[1].split()[0]) for text in (one[1], both[1]))
    assert k_both < k_one  # the second bound was not dropped: it binds
    assert "macs = " in both[1] and " there" in both[1]


def test_and_joins_bounds_in_one_flag(capsys, net):
    joined = run(capsys, "whatif", "solve", net, "--largest", "k", "--subject-to", "params <= 1e6 and macs <= 4e8",
                 "--subs", "H=224", "W=224")  # fmt: skip
    repeated = run(capsys, "whatif", "solve", net, "--largest", "k", "--subject-to", "params <= 1e6",
                   "--subject-to", "macs <= 4e8", "--subs", "H=224", "W=224")  # fmt: skip
    assert joined == repeated and joined[0] == 0


@pytest.mark.parametrize("written", ["1000000", "1_000_000", "1,000,000", "1e6"])
def test_numbers_with_separators_and_exponents(capsys, net, written):
    status, out, err = run(capsys, "whatif", "solve", net, "--largest", "k", "--subject-to", f"params <= {written}",
                           "--subs", "H=224", "W=224", "--limit", "100,000")  # fmt: skip
    assert (status, err) == (0, "") and "params <= 1000000 (H=224, W=224): k = " in out


def test_thousands_in_subs_and_counts(capsys, net):
    status, out, _ = run(capsys, "whatif", "sweep", net, "--grid", "H=224", "W=224", "k=1:4", "--random", "1e1")
    assert status == 0 and len(out.splitlines()) == 11
    status, out, _ = run(
        capsys, "whatif", "sensitivity", net, "--of", "macs", "--wrt", "k", "--at", "k=64", "H=1,024", "W=1_024"
    )
    assert status == 0 and "at k=64, H=1024, W=1024" in out


def test_badly_grouped_number_is_explained(capsys, net):
    status, out, err = run(
        capsys, "whatif", "solve", net, "--largest", "k", "--subject-to", "params <= 1,00", "--subs", "H=8", "W=8"
    )
    assert status == 2 and out == ""
    assert err == (
        "symcnn: error: --subject-to: cannot read 'params <= 1,00': "
        "group thousands in threes (1,000,000), or write 1_000_000 or 1e6\n"
    )
    with pytest.raises(SystemExit) as stop:  # argparse's own error: one line and status 2 too
        main(["whatif", "sweep", net, "--grid", "H=8", "W=8", "k=1:4", "--random", "2.5"])
    assert stop.value.code == 2
    assert (
        "argument --random: expected a whole number (1000, 1_000, 1,000 or 1e3), got '2.5'" in capsys.readouterr().err
    )


def test_no_solution_exits_1_with_the_closest_value(capsys, net):
    status, out, err = run(
        capsys, "whatif", "solve", net, "--largest", "k", "--subject-to", "params <= 10", "--subs", "H=224", "W=224"
    )
    assert (status, err) == (1, "")
    assert "no value satisfies it" in out and "closest: k = 1 gives params = 200 (the bound asks params <= 10)" in out
    status, out, _ = run(
        capsys,
        "whatif",
        "solve",
        net,
        "--largest",
        "k",
        "--subject-to",
        "params <= 10",
        "--subs",
        "H=224",
        "W=224",
        "-f",
        "json",
    )
    assert status == 1 and json.loads(out)["closest"] == 1 and json.loads(out)["quantity_at_closest"] == 200


def test_hints_name_a_value_for_the_symbols_role(capsys):
    status, _, err = run(
        capsys, "whatif", "sweep", "--zoo", "resnet18", "--set", "layers=2,2,N,2", "--grid", "H=224", "W=224"
    )
    assert status == 2 and err == "symcnn: error: sweep: give an axis or a value for N (e.g. N=2)\n"  # a block count
    status, _, err = run(capsys, "whatif", "solve", "--zoo", "resnet18", "--set", "layers=2,2,N,2", "--largest", "N",
                         "--subject-to", "macs <= 4e9")  # fmt: skip
    assert status == 2 and "give a value for it (fixed=... / --subs H=224 W=224)" in err  # input sizes


def test_whatif_takes_a_zoo_model(capsys):
    status, out, err = run(capsys, "whatif", "solve", "--zoo", "resnet50", "--set", "layers=3,4,N,3", "--largest", "N",
                           "--subject-to", "params <= 30e6", "--subs", "H=224", "W=224")  # fmt: skip
    assert (status, err) == (0, "") and "largest N with params <= 30000000 (H=224, W=224): N = 9" in out
    status, _, err = run(
        capsys,
        "whatif",
        "sweep",
        "--zoo",
        "resnet18",
        "--set",
        "num_classes=10",
        "--grid",
        "H=32",
        "W=32",
        "--torch",
        "x:y",
    )
    assert status == 2 and err == "symcnn: error: give one of a spec file, --torch, --onnx or --zoo\n"


def test_a_repeat_count_of_one_is_a_stage_of_one_block(capsys):
    status, out, err = run(
        capsys,
        "derive",
        "--zoo",
        "resnet50",
        "--set",
        "layers=3,4,N,3",
        "--subs",
        "N=1",
        "H=224",
        "W=224",
        "-f",
        "json",
    )
    assert (status, err) == (0, "")
    assert json.loads(out)["trainable_params"] == 19_971_112  # torchvision's ResNet(Bottleneck, [3, 4, 1, 3])


@pytest.mark.torch
def test_torch_module_in_the_current_directory(capsys, tmp_path, monkeypatch):
    pytest.importorskip("torch")
    (tmp_path / "mymodel_issue23.py").write_text(
        "import torch\n\ndef build():\n    return torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.ReLU())\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.path", [p for p in __import__("sys").path if p not in ("", str(tmp_path))])
    status, out, err = run(capsys, "whatif", "solve", "--torch", "mymodel_issue23:build", "--input", "3,H,W",
                           "--smallest", "H", "--subs", "W=8")  # fmt: skip
    assert (status, err) == (0, "") and "H = 3" in out
