"""JSON: every question as data, for other tools and for grading (:func:`symcnn.exam.grade`)."""

from __future__ import annotations

import json
from typing import Any

from ...exact.printing import to_str
from ..kinds.registry import KINDS, topics_of
from ..model import Distractor, Exam, Question, answer_text

__all__ = ["as_dict", "render"]


def _value(value: Any) -> str:
    return answer_text(value) or to_str(value)


def _distractor(distractor: Distractor) -> dict[str, str]:
    return {
        "value": _value(distractor.value),
        "misconception": distractor.misconception,
        "feedback": distractor.feedback,
    }


def _question(question: Question) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": question.kind,
        "topic": KINDS[question.kind].topic if question.kind in KINDS else None,
        "difficulty": question.difficulty,
        "band": question.band,
        "formulas": list(question.formulas),
        "title": question.title,
        "text": question.text,
        "grading": question.grading,
        "answer": [_value(b.answer) for b in question.blanks] if question.is_cloze else _value(question.answer),
        "network": question.network,
        "layer": question.layer,
        "table": [list(row) for row in question.table],
        "solution": {
            "steps": [line.__dict__.copy() for line in question.solution.lines],
            "conclusion": question.solution.conclusion,
        },
        "distractors": [_distractor(d) for d in question.distractors],
        "choices": [{"value": _value(value), "correct": distractor is None} for value, distractor in question.choices()]
        if not question.is_cloze and question.distractors
        else [],
    }
    if question.code:
        data["code"] = question.code
    if question.is_cloze:
        data["blanks"] = [
            {"label": b.label, "answer": _value(b.answer), "distractors": [_distractor(d) for d in b.distractors]}
            for b in question.blanks
        ]
        data["distractors"] = []
    if question.template is not None:
        data["template"] = {
            "text": question.template.text,
            "formula": question.template.formula,
            "datasets": {name: list(values) for name, values in question.template.datasets},
        }
    return data


def as_dict(exam: Exam) -> dict[str, Any]:
    return {
        "title": exam.title,
        "seed": exam.seed,
        "difficulty": exam.difficulty,
        "kinds": list(exam.kinds),
        "topics": list(topics_of(list(exam.kinds))),
        "questions": [_question(question) for question in exam.questions],
    }


def render(exam: Exam) -> str:
    return json.dumps(as_dict(exam), indent=2, ensure_ascii=False) + "\n"
