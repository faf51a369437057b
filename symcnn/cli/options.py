"""Options several subcommands share."""

from __future__ import annotations

import argparse

__all__ = ["OUTPUTS", "add_force"]

OUTPUTS = ("output", "target", "output_dir", "image")  # the destinations of -o: commands that write files


def add_force(parser: argparse.ArgumentParser) -> None:
    """``--force``: replace output files that symcnn did not write (see symcnn/files.py)."""
    parser.add_argument("--force", action="store_true", help="replace output files that symcnn did not write")
