"""The registry of question kinds: each kind has a name, a one-line summary and a builder."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the registry holds builders; the questions they make are the model's
    from ..model import Question

__all__ = ["KINDS", "TOPICS", "Builder", "Kind", "kind", "topics_of"]

Builder = Callable[[random.Random, str], "Question"]


@dataclass(frozen=True)
class Kind:
    name: str
    summary: str
    build: Builder
    topic: str = "other"


KINDS: dict[str, Kind] = {}

# The topics of a CNN course, in the order a course (and ``--list-kinds``) takes them.
TOPICS = (
    "sizes and shapes",
    "parameters",
    "operations",
    "receptive fields",
    "memory",
    "architectures",
    "reading code",
    "formulas",
)


def kind(name: str, summary: str, topic: str) -> Callable[[Builder], Builder]:
    """Register a question builder under ``name`` in ``topic`` (registration order is the default order)."""
    if topic not in TOPICS:
        raise ValueError(f"exam: unknown topic {topic!r} for kind {name!r}")  # pragma: no cover

    def register(build: Builder) -> Builder:
        KINDS[name] = Kind(name, summary, build, topic)
        return build

    return register


def topics_of(names: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The topics the kinds ``names`` cover, in course order."""
    wanted = {KINDS[name].topic for name in names}
    return tuple(topic for topic in TOPICS if topic in wanted)
