"""SVG: the architecture diagram for the HTML report, drawn from the TikZ renderer's layout.

:func:`symcnn.render.tikz.layout` places the boxes (one source of geometry); this
draws the same cuboids, arrows, skip arcs and labels as inline SVG, names and sizes
as text (escaped: names are data).  No script, no outside resource.

>>> from symcnn import zoo
>>> picture = render(zoo.resnet18().derive())
>>> picture.startswith("<svg") and picture.count('class="box"')
7
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..exact.printing import to_str
from . import escape as escapes
from .mathml import escape
from .tikz import layout

if TYPE_CHECKING:  # the renderers read a Derivation by its attributes; it imports them
    from ..derivation.derivation import Derivation

__all__ = ["render"]

SCALE = 60.0  # pixels per unit of the layout
LABELS = 110.0  # room below the boxes for the rotated names and sizes


def render(derivation: Derivation) -> str:
    """The network as an ``<svg>`` element, as wide as its boxes (it scales down to the page)."""
    drawn = layout(derivation)
    if not drawn.placed:
        return ""
    top = max(item.height / 2 + item.depth + (1.3 if item.box.merge else 0.5) for item in drawn.placed)
    bottom = max(item.height / 2 for item in drawn.placed)
    width = (drawn.width + 1.0) * SCALE
    height = (top + bottom) * SCALE + LABELS

    def X(x: float) -> float:
        return (x + 0.5) * SCALE

    def Y(y: float) -> float:
        return (top - y) * SCALE

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="architecture diagram" '
        'style="max-width:100%;height:auto">',
        "<style>.box rect,.box polygon{stroke:#333;stroke-width:1}.diagram text{font:11px sans-serif}</style>",
    ]
    for item in drawn.placed:
        box, x, thick, h, d = item.box, item.x, item.thick, item.height, item.depth
        dx, dy = 0.6 * d, 0.5 * d
        front = _polygon([(x, -h / 2), (x, h / 2), (x + thick, h / 2), (x + thick, -h / 2)], X, Y, "#dde6f7")
        top_face = _polygon(
            [(x, h / 2), (x + dx, h / 2 + dy), (x + thick + dx, h / 2 + dy), (x + thick, h / 2)], X, Y, "#b9c9ee"
        )
        side = _polygon(
            [(x + thick, -h / 2), (x + thick + dx, -h / 2 + dy), (x + thick + dx, h / 2 + dy), (x + thick, h / 2)],
            X, Y, "#eef2fb",
        )  # fmt: skip
        name = box.name + ("" if box.times == 1 else f" ×{to_str(box.times)}")
        size = " × ".join(to_str(value) for value in box.shape[1:])
        label = escape(escapes.text(name + (f", {size}" if size else "")))  # control characters shown, then XML
        channels = escape(to_str(box.shape[0])) if box.shape else ""
        centre = X(x + thick / 2)
        parts.append(f'<g class="box"><title>{label}</title>{front}{top_face}{side}</g>')
        parts.append(_text(X(x + thick / 2 + dx / 2), Y(h / 2 + dy) - 4, channels, "middle"))
        parts.append(_text(centre, Y(-h / 2) + 6, label, "start", rotate=True))
        if x > 0:
            parts.append(_arrow(X(x - drawn.gap), Y(0), X(x), Y(0)))
        if box.merge is not None:
            mark = "+" if box.merge == "add" else "‖"
            start, end, lift = x - drawn.gap / 2, x + thick + drawn.gap / 2, h / 2 + d + 0.9
            parts.append(
                f'<path d="M{X(start):.1f},{Y(h / 2 + d * 0.6):.1f} C{X(x - drawn.gap / 4):.1f},{Y(lift):.1f} '
                f'{X(x + thick + drawn.gap / 4):.1f},{Y(lift):.1f} {X(end):.1f},{Y(h / 2 + d * 0.6):.1f}" '
                'fill="none" stroke="#333"/>'
            )
            parts.append(_text(X((start + end) / 2), Y(lift) + 2, mark, "middle"))
    parts.append("</svg>")
    if drawn.legend:
        items = ", ".join(f"{escape(to_str(name))} = {escape(to_str(value))}" for name, value in drawn.legend)
        parts.append(f'<p class="legend">where {items}</p>')
    return "\n".join(parts)


def _polygon(points, X, Y, fill: str) -> str:  # type: ignore[no-untyped-def]
    coordinates = " ".join(f"{X(x):.1f},{Y(y):.1f}" for x, y in points)
    return f'<polygon points="{coordinates}" fill="{fill}"/>'


def _text(x: float, y: float, content: str, anchor: str, *, rotate: bool = False) -> str:
    """A label (``content`` already escaped); rotated labels read downwards from their point."""
    if rotate:
        return f'<text transform="translate({x:.1f},{y:.1f}) rotate(90)" text-anchor="{anchor}">{content}</text>'
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{content}</text>'


def _arrow(x1: float, y1: float, x2: float, y2: float) -> str:
    head = f"{x2:.1f},{y2:.1f} {x2 - 6:.1f},{y2 - 3:.1f} {x2 - 6:.1f},{y2 + 3:.1f}"
    line = f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2 - 5:.1f}" y2="{y2:.1f}" stroke="#333"/>'
    return line + f'<polygon points="{head}" fill="#333"/>'
