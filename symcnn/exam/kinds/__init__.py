"""The question kinds, each selectable by name, each built on one derivation.

A kind draws a random well-posed network or layer, derives it with the
engine, reads the answer off the derivation (a :class:`~symcnn.Row`'s sizes
or a :class:`~symcnn.Step`'s value), the worked solution off its steps, and
the distractors off modified derivations (:mod:`symcnn.exam.distractors`).
"""

from __future__ import annotations

# Importing the modules registers their kinds, in this order (the default order of a set).
from . import sizes, upsampling, parameters, operations, fields, memory, architectures, code, symbolic  # noqa: F401  isort: skip
from .common import size_distractors
from .registry import KINDS, Kind, kind

__all__ = ["KINDS", "Kind", "kind", "size_distractors"]
