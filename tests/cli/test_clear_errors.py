"""Every bad input on the command line is one clear line and exit status 2, never "internal error"."""

from __future__ import annotations

import sys

import pytest

from symcnn.cli import main

BIG = "9" * 5000  # beyond Python's 4300-digit int() guard


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def symbolic_spec(tmp_path):
    path = tmp_path / "hw.yaml"
    path.write_text("input: [1, H, W]\nlayers:\n  - {type: conv2d, out_channels: 3, kernel_size: 3}\n")
    return str(path)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--subs", f"H={BIG}"], "value of H: cannot parse formula '9999"),
        (["--subs", f"H={BIG}"], "formula longer than 500 characters"),
        (["--assume", f"H%{BIG}==0"], "integers of more than 1000 digits are not supported"),
        (["--assume", "H%²==0"], "cannot read assumption 'H%²==0': write it as H%32==0"),
        (["--subs", "H=3", "H=4"], "--subs: H is given twice (3 and 4)"),
        (["--subs", "H=²"], "value of H: cannot parse formula '²': syntax error"),
    ],
)
def test_derive_values(capsys, symbolic_spec, argv, message):
    status, _, err = run(capsys, "derive", symbolic_spec, *argv)
    assert status == 2 and message in err and err.count("\n") == 1 and "internal error" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--zoo", "resnet50", "--set", f"layers={BIG},4,6,3"], "zoo: layers[0]: cannot parse formula"),
        (["--zoo", "resnet50", "--set", "layers=3,²,4,3"], "zoo: layers[1]: cannot parse formula '²': syntax error"),
        (["--zoo", "mobilenet_v2", "--set", "round_nearest=0"], "zoo: round_nearest must be a positive integer, got 0"),
        (
            ["--zoo", "resnet50", "--set", "layers=3,4,6,3", "layers=2,2,2,2"],
            "--set: layers is given twice (3,4,6,3 and 2,2,2,2)",
        ),
    ],
)
def test_zoo_settings(capsys, argv, message):
    status, _, err = run(capsys, "derive", *argv)
    assert status == 2 and message in err and err.count("\n") == 1 and "internal error" not in err


def test_exact_big_integers_are_printed_in_full(capsys, tmp_path):
    # Each size is a 951-digit number: the MACs have about 4,750 digits, past Python's str() guard.
    size = '"(10**50)**19"'
    spec = tmp_path / "huge.yaml"
    layer = f"{{type: conv3d, out_channels: {size}, kernel_size: 1}}"
    spec.write_text(f"input: [{size}, {size}, {size}, {size}]\nlayers:\n  - {layer}\n")
    status, out, err = run(capsys, "derive", str(spec), "--format", "json")
    assert status == 0, err
    assert "1" + "0" * (950 * 5) in out  # the MACs, exactly
    assert sys.get_int_max_str_digits() != 0  # the guard is back for the rest of the process


def test_input_sizes_with_superscript_digits(capsys):
    pytest.importorskip("torch")
    status, _, err = run(capsys, "derive", "--torch", "torchvision.models:resnet18", "--input", "3,²,W")
    assert status == 2 and "layer 0 (input): size 2: cannot parse formula '²': syntax error" in err


def test_a_torch_builder_that_raises_is_reported_as_the_builders_error(capsys, tmp_path, monkeypatch):
    pytest.importorskip("torch")
    (tmp_path / "mybuilder.py").write_text("def bad():\n    raise RuntimeError('boom')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    status, _, err = run(capsys, "derive", "--torch", "mybuilder:bad", "--input", "3,32,32")
    assert status == 2
    assert err == "symcnn: error: --torch mybuilder:bad: the builder raised RuntimeError: boom\n"


# --- bounded work: refused with one line before the work starts ----------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["derive", "--zoo", "resnet50", "--set", "layers=100000,4,6,3"],
            "zoo: layer1: 100000 blocks is more than the 1,000 a stage may unroll; give a symbol (e.g. N)",
        ),
        (
            ["derive", "--zoo", "densenet121", "--set", "block_config=6,12,24,201"],
            "zoo: features.denseblock4: 201 blocks is more than the 200 a stage may unroll\n",
        ),
        (["exam", "--count", "1000000"], "exam: at most 1,000 questions per exam, got 1,000,000"),
        (["derive", "/dev/zero"], "a spec must be a regular file, not a device, FIFO or directory"),
    ],
)
def test_limits_are_stated_and_refused_up_front(capsys, argv, message):
    status, _, err = run(capsys, *argv)
    assert status == 2 and message in err and err.count("\n") == 1


def test_a_symbolic_block_count_is_the_way_past_the_limit(capsys):
    status, out, _ = run(capsys, "derive", "--zoo", "resnet50", "--set", "layers=N,4,6,3")
    assert status == 0 and "N" in out


def test_sweep_output_is_written_in_pieces_with_the_same_text(tmp_path):
    from symcnn import Conv2d, Input, Sequential
    from symcnn.whatif import sweep
    from symcnn.whatif.sweep import BATCH

    d = Sequential(Input(3, "H", "W"), Conv2d(out_channels="k", kernel_size=3)).derive()
    result = sweep(d, ["H=1:300", "W=8", "k=1:500"])  # 150,000 configurations: more than two pieces
    assert len(result) > 2 * BATCH
    pieces = list(result.iter_csv())
    assert len(pieces) == 1 + -(-len(result) // BATCH)  # the header, then one piece per batch
    assert "".join(pieces) == result.to_csv()
    import json

    data = json.loads(result.to_json())
    assert data["rows"] == result.rows() and data["configurations"] == len(result)
    assert data["rows"][0] == [1, 8, 1, False, None, None, None, None, None, None]
