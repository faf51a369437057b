"""Moodle XML: numerical (tolerance 0, misconceptions as 0 % answers with feedback),
multichoice, cloze (shape tables) and calculated (a template with a dataset).

Built with :mod:`xml.etree.ElementTree`; text goes into CDATA sections (Moodle's
own exporter does the same), so HTML and ``\\( \\)`` math arrive untouched.
Every fraction is taken from :data:`ALLOWED_FRACTIONS`, Moodle's list (a value
outside it aborts the import).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import count

from ..model import Exam, Question, Template, answer_text
from .text import html_question, html_solution, value_html

__all__ = ["ALLOWED_FRACTIONS", "render"]

# question/type/multichoice: the grades Moodle offers (and accepts on import), in percent.
_POSITIVE = (
    "100", "90", "83.33333", "80", "75", "70", "66.66667", "60", "50", "40", "33.33333", "30", "25", "20",
    "16.66667", "14.28571", "12.5", "11.11111", "10", "5", "0",
)  # fmt: skip
ALLOWED_FRACTIONS: tuple[str, ...] = (*_POSITIVE, *(f"-{value}" for value in _POSITIVE[:-1]))

CORRECT = "Correct."


_TOKEN = re.compile(r"@@symcnn-text-\d+@@")


def _cdata(content: str) -> str:
    return "<![CDATA[" + content.replace("]]>", "]]]]><![CDATA[>") + "]]>"


class _Writer:
    """Builds the tree; texts are tokens replaced by CDATA sections after serialising."""

    def __init__(self) -> None:
        self.quiz = ET.Element("quiz")
        self.texts: dict[str, str] = {}
        self._ids = count(1)

    def text(self, parent: ET.Element, tag: str, content: str, fmt: str | None = "html") -> ET.Element:
        element = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
        self.cdata(element, content)
        return element

    def cdata(self, parent: ET.Element, content: str) -> None:
        """A ``<text>`` child holding ``content`` as CDATA."""
        token = f"@@symcnn-text-{next(self._ids)}@@"
        self.texts[token] = content
        ET.SubElement(parent, "text").text = token

    def plain(self, parent: ET.Element, tag: str, content: str) -> ET.Element:
        element = ET.SubElement(parent, tag)
        element.text = content
        return element

    def serialise(self) -> str:
        ET.indent(self.quiz)
        body = ET.tostring(self.quiz, encoding="unicode")
        # One pass over the document (replacing token by token would rescan it each time).
        body = _TOKEN.sub(lambda match: _cdata(self.texts[match.group(0)]), body)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def render(exam: Exam, *, multichoice: bool = False) -> str:
    """The exam as Moodle XML; ``multichoice`` asks for choices instead of typed numbers."""
    writer = _Writer()
    category = None
    for number, question in enumerate(exam.questions, start=1):
        wanted = f"$course$/top/symcnn/{question.difficulty}/{question.kind}"
        if wanted != category:
            category = wanted
            head = ET.SubElement(writer.quiz, "question", {"type": "category"})
            writer.text(head, "category", category, fmt=None)
        name = f"Q{number} {question.title}"
        if question.is_cloze:
            _cloze(writer, name, question)
            continue
        if question.template is not None:
            _calculated(writer, f"{name} (calculated)", question, question.template)
        typeable = answer_text(question.answer) is not None
        if (multichoice or not typeable) and question.distractors:
            _multichoice(writer, name, question)
        elif typeable:
            _numerical(writer, name, question)
    return writer.serialise()


def _header(writer: _Writer, kind: str, name: str, question: Question, text: str) -> ET.Element:
    element = ET.SubElement(writer.quiz, "question", {"type": kind})
    writer.text(element, "name", name, fmt=None)
    writer.text(element, "questiontext", text)
    writer.text(element, "generalfeedback", html_solution(question.solution))
    writer.plain(element, "defaultgrade", "1")
    writer.plain(element, "penalty", "0.3333333")
    writer.plain(element, "hidden", "0")
    return element


def _answer(writer: _Writer, parent: ET.Element, fraction: str, value: str, feedback: str, *, tolerance: bool) -> None:
    assert fraction in ALLOWED_FRACTIONS
    # Numerical answers are plain numbers; choices are HTML (a formula is MathJax math).
    answer = ET.SubElement(
        parent, "answer", {"fraction": fraction, "format": "moodle_auto_format" if tolerance else "html"}
    )
    writer.cdata(answer, value)
    writer.text(answer, "feedback", feedback)
    if tolerance:
        writer.plain(answer, "tolerance", "0")


def _numerical(writer: _Writer, name: str, question: Question) -> None:
    element = _header(writer, "numerical", name, question, html_question(question))
    _answer(writer, element, "100", str(answer_text(question.answer)), CORRECT, tolerance=True)
    for distractor in question.distractors:
        _answer(writer, element, "0", str(answer_text(distractor.value)), distractor.feedback, tolerance=True)
    writer.plain(element, "unitgradingtype", "0")
    writer.plain(element, "unitpenalty", "0.1000000")
    writer.plain(element, "showunits", "3")
    writer.plain(element, "unitsleft", "0")


def _multichoice(writer: _Writer, name: str, question: Question) -> None:
    element = _header(writer, "multichoice", name, question, html_question(question))
    # The choices in the exam's own shuffled order (the same in every format); Moodle shuffles again per student.
    for tag, value in (("single", "true"), ("shuffleanswers", "true"), ("answernumbering", "ABCD")):
        writer.plain(element, tag, value)
    for value, distractor in question.choices():
        if distractor is None:
            _answer(writer, element, "100", value_html(value), CORRECT, tolerance=False)
        else:
            _answer(writer, element, "0", value_html(value), distractor.feedback, tolerance=False)
    for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        writer.text(element, tag, "")


def _cloze_escape(text: str) -> str:
    """Inside a cloze answer block ``} # ~ / " \\`` are special: escape them with a backslash."""
    return "".join("\\" + char if char in '}#~/"\\' else char for char in text)


def _cloze(writer: _Writer, name: str, question: Question) -> None:
    def blank(number: int) -> str:
        entry = question.blanks[number - 1]
        parts = [f"=%100%{answer_text(entry.answer)}:0#{_cloze_escape(CORRECT)}"]
        parts += [
            f"%0%{answer_text(d.value)}:0#{_cloze_escape(d.feedback)}"
            for d in entry.distractors
            if answer_text(d.value) is not None
        ]
        return "{1:NUMERICAL:" + "~".join(parts) + "}"

    _header(writer, "cloze", name, question, html_question(question, blank))


def _calculated(writer: _Writer, name: str, question: Question, template: Template) -> None:
    element = _header(writer, "calculated", name, question, f"<p>{template.text}</p>")
    for tag, value in (("synchronize", "1"), ("single", "0"), ("answernumbering", "abc"), ("shuffleanswers", "1")):
        writer.plain(element, tag, value)
    answer = ET.SubElement(element, "answer", {"fraction": "100"})
    ET.SubElement(answer, "text").text = template.formula
    for tag, setting in (("tolerance", "0"), ("tolerancetype", "1"), ("correctanswerformat", "1")):
        writer.plain(answer, tag, setting)
    writer.plain(answer, "correctanswerlength", "0")
    writer.text(answer, "feedback", CORRECT)
    for tag, value in (("unitgradingtype", "0"), ("unitpenalty", "0.1000000"), ("showunits", "3"), ("unitsleft", "0")):
        writer.plain(element, tag, value)
    definitions = ET.SubElement(element, "dataset_definitions")
    for wildcard, values in template.datasets:
        definition = ET.SubElement(definitions, "dataset_definition")
        writer.text(definition, "status", "private", fmt=None)
        writer.text(definition, "name", wildcard, fmt=None)
        writer.plain(definition, "type", "calculated")
        writer.text(definition, "distribution", "uniform", fmt=None)
        writer.text(definition, "minimum", str(min(values)), fmt=None)
        writer.text(definition, "maximum", str(max(values)), fmt=None)
        writer.text(definition, "decimals", "0", fmt=None)
        writer.plain(definition, "itemcount", str(len(values)))
        items = ET.SubElement(definition, "dataset_items")
        for index, number in enumerate(values, start=1):
            item = ET.SubElement(items, "dataset_item")
            writer.plain(item, "number", str(index))
            writer.plain(item, "value", str(number))
        writer.plain(definition, "number_of_items", str(len(values)))
