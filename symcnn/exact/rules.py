"""Every formula symcnn knows, each written once as a plain Python function.

One source, three views:

* called with SymPy values it computes the exact result (``//`` is a floor);
* called with :mod:`symcnn.exact.display` leaves it records the formula as written,
  for the step-by-step derivation (``(5*5*1 + 1)*32``);
* read by latexify-py it gives the textbook definition for LaTeX and the docs.

The notation (the textbook's, where it has one) is :data:`NOTATION`, printed
with the reference; a test checks that every rule parameter is in it.  Shape
rules follow the formulas in PyTorch's documentation; the special cases are the
relationships of Dumoulin & Visin, "A guide to convolution arithmetic for deep
learning" (2016).
"""

from __future__ import annotations

import ast
import linecache
import textwrap
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property, lru_cache
from itertools import chain
from typing import Any

import sympy

from .display import Shown, show
from .simplify import collapse_floors, floor_div
from .values import integer

__all__ = ["NOTATION", "RULES", "Rule", "rule"]


@dataclass(frozen=True)
class Rule:
    """A named formula: its function, a one-line summary and where it comes from."""

    name: str
    function: Callable[..., Any]
    summary: str

    def __call__(self, **values: sympy.Expr) -> sympy.Expr:
        """The exact value, nested floors collapsed."""
        numbers = _integers(values)
        if numbers is not None:
            result = _in_numbers(self.function, numbers)
            if result is not None:
                return result
        # the cache key is one flat tuple (name, value, name, value, ...): a deep network fills the cache
        return _evaluate(self.function, *chain.from_iterable(sorted(values.items())))

    def shown(self, values: Mapping[str, Any]) -> Shown:
        """The formula with ``values`` in place of its parameters, as written."""
        return show(self.function, values)

    @cached_property
    def general(self) -> Shown:
        """The formula in its own notation."""
        return show(self.function, {name: name for name in self.parameters})

    @cached_property
    def parameters(self) -> tuple[str, ...]:
        code = self.function.__code__
        return code.co_varnames[: code.co_argcount]

    @cached_property
    def latex_definition(self) -> str:
        """``\\mathrm{name}(i, n) = ...`` rendered by latexify-py from the source."""
        import latexify

        return str(latexify.get_latex(self.function, use_math_symbols=True))


class _Exact:
    """A SymPy value whose ``//`` is :func:`floor_div` (exact, and fast on deep networks)."""

    __slots__ = ("expr",)

    def __init__(self, expr: Any) -> None:
        self.expr = expr

    def __add__(self, other: Any) -> _Exact:
        return _Exact(self.expr + _raw(other))

    def __radd__(self, other: Any) -> _Exact:
        return _Exact(_raw(other) + self.expr)

    def __sub__(self, other: Any) -> _Exact:
        return _Exact(self.expr - _raw(other))

    def __rsub__(self, other: Any) -> _Exact:
        return _Exact(_raw(other) - self.expr)

    def __mul__(self, other: Any) -> _Exact:
        return _Exact(self.expr * _raw(other))

    def __rmul__(self, other: Any) -> _Exact:
        return _Exact(_raw(other) * self.expr)

    def __truediv__(self, other: Any) -> _Exact:
        return _Exact(self.expr / _raw(other))

    def __rtruediv__(self, other: Any) -> _Exact:
        return _Exact(_raw(other) / self.expr)

    def __floordiv__(self, other: Any) -> _Exact:
        return _Exact(floor_div(self.expr, _raw(other)))

    def __rfloordiv__(self, other: Any) -> _Exact:
        return _Exact(floor_div(_raw(other), self.expr))

    def __pow__(self, other: Any) -> _Exact:
        return _Exact(self.expr ** _raw(other))

    def __neg__(self) -> _Exact:
        return _Exact(-self.expr)


def _raw(value: Any) -> Any:
    return value.expr if isinstance(value, _Exact) else sympy.sympify(value, strict=True)


@lru_cache(maxsize=65536)
def _in_numbers(function: Callable[..., Any], arguments: tuple[tuple[str, int], ...]) -> sympy.Integer | None:
    """:func:`_number_value` as a SymPy integer (remembered: a network repeats its layers' values)."""
    result = _number_value(function, arguments)
    return None if result is None else integer(result)


def _number_value(function: Callable[..., Any], arguments: tuple[tuple[str, int], ...]) -> int | None:
    """The rule's value for integer arguments in Python's exact arithmetic, or None to ask SymPy.

    Python's ``//`` floors like the rule's.  Plain ints first; a rule with ``/`` (``n*m*l/g``) makes
    a float there, never trusted: it runs as its integer form instead, each ``/`` an exact division
    (and is remembered as one that divides, to go there directly); a division with a remainder is
    computed again in exact ratios.  A result that is not an integer (or a division by zero) is
    left to SymPy, which says what it is.
    """
    numbers = dict(arguments)
    try:
        if function not in _DIVIDING:
            result = function(**numbers)
            if type(result) is int:
                return result
            _DIVIDING.add(function)  # a float came out of a /: never trusted, and never asked for again
        whole = _integer_form(function)
        if whole is not None:
            try:
                result = whole(**numbers)
            except _Inexact:
                result = None
            if type(result) is int:
                return result
        try:
            ratio = function(**{name: _Ratio(value, 1) for name, value in numbers.items()})
        except TypeError:  # an operation _Ratio does not know: Python's fractions know them all
            ratio = None
        if isinstance(ratio, _Ratio):
            return ratio.n // ratio.d if ratio.n % ratio.d == 0 else None
        exact = function(**{name: Fraction(value) for name, value in numbers.items()})
    except (ZeroDivisionError, OverflowError):
        return None
    if isinstance(exact, Fraction | sympy.Integer) and exact == int(exact):  # SymPy's functions of fractions are exact
        return int(exact)
    return exact if type(exact) is int else None


class _Inexact(ArithmeticError):
    """A ``/`` of the integer form left a remainder: the rule is computed in exact ratios instead."""


def _quotient(dividend: Any, divisor: Any) -> int:
    """``/`` in a rule's integer form: the exact quotient of two ints, or :class:`_Inexact`."""
    if type(dividend) is int and type(divisor) is int and divisor != 0 and dividend % divisor == 0:
        return dividend // divisor
    raise _Inexact


class _Divisions(ast.NodeTransformer):
    """Each ``a / b`` becomes ``_quotient(a, b)``."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        if not isinstance(node.op, ast.Div):
            return node
        call = ast.Call(ast.Name("_quotient", ast.Load()), [node.left, node.right], [])
        return ast.copy_location(call, node)


_DIVIDING: set[Callable[..., Any]] = set()


@lru_cache(maxsize=256)  # one per rule (a rule defined by a user's layer too)
def _integer_form(function: Callable[..., Any]) -> Callable[..., Any] | None:
    """The rule compiled from its own source with ``/`` as :func:`_quotient`: plain int arithmetic.

    ``None`` when its source cannot be read (the exact ratios serve then).
    """
    definition = _definition(function)
    if definition is None:
        return None
    definition.decorator_list = []
    module = ast.fix_missing_locations(ast.Module([_Divisions().visit(definition)], []))
    compiled = compile(module, f"<integer form of {function.__qualname__}>", "exec")
    # The definition's code object, made a function directly: only the rule's own file is read, nothing is run.
    code = next(item for item in compiled.co_consts if isinstance(item, types.CodeType))
    if code.co_freevars:  # a rule defined inside a function: its closure cannot be rebuilt here
        return None
    namespace: dict[str, Any] = {**function.__globals__, "_quotient": _quotient}
    return types.FunctionType(code, namespace, function.__name__, function.__defaults__)


def _definition(function: Callable[..., Any]) -> ast.FunctionDef | None:
    """The rule's definition as parsed from its file: its decorators, ``def`` line and indented body.

    Read directly (``inspect.getsource`` scans every module and tokenizes: milliseconds per rule).
    """
    code = function.__code__
    lines = linecache.getlines(code.co_filename)[code.co_firstlineno - 1 :]
    if not lines:
        return None
    indent = len(lines[0]) - len(lines[0].lstrip())
    block = [lines[0]]
    for line in lines[1:]:
        if line.strip() and len(line) - len(line.lstrip()) <= indent and not line.lstrip().startswith(("def ", ")")):
            break
        block.append(line)
    try:
        found = ast.parse(textwrap.dedent("".join(block))).body[0]
    except (SyntaxError, IndexError):
        return None
    return found if isinstance(found, ast.FunctionDef) and found.name == function.__name__ else None


class _Ratio:
    """An exact rational n/d (d > 0) for the rules' ``+ - * / //``: cheaper than ``Fraction``,
    which reduces by the gcd at every step; a rule's few operations on small values need not."""

    __slots__ = ("d", "n")

    def __init__(self, n: int, d: int) -> None:
        self.n, self.d = n, d

    @staticmethod
    def _of(value: Any) -> tuple[int, int]:
        if type(value) is _Ratio:
            return value.n, value.d
        if type(value) is int:
            return value, 1
        raise TypeError(f"not a rational: {value!r}")

    def __add__(self, other: Any) -> _Ratio:
        n, d = _Ratio._of(other)
        return _Ratio(self.n * d + n * self.d, self.d * d)

    __radd__ = __add__

    def __sub__(self, other: Any) -> _Ratio:
        n, d = _Ratio._of(other)
        return _Ratio(self.n * d - n * self.d, self.d * d)

    def __rsub__(self, other: Any) -> _Ratio:
        n, d = _Ratio._of(other)
        return _Ratio(n * self.d - self.n * d, self.d * d)

    def __mul__(self, other: Any) -> _Ratio:
        n, d = _Ratio._of(other)
        return _Ratio(self.n * n, self.d * d)

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> _Ratio:
        n, d = _Ratio._of(other)
        return _Ratio._divided(self.n * d, self.d * n)

    def __rtruediv__(self, other: Any) -> _Ratio:
        n, d = _Ratio._of(other)
        return _Ratio._divided(n * self.d, d * self.n)

    def __floordiv__(self, other: Any) -> _Ratio:
        n, d = _Ratio._of(other)
        return _Ratio((self.n * d) // (self.d * n), 1)  # Python floors for either sign; 0 raises

    def __rfloordiv__(self, other: Any) -> _Ratio:
        n, d = _Ratio._of(other)
        return _Ratio((n * self.d) // (d * self.n), 1)

    def __neg__(self) -> _Ratio:
        return _Ratio(-self.n, self.d)

    def __pow__(self, other: Any) -> _Ratio:
        if type(other) is not int or other < 0:
            raise TypeError("only a natural power")
        return _Ratio(self.n**other, self.d**other)

    @staticmethod
    def _divided(n: int, d: int) -> _Ratio:
        if d == 0:
            raise ZeroDivisionError("division by zero")
        return _Ratio(-n, -d) if d < 0 else _Ratio(n, d)


def _integers(values: Mapping[str, Any]) -> tuple[tuple[str, int], ...] | None:
    """The values as (name, Python int) pairs when all are integers (SymPy's or Python's), else None."""
    numbers = []
    for name, value in values.items():
        if isinstance(value, sympy.Integer):
            numbers.append((name, value.p))  # its Python int (what int() returns, without the call)
        elif type(value) is int:
            numbers.append((name, value))
        else:
            return None
    return tuple(numbers)


@lru_cache(maxsize=65536)
def _evaluate(function: Callable[..., Any], *names_and_values: Any) -> sympy.Expr:
    # Deep networks repeat the same layer on the same sizes: the value is cached.
    pairs = zip(names_and_values[::2], names_and_values[1::2], strict=True)
    result = function(**{name: _Exact(value) for name, value in pairs})
    return collapse_floors(_raw(result))


RULES: dict[str, Rule] = {}

NOTATION: dict[str, str] = {
    "i": "input size (one spatial dimension)",
    "n": "kernel size",
    "m": "in size_ceil_exact, min(s + p - d(n - 1) - 1, 0)",
    "kernel": "kernel volume n*m (q*n*m in 3-d)",
    "p": "padding",
    "p_before": "padding before",
    "p_after": "padding after",
    "s": "stride",
    "d": "dilation",
    "a": "output padding",
    "u": "scale numerator (scale u/v); in attention, the number of keys",
    "v": "scale denominator; in embeddings, the number of tokens",
    "l": "input maps (channels or features in)",
    "k": "output maps (channels or features out)",
    "g": "groups",
    "b": "bias terms per output (1 or 0)",
    "o": "output positions",
    "c": "features (channels) normalised or scaled",
    "e": "embedding size",
    "r": "rows a dense layer is applied to; in an LSTM, the projection size",
    "h": "hidden units of a recurrent layer",
    "x": "input features of a recurrent layer",
    "t": "time steps (sequence length); in attention, the number of queries",
    "G": "gates of a recurrent cell (RNN 1, GRU 3, LSTM 4)",
    "D": "directions (2 if bidirectional)",
    "L": "recurrent layers after the first",
    "R": "receptive field size of the layer's input (one spatial axis)",
    "J": "jump (distance in input pixels between neighbouring units) of the layer's input",
    "A": "start of the receptive field of the input's unit 0 (minus the effective padding)",
    "kd": "key size of attention",
    "vd": "value size of attention",
    "w": "keys after bias_kv and zero_attn",
    "z": "1 with bias_k/bias_v, else 0",
    "cn": "connections between input and output maps (LeNet-5's connection table)",
}


def rule(summary: str) -> Callable[[Callable[..., Any]], Rule]:
    """Register a formula function under its own name."""

    def register(function: Callable[..., Any]) -> Rule:
        name = function.__name__
        if name in RULES:
            raise ValueError(f"rule {name!r} is defined twice")
        RULES[name] = made = Rule(name, function, summary)
        return made

    return register


# --- output sizes of sliding windows (one spatial dimension) -----------------


@rule("no padding, unit stride (Dumoulin & Visin, relationship 1)")
def size_valid(i, n):  # type: ignore[no-untyped-def]
    return i - (n - 1)


@rule("zero padding, unit stride (relationship 2)")
def size_padded(i, n, p):  # type: ignore[no-untyped-def]
    return i + 2 * p - (n - 1)


@rule("padding 'same': the output keeps the input size (unit stride)")
def size_same(i):  # type: ignore[no-untyped-def]
    return i


@rule("padding 'same' as TensorFlow and ONNX pad: ceil(i/s) outputs, the padding made up to fit")
def size_same_strided(i, s):  # type: ignore[no-untyped-def]
    return (i - 1) // s + 1  # ceil(i/s), written as the window rules write their floors


@rule("non-overlapping windows, stride = kernel, no padding")
def size_tiled(i, n):  # type: ignore[no-untyped-def]
    return i // n


@rule("padding and stride (relationships 5 and 6)")
def size_strided(i, n, p, s):  # type: ignore[no-untyped-def]
    return (i + 2 * p - n) // s + 1


@rule("padding, stride and dilation (PyTorch Conv/MaxPool; relationship 15)")
def size_dilated(i, n, p, s, d):  # type: ignore[no-untyped-def]
    return (i + 2 * p - d * (n - 1) - 1) // s + 1


@rule("ceil_mode: the last partial window counts (before PyTorch's start check)")
def size_ceil(i, n, p, s, d):  # type: ignore[no-untyped-def]
    return (i + 2 * p - d * (n - 1) - 1 + (s - 1)) // s + 1


@rule("ceil_mode when the last window would start past the input: PyTorch drops it")
def size_ceil_dropped(i, n, p, s, d):  # type: ignore[no-untyped-def]
    return (i + 2 * p - d * (n - 1) - 1 + (s - 1)) // s


@rule("ceil_mode, dropping a last window that starts past the input; m = min(s + p - d(n - 1) - 1, 0)")
def size_ceil_exact(i, p, s, m):  # type: ignore[no-untyped-def]
    return (i + p - 1 + m) // s + 1


@rule("transposed convolution (PyTorch ConvTranspose; relationship 14 with dilation)")
def size_transposed(i, n, p, s, d, a):  # type: ignore[no-untyped-def]
    return (i - 1) * s - 2 * p + d * (n - 1) + a + 1


@rule("explicit padding before and after (ZeroPad)")
def size_padded_sides(i, p_before, p_after):  # type: ignore[no-untyped-def]
    return i + p_before + p_after


@rule("upsampling by a scale factor r = u/v (PyTorch floors)")
def size_scaled(i, u, v):  # type: ignore[no-untyped-def]
    return (i * u) // v


# --- receptive fields (Araujo, Norris & Sim, Distill 2019; one spatial axis) ------


@rule("receptive field: the input's, plus the window's span in input jumps")
def receptive_size(R, n, d, J):  # type: ignore[no-untyped-def]
    return R + d * (n - 1) * J


@rule("jump: neighbouring outputs are s input units apart")
def receptive_jump(J, s):  # type: ignore[no-untyped-def]
    return J * s


@rule("start: the padding moves the first window p input units to the left")
def receptive_start(A, p, J):  # type: ignore[no-untyped-def]
    return A - p * J


# --- trainable parameters -------------------------------------------------------


@rule("convolution: k filters of n*m*l/g weights, plus b biases each")
def conv_params(kernel, l, k, g, b):  # type: ignore[no-untyped-def]
    return (kernel * l / g + b) * k


@rule("transposed convolution: weight l x k/g x kernel, plus b*k biases")
def conv_transpose_params(kernel, l, k, g, b):  # type: ignore[no-untyped-def]
    return kernel * l * k / g + b * k


@rule("dense layer: k units of l weights, plus b biases each")
def linear_params(l, k, b):  # type: ignore[no-untyped-def]
    return (l + b) * k


@rule("normalisation with scale and shift: two per feature")
def affine_params(c):  # type: ignore[no-untyped-def]
    return 2 * c


@rule("one value per feature")
def per_feature(c):  # type: ignore[no-untyped-def]
    return c


@rule("fixed statistics: mean and variance per feature, plus the count of samples seen")
def normalization_statistics(c):  # type: ignore[no-untyped-def]
    return 2 * c + 1


@rule("BatchNorm buffers: running mean and variance, plus num_batches_tracked")
def batchnorm_buffers(c):  # type: ignore[no-untyped-def]
    return 2 * c + 1


@rule("embedding table: one row of e values per token")
def embedding_params(v, e):  # type: ignore[no-untyped-def]
    return v * e


@rule("recurrent layer: G gates of h units; layer 1 reads x, the L - 1 others D*h; b bias pairs")
def recurrent_params(D, G, h, x, L, b):  # type: ignore[no-untyped-def]
    return D * (G * h * (x + h + 2 * b) + L * G * h * (D * h + h + 2 * b))


@rule("LSTM with projection to r: W_hh reads r, W_hr maps h to r")
def lstm_proj_params(D, h, r, x, L, b):  # type: ignore[no-untyped-def]
    return D * (4 * h * (x + r + 2 * b) + r * h + L * (4 * h * (D * r + r + 2 * b) + r * h))


@rule("multi-head attention: q, k, v and output projections (+ biases, + bias_k/bias_v)")
def attention_params(e, kd, vd, b, z):  # type: ignore[no-untyped-def]
    return e * (e + kd + vd) + 3 * b * e + (e * e + b * e) + 2 * z * e


@rule("trainable subsampling (LeNet-5): one coefficient and one bias per map")
def subsampling_params(c):  # type: ignore[no-untyped-def]
    return 2 * c


@rule("partially connected convolution: n*m weights per connection, plus b biases per output map")
def connection_table_params(kernel, cn, k, b):  # type: ignore[no-untyped-def]
    return kernel * cn + b * k


# --- multiply-accumulates -------------------------------------------------------


@rule("convolution: each output value sums n*m*l/g products")
def conv_macs(o, k, kernel, l, g):  # type: ignore[no-untyped-def]
    return o * k * (kernel * l / g)


@rule("transposed convolution: each input value feeds n*m*k/g products")
def conv_transpose_macs(o, l, kernel, k, g):  # type: ignore[no-untyped-def]
    return o * l * (kernel * k / g)


@rule("dense layer: r rows of l*k products")
def linear_macs(r, l, k):  # type: ignore[no-untyped-def]
    return r * l * k


@rule("recurrent layer over t steps (gate matrix products only)")
def recurrent_macs(t, D, G, h, x, L):  # type: ignore[no-untyped-def]
    return t * D * (G * h * (x + h) + L * G * h * (D * h + h))


@rule("LSTM with projection over t steps")
def lstm_proj_macs(t, D, h, r, x, L):  # type: ignore[no-untyped-def]
    return t * D * (4 * h * (x + r) + r * h + L * (4 * h * (D * r + r) + r * h))


@rule("attention, t queries over u keys (w after bias_kv/zero_attn): projections, scores, sum")
def attention_macs(t, u, w, e, kd, vd):  # type: ignore[no-untyped-def]
    return t * e * e + u * e * (kd + vd) + 2 * t * w * e + t * e * e


@rule("trainable subsampling: each output value is one window sum times its map's coefficient")
def subsampling_macs(o, c):  # type: ignore[no-untyped-def]
    return o * c


@rule("partially connected convolution: each output position sums n*m products per connection")
def connection_table_macs(o, kernel, cn):  # type: ignore[no-untyped-def]
    return o * kernel * cn


# --- tensor operations and windowed attention (transformers) -----------------------------

NOTATION.update(
    {
        "start": "first index taken (after clipping to the size)",
        "stop": "index where taking stops (after clipping to the size)",
        "step": "step between the indices taken",
        "win": "window size (one spatial dimension)",
        "T": "tokens after padding to a multiple of the window",
        "N": "tokens per window (partition)",
        "rt": "rows of the relative-position bias table",
        "nh": "attention heads",
        "bq": "1 with a qkv bias, else 0",
        "bp": "1 with an output-projection bias, else 0",
        "f": "hidden units of Swin V2's position-bias MLP",
        "j": "input size along the second spatial dimension",
        "P": "number of partitions (windows or grid cells)",
        "q": "upscale (or downscale) factor of a pixel shuffle",
    }
)


@rule("slice start:stop:step of a dimension (start and stop clipped to its size)")
def slice_length(start, stop, step):  # type: ignore[no-untyped-def]
    return (stop - start + step - 1) // step


@rule("padded up to a whole number of windows")
def window_cover(i, win):  # type: ignore[no-untyped-def]
    return (i + win - 1) // win * win


@rule("patch merging: padded to even, then 2x2 patches")
def size_halved_up(i):  # type: ignore[no-untyped-def]
    return (i + 1) // 2


@rule("windows (partitions) of p x p positions")
def partitions(i, j, p):  # type: ignore[no-untyped-def]
    return (i // p) * (j // p)


@rule("pixel shuffle: each dimension grows by the factor")
def size_shuffled(i, q):  # type: ignore[no-untyped-def]
    return i * q


@rule("pixel unshuffle: each dimension shrinks by the factor")
def size_unshuffled(i, q):  # type: ignore[no-untyped-def]
    return i // q


@rule("window attention (Swin): qkv and output projections, plus the relative-position bias table")
def window_attention_params(c, bq, bp, rt, nh):  # type: ignore[no-untyped-def]
    return (c + bq) * 3 * c + (c + bp) * c + rt * nh


@rule("window attention (Swin V2): projections, logit scales, and the position-bias MLP 2 -> f -> nh")
def window_attention_v2_params(c, bq, bp, nh, f):  # type: ignore[no-untyped-def]
    return (c + bq) * 3 * c + (c + bp) * c + nh + (2 + 1) * f + f * nh


@rule("window attention on T padded tokens in windows of N: projections, scores, weighted sum")
def window_attention_macs(T, c, N):  # type: ignore[no-untyped-def]
    return T * c * 3 * c + 2 * T * N * c + T * c * c


@rule("window attention (Swin V2): as V1, plus the position-bias MLP on rt relative offsets")
def window_attention_v2_macs(T, c, N, rt, f, nh):  # type: ignore[no-untyped-def]
    return T * c * 3 * c + 2 * T * N * c + T * c * c + rt * (2 * f + f * nh)


@rule("relative-position index: one entry per pair of the N tokens of a window")
def relative_index_buffers(N):  # type: ignore[no-untyped-def]
    return N * N


@rule("Swin V2 buffers: the relative-position index and the rt x 2 coordinates table")
def relative_index_v2_buffers(N, rt):  # type: ignore[no-untyped-def]
    return N * N + 2 * rt


@rule("relative-position attention (MaxViT): qkv and merge projections with biases, plus the bias table")
def relative_attention_params(c, rt, nh):  # type: ignore[no-untyped-def]
    return (c + 1) * 3 * c + (c + 1) * c + rt * nh


@rule("relative-position attention over P partitions of N tokens: projections, scores, weighted sum")
def relative_attention_macs(P, N, c):  # type: ignore[no-untyped-def]
    return P * N * c * 3 * c + 2 * P * N * N * c + P * N * c * c
