"""Text with ``\\( \\)`` math marks, turned into HTML, LaTeX, Markdown or plain text."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import sympy

from ...exact.printing import to_latex
from ...render.escape import LATEX_ESCAPES
from ...render.html import escape
from ..answers import BLANK, answer_text

if TYPE_CHECKING:  # the model displays itself through these exporters
    from ..model import Line, Question, Solution

__all__ = [
    "answer_html",
    "blank_cells",
    "html_solution",
    "html_table",
    "html_text",
    "latex_code",
    "latex_solution",
    "latex_text",
    "markdown_solution",
    "markdown_text",
    "only_blank",
    "segments",
    "step_math",
]

_MATH = re.compile(r"\\\((.*?)\\\)", re.DOTALL)
_BLANK = re.compile(re.escape(BLANK).replace(r"\{\}", r"(\d+)"))


def segments(text: str) -> list[tuple[bool, str]]:
    """``[(is_math, content), ...]``: the prose and the math of ``text``, in order."""
    parts: list[tuple[bool, str]] = []
    position = 0
    for match in _MATH.finditer(text):
        if match.start() > position:
            parts.append((False, text[position : match.start()]))
        parts.append((True, match.group(1)))
        position = match.end()
    if position < len(text):
        parts.append((False, text[position:]))
    return parts


def blank_cells(cell: str, write: Callable[[int], str], prose: Callable[[str], str]) -> str:
    """A table cell with its ``[[n]]`` blanks written by ``write`` and the rest by ``prose``."""
    out, position = [], 0
    for match in _BLANK.finditer(cell):
        out.append(prose(cell[position : match.start()]))
        out.append(write(int(match.group(1))))
        position = match.end()
    out.append(prose(cell[position:]))
    return "".join(out)


def only_blank(index: int) -> Callable[[int], str]:
    """Blanks written for a question about blank ``index`` alone: ``?`` there, ``…`` elsewhere."""
    return lambda number: "?" if number == index else "…"


def step_math(line: Line) -> str:
    """``general = substituted = value`` (the parts a line has)."""
    return " = ".join(part for part in (line.general, line.substituted, line.value) if part)


# --- HTML (Moodle, Canvas): MathJax reads \( \) ------------------------------------------------


def html_text(text: str) -> str:
    if "\\(" not in text:  # most table cells and feedback: prose only
        return escape(text)
    return "".join(rf"\({escape(part, quote=False)}\)" if math else escape(part) for math, part in segments(text))


def html_table(question: Question, blank: Callable[[int], str] | None = None) -> str:
    if not question.table:
        return ""
    header, *rows = question.table
    head = "".join(f"<th>{escape(cell)}</th>" for cell in header)
    body = []
    for row in rows:
        cells = [blank_cells(cell, blank, html_text) if blank else html_text(cell) for cell in row]
        body.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    return f'<table border="1"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def value_html(value: sympy.Expr) -> str:
    """An answer as a choice: the number as typed, or a formula as math."""
    typed = answer_text(value)
    return typed if typed is not None else html_text(rf"\({to_latex(value)}\)")


def html_question(question: Question, blank: Callable[[int], str] | None = None) -> str:
    code = f"<pre><code>{escape(question.code)}</code></pre>" if question.code else ""
    return f"<p>{html_text(question.text)}</p>{code}{html_table(question, blank)}"


def html_choice(value: sympy.Expr) -> str:
    """A choice in its list: the number as typed, or a formula as math."""
    return value_html(value)


def answer_html(question: Question) -> str:
    """A question for a notebook: prompt, table, answer, wrong answers to expect, worked solution."""
    answers = "; ".join(
        f"({index}) {value_html(blank.answer)}" if question.is_cloze else value_html(blank.answer)
        for index, blank in enumerate(question.blanks, start=1)
    )
    wrong = "".join(f"<li>{value_html(d.value)}: {html_text(d.feedback)}</li>" for d in question.distractors)
    return (
        f'<div class="symcnn"><p><b>{escape(question.title)}</b></p>{html_question(question, lambda n: f"({n})")}'
        f"<p><b>Answer:</b> {answers}</p>"
        + (f"<p><b>Wrong answers to expect:</b></p><ul>{wrong}</ul>" if wrong else "")
        + f"{html_solution(question.solution)}</div>"
    )


def html_solution(solution: Solution) -> str:
    items = []
    for line in solution.lines:
        rule = f" ({escape(line.rule)})" if line.rule else ""
        items.append(f"<li><b>{escape(line.label)}</b>{rule}: \\({escape(step_math(line), quote=False)}\\)</li>")
    return f"<p><b>Worked solution</b></p><ol>{''.join(items)}</ol><p>{html_text(solution.conclusion)}</p>"


# --- LaTeX ------------------------------------------------------------------------------------


def latex_code(code: str) -> str:
    """Source code verbatim (never inside a macro argument, where verbatim cannot go)."""
    if not code:
        return ""
    return "\n".join([r"\begin{verbatim}", code.rstrip("\n"), r"\end{verbatim}"])


def latex_prose(text: str) -> str:
    return "".join(LATEX_ESCAPES.get(char, char) for char in text)  # the one LaTeX table


def latex_text(text: str) -> str:
    return "".join(rf"\({part}\)" if math else latex_prose(part) for math, part in segments(text))


def latex_solution(solution: Solution) -> str:
    items = []
    for line in solution.lines:
        rule = f" ({latex_prose(line.rule)})" if line.rule else ""
        items.append(rf"\item \textbf{{{latex_prose(line.label)}}}{rule}:\\ \({step_math(line)}\)")
    return "\n".join([r"\begin{enumerate}", *items, r"\end{enumerate}", latex_text(solution.conclusion)])


# --- Markdown (GitHub, Jupyter: $ $ math) ------------------------------------------------------


def markdown_text(text: str) -> str:
    return "".join(f"${part}$" if math else part for math, part in segments(text))


def markdown_solution(solution: Solution) -> str:
    items = []
    for index, line in enumerate(solution.lines, start=1):
        rule = f" ({line.rule})" if line.rule else ""
        items.append(f"{index}. **{line.label}**{rule}: ${step_math(line)}$")
    return "\n".join([*items, "", markdown_text(solution.conclusion)])
