"""The ``symcnn`` command line: one small module per subcommand.

Each subcommand module has ``NAME``, ``HELP``, ``configure(parser)`` (its
arguments) and ``run(args) -> str`` (the text to print or write to ``-o``; or an iterator of
pieces of it, for outputs too large to hold as one string).
Adding a subcommand is a new module and one entry in :data:`COMMANDS`.

Bad input ends with one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import NoReturn

from ..errors import SymcnnError
from ..files import check_target, write_files
from ..render.escape import text as escaped
from . import derive, exam, layers, paper, rules, whatif, zoo
from .options import OUTPUTS, add_force

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
        if any(action.dest in OUTPUTS for action in sub._actions):
            add_force(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    # Exact big integers are a feature: inputs are capped (1000 digits, 500-character formulas), so the
    # totals printed stay bounded; Python's 4300-digit guard on int -> str would only break them.
    previous = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        return _main(argv)
    finally:
        sys.set_int_max_str_digits(previous)


def _main(argv: Sequence[str] | None) -> int:
    args = parser().parse_args(argv)
    try:
        for destination in ("output", "target", "image"):  # a refused -o FILE is refused before the work
            if getattr(args, destination, None):
                check_target(getattr(args, destination), force=args.force)
        text = args.run(args)
        pieces = [text] if isinstance(text, str) else text  # a sweep's rows come in pieces
        if getattr(args, "output", None):
            write_files({args.output: (piece.encode("utf-8") for piece in pieces)}, force=args.force)
        else:
            for piece in pieces:
                sys.stdout.write(piece)
    except SymcnnError as error:
        # One line, always: a multi-line message (every unsupported node of a model) is joined.
        print(f"symcnn: error: {escaped(' '.join(str(error).split()))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # an internal bug: still one line, but say it is ours
        if os.environ.get("SYMCNN_DEBUG"):
            raise
        print(
            f"symcnn: internal error: {type(error).__name__}: {escaped(' '.join(str(error).split()))} "
            "(please report; SYMCNN_DEBUG=1 shows a traceback)",
            file=sys.stderr,
        )
        return 1
    # A check that found something to report (``paper --check``) or a question answered "no"
    # (``whatif solve`` with no value meeting the bounds) sets its own status: 1, not bad input.
    return int(getattr(args, "exit_status", 0))
