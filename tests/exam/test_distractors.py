"""The fast misconception values equal those of deriving the misread network (the path they replace).

The generator computes a misreading's number from the layer's own rule with
changed values (:func:`wrong.window_height`, :func:`wrong.window_at`).  The
reference here is the earlier path: build the misread network as a spec and
derive it with the engine (a symbolic one for the searches).  Each test compares
the two over many layers, so any difference in a rule choice, a floor or a
validity check shows up.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
import sympy

import symcnn
from symcnn import exam
from symcnn.exam import distractors as wrong
from symcnn.exam.kinds import common, sizes
from symcnn.exam.networks import draw_network


def derived_height(spec: dict[str, Any]) -> sympy.Expr | None:
    """The reference: the height of the misread network, derived by the engine (``None`` if it is invalid)."""
    return wrong.output_height(wrong.derive_spec(spec))


def derived_function(spec: dict[str, Any], name: str):
    """The reference search function: the network derived with the symbol ``name``, then substituted."""
    derivation = wrong.derive_spec(spec)
    if derivation is None:
        return lambda value: None
    (symbol,) = (item for item in derivation.free_symbols if item.name == name)
    size = wrong.output_height(derivation)

    def at(value: int):
        mapping = {symbol: sympy.Integer(value)}
        if any(condition.relation.xreplace(mapping) is not sympy.true for condition in derivation.conditions):
            return None
        result = size.xreplace(mapping)
        return result if result >= 1 else None

    return at


def derived_size_distractors(shape, layer: dict[str, Any]) -> dict[str, sympy.Expr | None]:
    """The window misreadings of ``size_distractors``, each by deriving a modified network."""
    base = wrong.one_layer(shape, layer)
    only = base["layers"][0]
    padding = int(layer.get("padding", 0))
    stride = common.stride_of(layer)
    found: dict[str, sympy.Expr | None] = {}
    if padding:
        pad = {"type": "zeropad2d", "padding": [padding, 0, padding, 0]}
        found["padded_one_side"] = derived_height(wrong.one_layer(shape, {**layer, "padding": 0}, before=(pad,)))
        found["ignored_padding"] = derived_height({**base, "layers": [{**only, "padding": 0}]})
    if stride > 1:
        found["ignored_stride"] = derived_height({**base, "layers": [{**only, "stride": 1}]})
        first = [{"type": "zeropad2d", "padding": padding}] if padding else []
        first.append({"type": "maxpool2d", "kernel_size": 1, "stride": stride})
        window = {key: value for key, value in only.items() if key != "ceil_mode"} | {"stride": 1, "padding": 0}
        found["stride_before_kernel"] = derived_height({**base, "layers": [*first, window]})
    if "stride" not in layer and not layer["type"].endswith("pool2d"):
        found["stride_as_kernel"] = derived_height({**base, "layers": [{**only, "stride": int(layer["kernel_size"])}]})
    if int(layer.get("dilation", 1)) > 1:
        found["ignored_dilation"] = derived_height({**base, "layers": [{**only, "dilation": 1}]})
    if layer.get("ceil_mode"):
        found["ignored_ceil_mode"] = derived_height({**base, "layers": [{**only, "ceil_mode": False}]})
    return found


def _windows() -> list[tuple[tuple[int, ...], dict[str, Any], Any]]:
    """``(input shape, layer, row)`` for many windowed layers: the size questions' draws and the networks' layers."""
    rng = random.Random(5)
    found = []
    for draw in range(240):
        difficulty = exam.DIFFICULTIES[draw % 3]
        layer = sizes._clean(sizes._size_layer(rng, difficulty))
        size = rng.randrange(3, 65)
        spec = wrong.one_layer([rng.choice((1, 3, 8)), size, size], layer)
        derivation = wrong.derive_spec(spec)
        if derivation is not None:
            found.append((tuple(spec["input"]), layer, derivation.layers[0]))
    for draw in range(30):
        spec, derivation = draw_network(rng, exam.DIFFICULTIES[1 + draw % 2])
        for row, layer in common.paired(spec, derivation):
            found.append((tuple(row.input_shapes[0]), layer, row))
    return [item for item in found if item[2].sizes and item[2].sizes[0].window is not None]


WINDOWS = _windows()


def test_the_sample_covers_every_window_misreading():
    names = set()
    for shape, layer, _ in WINDOWS:
        names |= set(derived_size_distractors(shape, layer))
    assert len(WINDOWS) > 300
    assert names == {
        "padded_one_side",
        "ignored_padding",
        "ignored_stride",
        "stride_before_kernel",
        "stride_as_kernel",
        "ignored_dilation",
        "ignored_ceil_mode",
    }


def test_window_misreadings_equal_the_derived_misread_networks():
    for shape, layer, row in WINDOWS:
        size, window = sympy.Integer(shape[1]), row.sizes[0].window
        computed = dict(common._window_sizes(size, layer, window))
        assert computed == derived_size_distractors(shape, layer), (shape, layer)


@pytest.mark.parametrize("ceil_mode", [False, True])
def test_window_height_equals_the_derived_pool_including_sizes_below_one(ceil_mode):
    # Small inputs: some windows do not fit (None both ways), and ceil_mode drops a last window for some.
    pool = {"type": "maxpool2d", "kernel_size": 2, "stride": 2, "ceil_mode": ceil_mode}
    (row,) = wrong.derive_spec(wrong.one_layer([1, 8, 8], pool)).layers
    window, refused = row.sizes[0].window, 0
    for size in range(1, 12):
        for kernel in range(1, 6):
            for stride in range(1, 4):
                for padding in range(kernel // 2 + 1):
                    changed = pool | {"kernel_size": kernel, "stride": stride, "padding": padding}
                    expected = derived_height(wrong.one_layer([1, size, size], changed))
                    geometry = {"kernel": kernel, "stride": stride, "padding": padding}
                    got = wrong.window_height(sympy.Integer(size), window, **geometry)
                    assert got == expected, changed | {"size": size}
                    refused += expected is None
    assert refused > 10
    assert wrong.window_at(3, kernel=5) is None and wrong.window_at(3, kernel=3) == 1


@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("dilation", [1, 2])
def test_window_at_equals_the_derived_convolution(stride, dilation):
    for size in range(1, 24):
        for kernel in range(1, 8):
            for padding in range(4):
                conv = {"type": "conv2d", "out_channels": 2, "kernel_size": kernel, "padding": padding}
                conv |= {"stride": stride, "dilation": dilation}
                expected = derived_height(wrong.one_layer([1, size, size], conv))
                got = wrong.window_at(size, kernel=kernel, padding=padding, stride=stride, dilation=dilation)
                assert got == expected, conv | {"size": size}


def _old_keep_padding(spec: dict[str, Any]) -> list[tuple[str, int | None]]:
    """keep_padding's misreadings as the generator computed them before: by derived symbolic networks."""
    shape, (conv,) = spec["input"], spec["layers"]
    conv = {key: value for key, value in conv.items() if key not in ("padding", "name")}
    size, kernel, dilation = shape[1], conv["kernel_size"], conv.get("dilation", 1)
    reach = range(dilation * kernel + 1)
    forward = derived_function(wrong.one_layer(shape, conv | {"padding": "p"}), "p")
    one_sided = ({"type": "zeropad2d", "padding": ["p", 0, "p", 0]},)
    one_side = wrong.search(reach, derived_function(wrong.one_layer(shape, conv, one_sided), "p"), size)
    plus_one = wrong.search(reach, forward, sympy.Integer(size + 1))
    plain = derived_function(wrong.one_layer(shape, conv | {"dilation": 1, "padding": "p"}), "p")
    undilated = wrong.search(reach, plain, sympy.Integer(size))
    span = dilation * (kernel - 1)
    full = wrong.search(range(2 * span + 2), forward, sympy.Integer(size + span))
    return [
        ("ignored_dilation", undilated[0] if len(undilated) == 1 and dilation > 1 else None),
        ("padded_one_side", one_side[0] if len(one_side) == 1 else None),
        ("missing_plus_one", plus_one[0] if len(plus_one) == 1 else None),
        ("full_padding", full[0] if len(full) == 1 else None),
        ("padding_as_kernel", kernel),
        ("no_padding_needed", 0),
    ]


def _old_inverse_size(question: exam.Question, target: int) -> list[tuple[str, int | None]]:
    """inverse_size's misreadings as the generator computed them before: by derived symbolic networks."""
    shape, (conv,) = question.network["input"], question.network["layers"]
    ask = "stride" if "stride" in conv else "kernel_size"
    symbol = "s" if ask == "stride" else "n"
    conv = {key: value for key, value in conv.items() if key not in (ask, "name")}
    size, padding = shape[1], conv["padding"]
    reach = range(1, size + 1) if ask == "stride" else range(1, size + 2 * padding + 1)
    forward = derived_function(wrong.one_layer(shape, conv | {ask: symbol}), symbol)
    pad = ({"type": "zeropad2d", "padding": [padding, 0, padding, 0]},)
    one_sided = derived_function(wrong.one_layer(shape, conv | {"padding": 0, ask: symbol}, pad), symbol)
    unpadded = derived_function(wrong.one_layer(shape, conv | {"padding": 0, ask: symbol}), symbol)
    if ask == "stride":
        first = [{"type": "zeropad2d", "padding": padding}, {"type": "maxpool2d", "kernel_size": 1, "stride": symbol}]
        misread, name = wrong.one_layer(shape, conv | {"padding": 0}, tuple(first)), "stride_before_kernel"
    else:
        misread, name = wrong.one_layer(shape, conv | {ask: symbol, "stride": symbol}), "stride_as_kernel"
    first_of = lambda found: found[0] if found else None  # noqa: E731
    old = [
        ("padded_one_side", first_of(wrong.search(reach, one_sided, target))),
        ("ignored_padding", first_of(wrong.search(reach, unpadded, target))),
        (name, first_of(wrong.search(reach, derived_function(misread, symbol), target))),
        ("missing_plus_one", first_of(wrong.search(reach, forward, target + 1))),
        ("size_ratio", sympy.Integer(round(size / target)) if ask == "stride" else None),
    ]
    if "dilation" in conv:
        undilated = derived_function(wrong.one_layer(shape, conv | {"dilation": 1, ask: symbol}), symbol)
        old.insert(0, ("ignored_dilation", first_of(wrong.search(reach, undilated, target))))
    return old


def _offered(question: exam.Question) -> dict[str, sympy.Expr]:
    """Every misconception value the question found (before keeping three), by name."""
    return {d.misconception: d.value for d in question.blanks[0].distractors}


def _expected(question: exam.Question, old: list[tuple[str, int | None]]) -> dict[str, sympy.Expr]:
    """The old values as the question keeps them: missing ones, the answer and repeats dropped."""
    kept = wrong.distinct(question.blanks[0].answer, [wrong.make(name, value) for name, value in old])
    return {d.misconception: d.value for d in kept}


def _unshuffled(kind: str, seeds: range) -> list[exam.Question]:
    builder = exam.KINDS[kind].build
    return [builder(random.Random(seed), exam.DIFFICULTIES[seed % 3]) for seed in seeds]


def test_keep_padding_misreadings_equal_the_derived_searches():
    named = set()
    for question in _unshuffled("keep_padding", range(45)):
        assert _offered(question) == _expected(question, _old_keep_padding(question.network)), question.network
        named |= set(_offered(question))
    # (A full padding p = d(n - 1) is also the one-sided answer, and odd kernels keep no size + 1: both dropped.)
    assert {"ignored_dilation", "padded_one_side", "padding_as_kernel", "no_padding_needed"} <= named


def test_inverse_size_misreadings_equal_the_derived_searches(walks):
    named, strides = set(), 0
    for question in _unshuffled("inverse_size", range(120)):
        old = _old_inverse_size(question, walks.asked_size(question))
        assert _offered(question) == _expected(question, old), question.network
        named |= set(_offered(question))
        strides += "stride" in question.network["layers"][0]
    assert {"padded_one_side", "ignored_padding", "stride_as_kernel", "ignored_dilation"} <= named
    assert strides >= 10  # the stride is asked too (taking it first never hits one of their targets)


def _old_transposed(question: exam.Question) -> list[tuple[str, sympy.Expr | None]]:
    """transposed_size's misreadings as the generator computed them before: each a derived network."""
    shape, (layer,) = question.network["input"], question.network["layers"]
    plain = {key: value for key, value in layer.items() if key != "name"}
    padding = int(layer.get("padding", 0))
    forward = {key: value for key, value in plain.items() if key != "output_padding"} | {"type": "conv2d"}
    grown = [{**plain, "padding": 0}] + ([{"type": "zeropad2d", "padding": padding}] if padding else [])
    wider = [shape[0], shape[1] + 1, shape[2] + 1]
    return [
        ("forgot_output_padding", derived_height(wrong.one_layer(shape, {**plain, "output_padding": 0}))),
        ("ignored_dilation", derived_height(wrong.one_layer(shape, {**plain, "dilation": 1}))),
        ("transposed_padding_added", derived_height({"input": shape, "layers": grown})),
        ("conv_formula_for_transposed", derived_height(wrong.one_layer(shape, forward))),
        ("upsample_by_stride", sympy.Integer(int(shape[1]) * int(layer["stride"]))),
        ("transposed_i_not_i_minus_one", derived_height(wrong.one_layer(wider, plain))),
    ]


def test_transposed_misreadings_equal_the_derived_networks():
    named = set()
    for question in _unshuffled("transposed_size", range(90)):
        assert _offered(question) == _expected(question, _old_transposed(question)), question.network
        named |= set(_offered(question))
    assert len(named) == 6


def test_separable_forgot_bias_equals_the_derived_networks_without_bias():
    offered = 0
    for question in _unshuffled("separable_saving", range(60)):
        (standard,) = question.network["layers"]
        shape = question.network["input"]
        quantity = "macs" if "MACs" in question.text else "params"
        depthwise = standard | {"out_channels": shape[0], "groups": shape[0], "name": "depthwise"}
        pointwise = {"type": "conv2d", "out_channels": standard["out_channels"], "kernel_size": 1}
        one = wrong.derive_spec(wrong.without_bias({"input": shape, "layers": [standard]}))
        two = wrong.derive_spec(wrong.without_bias({"input": shape, "layers": [depthwise, pointwise]}))
        old = getattr(one.totals, quantity) - getattr(two.totals, quantity)
        answer = question.blanks[0].answer
        assert _offered(question).get("forgot_bias") == (old if old != answer else None), question.network
        offered += old != answer
    assert offered > 20


def test_formulas_equal_after_expanding_are_one_distractor_and_different_ones_are_kept():
    k, l = symcnn.symbols("k l")
    make = wrong.make
    kept = wrong.distinct(
        k * l,
        [
            make("forgot_bias", k * (l + 1)),
            make("forgot_input_maps", k * l + k),  # the same as the first, written out
            make("ignored_groups", k * l),  # the answer itself
            make("ignored_stride", k * sympy.floor(l / 2)),
            make("kernel_one_side", k * sympy.floor(l / 2) + 0 * l),
        ],
    )
    assert [d.misconception for d in kept] == ["forgot_bias", "ignored_stride"]


def _random_layer(rng: random.Random) -> dict[str, Any]:
    kind = rng.choice(("conv2d", "conv2d", "maxpool2d", "avgpool2d", "batchnorm2d", "linear"))
    if kind == "batchnorm2d":
        return {"type": kind}
    if kind == "linear":
        return {"type": kind, "out_features": rng.choice((1, 10, 64))}
    layer: dict[str, Any] = {"type": kind, "kernel_size": rng.choice((1, 2, 3, 5, 7)), "stride": rng.choice((1, 2, 3))}
    layer["padding"] = rng.choice((0, 1, 2, 3))  # sometimes more than half the kernel: refused by pools
    if kind == "conv2d":
        layer |= {"out_channels": rng.choice((4, 8)), "dilation": rng.choice((1, 2)), "bias": rng.random() < 0.5}
    else:
        layer["ceil_mode"] = rng.random() < 0.5
    return layer


@pytest.mark.parametrize("conventions", [None, wrong.KERAS], ids=["pytorch", "keras"])
def test_a_layer_applied_alone_equals_deriving_it_as_a_network(conventions):
    rng = random.Random(11)
    refused = 0
    for _ in range(300):
        layer = _random_layer(rng)
        size = rng.randrange(1, 12)
        shape = [rng.choice((1, 4)), size, size] if layer["type"] != "linear" else [rng.choice((3, 20))]
        outcome = wrong.apply_layer(shape, layer, conventions)
        derivation = wrong.derive_spec(wrong.one_layer(shape, layer), conventions)
        if derivation is None:
            assert outcome is None, (shape, layer)
            refused += 1
            continue
        (row,) = derivation.layers
        assert outcome is not None, (shape, layer)
        assert outcome.output.shape == row.output_shape, (shape, layer)
        got = (outcome.params.value, outcome.non_trainable.value, outcome.buffers.value, outcome.macs.value)
        assert got == (row.params.value, row.non_trainable.value, row.buffers.value, row.macs.value), (shape, layer)
    assert 20 < refused < 250


def test_forgot_bias_equals_deriving_the_network_without_biases():
    rng = random.Random(5)
    for difficulty in ("easy", "medium", "hard") * 15:
        spec, derivation = draw_network(rng, difficulty)
        without = wrong.derive_spec(wrong.without_bias(spec))
        assert wrong.forgot_bias(derivation) == without.totals.params, spec
