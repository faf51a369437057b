"""``symcnn derive``: shapes, parameters and MACs of a network, step by step."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..analysis.memory import CONVENTIONS, DTYPES, OPTIMIZERS
from ..derivation.derivation import Derivation
from ..errors import SpecError
from ..exact.conventions import Conventions
from ..exact.values import plain_integer
from ..files import with_mark
from ..model.examples import MNIST
from ..model.network import Input, Network, derive
from ..model.spec import load_spec
from .numbers import plain_numbers

NAME = "derive"
HELP = "derive shapes, parameters and MACs of a network, step by step"
FORMATS = ("text", "md", "markdown", "latex", "json", "html", "tikz")


def configure(run: argparse.ArgumentParser) -> None:
    run.add_argument("spec", nargs="?", help="YAML or JSON spec file (default: the embedded MNIST example)")
    run.add_argument("--subs", nargs="+", default=[], metavar="NAME=VALUE", help="substitute values, e.g. H=28 k=64")
    run.add_argument("--assume", nargs="+", default=[], metavar="H%32==0", help="assume divisibility, e.g. H%%32==0")
    run.add_argument("--format", "-f", choices=FORMATS, default="text", help="output format (default: text)")
    run.add_argument("--standalone", action="store_true", help="LaTeX: a complete document for pdflatex")
    run.add_argument("--conventions", choices=("pytorch", "keras"), default="pytorch", help="counting convention")
    run.add_argument(
        "--torch", metavar="MODULE:BUILDER", help="import a PyTorch model, e.g. torchvision.models:resnet50"
    )
    run.add_argument("--onnx", metavar="FILE", help="import an ONNX model file, e.g. resnet18.onnx")
    run.add_argument("--input", metavar="C,H,W", help="input shape for --torch (or to override --onnx's), e.g. 3,H,W")
    run.add_argument("--zoo", metavar="MODEL", help="a zoo model, e.g. resnet50 (symcnn zoo lists them)")
    run.add_argument(
        "--set", nargs="+", default=[], metavar="NAME=VALUE", help="zoo hyperparameters, e.g. width_per_group=w"
    )
    run.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    # receptive fields and memory (issue 8)
    run.add_argument(
        "--receptive-field", action="store_true", help="add each layer's receptive field (size, jump, start)"
    )
    run.add_argument("--memory", action="store_true", help="add training memory in bytes (see docs/conventions.md)")
    run.add_argument(
        "--batch", default="B", metavar="N", help="--memory: batch size, a number or a formula (default: B)"
    )
    run.add_argument(
        "--dtype", default="float32", choices=sorted(DTYPES), help="--memory: element type (default: float32)"
    )
    run.add_argument("--optimizer", default="none", choices=sorted(OPTIMIZERS), help="--memory: optimizer state kept")
    run.add_argument("--memory-convention", default="saved", choices=CONVENTIONS, help="--memory: what is counted")


def run(args: argparse.Namespace) -> str:
    network = _network(args)
    derivation = derive(network, conventions=Conventions(framework=args.conventions), assume=args.assume or None)
    values = substitutions(args.subs)
    if values:
        derivation = derivation.subs(values)
    memory = None
    if args.memory:
        memory = derivation.memory(args.batch, args.dtype, args.optimizer, args.memory_convention)
    elif (args.batch, args.dtype, args.optimizer, args.memory_convention) != ("B", "float32", "none", "saved"):
        raise SpecError("--batch, --dtype, --optimizer and --memory-convention apply with --memory")
    title = f"symcnn derive {args.spec or args.zoo or args.torch or 'MNIST example'}"
    text = render(
        derivation, args.format, args.standalone, receptive_field=args.receptive_field, memory=memory, title=title
    )
    syntax = _MARKED.get(args.format)
    # A file gets symcnn's mark, so that running the same command again may replace it (stdout stays as is).
    return with_mark(text, syntax) if getattr(args, "output", None) and syntax else text


# The formats whose files can say who wrote them (latex and tikz say it already; JSON has no comments).
_MARKED = {"text": "text", "md": "html", "markdown": "html", "html": "html"}


def substitutions(pairs: Sequence[str], flag: str = "--subs", *, numbers: bool = True) -> dict[str, str]:
    """``["H=28", "k=2*c", "N=1,000"]`` -> ``{"H": "28", "k": "2*c", "N": "1000"}``; parsed later, safely.

    ``numbers=False`` keeps commas (``--set layers=3,4,6,3`` is a list, not a number).
    """
    values: dict[str, str] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name.strip().isidentifier() or not value.strip():
            raise SpecError(f"{flag} expects NAME=VALUE, got {pair!r}")
        if name.strip() in values:  # not "the last one wins": the user typed two different things
            raise SpecError(f"{flag}: {name.strip()} is given twice ({values[name.strip()]} and {value.strip()})")
        text = value.strip()
        values[name.strip()] = plain_numbers(text, f"{flag} {name.strip()}") if numbers else text
    return values


def render(
    derivation: Derivation,
    fmt: str,
    standalone: bool = False,
    *,
    receptive_field: bool = False,
    memory: Any = None,
    title: str = "symcnn derivation",
) -> str:
    """The derivation in one of :data:`FORMATS`, with a receptive-field column and memory lines if asked."""
    if standalone and fmt != "latex":
        raise SpecError("--standalone only applies to --format latex")
    extras: dict[str, Any] = {"receptive_field": receptive_field, "memory": memory}
    if fmt == "json":
        return derivation.to_json(**extras)
    if fmt in ("md", "markdown"):
        return derivation.to_markdown(**extras)
    if fmt == "latex":
        return derivation.to_latex(standalone=standalone, **extras)
    if fmt == "html":  # one self-contained page; memory defaults to d.memory()
        return derivation.to_html(title=title, **extras)
    if fmt == "tikz":  # the architecture diagram (receptive field and memory are not drawn)
        return derivation.to_tikz()
    return derivation.to_text(**extras)


def _network(args: argparse.Namespace) -> Network:
    if args.zoo:
        if args.spec or args.torch or args.onnx:
            raise SpecError("give one of a spec file, --torch, --onnx or --zoo")
        return zoo_network(args.zoo, args.set)
    if args.set:
        raise SpecError("--set is only used with --zoo")
    imported = imported_network(args)
    if imported is not None:
        if args.spec:
            raise SpecError("give either a spec file or --torch/--onnx, not both")
        return imported
    return load_spec(args.spec) if args.spec else load_spec(MNIST)


def imported_network(args: argparse.Namespace) -> Network | None:
    """The model of ``--torch`` or ``--onnx`` (with ``--input``), or None when neither is given."""
    torch_target, onnx_file = getattr(args, "torch", None), getattr(args, "onnx", None)
    if torch_target and onnx_file:
        raise SpecError("give either --torch or --onnx, not both")
    if torch_target:
        return torch_network(torch_target, args.input)
    if onnx_file:
        return onnx_network(onnx_file, args.input)
    if getattr(args, "input", None):
        raise SpecError("--input is only used with --torch or --onnx")
    return None


def onnx_network(path: str, shape: str | None) -> Network:
    """``--onnx model.onnx [--input 3,H,W]``: read the graph (its own input sizes unless --input is given)."""
    try:
        import onnx  # noqa: F401  (the adapter imports it on use; say what to install before reading)

        from ..adapters.onnx import from_onnx
    except ImportError:
        raise SpecError("--onnx needs the onnx package: pip install 'symcnn[onnx]'") from None
    if not Path(path).is_file():
        raise SpecError(f"--onnx: no such file {path!r}")
    return from_onnx(path, None if shape is None else input_sizes(shape))


def input_sizes(shape: str) -> tuple[Any, ...]:
    """``3,H,W`` as ``(3, "H", "W")``; a bad size is reported as such, before a model is read."""
    sizes = tuple(plain_integer(item.strip()) for item in shape.split(","))  # "²" goes to the parser, refused
    if any(part == "" for part in sizes):
        raise SpecError(f"--input expects sizes separated by commas, e.g. 3,H,W, got {shape!r}")
    Input(*sizes)
    return sizes


def zoo_network(name: str, settings: Sequence[str]) -> Network:
    """``--zoo resnet50 --set layers=3,4,N,3``: a zoo builder with its hyperparameters as typed."""
    from ..zoo import get

    return get(name).from_text(substitutions(settings, "--set", numbers=False))


def _import_here(module_name: str):  # type: ignore[no-untyped-def]
    """Import a module, looking in the current directory too (as ``python -m`` does, the ``symcnn`` script not)."""
    import importlib
    import os
    import sys

    here = os.getcwd()
    added = here not in sys.path and "" not in sys.path
    if added:
        sys.path.insert(0, here)
    try:
        return importlib.import_module(module_name)
    finally:
        if added:
            sys.path.remove(here)


def torch_network(target: str, shape: str | None) -> Network:
    """``--torch torchvision.models:resnet50 --input 3,H,W``: build and import the model (``mymodel:build``
    finds ``mymodel.py`` in the current directory)."""
    module_name, colon, builder_name = target.partition(":")
    if not colon or not module_name or not builder_name.isidentifier():
        raise SpecError(f"--torch expects MODULE:BUILDER, e.g. torchvision.models:resnet50, got {target!r}")
    if not shape:
        raise SpecError("--torch needs --input, e.g. --input 3,H,W")
    try:
        from ..adapters.torch import from_torch
    except ImportError:
        raise SpecError("--torch needs PyTorch: pip install 'symcnn[torch]'") from None
    try:
        builder = getattr(_import_here(module_name), builder_name)
    except (ImportError, AttributeError) as error:
        raise SpecError(f"cannot load {target}: {error}") from None
    sizes = input_sizes(shape)  # before the model is traced
    try:
        model = builder()
    except Exception as error:  # the user's code failed, not symcnn: say so, in one line
        raise SpecError(f"--torch {target}: the builder raised {type(error).__name__}: {error}") from None
    return from_torch(model, sizes)
