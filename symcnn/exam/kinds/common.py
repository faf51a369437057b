"""What the question kinds share: math marks, network tables, size distractors, the question record."""

from __future__ import annotations

from typing import Any

import sympy

from ... import Derivation, Row, SymcnnError
from ...exact.printing import to_latex
from .. import distractors as wrong
from ..model import Blank, Distractor, Line, Question
from ..networks import describe
from ..solution import size_lines
from .registry import KINDS

__all__ = [
    "earlier_sizes",
    "height",
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
    return math(r" \times ".join(to_latex(sympy.sympify(size)) for size in shape))


def network_table(
    spec: Spec, last: tuple[str, ...] | None = None, heading: str = "output"
) -> tuple[tuple[str, ...], ...]:
    """The layers of ``spec`` as table rows (header first); ``last`` adds a column headed ``heading``."""
    header = ("#", "layer") + ((heading,) if last is not None else ())
    rows = [("0", "input " + "×".join(str(size) for size in spec["input"])) + (("",) if last is not None else ())]
    for index, layer in enumerate(spec["layers"]):
        rows.append((str(index + 1), describe(layer)) + ((last[index],) if last is not None else ()))
    return (header, *rows)


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
    """Wrong output sizes of ``layer`` on ``shape``: each misconception that changes it."""
    answer = height(row.output_shape)
    base = wrong.one_layer(shape, layer)

    def derived(changed: Spec) -> sympy.Expr | None:
        return wrong.output_height(wrong.derive_spec(changed))

    found: list[Distractor | None] = []
    padding = int(layer.get("padding", 0))
    if padding and layer["type"] in ("conv2d", "maxpool2d", "avgpool2d"):
        pad = {"type": "zeropad2d", "padding": [padding, 0, padding, 0]}
        one_side = wrong.one_layer(shape, {**layer, "padding": 0}, before=(pad,))
        found.append(wrong.make("padded_one_side", derived(one_side)))
    if stride_of(layer) > 1:
        found.append(wrong.make("ignored_stride", derived({**base, "layers": [{**base["layers"][0], "stride": 1}]})))
    if int(layer.get("dilation", 1)) > 1:
        found.append(
            wrong.make("ignored_dilation", derived({**base, "layers": [{**base["layers"][0], "dilation": 1}]}))
        )
    if layer.get("ceil_mode"):
        floored = {**base, "layers": [{**base["layers"][0], "ceil_mode": False}]}
        found.append(wrong.make("ignored_ceil_mode", derived(floored)))
    elif row.sizes:
        found.append(wrong.make("ignored_floor", wrong.unfloored(row.sizes[0])))
    # Last: where it coincides with a more specific misconception (ceil_mode), that one's feedback is kept.
    found.append(wrong.make("missing_plus_one", answer - 1 if answer > 1 else None))
    return wrong.distinct(answer, found)


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
