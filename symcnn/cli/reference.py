"""docs/cli.md: the command-line reference, generated from the argument parser.

``python -m symcnn.cli.reference > docs/cli.md`` regenerates it; a test checks it is current.
"""

from __future__ import annotations

import argparse
import os
import sys
from unittest import mock

__all__ = ["reference_markdown"]


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse keeps its subcommands only here
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def reference_markdown() -> str:
    """Every subcommand's ``--help``, at a fixed width so the file does not depend on the terminal."""
    from . import COMMANDS, parser

    with mock.patch.dict(os.environ, {"COLUMNS": "100"}):
        top = parser()
        lines = [
            "# Command-line reference",
            "",
            "Generated from the argument parser by `python -m symcnn.cli.reference > docs/cli.md`;",
            "do not edit by hand (a test checks it is current).",
            "",
            "```text",
            top.format_help().rstrip(),
            "```",
        ]
        commands = _subparsers(top)
        for command in COMMANDS:
            lines += [
                "",
                f"## symcnn {command.NAME}",
                "",
                "```text",
                commands[command.NAME].format_help().rstrip(),
                "```",
            ]
            for name, question in _subparsers(commands[command.NAME]).items():  # symcnn whatif solve, ...
                help_text = question.format_help().rstrip()
                lines += ["", f"### symcnn {command.NAME} {name}", "", "```text", help_text, "```"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(reference_markdown())
