"""Invariants of derivations on random networks (hypothesis).

* totals are the sums over rows of multiplicity * value;
* substituting numbers into a symbolic derivation equals deriving the network built with
  those numbers, row by row;
* Repeat(block, N) counts N copies of the block, and subs(N=3) equals three explicit copies;
* subs raises ShapeError, naming the layer, exactly where the numeric network fails.

Random chains of conv / transposed conv / pooling / batchnorm / relu / linear layers are
drawn as plain data (``Spec``) and built twice: once with symbols H, W, k, once with numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import symcnn
from symcnn import (
    AdaptiveAvgPool2d,
    AvgPool2d,
    BatchNorm2d,
    Conv2d,
    ConvTranspose2d,
    Flatten,
    Linear,
    MaxPool2d,
    ReLU,
    Repeat,
    Sequential,
    ShapeError,
)
from symcnn.derivation.derivation import LazyRows

H, W, K, N, M = symcnn.symbols("H W k N M")

FAST = settings(max_examples=50, deadline=None)
FIELDS = ("params", "trainable", "non_trainable", "buffers", "macs", "flops", "activations")

Spec = tuple[Any, ...]


# --------------------------------------------------------------------- random chains, as data


def pairs(values: st.SearchStrategy[int]) -> st.SearchStrategy[Any]:
    """A square value or a (height, width) pair."""
    return st.one_of(values, st.tuples(values, values))


@st.composite
def conv_spec(draw: st.DrawFn) -> Spec:
    out = draw(st.one_of(st.integers(1, 6), st.just("k"), st.just("depthwise")))
    kernel = draw(pairs(st.integers(1, 4)))
    stride = draw(pairs(st.integers(1, 3)))
    padding = draw(pairs(st.integers(0, 2)))
    dilation = draw(pairs(st.integers(1, 2)))
    return ("conv", out, kernel, stride, padding, dilation, draw(st.booleans()))


@st.composite
def conv_transpose_spec(draw: st.DrawFn) -> Spec:
    out = draw(st.one_of(st.integers(1, 6), st.just("k")))
    kernel, stride, padding, dilation = (draw(st.integers(lo, hi)) for lo, hi in ((1, 4), (1, 3), (0, 2), (1, 2)))
    extra = draw(st.integers(0, max(stride, dilation) - 1))
    return ("convT", out, kernel, stride, padding, extra, dilation, draw(st.booleans()))


@st.composite
def pool_spec(draw: st.DrawFn) -> Spec:
    kind = draw(st.sampled_from(["maxpool", "avgpool"]))
    kernel = draw(st.integers(1, 4))
    stride = draw(st.one_of(st.none(), st.integers(1, 3)))
    padding = draw(st.integers(0, kernel // 2))
    dilation = draw(st.integers(1, 2)) if kind == "maxpool" else 1
    return (kind, kernel, stride, padding, dilation, draw(st.booleans()))


layer_specs = st.one_of(
    conv_spec(),
    conv_transpose_spec(),
    pool_spec(),
    st.just(("bn",)),
    st.just(("relu",)),
    st.builds(lambda out: ("linear", out), st.one_of(st.integers(8, 16), st.just("k"))),
)

chains = st.tuples(
    st.lists(layer_specs, min_size=1, max_size=5),
    st.one_of(st.none(), st.integers(1, 5)),  # an optional Flatten + Linear head
)


def build(chain: tuple[Sequence[Spec], int | None], h: Any, w: Any, k: Any, c: int = 3) -> Sequential:
    """The network for ``chain`` on input (c, h, w), with ``k`` for every "k" channel count."""
    specs, head = chain
    channels: Any = c
    layers: list[Any] = []
    for spec in specs:
        kind = spec[0]
        if kind == "conv":
            _, out, kernel, stride, padding, dilation, bias = spec
            groups: Any = 1
            if out == "depthwise":
                out = groups = channels
            elif out == "k":
                out = k
            layers.append(
                Conv2d(
                    out_channels=out,
                    kernel_size=kernel,
                    stride=stride,
                    padding=padding,
                    dilation=dilation,
                    groups=groups,
                    bias=bias,
                )
            )
            channels = out
        elif kind == "convT":
            _, out, kernel, stride, padding, extra, dilation, bias = spec
            out = k if out == "k" else out
            layers.append(
                ConvTranspose2d(
                    out_channels=out,
                    kernel_size=kernel,
                    stride=stride,
                    padding=padding,
                    output_padding=extra,
                    dilation=dilation,
                    bias=bias,
                )
            )
            channels = out
        elif kind == "maxpool":
            _, kernel, stride, padding, dilation, ceil = spec
            layers.append(MaxPool2d(kernel, stride=stride, padding=padding, dilation=dilation, ceil_mode=ceil))
        elif kind == "avgpool":
            _, kernel, stride, padding, _, ceil = spec
            layers.append(AvgPool2d(kernel, stride=stride, padding=padding, ceil_mode=ceil))
        elif kind == "bn":
            layers.append(BatchNorm2d())
        elif kind == "relu":
            layers.append(ReLU())
        elif kind == "linear":
            layers.append(Linear(out_features=k if spec[1] == "k" else spec[1]))  # acts on the last dimension
        else:
            raise AssertionError(spec)
    if head is not None:
        layers += [Flatten(), Linear(out_features=head)]
    return Sequential(symcnn.Input(c, h, w), *layers)


def numeric(chain: Any, h: int, w: int, k: int, **options: Any) -> symcnn.Derivation:
    return build(chain, h, w, k).derive(**options)


def symbolic_derivation(chain: Any, **options: Any) -> symcnn.Derivation | None:
    """The derivation with symbols H, W, k; None when symcnn proves the chain invalid for all values.

    That proof is checked: the chain built with large numbers fails too.
    """
    try:
        return build(chain, H, W, K).derive(**options)
    except ShapeError:
        with pytest.raises(ShapeError):
            numeric(chain, 200, 200, 50)
        return None


def subs_used(d: symcnn.Derivation, **values: Any) -> symcnn.Derivation:
    """``d.subs`` with those values whose symbols ``d`` uses (a chain may have no "k" layer)."""
    used = {symbol.name for symbol in d.free_symbols}
    return d.subs({name: value for name, value in values.items() if name in used})


def assert_rows_equal(got: symcnn.Derivation, want: symcnn.Derivation) -> None:
    assert len(got.rows) == len(want.rows)
    for a, b in zip(got.rows, want.rows, strict=True):
        assert (a.index, a.name, a.kind) == (b.index, b.name, b.kind)
        assert a.input_shapes == b.input_shapes, a.name
        assert a.output_shape == b.output_shape, a.name
        assert [step.value for step in a.sizes] == [step.value for step in b.sizes], a.name
        for field in ("params", "non_trainable", "buffers", "macs"):
            assert getattr(a, field).value == getattr(b, field).value, (a.name, field)
        assert a.multiplicity == b.multiplicity
        assert a.total_params == b.total_params


def assert_totals_equal(got: symcnn.Derivation, want: symcnn.Derivation) -> None:
    for field in FIELDS:
        assert sympy.expand(getattr(got.totals, field) - getattr(want.totals, field)) == 0, field


# --------------------------------------------------------------------- totals are sums over rows


def assert_totals_are_sums(d: symcnn.Derivation) -> None:
    rows = d.layers
    for field, total in (
        ("params", "trainable"),
        ("non_trainable", "non_trainable"),
        ("buffers", "buffers"),
        ("macs", "macs"),
    ):
        summed = sympy.Add(*(row.multiplicity * getattr(row, field).value for row in rows))
        assert sympy.expand(summed - getattr(d.totals, total)) == 0, field
    assert sympy.expand(sympy.Add(*(row.multiplicity * row.total_params for row in rows)) - d.totals.params) == 0
    assert sympy.expand(d.totals.params - d.totals.trainable - d.totals.non_trainable) == 0
    assert sympy.expand(d.totals.flops - d.conventions.flops_per_mac * d.totals.macs) == 0
    activations = sympy.Add(*(row.multiplicity * sympy.Mul(*row.output_shape) for row in rows))
    assert sympy.expand(activations - d.totals.activations) == 0


@FAST
@given(chains, st.sampled_from([symcnn.PYTORCH, symcnn.KERAS]))
def test_totals_are_sums_over_rows_symbolic(chain: Any, conventions: symcnn.Conventions) -> None:
    d = symbolic_derivation(chain, conventions=conventions)
    assume(d is not None)
    assert d is not None
    assert_totals_are_sums(d)


@FAST
@given(chains, st.integers(8, 48), st.integers(8, 48), st.integers(1, 8))
def test_totals_are_sums_over_rows_numeric(chain: Any, h: int, w: int, k: int) -> None:
    try:
        d = numeric(chain, h, w, k, conventions=symcnn.KERAS)
    except ShapeError:
        assume(False)
        return
    assert_totals_are_sums(d)
    assert all(value.is_Integer and value >= 0 for value in vars(d.totals).values())


def test_totals_of_a_known_network() -> None:
    """LeNet-like: 1x28x28 -> conv5 (6) -> pool2 -> conv5 (16) -> pool2 -> flatten -> 120 -> 10, by hand."""
    net = Sequential(
        symcnn.Input(1, 28, 28),
        Conv2d(out_channels=6, kernel_size=5),
        MaxPool2d(2),
        Conv2d(out_channels=16, kernel_size=5),
        MaxPool2d(2),
        Flatten(),
        Linear(out_features=120),
        Linear(out_features=10),
    )
    d = net.derive()
    params = (5 * 5 * 1 + 1) * 6 + (5 * 5 * 6 + 1) * 16 + (16 * 4 * 4 + 1) * 120 + (120 + 1) * 10
    macs = 24 * 24 * 6 * 25 + 8 * 8 * 16 * 150 + 256 * 120 + 120 * 10
    assert (d.totals.params, d.totals.macs, d.totals.flops) == (params, macs, 2 * macs)
    assert d.output_shape == (10,)


# --------------------------------------------------------------------- subs equals deriving with numbers


@FAST
@given(chains, st.integers(12, 64), st.integers(12, 64), st.integers(1, 8))
def test_subs_equals_numeric_derivation(chain: Any, h: int, w: int, k: int) -> None:
    try:
        want = numeric(chain, h, w, k)
    except ShapeError:
        assume(False)
        return
    symbolic = build(chain, H, W, K).derive()  # valid at these numbers, so not invalid for all
    got = subs_used(symbolic, H=h, W=w, k=k)
    assert got.output_shape == want.output_shape
    assert got.input_shape == want.input_shape == (3, h, w)
    assert_rows_equal(got, want)
    for field in FIELDS:
        assert getattr(got.totals, field) == getattr(want.totals, field), field
    assert got.conditions == ()  # every condition is settled by the numbers
    assert got.free_symbols == frozenset()
    # in two steps, with a formula on the way, it is the same
    partial = subs_used(symbolic, k=k).subs({"H": h}).subs(W=w)
    assert partial.output_shape == want.output_shape
    assert_totals_equal(partial, want)


@settings(max_examples=30, deadline=None)
@given(chains, st.integers(2, 16), st.integers(1, 4))
def test_subs_with_a_formula(chain: Any, h: int, k: int) -> None:
    """subs(W="2*H") then subs(H=h) equals the network built with W = 2h."""
    try:
        want = numeric(chain, h, 2 * h, k)
    except ShapeError:
        assume(False)
        return
    got = subs_used(build(chain, H, W, K).derive(), W="2*H", k=k).subs(H=h)
    assert got.output_shape == want.output_shape
    assert_rows_equal(got, want)
    assert_totals_equal(got, want)


# --------------------------------------------------------------------- Repeat


@st.composite
def preserving_layers(draw: st.DrawFn) -> Spec:
    """A layer that maps (C, H, W) to itself."""
    kind = draw(st.sampled_from(["conv", "same", "depthwise", "convT", "pool", "bn", "relu"]))
    r = draw(st.integers(0, 2))
    d = draw(st.integers(1, 2))
    return (kind, r, d, draw(st.booleans()))


def make_block(specs: Sequence[Spec], c: Any) -> Sequential:
    layers: list[Any] = []
    for kind, r, d, bias in specs:
        if kind == "conv":
            layers.append(Conv2d(out_channels=c, kernel_size=2 * r + 1, padding=r * d, dilation=d, bias=bias))
        elif kind == "same":
            layers.append(Conv2d(out_channels=c, kernel_size=r + 2, padding="same", dilation=d, bias=bias))
        elif kind == "depthwise":
            layers.append(Conv2d(out_channels=c, kernel_size=2 * r + 1, padding=r, groups=c, bias=bias))
        elif kind == "convT":
            layers.append(ConvTranspose2d(out_channels=c, kernel_size=2 * r + 1, padding=r, bias=bias))
        elif kind == "pool":
            layers.append(MaxPool2d(2 * r + 1, stride=1, padding=r))
        elif kind == "bn":
            layers.append(BatchNorm2d())
        else:
            layers.append(ReLU())
    return Sequential(*layers)


def stem(k: Any) -> list[Any]:
    return [Conv2d(out_channels=k, kernel_size=3, stride=2, padding=1), BatchNorm2d(), ReLU()]


def head() -> list[Any]:
    return [AdaptiveAvgPool2d(1), Flatten(), Linear(out_features=10)]


blocks = st.lists(preserving_layers(), min_size=1, max_size=4)


@FAST
@given(blocks, st.sampled_from([symcnn.PYTORCH, symcnn.KERAS]))
def test_repeat_counts_times_copies(specs: list[Spec], conventions: symcnn.Conventions) -> None:
    block = make_block(specs, K)
    d = Sequential(symcnn.Input(3, H, W), *stem(K), Repeat(block, N), *head()).derive(conventions=conventions)
    rest = Sequential(symcnn.Input(3, H, W), *stem(K), *head()).derive(conventions=conventions)
    stem_out = Sequential(symcnn.Input(3, H, W), *stem(K)).derive().output_shape
    one = symcnn.derive(block, stem_out, conventions=conventions)
    for field in FIELDS:
        expected = N * getattr(one.totals, field) + getattr(rest.totals, field)
        assert sympy.expand(getattr(d.totals, field) - expected) == 0, field
    assert_totals_are_sums(d)
    assert {row.multiplicity for row in d.layers if row.name.startswith("repeat.")} == {N}
    assert d.output_shape == (10,)


@FAST
@given(blocks, st.integers(1, 4))
def test_repeat_subs_equals_explicit_copies(specs: list[Spec], times: int) -> None:
    block = make_block(specs, K)
    d = Sequential(symcnn.Input(3, H, W), *stem(K), Repeat(block, N), *head()).derive()
    explicit = Sequential(symcnn.Input(3, H, W), *stem(K), *([block] * times), *head()).derive()
    got = d.subs(N=times)
    assert got.output_shape == explicit.output_shape
    assert_totals_equal(got, explicit)
    # a numeric times gives the same, and so do numbers everywhere
    numbered = Sequential(symcnn.Input(3, H, W), *stem(K), Repeat(block, times), *head()).derive()
    assert_totals_equal(numbered, explicit)
    everything = d.subs(N=times, H=20, W=13, k=4)
    copies = [make_block(specs, 4)] * times
    explicit_numbers = Sequential(symcnn.Input(3, 20, 13), *stem(4), *copies, *head()).derive()
    for field in FIELDS:
        assert getattr(everything.totals, field) == getattr(explicit_numbers.totals, field), field


@settings(max_examples=25, deadline=None)
@given(blocks)
def test_nested_repeat_multiplies(specs: list[Spec]) -> None:
    block = make_block(specs, K)
    nested = Sequential(symcnn.Input(K, H, W), Repeat(Repeat(block, N), M)).derive()
    one = symcnn.derive(block, (K, H, W))
    for field in FIELDS:
        assert sympy.expand(getattr(nested.totals, field) - N * M * getattr(one.totals, field)) == 0, field
    assert {row.multiplicity for row in nested.layers} == {N * M}
    flat = Sequential(symcnn.Input(K, H, W), *([block] * 6)).derive()
    assert_totals_equal(nested.subs(N=2, M=3), flat)


def test_repeat_needs_a_shape_preserving_block() -> None:
    net = Sequential(symcnn.Input(K, H, W), Repeat(Conv2d(out_channels=K, kernel_size=3), N))
    with pytest.raises(ShapeError, match="repeat: the block must map its input shape to itself"):
        net.derive()


# --------------------------------------------------------------------- subs raises ShapeError


def test_subs_names_the_layer_that_fails() -> None:
    d = Sequential(symcnn.Input(3, H, W), Conv2d(out_channels=8, kernel_size=5), MaxPool2d(2)).derive()
    assert {(condition.where, str(condition.relation)) for condition in d.conditions} >= {
        ("layer 1 (conv2d 'conv2d')", "H >= 5"),
        ("layer 2 (maxpool2d 'maxpool')", "H >= 6"),
    }
    with pytest.raises(ShapeError, match=r"^layer 1 \(conv2d 'conv2d'\): output height must be ≥ 1") as error:
        d.subs(H=4)
    assert error.value.where == "layer 1 (conv2d 'conv2d')"
    assert isinstance(error.value, ValueError)
    # H = 5: the conv gives 1, the pool floor(1/2) = 0
    with pytest.raises(ShapeError, match=r"^layer 2 \(maxpool2d 'maxpool'\): output height must be ≥ 1"):
        d.subs(H=5, W=10)
    with pytest.raises(ShapeError, match=r"^layer 2 \(maxpool2d 'maxpool'\): output width must be ≥ 1"):
        d.subs(H=10, W=5)
    assert d.subs(H=6, W=7).output_shape == (8, 1, 1)
    # the network built with those numbers fails at the same layer
    with pytest.raises(ShapeError, match=r"^layer 2 \(maxpool2d 'maxpool'\): output height must be ≥ 1"):
        Sequential(symcnn.Input(3, 5, 10), Conv2d(out_channels=8, kernel_size=5), MaxPool2d(2)).derive()


def test_subs_checks_conditions_on_symbols_used_nowhere_else() -> None:
    """in_channels="c" appears only in a condition; subs(c=4) must still check it."""
    d = Sequential(symcnn.Input(3, H, W), Conv2d(in_channels="c", out_channels=8, kernel_size=3)).derive()
    with pytest.raises(ShapeError, match=r"^layer 1 \(conv2d 'conv2d'\): in_channels must equal the input's 3"):
        d.subs(c=4)
    assert all("c" not in str(condition.relation) for condition in d.subs(c=3).conditions)


def test_derive_does_not_reject_a_valid_equality() -> None:
    """Linear(in_features=H-1) after 3*floor(H/3) features holds at H = 4, 7, ...: a condition, not an error."""
    net = Sequential(
        symcnn.Input(1, H),
        symcnn.MaxPool1d(3),
        symcnn.Upsample(scale_factor=3),
        Linear(in_features="H-1", out_features=2),
    )
    d = net.derive()
    assert d.subs(H=4).output_shape == (1, 2)
    with pytest.raises(ShapeError, match=r"^layer 3 \(linear 'output'\): in_features must equal"):
        d.subs(H=5)
    for h in range(3, 20):
        concrete = Sequential(
            symcnn.Input(1, h),
            symcnn.MaxPool1d(3),
            symcnn.Upsample(scale_factor=3),
            Linear(in_features=h - 1, out_features=2),
        )
        if 3 * (h // 3) == h - 1:
            assert concrete.derive().output_shape == d.subs(H=h).output_shape
        else:
            with pytest.raises(ShapeError):
                concrete.derive()
            with pytest.raises(ShapeError):
                d.subs(H=h)


@settings(max_examples=60, deadline=None)
@given(chains, st.integers(1, 14), st.integers(1, 14), st.integers(1, 4))
def test_subs_fails_exactly_where_numbers_fail(chain: Any, h: int, w: int, k: int) -> None:
    symbolic = symbolic_derivation(chain)
    assume(symbolic is not None)
    assert symbolic is not None
    try:
        want = numeric(chain, h, w, k)
    except ShapeError as numeric_error:
        with pytest.raises(ShapeError) as symbolic_error:
            subs_used(symbolic, H=h, W=w, k=k)
        assert symbolic_error.value.where == numeric_error.where
        assert symbolic_error.value.where in str(symbolic_error.value)
        rule = symbolic_error.value.message.split(", violated by ")[0]
        assert numeric_error.message.startswith(rule), (symbolic_error.value.message, numeric_error.message)
        return
    got = subs_used(symbolic, H=h, W=w, k=k)
    assert got.output_shape == want.output_shape
    assert_totals_equal(got, want)


def test_subs_gives_a_real_symbol_any_positive_value() -> None:
    """A symbol declared positive but not integer (a width multiplier) takes fractions; integers stay integers."""
    import sympy

    import symcnn

    a = sympy.Symbol("a", positive=True)
    net = symcnn.Sequential(symcnn.Input(3, 8, 8), symcnn.Conv2d(out_channels=8 * sympy.ceiling(4 * a), kernel_size=1))
    d = net.derive()
    assert d.subs(a=sympy.Rational(7, 20)).totals.trainable == (3 + 1) * 16
    assert d.subs(a="0.35").totals.trainable == (3 + 1) * 16
    with pytest.raises(symcnn.SpecError, match="must be positive"):
        d.subs(a="-1/2")
    k = symcnn.symbols("k")
    with pytest.raises(symcnn.SpecError, match="k"):
        symcnn.Sequential(symcnn.Input(3, 8, 8), symcnn.Conv2d(out_channels=k, kernel_size=1)).derive().subs(k="1/2")


def _residual_net(H: object, W: object, k: object) -> symcnn.Graph:
    x = symcnn.Input(3, H, W)
    stem = symcnn.Conv2d(out_channels=k, kernel_size=7, stride=2, padding=3)(x)
    pooled = symcnn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)(symcnn.ReLU()(symcnn.BatchNorm2d()(stem)))
    branch = symcnn.Conv2d(out_channels=k, kernel_size=3, padding=1)(pooled)
    joined = symcnn.Add()(pooled, branch)
    flat = symcnn.Flatten()(symcnn.AdaptiveAvgPool2d(1)(joined))
    return symcnn.Graph(x, symcnn.Linear(out_features=10)(flat))


def test_subs_returns_at_once_and_reads_the_totals_off_the_origin() -> None:
    H, W, k = symcnn.symbols("H W k")
    symbolic = _residual_net(H, W, k).derive()
    substituted = symbolic.subs(H=97, W=131, k=12)
    assert isinstance(substituted.rows, LazyRows) and not substituted.rows.materialised
    totals = substituted.totals  # from the origin's totals: no row substituted yet
    assert not substituted.rows.materialised
    numeric = _residual_net(97, 131, 12).derive()
    assert totals == numeric.totals
    assert substituted.output_shape == numeric.output_shape


def test_lazy_rows_are_the_eager_rows_steps_and_text() -> None:
    H, W, k = symcnn.symbols("H W k")
    substituted = _residual_net(H, W, k).derive().subs(H=97, W=131, k=12)
    numeric = _residual_net(97, 131, 12).derive()
    assert [row.output_shape for row in substituted.rows] == [row.output_shape for row in numeric.rows]
    for lazy, eager in zip(substituted.rows, numeric.rows, strict=True):
        assert lazy.derivation is substituted
        mine = (*lazy.sizes, lazy.params, lazy.non_trainable, lazy.buffers, lazy.macs)
        theirs = (*eager.sizes, eager.params, eager.non_trainable, eager.buffers, eager.macs)
        assert [step.value for step in mine] == [step.value for step in theirs]
    assert substituted.to_text() == numeric.to_text()
    assert substituted.rows[-1] is substituted.rows[-1]  # substituted once, then kept
    assert substituted.rows[1:3] == tuple(substituted.rows)[1:3]


def test_a_partial_substitution_sums_its_rows() -> None:
    H, W, k = symcnn.symbols("H W k")
    symbolic = _residual_net(H, W, k).derive()
    partial = symbolic.subs(H=97, W=131)
    assert partial.totals.trainable.free_symbols == {k}
    assert partial.rows.materialised  # totals in symbols come from the substituted rows, as the renderers show
    assert partial.subs(k=12).totals == _residual_net(97, 131, 12).derive().totals
