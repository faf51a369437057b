"""The command line: the embedded example, formats, and one-line errors with exit status 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from symcnn.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def write(tmp_path, text: str, name: str = "net.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_derive_without_spec_runs_the_mnist_example(capsys, mnist):
    status, out, err = run(capsys, "derive")
    assert status == 0 and err == ""
    assert out == mnist.to_text()


@pytest.mark.parametrize("fmt", ["text", "md", "latex", "json"])
def test_every_format(capsys, fmt):
    status, out, _ = run(capsys, "derive", "--format", fmt)
    assert status == 0
    assert ("217'706" if fmt == "text" else "217706" if fmt == "json" else r"217\,706") in out


def test_subs_and_assume(capsys, tmp_path):
    spec = write(
        tmp_path, "input: [3, H, W]\nlayers:\n  - {type: conv2d, out_channels: k, kernel_size: 3, stride: 2}\n"
    )
    status, out, _ = run(capsys, "derive", spec, "--format", "json", "--subs", "H=9", "k=2*c")
    data = json.loads(out)
    assert status == 0
    assert data["output_shape"] == ["2*c", 4, "floor((W - 3)/2) + 1"]
    status, out, _ = run(capsys, "derive", spec, "--format", "json", "--assume", "H%2==0")
    assert json.loads(out)["output_shape"][1] == "H/2 - 1"


def test_output_file_and_standalone(capsys, tmp_path):
    target = tmp_path / "out.tex"
    status, out, _ = run(capsys, "derive", "--format", "latex", "--standalone", "-o", str(target))
    assert status == 0 and out == ""
    assert target.read_text().startswith(r"\documentclass")


def test_rules_and_layers_listings(capsys):
    status, out, _ = run(capsys, "rules")
    assert status == 0 and "size_dilated" in out and "floor((i + 2*p - d*(n - 1) - 1)/s) + 1" in out
    status, out, _ = run(capsys, "layers")
    assert status == 0 and "conv2d" in out and "Conv2d" in out


BAD_SPECS = [
    (
        "kernel larger than its input",
        "input: [1, 4, 4]\nlayers:\n  - {type: conv2d, out_channels: 3, kernel_size: 5, name: conv2}\n",
        "layer 1 (conv2d 'conv2'): output height must be ≥ 1, got 4 - (5 - 1) = 0",
    ),
    (
        "kernel larger than a later input",
        "input: [1, 8, 8]\nlayers:\n  - {type: maxpool2d, kernel_size: 2}\n"
        "  - {type: conv2d, out_channels: 3, kernel_size: 5, stride: 2}\n",
        "layer 2 (conv2d 'conv2d'): output height must be ≥ 1, got floor((4 - 5)/2) + 1 = 0",
    ),
    (
        "non-positive size",
        "input: [1, 0, 28]\nlayers:\n  - {type: relu}\n",
        "layer 0 (input): size 2 must be a positive integer, got 0",
    ),
    (
        "fractional size",
        "input: [1, 28/3, 28]\nlayers:\n  - {type: relu}\n",
        "layer 0 (input): size 2 must be a positive integer, got 28/3",
    ),
    (
        "float size",
        "input: [1, 2.5, 28]\nlayers:\n  - {type: relu}\n",
        "layer 0 (input): size 2 must be a positive integer, got 5/2",
    ),
    (
        "fractional kernel",
        "input: [1, 8, 8]\nlayers:\n  - {type: conv2d, out_channels: 3, kernel_size: 1.5}\n",
        "layer 1 (conv2d): kernel_size must be a positive integer, got 3/2",
    ),
    (
        "groups that do not divide channels",
        "input: [3, 8, 8]\nlayers:\n  - {type: conv2d, out_channels: 4, kernel_size: 3, groups: 2}\n",
        "layer 1 (conv2d 'conv2d'): groups must divide in_channels, got in_channels=3 and groups=2",
    ),
    (
        "unknown layer type",
        "input: [3, 8, 8]\nlayers:\n  - {type: relu}\n  - {type: convolution, out_channels: 4}\n",
        "layer 2 (convolution): unknown layer type 'convolution' (did you mean conv1d, conv2d, conv3d, "
        "convolutionmap2d, convtranspose1d, convtranspose2d, convtranspose3d?)",
    ),
    (
        "unknown argument",
        "input: [3, 8, 8]\nlayers:\n  - {type: conv2d, out_channels: 4, kernal_size: 3}\n",
        "layer 1 (conv2d): unknown argument 'kernal_size' (did you mean 'kernel_size'?)",
    ),
    (
        "malformed formula",
        "input: [3, H, W]\nlayers:\n  - {type: conv2d, out_channels: '2*', kernel_size: 3}\n",
        "layer 1 (conv2d): out_channels: cannot parse formula '2*': syntax error",
    ),
    (
        "hostile formula",
        "input: [3, H, W]\nlayers:\n"
        "  - {type: conv2d, out_channels: \"__import__('os').system('true')\", kernel_size: 3}\n",
        "layer 1 (conv2d): out_channels: cannot parse formula \"__import__('os').system('true')\": "
        "attribute access is not allowed",
    ),
    (
        "missing input",
        "layers:\n  - {type: relu}\n",
        "spec: 'input' is missing (e.g. input: [1, 28, 28])",
    ),
]


@pytest.mark.parametrize(("case", "spec", "message"), BAD_SPECS, ids=[case[0] for case in BAD_SPECS])
def test_bad_spec_gives_one_line_and_status_2(capsys, tmp_path, case, spec, message):
    status, out, err = run(capsys, "derive", write(tmp_path, spec))
    assert status == 2
    assert out == ""
    assert err == f"symcnn: error: {message}\n"


def test_malformed_yaml(capsys, tmp_path):
    path = write(tmp_path, "input: [1, 28, 28\nlayers: []\n")
    status, _, err = run(capsys, "derive", path)
    assert status == 2
    assert err.startswith(f"symcnn: error: {path}: malformed YAML at line ") and err.count("\n") == 1


def test_hostile_yaml_tag_is_refused_without_running_anything(capsys, tmp_path):
    marker = tmp_path / "pwned"
    path = write(tmp_path, f"input: !!python/object/apply:os.system ['touch {marker}']\nlayers: []\n")
    status, _, err = run(capsys, "derive", path)
    assert status == 2
    assert err == f"symcnn: error: {path}: YAML tags that build objects are not allowed (line 1)\n"
    assert not marker.exists()


def test_yaml_alias_bomb_is_refused(capsys, tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b]\n"
    path = write(tmp_path, bomb)
    status, _, err = run(capsys, "derive", path)
    assert status == 2
    assert err == f"symcnn: error: {path}: YAML aliases are not allowed in spec files (line 2)\n"


def test_missing_file_and_bad_flags(capsys, tmp_path):
    status, _, err = run(capsys, "derive", str(tmp_path / "nope.yaml"))
    assert (
        status == 2
        and err == f"symcnn: error: cannot read spec file {tmp_path / 'nope.yaml'}: No such file or directory\n"
    )
    status, _, err = run(capsys, "derive", "--subs", "H")
    assert status == 2 and err == "symcnn: error: --subs expects NAME=VALUE, got 'H'\n"
    status, _, err = run(capsys, "derive", "--subs", "H=1")
    assert (
        status == 2
        and err == "symcnn: error: cannot substitute H: the derivation has no symbol 'H' (its symbols: none)\n"
    )
    status, _, err = run(capsys, "derive", "--assume", "H%x==0")
    assert status == 2 and err == "symcnn: error: cannot read assumption 'H%x==0': write it as H%32==0\n"


def test_substitution_that_violates_a_condition(capsys, tmp_path):
    spec = write(tmp_path, "input: [3, H, H]\nlayers:\n  - {type: conv2d, out_channels: 4, kernel_size: 5, name: c}\n")
    status, _, err = run(capsys, "derive", spec, "--subs", "H=3")
    assert status == 2
    assert err == "symcnn: error: layer 1 (conv2d 'c'): output height must be ≥ 1, violated by H=3 (needs H >= 5)\n"


def test_installed_entry_point_never_prints_a_traceback(tmp_path):
    path = write(tmp_path, "input: [1, 4, 4]\nlayers:\n  - {type: conv2d, out_channels: 3, kernel_size: 5}\n")
    done = subprocess.run([sys.executable, "-m", "symcnn.cli", "derive", path], capture_output=True, text=True)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("input: [1, 4]\nlayers:\n  - {type: 5}\n", "layer 1: 'type' must be a layer type's name like conv2d, got 5"),
        ("input: [1, 4]\nlayers:\n  - {type: relu, 1: 2}\n", "layer 1: argument names must be text, got 1"),
        (
            "input: [[1, 2]]\nlayers:\n  - {type: relu}\n",
            "layer 0 (input): size 1 must be a number or a formula, got [1, 2]",
        ),
        ("input: [1, 4]\ninput: [1, 5]\nlayers:\n  - {type: relu}\n", "the key 'input' is given twice (line 2)"),
        (
            "input: [1, " + "9" * 1200 + "]\nlayers:\n  - {type: relu}\n",
            "layer 0 (input): size 2: integers of more than 1000 digits are not supported",
        ),
        (
            "input: [1, 4]\nlayers:\n  - {type: linear, out_features: '(a+b+c+e+f+g+h+j)**64'}\n",
            "formula would expand to more than 10,000 terms",
        ),
        ("input: " + "[" * 3000 + "]" * 3000 + "\nlayers: []\n", "nested too deeply"),
    ],
)
def test_more_bad_specs_end_in_one_line(capsys, tmp_path, spec, message):
    status, _, err = run(capsys, "derive", write(tmp_path, spec))
    assert status == 2
    assert message in err and err.count("\n") == 1 and "internal error" not in err


def test_usage_hint_names_the_program_once(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["foo"])
    assert info.value.code == 2
    error = capsys.readouterr().err
    assert error.endswith("(see symcnn --help)\n") and "symcnn symcnn" not in error
    with pytest.raises(SystemExit):
        main(["derive", "--format", "pdf"])
    assert capsys.readouterr().err.endswith("(see symcnn derive --help)\n")


def test_cli_reference_is_current():
    from pathlib import Path

    from symcnn.cli.reference import reference_markdown

    committed = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == reference_markdown(), "run: python -m symcnn.cli.reference > docs/cli.md"
