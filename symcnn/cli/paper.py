"""``symcnn paper``: LaTeX fragments and macros for a paper, one set per network."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from ..derivation.derivation import Derivation
from ..errors import SpecError
from ..model.network import derive
from ..model.spec import load_spec, read_spec
from ..paper import COLUMNS, STYLES, TABLES, Options, TableTooWide, files, write_files
from ..paper.check import stale
from .derive import imported_network, substitutions

NAME = "paper"
HELP = "write LaTeX fragments (table, derivation, totals) and citable macros for a paper"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sources", nargs="*", metavar="SPEC", help="spec files (YAML or JSON), one network each")
    parser.add_argument("-o", "--output-dir", required=True, metavar="DIR", help="directory for the .tex files")
    parser.add_argument(
        "--torch", metavar="MODULE:BUILDER", help="also import a PyTorch model, e.g. torchvision.models:resnet50"
    )
    parser.add_argument("--onnx", metavar="FILE", help="also import an ONNX model file, e.g. resnet18.onnx")
    parser.add_argument("--input", metavar="C,H,W", help="input shape for --torch (or to override --onnx's)")
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
        "--check", action="store_true",
        help="write nothing; exit 1 naming each stale file and macro if DIR differs from what would be written",
    )  # fmt: skip
    parser.add_argument(
        "--table", choices=TABLES, default="auto",
        help="stages (ResNet-paper style), layers (one row per layer), or auto: stages beyond 25 rows",
    )  # fmt: skip
    parser.add_argument(
        "--columns", default=",".join(COLUMNS), help=f"table columns, comma-separated (default: {','.join(COLUMNS)})"
    )


def _networks(args: argparse.Namespace) -> tuple[dict[str, Derivation], dict[str, str]]:
    """The networks by name, and where each came from (for the fragments' headers)."""
    sources: list[tuple[str, Derivation, str]] = []
    for spec in args.sources:
        data = read_spec(spec)
        name = str(data.get("name") or Path(spec).stem)
        sources.append((name, derive(load_spec(data)), f"spec {Path(spec).name}"))
    for text in args.zoo:
        from ..zoo import get

        model, *settings = text.split()
        network = get(model).from_text(substitutions(settings, "--zoo"))
        sources.append((model, derive(network), "zoo " + " ".join([model, *settings])))
    imported = imported_network(args)
    if imported is not None:
        if args.torch:
            name, origin = args.torch.partition(":")[2], f"torch {args.torch} input {args.input}"
        else:
            name, origin = Path(args.onnx).stem, f"onnx {args.onnx}" + (f" input {args.input}" if args.input else "")
        sources.append((name, derive(imported), origin))
    if not sources:
        raise SpecError("give at least one spec file, --zoo, --torch or --onnx")
    if args.name:
        if len(args.name) != len(sources):
            raise SpecError(f"--name was given {len(args.name)} times for {len(sources)} networks")
        sources = [(name, derivation, origin) for name, (_, derivation, origin) in zip(args.name, sources, strict=True)]
    networks = {name: derivation for name, derivation, _ in sources}
    if len(networks) != len(sources):
        raise SpecError("two networks have the same name: give distinct --name values")
    return networks, {name: origin for name, _, origin in sources}


def run(args: argparse.Namespace) -> str:
    options = Options(
        numbers=args.numbers,
        compute="flops" if args.flops else "macs",
        columns=tuple(column.strip() for column in args.columns.split(",") if column.strip()),
        at=substitutions(args.at, "--at"),
        table=args.table,
    )
    networks, origins = _networks(args)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TableTooWide)
        expected = files(networks, options, origins)
    for warning in caught:  # one line each, like the errors
        print(f"symcnn: warning: {warning.message}", file=sys.stderr)
    if args.check:
        differences = stale(expected, Path(args.output_dir))
        if differences:
            args.exit_status = 1  # main() returns it: 1 means the paper's files are out of date
            return (
                "\n".join([*differences, f"{len(differences)} differences: run the same command without --check"])
                + "\n"
            )
        return ""
    write_files(Path(args.output_dir), expected)
    return "".join(f"{Path(args.output_dir) / name}\n" for name in expected)
