"""Receptive fields without PyTorch: Distill's recurrences by hand, Repeat, refusals, renderers, CLI."""

from __future__ import annotations

import json

import pytest
import sympy

import symcnn
from symcnn.cli import main
from symcnn.errors import UnsupportedError

H, W, T, n = symcnn.symbols("H W T n")


def fields(derivation: symcnn.Derivation, name: str) -> list[tuple[object, object, object]]:
    return [(axis.size, axis.jump, axis.start) for axis in derivation.row(name).receptive_field]


def test_alexnet_style_chain_by_hand() -> None:
    # Distill: r = 1 + sum (k_l - 1) prod s_i; conv 11/4 p2, pool 3/2, conv 5/1 p2, pool 3/2.
    net = symcnn.Sequential(
        symcnn.Input(3, H, W),
        symcnn.Conv2d(3, 64, 11, stride=4, padding=2, name="c1"),
        symcnn.MaxPool2d(3, 2, name="p1"),
        symcnn.Conv2d(64, 192, 5, padding=2, name="c2"),
        symcnn.MaxPool2d(3, 2, name="p2"),
    )
    d = net.derive()
    assert fields(d, "c1") == [(11, 4, -2)] * 2
    assert fields(d, "p1") == [(11 + 2 * 4, 8, -2)] * 2
    assert fields(d, "c2") == [(19 + 4 * 8, 8, -2 - 2 * 8)] * 2
    assert fields(d, "p2") == [(51 + 2 * 8, 16, -18)] * 2


def test_symbolic_kernel_and_dilation() -> None:
    d = symcnn.Sequential(
        symcnn.Input(1, H), symcnn.Conv1d(1, 1, n, stride=2, dilation=3), symcnn.Conv1d(1, 1, 3)
    ).derive()
    (axis,) = d.rows[-1].receptive_field
    assert sympy.expand(axis.size - (3 * (n - 1) + 1 + 2 * 2)) == 0
    assert axis.jump == 2
    steps = [step.quantity for step in d.rows[1].receptive_field[0].steps]
    assert steps == ["receptive size (length)", "jump (length)", "start (length)"]


def test_ceil_mode_is_the_same_formula() -> None:
    a = symcnn.Sequential(symcnn.Input(1, 10), symcnn.MaxPool1d(3, 2, ceil_mode=True)).derive()
    b = symcnn.Sequential(symcnn.Input(1, 10), symcnn.MaxPool1d(3, 2)).derive()
    assert fields(a, "maxpool") == fields(b, "maxpool") == [(3, 2, 0)]
    assert a.output_shape != b.output_shape  # the extra window is there, clipped


def test_global_pooling_sees_every_unit() -> None:
    d = symcnn.Sequential(
        symcnn.Input(8, H, W), symcnn.Conv2d(8, 8, 3, stride=2, padding=1), symcnn.AdaptiveAvgPool2d(1)
    ).derive()
    size, _, start = fields(d, "adaptiveavgpool")[0]
    units = (H - 1) // 2 + 1
    assert start == -1
    assert sympy.simplify(size - (3 + (units - 1) * 2)) == 0  # from the first unit's start to the last's end
    assert fields(d, "adaptiveavgpool")[0][0].subs(H, 9) == 3 + 4 * 2


def test_repeat_has_a_closed_form_in_its_count() -> None:
    block = symcnn.Sequential(symcnn.Conv2d(4, 4, 3, padding=1), symcnn.ReLU())
    symbolic = symcnn.Sequential(symcnn.Input(4, H, W), symcnn.Repeat(block, T, name="body")).derive()
    size, jump, start = fields(symbolic, symbolic.rows[-1].name)[0]
    assert (sympy.expand(size - (2 * T + 1)), jump, sympy.expand(start + T)) == (0, 1, 0)
    unrolled = symcnn.Sequential(symcnn.Input(4, 16, 16), *[block] * 3).derive()
    assert fields(symbolic.subs(T=3, H=16, W=16), symbolic.rows[-1].name) == fields(unrolled, unrolled.rows[-1].name)


def test_strided_chain_by_hand() -> None:
    conv = symcnn.Conv1d(1, 1, 3, stride=2, padding=1)
    d = symcnn.Sequential(symcnn.Input(1, 64), conv, conv, conv).derive()
    # sizes 3, 3 + 2*2, 7 + 2*4; jumps 2, 4, 8; starts -1, -1 - 2, -3 - 4
    assert fields(d, d.rows[-1].name) == [(15, 8, -7)]


def test_transposed_convolution_is_refused_naming_the_layer() -> None:
    d = symcnn.Sequential(symcnn.Input(1, 8, 8), symcnn.ConvTranspose2d(1, 1, 3, stride=2, padding=1)).derive()
    with pytest.raises(UnsupportedError, match=r"layer 1 \(convtranspose2d .*fractional jump"):
        _ = d.rows[-1].receptive_field
    assert "-" in d.to_text(receptive_field=True)


def test_different_jumps_are_refused() -> None:
    x = symcnn.Input(1, 9)
    a = symcnn.Conv1d(1, 1, 3, stride=2, padding=1)(x)
    b = symcnn.MaxPool1d(3, 2, padding=1)(symcnn.Conv1d(1, 1, 1)(x))
    c = symcnn.Conv1d(1, 1, 1, stride=1)(b)
    x2 = symcnn.Input(1, 9)
    same = symcnn.Graph(x, symcnn.Add()(a, c)).derive()
    assert fields(same, same.rows[-1].name)[0][1] == 2
    p = symcnn.Conv1d(1, 1, 3, stride=2)(x2)  # 4 units, jump 2
    q = symcnn.Conv1d(1, 1, 6)(x2)  # 4 units, jump 1
    d = symcnn.Graph(x2, symcnn.Add()(p, q)).derive()
    with pytest.raises(UnsupportedError, match="different jumps"):
        _ = d.rows[-1].receptive_field


def test_symbolic_jumps_become_a_condition() -> None:
    s, t = symcnn.symbols("s t")
    x = symcnn.Input(1, 64)
    a = symcnn.Conv1d(1, 1, 1, stride=s)(x)
    b = symcnn.Conv1d(1, 1, 1, stride=t)(x)
    d = symcnn.Graph(x, symcnn.Add()(a, b)).derive()
    (axis,) = d.rows[-1].receptive_field
    assert axis.conditions == (sympy.Eq(t, s),) or axis.conditions == (sympy.Eq(s, t),)


def test_substitution_keeps_the_geometry() -> None:
    d = symcnn.Sequential(symcnn.Input(1, H), symcnn.Conv1d(1, 1, n, padding="p")).derive()
    (axis,) = d.subs(n=5, p=2, H=20).rows[-1].receptive_field
    assert (axis.size, axis.jump, axis.start) == (5, 1, -2)


def test_renderers_and_json(mnist: symcnn.Derivation) -> None:
    text = mnist.to_text(receptive_field=True)
    assert "receptive field" in text.splitlines()[0]
    assert "12 (jump 4, start 0)" in text
    assert "receptive field" in mnist.to_markdown(receptive_field=True).splitlines()[0]
    assert "receptive field" in mnist.to_latex(receptive_field=True)
    layers = json.loads(mnist.to_json(receptive_field=True))["layers"]
    assert layers[0]["receptive_field"][0] == {
        **layers[0]["receptive_field"][0],
        "axis": "height",
        "size": 5,
        "jump": 1,
        "start": 0,
    }
    assert layers[4]["receptive_field"] is None  # the flatten
    assert "flattened unit" in layers[4]["receptive_field_refusal"]
    assert "receptive_field" not in json.loads(mnist.to_json())["layers"][0]


def test_cli_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["derive", "--receptive-field", "--format", "md"]) == 0
    assert "receptive field" in capsys.readouterr().out
    assert main(["derive", "--batch", "3"]) == 2
    assert "apply with --memory" in capsys.readouterr().err


def residual_block() -> symcnn.Graph:
    x = symcnn.Input()
    y = symcnn.Conv2d(4, 4, 3, padding=1)(x)
    y = symcnn.Conv2d(4, 4, 3, padding=2, dilation=2)(y)
    return symcnn.Graph(x, symcnn.Add()(x, y))


@pytest.mark.parametrize("nested", [False, True])
def test_repeated_residual_blocks_match_the_unrolled_network(nested: bool) -> None:
    block = residual_block()
    body = symcnn.Repeat(symcnn.Repeat(block, 2), T) if nested else symcnn.Repeat(block, T)
    symbolic = symcnn.Sequential(symcnn.Input(4, H, W), symcnn.Conv2d(4, 4, 3, stride=2), body).derive()
    copies = 6 if nested else 3
    unrolled = symcnn.Sequential(
        symcnn.Input(4, 40, 40), symcnn.Conv2d(4, 4, 3, stride=2), *[residual_block() for _ in range(copies)]
    ).derive()
    numbers = symbolic.subs(T=3, H=40, W=40)
    assert fields(numbers, numbers.rows[-1].name) == fields(unrolled, unrolled.rows[-1].name)
    # every row of the repeated block shows its last copy: the first convolution of copy `copies`
    assert fields(numbers, numbers.rows[-3].name) == fields(unrolled, unrolled.rows[-3].name)


def test_padding_after_cropping_the_same_side_is_refused() -> None:
    # Cropping the last 3 units and padding 3 back: the new units are zeros, yet Distill's
    # formula would map them onto the cropped input inside the image.
    crop_pad = symcnn.Sequential(symcnn.Input(1, 20), symcnn.ZeroPad1d((0, -3)), symcnn.ZeroPad1d((0, 3))).derive()
    with pytest.raises(UnsupportedError, match="pads a side of the input that an earlier layer cropped"):
        _ = crop_pad.rows[-1].receptive_field
    then_conv = symcnn.Sequential(symcnn.Input(1, 20), symcnn.ZeroPad1d((-2, 0)), symcnn.Conv1d(1, 1, 3, padding=1))
    with pytest.raises(UnsupportedError, match="cropped"):
        _ = then_conv.derive().rows[-1].receptive_field
    shift = symcnn.Sequential(symcnn.Input(1, 20), symcnn.ZeroPad1d((-3, 3))).derive()  # crop one side, pad the other
    assert fields(shift, shift.rows[-1].name) == [(1, 1, 3)]


def test_a_two_input_layer_that_is_not_a_merge_is_refused_by_name() -> None:
    """Cross-attention style: two branches into one layer that declares no way to combine their fields."""
    x = symcnn.Input(4, "H", "W")
    left = symcnn.Conv2d(out_channels=6, kernel_size=3, padding=1)(x)
    right = symcnn.Conv2d(out_channels=6, kernel_size=1)(x)
    joined = symcnn.Bilinear(out_features=2)(left, right)
    d = symcnn.Graph(x, joined).derive()
    message = d.receptive_fields.refusal("bilinear")
    assert message is not None
    assert "bilinear 'bilinear'" in message and "2 inputs" in message
    with pytest.raises(symcnn.UnsupportedError, match="does not declare how their receptive fields combine"):
        d.row("bilinear").receptive_field  # noqa: B018
    assert d.row("conv2d1").receptive_field[0].size == 3  # the branches before it still have theirs


def test_every_layer_kind_declares_its_receptive_behaviour_or_is_refused() -> None:
    """The analysis asks the class; a kind with no declaration is refused naming the layer, never skipped."""
    from symcnn.layers import LAYERS
    from symcnn.layers.field import Field

    for cls in LAYERS.values():
        assert cls.receptive is None or isinstance(cls.receptive, Field), cls
    assert symcnn.LPPool2d.receptive is Field.WINDOW and symcnn.ReflectionPad2d.receptive is None
    d = symcnn.Sequential(symcnn.Input(1, 9, 9), symcnn.ReflectionPad2d(1), symcnn.Conv2d(1, 1, 3)).derive()
    assert "reflectionpad2d layers do not declare how they move it" in d.receptive_fields.refusal("reflectionpad")
