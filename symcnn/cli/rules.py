"""``symcnn rules``: the formulas symcnn uses."""

from __future__ import annotations

import argparse

NAME = "rules"
HELP = "list the formulas symcnn uses"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", "-f", choices=("text", "md", "latex"), default="text", help="output format (default: text)"
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")


def run(args: argparse.Namespace) -> str:
    from ..exact.rules import RULES
    from ..render.reference import reference_markdown

    if args.format == "latex":
        return "\n".join(rf"\[ {rule.latex_definition} \]" for rule in RULES.values()) + "\n"
    if args.format == "md":
        return reference_markdown()
    width = max(len(name) for name in RULES)
    return (
        "\n".join(f"{name:<{width}}  {rule.general.text():<40}  {rule.summary}" for name, rule in RULES.items()) + "\n"
    )
