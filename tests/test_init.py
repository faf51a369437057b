"""The package's public names: each resolves (most on first use) and ``dir(symcnn)`` lists it."""

from __future__ import annotations

import pytest

import symcnn


def test_every_public_name_resolves_and_dir_lists_it() -> None:
    listed = dir(symcnn)
    for name in symcnn.__all__:
        assert getattr(symcnn, name) is not None
        assert name in listed
    assert len(set(symcnn.__all__)) == len(symcnn.__all__)


def test_star_import_gives_every_public_name() -> None:
    namespace: dict[str, object] = {}
    exec("from symcnn import *", namespace)
    assert set(symcnn.__all__) <= set(namespace)
    assert namespace["Conv2d"] is symcnn.layers.Conv2d and namespace["load_spec"] is symcnn.model.spec.load_spec


def test_names_loaded_on_first_use_are_the_defining_modules_objects() -> None:
    from symcnn.derivation import conditions

    assert symcnn.violated is conditions.violated and symcnn.minimum_input_size is conditions.minimum_input_size
    assert symcnn.LAYERS is symcnn.layers.LAYERS and symcnn.Layer is symcnn.layers.Layer


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Conv9d'"):
        _ = symcnn.Conv9d
