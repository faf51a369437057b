"""TikZ: the architecture as researchers draw it with PlotNeuralNet, one column wide.

One box per stage (:mod:`symcnn.render.stages`), and one per layer of a run of single
layers (``conv1``, ``maxpool``, ``fc``), left to right.  A box's width grows with its
channels (logarithmically), its height and depth with its spatial size; above it the
channels, below it its name and size, symbolic where they are (``2 w``, ``H_3``,
named as in :mod:`symcnn.render.subexpressions`).  A stage whose layers add inputs gets a
skip arc marked ``+``, one that concatenates an arc marked ``\\Vert``.  The picture is
scaled to ``\\linewidth``; it needs only ``tikz`` (no libraries).

>>> import symcnn
>>> from symcnn import zoo
>>> picture = render(zoo.resnet18().derive())
>>> picture.count(r"\\boxat{"), picture.splitlines()[1]
(7, '% needs \\\\usepackage{tikz}')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy

from ..exact.printing import to_latex
from .latex import escape
from .stages import Stage, entry, stages
from .subexpressions import name_sizes

if TYPE_CHECKING:  # the renderers read a Derivation by its attributes; it imports them
    from ..derivation.derivation import Derivation, Row

__all__ = ["Box", "Layout", "Placed", "boxes", "layout", "render"]

_REFERENCE = 224  # symbolic sizes are drawn as if the input were 224 and widths 64 (only for proportions)


@dataclass(frozen=True)
class Box:
    """One box of the diagram: a stage (or a single layer) and the tensor it outputs."""

    name: str
    shape: tuple[sympy.Expr, ...]
    merge: str | None  # "add", "concat" or None: the skip arc drawn over the box
    times: sympy.Expr = sympy.Integer(1)


def _merge(rows: tuple[Row, ...]) -> str | None:
    """How the stage's merging layers combine inputs, read from the shapes: channels summed is a concat."""
    found = None
    for row in rows:
        if len(row.sources) < 2 or not row.input_shapes:
            continue
        channels = sympy.Add(*(shape[0] for shape in row.input_shapes if shape))
        found = "concat" if row.output_shape and sympy.simplify(row.output_shape[0] - channels) == 0 else "add"
    return found


def boxes(derivation: Derivation) -> list[Box]:
    """The diagram's boxes, in order, on the derivation with sizes named."""
    found: list[Box] = []
    for stage in stages(derivation):
        if stage.prefix is None:
            found += [Box(row.name.rsplit(".", 1)[-1], row.output_shape, None) for row in stage.rows if entry(row)]
        else:
            found.append(Box(stage.name, stage.output_shape, _merge(stage.rows), _repeats(stage)))
    return found


def _repeats(stage: Stage) -> sympy.Expr:
    brackets = stage.brackets
    return brackets[0].times if len(brackets) == 1 else sympy.Integer(1)


def _number(expr: sympy.Expr) -> float:
    """A size for drawing only: the symbols at a reference value."""
    value = sympy.sympify(expr)
    if value.free_symbols:
        value = value.subs({symbol: _REFERENCE if symbol.name[:1] in "HWD" else 64 for symbol in value.free_symbols})
    try:
        return max(float(value), 1.0)
    except TypeError:
        return float(_REFERENCE)


def _label(shape: tuple[sympy.Expr, ...]) -> str:
    return r" \times ".join(to_latex(size) for size in shape[1:]) if len(shape) > 1 else ""


@dataclass(frozen=True)
class Placed:
    """A box placed on the page, in the diagram's own units (the TikZ and SVG renderers draw these).

    ``x`` is the left edge of the front face, ``thick`` its width (channels, log scale),
    ``height`` its height (spatial size) and ``depth`` the slant of the cuboid's side.
    """

    box: Box
    x: float
    thick: float
    height: float
    depth: float


@dataclass(frozen=True)
class Layout:
    """The diagram: boxes left to right, the gap between them, the total width, the named sizes."""

    placed: tuple[Placed, ...]
    gap: float
    width: float
    legend: tuple[tuple[sympy.Symbol, sympy.Expr], ...]


def layout(derivation: Derivation) -> Layout:
    """Where every box goes: one source of geometry for every format that draws the network."""
    names = name_sizes(derivation)
    drawn = boxes(names.apply(derivation))
    # Proportions: spatial sizes as a share of the largest, channels on a log scale.
    spatial = [_number(names.expand(box.shape[1])) if len(box.shape) > 1 else 1.0 for box in drawn]
    channels = [_number(names.expand(box.shape[0])) if box.shape else 1.0 for box in drawn]
    top_size, top_channels = max(spatial, default=1.0), max(channels, default=2.0)
    gap = 0.6
    x = 0.0
    placed = []
    for box, size, count in zip(drawn, spatial, channels, strict=True):
        height = 0.5 + 2.0 * math.sqrt(size / top_size)
        thick = 0.15 + 0.45 * math.log2(count + 1) / math.log2(top_channels + 1)
        depth = 0.3 * height
        placed.append(Placed(box, x, thick, height, depth))
        x += thick + depth * 0.6 + gap
    legend = names.used_in(*(size for box in drawn for size in box.shape)).definitions
    return Layout(tuple(placed), gap, max(x - gap, 1.0), tuple(legend))


def render(derivation: Derivation) -> str:
    """A ``tikzpicture`` of the network, scaled to ``\\linewidth``."""
    drawn = layout(derivation)
    gap = drawn.gap
    lines = []
    for item in drawn.placed:
        box, x, thick, height, depth = item.box, item.x, item.thick, item.height, item.depth
        label = _label(box.shape)
        times = "" if box.times == 1 else rf" $\times {to_latex(box.times)}$"
        name = escape(box.name) + times
        lines.append(
            rf"\boxat{{{x:.2f}}}{{{thick:.2f}}}{{{height:.2f}}}{{{depth:.2f}}}"
            rf"{{${to_latex(box.shape[0]) if box.shape else ''}$}}{{{name}{', $' + label + '$' if label else ''}}}"
        )
        if box.merge is not None:
            mark = "+" if box.merge == "add" else r"\Vert"
            lines.append(
                rf"\draw[->] ({x - gap / 2:.2f},{height / 2 + depth * 0.6:.2f}) .. controls "
                rf"({x - gap / 4:.2f},{height / 2 + depth + 0.9:.2f}) and ({x + thick + gap / 4:.2f},"
                rf"{height / 2 + depth + 0.9:.2f}) .. node[above, font=\tiny] {{${mark}$}} "
                rf"({x + thick + gap / 2:.2f},{height / 2 + depth * 0.6:.2f});"
            )
        if x > 0:
            lines.append(rf"\draw[->] ({x - gap:.2f},0) -- ({x:.2f},0);")
    total = drawn.width
    # 6% of the width spare for the labels that overhang the end boxes; one or two boxes are not a page high.
    unit = min(0.94 / total, 0.05)
    preamble = [
        "% diagram, generated by symcnn; regenerate rather than edit",
        r"% needs \usepackage{tikz}",
        r"\par\noindent",
        rf"\begin{{tikzpicture}}[x={unit:.4f}\linewidth, y={unit:.4f}\linewidth]",
        # \boxat{x}{width}{height}{depth}{channels}{name and size}: a cuboid, its front face at x.
        r"\def\boxat#1#2#3#4#5#6{%",
        r"  \draw[fill=blue!12] (#1,-#3/2) rectangle ++(#2,#3);",
        r"  \draw[fill=blue!25] (#1,#3/2) -- ++(0.6*#4,0.5*#4) -- ++(#2,0) -- ++(-0.6*#4,-0.5*#4) -- cycle;",
        r"  \draw[fill=blue!6] (#1+#2,-#3/2) -- ++(0.6*#4,0.5*#4) -- ++(0,#3) -- ++(-0.6*#4,-0.5*#4) -- cycle;",
        # Many boxes: the channel counts stand upright too (side by side they would overlap).
        r"  \node[above, font=\tiny, inner sep=1pt"
        + (", rotate=90, anchor=west" if len(drawn.placed) > 16 else "")
        + r"] at (#1+#2/2+0.3*#4,#3/2+0.5*#4) {#5};",
        r"  \node[rotate=90, anchor=east, font=\tiny, inner sep=1pt] at (#1+#2/2,-#3/2-0.1) {#6};",
        "}",
    ]
    legend = drawn.legend
    body = [*preamble, *lines, r"\end{tikzpicture}\par"]
    if legend:
        items = ", ".join(f"${to_latex(name)} = {_inline(value)}$" for name, value in legend)
        body.append(r"{\raggedright\footnotesize\noindent where " + items + r".\par}")
    return "\n".join(body) + "\n"


def _inline(value: sympy.Expr) -> str:
    from .subexpressions import inline_latex

    return inline_latex(value)
