"""``symcnn exam``: randomised questions with worked solutions, for Moodle, GIFT, Canvas, LaTeX."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import SpecError
from ..exam import FORMATS, KINDS, export, generate
from ..exam.generate import LEVELS
from ..exam.kinds.registry import TOPICS
from ..files import with_mark, write_files

NAME = "exam"
HELP = "generate exam questions with worked solutions (Moodle XML, GIFT, QTI, LaTeX, Markdown, JSON)"
CHOICES = tuple(name for name in FORMATS if name != "latex-solutions")


def configure(run: argparse.ArgumentParser) -> None:
    run.add_argument("--count", type=int, default=10, help="number of questions (default: 10, at most 1,000)")
    run.add_argument("--seed", type=int, default=0, help="random seed: the same seed gives the same file (default: 0)")
    run.add_argument("--difficulty", choices=LEVELS, default="medium", help="difficulty (default: medium)")
    run.add_argument(
        "--kinds", metavar="KIND,KIND", help="question kinds, comma-separated (default: all; --list-kinds)"
    )
    run.add_argument("--format", "-f", choices=CHOICES, default="markdown", help="output format (default: markdown)")
    run.add_argument("--multichoice", action="store_true", help="moodle/gift/qti: multiple choice instead of numbers")
    run.add_argument("--exam-class", action="store_true", help="latex: use the exam document class")
    run.add_argument("--list-kinds", action="store_true", help="list the question kinds and exit")
    run.add_argument(
        "-o",
        "--output",
        dest="target",
        metavar="FILE",
        help="write to FILE (latex also writes FILE-solutions.tex; qti needs a FILE.zip)",
    )


def run(args: argparse.Namespace) -> str:
    if args.list_kinds:
        return _kinds_by_topic()
    kinds = [name.strip() for name in args.kinds.split(",") if name.strip()] if args.kinds else None
    exam = generate(args.count, seed=args.seed, difficulty=args.difficulty, kinds=kinds)
    result = export(exam, args.format, multichoice=args.multichoice, exam_class=args.exam_class)
    if isinstance(result, bytes):
        if not args.target:
            raise SpecError("--format qti writes a zip file: give -o FILE.zip")
        write_files({args.target: result}, force=args.force)
        return ""
    if not args.target:
        return result
    target = Path(args.target)
    syntax = {"gift": "gift", "moodle": "xml", "markdown": "html"}.get(args.format)
    files: dict[str | Path, str | bytes] = {target: with_mark(result, syntax) if syntax else result}
    if args.format == "latex":  # the exam and its solutions: both written, or neither
        solutions = export(exam, "latex-solutions", exam_class=args.exam_class)
        assert isinstance(solutions, str)
        files[target.with_name(f"{target.stem}-solutions{target.suffix or '.tex'}")] = solutions
    write_files(files, force=args.force)
    return ""


def _kinds_by_topic() -> str:
    """The kinds under their topics, in course order: ``receptive fields:`` then ``  receptive_field  ...``."""
    out = []
    for topic in TOPICS:
        members = [kind for kind in KINDS.values() if kind.topic == topic]
        if members:
            out.append(f"{topic}:\n")
            out.extend(f"  {kind.name:<20} {kind.summary}\n" for kind in members)
    return "".join(out)
