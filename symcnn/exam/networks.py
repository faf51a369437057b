"""Random, well-posed networks in the spec-file format, one builder per difficulty.

Every builder takes a :class:`random.Random` (never the global random state)
and returns a spec dict; :func:`well_posed` derives it and rejects a draw in
which a size would fall below its lower bound, so callers draw again.  Sizes
are kept small enough to compute by hand at the easy level.
"""

from __future__ import annotations

import random
from typing import Any

from .. import Derivation, SymcnnError, load_spec

__all__ = ["DIFFICULTIES", "describe", "draw_network", "single_conv", "well_posed"]

DIFFICULTIES = ("easy", "medium", "hard")
Spec = dict[str, Any]


def well_posed(spec: Spec) -> Derivation | None:
    """The derivation of ``spec``, or ``None`` if some size is invalid (the caller draws again).

    Each layer of ``spec`` without a ``name`` gets the one the engine gave it, so
    the table a student sees, the JSON network and the worked solution use the same names.
    """
    try:
        derivation = load_spec(spec).derive()
    except SymcnnError:
        return None
    if any(int(size) < 1 for row in derivation.rows for size in row.output_shape):
        return None
    if len(derivation.layers) == len(spec["layers"]):
        for row, layer in zip(derivation.layers, spec["layers"], strict=True):
            layer.setdefault("name", row.name)
    return derivation


def single_conv(rng: random.Random, difficulty: str) -> Spec:
    """One convolution on a small input (easy), with padding and stride (medium), dilation or groups (hard)."""
    channels = rng.choice((1, 3)) if difficulty == "easy" else rng.choice((3, 4, 8, 16))
    size = rng.randrange(8, 33)
    layer: dict[str, Any] = {
        "type": "conv2d",
        "out_channels": rng.choice((4, 6, 8, 10, 16, 32)),
        "kernel_size": rng.choice((3, 5)) if difficulty == "easy" else rng.choice((1, 3, 5, 7)),
    }
    if difficulty != "easy" or rng.random() < 0.5:
        layer["padding"] = rng.choice((0, 1, 2))
    if difficulty != "easy":
        layer["stride"] = rng.choice((1, 2, 3))
    if difficulty == "hard":
        layer["dilation"] = rng.choice((1, 2))
        groups = rng.choice((1, 2, 4))
        if channels % groups == 0 and layer["out_channels"] % groups == 0:
            layer["groups"] = groups
        if rng.random() < 0.3:
            layer["bias"] = False
    return {"input": [channels, size, size], "layers": [_clean(layer)]}


def mnist_like(rng: random.Random) -> Spec:
    """The classic chain: conv, pool, conv, pool, flatten, dense, dense."""
    size = rng.choice((24, 28, 32, 36, 40))
    return {
        "input": [rng.choice((1, 3)), size, size],
        "layers": [
            _clean({"type": "conv2d", "out_channels": rng.choice((6, 8, 16, 32)), "kernel_size": rng.choice((3, 5))})
            | ({"padding": 1} if rng.random() < 0.3 else {}),
            {"type": "relu"},
            {"type": "maxpool2d", "kernel_size": 2},
            {"type": "conv2d", "out_channels": rng.choice((16, 32, 64)), "kernel_size": rng.choice((3, 5))},
            {"type": "relu"},
            {"type": "maxpool2d", "kernel_size": 2},
            {"type": "flatten"},
            {"type": "linear", "out_features": rng.choice((64, 100, 128, 256))},
            {"type": "relu"},
            {"type": "linear", "out_features": 10},
        ],
    }


def residual(rng: random.Random) -> Spec:
    """A strided stem with BatchNorm, a residual block (one conv grouped), a ceil-mode pool and a head."""
    width = rng.choice((8, 12, 16, 24))
    groups = rng.choice((1, 2, 4))
    stem = {
        "type": "conv2d",
        "out_channels": width,
        "kernel_size": rng.choice((3, 5, 7)),
        "stride": 2,
        "padding": rng.choice((1, 2, 3)),
        "bias": False,
        "name": "stem",
    }
    if rng.random() < 0.4:
        stem["dilation"] = 2
    size = rng.randrange(17, 48)
    return {
        "input": [3, size, size],
        "layers": [
            stem,
            {"type": "batchnorm2d", "name": "bn1"},
            {"type": "relu", "name": "relu1"},
            _clean({"type": "conv2d", "out_channels": width, "kernel_size": 3, "padding": 1, "groups": groups})
            | {"name": "conv_a"},
            {"type": "batchnorm2d", "name": "bn_a"},
            {"type": "relu", "name": "relu_a"},
            {"type": "conv2d", "out_channels": width, "kernel_size": 3, "padding": 1, "name": "conv_b"},
            {"type": "add", "inputs": ["relu1", "conv_b"], "name": "add"},
            {"type": "maxpool2d", "kernel_size": 3, "stride": 2, "ceil_mode": rng.random() < 0.5, "name": "pool"},
            {"type": "flatten", "name": "flatten"},
            {"type": "linear", "out_features": rng.choice((10, 20, 100)), "name": "fc"},
        ],
    }


def draw_network(rng: random.Random, difficulty: str) -> tuple[Spec, Derivation]:
    """A random well-posed network of the given difficulty, and its derivation."""
    builders = {
        "easy": lambda: single_conv(rng, "easy"),
        "medium": lambda: mnist_like(rng),
        "hard": lambda: residual(rng),
    }
    for _ in range(100):
        spec = builders[difficulty]()
        derivation = well_posed(spec)
        if derivation is not None:
            return spec, derivation
    raise SymcnnError(f"could not draw a well-posed {difficulty} network")  # pragma: no cover


def _clean(layer: dict[str, Any]) -> dict[str, Any]:
    """Leave out arguments at their defaults: the spec reads like a textbook's."""
    defaults = {"padding": 0, "stride": 1, "dilation": 1, "groups": 1, "bias": True, "ceil_mode": False}
    return {key: value for key, value in layer.items() if defaults.get(key, object()) != value}


def describe(layer: dict[str, Any]) -> str:
    """A layer of a spec in words: ``conv2d, 32 filters 5×5, stride 2, padding 1``.

    Read off the layer's arguments, whatever its type: filters and a kernel make a
    convolution's ``filters``, a kernel alone a pool's ``window``, ``out_features`` a
    dense layer's ``units``; the inputs of a graph layer are named.

    >>> describe({"type": "conv2d", "out_channels": 32, "kernel_size": 5, "stride": 2})
    'conv2d, 32 filters 5×5, stride 2'
    >>> describe({"type": "add", "inputs": ["relu1", "conv_b"]})
    'add, inputs relu1 and conv_b'
    """
    parts = [str(layer["type"])]
    kernel = layer.get("kernel_size")
    if kernel is not None and "out_channels" in layer:
        parts.append(f"{layer['out_channels']} filters {kernel}×{kernel}")
    elif kernel is not None:
        parts.append(f"window {kernel}×{kernel}")
    elif "out_channels" in layer:
        parts.append(f"{layer['out_channels']} maps")
    if "out_features" in layer:
        parts.append(f"{layer['out_features']} units")
    for key, label in (
        ("stride", "stride"),
        ("padding", "padding"),
        ("output_padding", "output padding"),
        ("dilation", "dilation"),
        ("groups", "groups"),
    ):
        if key in layer:
            parts.append(f"{label} {layer[key]}")
    if layer.get("ceil_mode"):
        parts.append("ceil_mode=True")
    if layer.get("bias") is False:
        parts.append("no bias")
    if "inputs" in layer:
        inputs = layer["inputs"]
        parts.append(("inputs " if len(inputs) > 1 else "input ") + " and ".join(inputs))
    return ", ".join(parts)
