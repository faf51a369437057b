"""Spec files and dicts: chains, graphs, blocks, repeats, and the errors users see."""

from __future__ import annotations

import json

import pytest
import sympy

import symcnn
from symcnn.model.examples import MNIST


def test_yaml_and_json_files_give_the_same_network(tmp_path):
    import yaml

    (tmp_path / "net.json").write_text(json.dumps(MNIST))
    (tmp_path / "net.yaml").write_text(yaml.safe_dump(MNIST))
    from_json = symcnn.load_spec(tmp_path / "net.json").derive()
    from_yaml = symcnn.load_spec(str(tmp_path / "net.yaml")).derive()
    assert from_json.totals == from_yaml.totals
    assert from_json.totals.params == 217_706


def test_formulas_in_values_become_symbols():
    spec = {
        "input": [3, "H", "W"],
        "layers": [
            {"type": "conv2d", "out_channels": "2*k", "kernel_size": 3, "padding": "(3 - 1)//2"},
            {"type": "adaptiveavgpool2d", "output_size": 1},
            {"type": "flatten"},
            {"type": "linear", "out_features": 10},
        ],
    }
    d = symcnn.load_spec(spec).derive()
    k = symcnn.symbols("k")
    assert d.output_shape == (10,)
    assert sympy.expand(d.totals.trainable - ((27 + 1) * 2 * k + (2 * k + 1) * 10)) == 0


def test_graph_spec_with_named_inputs():
    spec = {
        "input": [8, 16, 16],
        "layers": [
            {"type": "conv2d", "out_channels": 8, "kernel_size": 3, "padding": 1, "name": "a"},
            {"type": "relu", "name": "r"},
            {"type": "conv2d", "out_channels": 8, "kernel_size": 3, "padding": 1, "name": "b", "inputs": "input"},
            {"type": "concat", "inputs": ["r", "b"], "name": "joined"},
        ],
    }
    d = symcnn.load_spec(spec).derive()
    assert d.output_shape == (16, 16, 16)
    assert d.row("joined").sources == ("r", "b")


def test_block_and_repeat_specs():
    spec = {
        "input": [4, "H", "H"],
        "layers": [
            {"type": "block", "name": "stem", "layers": [{"type": "conv2d", "out_channels": 4, "kernel_size": 1}]},
            {
                "type": "repeat",
                "times": "N",
                "name": "body",
                "layers": [
                    {"type": "conv2d", "out_channels": 4, "kernel_size": 3, "padding": 1, "name": "c"},
                    {"type": "add", "inputs": ["input", "c"]},
                ],
            },
        ],
    }
    d = symcnn.load_spec(spec).derive()
    N = symcnn.symbols("N")
    assert [row.name for row in d.layers] == ["stem.conv2d", "body.c", "body.add"]
    assert d.row("body.c").multiplicity == N
    assert sympy.expand(d.totals.trainable - (20 + N * 148)) == 0


@pytest.mark.parametrize(
    ("spec", "error", "message"),
    [
        ({"layers": []}, symcnn.SpecError, "spec: 'input' is missing (e.g. input: [1, 28, 28])"),
        ({"input": [1], "layers": []}, symcnn.SpecError, "spec: 'layers' must be a non-empty list"),
        (
            {"input": [1], "layers": [3]},
            symcnn.SpecError,
            "spec: layer 1 must be a mapping like {type: conv2d, ...}, got 3",
        ),
        (
            {"input": [1], "layers": [{"out_channels": 3}]},
            symcnn.SpecError,
            "layer 1: 'type' is missing (e.g. type: conv2d)",
        ),
        ({"input": 5, "layers": []}, symcnn.SpecError, "spec: 'input' must be a list of sizes like [1, 28, 28], got 5"),
        (
            {"input": [1], "layers": [{"type": "relu"}], "inptus": 1},
            symcnn.SpecError,
            "spec: unknown top-level key 'inptus' (expected input, layers, name)",
        ),
        (
            {"input": [1, 4], "layers": [{"type": "relu", "inputs": ["nope"]}]},
            symcnn.SpecError,
            "layer 1: input 'nope' is not an earlier layer's name (known: input)",
        ),
        (
            {"input": [1, 4], "layers": [{"type": "relu", "name": "a"}, {"type": "relu", "name": "a", "inputs": "a"}]},
            symcnn.SpecError,
            "layer 2: the name 'a' is used twice",
        ),
        (
            {"input": [1, 4], "layers": [{"type": "repeat", "layers": [{"type": "relu"}]}]},
            symcnn.SpecError,
            "layer 1 (repeat): 'times' is missing",
        ),
        (
            {"input": [1, 4], "layers": [{"type": "repeat", "times": 0, "layers": [{"type": "relu"}]}]},
            symcnn.SpecError,
            "layer 1 (repeat): repeat: times must be a positive integer, got 0",
        ),
        (
            {"input": [1, 4], "layers": [{"type": "conv1d", "out_channels": 1, "kernel_size": 2, "bias": "yes"}]},
            symcnn.SpecError,
            "layer 1 (conv1d): bias must be true or false, got 'yes'",
        ),
        (
            {"input": [1, 4], "layers": [{"type": "conv1d", "out_channels": 1, "kernel_size": 2, "padding": -1}]},
            symcnn.SpecError,
            "layer 1 (conv1d): padding must be an integer ≥ 0, got -1",
        ),
        (
            {
                "input": [1, 4],
                "layers": [{"type": "conv1d", "out_channels": 1, "kernel_size": 2, "stride": 2, "padding": "same"}],
            },
            symcnn.SpecError,
            "layer 1 (conv1d): padding='same' is not supported for strided convolutions",
        ),
    ],
)
def test_spec_errors(spec, error, message):
    with pytest.raises(error) as caught:
        symcnn.load_spec(spec).derive()
    assert str(caught.value) == message


def test_unknown_layer_type_is_a_lookup_error():
    with pytest.raises(LookupError, match="unknown layer type 'dense'"):
        symcnn.load_spec({"input": [3], "layers": [{"type": "dense", "units": 3}]})


# --- YAML 1.2 numbers, refused constructs, what is read at all ----------------------------------------


def _first_conv(tmp_path, value: str) -> symcnn.Row:
    path = tmp_path / "net.yaml"
    path.write_text(f"input: [1, 8, 8]\nlayers:\n  - {{type: conv2d, out_channels: {value}, kernel_size: 1}}\n")
    return symcnn.load_spec(path).derive().rows[1]


@pytest.mark.parametrize(
    ("literal", "channels"),
    [("010", 10), ("0x10", 16), ("0o10", 8), ("+7", 7), ("1_000", 1000), ("1e1", 10), ("20.0", 20)],
)
def test_yaml_numbers_follow_the_yaml_1_2_core_schema(tmp_path, literal, channels):
    assert _first_conv(tmp_path, literal).output_shape[0] == channels  # 010 is ten, not octal eight


def test_sexagesimal_is_text_and_then_a_clear_error(tmp_path):
    with pytest.raises(symcnn.SpecError, match=r"out_channels: cannot parse formula '1:30'"):
        _first_conv(tmp_path, "1:30")  # YAML 1.1 would silently read 90


def test_yes_and_no_are_text(tmp_path):
    path = tmp_path / "net.yaml"
    path.write_text("input: [1, 8, 8]\nlayers:\n  - {type: relu, name: no}\n")
    assert symcnn.load_spec(path).derive().rows[1].name == "no"  # YAML 1.1 would read False


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{<<: {type: relu}}", r"YAML merge keys \(<<\) are not supported in spec files: write the keys out"),
        ("{[a]: 1, type: relu}", r"a key must be a name, not a list or a mapping \(line 3\)"),
        ("{{a: 1}: 1, type: relu}", r"a key must be a name, not a list or a mapping \(line 3\)"),
        ("{type: conv2d, out_channels: " + "9" * 5000 + ", kernel_size: 1}",
         r"integers of more than 1000 digits are not supported \(line 3\)"),
    ],
)  # fmt: skip
def test_yaml_constructs_refused_with_one_clear_line(tmp_path, text, message):
    path = tmp_path / "net.yaml"
    path.write_text(f"input: [1, 8, 8]\nlayers:\n  - {text}\n")
    with pytest.raises(symcnn.SpecError, match=message):
        symcnn.load_spec(path)


def test_a_quoted_double_angle_is_just_text(tmp_path):
    path = tmp_path / "net.yaml"
    path.write_text('input: [1, 8, 8]\nlayers:\n  - {type: relu, name: "<<"}\n')
    assert symcnn.load_spec(path).derive().rows[1].name == "<<"


def test_json_big_integers_are_refused_with_the_limit(tmp_path):
    path = tmp_path / "net.json"
    path.write_text('{"input": [1, 8, 8], "layers": [{"type": "conv2d", "out_channels": ' + "9" * 5000 + "}]}")
    with pytest.raises(symcnn.SpecError, match="integers of more than 1000 digits are not supported"):
        symcnn.load_spec(path)


def test_integers_up_to_the_limit_are_exact(tmp_path):
    huge = 10**999 + 7
    assert _first_conv(tmp_path, str(huge)).output_shape[0] == huge


@pytest.mark.parametrize("kind", ["device", "fifo", "directory"])
def test_only_regular_files_are_read(tmp_path, kind):
    import os

    if kind == "device":
        path = "/dev/zero"  # would never end
    elif kind == "fifo":
        path = tmp_path / "spec.yaml"
        os.mkfifo(path)  # opening it must not wait for a writer
    else:
        path = tmp_path
    with pytest.raises(symcnn.SpecError, match="a spec must be a regular file, not a device, FIFO or directory"):
        symcnn.load_spec(path)


def test_spec_file_size_is_capped(tmp_path):
    from symcnn.model.spec import MAX_SPEC_BYTES

    path = tmp_path / "net.yaml"
    path.write_text("input: [1, 8, 8]\nlayers:\n  - {type: relu}\n" + "#" * MAX_SPEC_BYTES)
    with pytest.raises(symcnn.SpecError, match="spec file is larger than 2,000,000 bytes"):
        symcnn.load_spec(path)
