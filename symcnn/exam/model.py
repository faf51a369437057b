"""The data of an exam: questions, their answers, distractors and worked solutions.

Plain frozen data, no formatting: the exporters in :mod:`symcnn.exam.export`
walk it.  Text that contains mathematics marks it as ``\\( ... \\)`` (LaTeX
inside), the delimiters MathJax and Moodle use; each exporter turns the marks
into its own notation and escapes the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy

from .answers import BLANK, answer_text  # re-exported: the exporters import them from there

__all__ = ["BLANK", "Blank", "Distractor", "Exam", "Line", "Question", "Solution", "answer_text"]


@dataclass(frozen=True)
class Distractor:
    """A wrong answer that a named misconception produces, with feedback for the student."""

    value: sympy.Expr
    misconception: str
    feedback: str


@dataclass(frozen=True)
class Blank:
    """One gap to fill: what it asks for, the answer and the wrong answers to expect."""

    label: str
    answer: sympy.Expr
    distractors: tuple[Distractor, ...] = ()


@dataclass(frozen=True)
class Line:
    """One step of a worked solution, as LaTeX: the rule, in general, with values, the result."""

    label: str
    rule: str = ""
    general: str = ""
    substituted: str = ""
    value: str = ""


@dataclass(frozen=True)
class Solution:
    """The worked solution: its steps and a concluding sentence (which may hold math marks)."""

    lines: tuple[Line, ...]
    conclusion: str


@dataclass(frozen=True)
class Question:
    """One question.

    ``text`` is the prompt (math in ``\\( \\)``); ``table`` optionally lists the
    layers of the network (header row first); ``blanks`` holds one answer for
    ordinary questions and one per row for shape tables (cloze).  ``network``
    is the network in the spec-file format, ``grading`` is ``"numerical"`` or
    ``"symbolic"`` (the answer a formula, graded by symbolic equality), and
    ``template`` optionally describes a Moodle calculated variant;
    ``layer`` is the layer a question asks about (numbered from 1), if one.
    """

    kind: str
    difficulty: str
    title: str
    text: str
    blanks: tuple[Blank, ...]
    solution: Solution
    network: dict[str, Any]
    table: tuple[tuple[str, ...], ...] = ()
    grading: str = "numerical"
    template: Template | None = None
    layer: int | None = None  # the layer asked about (1 = the first after the input), if one
    code: str = ""  # a program the question shows verbatim (PyTorch source), if one
    order: tuple[int, ...] = ()  # the choices' order: 0 is the answer, i the i-th distractor

    @property
    def band(self) -> str:
        """The difficulty band: easy = one formula, one layer; medium = a chain; hard = branches, symbols."""
        return self.difficulty

    @property
    def formulas(self) -> tuple[str, ...]:
        """The rules the worked solution applies, in order of first use (what the question tests)."""
        seen: list[str] = []
        for line in self.solution.lines:
            if line.rule and line.rule not in seen:
                seen.append(line.rule)
        return tuple(seen)

    @property
    def shown_names(self) -> tuple[str, ...]:
        """The layer names a student sees: the table's name column, else the names the text introduces."""
        if self.table and "name" in self.table[0]:
            column = self.table[0].index("name")
            return tuple(row[column] for row in self.table[1:])
        return tuple(name for name in self.names_in_text)

    @property
    def names_in_text(self) -> tuple[str, ...]:
        shown = self.text + "\n" + self.code
        return tuple(
            layer["name"] for layer in self.network.get("layers", ()) if "name" in layer and layer["name"] in shown
        )

    def choices(self) -> tuple[tuple[sympy.Expr, Distractor | None], ...]:
        """The multiple-choice options in their shuffled order: ``(value, None)`` is the answer."""
        options: list[tuple[sympy.Expr, Distractor | None]] = [(self.answer, None)]
        options += [(d.value, d) for d in self.distractors]
        order = self.order or tuple(range(len(options)))
        return tuple(options[index] for index in order)

    @property
    def answer(self) -> sympy.Expr:
        return self.blanks[0].answer

    @property
    def distractors(self) -> tuple[Distractor, ...]:
        return self.blanks[0].distractors

    @property
    def is_cloze(self) -> bool:
        return len(self.blanks) > 1

    def _repr_html_(self) -> str:
        # Jupyter: the prompt, the answer and the worked solution (math in \\( \\) for MathJax).
        from .export.text import answer_html

        return answer_html(self)

    def _repr_markdown_(self) -> str:
        from .export.markdown import question

        return "\n".join(question(self, f"**{self.title}**"))

    def key(self) -> tuple[str, str, tuple[tuple[str, ...], ...]]:
        """What makes two questions the same (the set never holds one twice)."""
        return (self.kind, self.text, self.table)


@dataclass(frozen=True)
class Template:
    """A Moodle ``calculated`` question: text and answer formula with ``{name}`` wildcards.

    ``datasets`` gives, for each wildcard, the values of the generated variants
    (item ``i`` of every wildcard belongs together).
    """

    text: str
    formula: str
    datasets: tuple[tuple[str, tuple[int, ...]], ...]


@dataclass(frozen=True)
class Exam:
    """A generated set of questions and how it was made (for reproducibility)."""

    questions: tuple[Question, ...]
    seed: int
    difficulty: str
    kinds: tuple[str, ...]
    title: str = field(default="symcnn exam")
