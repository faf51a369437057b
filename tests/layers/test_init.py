"""The layers package loads each layer's module on first use: its table of modules is complete and exact."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import symcnn.layers
from symcnn.errors import UnknownLayerError
from symcnn.layers import LAYERS, MODULES, Layer
from symcnn.layers.registry import layer_class

PACKAGE = Path(symcnn.layers.__file__).parent


def _every_layer_module() -> list[str]:
    """Every module file of the package, whether MODULES lists it or not."""
    return [info.name for info in pkgutil.iter_modules([str(PACKAGE)])]


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    return found.union(*(_subclasses(sub) for sub in found))


def test_every_registered_layer_is_listed_under_its_module() -> None:
    for name in _every_layer_module():
        importlib.import_module(f"symcnn.layers.{name}")
    registered = dict(LAYERS._entered)  # what the modules' @register calls entered, not what MODULES says
    assert len(registered) > 90
    listed = {(module, name) for module, names in MODULES.items() for name in names}
    assert {(cls.__module__.rpartition(".")[2], cls.__name__) for cls in registered.values()} == listed


def test_every_module_defining_a_layer_is_listed() -> None:
    for name in _every_layer_module():
        importlib.import_module(f"symcnn.layers.{name}")
    homes = {cls.__module__ for cls in _subclasses(Layer) if cls.__module__.startswith("symcnn.layers.")}
    assert {home.rpartition(".")[2] for home in homes} - {"base"} <= set(MODULES)


def test_each_listed_name_is_the_registered_class_of_its_module_and_public() -> None:
    for module, names in MODULES.items():
        exported = importlib.import_module(f"symcnn.layers.{module}").__all__
        for name in names:
            cls = getattr(symcnn.layers, name)
            assert cls is LAYERS[name.lower()] and cls.__module__ == f"symcnn.layers.{module}"
            assert name in exported and name in symcnn.layers.__all__ and name in dir(symcnn.layers)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchLayer"):
        _ = symcnn.layers.NoSuchLayer
    assert LAYERS.get("nosuchlayer") is None and "nosuchlayer" not in LAYERS


PROBE = r"""
import json, sys
from symcnn.layers import LAYERS, layer_class
from symcnn.errors import UnknownLayerError

def kind_modules():
    return sorted(name.rpartition(".")[2] for name in sys.modules if name.startswith("symcnn.layers."))

seen = {"start": kind_modules()}
layer_class("MaxPool2d")
seen["maxpool2d"] = kind_modules()
found = LAYERS.get("nosuchkind")
seen["unknown"] = kind_modules()
try:
    layer_class("conv")
except UnknownLayerError as error:
    seen["message"] = str(error)
seen["lazy"] = sorted((kind, cls.__module__, cls.__qualname__) for kind, cls in LAYERS.items())
print(json.dumps(seen))
"""


def test_a_fresh_process_loads_a_kind_s_module_when_looked_up_and_all_when_listed() -> None:
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, cwd=PACKAGE.parent.parent
    )
    seen = json.loads(probe.stdout)
    before = set(seen["start"])
    assert before & set(MODULES) == set()
    assert set(seen["maxpool2d"]) - before == {"pool", "window"}  # window: the helpers pool uses
    assert seen["unknown"] == seen["maxpool2d"]  # a kind no module defines imports nothing
    assert "did you mean conv1d, conv2d, conv3d" in seen["message"]
    eager = sorted((kind, cls.__module__, cls.__qualname__) for kind, cls in LAYERS.items())
    assert [tuple(row) for row in seen["lazy"]] == eager  # the same registry as importing everything


def test_layer_class_finds_a_kind_in_any_case() -> None:
    assert layer_class("CONV2D") is symcnn.layers.Conv2d
    with pytest.raises(UnknownLayerError, match="unknown layer type 'conv'"):
        layer_class("conv")
