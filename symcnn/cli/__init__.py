"""The ``symcnn`` command line: one small module per subcommand.

Each subcommand module has ``NAME``, ``HELP``, ``configure(parser)`` (its
arguments) and ``run(args) -> str`` (the text to print or write to ``-o``).
Adding a subcommand is a new module and one entry in :data:`COMMANDS`.

Bad input ends with one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import NoReturn

from ..errors import SpecError, SymcnnError
from . import derive, exam, layers, paper, rules, whatif, zoo

COMMANDS: tuple[ModuleType, ...] = (derive, rules, layers, paper, whatif, exam, zoo)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # prog is "symcnn" for the top level and "symcnn derive" for a subcommand.
        self.exit(2, f"symcnn: error: {message} (see {self.prog} --help)\n")


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``symcnn`` and all its subcommands."""
    top = _Parser(prog="symcnn", description="Convolutional networks as exact mathematics.")
    commands = top.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for command in COMMANDS:
        sub = commands.add_parser(command.NAME, help=command.HELP, description=command.HELP)
        sub.set_defaults(run=command.run)
        command.configure(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        text = args.run(args)
        if getattr(args, "output", None):
            try:
                Path(args.output).write_text(text, encoding="utf-8")
            except OSError as error:
                raise SpecError(f"cannot write {args.output}: {error.strerror or error}") from None
        else:
            sys.stdout.write(text)
    except SymcnnError as error:
        # One line, always: a multi-line message (every unsupported node of a model) is joined.
        print(f"symcnn: error: {' '.join(str(error).split())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # an internal bug: still one line, but say it is ours
        if os.environ.get("SYMCNN_DEBUG"):
            raise
        print(
            f"symcnn: internal error: {type(error).__name__}: {error} "
            "(please report; SYMCNN_DEBUG=1 shows a traceback)",
            file=sys.stderr,
        )
        return 1
    # A check that found something to report (``paper --check``) sets its own status.
    return int(getattr(args, "exit_status", 0))
