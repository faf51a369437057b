"""The ``symcnn`` command line.

Bad input ends with one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from .conventions import Conventions
from .derivation import Derivation
from .derive import derive
from .errors import SpecError, SymcnnError
from .examples import MNIST
from .network import Input, Network
from .spec import load_spec

FORMATS = ("text", "md", "markdown", "latex", "json")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"symcnn: error: {message} (see symcnn {self.prog.split()[-1]} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="symcnn", description="Convolutional networks as exact mathematics.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser("derive", help="derive shapes, parameters and MACs of a network, step by step")
    run.add_argument("spec", nargs="?", help="YAML or JSON spec file (default: the embedded MNIST example)")
    run.add_argument("--subs", nargs="+", default=[], metavar="NAME=VALUE", help="substitute values, e.g. H=28 k=64")
    run.add_argument("--assume", nargs="+", default=[], metavar="H%32==0", help="assume divisibility, e.g. H%%32==0")
    run.add_argument("--format", "-f", choices=FORMATS, default="text", help="output format (default: text)")
    run.add_argument("--standalone", action="store_true", help="LaTeX: a complete document for pdflatex")
    run.add_argument("--conventions", choices=("pytorch", "keras"), default="pytorch", help="counting convention")
    run.add_argument(
        "--torch", metavar="MODULE:BUILDER", help="import a PyTorch model, e.g. torchvision.models:resnet50"
    )
    run.add_argument("--input", metavar="C,H,W", help="input shape for --torch, e.g. 3,H,W")
    run.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")

    rules = commands.add_parser("rules", help="list the formulas symcnn uses")
    rules.add_argument("--format", "-f", choices=("text", "md", "latex"), default="text")
    rules.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")

    commands.add_parser("layers", help="list the layer types a spec may use")
    return parser


def _substitutions(pairs: Sequence[str]) -> dict[str, str]:
    values = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name.strip().isidentifier() or not value.strip():
            raise SpecError(f"--subs expects NAME=VALUE, got {pair!r}")
        values[name.strip()] = value.strip()
    return values


def _network(args: argparse.Namespace) -> Network:
    if args.torch:
        if args.spec:
            raise SpecError("give either a spec file or --torch, not both")
        return _torch_network(args.torch, args.input)
    if args.input:
        raise SpecError("--input is only used with --torch")
    return load_spec(args.spec) if args.spec else load_spec(MNIST)


def _torch_network(target: str, shape: str | None) -> Network:
    import importlib

    module_name, colon, builder_name = target.partition(":")
    if not colon or not module_name or not builder_name.isidentifier():
        raise SpecError(f"--torch expects MODULE:BUILDER, e.g. torchvision.models:resnet50, got {target!r}")
    if not shape:
        raise SpecError("--torch needs --input, e.g. --input 3,H,W")
    try:
        from .adapters.torch import from_torch
    except ImportError:
        raise SpecError("--torch needs PyTorch: pip install 'symcnn[torch]'") from None
    try:
        builder = getattr(importlib.import_module(module_name), builder_name)
    except (ImportError, AttributeError) as error:
        raise SpecError(f"cannot load {target}: {error}") from None
    sizes = tuple(int(part) if part.isdigit() else part for part in (item.strip() for item in shape.split(",")))
    if any(part == "" for part in sizes):
        raise SpecError(f"--input expects sizes separated by commas, e.g. 3,H,W, got {shape!r}")
    Input(*sizes)  # a bad size is reported as such, before the model is traced
    return from_torch(builder(), sizes)


def _render(derivation: Derivation, fmt: str, standalone: bool) -> str:
    if standalone and fmt != "latex":
        raise SpecError("--standalone only applies to --format latex")
    if fmt == "json":
        return derivation.to_json()
    if fmt in ("md", "markdown"):
        return derivation.to_markdown()
    if fmt == "latex":
        return derivation.to_latex(standalone=standalone)
    return derivation.to_text()


def _derive(args: argparse.Namespace) -> str:
    network = _network(args)
    derivation = derive(network, conventions=Conventions(framework=args.conventions), assume=args.assume or None)
    values = _substitutions(args.subs)
    if values:
        derivation = derivation.subs(values)
    return _render(derivation, args.format, args.standalone)


def _rules(fmt: str) -> str:
    from .reference import reference_markdown
    from .rules import RULES

    if fmt == "latex":
        return "\n".join(rf"\[ {rule.latex_definition} \]" for rule in RULES.values()) + "\n"
    if fmt == "md":
        return reference_markdown()
    width = max(len(name) for name in RULES)
    return (
        "\n".join(f"{name:<{width}}  {rule.general.text():<40}  {rule.summary}" for name, rule in RULES.items()) + "\n"
    )


def _layers() -> str:
    from .layers import LAYERS

    return "\n".join(f"{kind:<20} {cls.__name__}" for kind, cls in sorted(LAYERS.items())) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "derive":
            text = _derive(args)
        elif args.command == "rules":
            text = _rules(args.format)
        else:
            text = _layers()
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
