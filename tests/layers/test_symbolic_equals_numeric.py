"""One property for every layer kind: a formula substituted equals the numbers written in.

For each registered layer kind (read from ``symcnn.layers.LAYERS``, so a new
kind is covered, or makes this file fail, without anyone listing it), and for
small chains and DAGs built from them (add, concat, repeat), hypothesis draws
hyperparameters and input sizes as *values*, and writes each value in one of
several *forms*: the number itself, a symbol, or a formula in a symbol
(``2*k``, ``k//2``, ``max(k, 3)``, ``k + 1``, ``k - 1``).  Then:

* the network with the forms is derived symbolically and ``subs`` gives every
  symbol its value;
* the same network with the numbers written in is derived numerically;

and both must agree on acceptance (both accept or both refuse), the output
shapes and, row by row, the parameters (trainable and non-trainable), buffers
and MACs.  Where torch is installed, the single-layer cases are also run by
the real ``torch.nn`` module, whose verdict, output shape, ``numel`` of
parameters and buffers, and MACs (half of ``FlopCounterMode``'s FLOPs) must
agree too.  Operations PyTorch has as functions or indexing (``torch.roll``,
``x[:, 0]``) are wrapped in a module; a case PyTorch has nothing for (LeNet's
subsampling, a size condition) says why in its ``torchless`` and is compared
symbolic against numeric only.

The one refusal that is not a disagreement: a symbolic form for which no
exact formula exists (an LSTM ``proj_size`` that may be 0) is refused with
``UnsupportedError``, and then only the numbers are compared.

When this file fails, fix the engine, not the test.
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, NamedTuple

import pytest
import sympy
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import symcnn
from symcnn import Conventions, Derivation, Graph, Input, Repeat, SymcnnError, UnsupportedError
from symcnn.exact.formula import parse_formula
from symcnn.layers import LAYERS
from symcnn.layers.base import Layer

try:
    import torch
    from torch.utils.flop_counter import FlopCounterMode
except ImportError:  # the symbolic-versus-numeric half runs without torch
    torch = None

# Kept small for CI (the whole file in about a minute); SYMCNN_EXAMPLES=200 searches harder.
EXAMPLES_PER_KIND = int(os.environ.get("SYMCNN_EXAMPLES", 10))
EXAMPLES_PER_NETWORK = 3 * EXAMPLES_PER_KIND
per_kind = settings(
    max_examples=EXAMPLES_PER_KIND,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
per_network = settings(per_kind, max_examples=EXAMPLES_PER_NETWORK)


# --------------------------------------------------------------------- values and their forms


class V(NamedTuple):
    """One hyperparameter or size: how it is written (``text``) and what it is (``value``)."""

    text: object
    value: int


POSITIVE_NAMES = ("a", "b", "c", "k", "m", "u", "v", "w")
PADDING_NAMES = ("p", "p1", "p2")  # padding-like names may be 0 (symcnn.symbols)


class Forms:
    """Draws values and writes each as a number, a symbol or a formula; remembers the symbols' values."""

    def __init__(self, data: st.DataObject, symbolic: bool = True) -> None:
        self.data = data
        self.symbolic = symbolic
        self.values: dict[str, int] = {}

    def draw(self, strategy: st.SearchStrategy[Any]) -> Any:
        return self.data.draw(strategy)

    def pick(self, *options: Any) -> Any:
        return self.draw(st.sampled_from(options))

    def flag(self) -> bool:
        return bool(self.draw(st.booleans()))

    def maybe(self, make: Callable[[], Any]) -> Any:
        """``None`` (the argument left at its default) or a drawn value."""
        return make() if self.flag() else None

    def size(self, low: int, high: int, *, formula: bool = True) -> V:
        """A value in ``[low, high]`` written in a drawn form (a number only unless ``formula``)."""
        value = self.draw(st.integers(low, high))
        return self.write(value) if formula else V(value, value)

    def write(self, value: int) -> V:
        kinds = ["number"]
        if self.symbolic:
            kinds += ["symbol", "symbol", "half"]
            if value >= 2 and value % 2 == 0:
                kinds.append("double")
            if value >= 3:
                kinds.append("max")
            if value >= 2:
                kinds.append("plus")
            kinds.append("minus")
        kind = self.draw(st.sampled_from(kinds))
        if kind == "number":
            return V(value, value)
        if kind == "symbol":
            name = self.name_for(value)
            return V(name, value) if name else V(value, value)
        if kind == "double":
            inner, text = value // 2, "2*{}"
        elif kind == "half":
            inner, text = max(2 * value + self.draw(st.integers(0, 1)), 1), "{}//2"
        elif kind == "max":
            inner, text = (value if value > 3 else self.draw(st.integers(1, 3))), "max({}, 3)"
        elif kind == "plus":
            inner, text = value - 1, "{} + 1"
        else:
            inner, text = value + 1, "{} - 1"
        name = self.name_for(inner, positive=True)
        return V(text.format(name), value) if name else V(value, value)

    def name_for(self, value: int, *, positive: bool = False) -> str | None:
        """A symbol with this value: one already drawn (a shared symbol), or a fresh one."""
        names = POSITIVE_NAMES if positive or value >= 1 else PADDING_NAMES
        if value >= 1 and not positive and self.flag():
            names = PADDING_NAMES  # padding-like symbols may stand for positive values too
        same = [name for name in names if self.values.get(name) == value]
        fresh = [name for name in names if name not in self.values]
        choices = same + fresh[:1]
        if not choices:
            return None
        name = str(self.draw(st.sampled_from(choices)))
        self.values[name] = value
        return name


class Both(NamedTuple):
    """An argument that is no size (a condition's text): written with the symbols, and with the numbers in."""

    text: object
    number: object


def written(item: Any) -> Any:
    """The forms, as symcnn is given them."""
    if isinstance(item, V):
        return item.text
    if isinstance(item, Both):
        return item.text
    if isinstance(item, tuple | list):
        return type(item)(written(part) for part in item)
    if isinstance(item, dict):
        return {key: written(value) for key, value in item.items()}
    return item


def numbers(item: Any) -> Any:
    """The same arguments with the numbers written in."""
    if isinstance(item, V):
        return item.value
    if isinstance(item, Both):
        return item.number
    if isinstance(item, tuple | list):
        return type(item)(numbers(part) for part in item)
    if isinstance(item, dict):
        return {key: numbers(value) for key, value in item.items()}
    return item


# --------------------------------------------------------------------- one case per kind


@dataclass
class Case:
    """A layer's arguments and its inputs' shapes, as forms; what PyTorch needs besides."""

    arguments: dict[str, Any]
    inputs: list[tuple[V, ...]]
    torch_extra: dict[str, Any] = field(default_factory=dict)  # arguments symcnn reads from the input
    positional: tuple[str, ...] = ()  # arguments PyTorch takes positionally only (Unflatten's dim)
    touches_batch: bool = False  # PyTorch would reduce or merge the batch: symcnn refuses, by design
    overlap_quirk: bool = False  # PyTorch may refuse by its memory-overlap check: see zero_pad
    torchless: str = ""  # why no PyTorch module is compared (then only symbolic against numeric)
    uncounted_macs: int = 0  # products PyTorch computes elementwise, which its flop counter skips


def spatial(f: Forms, dims: int, low: int = 1, high: int = 8) -> tuple[V, ...]:
    return tuple(f.size(low, high) for _ in range(dims))


def per_dim(f: Forms, dims: int, low: int, high: int) -> Any:
    """One value for every dimension, or one per dimension, as PyTorch accepts."""
    if f.flag():
        return f.size(low, high)
    return tuple(f.size(low, high) for _ in range(dims))


def declared(f: Forms, case: Case, attribute: str, actual: V) -> None:
    """Give the size symcnn can read from the input (as PyTorch must), leave it out, or give a wrong one."""
    choice = f.pick("given", "left out", "left out", "other")
    if choice == "given":
        case.arguments[attribute] = actual
    elif choice == "other":
        case.arguments[attribute] = f.size(1, 6)
    else:
        case.torch_extra[attribute] = actual


def conv(f: Forms, dims: int) -> Case:
    groups = f.size(1, 3)
    channels = f.write(groups.value * f.draw(st.integers(1, 2)) + f.pick(0, 0, 0, 1))
    case = Case({}, [(channels, *spatial(f, dims))])
    declared(f, case, "in_channels", channels)
    case.arguments |= {
        "out_channels": f.write(groups.value * f.draw(st.integers(1, 2)) + f.pick(0, 0, 0, 1)),
        "kernel_size": per_dim(f, dims, 1, 4),
        "stride": per_dim(f, dims, 1, 3),
    }
    strided = numbers(case.arguments["stride"]) not in (1, (1,) * dims)
    padding = f.pick("numbers", "numbers", "valid", "same")
    if padding == "same" and not strided:
        case.arguments["padding"] = "same"
    elif padding == "valid":
        case.arguments["padding"] = "valid"
    else:
        case.arguments["padding"] = per_dim(f, dims, 0, 2)
    case.arguments |= {
        "dilation": per_dim(f, dims, 1, 2),
        "groups": groups,
        "bias": f.flag(),
        "padding_mode": f.pick("zeros", "zeros", "reflect", "replicate", "circular"),
    }
    return case


def conv_transpose(f: Forms, dims: int) -> Case:
    groups = f.size(1, 2)
    channels = f.write(groups.value * f.draw(st.integers(1, 2)))
    case = Case({}, [(channels, *spatial(f, dims, 1, 5))])
    declared(f, case, "in_channels", channels)
    case.arguments |= {
        "out_channels": f.write(groups.value * f.draw(st.integers(1, 2)) + f.pick(0, 0, 0, 1)),
        "kernel_size": per_dim(f, dims, 1, 3),
        "stride": per_dim(f, dims, 1, 3),
        "padding": per_dim(f, dims, 0, 2),
        "output_padding": per_dim(f, dims, 0, 2),
        "groups": groups,
        "bias": f.flag(),
        "dilation": per_dim(f, dims, 1, 2),
    }
    return case


def max_pool(f: Forms, dims: int) -> Case:
    return Case(
        {
            "kernel_size": per_dim(f, dims, 1, 4),
            "stride": f.maybe(lambda: per_dim(f, dims, 1, 3)),
            "padding": per_dim(f, dims, 0, 2),
            "dilation": per_dim(f, dims, 1, 2),
            "return_indices": False,
            "ceil_mode": f.flag(),
        },
        [(f.size(1, 3), *spatial(f, dims, 1, 9))],
    )


def avg_pool(f: Forms, dims: int) -> Case:
    arguments = {
        "kernel_size": per_dim(f, dims, 1, 4),
        "stride": f.maybe(lambda: per_dim(f, dims, 1, 3)),
        "padding": per_dim(f, dims, 0, 2),
        "ceil_mode": f.flag(),
        "count_include_pad": f.flag(),
    }
    if dims > 1:
        arguments["divisor_override"] = f.maybe(lambda: f.size(1, 4))
    return Case(arguments, [(f.size(1, 3), *spatial(f, dims, 1, 9))])


def lp_pool(f: Forms, dims: int) -> Case:
    arguments = {
        "norm_type": f.pick(1, 2, 3.5),
        "kernel_size": per_dim(f, dims, 1, 4),
        "stride": f.maybe(lambda: per_dim(f, dims, 1, 3)),
        "ceil_mode": f.flag(),
    }
    return Case(arguments, [(f.size(1, 3), *spatial(f, dims, 1, 9))])


def adaptive_pool(f: Forms, dims: int) -> Case:
    sizes = [f.pick("kept", "drawn", "drawn") for _ in range(dims)]
    output = tuple(None if item == "kept" else f.size(1, 4) for item in sizes)
    chosen = output[0] if dims == 1 or (len(set(sizes)) == 1 and f.flag()) else output
    return Case({"output_size": chosen}, [(f.size(1, 3), *spatial(f, dims, 1, 9))])


def batch_norm(f: Forms, ranks: Sequence[int]) -> Case:
    rank = f.pick(*ranks)
    channels = f.size(1, 5)
    case = Case({}, [(channels, *spatial(f, rank - 1, 1, 4))])
    declared(f, case, "num_features", channels)
    case.arguments |= {"eps": 1e-5, "momentum": 0.1, "affine": f.flag(), "track_running_stats": f.flag()}
    case.arguments["bias"] = f.flag()
    return case


def group_norm(f: Forms) -> Case:
    groups = f.size(1, 5)
    channels = f.write(groups.value * f.draw(st.integers(1, 2)) + f.pick(0, 0, 1, 2))
    case = Case({"num_groups": groups}, [(channels, *spatial(f, f.draw(st.integers(0, 2)), 1, 4))])
    declared(f, case, "num_channels", channels)
    case.arguments |= {"eps": 1e-5, "affine": f.flag()}
    case.arguments["bias"] = f.flag()
    return case


def layer_norm(f: Forms) -> Case:
    shape = (f.size(1, 4), *spatial(f, f.draw(st.integers(0, 2)), 1, 4))
    count = f.draw(st.integers(1, len(shape)))
    normalized = [size if f.draw(st.integers(0, 5)) else f.size(1, 4) for size in shape[-count:]]
    return Case(
        {"normalized_shape": normalized, "eps": 1e-5, "elementwise_affine": f.flag(), "bias": f.flag()}, [shape]
    )


def linear(f: Forms) -> Case:
    features = f.size(1, 6)
    case = Case({}, [(*spatial(f, f.draw(st.integers(0, 2)), 1, 3), features)])
    declared(f, case, "in_features", features)
    case.arguments |= {"out_features": f.size(1, 6), "bias": f.flag()}
    return case


def bilinear(f: Forms) -> Case:
    lead = spatial(f, f.draw(st.integers(0, 2)), 1, 3)
    first, second = f.size(1, 5), f.size(1, 5)
    other_lead = lead if f.draw(st.integers(0, 5)) else spatial(f, len(lead), 1, 3)  # sometimes mismatched
    case = Case({}, [(*lead, first), (*other_lead, second)])
    declared(f, case, "in1_features", first)
    declared(f, case, "in2_features", second)
    # PyTorch's flop counter has no formula for aten::_trilinear: the products, counted by hand.
    rows = 1
    for size in lead:
        rows *= size.value
    out = f.size(1, 5)
    case.arguments |= {"out_features": out, "bias": f.flag()}
    case.uncounted_macs = rows * first.value * second.value * out.value
    return case


def flatten(f: Forms) -> Case:
    shape = (f.size(1, 3), *spatial(f, f.draw(st.integers(0, 2)), 1, 3))
    start, end = f.pick(1, 2, -1, -2), f.pick(-1, 1, 2, 3, -2)
    return Case({"start_dim": start, "end_dim": end}, [shape], touches_batch=start + len(shape) + 1 == 0)


def embedding(f: Forms) -> Case:
    count = f.size(1, 6)
    arguments = {"num_embeddings": count, "embedding_dim": f.size(1, 5)}
    if f.flag():
        index = f.draw(st.integers(-7, 6))
        arguments["padding_idx"] = f.write(index) if index >= 0 else V(index, index)
    return Case(arguments, [(f.size(1, 5),)])


def same_shape(**choices: Sequence[Any]) -> Callable[[Forms], Case]:
    """Activations, dropout and the like: arguments drawn from fixed choices, any input rank."""

    def case(f: Forms) -> Case:
        arguments = {name: f.pick(*options) for name, options in choices.items()}
        return Case(arguments, [(f.size(1, 4), *spatial(f, f.draw(st.integers(0, 3)), 1, 4))])

    return case


def prelu(f: Forms) -> Case:
    channels = f.size(1, 4)
    count = f.pick(V(1, 1), channels, f.size(1, 4))
    return Case({"num_parameters": count, "init": 0.25}, [(channels, *spatial(f, f.draw(st.integers(0, 2)), 1, 4))])


def zero_pad(f: Forms, dims: int, mode: str = "zero") -> Case:
    def amount() -> V:
        value = f.draw(st.integers(-2, 3))
        return f.write(value) if value >= 0 else V(value, value)

    padding = amount() if f.flag() else tuple(amount() for _ in range(2 * dims))
    lead = f.draw(st.integers(0, 1))
    # A circular padding beside a negative (cropping) one wraps from inside its own output;
    # PyTorch refuses that copy when its memory-overlap check happens to see the overlap,
    # which depends on the tensor's layout (docs/conventions.md), not on a size rule.
    values = (numbers(padding),) * (2 * dims) if isinstance(padding, V) else numbers(padding)
    wraps_cropped = any(min(values[2 * i : 2 * i + 2]) < 0 < max(values[2 * i : 2 * i + 2]) for i in range(dims))
    shape = tuple(f.size(1, 5) for _ in range(dims + lead))
    return Case({"padding": padding}, [shape], overlap_quirk=mode == "circular" and wraps_cropped)


def max_unpool(f: Forms, dims: int) -> Case:
    arguments = {"kernel_size": per_dim(f, dims, 1, 3), "stride": f.maybe(lambda: per_dim(f, dims, 1, 3))}
    arguments["padding"] = per_dim(f, dims, 0, 1)
    return Case(arguments, [(f.size(1, 3), *spatial(f, dims, 1, 5))])


def unused(f: Forms) -> Case:
    """Parameters a model holds but does not use: trainable, frozen, buffers; the input passes through."""
    arguments = {"parameters": f.size(0, 5), "frozen": f.size(0, 5), "buffer_elements": f.size(0, 5)}
    return Case(arguments, [(f.size(1, 3), *spatial(f, f.draw(st.integers(0, 2)), 1, 3))])


UPSAMPLE_MODES = {
    "nearest": (1, 2, 3),
    "nearest-exact": (1, 2, 3),
    "area": (1, 2, 3),
    "linear": (1,),
    "bilinear": (2,),
    "bicubic": (2,),
    "trilinear": (3,),
}
SCALES = (1, 2, 3, 0.5, 1.5, 2.5, 0.25)  # exact in binary: PyTorch's floor in double is exact


def upsample(f: Forms) -> Case:
    mode = f.pick(*UPSAMPLE_MODES)
    dims = f.pick(*UPSAMPLE_MODES[mode])
    arguments: dict[str, Any] = {"size": None, "scale_factor": None, "mode": mode}
    if f.flag():
        arguments["size"] = f.size(1, 6) if f.flag() else tuple(f.size(1, 6) for _ in range(dims))
    else:
        arguments["scale_factor"] = f.pick(*SCALES) if f.flag() else tuple(f.pick(*SCALES) for _ in range(dims))
    if mode in ("linear", "bilinear", "bicubic", "trilinear"):
        arguments["align_corners"] = f.pick(None, False, True)
    return Case(arguments, [(f.size(1, 3), *spatial(f, dims, 1, 6))])


def recurrent(f: Forms, kind: str) -> Case:
    features, hidden = f.size(1, 4), f.size(1, 4)
    case = Case({}, [(f.size(1, 4), features)])
    declared(f, case, "input_size", features)
    case.arguments |= {"hidden_size": hidden, "num_layers": f.size(1, 2)}
    if kind == "rnn":
        case.arguments["nonlinearity"] = f.pick("tanh", "relu")
    case.arguments |= {"bias": f.flag(), "batch_first": False, "dropout": 0.0, "bidirectional": f.flag()}
    if kind == "lstm" and f.flag():
        case.arguments["proj_size"] = f.size(1, hidden.value)  # = hidden_size: both refuse
    return case


def attention(f: Forms) -> Case:
    heads = f.size(1, 3)
    embed = f.write(heads.value * f.draw(st.integers(1, 2)) + f.pick(0, 0, 0, 1))
    case = Case({}, [(f.size(1, 4), embed)])
    declared(f, case, "embed_dim", embed)
    case.arguments |= {"num_heads": heads, "dropout": 0.0, "bias": f.flag(), "add_bias_kv": f.flag()}
    case.arguments["add_zero_attn"] = f.flag()
    return case


def scale(f: Forms) -> Case:
    shape = (f.size(1, 4), *spatial(f, f.draw(st.integers(0, 2)), 1, 4))
    gamma = [size if f.flag() else f.pick(V(1, 1), f.size(1, 4)) for size in shape[f.draw(st.integers(0, 1)) :]]
    return Case({"shape": gamma}, [shape])


def mean(f: Forms) -> Case:
    shape = (f.size(1, 3), *spatial(f, f.draw(st.integers(0, 2)), 1, 3))
    rank = len(shape) + 1
    dims = f.draw(st.lists(st.integers(-rank, rank - 1).filter(lambda dim: dim != 0), min_size=1, max_size=2))
    return Case({"dim": dims, "keepdim": f.flag()}, [shape], touches_batch=-rank in dims)


def unflatten(f: Forms) -> Case:
    parts = [f.size(1, 3) for _ in range(f.draw(st.integers(1, 3)))]
    size = 1
    for part in parts:
        size *= part.value
    shape = [f.size(1, 3) for _ in range(f.draw(st.integers(0, 2)))]
    dim = f.draw(st.integers(1, len(shape) + 1))
    shape.insert(dim - 1, f.write(size + f.pick(0, 0, 0, 1)))
    sizes: list[Any] = list(parts)
    if f.flag():
        sizes[f.draw(st.integers(0, len(sizes) - 1))] = -1
    return Case({"dim": dim, "unflattened_size": sizes}, [tuple(shape)], positional=("dim", "unflattened_size"))


def permute(f: Forms) -> Case:
    shape = (f.size(1, 3), *spatial(f, f.draw(st.integers(0, 2)), 1, 3))
    order = [0, *f.draw(st.permutations(range(1, len(shape) + 1)))]
    return Case({"dims": order}, [shape])


def chunk(f: Forms) -> Case:
    shape = (f.size(1, 7), *spatial(f, f.draw(st.integers(0, 1)), 1, 7))
    chunks = f.size(1, 4)
    return Case(
        {"chunks": chunks, "dim": f.draw(st.integers(1, len(shape))), "index": f.draw(st.integers(0, chunks.value))},
        [shape],
    )


def merge(kind: str) -> Callable[[Forms], Case]:
    """Two or three inputs: equal sizes, sizes of 1 (broadcasting), and mismatches."""

    def case(f: Forms) -> Case:
        shape = (f.size(1, 3), *spatial(f, f.draw(st.integers(0, 2)), 1, 3))
        others = []
        for _ in range(f.draw(st.integers(1, 2))):
            other = tuple(size if f.draw(st.integers(0, 3)) else f.pick(V(1, 1), f.size(1, 3)) for size in shape)
            lower_rank = kind != "concat" and len(other) > 1 and f.flag()  # broadcasting aligns the last dimensions
            others.append(other[1:] if lower_rank else other)
        arguments = {"dim": f.pick(1, 1, -1, 2)} if kind == "concat" else {}
        return Case(arguments, [shape, *others])

    return case


def signed(f: Forms, low: int, high: int) -> V:
    """A value that may be negative: a drawn form when it is at least 0, else the number."""
    value = f.draw(st.integers(low, high))
    return f.write(value) if value >= 0 else V(value, value)


def off_by(f: Forms, value: int) -> V:
    """Mostly ``value`` (a multiple the layer needs), sometimes one more (a size it must refuse)."""
    return f.write(value + f.pick(0, 0, 0, 1))


def feature_shape(f: Forms, low: int = 0, high: int = 2) -> tuple[V, ...]:
    return (f.size(1, 3), *spatial(f, f.draw(st.integers(low, high)), 1, 3))


def dimension(f: Forms, rank: int) -> tuple[int, bool]:
    """A ``dim`` (batch = 0) for an input of ``rank`` dimensions, out of range at times; and whether it is the batch."""
    inside = [dim for dim in range(-rank, rank + 1) if dim != 0]
    dim = f.pick(*inside, *inside, *inside, -rank - 1, rank + 1)
    return dim, dim == -rank - 1


def constant_op(f: Forms) -> Case:
    constant = f.pick(f.size(1, 3), "0.5", "1.5", -2)
    return Case({"operation": f.pick(*CONSTANT_OPERATIONS), "constant": constant}, [feature_shape(f)])


def roll(f: Forms) -> Case:
    shape = feature_shape(f)
    dims = [dimension(f, len(shape)) for _ in range(f.draw(st.integers(1, 2)))]
    shifts = [signed(f, -3, 3) for _ in dims]
    return Case(
        {"shifts": shifts, "dims": [dim for dim, _ in dims]}, [shape], touches_batch=any(batch for _, batch in dims)
    )


def indexed_shape(f: Forms) -> tuple[V, ...]:
    """Sizes up to 5, so that most drawn indices and bounds fall inside and some outside."""
    return (f.size(1, 5), *spatial(f, f.draw(st.integers(0, 1)), 1, 5))


def select(f: Forms) -> Case:
    shape = indexed_shape(f)
    dim, batch = dimension(f, len(shape))
    return Case({"dim": dim, "index": f.draw(st.integers(-4, 3))}, [shape], touches_batch=batch)


def slice_(f: Forms) -> Case:
    shape = indexed_shape(f)
    dim, batch = dimension(f, len(shape))
    bounds = {name: f.maybe(lambda: f.draw(st.integers(-4, 4))) for name in ("start", "stop")}
    return Case({"dim": dim, **bounds, "step": f.draw(st.integers(1, 3))}, [shape], touches_batch=batch)


def stack(f: Forms) -> Case:
    shape = feature_shape(f)
    others = [tuple(size if f.draw(st.integers(0, 3)) else f.size(1, 3) for size in shape)]
    others = others[: f.draw(st.integers(0, 1))] + [shape] * f.draw(st.integers(0, 1))
    dim = f.draw(st.integers(-len(shape) - 2, len(shape) + 2).filter(lambda dim: dim != 0))
    return Case({"dim": dim}, [shape, *others], touches_batch=dim == -len(shape) - 2)


def pixel_shuffle(f: Forms) -> Case:
    factor = f.size(1, 3)
    channels = off_by(f, factor.value**2 * f.draw(st.integers(1, 2)))
    lead = tuple(f.size(1, 2) for _ in range(f.draw(st.integers(0, 1))))
    return Case({"upscale_factor": factor}, [(*lead, channels, *spatial(f, 2, 1, 4))])


def pixel_unshuffle(f: Forms) -> Case:
    factor = f.size(1, 3)
    sizes = tuple(off_by(f, factor.value * f.draw(st.integers(1, 3))) for _ in range(2))
    lead = tuple(f.size(1, 2) for _ in range(f.draw(st.integers(0, 1))))
    return Case({"downscale_factor": factor}, [(*lead, f.size(1, 3), *sizes)])


def shift(f: Forms) -> Case:
    """A positional embedding, broadcast like ``+``: sizes the input's, 1, or others (which must fail)."""
    shape = feature_shape(f)
    beta = [size if f.flag() else f.pick(V(1, 1), f.size(1, 4)) for size in shape[f.draw(st.integers(0, 1)) :]]
    return Case({"shape": beta}, [shape])


def normalization(f: Forms) -> Case:
    """Keras's Normalization: statistics per channel, any rank."""
    return Case({}, [feature_shape(f)], torchless="Keras's Normalization has no torch.nn module")


def learned_concat(f: Forms) -> Case:
    shape = feature_shape(f)
    dim, batch = dimension(f, len(shape))
    token = [size if f.draw(st.integers(0, 3)) else f.size(1, 3) for size in shape]
    return Case({"shape": token, "dim": dim, "first": f.flag()}, [shape], touches_batch=batch)


def require(f: Forms) -> Case:
    shape = feature_shape(f, 1, 2)
    size = f.pick(*shape)
    operator, bound = f.pick("==", "<=", "<", ">=", ">"), f.draw(st.integers(1, 4))
    # Text reads NAME OP VALUE, so a size written as a formula or a number goes in as a SymPy relation.
    relation = RELATIONS[operator]
    text = f"{size.text} {operator} {bound}"
    if not isinstance(size.text, str) or not size.text.isidentifier():
        text = relation(parse_formula(str(size.text)), bound)
    condition = Both(text, relation(size.value, bound))
    return Case(
        {"condition": condition, "reason": f.pick("", "the model is written for this size")},
        [shape],
        torchless="a condition on sizes; torch._assert is no module",
    )


def subsampling(f: Forms) -> Case:
    channels = f.size(1, 4)
    case = Case({}, [(channels, *spatial(f, 2, 1, 8))])
    declared(f, case, "in_channels", channels)
    case.arguments |= {"kernel_size": per_dim(f, 2, 1, 3), "stride": f.maybe(lambda: per_dim(f, 2, 1, 3))}
    case.torchless = "LeNet's trainable subsampling (Torch7's SpatialSubSampling) has no torch.nn module"
    return case


def convolution_map(f: Forms) -> Case:
    channels = f.size(1, 4)
    table = [
        f.draw(st.lists(st.integers(0, channels.value - f.pick(1, 1, 1, 0)), min_size=1, max_size=3, unique=True))
        for _ in range(f.draw(st.integers(1, 3)))
    ]
    case = Case({}, [(channels, *spatial(f, 2, 1, 7))])
    declared(f, case, "in_channels", channels)
    case.arguments |= {"table": table, "kernel_size": per_dim(f, 2, 1, 3), "stride": per_dim(f, 2, 1, 2)}
    case.arguments["bias"] = f.flag()
    return case


def patch_merge(f: Forms) -> Case:
    lead = tuple(f.size(1, 2) for _ in range(f.draw(st.integers(0, 1))))
    return Case({}, [(*lead, *spatial(f, 2, 1, 7), f.size(1, 3))])


def window_partition(f: Forms) -> Case:
    p = f.size(1, 3)
    sizes = tuple(off_by(f, p.value * f.draw(st.integers(1, 3))) for _ in range(2))
    return Case({"partition": p}, [(f.size(1, 3), *sizes)])


def window_departition(f: Forms) -> Case:
    p, rows, columns = f.size(1, 3), f.size(1, 3), f.size(1, 3)
    count, positions = rows.value * columns.value, p.value**2
    if f.flag():  # the same elements split otherwise: PyTorch's reshape, and symcnn, accept it
        count, positions = positions, count
    shape = (off_by(f, count), f.write(positions), f.size(1, 3))
    return Case({"partition": p, "h_partitions": rows, "w_partitions": columns}, [shape])


def relative_attention(f: Forms) -> Case:
    heads, size = f.size(1, 3), f.size(1, 3)
    channels = off_by(f, heads.value * f.draw(st.integers(1, 2)))
    positions = f.write(max(size.value**2 + f.pick(0, 0, 0, 1, -1), 1))
    shape = (f.size(1, 3), positions, channels)
    case = Case({"num_heads": heads, "partition_size": size}, [shape], torch_extra={"channels": channels})
    if size.value == 1 and positions.value != 1:
        # torchvision adds the 1 x 1 bias table by broadcasting, so it attends over windows of any
        # size; symcnn's layer is MaxViT's, whose windows are partition_size**2 positions, and refuses.
        case.torchless = "a 1 x 1 bias table that PyTorch broadcasts over other window sizes"
    # torch.einsum multiplies elementwise, not by a matrix product, when the summed size is 1 (one
    # value per head, or one position): FlopCounterMode then misses that product's P*N*N*C MACs.
    windows, count = shape[0].value, positions.value
    sums = (channels.value // heads.value, count)
    case.uncounted_macs = sum(windows * count * count * channels.value for summed in sums if summed == 1)
    return case


def window_attention(f: Forms) -> Case:
    heads = f.size(1, 3)
    channels = off_by(f, heads.value * f.draw(st.integers(1, 2)))
    case = Case({"num_heads": heads}, [(*spatial(f, 2, 1, 8), channels)], torch_extra={"dim": channels})
    case.arguments |= {
        "window_size": per_dim(f, 2, 1, 4),
        "shift_size": per_dim(f, 2, 0, 2),
        "qkv_bias": f.flag(),
        "proj_bias": f.flag(),
        "version": f.pick(1, 2),
    }
    if case.arguments["version"] == 2:
        case.arguments["cpb_hidden"] = f.pick(V(512, 512), f.size(1, 4))
        if case.arguments["cpb_hidden"].value != 512:
            case.torchless = "torchvision's Swin V2 fixes the bias MLP's hidden size at 512"
    return case


RELATIONS = {"==": sympy.Eq, "<=": sympy.Le, "<": sympy.Lt, ">=": sympy.Ge, ">": sympy.Gt}
CONSTANT_OPERATIONS = ("add", "sub", "rsub", "mul", "div", "rdiv", "pow")


PAD_MODES = ("zero", "reflection", "replication", "circular")
CASES: dict[str, Callable[[Forms], Case]] = {
    **{f"conv{d}d": (lambda f, d=d: conv(f, d)) for d in (1, 2, 3)},
    **{f"convtranspose{d}d": (lambda f, d=d: conv_transpose(f, d)) for d in (1, 2, 3)},
    **{f"maxpool{d}d": (lambda f, d=d: max_pool(f, d)) for d in (1, 2, 3)},
    **{f"avgpool{d}d": (lambda f, d=d: avg_pool(f, d)) for d in (1, 2, 3)},
    **{f"lppool{d}d": (lambda f, d=d: lp_pool(f, d)) for d in (1, 2, 3)},
    **{f"adaptive{kind}pool{d}d": (lambda f, d=d: adaptive_pool(f, d)) for d in (1, 2, 3) for kind in ("avg", "max")},
    **{f"{mode}pad{d}d": (lambda f, d=d, m=mode: zero_pad(f, d, m)) for d in (1, 2, 3) for mode in PAD_MODES},
    **{f"maxunpool{d}d": (lambda f, d=d: max_unpool(f, d)) for d in (1, 2, 3)},
    "unused": unused,
    "batchnorm1d": lambda f: batch_norm(f, (1, 2)),
    "batchnorm2d": lambda f: batch_norm(f, (3,)),
    "batchnorm3d": lambda f: batch_norm(f, (4,)),
    "groupnorm": group_norm,
    "layernorm": layer_norm,
    "linear": linear,
    "bilinear": bilinear,
    "flatten": flatten,
    "embedding": embedding,
    "prelu": prelu,
    "upsample": upsample,
    "rnn": lambda f: recurrent(f, "rnn"),
    "lstm": lambda f: recurrent(f, "lstm"),
    "gru": lambda f: recurrent(f, "gru"),
    "multiheadattention": attention,
    "scale": scale,
    "mean": mean,
    "unflatten": unflatten,
    "permute": permute,
    "chunk": chunk,
    "add": merge("add"),
    "multiply": merge("multiply"),
    "concat": merge("concat"),
    "constantop": constant_op,
    "roll": roll,
    "select": select,
    "slice": slice_,
    "stack": stack,
    "pixelshuffle": pixel_shuffle,
    "pixelunshuffle": pixel_unshuffle,
    "shift": shift,
    "normalization": normalization,
    "learnedconcat": learned_concat,
    "require": require,
    "subsampling2d": subsampling,
    "convolutionmap2d": convolution_map,
    "patchmerge": patch_merge,
    "windowpartition": window_partition,
    "windowdepartition": window_departition,
    "relativeattention": relative_attention,
    "windowattention": window_attention,
    **{kind: same_shape(inplace=(False, True)) for kind in ("relu", "relu6", "silu", "hardswish", "hardsigmoid")},
    "mish": same_shape(inplace=(False,)),
    "leakyrelu": same_shape(negative_slope=(0.01, 0.2)),
    "elu": same_shape(alpha=(1.0, 0.5)),
    "gelu": same_shape(approximate=("none", "tanh")),
    "softplus": same_shape(beta=(1.0, 2.0)),
    "softmax": same_shape(dim=(None, -1, 1, 2, 3, -4)),
    "logsoftmax": same_shape(dim=(None, -1, 1, 2, 3, -4)),
    **{kind: same_shape() for kind in ("sigmoid", "tanh", "identity")},
    **{kind: same_shape(p=(0.0, 0.5)) for kind in ("dropout", "dropout1d", "dropout2d", "dropout3d", "alphadropout")},
}


# --------------------------------------------------------------------- deriving both ways


@dataclass(frozen=True)
class Numbers:
    """What a derivation says, as numbers: one entry per row, then the totals."""

    rows: tuple[tuple[Any, ...], ...]
    totals: tuple[Any, ...]


def numbers_of(derivation: Derivation) -> Numbers:
    assert not derivation.free_symbols, f"symbols left after substitution: {derivation.free_symbols}"
    assert not derivation.conditions, f"conditions left after substitution: {derivation.conditions}"
    rows = tuple(
        (row.name, row.output_shape, row.params.value, row.non_trainable.value, row.buffers.value, row.macs.value)
        for row in derivation.rows
    )
    for row in rows:
        for value in (*row[1], *row[2:]):
            assert value.is_Integer, f"{row[0]}: {value} is not an integer"
    t = derivation.totals
    return Numbers(rows, (derivation.output_shapes, t.params, t.trainable, t.non_trainable, t.buffers, t.macs))


def derive_both(
    build: Callable[[Any], Graph], forms: Forms, conventions: Conventions
) -> tuple[Numbers | str, Numbers | str]:
    """(symbolic then substituted, numbers written in): each the numbers or the refusal's message."""
    try:
        derivation = build(written).derive(conventions=conventions)
        names = {symbol.name for symbol in derivation.free_symbols}
        values = {name: value for name, value in forms.values.items() if name in names}
        symbolic: Numbers | str = numbers_of(derivation.subs(values))
    except UnsupportedError as error:
        symbolic = f"unsupported: {error}"
    except SymcnnError as error:
        symbolic = f"refused: {error}"
    try:
        numeric: Numbers | str = numbers_of(build(numbers).derive(conventions=conventions))
    except SymcnnError as error:
        numeric = f"refused: {error}"
    return symbolic, numeric


def assert_agree(symbolic: Numbers | str, numeric: Numbers | str) -> None:
    if isinstance(symbolic, str) and symbolic.startswith("unsupported"):
        event("symbolic form refused as unsupported")  # shown by --hypothesis-show-statistics
        return  # no exact formula for this symbolic form: refused on purpose, said so clearly
    if isinstance(symbolic, str) or isinstance(numeric, str):
        assert isinstance(symbolic, str) and isinstance(numeric, str), f"symbolic: {symbolic}\nnumeric: {numeric}"
        return
    assert symbolic == numeric


def single(kind: str, case: Case) -> Callable[[Any], Graph]:
    """The network of one layer: the case's inputs into it (a graph, since merges take several)."""

    def build(convert: Callable[[Any], Any]) -> Graph:
        inputs = [Input(*convert(shape), name=f"x{position}") for position, shape in enumerate(case.inputs)]
        layer = LAYERS[kind](**convert(case.arguments))
        return Graph(inputs, layer(*inputs))

    return build


# --------------------------------------------------------------------- PyTorch


@dataclass(frozen=True)
class Run:
    """What PyTorch made of a configuration, or its refusal."""

    shape: tuple[int, ...] | None
    params: int = 0
    trainable: int = 0
    buffers: int = 0
    macs: int = 0
    error: str = ""


FLAT = ("rnn", "lstm", "gru", "multiheadattention")  # unbatched inputs: (L, features)


def constant_function(arguments: dict[str, Any]) -> Callable[[Any], Any]:
    """``ConstantOp`` as the Python arithmetic it stands for."""
    c = float(Fraction(arguments["constant"]))
    operations: dict[str, Callable[[Any], Any]] = {
        "add": lambda x: x + c,
        "sub": lambda x: x - c,
        "rsub": lambda x: c - x,
        "mul": lambda x: x * c,
        "div": lambda x: x / c,
        "rdiv": lambda x: c / x,
        "pow": lambda x: x**c,
    }
    return operations[arguments["operation"]]


def sliced(arguments: dict[str, Any]) -> Callable[[Any], Any]:
    """``x[..., start:stop:step]`` along ``dim``, written as Python indexing."""

    def apply(x: Any) -> Any:
        index: list[Any] = [slice(None)] * x.dim()
        index[arguments["dim"]] = slice(arguments["start"], arguments["stop"], arguments["step"])
        return x[tuple(index)]

    return apply


def merged_patches(arguments: dict[str, Any]) -> Callable[[Any], Any]:
    from torchvision.models import swin_transformer

    return swin_transformer._patch_merging_pad  # Swin's PatchMerging before its norm and projection


# The kinds PyTorch has as functions or indexing, not modules: each made from its (numeric) arguments.
TORCH_FUNCTIONS: dict[str, Callable[[dict[str, Any]], Callable[..., Any]]] = {
    "constantop": constant_function,
    "roll": lambda a: lambda x: torch.roll(x, a["shifts"], a["dims"]),
    "select": lambda a: lambda x: x.select(a["dim"], a["index"]),
    "slice": sliced,
    "stack": lambda a: lambda *xs: torch.stack(xs, a["dim"]),
    "patchmerge": merged_patches,
}


def both_dims(value: Any) -> list[Any]:
    """A per-dimension argument of a 2-d layer as the list torchvision wants."""
    return list(value) if isinstance(value, tuple | list) else [value, value]


def torch_module(kind: str, arguments: dict[str, Any], positional: Sequence[str]) -> Any:
    """The ``torch.nn`` module for ``kind``; the kinds PyTorch has as functions get a small wrapper."""
    nn = torch.nn

    class Apply(nn.Module):  # type: ignore[misc]
        def __init__(self, function: Callable[..., Any]) -> None:
            super().__init__()
            self.function = function

        def forward(self, *inputs: Any) -> Any:
            return self.function(*inputs)

    if kind in TORCH_FUNCTIONS:
        return Apply(TORCH_FUNCTIONS[kind](arguments))
    if kind == "shift":
        module = Apply(lambda x: x + module.beta)
        module.beta = nn.Parameter(torch.zeros(tuple(arguments["shape"])))
        return module
    if kind == "learnedconcat":
        token = nn.Parameter(torch.zeros(tuple(arguments["shape"])))
        module = Apply(lambda x: torch.cat([token[None], x][:: 1 if arguments["first"] else -1], arguments["dim"]))
        module.token = token
        return module
    if kind == "convolutionmap2d":  # one convolution per output map, on the maps its table row lists
        maps = nn.ModuleList(
            nn.Conv2d(len(row), 1, arguments["kernel_size"], arguments["stride"], bias=arguments["bias"])
            for row in arguments["table"]
        )
        rows, channels = arguments["table"], arguments["in_channels"]

        def connected(x: Any) -> Any:
            if x.shape[1] != channels:  # as a convolution refuses an input of other than in_channels maps
                raise ValueError(f"expected {channels} input maps, got {x.shape[1]}")
            return torch.cat([conv(x[:, list(row)]) for conv, row in zip(maps, rows, strict=True)], 1)

        module = Apply(connected)
        module.maps = maps
        return module
    if kind in ("windowpartition", "windowdepartition"):
        from torchvision.models import maxvit

        keys = ("partition", "h_partitions", "w_partitions")[: 1 if kind == "windowpartition" else 3]
        partition = maxvit.WindowPartition() if kind == "windowpartition" else maxvit.WindowDepartition()
        return Apply(lambda x: partition(x, *(arguments[key] for key in keys)))
    if kind == "relativeattention":
        from torchvision.models import maxvit

        heads, size = arguments["num_heads"], arguments["partition_size"]
        channels = arguments["channels"]
        if channels % heads:  # torchvision takes head_dim = C // num_heads: num_heads must divide C
            raise ValueError(f"num_heads {heads} does not divide {channels}")
        return maxvit.RelativePositionalMultiHeadAttention(channels, channels // heads, size * size)
    if kind == "windowattention":
        from torchvision.models import swin_transformer

        version = arguments["version"]
        cls = swin_transformer.ShiftedWindowAttention if version == 1 else swin_transformer.ShiftedWindowAttentionV2
        return cls(
            arguments["dim"],
            both_dims(arguments["window_size"]),
            both_dims(arguments["shift_size"]),
            arguments["num_heads"],
            qkv_bias=arguments["qkv_bias"],
            proj_bias=arguments["proj_bias"],
        )
    if kind == "add":
        return Apply(lambda *xs: sum(xs[1:], xs[0]))
    if kind == "multiply":
        return Apply(lambda *xs: xs[0] * xs[1] if len(xs) == 2 else xs[0] * xs[1] * xs[2])
    if kind == "concat":
        return Apply(lambda *xs: torch.cat(xs, dim=arguments["dim"]))
    if kind == "mean":
        return Apply(lambda x: x.mean(arguments["dim"], keepdim=arguments["keepdim"]))
    if kind == "permute":
        return Apply(lambda x: x.permute(*arguments["dims"]))
    if kind == "chunk":
        return Apply(lambda x: torch.chunk(x, arguments["chunks"], arguments["dim"])[arguments["index"]])
    if kind.startswith("maxunpool"):
        unpool = getattr(nn, kind.replace("maxunpool", "MaxUnpool"))(**arguments)
        module = Apply(lambda x: unpool(x, torch.zeros_like(x, dtype=torch.long)))  # every value to index 0
        return module
    if kind == "unused":
        module = Apply(lambda x: x)
        module.trained = nn.Parameter(torch.zeros(arguments["parameters"]))
        module.frozen = nn.Parameter(torch.zeros(arguments["frozen"]), requires_grad=False)
        module.register_buffer("kept", torch.zeros(arguments["buffer_elements"]))
        return module
    if kind == "scale":
        module = Apply(lambda x: module.gamma * x)
        module.gamma = nn.Parameter(torch.zeros(tuple(arguments["shape"])))
        return module
    cls = next(getattr(nn, name) for name in dir(nn) if name.lower() == kind)
    arguments = {key: tuple(value) if isinstance(value, list) else value for key, value in arguments.items()}
    keywords = {key: value for key, value in arguments.items() if key not in positional}
    return cls(*(arguments[key] for key in positional), **keywords)


def run_torch(
    kind: str, arguments: dict[str, Any], shapes: Sequence[tuple[int, ...]], positional: Sequence[str]
) -> Run:
    """Build and run the module on zeros; PyTorch refusing at either step is its verdict.

    As in test_torch_agreement: the verdict of both the default (oneDNN) and the
    native ATen kernels, then FLOPs counted with oneDNN off.
    """
    flat = kind in FLAT
    dtype = torch.long if kind == "embedding" else torch.float32
    # Without running statistics BatchNorm uses the batch's, and GroupNorm always does: PyTorch
    # wants more than one value per channel (group), counting the batch, which symcnn leaves out.
    batch = () if flat else (2,) if kind.startswith("batchnorm") or kind == "groupnorm" else (1,)
    tensors = [torch.zeros(*batch, *shape, dtype=dtype) for shape in shapes]
    if kind == "multiheadattention":
        tensors = tensors * 3

    def forward(module: Any) -> Any:
        output = module(*tensors)
        return output[0] if isinstance(output, tuple) else output

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module = torch_module(kind, arguments, positional).eval()
            with torch.no_grad():
                output = forward(module)
                with torch.backends.mkldnn.flags(enabled=False):
                    forward(module)
                    with FlopCounterMode(display=False) as counter:
                        forward(module)
    except Exception as error:  # PyTorch refuses with RuntimeError, ValueError, IndexError, ...
        return Run(None, error=f"{type(error).__name__}: {error}")
    return Run(
        tuple(output.shape) if flat else tuple(output.shape[1:]),
        params=sum(parameter.numel() for parameter in module.parameters()),
        trainable=sum(parameter.numel() for parameter in module.parameters() if parameter.requires_grad),
        buffers=sum(buffer.numel() for buffer in module.buffers()),
        macs=counter.get_total_flops() // 2,
    )


def assert_torch_agrees(kind: str, case: Case, numeric: Numbers | str) -> None:
    """PyTorch's verdict and numbers for one layer of ``kind``."""
    if case.touches_batch:
        assert isinstance(numeric, str), "symcnn must refuse an operation on the batch dimension"
        return
    arguments = numbers({**case.arguments, **case.torch_extra})
    theirs = run_torch(kind, arguments, [numbers(shape) for shape in case.inputs], case.positional)
    if theirs.shape is not None and case.uncounted_macs:
        event("products PyTorch's flop counter does not see")
        theirs = dataclasses.replace(theirs, macs=theirs.macs + case.uncounted_macs)
    if case.overlap_quirk and theirs.shape is None and "memory location" in theirs.error:
        event("PyTorch's memory-overlap refusal of a circular padding")
        return
    assert_same_as_torch(theirs, numeric)


def assert_same_as_torch(theirs: Run, numeric: Numbers | str) -> None:
    """Same verdict, and if both accept the same output shape, parameters, buffers and MACs.

    One deliberate difference (docs/conventions.md): where PyTorch makes an empty
    tensor (a size 0), symcnn refuses, as it holds every size to at least 1.
    """
    if theirs.shape is not None and 0 in theirs.shape:
        assert isinstance(numeric, str), f"PyTorch makes an empty tensor {theirs.shape}, symcnn accepts"
        return
    if theirs.shape is None or isinstance(numeric, str):
        verdicts = f"PyTorch: {theirs.error or theirs}; symcnn: {numeric}"
        assert theirs.shape is None and isinstance(numeric, str), verdicts
        return
    output_shapes, params, trainable, _, buffers, macs = numeric.totals
    ours = (output_shapes[0], params, trainable, buffers, macs)
    assert ours == (theirs.shape, theirs.params, theirs.trainable, theirs.buffers, theirs.macs)


# --------------------------------------------------------------------- the tests


@pytest.mark.parametrize("kind", sorted(LAYERS))
@per_kind
@given(data=st.data())
def test_every_kind(kind: str, data: st.DataObject) -> None:
    """Symbolic then substituted == numbers written in == PyTorch, for one layer of ``kind``."""
    if kind not in CASES:
        pytest.fail(f"layer kind {kind!r} has no strategy in CASES: add one (this test covers every kind)")
    forms = Forms(data)
    case = CASES[kind](forms)
    framework = data.draw(st.sampled_from(["pytorch", "pytorch", "keras"]))
    symbolic, numeric = derive_both(single(kind, case), forms, Conventions(framework=framework))
    assert_agree(symbolic, numeric)
    if case.torchless:
        event(f"not compared with PyTorch: {case.torchless}")
    elif torch is not None and framework == "pytorch":
        assert_torch_agrees(kind, case, numeric)


def test_every_kind_has_a_strategy() -> None:
    """Also said once, outside hypothesis: a registered kind without a strategy is a failure."""
    assert sorted(set(LAYERS) - set(CASES)) == []
    assert sorted(set(CASES) - set(LAYERS)) == []


# --------------------------------------------------------------------- chains and DAGs


def feature_map_layer(f: Forms, channels: V) -> Layer | None:
    """A layer for a (C, H, W) feature map, its sizes read from the input (as in a real network)."""
    choice = f.pick("conv", "conv", "pool", "norm", "groupnorm", "relu", "pad", "upsample", "adaptive")
    if choice == "conv":
        return symcnn.Conv2d(
            out_channels=f.size(1, 4).text,
            kernel_size=f.size(1, 3).text,
            stride=f.size(1, 2).text,
            padding=f.size(0, 1).text,
            groups=f.pick(V(1, 1), channels).text,
        )
    if choice == "pool":
        return f.pick(symcnn.MaxPool2d, symcnn.AvgPool2d)(f.size(1, 3).text, ceil_mode=f.flag())
    if choice == "norm":
        return symcnn.BatchNorm2d()
    if choice == "groupnorm":
        return symcnn.GroupNorm(f.size(1, 3).text)
    if choice == "relu":
        return symcnn.ReLU()
    if choice == "pad":
        return symcnn.ZeroPad2d(f.size(0, 2).text)
    if choice == "upsample":
        return symcnn.Upsample(scale_factor=f.pick(2, 0.5, 1.5))
    return symcnn.AdaptiveAvgPool2d((f.maybe(lambda: f.size(1, 3).text), f.size(1, 3).text))


@dataclass
class DrawnNetwork:
    """A chain, a residual add, a concat of branches, or a repeated block, on a (C, H, W) input.

    The layers are drawn once, with their arguments as forms; :meth:`symcnn` makes
    the network from the forms or from the numbers (``written`` or ``numbers``),
    :meth:`torch` runs the same network in PyTorch.
    """

    forms: Forms
    shape: tuple[V, V, V]
    structure: str
    branches: list[list[Layer]]
    tail: list[Layer]
    times: V
    kernel: V

    def block(self) -> list[Layer]:
        """The repeated block: it keeps the shape (out_channels written as the input's, padding (k - 1)//2)."""
        layers: list[Layer] = [symcnn.BatchNorm2d(), symcnn.ReLU()]
        if self.kernel.value % 2:
            padding = f"({self.kernel.text} - 1)//2"
            layers.insert(
                0, symcnn.Conv2d(out_channels=self.shape[0].text, kernel_size=self.kernel.text, padding=padding)
            )
        return layers

    def numeric(self, layer: Layer) -> Layer:
        """The layer with the drawn values put into its formula arguments."""
        return layer.replace(**{key: numbers_in(getattr(layer, key), self.forms.values) for key in fields_of(layer)})

    def walk(self, x: Any, apply: Callable[[Layer, Any, str], Any], merge: Callable[[str, list[Any]], Any]) -> Any:
        """The network's structure, once for symcnn nodes and once for torch tensors."""
        if self.structure == "chain":
            for position, layer in enumerate(self.branches[0] + self.branches[1]):
                x = apply(layer, x, f"chain{position}")
        elif self.structure in ("add", "concat"):
            ends = []
            for number, branch in enumerate(self.branches):
                end = x
                for position, layer in enumerate(branch):
                    end = apply(layer, end, f"branch{number}.{position}")
                ends.append(end)
            x = merge(self.structure, ends)
        else:
            x = merge("repeat", [x])
        for position, layer in enumerate(self.tail):
            x = apply(layer, x, f"tail{position}")
        return x

    def symcnn(self, convert: Callable[[Any], Any]) -> Graph:
        def made(layer: Layer) -> Layer:
            return layer if convert is written else self.numeric(layer)

        def merge(kind: str, nodes: list[Any]) -> Any:
            if kind == "repeat":
                block = symcnn.Sequential(Input(), *(made(layer) for layer in self.block()))
                return Repeat(block, convert(self.times))(nodes[0])
            return (symcnn.Add() if kind == "add" else symcnn.Concat())(*nodes)

        x = Input(*convert(self.shape))
        y = self.walk(x, lambda layer, node, _: made(layer)(node), merge)
        return Graph(x, y if y is not x else symcnn.Identity()(x))

    def torch(self) -> Run:
        """The same network in PyTorch, on a batch of 2 (GroupNorm wants two values per group)."""
        modules: dict[str, Any] = {}

        def module(layer: Layer, x: Any, key: str) -> Any:
            if key not in modules:
                modules[key] = torch_layer(self.numeric(layer), x.shape[1]).eval()
            return modules[key](x)

        def merge(kind: str, tensors: list[Any]) -> Any:
            if kind == "add":
                return tensors[0] + tensors[1]
            if kind == "concat":
                return torch.cat(tensors, dim=1)
            x = tensors[0]
            for copy in range(self.times.value):
                for position, layer in enumerate(self.block()):
                    x = module(layer, x, f"repeat{copy}.{position}")
            return x

        def forward() -> Any:
            return self.walk(torch.zeros(2, *numbers(self.shape)), module, merge)

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with torch.no_grad():
                    output = forward()
                    with torch.backends.mkldnn.flags(enabled=False), FlopCounterMode(display=False) as counter:
                        forward()
        except Exception as error:  # PyTorch refuses with RuntimeError, ValueError, ...
            return Run(None, error=f"{type(error).__name__}: {error}")
        return Run(
            tuple(output.shape[1:]),
            params=sum(p.numel() for m in modules.values() for p in m.parameters()),
            trainable=sum(p.numel() for m in modules.values() for p in m.parameters()),
            buffers=sum(b.numel() for m in modules.values() for b in m.buffers()),
            macs=counter.get_total_flops() // 4,  # 2 FLOPs per MAC, 2 samples
        )


def torch_layer(layer: Layer, channels: int) -> Any:
    """The ``torch.nn`` module of a numeric symcnn layer; sizes symcnn reads from the input filled in."""

    def plain(value: Any) -> Any:
        if isinstance(value, sympy.Integer):
            return int(value)
        if isinstance(value, sympy.Rational):
            return float(value)  # scale factors, exact in binary (SCALES)
        if isinstance(value, tuple):
            return tuple(plain(item) for item in value)
        return value

    arguments = {key: plain(getattr(layer, key)) for key in fields_of(layer)}
    for size in ("in_channels", "num_features", "num_channels"):
        if size in arguments and arguments[size] is None:
            arguments[size] = channels
    return getattr(torch.nn, type(layer).__name__)(**arguments)


def networks(data: st.DataObject) -> DrawnNetwork:
    f = Forms(data)
    channels = f.size(1, 4)
    return DrawnNetwork(
        forms=f,
        shape=(channels, f.size(1, 9), f.size(1, 9)),
        structure=f.pick("chain", "add", "concat", "repeat"),
        branches=[[feature_map_layer(f, channels) for _ in range(f.draw(st.integers(0, 2)))] for _ in range(2)],
        tail=[feature_map_layer(f, channels) for _ in range(f.draw(st.integers(0, 1)))],
        times=f.size(1, 3),
        kernel=f.size(1, 3),
    )


def fields_of(layer: Layer) -> list[str]:
    return [item.name for item in dataclasses.fields(layer) if item.name != "name"]


def numbers_in(value: Any, values: dict[str, int]) -> Any:
    """A layer's stored argument with the symbols' values put in (formulas become integers)."""
    if isinstance(value, sympy.Basic):
        number = value.subs({symcnn.symbols(name): number for name, number in values.items()})
        return int(number) if number.is_Integer else number
    if isinstance(value, tuple):
        return tuple(numbers_in(item, values) for item in value)
    return value


@per_network
@given(data=st.data())
def test_small_networks(data: st.DataObject) -> None:
    """Chains, residual adds, concats and repeats: symbolic then substituted == numbers written in == PyTorch."""
    network = networks(data)
    symbolic, numeric = derive_both(network.symcnn, network.forms, Conventions())
    assert_agree(symbolic, numeric)
    if torch is not None:
        assert_same_as_torch(network.torch(), numeric)


# --------------------------------------------------------------------- the case that started it


def test_groupnorm_divisibility_is_a_condition() -> None:
    """Issue 12: GroupNorm(5) on (l, H, W) has 2*l parameters only where 5 divides l."""
    d = symcnn.load_spec({"input": ["l", "H", "W"], "layers": [{"type": "groupnorm", "num_groups": 5}]}).derive()
    assert [condition.rule for condition in d.conditions] == ["num_groups must divide num_channels"]
    assert d.subs(l=10).totals.params == 20
    with pytest.raises(symcnn.ShapeError, match="num_groups must divide num_channels"):
        d.subs(l=4)
    with pytest.raises(symcnn.ShapeError, match="num_channels=4 and num_groups=5"):
        symcnn.load_spec({"input": [4, 3, 3], "layers": [{"type": "groupnorm", "num_groups": 5}]}).derive()


def test_a_symbol_used_only_inside_the_network_can_be_substituted() -> None:
    """Found by test_small_networks: an adaptive pool's size 'a', pooled away by the next layer."""
    net = symcnn.Sequential(Input(1, 9, 9), symcnn.AdaptiveAvgPool2d("a"), symcnn.AdaptiveAvgPool2d(1))
    d = net.derive()
    assert symcnn.symbols("a") in d.free_symbols
    assert d.subs(a=3).rows[1].output_shape == (1, 3, 3)
