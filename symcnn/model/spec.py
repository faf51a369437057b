"""Spec files (YAML or JSON) and dicts -> networks.

A spec is data, never code: YAML is read with a safe loader that also refuses
aliases (no "billion laughs"), formulas in values go through the whitelisting
parser, and only registered layer types and their declared arguments are
accepted.

Chain::

    input: [1, 28, 28]
    layers:
      - {type: conv2d, out_channels: 32, kernel_size: 5}
      - {type: maxpool2d, kernel_size: 2}

Graphs: give layers a ``name`` and list their ``inputs`` (names of earlier
layers, or ``input``); by default a layer reads the previous one.  Blocks:
``{type: block, name: stem, layers: [...]}``; repeats:
``{type: repeat, times: N, layers: [...]}``.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import SpecError, SymcnnError, UnknownLayerError
from ..exact.values import MAX_DIGITS
from ..layers.base import Layer
from ..layers.registry import layer_class
from .network import Graph, Input, Network, Node, Repeat, Sequential

__all__ = ["load_spec", "read_spec"]

MAX_SPEC_BYTES = 2_000_000
TOP_LEVEL_KEYS = {"input", "layers", "name", "description"}
MAX_INTEGER_DIGITS = MAX_DIGITS


def read_spec(path: str | Path) -> dict[str, Any]:
    """Read a YAML or JSON spec file into a dict, safely."""
    import json  # a spec given as a dict needs no parser

    from ..exact.formula import exact_decimal
    from .yaml_spec import parse_yaml

    path = Path(path)
    text = _read_text(path)
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text, parse_float=exact_decimal, parse_int=_json_int)
        else:
            data = parse_yaml(text)
    except SpecError as error:
        raise SpecError(f"{path}: {error.message}") from None
    except RecursionError:
        raise SpecError(f"{path}: the spec is nested too deeply") from None
    except json.JSONDecodeError as error:
        raise SpecError(f"{path}: malformed JSON at line {error.lineno}: {error.msg}") from None
    if not isinstance(data, dict):
        raise SpecError(f"{path}: a spec must be a mapping with 'input' and 'layers'")
    return data


def _read_text(path: Path) -> str:
    """The file's text, read only if it is a regular file of at most MAX_SPEC_BYTES (never /dev/zero or a FIFO)."""
    try:
        # Non-blocking, so that opening a FIFO does not wait for a writer; fstat the opened file, so
        # that nothing can be swapped in between the check and the read.
        with os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise SpecError(f"{path}: a spec must be a regular file, not a device, FIFO or directory")
            data = handle.read(MAX_SPEC_BYTES + 1)
    except IsADirectoryError:
        raise SpecError(f"{path}: a spec must be a regular file, not a device, FIFO or directory") from None
    except OSError as error:
        raise SpecError(f"cannot read spec file {path}: {error.strerror or error}") from None
    if len(data) > MAX_SPEC_BYTES:
        raise SpecError(f"{path}: spec file is larger than {MAX_SPEC_BYTES:,} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError(f"{path}: spec file is not UTF-8 text") from None


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise SpecError(f"integers of more than {MAX_INTEGER_DIGITS} digits are not supported")
    return int(text)


def load_spec(source: str | Path | Mapping[str, Any]) -> Network:
    """Build a network from a spec file path or an already-parsed dict.

    >>> net = load_spec({"input": [1, 28, 28], "layers": [{"type": "conv2d", "out_channels": 8, "kernel_size": 3}]})
    >>> net.derive().output_shape
    (8, 26, 26)
    """
    data = dict(source) if isinstance(source, Mapping) else read_spec(source)
    unknown = set(data) - TOP_LEVEL_KEYS
    if unknown:
        raise SpecError(f"spec: unknown top-level key {sorted(unknown)[0]!r} (expected input, layers, name)")
    if "input" not in data:
        raise SpecError("spec: 'input' is missing (e.g. input: [1, 28, 28])")
    shape = data["input"]
    if not isinstance(shape, list) or not shape:
        raise SpecError(f"spec: 'input' must be a list of sizes like [1, 28, 28], got {shape!r}")
    source_input = Input(*shape)
    items = _items(data.get("layers"), "spec")
    return _build(items, source_input, name=_name(data.get("name"), "spec"), path="")


def _items(raw: object, where: str) -> list[Mapping[str, Any]]:
    if not isinstance(raw, list) or not raw:
        raise SpecError(f"{where}: 'layers' must be a non-empty list")
    for position, item in enumerate(raw, start=1):
        if not isinstance(item, Mapping):
            raise SpecError(f"{where}: layer {position} must be a mapping like {{type: conv2d, ...}}, got {item!r}")
    return raw


def _name(raw: object, where: str) -> str | None:
    if raw is None or isinstance(raw, str):
        return raw
    raise SpecError(f"{where}: name must be text, got {raw!r}")


def _build(items: list[Mapping[str, Any]], source: Input, *, name: str | None, path: str) -> Network:
    """A chain when no layer names its inputs, else a graph."""
    graph_like = any("inputs" in item for item in items)
    nodes: dict[str, Node] = {"input": source.node}
    previous = source.node
    modules = []
    for position, item in enumerate(items, start=1):
        label = f"layer {path}{position}"
        module = _module(item, label, path=f"{path}{position}.")
        modules.append(module)
        if not graph_like:
            continue
        parents = _parents(item, nodes, previous, label)
        previous = module(*parents)
        if module.name:
            if module.name in nodes:
                raise SpecError(f"{label}: the name {module.name!r} is used twice")
            nodes[module.name] = previous
    if graph_like:
        return Graph(source, previous, name=name)
    return Sequential(source, *modules, name=name)


def _parents(item: Mapping[str, Any], nodes: dict[str, Node], previous: Node, label: str) -> list[Node]:
    wanted = item.get("inputs")
    if wanted is None:
        return [previous]
    if isinstance(wanted, str):
        wanted = [wanted]
    if not isinstance(wanted, list) or not all(isinstance(entry, str) for entry in wanted):
        raise SpecError(f"{label}: inputs must be a list of layer names")
    missing = [entry for entry in wanted if entry not in nodes]
    if missing:
        raise SpecError(f"{label}: input {missing[0]!r} is not an earlier layer's name (known: {', '.join(nodes)})")
    return [nodes[entry] for entry in wanted]


def _module(item: Mapping[str, Any], label: str, *, path: str) -> Layer | Network:
    kind = item.get("type")
    if kind is None:
        raise SpecError(f"{label}: 'type' is missing (e.g. type: conv2d)")
    if not isinstance(kind, str):
        raise SpecError(f"{label}: 'type' must be a layer type's name like conv2d, got {kind!r}")
    for key in item:
        if not isinstance(key, str):
            raise SpecError(f"{label}: argument names must be text, got {key!r}")
    arguments = {key: value for key, value in item.items() if key not in ("type", "inputs")}
    name = _name(arguments.pop("name", None), label)
    kind = kind.lower()
    if kind in ("block", "repeat"):
        return _composite(kind, arguments, name, label, path)
    try:
        cls = layer_class(kind)
        _check_arguments(cls, arguments, kind)
        return cls(**arguments, name=name)
    except SymcnnError as error:
        raise error.located(f"{label} ({kind}{f' {name!r}' if name else ''})") from None


def _composite(kind: str, arguments: dict[str, Any], name: str | None, label: str, path: str) -> Network:
    allowed = {"layers"} | ({"times"} if kind == "repeat" else set())
    extra = set(arguments) - allowed
    if extra:
        raise UnknownLayerError(f"{label} ({kind}): unknown argument {sorted(extra)[0]!r}")
    inner_name = name if kind == "block" else None
    inner = _build(_items(arguments.get("layers"), f"{label} ({kind})"), Input(), name=inner_name, path=path)
    if kind == "block":
        return inner
    if "times" not in arguments:
        raise SpecError(f"{label} (repeat): 'times' is missing")
    try:
        return Repeat(inner, arguments["times"], name=name)
    except SymcnnError as error:
        raise error.located(f"{label} (repeat)") from None


def _check_arguments(cls: type[Layer], arguments: Mapping[str, Any], kind: str) -> None:
    known = [f.name for f in dataclasses.fields(cls) if f.name != "name"]
    for key in arguments:
        if key not in known:
            import difflib  # only for the message

            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(known)})"
            raise UnknownLayerError(f"unknown argument {key!r}{hint}")
