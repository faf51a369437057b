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
