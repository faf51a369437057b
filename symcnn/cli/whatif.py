"""``symcnn whatif``: solve under a budget, sensitivities, comparisons, sweeps and plots.

One sub-subcommand per question (``symcnn whatif solve net.yaml --largest k
--subject-to "params <= 20e6" --subs H=224 W=224``); each prints text for
people by default and ``--format json`` for programs.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..derivation.derivation import Derivation
from ..errors import SpecError
from ..exact.conventions import Conventions
from ..model.network import derive
from ..model.spec import load_spec
from .derive import imported_network, substitutions

NAME = "whatif"
HELP = "what-if questions: solve under a budget, sensitivity, compare, sweep, plot"


def _network_arguments(parser: argparse.ArgumentParser, many: bool = False) -> None:
    if many:
        parser.add_argument("spec", nargs="*", help="YAML or JSON spec files (one line each)")
    else:
        parser.add_argument("spec", nargs="?", help="YAML or JSON spec file")
    parser.add_argument("--torch", metavar="MODULE:BUILDER", help="a PyTorch model, e.g. torchvision.models:resnet50")
    parser.add_argument("--onnx", metavar="FILE", help="an ONNX model file, e.g. resnet18.onnx")
    parser.add_argument("--input", metavar="C,H,W", help="input shape for --torch (or to override --onnx's)")
    parser.add_argument("--conventions", choices=("pytorch", "keras"), default="pytorch", help="counting convention")


def _format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", "-f", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")


def _question(questions: argparse._SubParsersAction, name: str, text: str) -> argparse.ArgumentParser:
    return questions.add_parser(name, help=text, description=text)  # type: ignore[no-any-return]


def configure(parser: argparse.ArgumentParser) -> None:
    questions = parser.add_subparsers(dest="question", required=True, parser_class=type(parser))

    solve = _question(questions, "solve", "largest/smallest value of a symbol meeting a bound")
    _network_arguments(solve)
    goal = solve.add_mutually_exclusive_group(required=True)
    goal.add_argument("--largest", metavar="NAME", help="the symbol to maximise")
    goal.add_argument("--smallest", metavar="NAME", help="the symbol to minimise")
    solve.add_argument("--subject-to", metavar="BOUND", help='e.g. "params <= 20e6" (default: only validity)')
    solve.add_argument("--subs", nargs="+", default=[], metavar="NAME=VALUE", help="values of the other symbols")
    solve.add_argument("--limit", type=int, default=100_000, help="values searched one by one at most")
    _format(solve)

    sensitivity = _question(questions, "sensitivity", "forward difference, derivative, elasticity, shares")
    _network_arguments(sensitivity)
    sensitivity.add_argument("--of", required=True, metavar="QUANTITY", help="e.g. macs, params, output_shape[1]")
    sensitivity.add_argument("--wrt", metavar="NAME", help="the symbol to move (omit to list shares only)")
    sensitivity.add_argument("--at", nargs="+", default=[], metavar="NAME=VALUE", help="the point, e.g. k=64 H=224")
    sensitivity.add_argument("--shares", action="store_true", help="also each layer's share of the total")
    sensitivity.add_argument("--top", type=int, default=10, help="layers listed in text (default: 10)")
    _format(sensitivity)

    compare = _question(questions, "compare", "difference a - b and ratio a / b of two networks")
    compare.add_argument("a", help="spec file a")
    compare.add_argument("b", help="spec file b")
    compare.add_argument("--conventions", choices=("pytorch", "keras"), default="pytorch")
    compare.add_argument("--at", nargs="+", default=[], metavar="NAME=VALUE", help="also the values at a point")
    compare.add_argument("--quantities", nargs="+", default=["params", "trainable_params", "macs"], metavar="Q")
    _format(compare)

    sweep = _question(questions, "sweep", "exact totals over a grid or a random sample (CSV/JSON)")
    _network_arguments(sweep)
    sweep.add_argument("--grid", nargs="+", required=True, metavar="AXIS", help="H=32:512:32 k=16,32,64 W=224")
    sweep.add_argument("--random", type=int, metavar="N", help="a random sample of N configurations")
    sweep.add_argument("--seed", type=int, default=0, help="seed of the random sample (default: 0)")
    sweep.add_argument("--quantities", nargs="+", metavar="Q", help="columns (default: params, macs, output shape)")
    sweep.add_argument("--format", "-f", choices=("csv", "json", "text"), help="default: from -o, else csv")
    sweep.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")

    plot = _question(questions, "plot", "a quantity against a hyperparameter (needs matplotlib)")
    _network_arguments(plot, many=True)
    plot.add_argument("--x", required=True, metavar="AXIS", help="e.g. H=32:1024:32")
    plot.add_argument("--y", default="macs", metavar="QUANTITY", help="default: macs")
    plot.add_argument("--subs", nargs="+", default=[], metavar="NAME=VALUE", help="values of the other symbols")
    plot.add_argument("--per-layer", action="store_true", help="one line per layer")
    plot.add_argument("--stacked", action="store_true", help="stacked per-layer shares of the total")
    plot.add_argument("--log", action=argparse.BooleanOptionalAction, default=None, help="log axes (default: auto)")
    plot.add_argument("-o", "--output", dest="image", required=True, metavar="FILE", help=".png, .svg or .pdf")


def run(args: argparse.Namespace) -> str:
    return {"solve": _solve, "sensitivity": _sensitivity, "compare": _compare, "sweep": _sweep, "plot": _plot}[
        args.question
    ](args)


def _derivation(spec: str | None, args: argparse.Namespace) -> Derivation:
    conventions = Conventions(framework=args.conventions)
    imported = imported_network(args)
    if imported is not None:
        if spec:
            raise SpecError("give either a spec file or --torch/--onnx, not both")
        return derive(imported, conventions=conventions)
    if not spec:
        raise SpecError("give a spec file (or --torch MODULE:BUILDER --input C,H,W)")
    return derive(load_spec(spec), conventions=conventions)


def _dump(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _solve(args: argparse.Namespace) -> str:
    from ..whatif import solve

    d = _derivation(args.spec, args)
    fixed = substitutions(args.subs)
    answer = solve(d, args.subject_to, largest=args.largest, smallest=args.smallest, fixed=fixed, limit=args.limit)
    return _dump(answer.as_dict()) if args.format == "json" else str(answer)


def _sensitivity(args: argparse.Namespace) -> str:
    from ..whatif import sensitivity, shares

    d = _derivation(args.spec, args)
    at = substitutions(args.at, "--at")
    if args.wrt is None and not args.shares:
        raise SpecError("sensitivity: give --wrt NAME, --shares, or both")
    result = sensitivity(d, args.of, args.wrt, at) if args.wrt else None
    parts = shares(d, args.of, at) if args.shares else None
    if args.format == "json":
        data: dict[str, object] = result.as_dict() if result else {"quantity": args.of, "at": at}
        if parts is not None:
            data["shares"] = [part.as_dict() for part in parts]
        return _dump(data)
    text = str(result) if result else ""
    if parts is not None:
        from ..whatif.sensitivity import decimal

        text += f"largest shares of {args.of}:\n" if at else f"shares of {args.of} (give --at to sort):\n"
        for part in parts[: args.top]:
            if part.fraction is not None and part.value is not None:
                text += f"  {part.name:<24} {int(part.value):>16,}  {decimal(100 * part.fraction, 4)}%\n"
            else:
                from ..whatif.quantities import formula_text

                text += f"  {part.name:<24} {formula_text(part.fraction_formula)}\n"
        if len(parts) > args.top:
            text += f"  ... {len(parts) - args.top} more layers (--top)\n"
    return text


def _compare(args: argparse.Namespace) -> str:
    from ..whatif import compare

    conventions = Conventions(framework=args.conventions)
    a, b = (derive(load_spec(path), conventions=conventions) for path in (args.a, args.b))
    result = compare(a, b, args.quantities, substitutions(args.at, "--at"))
    return _dump(result.as_dict()) if args.format == "json" else str(result)


def _sweep(args: argparse.Namespace) -> str:
    from ..whatif import sweep

    d = _derivation(args.spec, args)
    result = sweep(d, args.grid, random=args.random, seed=args.seed, quantities=args.quantities)
    fmt = args.format or ("json" if args.output and Path(args.output).suffix.lower() == ".json" else "csv")
    if fmt == "json":
        return result.to_json()
    return result.summary() if fmt == "text" else result.to_csv()


def _plot(args: argparse.Namespace) -> str:
    from ..whatif import plot

    if args.torch or args.onnx:
        networks = {args.torch or Path(args.onnx).stem: _derivation(None, args)}
    else:
        if not args.spec:
            raise SpecError("give one or more spec files (or --torch MODULE:BUILDER --input C,H,W)")
        networks = {Path(spec).stem: _derivation(spec, args) for spec in args.spec}
    single = next(iter(networks.values())) if len(networks) == 1 else networks
    path = plot(
        single,
        args.x,
        args.y,
        args.image,
        fixed=substitutions(args.subs),
        per_layer=args.per_layer,
        stacked=args.stacked,
        log=args.log,
    )
    return f"wrote {path}\n"
