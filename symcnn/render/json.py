"""JSON: numbers as integers, formulas as strings in SymPy syntax."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import sympy

from ..exact.printing import to_str
from ..exact.steps import Step
from .common import collector_paused
from .extras import receptive_dicts

if TYPE_CHECKING:  # the renderers read a Derivation by its attributes; it imports them
    from ..derivation.derivation import Derivation, Row


def _value(value: sympy.Basic) -> int | str:
    return int(value) if isinstance(value, sympy.Integer) else to_str(value)


def _shape(shape: tuple[sympy.Expr, ...]) -> list[int | str]:
    return [_value(size) for size in shape]


def _step(step: Step) -> dict[str, object]:
    return {
        "quantity": step.quantity,
        "rule": step.rule.name if step.rule is not None else None,
        "general": step.general.text() if step.general is not None else None,
        "substituted": step.substituted.text() if step.substituted is not None else None,
        "value": _value(step.value),
    }


def _layer(row: Row) -> dict[str, object]:
    steps = [*row.sizes, row.params, row.non_trainable, row.buffers, row.macs]
    return {
        "index": row.index,
        "name": row.name,
        "type": row.kind,
        "inputs": list(row.sources),
        "output_shape": _shape(row.output_shape),
        "params": _value(row.total_params),
        "trainable_params": _value(row.params.value),
        "non_trainable_params": _value(row.non_trainable.value),
        "buffers": _value(row.buffers.value),
        "macs": _value(row.macs.value),
        "activations": _value(row.activations),
        "multiplicity": _value(row.multiplicity),
        "steps": [_step(step) for step in steps if step.substituted is not None or step.value != 0],
    }


@collector_paused
def as_dict(derivation: Derivation, *, receptive_field: bool = False, memory: Any = None) -> dict[str, object]:
    totals = derivation.totals
    result: dict[str, object] = {
        "input_shape": _shape(derivation.input_shape),
        "input_shapes": [_shape(shape) for shape in derivation.input_shapes],
        "output_shape": _shape(derivation.output_shape),
        "output_shapes": [_shape(shape) for shape in derivation.output_shapes],
        "output_names": [name for name, _ in derivation.outputs],
        "total_params": _value(totals.params),
        "trainable_params": _value(totals.trainable),
        "non_trainable_params": _value(totals.non_trainable),
        "total_buffers": _value(totals.buffers),
        "total_macs": _value(totals.macs),
        "total_flops": _value(totals.flops),
        "total_activations": _value(totals.activations),
        "conventions": derivation.conventions.as_dict(),
        "assumptions": [f"{symbol}%{divisor}==0" for symbol, divisor in derivation.assumptions],
        "conditions": [
            {"where": condition.where, "rule": condition.rule, "relation": to_str(condition.relation)}
            for condition in derivation.essential_conditions
        ],
        "layers": [_layer(row) for row in derivation.layers],
    }
    if receptive_field:
        for layer, row in zip(result["layers"], derivation.layers, strict=True):  # type: ignore[call-overload]
            layer["receptive_field"] = receptive_dicts(derivation, row)
            if layer["receptive_field"] is None:  # say why, as the error would
                layer["receptive_field_refusal"] = derivation.receptive_fields.refusal(row.name)
    if memory is not None:
        result["memory"] = {
            key: _value(value) if isinstance(value, sympy.Basic) else value for key, value in memory.as_dict().items()
        }
    return result


def render(derivation: Derivation, *, receptive_field: bool = False, memory: Any = None) -> str:
    return (
        json.dumps(as_dict(derivation, receptive_field=receptive_field, memory=memory), indent=2, ensure_ascii=False)
        + "\n"
    )
