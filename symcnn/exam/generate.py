"""Generate a set of distinct, reproducible questions.

The same seed gives the same questions, byte for byte, in every format: one
:class:`random.Random` drives every choice, in a fixed order, and nothing
depends on set or dict iteration that could vary between runs.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace

from .. import SpecError
from .kinds import KINDS, Kind
from .model import Exam, Question
from .networks import DIFFICULTIES

__all__ = ["CHOICES", "DEFAULT_KINDS", "WRONG", "generate", "shuffled"]

DEFAULT_KINDS = tuple(KINDS)
LEVELS = (*DIFFICULTIES, "mixed")
WRONG = 3  # wrong options every question needs (so guessing scores 25 %, never 50 %)
CHOICES = WRONG + 1
RETRIES = 200  # draws of one question (new numbers each) before giving up


def enough_distractors(question: Question) -> bool:
    """Every blank has at least :data:`WRONG` distinct misconceptions (distinct from the answer too)."""
    return all(len(blank.distractors) >= WRONG for blank in question.blanks)


def shuffled(question: Question, rng: random.Random) -> Question:
    """The question with :data:`CHOICES` options (the first ``WRONG`` misconceptions) in a random order.

    The answer's position is uniform over A-D: ``rng.shuffle`` draws each permutation equally often.
    """
    if question.is_cloze:
        return question
    order = list(range(CHOICES))
    rng.shuffle(order)
    kept = replace(question.blanks[0], distractors=question.distractors[:WRONG])
    return replace(question, blanks=(kept,), order=tuple(order))


MAX_COUNT = 1000  # a question bank, not a stress test: about a second per 50 questions


def generate(
    count: int = 10,
    seed: int = 0,
    difficulty: str = "medium",
    kinds: Sequence[str] | None = None,
) -> Exam:
    """``count`` distinct questions of the given kinds, taking turns, from ``seed``.

    ``difficulty`` is ``easy``, ``medium``, ``hard`` or ``mixed`` (the three in turn).

    >>> exam = generate(3, seed=7, difficulty="easy", kinds=["layer_params"])
    >>> [q.kind for q in exam.questions], len({q.text for q in exam.questions})
    (['layer_params', 'layer_params', 'layer_params'], 3)
    """
    names = tuple(kinds) if kinds else DEFAULT_KINDS
    unknown = [name for name in names if name not in KINDS]
    if unknown:
        raise SpecError(f"exam: unknown question kind {unknown[0]!r} (known: {', '.join(KINDS)})")
    if difficulty not in LEVELS:
        raise SpecError(f"exam: difficulty must be one of {', '.join(LEVELS)}, got {difficulty!r}")
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise SpecError(f"exam: count must be a positive integer, got {count!r}")
    if count > MAX_COUNT:  # refused before any work: each question derives a network
        raise SpecError(f"exam: at most {MAX_COUNT:,} questions per exam, got {count:,}")
    rng = random.Random(seed)
    questions: list[Question] = []
    seen: set[tuple[object, ...]] = set()
    misses = 0
    while len(questions) < count:
        turn = len(questions) + misses
        level = DIFFICULTIES[turn % 3] if difficulty == "mixed" else difficulty
        question = _draw(KINDS[names[turn % len(names)]], rng, level)
        if question.key() in seen:
            misses += 1
            if misses > 20 * count + 100:
                raise SpecError(
                    f"exam: found only {len(questions)} distinct questions of kinds {', '.join(names)} "
                    f"at difficulty {difficulty}; ask for fewer or allow more kinds"
                )
            continue
        seen.add(question.key())
        questions.append(question)
    return Exam(tuple(questions), seed=seed, difficulty=difficulty, kinds=names)


def _draw(kind: Kind, rng: random.Random, level: str) -> Question:
    """A question of ``kind`` with enough distinct misconceptions: drawn again (new numbers) until it has."""
    for _ in range(RETRIES):
        question = kind.build(rng, level)
        if enough_distractors(question):
            return shuffled(question, rng)
    raise SpecError(
        f"exam: kind {kind.name!r} at difficulty {level} gave fewer than {WRONG} distinct wrong answers "
        f"in {RETRIES} draws"
    )
