"""Quantity names (as in the JSON output) and formulas printed in the spec syntax."""

from __future__ import annotations

import pytest
import sympy

from symcnn import BatchNorm2d, Conv2d, Graph, Input, MaxPool2d, Repeat, Sequential, SpecError, symbols
from symcnn.exact.formula import parse_formula
from symcnn.whatif import formula_text, quantity


def test_names_match_the_json_output():
    d = Sequential(
        Input(3, "H", "W"), Conv2d(out_channels="k", kernel_size=3, name="c1"), BatchNorm2d(name="bn")
    ).derive()
    data = d.subs(H=10, W=12, k=4).to_dict()
    at = d.subs(H=10, W=12, k=4)
    assert quantity(at, "params") == data["total_params"] == quantity(at, "total_params")
    assert quantity(at, "trainable_params") == data["trainable_params"]
    assert quantity(at, "macs") == data["total_macs"] and quantity(at, "flops") == data["total_flops"]
    assert [quantity(at, f"output_shape[{i}]") for i in range(3)] == data["output_shape"]
    assert quantity(at, "output_shape[-1]") == 10
    layers = {layer["name"]: layer for layer in data["layers"]}
    for field in ("params", "trainable_params", "non_trainable_params", "buffers", "macs", "activations"):
        for name in ("c1", "bn"):
            assert quantity(at, f"{name}.{field}") == layers[name][field]
    assert quantity(at, "c1.output_shape[1]") == layers["c1"]["output_shape"][1]
    assert quantity(at, "c1.input_shape[2]") == 12


def test_dotted_row_names():
    block = Graph(x := Input(), Conv2d(out_channels=4, kernel_size=3, padding=1, name="conv")(x), name="layer3")
    d = Sequential(Input(4, 8, 8), Repeat(block, 2)).derive()
    names = [row.name for row in d.layers]
    dotted = next(name for name in names if "." in name)
    assert quantity(d, f"{dotted}.params") == 4 * 4 * 9 + 4


def test_unknown_names():
    d = Sequential(Input(3, 8, 8), MaxPool2d(2, name="pool")).derive()
    with pytest.raises(SpecError, match=r"no layer named 'pol'.*did you mean pool"):
        quantity(d, "pol.params")
    with pytest.raises(SpecError, match="did you mean macs"):
        quantity(d, "mac")
    with pytest.raises(SpecError, match="3 dimensions"):
        quantity(d, "output_shape[3]")


@pytest.mark.parametrize(
    "text",
    ["floor((H - 1)/4) + 1", "ceil((H + 2*p - 3)/s)", "min(H, 2*W) + max(k, 3)", "k % 3 + H//2", "7*k/20 + k**2"],
)
def test_formula_text_reads_back(text):
    expr = parse_formula(text)
    printed = formula_text(expr)
    assert parse_formula(printed) == expr
    assert "Mod" not in printed and "ceiling" not in printed and "Min" not in printed


def test_formula_text_writes_floors_over_a_common_denominator():
    H = symbols("H")
    assert formula_text(sympy.floor(H / 4 - sympy.Rational(1, 4)) + 1) == "floor((H - 1)/4) + 1"
