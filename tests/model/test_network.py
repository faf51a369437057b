"""Networks: chains, functional graphs, nested blocks, Repeat, default names."""

from __future__ import annotations

import pytest
import sympy

import symcnn


def test_default_names_follow_the_textbook_style(mnist):
    assert [row.name for row in mnist.rows] == [
        "input",
        "conv2d1",
        "maxpool1",
        "conv2d2",
        "maxpool2",
        "flatten",
        "dense",
        "output",
    ]


def test_explicit_names_and_nested_blocks():
    stem = symcnn.Sequential(symcnn.Conv2d(out_channels=8, kernel_size=3, name="c"), symcnn.ReLU(), name="stem")
    net = symcnn.Sequential(symcnn.Input(3, 10, 10), stem, symcnn.Flatten(), symcnn.Linear(out_features=2))
    names = [row.name for row in net.derive().rows]
    assert names == ["input", "stem.c", "stem.relu", "flatten", "output"]


def test_symbolic_repeat_multiplies_totals():
    N, k = symcnn.symbols("N k")
    block = symcnn.Sequential(symcnn.Conv2d(out_channels=k, kernel_size=3, padding=1), symcnn.BatchNorm2d())
    net = symcnn.Sequential(symcnn.Input(k, "H", "H"), symcnn.Repeat(block, N))
    totals = net.derive().totals
    assert sympy.expand(totals.trainable - N * ((9 * k + 1) * k + 2 * k)) == 0
    assert sympy.expand(totals.buffers - N * (2 * k + 1)) == 0
    unrolled = symcnn.Sequential(symcnn.Input(k, "H", "H"), block, block, block).derive().totals
    assert net.derive().subs(N=3).totals == unrolled


def test_repeat_needs_a_shape_preserving_block():
    block = symcnn.Conv2d(out_channels=8, kernel_size=3)
    net = symcnn.Sequential(symcnn.Input(8, 16, 16), symcnn.Repeat(block, 2))
    with pytest.raises(
        symcnn.ShapeError, match=r"repeat: the block must map its input shape to itself, got 8x16x16 -> 8x14x14"
    ):
        net.derive()


def test_input_shape_can_be_given_to_derive():
    net = symcnn.Sequential(symcnn.Conv2d(out_channels=2, kernel_size=3))
    assert net.derive((1, 5, 5)).output_shape == (2, 3, 3)
    with pytest.raises(symcnn.SpecError, match="the input shape is unknown"):
        net.derive()


def test_a_single_layer_can_be_derived():
    assert symcnn.derive(symcnn.Linear(out_features=3), (4,)).totals.params == 15


def test_replace_makes_a_what_if_variant():
    conv = symcnn.Conv2d(out_channels=8, kernel_size=3)
    assert conv.replace(stride=2).output_shape((1, 9, 9)) == (8, 4, 4)
    assert conv.output_shape((1, 9, 9)) == (8, 7, 7)


def test_keras_conventions_count_batchnorm_statistics_as_parameters():
    net = symcnn.Sequential(symcnn.Input(3, 8, 8), symcnn.Conv2d(out_channels=4, kernel_size=3), symcnn.BatchNorm2d())
    pytorch = net.derive()
    keras = net.derive(conventions=symcnn.KERAS)
    assert (pytorch.totals.trainable, pytorch.totals.non_trainable, pytorch.totals.buffers) == (120, 0, 9)
    assert (keras.totals.trainable, keras.totals.non_trainable, keras.totals.buffers) == (120, 8, 0)
    assert keras.totals.params == 128
    assert "Keras" in keras.to_text()


def test_conventions_reject_unknown_options():
    with pytest.raises(symcnn.SpecError, match="unknown option 'flop'"):
        symcnn.PYTORCH.merge(flop=3)
    with pytest.raises(symcnn.SpecError, match="framework must be"):
        symcnn.Conventions(framework="jax")  # type: ignore[arg-type]


def test_flops_are_twice_the_macs_and_big_integers_stay_exact():
    net = symcnn.Sequential(symcnn.Input(10**12, 10**9), symcnn.Linear(out_features=10**12))
    totals = net.derive().totals
    assert totals.macs == 10**9 * 10**12 * 10**12
    assert totals.flops == 2 * totals.macs
    assert totals.params == (10**9 + 1) * 10**12


def test_substitution_must_respect_divisibility_assumptions():
    H = symcnn.symbols("H")
    net = symcnn.Sequential(symcnn.Input(1, H, H), symcnn.MaxPool2d(2))
    assumed = symcnn.derive(net, assume={"H": 2})
    assert assumed.output_shape == (1, H / 2, H / 2)
    assert assumed.subs(H=32).output_shape == (1, 16, 16)
    with pytest.raises(symcnn.SpecError, match="cannot substitute H=33: this derivation assumes 2 divides H"):
        assumed.subs(H=33)


def test_ceil_mode_pool_shows_the_rule_its_value_comes_from():
    H = symcnn.symbols("H")
    net = symcnn.Sequential(symcnn.Input(1, H, H), symcnn.MaxPool2d(2, 3, ceil_mode=True))
    step = net.derive().rows[1].sizes[0]
    assert step.rule is not None and step.rule.name == "size_ceil_exact"
    assert step.substituted.text() == "floor((H - 1)/3) + 1"
    for h in range(2, 40):  # the shown formula evaluates to the value
        shown = sympy.floor(sympy.Rational(h - 1, 3)) + 1
        assert step.value.subs(H, h) == shown


def test_rendered_conditions_drop_implied_bounds_but_subs_blames_the_first_failing_layer():
    H, W = symcnn.symbols("H W")
    pools = [symcnn.MaxPool2d(2) for _ in range(5)]
    derivation = symcnn.Sequential(symcnn.Input(3, H, W), *pools, symcnn.Conv2d(out_channels=2, kernel_size=3)).derive()
    assert [str(c.relation) for c in derivation.essential_conditions] == ["H >= 96", "W >= 96"]
    assert len(derivation.conditions) > 2
    assert "H >= 2 " not in derivation.to_text() and "H >= 96" in derivation.to_text()
    with pytest.raises(symcnn.ShapeError, match=r"^layer 1 \(maxpool2d 'maxpool1'\)"):
        derivation.subs(H=1)


# Regressions from a review: values outside a symbol's domain must not slip through.
@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"H": 0}, "cannot substitute H=0: H must be a positive integer, got 0"),
        ({"H": -5}, "cannot substitute H=-5: H must be a positive integer, got -5"),
        ({"H": "1/2"}, "cannot substitute H=1/2: H must be a positive integer, got 1/2"),
        ({"s": 0}, "cannot substitute s=0: s must be a positive integer, got 0"),
        ({"p": -3}, "cannot substitute p=-3: p must be an integer ≥ 0, got -3"),
        ({"H": "W/2"}, "cannot substitute H=W/2: H must be a positive integer; W/2 is not known to be an integer"),
    ],
)
def test_subs_checks_each_symbols_domain(values, message):
    H, W, s, p = symcnn.symbols("H W s p")
    net = symcnn.Sequential(symcnn.Input(3, H, W), symcnn.Conv2d(out_channels=4, kernel_size=3, stride=s, padding=p))
    with pytest.raises(symcnn.SpecError) as caught:
        net.derive().subs(values)
    assert str(caught.value).startswith(message)


def test_a_formula_value_keeps_its_lower_bound_as_a_condition():
    H, W = symcnn.symbols("H W")
    derivation = symcnn.Sequential(symcnn.Input(3, H, W), symcnn.MaxPool2d(2)).derive().subs(H="W - 3")
    assert any(str(c.relation) == "W >= 4" for c in derivation.conditions)
    with pytest.raises(symcnn.ShapeError, match="violated by W=3"):
        derivation.subs(W=3)


def test_formula_arguments_must_be_integers_and_their_bounds_become_conditions():
    with pytest.raises(
        symcnn.SpecError, match=r"kernel_size must be a positive integer; k/2 is not known to be an integer"
    ):
        symcnn.Conv2d(out_channels=4, kernel_size="k/2")
    derivation = symcnn.Sequential(symcnn.Input(3, 20, 20), symcnn.Conv2d(out_channels=4, kernel_size="k - 2")).derive()
    assert any(str(c.relation) == "k >= 3" for c in derivation.conditions)
    with pytest.raises(symcnn.ShapeError, match=r"kernel_size must be ≥ 1, violated by k=2"):
        derivation.subs(k=2)


def test_repeat_counts_and_input_sizes_that_are_formulas():
    with pytest.raises(symcnn.SpecError, match="repeat: times must be a positive integer; N/2 is not known"):
        symcnn.Repeat(symcnn.ReLU(), "N/2")
    net = symcnn.Sequential(symcnn.Input(2, "H - 4"), symcnn.Repeat(symcnn.ReLU(), "N - 1"))
    relations = {str(c.relation) for c in net.derive().conditions}
    assert {"H >= 5", "N >= 2"} <= relations


def test_repeated_assumptions_combine_and_unknown_symbols_are_errors():
    H = symcnn.symbols("H")
    net = symcnn.Sequential(symcnn.Input(1, H, H), symcnn.MaxPool2d(4))
    both = symcnn.derive(net, assume=["H%4==0", "H%6==0"])
    assert both.assumptions == ((H, 12),)
    with pytest.raises(symcnn.SpecError, match="assumes 12 divides H"):
        both.subs(H=8)
    with pytest.raises(symcnn.SpecError, match="cannot assume a divisor of Z"):
        symcnn.derive(net, assume=["Z%4==0"])


def test_layer_memo_keeps_networks_with_equal_shapes_apart():
    a = symcnn.load_spec(
        {"input": [32, 5, 5], "layers": [{"type": "flatten"}, {"type": "linear", "out_features": 256}]}
    )
    b = symcnn.load_spec(
        {"input": [8, 10, 10], "layers": [{"type": "flatten"}, {"type": "linear", "out_features": 256}]}
    )
    a.derive()
    assert b.derive().row("output").params.substituted.text() == "(8*10*10 + 1)*256"


def test_every_registered_layer_is_public_under_its_class_name():
    import symcnn
    from symcnn.layers import LAYERS

    for kind, cls in LAYERS.items():
        assert kind == cls.__name__.lower()
        assert getattr(symcnn, cls.__name__) is cls and cls.__name__ in symcnn.__all__
