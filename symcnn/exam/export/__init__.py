"""Exporters, one module per format: Moodle XML, GIFT, QTI 1.2 (zip), LaTeX, Markdown, JSON."""

from __future__ import annotations

from ...errors import SpecError
from ..model import Exam
from . import gift, json, latex, markdown, moodle, qti

__all__ = ["FORMATS", "export"]

FORMATS = ("moodle", "gift", "qti", "latex", "latex-solutions", "markdown", "json")


def export(exam: Exam, fmt: str, *, multichoice: bool = False, exam_class: bool = False) -> str | bytes:
    """``exam`` in format ``fmt`` (``qti`` gives the bytes of a zip, every other format text).

    ``multichoice`` makes Moodle, GIFT and QTI questions multiple choice (from
    the distractors) instead of typed numbers; ``exam_class`` uses LaTeX's
    ``exam`` document class.
    """
    if fmt == "moodle":
        return moodle.render(exam, multichoice=multichoice)
    if fmt == "gift":
        return gift.render(exam, multichoice=multichoice)
    if fmt == "qti":
        return qti.render(exam, multichoice=multichoice)
    if fmt == "latex":
        return latex.render(exam, exam_class=exam_class)
    if fmt == "latex-solutions":
        return latex.render_solutions(exam, exam_class=exam_class)
    if fmt == "markdown":
        return markdown.render(exam)
    if fmt == "json":
        return json.render(exam)
    raise SpecError(f"exam: unknown format {fmt!r} (known: {', '.join(FORMATS)})")
