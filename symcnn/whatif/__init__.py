"""What-if analysis on any :class:`~symcnn.Derivation`: exact answers from the formulas.

- :func:`solve` — the largest (or smallest) integer value of one symbol meeting a
  bound (``params <= 20e6``), the other symbols fixed; floors and validity
  conditions respected exactly.
- :func:`sensitivity` and :func:`shares` — forward difference, derivative,
  elasticity; each layer's share of a total.
- :func:`compare` — difference and ratio of two networks, simplified.
- :func:`sweep` — millions of configurations, vectorised, with exact integers.
- :func:`plot` — a quantity against a hyperparameter (matplotlib, optional).

Quantities are named as in the JSON output: ``params``, ``trainable_params``,
``macs``, ``flops``, ``output_shape[1]``, ``layer3.0.conv2.params``.

>>> from symcnn import Conv2d, Input, Sequential
>>> net = Sequential(Input(3, "H", "W"), Conv2d(out_channels="k", kernel_size=3, padding=1))
>>> solve(net.derive(), "params <= 1000", largest="k").value
35
"""

from __future__ import annotations

from .compare import Comparison, compare
from .evaluate import Formula, Predicate
from .plot import plot
from .quantities import formula_text, quantity
from .sensitivity import Sensitivity, Share, sensitivity, shares
from .solve import Solution, solve
from .sweep import SweepResult, parse_axis, sweep

__all__ = [
    "Comparison",
    "Formula",
    "Predicate",
    "Sensitivity",
    "Share",
    "Solution",
    "SweepResult",
    "compare",
    "formula_text",
    "parse_axis",
    "plot",
    "quantity",
    "sensitivity",
    "shares",
    "solve",
    "sweep",
]
