"""What the renderers add on request: a receptive-field column and memory lines."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sympy

from ..exact.printing import to_str
from .common import value_latex, value_text

if TYPE_CHECKING:  # the renderers read a Derivation by its attributes; it imports them
    from ..derivation.derivation import Derivation, Row

__all__ = [
    "MEMORY_LABELS",
    "memory_header",
    "memory_items",
    "receptive_dicts",
    "receptive_latex",
    "receptive_note",
    "receptive_text",
]

MEMORY_LABELS = {
    "params_bytes": "parameters",
    "buffer_bytes": "buffers",
    "gradient_bytes": "gradients",
    "optimizer_bytes": "optimizer state",
    "input_bytes": "input",
    "activation_bytes": "activations",
    "total_bytes": "total",
}


def _joined(values: list[sympy.Expr], show: Any, separator: str) -> str:
    """One value when the axes agree, else one per axis (a sum in parentheses: ``(H + 8)x(W + 8)``)."""
    shown = [show(value) for value in values]
    if len(set(shown)) == 1:
        return shown[0]
    brackets = ("(", ")") if separator == "x" else (r"\left(", r"\right)")
    return separator.join(
        text if value.is_Atom or not isinstance(value, sympy.Add) else f"{brackets[0]}{text}{brackets[1]}"
        for value, text in zip(values, shown, strict=True)
    )


def receptive_text(derivation: Derivation, row: Row) -> str:
    """``11 (jump 4, start -3)``; one value per axis only where the axes differ; ``-`` when refused."""
    if derivation.receptive_fields.refusal(row.name) is not None:
        return "-"
    axes = row.receptive_field
    if not axes:
        return ""
    size = _joined([axis.size for axis in axes], value_text, "x")
    jump = _joined([axis.jump for axis in axes], value_text, "x")
    start = _joined([axis.start for axis in axes], value_text, "x")
    aligned = "" if all(axis.aligned for axis in axes) else ", misaligned"
    return f"{size} (jump {jump}, start {start}{aligned})"


def receptive_latex(derivation: Derivation, row: Row) -> str:
    if derivation.receptive_fields.refusal(row.name) is not None:
        return "--"
    axes = row.receptive_field
    if not axes:
        return ""
    size = _joined([axis.size for axis in axes], value_latex, r" \times ")
    jump = _joined([axis.jump for axis in axes], value_latex, r" \times ")
    start = _joined([axis.start for axis in axes], value_latex, r" \times ")
    return f"${size}$ (jump ${jump}$, start ${start}$)"


def receptive_note(derivation: Derivation) -> str | None:
    """The first refusal, to print under the table: why some rows have no receptive field."""
    for row in derivation.rows:
        why = derivation.receptive_fields.refusal(row.name)
        if why is not None:
            return why
    return None


def receptive_dicts(derivation: Derivation, row: Row) -> list[dict[str, object]] | None:
    if derivation.receptive_fields.refusal(row.name) is not None:
        return None
    return [
        {
            "axis": axis.name,
            "size": _json(axis.size),
            "jump": _json(axis.jump),
            "start": _json(axis.start),
            "aligned": axis.aligned,
            "conditions": [to_str(condition) for condition in axis.conditions],
            "steps": [
                {"quantity": step.quantity, "substituted": step.substituted.text() if step.substituted else None}
                for step in axis.steps
            ],
        }
        for axis in row.receptive_field
    ]


def _json(value: sympy.Expr) -> int | str:
    return int(value) if isinstance(value, sympy.Integer) else to_str(value)


def memory_items(memory: Any, latex: bool = False) -> list[tuple[str, str]]:
    """``(label, bytes)`` pairs, the formula in text or LaTeX."""
    show = value_latex if latex else value_text
    return [(label, show(getattr(memory, key))) for key, label in MEMORY_LABELS.items()]


def memory_header(memory: Any) -> str:
    return (
        f"memory ({memory.convention} convention, batch {to_str(memory.batch)}, {memory.dtype}, "
        f"optimizer {memory.optimizer}), bytes:"
    )
