"""Plots of a quantity against one hyperparameter (matplotlib, an optional extra).

``pip install 'symcnn[plot]'``.  One line per network, or per layer
(``per_layer=True``: the ``top`` largest layers, the rest summed as "other
layers"), or the layers' stacked shares of the total (``stacked=True``).  The
values come from an exact :func:`~symcnn.whatif.sweep.sweep`; invalid
configurations are gaps.  Axes turn logarithmic when the values span more than
two decades (``log=None``).  The format follows the file name: ``.png``,
``.svg`` or ``.pdf``.  Rendering uses matplotlib's Agg canvas directly (no
pyplot, no global backend change).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ..derivation.derivation import Derivation
from ..errors import SpecError
from .sweep import SweepResult, parse_axis, sweep

__all__ = ["plot"]

FORMATS = (".png", ".svg", ".pdf")


def _floats(result: SweepResult, name: str) -> np.ndarray:
    """For drawing only: exact integers as floats, NaN where the configuration is invalid."""
    return np.array([np.nan if value is None else float(value) for value in result.column(name)])


def _spans_decades(values: np.ndarray) -> bool:
    positive = values[np.isfinite(values) & (values > 0)]
    return positive.size > 1 and positive.max() / positive.min() > 100


def _layer_quantity(of: str) -> str:
    field = of.removeprefix("total_")
    if field == "flops":
        raise SpecError("per-layer plots: use macs (a layer's FLOPs are 2 x its MACs)")
    return field


def plot(
    derivations: Derivation | Mapping[str, Derivation],
    x: str,
    y: str = "macs",
    output: str | Path = "plot.png",
    *,
    fixed: Mapping[str, object] | None = None,
    per_layer: bool = False,
    stacked: bool = False,
    top: int = 10,
    log: bool | None = None,
    title: str | None = None,
) -> Path:
    """Draw ``y`` against the axis ``x`` (``"H=32:1024:32"``) and write ``output``; returns its path."""
    path = Path(output)  # checked first: a wrong file name is an error with or without matplotlib
    if path.suffix.lower() not in FORMATS:
        raise SpecError(f"plot: the output must end in {', '.join(FORMATS)}, got {path.name!r}")
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise SpecError("plots need matplotlib: pip install 'symcnn[plot]'") from None
    networks = {"": derivations} if isinstance(derivations, Derivation) else dict(derivations)
    if (per_layer or stacked) and len(networks) != 1:
        raise SpecError("plot: per-layer lines and stacked shares need exactly one network")
    axis = parse_axis(x)
    given = dict(fixed or {})
    unknown = set(given) - {s.name for d in networks.values() for s in d.free_symbols}
    if unknown:
        raise SpecError(f"plot: no network has a symbol {sorted(unknown)[0]!r}")
    figure = Figure(figsize=(9 if per_layer or stacked else 7, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    xs = None
    plotted: list[np.ndarray] = []
    for label, derivation in networks.items():
        names = {s.name for s in derivation.free_symbols}
        if axis.name not in names:
            raise SpecError(f"plot: {label or 'the network'} has no symbol {axis.name!r}")
        axes_spec = [x, *(f"{k}={v}" for k, v in given.items() if k in names)]
        if per_layer or stacked:
            field = _layer_quantity(y)
            total = sweep(derivation, axes_spec, quantities=[y])
            layers = [row for row in derivation.layers if _nonzero(derivation, row.name, field)]
            result = sweep(derivation, axes_spec, quantities=[y, *(f"{row.name}.{field}" for row in layers)])
            xs = _floats(result, axis.name)
            multiplicity = {row.name: row.multiplicity for row in layers}
            series = {}
            for row in layers:
                times = multiplicity[row.name]
                factor = float(times) if times.is_number else np.nan
                series[row.name] = _floats(result, f"{row.name}.{field}") * factor
            _draw_layers(axes, xs, series, _floats(total, y), stacked, top)
            plotted += list(series.values())
        else:
            result = sweep(derivation, axes_spec, quantities=[y])
            xs = _floats(result, axis.name)
            values = _floats(result, y)
            axes.plot(xs, values, marker="." if len(xs) < 60 else None, label=label or y)
            plotted.append(values)
    assert xs is not None
    everything = np.concatenate(plotted) if plotted else np.array([])
    if not np.isfinite(everything).any():
        raise SpecError(f"plot: no configuration of {x} is valid; nothing to draw")
    use_log = _spans_decades(everything) if log is None else log
    if use_log and not stacked:
        axes.set_yscale("log")
    if (log is None and _spans_decades(xs)) or (log and not stacked):
        axes.set_xscale("log")
    axes.set_xlabel(axis.name)
    axes.set_ylabel(f"share of {y}" if stacked else y)
    fixed_text = ", ".join(f"{k}={v}" for k, v in given.items())
    axes.set_title(title or (f"{y} against {axis.name}" + (f" ({fixed_text})" if fixed_text else "")))
    axes.grid(True, which="both", alpha=0.3)
    if per_layer or stacked:  # many labels: beside the plot, not over it
        axes.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.01, 0.5))
    elif len(networks) > 1:
        axes.legend(fontsize="small", loc="best")
    figure.tight_layout()
    figure.savefig(path)
    return path


def _nonzero(derivation: Derivation, row: str, field: str) -> bool:
    from .quantities import row_quantity

    return row_quantity(derivation.row(row), field) != 0


def _draw_layers(
    axes, xs: np.ndarray, series: dict[str, np.ndarray], total: np.ndarray, stacked: bool, top: int
) -> None:  # type: ignore[no-untyped-def]
    """The ``top`` layers by their largest value, the rest summed as 'other layers'."""
    ranked = sorted(series, key=lambda name: -np.nanmax(series[name]) if np.isfinite(series[name]).any() else 0)
    kept = ranked[:top]
    rest = ranked[top:]
    lines = {name: series[name] for name in kept}
    if rest:
        lines["other layers"] = np.sum([series[name] for name in rest], axis=0)
    if stacked:
        with np.errstate(invalid="ignore", divide="ignore"):
            shares = [values / total for values in lines.values()]
        axes.stackplot(xs, *(np.nan_to_num(share) for share in shares), labels=list(lines))
        axes.set_ylim(0, 1)
        return
    for name, values in lines.items():
        axes.plot(xs, values, label=name)
