"""What the question kinds share: math marks, network tables, size distractors, the question record."""

from __future__ import annotations

from typing import Any

import sympy

from ... import Derivation, Row, SymcnnError
from ...exact.printing import to_latex
from ...exact.steps import Window
from ...exact.symbols import symbol
from .. import distractors as wrong
from ..model import Blank, Distractor, Line, Question
from ..networks import describe
from ..solution import size_lines
from .registry import KINDS

__all__ = [
    "earlier_sizes",
    "height",
    "layer_words",
    "math",
    "network_table",
    "paired",
    "question",
    "shape_math",
    "size_distractors",
    "stride_of",
]

Spec = dict[str, Any]


def math(latex: str) -> str:
    return rf"\({latex}\)"


def shape_math(shape: tuple[Any, ...] | list[Any]) -> str:
    return math(r" \times ".join(to_latex(_size(size)) for size in shape))


def _size(size: Any) -> sympy.Expr:
    """A size of a spec (an int, a symbol's name) or of a derivation (SymPy), as SymPy.

    A name becomes the engine's symbol directly: parsing it (``sympy.sympify``)
    cost about a millisecond each, the price of a whole small derivation.
    """
    if isinstance(size, str):
        return symbol(size)  # refuses anything but a name
    return sympy.sympify(size, strict=True)  # ints and SymPy values only: no text is parsed


def network_table(
    spec: Spec,
    last: tuple[str, ...] | None = None,
    heading: str = "output",
    words: dict[str, str] | None = None,
) -> tuple[tuple[str, ...], ...]:
    """The layers of ``spec`` as table rows (header first): number, name, layer in words.

    Every layer a question, an option, a feedback or a solution mentions is named here.
    ``last`` adds a column headed ``heading``; ``words`` replaces the description
    of the layers it names (a layer whose arguments the student is to find).
    """
    header = ("#", "name", "layer") + ((heading,) if last is not None else ())
    first = ("0", "input", "input " + "×".join(str(size) for size in spec["input"]))
    rows = [first + (("",) if last is not None else ())]
    for index, layer in enumerate(spec["layers"]):
        extra = (last[index],) if last is not None else ()
        name = str(layer.get("name", ""))
        rows.append((str(index + 1), name, (words or {}).get(name) or describe(layer), *extra))
    return (header, *rows)


def layer_words(index: int, layer: dict[str, Any]) -> str:
    """How a question names a layer of its table: ``layer 3 (conv2d2: conv2d, 16 filters 3×3)``."""
    return f"layer {index + 1} ({layer['name']}: {describe(layer)})"


def paired(spec: Spec, derivation: Derivation) -> list[tuple[Row, dict[str, Any]]]:
    """The derivation's layer rows beside the spec's layers (both in the spec's order)."""
    rows = derivation.layers
    if len(rows) != len(spec["layers"]) or any(
        row.kind != layer["type"] for row, layer in zip(rows, spec["layers"], strict=True)
    ):
        raise SymcnnError("exam: the derivation's rows do not follow the spec's layers")  # pragma: no cover
    return list(zip(rows, spec["layers"], strict=True))


def height(shape: tuple[sympy.Expr, ...]) -> sympy.Expr:
    """The output size a question asks for: the height of a map, or the feature count."""
    return shape[1] if len(shape) > 1 else shape[0]


def stride_of(layer: dict[str, Any]) -> int:
    if "stride" in layer:
        return int(layer["stride"])
    return int(layer["kernel_size"]) if layer["type"].endswith("pool2d") else 1


def size_distractors(shape: tuple[sympy.Expr, ...], layer: dict[str, Any], row: Row) -> tuple[Distractor, ...]:
    """Wrong output sizes of ``layer`` on ``shape``: each misconception that changes it.

    Each is the size of a modified layer: padding on one side (a ``ZeroPad2d`` in
    front), no padding, stride 1, dilation 1, no ``ceil_mode``, the stride taken
    first (a strided 1×1 subsampling in front of the window).  A sliding window's
    sizes come from the row's own size rule with the changed geometry
    (:func:`~symcnn.exam.distractors.window_height`); other layers' from the modified layer applied alone.
    """
    if layer["type"] == "flatten":
        return _flatten_distractors(shape, row)
    answer = height(row.output_shape)
    size = height(tuple(shape))
    window = row.sizes[0].window if row.sizes else None
    sized = _window_sizes(size, layer, window) if window is not None else _derived_sizes(shape, layer)
    found: list[Distractor | None] = [wrong.make(name, value) for name, value in sized]
    if row.sizes and not layer.get("ceil_mode"):
        fraction = wrong.unfloored(row.sizes[0])
        found.append(wrong.make("ignored_floor", fraction))
        found.append(wrong.make("rounded_up", None if fraction is None else sympy.ceiling(fraction)))
    # Last: where it coincides with a more specific misconception (ceil_mode), that one's feedback is kept.
    found.append(wrong.make("missing_plus_one", answer - 1 if answer > 1 else None))
    found.append(wrong.make("same_size", size))
    return wrong.distinct(answer, found)


Sized = list[tuple[str, sympy.Expr | None]]


def _window_sizes(size: sympy.Expr, layer: dict[str, Any], window: Window) -> Sized:
    """The misread sizes of a sliding window (convolution, pooling), from its size rule."""
    padding, stride = int(window.padding), stride_of(layer)
    at = wrong.window_height
    sized: Sized = []
    if padding:
        sized.append(("padded_one_side", at(size + padding, window, padding=0)))
        sized.append(("ignored_padding", at(size, window, padding=0)))
    if stride > 1:
        sized.append(("ignored_stride", at(size, window, stride=1)))
        subsampling = Window(sympy.Integer(1), sympy.Integer(stride), sympy.Integer(0))
        subsampled = at(size + 2 * padding, subsampling)
        unstrided = None if subsampled is None else at(subsampled, window, stride=1, padding=0, ceil_mode=False)
        sized.append(("stride_before_kernel", unstrided))
    if "stride" not in layer and not layer["type"].endswith("pool2d"):
        sized.append(("stride_as_kernel", at(size, window, stride=window.kernel)))
    if int(window.dilation) > 1:
        sized.append(("ignored_dilation", at(size, window, dilation=1)))
    if window.ceil_mode:
        sized.append(("ignored_ceil_mode", at(size, window, ceil_mode=False)))
    return sized


def _derived_sizes(shape: tuple[sympy.Expr, ...], layer: dict[str, Any]) -> Sized:
    """The misread sizes of a layer without a sliding window (a transposed convolution), each the changed layer's."""

    def derived(changed: dict[str, Any]) -> sympy.Expr | None:
        return wrong.height_of(wrong.apply_layer(shape, {**layer, **changed}))

    sized: Sized = []
    if stride_of(layer) > 1:
        sized.append(("ignored_stride", derived({"stride": 1})))
    if int(layer.get("dilation", 1)) > 1:
        sized.append(("ignored_dilation", derived({"dilation": 1})))
    return sized


def _flatten_distractors(shape: tuple[sympy.Expr, ...], row: Row) -> tuple[Distractor, ...]:
    """Flatten's features (C·H·W) as a student who forgets a factor counts them."""
    channels, *spatial = (sympy.Integer(int(size)) for size in shape)
    found = [
        wrong.make("flatten_forgot_channels", sympy.Mul(*spatial)),
        wrong.make("flatten_one_side", channels * spatial[0]) if spatial else None,
        wrong.make("global_pool_not_flatten", channels),
        wrong.make("flatten_added", channels + sum(spatial)),
    ]
    return wrong.distinct(height(row.output_shape), found)


def question(kind_name: str, difficulty: str, text: str, answer: sympy.Expr, **fields: Any) -> Question:
    distractors = fields.pop("distractors", ())
    return Question(
        kind=kind_name,
        difficulty=difficulty,
        title=KINDS[kind_name].summary,
        text=text,
        blanks=(Blank("answer", answer, wrong.distinct(answer, distractors)),),
        **fields,
    )


def earlier_sizes(derivation: Derivation, upto: int) -> list[Line]:
    """Size lines of the rows before layer ``upto`` whose shape changes (how l and i are found)."""
    lines: list[Line] = []
    for row in derivation.layers[:upto]:
        lines.extend(size_lines(row))
    return lines
