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

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..derivation.derivation import Derivation
from ..errors import SpecError
from ..files import MARK, write_files
from .quantities import row_quantity
from .sweep import SweepResult, parse_axis, sweep

__all__ = ["LayerSeries", "layer_series", "plot", "quantity_label"]

FORMATS = (".png", ".svg", ".pdf")


def _floats(result: SweepResult, name: str) -> np.ndarray:
    """For drawing only: exact integers as floats, NaN where the configuration is invalid."""
    return np.array([np.nan if value is None else float(value) for value in result.column(name)])


def _as_floats(values: list[int | None]) -> np.ndarray:
    return np.array([np.nan if value is None else float(value) for value in values])


def _spans_decades(values: np.ndarray) -> bool:
    positive = values[np.isfinite(values) & (values > 0)]
    return positive.size > 1 and positive.max() / positive.min() > 100


def _layer_quantity(of: str) -> str:
    field = of.removeprefix("total_")
    if field == "flops":
        raise SpecError("per-layer plots: use macs (a layer's FLOPs are 2 x its MACs)")
    return field


UNITS = {
    "params": "parameters",
    "trainable_params": "trainable parameters",
    "non_trainable_params": "non-trainable parameters",
    "buffers": "buffers (elements)",
    "macs": "MACs (multiply-accumulates)",
    "flops": "FLOPs (2 x MACs)",
    "activations": "activations (elements)",
}


def quantity_label(name: str) -> str:
    """An axis label: the quantity with its unit (``MACs (multiply-accumulates)``)."""
    plain = name.removeprefix("total_")
    if plain in UNITS:
        return UNITS[plain]
    row, dot, field = name.rpartition(".")
    if dot and field in UNITS:
        return f"{row}: {UNITS[field]}"
    return f"{name} (size, elements)" if "shape[" in name else name


@dataclass(frozen=True)
class LayerSeries:
    """Each layer's part of a total along one axis, its copies counted (a ``Repeat`` of ``N`` blocks
    counts ``N`` times, ``N`` taken from the axis or ``fixed``); exact integers, ``None`` where invalid.

    ``series`` holds the ``top`` largest layers and "other layers" (the rest summed): at every
    valid point they add up to ``total``.
    """

    x: str
    xs: list[int]
    total: list[int | None]
    series: dict[str, list[int | None]]

    def shares(self) -> dict[str, np.ndarray]:
        """Each series over the total, as floats for drawing (NaN where invalid or the total is 0)."""
        total = np.array([np.nan if t in (None, 0) else float(t) for t in self.total])
        return {name: _as_floats(values) / total for name, values in self.series.items()}


def layer_series(
    derivation: Derivation, x: str, y: str, fixed: Mapping[str, object] | None = None, top: int = 10
) -> LayerSeries:
    """The per-layer data of ``plot(per_layer=True)`` and ``plot(stacked=True)``."""
    field = _layer_quantity(y)
    axis = parse_axis(x)
    names = {s.name for s in derivation.free_symbols}
    axes = [x, *(f"{k}={v}" for k, v in (fixed or {}).items() if k in names)]
    layers = [row for row in derivation.layers if row_quantity(row, field) != 0]
    counted = [row for row in layers if not row.multiplicity.is_number]  # a symbolic Repeat count
    wanted = [y, *(f"{row.name}.{field}" for row in layers), *(f"{row.name}.multiplicity" for row in counted)]
    result = sweep(derivation, axes, quantities=list(dict.fromkeys(wanted)))
    parts: dict[str, list[int | None]] = {}
    for row in layers:
        copies = result.column(f"{row.name}.multiplicity") if row in counted else None
        values = result.column(f"{row.name}.{field}")
        parts[row.name] = [
            None if v is None else v * (int(row.multiplicity) if copies is None else copies[i])  # type: ignore[operator]
            for i, v in enumerate(values)
        ]
    ranked = sorted(parts, key=lambda name: -max((v for v in parts[name] if v is not None), default=0))
    series = {name: parts[name] for name in ranked[:top]}
    rest = ranked[top:]
    if rest:
        series["other layers"] = [
            None if any(parts[name][i] is None for name in rest) else sum(parts[name][i] for name in rest)  # type: ignore[misc]
            for i in range(len(result))
        ]
    return LayerSeries(axis.name, [int(v) for v in result.columns[axis.name]], result.column(y), series)


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
    force: bool = False,
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
            data = layer_series(derivation, x, y, given, top)
            xs = np.array(data.xs, dtype=float)
            series = {name: _as_floats(values) for name, values in data.series.items()}
            _draw_layers(axes, xs, series, data.shares(), stacked)
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
    axes.set_ylabel(f"share of {quantity_label(y)}" if stacked else quantity_label(y))
    if not use_log and not stacked:  # 1.2G rather than 1.2e9 at the top of the axis
        from matplotlib.ticker import EngFormatter

        axes.yaxis.set_major_formatter(EngFormatter())
    fixed_text = ", ".join(f"{k}={v}" for k, v in given.items())
    axes.set_title(title or (f"{y} against {axis.name}" + (f" ({fixed_text})" if fixed_text else "")))
    axes.grid(True, which="both", alpha=0.3)
    if per_layer or stacked:  # many labels: beside the plot, not over it
        axes.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.01, 0.5))
    elif len(networks) > 1:
        axes.legend(fontsize="small", loc="best")
    figure.tight_layout()
    image = io.BytesIO()
    kind = path.suffix.lower().lstrip(".")
    figure.savefig(image, format=kind, metadata={"Software": f"matplotlib, {MARK}"} if kind == "png" else None)
    write_files({path: image.getvalue()}, force=force)  # atomic; replaces only symcnn's own plots
    return path


def _draw_layers(axes, xs: np.ndarray, series: dict[str, np.ndarray], shares: dict[str, np.ndarray], stacked: bool):  # type: ignore[no-untyped-def]
    # Ten colours for the top layers; "other layers" in grey, never a colour the cycle repeats.
    colours = ["0.75" if name == "other layers" else f"C{index % 10}" for index, name in enumerate(series)]
    if stacked:
        axes.stackplot(xs, *(np.nan_to_num(share) for share in shares.values()), labels=list(shares), colors=colours)
        axes.set_ylim(0, 1)
        return
    for (name, values), colour in zip(series.items(), colours, strict=True):
        axes.plot(xs, values, label=name, color=colour, linestyle="--" if name == "other layers" else "-")
