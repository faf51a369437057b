"""``symcnn layers``: the layer types a spec may use."""

from __future__ import annotations

import argparse

NAME = "layers"
HELP = "list the layer types a spec may use"


def configure(parser: argparse.ArgumentParser) -> None:
    """No options."""


def run(args: argparse.Namespace) -> str:
    from ..layers import LAYERS

    return "\n".join(f"{kind:<20} {cls.__name__}" for kind, cls in sorted(LAYERS.items())) + "\n"
