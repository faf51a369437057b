"""``symcnn paper``: LaTeX fragments and macros for a paper, one set per network."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..derivation.derivation import Derivation
from ..errors import SpecError
from ..model.network import derive
from ..model.spec import load_spec, read_spec
from ..paper import COLUMNS, STYLES, Options, write
from .derive import substitutions, torch_network

NAME = "paper"
HELP = "write LaTeX fragments (table, derivation, totals) and citable macros for a paper"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sources", nargs="*", metavar="SPEC", help="spec files (YAML or JSON), one network each")
    parser.add_argument("-o", "--output-dir", required=True, metavar="DIR", help="directory for the .tex files")
    parser.add_argument(
        "--torch", metavar="MODULE:BUILDER", help="also import a PyTorch model, e.g. torchvision.models:resnet50"
    )
    parser.add_argument("--input", metavar="C,H,W", help="input shape for --torch, e.g. 3,H,W")
    parser.add_argument(
        "--zoo", action="append", default=[], metavar="'MODEL [NAME=VALUE ...]'",
        help="a zoo model with its hyperparameters, e.g. --zoo 'resnet50 width_per_group=w' (repeatable)",
    )  # fmt: skip
    parser.add_argument(
        "--name", action="append", default=[], metavar="NAME",
        help="name of each network, in order (default: the spec's name, the file name, or the builder)",
    )  # fmt: skip
    parser.add_argument(
        "--at", nargs="+", default=[], metavar="NAME=VALUE", help="evaluate symbolic totals here for the macros"
    )
    parser.add_argument("--numbers", choices=STYLES, default="comma", help="number style (default: comma, 1{,}234)")
    parser.add_argument("--flops", action="store_true", help="FLOPs instead of MACs")
    parser.add_argument(
        "--columns", default=",".join(COLUMNS), help=f"table columns, comma-separated (default: {','.join(COLUMNS)})"
    )


def _networks(args: argparse.Namespace) -> dict[str, Derivation]:
    sources: list[tuple[str, Derivation]] = []
    for spec in args.sources:
        data = read_spec(spec)
        name = str(data.get("name") or Path(spec).stem)
        sources.append((name, derive(load_spec(data))))
    for text in args.zoo:
        from ..zoo import get

        model, *settings = text.split()
        network = get(model).from_text(substitutions(settings, "--zoo"))
        sources.append((model, derive(network)))
    if args.torch:
        sources.append((args.torch.partition(":")[2], derive(torch_network(args.torch, args.input))))
    elif args.input:
        raise SpecError("--input is only used with --torch")
    if not sources:
        raise SpecError("give at least one spec file, --zoo or --torch")
    if args.name:
        if len(args.name) != len(sources):
            raise SpecError(f"--name was given {len(args.name)} times for {len(sources)} networks")
        sources = [(name, derivation) for name, (_, derivation) in zip(args.name, sources, strict=True)]
    networks = dict(sources)
    if len(networks) != len(sources):
        raise SpecError("two networks have the same name: give distinct --name values")
    return networks


def run(args: argparse.Namespace) -> str:
    options = Options(
        numbers=args.numbers,
        compute="flops" if args.flops else "macs",
        columns=tuple(column.strip() for column in args.columns.split(",") if column.strip()),
        at=substitutions(args.at, "--at"),
    )
    written = write(_networks(args), args.output_dir, options)
    return "".join(f"{Path(args.output_dir) / name}\n" for name in written)
