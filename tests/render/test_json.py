from __future__ import annotations

import json

import symcnn


def test_mnist_json_matches_golden(mnist, golden):
    golden("mnist.json", mnist.to_json())


def test_mnist_json_fields(mnist):
    data = json.loads(mnist.to_json())
    assert data["input_shape"] == [1, 28, 28]
    assert data["output_shape"] == [10]
    assert data["total_params"] == data["trainable_params"] == 217_706
    assert data["non_trainable_params"] == 0
    assert data["conventions"]["framework"] == "pytorch"
    assert data["conditions"] == []
    assert [layer["params"] for layer in data["layers"]] == [832, 0, 9248, 0, 0, 205_056, 2570]
    assert sum(layer["params"] for layer in data["layers"]) == data["total_params"]
    assert sum(layer["macs"] for layer in data["layers"]) == data["total_macs"]
    for layer in data["layers"]:
        assert set(layer) >= {"name", "type", "output_shape", "params", "buffers", "macs"}


def test_symbolic_values_are_sympy_strings_that_read_back():
    import sympy

    H = symcnn.symbols("H")
    net = symcnn.Sequential(
        symcnn.Input(3, H, H),
        symcnn.Conv2d(out_channels=8, kernel_size=7, stride=2, padding=3),
        symcnn.MaxPool2d(3, 2, 1),
    )
    data = json.loads(net.derive().to_json())
    assert data["output_shape"] == [8, "floor((H - 1)/4) + 1", "floor((H - 1)/4) + 1"]
    back = sympy.sympify(data["output_shape"][1], locals={"H": H})  # our own output, a trusted string
    assert sympy.simplify(back - (sympy.floor((H - 1) / 4) + 1)) == 0
    assert data["conditions"] == []


def test_cli_json_is_the_library_json(mnist, capsys):
    from symcnn.cli import main

    assert main(["derive", "--format", "json"]) == 0
    assert capsys.readouterr().out == mnist.to_json()
