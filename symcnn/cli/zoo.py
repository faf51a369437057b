"""``symcnn zoo``: the model zoo's builders, with their hyperparameters and defaults."""

from __future__ import annotations

import argparse

NAME = "zoo"
HELP = "list the zoo's models (torchvision's names) with their hyperparameters and defaults"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", nargs="?", help="show one model, e.g. resnet50")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")


def _value(default: object) -> str:
    if isinstance(default, tuple | list):
        return ",".join(str(item) for item in default)
    if isinstance(default, bool):
        return str(default).lower()
    return str(default)


def run(args: argparse.Namespace) -> str:
    from .. import zoo

    if args.model:
        entry = zoo.get(args.model)
        lines = [f"{entry.name}  ({entry.family})  {entry.summary}"]
        lines += [f"  {name} = {_value(default)}" for name, default in entry.hyperparameters.items()]
        usage = f"symcnn derive --zoo {entry.name} --set NAME=VALUE ..."
        return "\n".join([*lines, "", usage]) + "\n"
    lines = []
    for name, entry in sorted(zoo.BUILDERS.items(), key=lambda item: (item[1].family, item[0])):
        settings = " ".join(f"{key}={_value(value)}" for key, value in entry.hyperparameters.items())
        lines.append(f"{name:<20} {settings}")
    return "\n".join(lines) + "\n"
