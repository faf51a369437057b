"""Markdown: each question with its table, answer, distractors and worked solution."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy

from ...exact.printing import to_latex
from ..answers import answer_text
from ..kinds.registry import topics_of

if TYPE_CHECKING:  # the model displays itself through these exporters
    from ..model import Exam, Question
from .text import blank_cells, markdown_solution, markdown_text

__all__ = ["question", "render"]


def _value(value: sympy.Expr) -> str:
    return answer_text(value) or f"${to_latex(value)}$"


def render(exam: Exam) -> str:
    topics = ", ".join(topics_of(list(exam.kinds)))
    out = [f"# {exam.title}", "", f"Topics: {topics}.", "", f"seed {exam.seed}, difficulty {exam.difficulty}", ""]
    for number, item in enumerate(exam.questions, start=1):
        out += question(item, f"## Q{number}. {item.title}")
    return "\n".join(out)


def question(question: Question, heading: str) -> list[str]:
    """One question's lines: heading, prompt, code, table, choices, answer, distractors, worked solution."""
    out = [heading, "", markdown_text(question.text), ""]
    if question.code:
        out += ["```python", question.code.rstrip("\n"), "```", ""]
    if question.table:
        header, *rows = question.table
        out.append("| " + " | ".join(header) + " |")
        out.append("|" + "---|" * len(header))
        for row in rows:
            cells = (blank_cells(cell, lambda n: f"__({n})__", markdown_text) for cell in row)
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    answers = "; ".join(
        f"({index}) {_value(blank.answer)}" if question.is_cloze else _value(blank.answer)
        for index, blank in enumerate(question.blanks, start=1)
    )
    if not question.is_cloze and question.distractors:
        out += [f"- ({'ABCD'[i]}) {_value(value)}" for i, (value, _) in enumerate(question.choices())]
        out.append("")
    out += [f"**Answer:** {answers}", ""]
    if question.distractors:
        out.append("**Wrong answers to expect:**")
        out += [f"- {_value(d.value)}: {d.feedback}" for d in question.distractors]
        out.append("")
    out += ["**Worked solution:**", "", markdown_solution(question.solution), ""]
    return out
