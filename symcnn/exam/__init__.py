"""Exam generator: randomised CNN questions with worked solutions and LMS export.

Built on the engine's derivation: every answer is a value of a derived
:class:`~symcnn.Row` or :class:`~symcnn.Step`, every worked solution shows the
steps' rules, general formulas and substituted formulas, and every wrong answer
comes from a named misconception, computed from the derivation's rules with the misread values
(or by applying the misread layer alone, or deriving a modified network).

>>> from symcnn import exam
>>> quiz = exam.generate(2, seed=7, difficulty="medium", kinds=["total_params", "output_size"])
>>> [q.kind for q in quiz.questions]
['total_params', 'output_size']
>>> exam.export(quiz, "json") == exam.export(exam.generate(2, seed=7, kinds=["total_params", "output_size"]), "json")
True
"""

from __future__ import annotations

from .export import FORMATS, export
from .generate import DEFAULT_KINDS, generate
from .grading import grade
from .kinds import KINDS, Kind
from .misconceptions import MISCONCEPTIONS, Misconception
from .model import Blank, Distractor, Exam, Line, Question, Solution, Template
from .networks import DIFFICULTIES

__all__ = [
    "DEFAULT_KINDS",
    "DIFFICULTIES",
    "FORMATS",
    "KINDS",
    "MISCONCEPTIONS",
    "Blank",
    "Distractor",
    "Exam",
    "Kind",
    "Line",
    "Misconception",
    "Question",
    "Solution",
    "Template",
    "export",
    "generate",
    "grade",
]
