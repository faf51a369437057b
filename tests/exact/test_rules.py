"""Output-size rules against Dumoulin & Visin, "A guide to convolution arithmetic for deep learning" (2016).

Relationship numbers follow the paper (arXiv:1603.07285): 1-6 convolution, 7 pooling,
8-14 transposed convolution, 15 dilation.  Every relationship is checked twice:

* symbolically: a layer built from SymPy symbols gives the paper's formula (``simplify``
  proves the difference is 0, or, where floors defeat it, every point of a grid agrees);
* numerically: layers built from integers over whole grids give the paper's value, and a
  ``ShapeError`` exactly where that value is below 1.

The reference formulas below are written out independently of ``symcnn.exact.rules``: the
paper's, and PyTorch's documented ones (``torch.nn.Conv2d``, ``MaxPool2d``, ATen's
``pooling_output_shape`` for ``ceil_mode``, ``ConvTranspose2d``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import symcnn
from symcnn import (
    AvgPool1d,
    AvgPool2d,
    Conv1d,
    Conv2d,
    ConvTranspose1d,
    ConvTranspose2d,
    MaxPool1d,
    MaxPool2d,
    ShapeError,
)
from symcnn.exact.rules import RULES

i, k, s, d, a, m = symcnn.symbols("i k s d a m")
p = symcnn.symbols("p")  # non-negative: padding may be 0
floor = sympy.floor

FAST = settings(max_examples=100, deadline=None)


# --------------------------------------------------------------------- references (plain integers)


def conv_size(i: int, k: int, p: int = 0, s: int = 1, d: int = 1) -> int:
    """PyTorch Conv/MaxPool (floor mode): floor((i + 2p - d(k-1) - 1)/s) + 1."""
    return (i + 2 * p - d * (k - 1) - 1) // s + 1


def pool_size_ceil(i: int, k: int, p: int, s: int, d: int = 1) -> int:
    """ATen's pooling_output_shape with ceil_mode=True (round up, drop a window starting past the input)."""
    out = (i + 2 * p - d * (k - 1) - 1 + (s - 1)) // s + 1
    if (out - 1) * s >= i + p:
        out -= 1
    return out


def transposed_size(i: int, k: int, p: int = 0, s: int = 1, a: int = 0, d: int = 1) -> int:
    """PyTorch ConvTranspose: (i - 1)s - 2p + d(k - 1) + a + 1."""
    return (i - 1) * s - 2 * p + d * (k - 1) + a + 1


# --------------------------------------------------------------------- helpers


def size_2d(layer: symcnn.Layer, size: object) -> sympy.Expr:
    """The output height of ``layer`` on a square input ``(1, size, size)``; height and width agree."""
    out = layer.output_shape((1, size, size))
    assert out[1] == out[2]
    return out[1]


def grid(**ranges: Iterable[int]) -> list[dict[sympy.Symbol, sympy.Integer]]:
    """Every combination of the given symbol values, as xreplace mappings."""
    names = list(ranges)
    by_name = {name: symcnn.symbols(name) for name in names}
    return [
        {by_name[name]: sympy.Integer(value) for name, value in zip(names, values, strict=True)}
        for values in itertools.product(*(list(ranges[name]) for name in names))
    ]


def assert_same(actual: sympy.Expr, expected: sympy.Expr, points: Iterable[Mapping[sympy.Symbol, sympy.Expr]]) -> None:
    """``actual == expected``: proved by ``simplify``, else checked at every point of a grid."""
    if sympy.simplify(actual - expected) == 0:
        return
    checked = 0
    for point in points:
        got, want = actual.xreplace(point), expected.xreplace(point)
        assert got.is_Integer and got == want, (point, got, want)
        checked += 1
    assert checked > 0


def assert_numeric(make, expected, points: Iterable[tuple[int, ...]], *, conv1d: bool = True) -> None:  # type: ignore[no-untyped-def]
    """For every point: the layer gives ``expected(*point)``, or ShapeError when that is below 1."""
    for point in points:
        layer, size = make(*point)
        want = expected(*point)
        if want < 1:
            with pytest.raises(ShapeError, match="must be ≥ 1"):
                layer.output_shape((1, size) if conv1d else (1, size, size))
        else:
            out = layer.output_shape((1, size) if conv1d else (1, size, size))
            assert out[1:] == ((want,) if conv1d else (want, want)), (point, out, want)


SMALL = grid(i=range(1, 13), k=range(1, 6), s=range(1, 5), p=range(0, 4), d=range(1, 4))


# --------------------------------------------------------------------- relationships 1-6: convolution


def test_relationship_1_no_padding_unit_strides_symbolic() -> None:
    assert_same(size_2d(Conv2d(out_channels=4, kernel_size=k), i), (i - k) + 1, SMALL)
    assert sympy.expand(size_2d(Conv2d(out_channels=4, kernel_size=k), i) - ((i - k) + 1)) == 0


def test_relationship_1_numeric() -> None:
    assert_numeric(
        lambda i, k: (Conv1d(out_channels=2, kernel_size=k), i),
        lambda i, k: (i - k) + 1,
        itertools.product(range(1, 31), range(1, 8)),
    )
    assert_numeric(
        lambda i, k: (Conv2d(out_channels=2, kernel_size=k), i),
        lambda i, k: (i - k) + 1,
        itertools.product(range(1, 16), range(1, 8)),
        conv1d=False,
    )


def test_relationship_2_zero_padding_unit_strides_symbolic() -> None:
    got = size_2d(Conv2d(out_channels=4, kernel_size=k, padding=p), i)
    assert sympy.expand(got - ((i - k) + 2 * p + 1)) == 0


def test_relationship_2_numeric() -> None:
    assert_numeric(
        lambda i, k, p: (Conv1d(out_channels=2, kernel_size=k, padding=p), i),
        lambda i, k, p: (i - k) + 2 * p + 1,
        itertools.product(range(1, 31), range(1, 8), range(0, 5)),
    )


def test_relationship_3_half_padding_symbolic() -> None:
    # k = 2n + 1 odd, p = floor(k/2) = n (here n is the non-negative symbol p), s = 1: o = i
    n = p
    kernel = 2 * n + 1
    assert sympy.simplify(floor(kernel / 2) - n) == 0
    assert size_2d(Conv2d(out_channels=4, kernel_size=kernel, padding=n), i) == i
    # PyTorch's padding='same' keeps the size for any kernel and dilation
    assert size_2d(Conv2d(out_channels=4, kernel_size=k, padding="same"), i) == i
    assert size_2d(Conv2d(out_channels=4, kernel_size=k, padding="same", dilation=d), i) == i


def test_relationship_3_numeric() -> None:
    assert_numeric(
        lambda i, k: (Conv1d(out_channels=2, kernel_size=k, padding=k // 2), i),
        lambda i, k: i,
        itertools.product(range(1, 31), (1, 3, 5, 7, 9)),
    )
    assert_numeric(
        lambda i, k, d: (Conv1d(out_channels=2, kernel_size=k, padding="same", dilation=d), i),
        lambda i, k, d: i,
        itertools.product(range(1, 21), range(1, 8), range(1, 4)),
    )


def test_relationship_4_full_padding_symbolic() -> None:
    got = size_2d(Conv2d(out_channels=4, kernel_size=k, padding=k - 1), i)
    assert sympy.expand(got - (i + (k - 1))) == 0


def test_relationship_4_numeric() -> None:
    assert_numeric(
        lambda i, k: (Conv1d(out_channels=2, kernel_size=k, padding=k - 1), i),
        lambda i, k: i + (k - 1),
        itertools.product(range(1, 31), range(1, 8)),
    )


def test_relationship_5_no_padding_strides_symbolic() -> None:
    got = size_2d(Conv2d(out_channels=4, kernel_size=k, stride=s), i)
    assert_same(got, floor((i - k) / s) + 1, SMALL)


def test_relationship_5_numeric() -> None:
    assert_numeric(
        lambda i, k, s: (Conv1d(out_channels=2, kernel_size=k, stride=s), i),
        lambda i, k, s: (i - k) // s + 1,
        itertools.product(range(1, 31), range(1, 8), range(1, 6)),
    )


def test_relationship_6_padding_strides_symbolic() -> None:
    got = size_2d(Conv2d(out_channels=4, kernel_size=k, stride=s, padding=p), i)
    assert_same(got, floor((i + 2 * p - k) / s) + 1, SMALL)


def test_relationship_6_numeric() -> None:
    assert_numeric(
        lambda i, k, s, p: (Conv1d(out_channels=2, kernel_size=k, stride=s, padding=p), i),
        lambda i, k, s, p: (i + 2 * p - k) // s + 1,
        itertools.product(range(1, 31), range(1, 8), range(1, 5), range(0, 4)),
    )
    # the paper's figures: i=5, k=3, s=2, p=1 and i=6 (same output, last row unused)
    assert size_2d(Conv2d(out_channels=1, kernel_size=3, stride=2, padding=1), 5) == 3
    assert size_2d(Conv2d(out_channels=1, kernel_size=3, stride=2, padding=1), 6) == 3


# --------------------------------------------------------------------- relationship 7: pooling


@pytest.mark.parametrize("pool", [MaxPool2d, AvgPool2d])
def test_relationship_7_pooling_symbolic(pool: type) -> None:
    assert_same(size_2d(pool(k, stride=s), i), floor((i - k) / s) + 1, SMALL)
    # the default stride is the kernel: non-overlapping windows
    assert_same(size_2d(pool(k), i), floor((i - k) / k) + 1, SMALL)


@pytest.mark.parametrize("pool", [MaxPool1d, AvgPool1d])
def test_relationship_7_numeric(pool: type) -> None:
    assert_numeric(
        lambda i, k, s: (pool(k, stride=s), i),
        lambda i, k, s: (i - k) // s + 1,
        itertools.product(range(1, 31), range(1, 7), range(1, 6)),
    )
    assert_numeric(
        lambda i, k: (pool(k), i), lambda i, k: (i - k) // k + 1, itertools.product(range(1, 31), range(1, 7))
    )


# --------------------------------------------------------------------- relationships 8-14: transposed convolution


def transposed_2d(size: object, **arguments: object) -> sympy.Expr:
    return size_2d(ConvTranspose2d(out_channels=4, **arguments), size)


def test_relationship_8_no_padding_unit_strides_transposed() -> None:
    assert sympy.expand(transposed_2d(i, kernel_size=k) - (i + (k - 1))) == 0
    assert_numeric(
        lambda i, k: (ConvTranspose1d(out_channels=2, kernel_size=k), i),
        lambda i, k: i + (k - 1),
        itertools.product(range(1, 21), range(1, 8)),
    )
    # the paper's figure: a 2x2 input, k=3 gives 4x4
    assert transposed_2d(2, kernel_size=3) == 4


def test_relationship_9_zero_padding_unit_strides_transposed() -> None:
    assert sympy.expand(transposed_2d(i, kernel_size=k, padding=p) - (i + (k - 1) - 2 * p)) == 0
    assert_numeric(
        lambda i, k, p: (ConvTranspose1d(out_channels=2, kernel_size=k, padding=p), i),
        lambda i, k, p: i + (k - 1) - 2 * p,
        itertools.product(range(1, 21), range(1, 8), range(0, 5)),
    )
    assert transposed_2d(6, kernel_size=4, padding=2) == 5  # the paper's figure: i=5, k=4, p=2


def test_relationship_10_half_padding_transposed() -> None:
    n = p
    assert transposed_2d(i, kernel_size=2 * n + 1, padding=n) == i
    assert_numeric(
        lambda i, k: (ConvTranspose1d(out_channels=2, kernel_size=k, padding=k // 2), i),
        lambda i, k: i,
        itertools.product(range(1, 21), (1, 3, 5, 7, 9)),
    )


def test_relationship_11_full_padding_transposed() -> None:
    assert sympy.expand(transposed_2d(i, kernel_size=k, padding=k - 1) - (i - (k - 1))) == 0
    # numerically the output shrinks: below 1 it is a ShapeError
    assert_numeric(
        lambda i, k: (ConvTranspose1d(out_channels=2, kernel_size=k, padding=k - 1), i),
        lambda i, k: i - (k - 1),
        itertools.product(range(1, 21), range(1, 8)),
    )


def test_relationship_12_no_padding_strides_transposed() -> None:
    assert sympy.expand(transposed_2d(i, kernel_size=k, stride=s) - (s * (i - 1) + k)) == 0
    assert_numeric(
        lambda i, k, s: (ConvTranspose1d(out_channels=2, kernel_size=k, stride=s), i),
        lambda i, k, s: s * (i - 1) + k,
        itertools.product(range(1, 21), range(1, 8), range(1, 6)),
    )
    assert transposed_2d(2, kernel_size=3, stride=2) == 5  # the paper's figure: i=5, k=3, s=2


def test_relationship_13_padding_strides_transposed() -> None:
    assert sympy.expand(transposed_2d(i, kernel_size=k, stride=s, padding=p) - (s * (i - 1) + k - 2 * p)) == 0
    assert_numeric(
        lambda i, k, s, p: (ConvTranspose1d(out_channels=2, kernel_size=k, stride=s, padding=p), i),
        lambda i, k, s, p: s * (i - 1) + k - 2 * p,
        itertools.product(range(1, 16), range(1, 8), range(1, 5), range(0, 4)),
    )
    assert transposed_2d(3, kernel_size=3, stride=2, padding=1) == 5  # the paper's figure: i=5, k=3, s=2, p=1


def test_relationship_14_padding_strides_output_padding_transposed() -> None:
    # PyTorch's output_padding plays the role of a
    got = transposed_2d(i, kernel_size=k, stride=s, padding=p, output_padding=a)
    assert sympy.expand(got - (s * (i - 1) + a + k - 2 * p)) == 0
    points = [
        (i_, k_, s_, p_, a_)
        for i_, k_, s_, p_ in itertools.product(range(1, 16), range(1, 7), range(1, 5), range(0, 4))
        for a_ in range(s_)
    ]
    assert_numeric(
        lambda i, k, s, p, a: (
            ConvTranspose1d(out_channels=2, kernel_size=k, stride=s, padding=p, output_padding=a),
            i,
        ),
        lambda i, k, s, p, a: s * (i - 1) + a + k - 2 * p,
        points,
    )
    # the paper's figure: i=6, k=3, s=2, p=1 gives i'=3 and a=1
    assert transposed_2d(3, kernel_size=3, stride=2, padding=1, output_padding=1) == 6


def test_relationship_14_with_dilation_uses_the_effective_kernel() -> None:
    """PyTorch's ConvTranspose with dilation: relationship 14 with k replaced by k + (k-1)(d-1)."""
    effective = k + (k - 1) * (d - 1)
    got = transposed_2d(i, kernel_size=k, stride=s, padding=p, output_padding=a, dilation=d)
    assert sympy.expand(got - (s * (i - 1) + a + effective - 2 * p)) == 0
    for i_, k_, s_, p_, d_ in itertools.product(range(1, 9), range(1, 5), range(1, 4), range(0, 3), range(1, 4)):
        for a_ in range(max(s_, d_)):  # PyTorch: output_padding < stride or < dilation
            layer = ConvTranspose1d(
                out_channels=1, kernel_size=k_, stride=s_, padding=p_, output_padding=a_, dilation=d_
            )
            want = s_ * (i_ - 1) + a_ + k_ + (k_ - 1) * (d_ - 1) - 2 * p_
            assert want == transposed_size(i_, k_, p_, s_, a_, d_)
            if want < 1:
                with pytest.raises(ShapeError):
                    layer.output_shape((1, i_))
            else:
                assert layer.output_shape((1, i_)) == (1, want)


def test_output_padding_must_be_smaller_than_stride_or_dilation() -> None:
    with pytest.raises(ShapeError, match="output_padding must be smaller than either stride or dilation"):
        ConvTranspose1d(out_channels=1, kernel_size=3, stride=2, output_padding=2).output_shape((1, 5))
    dilated = ConvTranspose1d(out_channels=1, kernel_size=3, stride=1, dilation=3, output_padding=2)
    assert dilated.output_shape((1, 5)) == (1, transposed_size(5, 3, 0, 1, 2, 3))


# --------------------------------------------------------------------- relationship 15: dilation


def test_relationship_15_dilation_symbolic() -> None:
    expected = floor((i + 2 * p - k - (k - 1) * (d - 1)) / s) + 1
    got = size_2d(Conv2d(out_channels=4, kernel_size=k, stride=s, padding=p, dilation=d), i)
    assert_same(got, expected, SMALL)
    assert_same(size_2d(MaxPool2d(k, stride=s, dilation=d), i), expected.xreplace({p: 0}), SMALL)
    # dilation alone (unit stride, no padding): the effective kernel in relationship 1
    assert_same(size_2d(Conv2d(out_channels=4, kernel_size=k, dilation=d), i), i - (k + (k - 1) * (d - 1)) + 1, SMALL)


def test_relationship_15_numeric() -> None:
    def expected(i: int, k: int, p: int, s: int, d: int) -> int:
        return (i + 2 * p - k - (k - 1) * (d - 1)) // s + 1

    assert_numeric(
        lambda i, k, p, s, d: (Conv1d(out_channels=2, kernel_size=k, stride=s, padding=p, dilation=d), i),
        expected,
        itertools.product(range(1, 31), range(1, 6), range(0, 3), range(1, 4), range(1, 4)),
    )
    assert size_2d(Conv2d(out_channels=1, kernel_size=3, dilation=2), 7) == 3  # the paper's figure
    # MaxPool with dilation: PyTorch's padding limit p <= k/2 applies
    assert_numeric(
        lambda i, k, p, s, d: (MaxPool1d(k, stride=s, padding=p, dilation=d), i),
        expected,
        [
            (i_, k_, p_, s_, d_)
            for i_, k_, p_, s_, d_ in itertools.product(
                range(1, 21), range(1, 6), range(0, 3), range(1, 4), range(1, 4)
            )
            if 2 * p_ <= k_
        ],
    )


def test_relationship_15_reduces_to_6_without_dilation() -> None:
    assert (
        sympy.simplify(
            (floor((i + 2 * p - k - (k - 1) * (d - 1)) / s) + 1).xreplace({d: 1}) - (floor((i + 2 * p - k) / s) + 1)
        )
        == 0
    )


# --------------------------------------------------------------------- the transposed convolution inverts the shape


def test_transposed_inverts_convolution_numeric() -> None:
    """ConvTranspose(k, s, p, d, a) maps the conv's output size back to its input size,
    with a = (i + 2p - d(k-1) - 1) mod s (relationship 14 generalised to dilation)."""
    checked = 0
    for i_, k_, p_, s_, d_ in itertools.product(range(1, 25), range(1, 6), range(0, 4), range(1, 5), range(1, 3)):
        o = conv_size(i_, k_, p_, s_, d_)
        if o < 1:
            continue
        a_ = (i_ + 2 * p_ - d_ * (k_ - 1) - 1) % s_
        conv = Conv1d(out_channels=3, kernel_size=k_, stride=s_, padding=p_, dilation=d_)
        back = ConvTranspose1d(out_channels=2, kernel_size=k_, stride=s_, padding=p_, dilation=d_, output_padding=a_)
        assert conv.output_shape((2, i_)) == (3, o)
        assert back.output_shape((3, o)) == (2, i_), (i_, k_, p_, s_, d_)
        checked += 1
    assert checked > 1000


def test_transposed_inverts_convolution_symbolic() -> None:
    """With i + 2p - d(k-1) - 1 a multiple of s (a = 0): i = s*m + d(k-1) + 1 - 2p."""
    size = s * m + d * (k - 1) + 1 - 2 * p
    conv = Conv2d(out_channels=3, kernel_size=k, stride=s, padding=p, dilation=d)
    back = ConvTranspose2d(out_channels=2, kernel_size=k, stride=s, padding=p, dilation=d)
    out = size_2d(conv, size)
    assert sympy.simplify(out - (m + 1)) == 0
    assert sympy.expand(size_2d(back, out) - size) == 0
    # and with a symbolic output padding a: i = s*m + a + d(k-1) + 1 - 2p, 0 <= a < s
    size = s * m + a + d * (k - 1) + 1 - 2 * p
    out = size_2d(conv, size)
    back = ConvTranspose2d(out_channels=2, kernel_size=k, stride=s, padding=p, dilation=d, output_padding=a)
    points = [
        point | {a: sympy.Integer(a_)}
        for point in grid(m=range(1, 5), k=range(1, 4), s=range(2, 5), p=range(0, 3), d=range(1, 3))
        for a_ in range(1, int(point[s]))
    ]
    assert_same(size_2d(back, out), size, points)


@FAST
@given(
    st.integers(1, 60),
    st.integers(1, 9),
    st.integers(0, 5),
    st.integers(1, 6),
    st.integers(1, 4),
)
def test_transposed_inverts_convolution_property(i_: int, k_: int, p_: int, s_: int, d_: int) -> None:
    o = conv_size(i_, k_, p_, s_, d_)
    conv = Conv1d(out_channels=1, kernel_size=k_, stride=s_, padding=p_, dilation=d_)
    if o < 1:
        with pytest.raises(ShapeError):
            conv.output_shape((1, i_))
        return
    assert conv.output_shape((1, i_)) == (1, o)
    a_ = (i_ + 2 * p_ - d_ * (k_ - 1) - 1) % s_
    back = ConvTranspose1d(out_channels=1, kernel_size=k_, stride=s_, padding=p_, dilation=d_, output_padding=a_)
    assert back.output_shape((1, o)) == (1, i_)


# --------------------------------------------------------------------- each rule variant on its domain


def general(values: Mapping[str, int]) -> int:
    return conv_size(values["i"], values["n"], values.get("p", 0), values.get("s", 1), values.get("d", 1))


def rule_value(name: str, values: Mapping[str, int]) -> sympy.Expr:
    rule = RULES[name]
    return rule(**{key: sympy.Integer(values[key]) for key in rule.parameters})


sizes = st.integers(1, 80)
kernels = st.integers(1, 9)
paddings = st.integers(0, 5)
strides = st.integers(1, 6)
dilations = st.integers(1, 4)


@FAST
@given(sizes, kernels)
def test_size_valid_is_the_general_formula(i_: int, n_: int) -> None:
    assert rule_value("size_valid", {"i": i_, "n": n_}) == conv_size(i_, n_)


@FAST
@given(sizes, kernels, paddings)
def test_size_padded_is_the_general_formula(i_: int, n_: int, p_: int) -> None:
    assert rule_value("size_padded", {"i": i_, "n": n_, "p": p_}) == conv_size(i_, n_, p_)


@FAST
@given(sizes, kernels)
def test_size_tiled_is_the_general_formula(i_: int, n_: int) -> None:
    # stride = kernel, no padding
    assert rule_value("size_tiled", {"i": i_, "n": n_}) == conv_size(i_, n_, 0, n_)


@FAST
@given(sizes, kernels, paddings, strides)
def test_size_strided_is_the_general_formula(i_: int, n_: int, p_: int, s_: int) -> None:
    assert rule_value("size_strided", {"i": i_, "n": n_, "p": p_, "s": s_}) == conv_size(i_, n_, p_, s_)


@FAST
@given(sizes, kernels, paddings, strides, dilations)
def test_size_dilated_is_the_general_formula(i_: int, n_: int, p_: int, s_: int, d_: int) -> None:
    values = {"i": i_, "n": n_, "p": p_, "s": s_, "d": d_}
    assert rule_value("size_dilated", values) == conv_size(i_, n_, p_, s_, d_)


@FAST
@given(sizes, kernels, paddings, strides, dilations)
def test_size_ceil_and_ceil_dropped_on_their_domains(i_: int, n_: int, p_: int, s_: int, d_: int) -> None:
    values = {"i": i_, "n": n_, "p": p_, "s": s_, "d": d_}
    rounded_up = -(-(i_ + 2 * p_ - d_ * (n_ - 1) - 1) // s_) + 1  # ceil((i + 2p - d(n-1) - 1)/s) + 1
    assert rule_value("size_ceil", values) == rounded_up
    if (rounded_up - 1) * s_ >= i_ + p_:  # the last window would start past the input: PyTorch drops it
        assert rule_value("size_ceil_dropped", values) == pool_size_ceil(i_, n_, p_, s_, d_)
    else:
        assert rule_value("size_ceil", values) == pool_size_ceil(i_, n_, p_, s_, d_)


@FAST
@given(sizes, kernels, dilations)
def test_size_same_is_pytorchs_same_padding(i_: int, n_: int, d_: int) -> None:
    # PyTorch pads d(n-1) in total, floor of half before, the rest after
    total = d_ * (n_ - 1)
    before, after = total // 2, total - total // 2
    assert rule_value("size_same", {"i": i_}) == (i_ + before + after - d_ * (n_ - 1) - 1) // 1 + 1


@FAST
@given(st.integers(1, 40), kernels, paddings, strides, dilations, st.integers(0, 5))
def test_size_transposed_is_relationship_14(i_: int, n_: int, p_: int, s_: int, d_: int, a_: int) -> None:
    values = {"i": i_, "n": n_, "p": p_, "s": s_, "d": d_, "a": a_}
    effective = n_ + (n_ - 1) * (d_ - 1)
    assert rule_value("size_transposed", values) == s_ * (i_ - 1) + a_ + effective - 2 * p_


def test_rule_variants_are_the_general_formula_symbolically() -> None:
    n = symcnn.symbols("n")
    general_formula = RULES["size_dilated"](i=i, n=n, p=p, s=s, d=d)
    assert sympy.simplify(general_formula - (floor((i + 2 * p - d * (n - 1) - 1) / s) + 1)) == 0
    cases = {
        "size_valid": ({"i": i, "n": n}, {p: 0, s: 1, d: 1}),
        "size_padded": ({"i": i, "n": n, "p": p}, {s: 1, d: 1}),
        "size_tiled": ({"i": i, "n": n}, {p: 0, s: n, d: 1}),
        "size_strided": ({"i": i, "n": n, "p": p, "s": s}, {d: 1}),
    }
    points = grid(i=range(1, 13), n=range(1, 6), s=range(1, 5), p=range(0, 4))
    for name, (arguments, domain) in cases.items():
        assert_same(RULES[name](**arguments), general_formula.xreplace(domain), points)


CHOICES = {
    "size_valid": lambda n, p, s, d: s == 1 and p == 0 and d == 1,
    "size_padded": lambda n, p, s, d: s == 1 and d == 1,
    "size_tiled": lambda n, p, s, d: s == n and p == 0 and d == 1,
    "size_strided": lambda n, p, s, d: d == 1,
    "size_dilated": lambda n, p, s, d: True,
}


@FAST
@given(
    st.sampled_from(["conv", "maxpool", "avgpool"]),
    sizes,
    kernels,
    paddings,
    strides,
    dilations,
    st.booleans(),
)
def test_chosen_rule_equals_pytorch_on_its_domain(
    kind: str, i_: int, n_: int, p_: int, s_: int, d_: int, ceil_mode: bool
) -> None:
    """Whatever rule symcnn shows for a layer, its value is PyTorch's, and the layer is in the rule's domain."""
    if kind == "conv":
        layer = Conv1d(out_channels=2, kernel_size=n_, stride=s_, padding=p_, dilation=d_)
        ceil_mode = False
    else:
        p_ = min(p_, n_ // 2)  # PyTorch: pad at most half the kernel
        if kind == "maxpool":
            layer = MaxPool1d(n_, stride=s_, padding=p_, dilation=d_, ceil_mode=ceil_mode)
        else:
            d_ = 1
            layer = AvgPool1d(n_, stride=s_, padding=p_, ceil_mode=ceil_mode)
    expected = pool_size_ceil(i_, n_, p_, s_, d_) if ceil_mode else conv_size(i_, n_, p_, s_, d_)
    net = symcnn.Sequential(symcnn.Input(1, i_), layer)
    if expected < 1:
        with pytest.raises(ShapeError, match="must be ≥ 1"):
            net.derive()
        return
    (step,) = net.derive().rows[1].sizes
    assert step.value == expected
    values = {"i": i_, "n": n_, "p": p_, "s": s_, "d": d_}
    assert rule_value(step.rule.name, values) == expected
    if ceil_mode:
        dropped = (rule_value("size_ceil", values) - 1) * s_ >= i_ + p_
        assert step.rule.name == ("size_ceil_dropped" if dropped else "size_ceil")
    else:
        assert step.rule.name in CHOICES
        assert CHOICES[step.rule.name](n_, p_, s_, d_)


def test_ceil_mode_symbolic_matches_pytorch() -> None:
    """Symbolic i (and all hyperparameters symbolic): the Piecewise equals ATen's value everywhere on a grid."""
    n = symcnn.symbols("n")
    fully = size_2d(MaxPool2d(n, stride=s, padding=p, ceil_mode=True), i)
    for point in grid(i=range(1, 16), n=range(1, 6), s=range(1, 5), p=range(0, 3)):
        i_, n_, s_, p_ = (int(point[symbol]) for symbol in (i, n, s, p))
        if 2 * p_ > n_:
            continue
        want = pool_size_ceil(i_, n_, p_, s_)
        if want >= 1:
            assert fully.xreplace(point) == want, point
    for n_, s_, p_ in itertools.product(range(1, 6), range(1, 5), range(0, 3)):
        if 2 * p_ > n_:
            continue
        partly = size_2d(MaxPool2d(n_, stride=s_, padding=p_, ceil_mode=True), i)
        for i_ in range(1, 25):
            want = pool_size_ceil(i_, n_, p_, s_)
            if want >= 1:
                assert partly.xreplace({i: i_}) == want, (i_, n_, s_, p_, partly)


def test_ceil_mode_drops_the_window_starting_in_the_padding() -> None:
    # i=5, k=2, s=2, p=1: ceil gives 4 windows, the last would start at 6 >= i + p = 6: PyTorch gives 3
    assert pool_size_ceil(5, 2, 1, 2) == 3
    assert size_2d(MaxPool2d(2, stride=2, padding=1, ceil_mode=True), 5) == 3
    assert size_2d(MaxPool2d(2, stride=2, padding=1, ceil_mode=False), 5) == 3
    assert size_2d(MaxPool2d(3, stride=2, ceil_mode=True), 6) == 3  # floor mode would give 2
    assert size_2d(MaxPool2d(3, stride=2, ceil_mode=False), 6) == 2


def test_ceil_mode_chains_stay_exact_symbolically() -> None:
    """Pools whose stride leaves gaps drop the last window for some sizes only; chained, they
    stay one exact floor (this once built nested Piecewise expressions SymPy could not handle)."""
    chains = [
        [MaxPool2d(2, stride=3, ceil_mode=True)] * 4,
        [
            MaxPool2d(1, stride=2, ceil_mode=True),
            Conv2d(out_channels=1, kernel_size=3),
            MaxPool2d(3, stride=4, padding=1, ceil_mode=True),
            AvgPool2d(2, stride=3, padding=1, ceil_mode=True),
        ],
    ]
    for layers in chains:
        d = symcnn.Sequential(symcnn.Input(1, i, i), *layers).derive()
        height = d.output_shape[1]
        assert not height.has(sympy.Piecewise)
        for i_ in range(1, 80):
            size, fails = i_, False
            for layer in layers:
                k_, s_, p_ = (int(getattr(layer, name)[0]) for name in ("kernel_size", "stride", "padding"))
                ceil = getattr(layer, "ceil_mode", False)
                size = pool_size_ceil(size, k_, p_, s_) if ceil else conv_size(size, k_, p_, s_)
                fails = fails or size < 1
            if fails:
                with pytest.raises(ShapeError):
                    d.subs(i=i_)
            else:
                assert d.subs(i=i_).output_shape[1] == size == height.xreplace({i: i_}), (i_, height)


def test_every_rule_parameter_has_its_notation_explained():
    from symcnn.exact.rules import NOTATION, RULES

    used = {name for rule in RULES.values() for name in rule.parameters}
    assert used <= set(NOTATION), sorted(used - set(NOTATION))
    assert set(NOTATION) <= used, sorted(set(NOTATION) - used)  # no stale entries either


# -- the numeric path of every rule --------------------------------------------------------------
_NUMBERS = st.one_of(st.integers(-5, 300), st.integers(-(10**30), 10**30))


@pytest.mark.parametrize("name", sorted(RULES))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_rule_on_numbers_equals_its_sympy_value(name: str, data: st.DataObject) -> None:
    """Called with numbers a rule computes in Python ints (fractions after ``/``): SymPy's exact value, always."""
    from itertools import chain

    from symcnn.exact.rules import _evaluate

    rule = RULES[name]
    values = {parameter: sympy.Integer(data.draw(_NUMBERS, label=parameter)) for parameter in rule.parameters}
    try:
        want: object = _evaluate(rule.function, *chain.from_iterable(sorted(values.items())))
    except (ZeroDivisionError, ValueError, TypeError) as error:
        want = type(error)
    try:
        got: object = rule(**values)
    except (ZeroDivisionError, ValueError, TypeError) as error:
        got = type(error)
    assert got == want
    if isinstance(want, sympy.Integer):
        assert isinstance(got, sympy.Integer)


def test_a_rule_with_true_division_is_exact_past_float_precision() -> None:
    """``n*m*l/g`` on ints is a float in Python; the numeric path must not trust it."""
    big = 10**20 + 1  # not representable as a float
    value = RULES["conv_params"](
        kernel=sympy.Integer(1), l=sympy.Integer(big), k=sympy.Integer(1), g=sympy.Integer(1), b=sympy.Integer(0)
    )
    assert value == big and isinstance(value, sympy.Integer)


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_rule_has_an_integer_form_read_from_its_source(name: str) -> None:
    """Each ``/`` becomes an exact division: the integer form agrees with exact ratios where they divide."""
    from fractions import Fraction

    from symcnn.exact.rules import _Inexact, _integer_form

    rule = RULES[name]
    whole = _integer_form(rule.function)
    assert whole is not None and whole is not rule.function  # read from the file, compiled anew
    rng = __import__("random").Random(name)
    for _ in range(200):
        values = {parameter: rng.randint(1, 40) for parameter in rule.parameters}
        exact = rule.function(**{key: Fraction(value) for key, value in values.items()})
        try:
            got = whole(**values)
        except _Inexact:
            assert "/" in str(rule.general)  # only a division can refuse
            continue
        assert type(got) is int and got == exact
