"""symcnn against real ``torch.nn`` modules and real forward passes on CPU.

For every layer kind symcnn shares with PyTorch, hypothesis draws a
configuration and an input; the module is built in PyTorch and in symcnn from
the same arguments (positionally, so PyTorch's argument order is checked too)
and must agree on:

* the output shape of a forward pass (symcnn shapes leave the batch out);
* ``numel`` of ``.parameters()`` and of ``.buffers()``;
* MACs: half the FLOPs ``torch.utils.flop_counter`` counts in the forward pass
  (it counts matrix products and convolutions, 2 FLOPs per MAC, and nothing
  for pooling, normalisation or activations: neither does symcnn);
* the verdict: where a drawn configuration may be invalid, symcnn raises a
  ``SymcnnError`` exactly when PyTorch raises, at construction or forward;
* for windowed layers, exactness for every integer: derived with symbolic
  sizes, the shape and the validity conditions evaluated at the numbers give
  PyTorch's shape and verdict (floors where PyTorch floors, ceil_mode's
  dropped last window, ...).

When this file disagrees with PyTorch, the engine is wrong, not the test.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symcnn
from symcnn import SymcnnError
from symcnn.exact.conventions import Conventions
from symcnn.exact.steps import Tensor
from symcnn.layers.base import Layer

torch = pytest.importorskip("torch")
nn = torch.nn
FlopCounterMode = pytest.importorskip("torch.utils.flop_counter").FlopCounterMode

pytestmark = pytest.mark.torch

torch.set_num_threads(1)

EXAMPLES = 200
agreement = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
verdicts = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Shape = tuple[int, ...]
Arguments = dict[str, Any]


# --------------------------------------------------------------------- running both sides


@dataclass(frozen=True)
class Run:
    """What one side made of a configuration: shape, counts, or the refusal."""

    shape: Shape | None
    params: int = 0
    buffers: int = 0
    macs: int = 0
    error: str = ""

    @property
    def refused(self) -> bool:
        return self.shape is None

    @property
    def empty(self) -> bool:
        """An output with a size 0: see :func:`assert_same`."""
        return self.shape is not None and 0 in self.shape


def run_torch(make: Callable[[], Any], forward: Callable[[Any], Any], *, flat: bool = False) -> Run:
    """Build the module and run ``forward`` on it; any exception is PyTorch refusing.

    ``forward`` returns the output; a tuple (RNN, attention, ``return_indices``)
    counts by its first item.  The output's first dimension is the batch and is
    dropped unless ``flat`` (unbatched inputs: recurrent layers, attention).

    The verdict comes from plain forward passes, PyTorch's default (oneDNN on)
    and ATen's native kernels (oneDNN off): where the two disagree, the
    native checks, which follow PyTorch's documented rules, count (oneDNN
    runs a grouped ConvTranspose with dilation 0 and kernel 1, see
    test_conv_transpose_onednn_quirk).  Under ``FlopCounterMode`` some
    operators run as Python decompositions that skip PyTorch's checks, so
    FLOPs are counted in a last pass, with oneDNN off so that the CPU LSTM
    runs as matrix products the counter sees (its fused kernel reports none).
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module = make().eval()
            with torch.no_grad():
                output = forward(module)
    except Exception as error:  # PyTorch refuses with RuntimeError, ValueError, IndexError, ...
        return Run(None, error=f"{type(error).__name__}: {error}")
    if isinstance(output, tuple):
        output = output[0]
    run = Run(
        tuple(output.shape) if flat else tuple(output.shape[1:]),
        params=sum(parameter.numel() for parameter in module.parameters()),
        buffers=sum(buffer.numel() for buffer in module.buffers()),
    )
    if run.empty:
        return run
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch.no_grad(), torch.backends.mkldnn.flags(enabled=False):
            try:
                forward(module)
            except Exception as error:
                return Run(None, error=f"oneDNN accepts, native ATen refuses: {type(error).__name__}: {error}")
            with FlopCounterMode(display=False) as counter:
                forward(module)
    flops = counter.get_total_flops()
    assert flops % 2 == 0
    return replace(run, macs=flops // 2)


def run_symcnn(make: Callable[[], Layer], shape: Sequence[int]) -> Run:
    try:
        layer = make()
        return Run(
            tuple(layer.output_shape(shape)),
            params=layer.params(shape),
            buffers=layer.buffers(shape),
            macs=layer.macs(shape),
        )
    except SymcnnError as error:
        return Run(None, error=f"{type(error).__name__}: {error}")


def batch_of(shape: Sequence[int], batch: int = 1) -> Callable[[Any], Any]:
    """Forward ``batch`` samples of zeros of ``shape``."""
    return lambda module: module(torch.zeros(batch, *shape))


def assert_same(theirs: Run, ours: Run) -> None:
    """Same verdict; and if both accept, the same shape, parameters, buffers and MACs.

    One deliberate difference: symcnn holds every size to >= 1, so where
    PyTorch returns an empty tensor (a size 0: ZeroPad cropping everything,
    Upsample in 'area' mode, grouped ConvTranspose), symcnn refuses.
    """
    if theirs.empty:
        assert ours.refused, f"PyTorch makes an empty tensor {theirs.shape}, symcnn accepts: {ours.shape}"
        return
    assert theirs.refused == ours.refused, (
        f"PyTorch: {theirs.error or theirs.shape}; symcnn: {ours.error or ours.shape}"
    )
    if not theirs.refused:
        assert (ours.shape, ours.params, ours.buffers, ours.macs) == (
            theirs.shape,
            theirs.params,
            theirs.buffers,
            theirs.macs,
        )


def assert_accepted(theirs: Run, ours: Run) -> None:
    """For strategies that draw valid configurations only."""
    assert not theirs.refused, f"the strategy drew a configuration PyTorch refuses: {theirs.error}"
    assert_same(theirs, ours)


def compare(name: str, arguments: Arguments, shape: Shape) -> tuple[Run, Run]:
    """Build ``name`` in both, positionally from ``arguments`` (given in PyTorch's order)."""
    values = list(arguments.values())
    theirs = run_torch(lambda: getattr(nn, name)(*values), batch_of(shape))
    ours = run_symcnn(lambda: getattr(symcnn, name)(*values), shape)
    return theirs, ours


def assert_inferred(name: str, arguments: Arguments, shape: Shape, ours: Run, given: str) -> None:
    """Without the size PyTorch asks for first (``in_channels``...), symcnn reads it from the input."""
    rest = {key: value for key, value in arguments.items() if key != given}
    assert run_symcnn(lambda: getattr(symcnn, name)(**rest), shape) == ours


# --------------------------------------------------------------------- symbolic sizes

SPATIAL = symcnn.symbols("D H W")


def assert_symbolic(layer: Callable[[], Layer], shape: Shape, theirs: Run) -> None:
    """Derived with symbolic spatial sizes, then evaluated at ``shape``: PyTorch's verdict and shape.

    This is the property that matters: one formula, exact for every integer.
    """
    dims = len(shape) - 1
    names = SPATIAL[3 - dims :]
    values = dict(zip(names, shape[1:], strict=True))
    try:
        derivation = symcnn.Sequential(symcnn.Input(shape[0], *names), layer()).derive()
    except SymcnnError as error:
        assert theirs.refused or theirs.empty, f"symcnn refuses every size ({error}), PyTorch accepts {shape}"
        return
    failing = [c for c in derivation.conditions if c.relation.subs(values) is not sympy.true]
    for condition in derivation.conditions:
        assert condition.relation.subs(values) in (sympy.true, sympy.false), condition
    if theirs.refused or theirs.empty:
        assert failing, (
            f"PyTorch refuses ({theirs.error or theirs.shape}), the symbolic conditions all hold at {values}"
        )
        return
    assert not failing, f"PyTorch accepts, the symbolic conditions fail: {failing}"
    assert tuple(size.subs(values) for size in derivation.output_shape) == theirs.shape
    row = derivation.layers[0]
    assert row.params.value.subs(values) == theirs.params
    assert row.macs.value.subs(values) == theirs.macs


# --------------------------------------------------------------------- strategies


def per_dim(dims: int, values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """One value for every dimension, or a tuple of ``dims`` values, as PyTorch accepts."""
    return st.one_of(values, st.tuples(*[values] * dims))


def spread(value: Any, dims: int) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, tuple) else (value,) * dims


def sizes_from(draw: st.DrawFn, minimums: Sequence[int], extra: int = 4) -> tuple[int, ...]:
    return tuple(minimum + draw(st.integers(0, extra)) for minimum in minimums)


@st.composite
def channels_and_groups(draw: st.DrawFn) -> tuple[int, int, int]:
    """in_channels, out_channels and groups dividing both (1-4 channels)."""
    groups = draw(st.integers(1, 4))
    in_channels = groups * draw(st.integers(1, 4 // groups))
    out_channels = groups * draw(st.integers(1, 4 // groups))
    return in_channels, out_channels, groups


PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


@st.composite
def conv_cases(draw: st.DrawFn, dims: int) -> tuple[Arguments, Shape]:
    """A valid convolution and an input it accepts."""
    in_channels, out_channels, groups = draw(channels_and_groups())
    kernel = draw(per_dim(dims, st.integers(1, 4)))
    stride = draw(per_dim(dims, st.integers(1, 3)))
    dilation = draw(per_dim(dims, st.integers(1, 3)))
    choices = [per_dim(dims, st.integers(0, 3)), st.just("valid")]
    if all(s == 1 for s in spread(stride, dims)):
        choices.append(st.just("same"))
    padding = draw(st.one_of(*choices))
    mode = draw(st.sampled_from(PADDING_MODES))
    minimums = []
    for n, d, p in zip(spread(kernel, dims), spread(dilation, dims), spread(padding, dims), strict=True):
        reach = d * (n - 1)
        if p == "same":
            side, smallest = reach - reach // 2, 1
        else:
            side = 0 if p == "valid" else p
            smallest = reach + 1 - 2 * side
        # padding other than zeros copies the input: reflect needs it smaller, circular at most as large
        needed = {"zeros": 1, "replicate": 1, "reflect": side + 1, "circular": side}[mode]
        minimums.append(max(1, smallest, needed))
    shape = (in_channels, *sizes_from(draw, minimums))
    arguments = {
        "in_channels": in_channels,
        "out_channels": out_channels,
        "kernel_size": kernel,
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "groups": groups,
        "bias": draw(st.booleans()),
        "padding_mode": mode,
    }
    return arguments, shape


@st.composite
def conv_transpose_cases(draw: st.DrawFn, dims: int) -> tuple[Arguments, Shape]:
    in_channels, out_channels, groups = draw(channels_and_groups())
    kernel = draw(per_dim(dims, st.integers(1, 4)))
    stride = draw(per_dim(dims, st.integers(1, 3)))
    dilation = draw(per_dim(dims, st.integers(1, 3)))
    padding = draw(per_dim(dims, st.integers(0, 3)))
    # output_padding must be smaller than stride or dilation, in every dimension
    extra = tuple(
        draw(st.integers(0, max(s, d) - 1)) for s, d in zip(spread(stride, dims), spread(dilation, dims), strict=True)
    )
    minimums = [
        1 + max(0, -(-(2 * p - d * (n - 1) - a) // s))
        for n, s, p, d, a in zip(
            spread(kernel, dims),
            spread(stride, dims),
            spread(padding, dims),
            spread(dilation, dims),
            extra,
            strict=True,
        )
    ]
    shape = (in_channels, *sizes_from(draw, minimums))
    arguments = {
        "in_channels": in_channels,
        "out_channels": out_channels,
        "kernel_size": kernel,
        "stride": stride,
        "padding": padding,
        "output_padding": extra,
        "groups": groups,
        "bias": draw(st.booleans()),
        "dilation": dilation,
        "padding_mode": "zeros",
    }
    return arguments, shape


@st.composite
def pool_cases(draw: st.DrawFn, kind: str, dims: int) -> tuple[Arguments, Shape]:
    """A valid MaxPool/AvgPool (padding at most half the kernel) and an input it accepts."""
    kernel = spread(draw(per_dim(dims, st.integers(1, 4))), dims)
    stride = draw(st.one_of(st.none(), per_dim(dims, st.integers(1, 4))))
    padding = tuple(draw(st.integers(0, n // 2)) for n in kernel)
    if kind == "max":
        dilation = spread(draw(per_dim(dims, st.integers(1, 3))), dims)
        arguments = {
            "kernel_size": kernel,
            "stride": stride,
            "padding": padding,
            "dilation": dilation,
            "return_indices": draw(st.booleans()),
            "ceil_mode": draw(st.booleans()),
        }
    else:
        dilation = (1,) * dims
        arguments = {
            "kernel_size": kernel,
            "stride": stride,
            "padding": padding,
            "ceil_mode": draw(st.booleans()),
            "count_include_pad": draw(st.booleans()),
        }
        if dims > 1:  # PyTorch's AvgPool1d has no divisor_override
            arguments["divisor_override"] = draw(st.none() | st.integers(1, 3))
    minimums = [max(1, d * (n - 1) + 1 - 2 * p) for n, p, d in zip(kernel, padding, dilation, strict=True)]
    if kind == "avg" and dims == 3:  # AvgPool3d alone wants the unpadded input to cover the kernel
        minimums = [max(m, n) for m, n in zip(minimums, kernel, strict=True)]
    shape = (draw(st.integers(1, 4)), *sizes_from(draw, minimums, extra=6))
    return arguments, shape


# --------------------------------------------------------------------- convolutions


@pytest.mark.parametrize("dims", [1, 2, 3])
@agreement
@given(data=st.data())
def test_conv(dims: int, data: st.DataObject) -> None:
    arguments, shape = data.draw(conv_cases(dims))
    name = f"Conv{dims}d"
    theirs, ours = compare(name, arguments, shape)
    assert_accepted(theirs, ours)
    assert_inferred(name, arguments, shape, ours, "in_channels")
    assert_symbolic(lambda: getattr(symcnn, name)(**arguments), shape, theirs)


@pytest.mark.parametrize("dims", [1, 2, 3])
@agreement
@given(data=st.data())
def test_conv_transpose(dims: int, data: st.DataObject) -> None:
    arguments, shape = data.draw(conv_transpose_cases(dims))
    name = f"ConvTranspose{dims}d"
    theirs, ours = compare(name, arguments, shape)
    assert_accepted(theirs, ours)
    assert_inferred(name, arguments, shape, ours, "in_channels")
    assert_symbolic(lambda: getattr(symcnn, name)(**arguments), shape, theirs)


# --------------------------------------------------------------------- pooling


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("kind", ["max", "avg"])
@agreement
@given(data=st.data())
def test_pool(kind: str, dims: int, data: st.DataObject) -> None:
    arguments, shape = data.draw(pool_cases(kind, dims))
    name = f"{kind.capitalize()}Pool{dims}d"
    theirs, ours = compare(name, arguments, shape)
    assert_accepted(theirs, ours)
    assert_symbolic(lambda: getattr(symcnn, name)(**arguments), shape, theirs)


def naive_ceil(i: int, n: int, s: int, p: int, d: int = 1) -> int:
    """ceil((i + 2p - d(n-1) - 1)/s) + 1: the ceil_mode size before PyTorch's start check."""
    return -(-(i + 2 * p - d * (n - 1) - 1) // s) + 1


# (layer, arguments besides ceil_mode=True, input shape, whether PyTorch drops the last window)
CEIL_CASES = [
    # the last window would start in the right padding: PyTorch drops it
    ("MaxPool1d", dict(kernel_size=2, stride=2, padding=1), (1, 3), True),
    ("MaxPool2d", dict(kernel_size=2, stride=2, padding=1), (2, 5, 5), True),
    ("MaxPool2d", dict(kernel_size=1, stride=2), (1, 4, 4), True),
    ("MaxPool1d", dict(kernel_size=4, stride=4, padding=2), (1, 1), True),
    ("MaxPool3d", dict(kernel_size=2, stride=4, padding=1, dilation=2), (1, 3, 3, 3), True),
    ("AvgPool1d", dict(kernel_size=2, stride=3), (1, 3), True),
    ("AvgPool2d", dict(kernel_size=2, stride=2, padding=1), (3, 3, 3), True),
    ("AvgPool3d", dict(kernel_size=2, stride=2, padding=1), (1, 3, 3, 3), True),
    # the extra window starts inside the input: PyTorch keeps it
    ("MaxPool2d", dict(kernel_size=2, stride=2), (1, 5, 5), False),
    ("MaxPool1d", dict(kernel_size=3, stride=2, padding=1), (2, 6), False),
    ("MaxPool3d", dict(kernel_size=2, stride=3, padding=1, dilation=2), (1, 3, 3, 3), False),
    ("AvgPool2d", dict(kernel_size=3, stride=3), (1, 4, 7), False),
    ("AvgPool1d", dict(kernel_size=3, stride=2, padding=1, count_include_pad=False), (1, 6), False),
]


@pytest.mark.parametrize(("name", "arguments", "shape", "dropped"), CEIL_CASES)
def test_ceil_mode_last_window(name: str, arguments: Arguments, shape: Shape, dropped: bool) -> None:
    arguments = {**arguments, "ceil_mode": True}
    theirs = run_torch(lambda: getattr(nn, name)(**arguments), batch_of(shape))
    ours = run_symcnn(lambda: getattr(symcnn, name)(**arguments), shape)
    assert_accepted(theirs, ours)
    assert theirs.shape is not None
    dims = len(shape) - 1
    kernel, padding = spread(arguments["kernel_size"], dims), spread(arguments.get("padding", 0), dims)
    stride, dilation = spread(arguments.get("stride", kernel), dims), spread(arguments.get("dilation", 1), dims)
    naive = tuple(naive_ceil(*values) for values in zip(shape[1:], kernel, stride, padding, dilation, strict=True))
    # the case exercises what it claims to: PyTorch is one below the naive ceil exactly when it drops
    assert theirs.shape[1:] == tuple(size - dropped for size in naive)
    assert_symbolic(lambda: getattr(symcnn, name)(**arguments), shape, theirs)


@pytest.mark.parametrize("divisor_override", [None, 2])
def test_avgpool1d_has_no_divisor_override(divisor_override: int | None) -> None:
    """PyTorch's AvgPool1d takes no divisor_override, not even None; symcnn refuses a value."""
    theirs = run_torch(lambda: nn.AvgPool1d(2, divisor_override=divisor_override), batch_of((1, 4)))
    ours = run_symcnn(lambda: symcnn.AvgPool1d(2, divisor_override=divisor_override), (1, 4))
    assert theirs.refused
    assert ours.refused == (divisor_override is not None)


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("kind", ["Avg", "Max"])
@agreement
@given(data=st.data())
def test_adaptive_pool(kind: str, dims: int, data: st.DataObject) -> None:
    size = st.integers(1, 6)
    output_size = data.draw(size if dims == 1 else st.one_of(size, st.tuples(*[st.none() | size] * dims)))
    arguments: Arguments = {"output_size": output_size}
    if kind == "Max":
        arguments["return_indices"] = data.draw(st.booleans())
    shape = (data.draw(st.integers(1, 4)), *data.draw(st.tuples(*[st.integers(1, 12)] * dims)))
    theirs, ours = compare(f"Adaptive{kind}Pool{dims}d", arguments, shape)
    assert_accepted(theirs, ours)


# --------------------------------------------------------------------- valid and invalid windows


@st.composite
def any_window(draw: st.DrawFn, family: str, dims: int) -> tuple[Arguments, Shape]:
    """A convolution or pooling configuration and input, valid or not (tiny inputs, big kernels, ...)."""
    small = st.integers(-1, 4)  # -1 and 0 are refused where PyTorch refuses them
    kernel = draw(per_dim(dims, st.integers(0, 5)))
    stride = draw(per_dim(dims, st.integers(0, 3)))
    padding = draw(st.one_of(per_dim(dims, small), st.sampled_from(["same", "valid"])))
    # negative padding only with padding_mode 'zeros': see test_conv_negative_padding_quirk
    copying_modes_allowed = padding in ("same", "valid") or min(spread(padding, dims)) >= 0
    dilation = draw(per_dim(dims, st.integers(0, 3)))
    channels = draw(st.integers(1, 4))
    shape = (channels, *draw(st.tuples(*[st.integers(1, 7 if dims < 3 else 5)] * dims)))
    if family in ("Conv", "ConvTranspose"):
        in_channels = draw(st.just(channels) | st.integers(1, 4))
        groups = draw(st.integers(1, 3))
        out_channels = draw(st.integers(1, 4))
        bias = draw(st.booleans())
        if family == "Conv":
            mode = draw(st.sampled_from(PADDING_MODES if copying_modes_allowed else ("zeros",)))
            return {
                "in_channels": in_channels,
                "out_channels": out_channels,
                "kernel_size": kernel,
                "stride": stride,
                "padding": padding,
                "dilation": dilation,
                "groups": groups,
                "bias": bias,
                "padding_mode": mode,
            }, shape
        return {
            "in_channels": in_channels,
            "out_channels": out_channels,
            "kernel_size": kernel,
            "stride": stride,
            "padding": padding,
            "output_padding": draw(per_dim(dims, small)),
            "groups": groups,
            "bias": bias,
            "dilation": dilation,
            "padding_mode": "zeros",
        }, shape
    stride = draw(st.none() | st.just(stride))
    if family == "MaxPool":
        return {
            "kernel_size": kernel,
            "stride": stride,
            "padding": padding,
            "dilation": dilation,
            "return_indices": False,
            "ceil_mode": draw(st.booleans()),
        }, shape
    arguments = {
        "kernel_size": kernel,
        "stride": stride,
        "padding": padding,
        "ceil_mode": draw(st.booleans()),
        "count_include_pad": draw(st.booleans()),
    }
    if dims > 1:  # PyTorch's AvgPool1d has no divisor_override
        arguments["divisor_override"] = draw(st.none() | st.integers(0, 2))
    return arguments, shape


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("family", ["Conv", "ConvTranspose", "MaxPool", "AvgPool"])
@verdicts
@given(data=st.data())
def test_window_verdict(family: str, dims: int, data: st.DataObject) -> None:
    """symcnn refuses exactly what PyTorch refuses; where both accept they agree, symbolically too."""
    arguments, shape = data.draw(any_window(family, dims))
    name = f"{family}{dims}d"
    theirs, ours = compare(name, arguments, shape)
    assert_same(theirs, ours)
    try:
        getattr(symcnn, name)(**arguments)
    except SymcnnError:
        return
    assert_symbolic(lambda: getattr(symcnn, name)(**arguments), shape, theirs)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_conv_negative_padding_quirk(mode: str) -> None:
    """A PyTorch quirk symcnn deliberately does not model.

    Convolutions refuse negative padding ("negative padding is not supported"),
    but with a padding_mode other than zeros PyTorch pads with ``F.pad`` first,
    which crops for negative values, and never reaches that check.  symcnn
    refuses negative padding for every padding_mode.
    """
    arguments = {"in_channels": 1, "out_channels": 1, "kernel_size": 1, "padding": -1, "padding_mode": mode}
    assert run_torch(lambda: nn.Conv2d(**arguments), batch_of((1, 3, 3))).shape == (1, 1, 1)
    assert run_torch(lambda: nn.Conv2d(**(arguments | {"padding_mode": "zeros"})), batch_of((1, 3, 3))).refused
    with pytest.raises(SymcnnError, match="padding must be an integer ≥ 0"):
        symcnn.Conv2d(**arguments)


@pytest.mark.filterwarnings("ignore::UserWarning")  # mkldnn.flags warns about TF32 on Intel GPUs
def test_conv_transpose_onednn_quirk() -> None:
    """A PyTorch quirk symcnn deliberately does not model.

    PyTorch refuses dilation 0, but its oneDNN kernel for grouped transposed
    convolutions skips the check when the kernel size is 1 (dilation then
    multiplies 0); ATen's native kernel refuses.  symcnn refuses dilation 0.
    """
    make, forward = (lambda: nn.ConvTranspose1d(2, 2, 1, groups=2, dilation=0)), batch_of((2, 3))
    with torch.backends.mkldnn.flags(enabled=True), torch.no_grad():
        assert forward(make()).shape == (1, 2, 3)
    assert run_torch(make, forward).refused
    with pytest.raises(SymcnnError, match="dilation must be a positive integer"):
        symcnn.ConvTranspose1d(2, 2, 1, groups=2, dilation=0)


# --------------------------------------------------------------------- dense and reshaping


@agreement
@given(
    in_features=st.integers(1, 4),
    out_features=st.integers(1, 4),
    bias=st.booleans(),
    lead=st.lists(st.integers(1, 4), max_size=2),
    last=st.none() | st.integers(1, 4),
)
def test_linear(in_features: int, out_features: int, bias: bool, lead: list[int], last: int | None) -> None:
    """``last``: the input's feature count when it is not ``in_features`` (both refuse)."""
    shape = (*lead, in_features if last is None else last)
    arguments = {"in_features": in_features, "out_features": out_features, "bias": bias}
    theirs, ours = compare("Linear", arguments, shape)
    assert_same(theirs, ours)
    if last is None:
        assert_accepted(theirs, ours)
        assert_inferred("Linear", arguments, shape, ours, "in_features")


@agreement
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple), data=st.data())
def test_flatten(shape: Shape, data: st.DataObject) -> None:
    rank = len(shape) + 1  # PyTorch counts the batch as dimension 0
    # start_dim at the batch (0 or -rank) is left out: symcnn never merges the batch it leaves out
    start = data.draw(st.integers(-rank + 1, rank - 1).filter(lambda dim: dim != 0))
    end = data.draw(st.integers(-rank, rank - 1))
    theirs, ours = compare("Flatten", {"start_dim": start, "end_dim": end}, shape)
    assert_same(theirs, ours)


@agreement
@given(
    num_embeddings=st.integers(1, 10),
    embedding_dim=st.integers(1, 4),
    shape=st.lists(st.integers(1, 4), min_size=1, max_size=2).map(tuple),
    data=st.data(),
)
def test_embedding(num_embeddings: int, embedding_dim: int, shape: Shape, data: st.DataObject) -> None:
    """``padding_idx`` in [-num_embeddings, num_embeddings) or just outside (both refuse)."""
    padding_idx = data.draw(st.none() | st.integers(-num_embeddings - 1, num_embeddings))
    arguments = {"num_embeddings": num_embeddings, "embedding_dim": embedding_dim, "padding_idx": padding_idx}
    theirs = run_torch(
        lambda: nn.Embedding(*arguments.values()),
        lambda module: module(torch.zeros(1, *shape, dtype=torch.long)),
    )
    ours = run_symcnn(lambda: symcnn.Embedding(*arguments.values()), shape)
    assert_same(theirs, ours)
    if padding_idx is None or -num_embeddings <= padding_idx < num_embeddings:
        assert_accepted(theirs, ours)


# --------------------------------------------------------------------- normalisation


@pytest.mark.parametrize("dims", [1, 2, 3])
@agreement
@given(
    channels=st.integers(1, 4),
    affine=st.booleans(),
    track=st.booleans(),
    bias=st.booleans(),
    sizes=st.lists(st.integers(1, 4), max_size=4),
)
def test_batchnorm(dims: int, channels: int, affine: bool, track: bool, bias: bool, sizes: list[int]) -> None:
    """Inputs of every rank; only (C,)/(C, L), (C, H, W), (C, D, H, W) are accepted.

    A batch of 2: PyTorch refuses one value per channel when it normalises
    with batch statistics (no running stats), a check on the batch, which
    symcnn leaves out.
    """
    shape = (channels, *sizes)
    name = f"BatchNorm{dims}d"
    values = [channels, 1e-5, 0.1, affine, track]
    theirs = run_torch(lambda: getattr(nn, name)(*values, bias=bias), batch_of(shape, 2))
    ours = run_symcnn(lambda: getattr(symcnn, name)(*values, bias=bias), shape)
    assert_same(theirs, ours)
    if len(shape) - 1 in {1: (0, 1), 2: (2,), 3: (3,)}[dims]:
        assert_accepted(theirs, ours)
        assert (
            run_symcnn(lambda: getattr(symcnn, name)(affine=affine, track_running_stats=track, bias=bias), shape)
            == ours
        )


@agreement
@given(
    shape=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple),
    data=st.data(),
    affine=st.booleans(),
    bias=st.booleans(),
)
def test_layernorm(shape: Shape, data: st.DataObject, affine: bool, bias: bool) -> None:
    """``normalized_shape`` the trailing sizes, or any sizes (both refuse a mismatch).

    It never reaches into the batch, which symcnn's shapes leave out.
    """
    count = data.draw(st.integers(1, len(shape)))
    trailing = list(shape[-count:])
    normalized = data.draw(st.one_of(st.just(trailing), st.lists(st.integers(1, 4), min_size=1, max_size=len(shape))))
    normalized = normalized[0] if len(normalized) == 1 and data.draw(st.booleans()) else tuple(normalized)
    theirs, ours = compare(
        "LayerNorm", {"normalized_shape": normalized, "eps": 1e-5, "elementwise_affine": affine, "bias": bias}, shape
    )
    assert_same(theirs, ours)


@agreement
@given(
    channels=st.integers(1, 4),
    groups=st.integers(1, 4),
    sizes=st.lists(st.integers(1, 4), max_size=2),
    affine=st.booleans(),
    bias=st.booleans(),
)
def test_groupnorm(channels: int, groups: int, sizes: list[int], affine: bool, bias: bool) -> None:
    """Groups need not divide the channels (both refuse).  A batch of 2, as for BatchNorm."""
    shape = (channels, *sizes)
    values = [groups, channels, 1e-5, affine]
    theirs = run_torch(lambda: nn.GroupNorm(*values, bias=bias), batch_of(shape, 2))
    ours = run_symcnn(lambda: symcnn.GroupNorm(*values, bias=bias), shape)
    assert_same(theirs, ours)
    if channels % groups == 0:
        assert_accepted(theirs, ours)
        assert run_symcnn(lambda: symcnn.GroupNorm(groups, affine=affine, bias=bias), shape) == ours


# --------------------------------------------------------------------- activations and dropout

SAME_SHAPE: dict[str, st.SearchStrategy[Arguments]] = {
    "ReLU": st.fixed_dictionaries({"inplace": st.booleans()}),
    "ReLU6": st.fixed_dictionaries({"inplace": st.booleans()}),
    "LeakyReLU": st.fixed_dictionaries({"negative_slope": st.sampled_from([0.01, 0.2])}),
    "ELU": st.fixed_dictionaries({"alpha": st.sampled_from([1.0, 0.5])}),
    "GELU": st.fixed_dictionaries({"approximate": st.sampled_from(["none", "tanh"])}),
    "SiLU": st.just({}),
    "Sigmoid": st.just({}),
    "Tanh": st.just({}),
    "Softplus": st.fixed_dictionaries({"beta": st.sampled_from([1.0, 2.0])}),
    "Softmax": st.fixed_dictionaries({"dim": st.none() | st.integers(-6, 5)}),
    "LogSoftmax": st.fixed_dictionaries({"dim": st.none() | st.integers(-6, 5)}),
    "Hardswish": st.just({}),
    "Hardsigmoid": st.just({}),
    "Mish": st.just({}),
    "Identity": st.just({}),
    "Dropout": st.fixed_dictionaries({"p": st.sampled_from([0.0, 0.5])}),
    "Dropout1d": st.fixed_dictionaries({"p": st.sampled_from([0.0, 0.5])}),
    "Dropout2d": st.fixed_dictionaries({"p": st.sampled_from([0.0, 0.5])}),
    "Dropout3d": st.fixed_dictionaries({"p": st.sampled_from([0.0, 0.5])}),
    "AlphaDropout": st.fixed_dictionaries({"p": st.sampled_from([0.0, 0.5])}),
}


@agreement
@given(
    name_and_arguments=st.sampled_from(sorted(SAME_SHAPE)).flatmap(
        lambda name: SAME_SHAPE[name].map(lambda arguments: (name, arguments))
    ),
    shape=st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple),
)
def test_same_shape(name_and_arguments: tuple[str, Arguments], shape: Shape) -> None:
    name, arguments = name_and_arguments
    theirs = run_torch(lambda: getattr(nn, name)(**arguments), batch_of(shape))
    ours = run_symcnn(lambda: getattr(symcnn, name)(**arguments), shape)
    assert_same(theirs, ours)


@agreement
@given(
    channels=st.integers(1, 4),
    num_parameters=st.integers(1, 4),
    sizes=st.lists(st.integers(1, 4), max_size=2),
)
def test_prelu(channels: int, num_parameters: int, sizes: list[int]) -> None:
    """One slope or one per channel; any other count is refused by both."""
    shape = (channels, *sizes)
    theirs, ours = compare("PReLU", {"num_parameters": num_parameters, "init": 0.25}, shape)
    assert_same(theirs, ours)
    if num_parameters in (1, channels):
        assert_accepted(theirs, ours)


# --------------------------------------------------------------------- resizing


@pytest.mark.parametrize("dims", [1, 2, 3])
@agreement
@given(data=st.data())
def test_zeropad(dims: int, data: st.DataObject) -> None:
    """Negative padding crops; PyTorch crops before it pads."""
    padding = data.draw(st.integers(-2, 3) | st.tuples(*[st.integers(-3, 3)] * (2 * dims)))
    shape = tuple(data.draw(st.lists(st.integers(1, 6), min_size=dims, max_size=dims + 2)))
    name = f"ZeroPad{dims}d"
    theirs, ours = compare(name, {"padding": padding}, shape)
    assert_same(theirs, ours)
    if len(shape) == dims + 1:
        assert_symbolic(lambda: getattr(symcnn, name)(padding), shape, theirs)


SCALES = [1, 2, 3, 0.5, 1.5, 2.5, 0.25, 0.75]  # exact in binary, so PyTorch's float floor is exact
UPSAMPLE_MODES = ["nearest", "nearest-exact", "area", "linear", "bilinear", "bicubic", "trilinear"]


@agreement
@given(data=st.data(), dims=st.integers(1, 3), mode=st.sampled_from(UPSAMPLE_MODES))
def test_upsample(data: st.DataObject, dims: int, mode: str) -> None:
    """Every mode on every rank (most pairs are refused by both), by size or by scale_factor."""
    shape = (data.draw(st.integers(1, 3)), *data.draw(st.tuples(*[st.integers(1, 6)] * dims)))
    count = data.draw(st.sampled_from([dims, dims, dims, 1, 2]))
    by = data.draw(st.sampled_from(["size", "scale_factor", "size", "scale_factor", "neither", "both"]))
    size = data.draw(st.integers(1, 8) | st.tuples(*[st.integers(1, 8)] * count)) if by in ("size", "both") else None
    scale = data.draw(st.sampled_from(SCALES) | st.tuples(*[st.sampled_from(SCALES)] * count))
    scale = scale if by in ("scale_factor", "both") else None
    arguments = {
        "size": size,
        "scale_factor": scale,
        "mode": mode,
        "align_corners": data.draw(st.sampled_from([None, False, True])),
        "recompute_scale_factor": data.draw(st.sampled_from([None, False, True])) if scale is not None else None,
    }
    theirs, ours = compare("Upsample", arguments, shape)
    assert_same(theirs, ours)
    if not ours.refused:
        assert_symbolic(lambda: symcnn.Upsample(**arguments), shape, theirs)


# --------------------------------------------------------------------- recurrent and attention


@st.composite
def recurrent_cases(draw: st.DrawFn, name: str) -> tuple[Arguments, Shape]:
    """A recurrent layer; the declared ``input_size`` may differ from the input's (both refuse)."""
    features = draw(st.integers(1, 4))
    hidden = draw(st.integers(1, 4))
    arguments: Arguments = {
        "input_size": draw(st.just(features) | st.integers(1, 4)),
        "hidden_size": hidden,
        "num_layers": draw(st.integers(1, 3)),
    }
    if name == "RNN":
        arguments["nonlinearity"] = draw(st.sampled_from(["tanh", "relu"]))
    arguments |= {
        "bias": draw(st.booleans()),
        "batch_first": False,
        "dropout": 0.0,
        "bidirectional": draw(st.booleans()),
    }
    if name == "LSTM":
        arguments["proj_size"] = draw(st.integers(0, hidden) | st.just(0))  # proj_size = hidden: both refuse
    return arguments, (draw(st.integers(1, 5)), features)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
@agreement
@given(data=st.data())
def test_recurrent(name: str, data: st.DataObject) -> None:
    """Unbatched sequences (L, input_size); PyTorch's output[0] is (L, D*h_out)."""
    arguments, shape = data.draw(recurrent_cases(name))
    values = list(arguments.values())
    theirs = run_torch(lambda: getattr(nn, name)(*values), lambda module: module(torch.zeros(*shape)), flat=True)
    ours = run_symcnn(lambda: getattr(symcnn, name)(*values), shape)
    assert_same(theirs, ours)
    if not ours.refused:
        assert_inferred(name, arguments, shape, ours, "input_size")


@agreement
@given(
    heads=st.integers(1, 3),
    head_dim=st.integers(1, 3),
    embed=st.none() | st.integers(1, 6),
    flags=st.tuples(st.booleans(), st.booleans(), st.booleans()),
    kdim=st.none() | st.integers(1, 4),
    vdim=st.none() | st.integers(1, 4),
    lengths=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    cross=st.booleans(),
)
def test_multihead_attention(
    heads: int,
    head_dim: int,
    embed: int | None,
    flags: tuple[bool, bool, bool],
    kdim: int | None,
    vdim: int | None,
    lengths: tuple[int, int],
    cross: bool,
) -> None:
    """Self-attention on (L, E), or query (L, E), key (S, kdim), value (S, vdim).

    ``embed``: an embed_dim that num_heads need not divide (both refuse).
    """
    embed_dim = heads * head_dim if embed is None else embed
    bias, add_bias_kv, add_zero_attn = flags
    arguments = [embed_dim, heads, 0.0, bias, add_bias_kv, add_zero_attn, kdim, vdim]
    queries, keys = lengths
    if kdim is None and vdim is None and not cross:
        query = (queries, embed_dim)
        theirs = run_torch(
            lambda: nn.MultiheadAttention(*arguments),
            lambda module: module(*[torch.zeros(*query)] * 3),
            flat=True,
        )
        ours = run_symcnn(lambda: symcnn.MultiheadAttention(*arguments), query)
        assert_same(theirs, ours)
        return
    shapes = [(queries, embed_dim), (keys, kdim or embed_dim), (keys, vdim or embed_dim)]
    theirs = run_torch(
        lambda: nn.MultiheadAttention(*arguments),
        lambda module: module(*[torch.zeros(*shape) for shape in shapes]),
        flat=True,
    )
    try:
        layer = symcnn.MultiheadAttention(*arguments)
        outcome = layer.apply([Tensor.of(shape) for shape in shapes], Conventions())
        ours = Run(tuple(outcome.output.shape), outcome.params.value, outcome.buffers.value, outcome.macs.value)
    except SymcnnError as error:
        ours = Run(None, error=str(error))
    assert_same(theirs, ours)


@pytest.mark.parametrize("scale", [0.29, 0.1, 0.3, 1.1, 2.7, 0.7])
def test_upsample_float_scale_uses_the_double_pytorch_uses(scale):
    """0.29 is not 29/100 in binary: PyTorch gives 28 for a length of 100, and so must symcnn."""
    for length in (10, 30, 100, 257):
        want = torch.nn.Upsample(scale_factor=scale)(torch.zeros(1, 1, length)).shape[-1]
        assert symcnn.Upsample(scale_factor=scale).output_shape((1, length)) == (1, want)
