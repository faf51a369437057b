"""The registry of question kinds: each kind has a name, a one-line summary and a builder."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from ..model import Question

__all__ = ["KINDS", "Builder", "Kind", "kind"]

Builder = Callable[[random.Random, str], Question]


@dataclass(frozen=True)
class Kind:
    name: str
    summary: str
    build: Builder


KINDS: dict[str, Kind] = {}


def kind(name: str, summary: str) -> Callable[[Builder], Builder]:
    """Register a question builder under ``name`` (the order of registration is the default order)."""

    def register(build: Builder) -> Builder:
        KINDS[name] = Kind(name, summary, build)
        return build

    return register
