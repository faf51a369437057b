"""GIFT: Moodle's plain-text question format.

Numerical questions list the answer at 100 % and each misconception at 0 %
with its feedback (``{#=832:0#Correct. =%0%800:0#This leaves out the bias...}``);
multiple choice uses ``=``/``~`` and ``#`` feedback; ``$CATEGORY:`` lines group
questions; ``####`` carries the worked solution.  Every ``~ = # { } :`` and
backslash in text is escaped with a backslash (GIFT takes the first unescaped
brace as the answer block), math included: ``\\(`` is written ``\\\\(``.
Shape tables (cloze) become one numerical question per blank.
"""

from __future__ import annotations

from ..model import Blank, Exam, Question, answer_text
from .text import html_question, html_solution, only_blank, value_html

__all__ = ["SPECIAL", "escape", "render"]

SPECIAL = "\\~=#{}:"


def escape(text: str) -> str:
    r"""Escape GIFT's special characters.

    >>> escape(r"\(a = {b}\) # ~ :")
    '\\\\(a \\= \\{b\\}\\\\) \\# \\~ \\:'
    """
    return "".join("\\" + char if char in SPECIAL else char for char in text)


def render(exam: Exam, *, multichoice: bool = False) -> str:
    out: list[str] = []
    category = None
    for number, question in enumerate(exam.questions, start=1):
        wanted = f"$course$/top/symcnn/{question.difficulty}/{question.kind}"
        if wanted != category:
            category = wanted
            out.append(f"$CATEGORY: {category}\n")
        title = f"Q{number} {question.title}"
        if question.is_cloze:
            for index, blank in enumerate(question.blanks, start=1):
                text = html_question(question, only_blank(index))
                text += f"<p>{blank.label}?</p>"
                out.append(_numerical(f"{title} ({index})", text, blank, question))
            continue
        typeable = answer_text(question.answer) is not None
        if (multichoice or not typeable) and question.distractors:
            out.append(_multichoice(title, question))
        elif typeable:
            out.append(_numerical(title, html_question(question), question.blanks[0], question))
    return "\n".join(out)


def _head(title: str, text: str) -> str:
    # A blank line ends a GIFT question: line breaks (in code) become the HTML character reference.
    return f"::{escape(title)}::[html]{escape(text.replace(chr(10), '&#10;'))} "


def _numerical(title: str, text: str, blank: Blank, question: Question) -> str:
    lines = [_head(title, text) + "{#", f"\t={answer_text(blank.answer)}:0#Correct."]
    for distractor in blank.distractors:
        lines.append(f"\t=%0%{answer_text(distractor.value)}:0#{escape(distractor.feedback)}")
    lines.append(f"\t####{escape(html_solution(question.solution))}")
    return "\n".join([*lines, "}", ""])


def _multichoice(title: str, question: Question) -> str:
    lines = [_head(title, html_question(question)) + "{"]
    for value, distractor in question.choices():  # the exam's shuffled order
        if distractor is None:
            lines.append(f"\t={escape(value_html(value))}#Correct.")
        else:
            lines.append(f"\t~{escape(value_html(value))}#{escape(distractor.feedback)}")
    lines.append(f"\t####{escape(html_solution(question.solution))}")
    return "\n".join([*lines, "}", ""])
