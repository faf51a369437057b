"""LeNet-5 as published and the MNIST worked example, layer by layer."""

from __future__ import annotations

import sympy

import symcnn
from symcnn import zoo
from symcnn.model.examples import MNIST


def test_lenet5_per_layer_counts_as_published() -> None:
    d = zoo.lenet5().derive()
    published = {"C1": 156, "S2": 12, "C3": 1516, "S4": 32, "C5": 48120, "F6": 10164}
    assert {name: d.row(name).params.value for name in published} == published
    assert d.totals.trainable == 60000
    assert d.row("C3").output_shape == (16, 10, 10)
    assert d.row("C5").output_shape == (120, 1, 1)
    assert d.output_shape == (84,)


def test_lenet5_connection_table_is_table_one() -> None:
    sizes = sorted(len(row) for row in zoo.lenet.C3_TABLE)
    assert sizes == [3] * 6 + [4] * 9 + [6]
    assert all(len(set(row)) == len(row) for row in zoo.lenet.C3_TABLE)
    assert len(set(zoo.lenet.C3_TABLE)) == 16


def test_mnist_cnn_is_the_worked_example() -> None:
    d = zoo.mnist_cnn().derive()
    assert [row.params.value for row in d.rows if row.params.value] == [832, 9248, 205056, 2570]
    reference = symcnn.load_spec(MNIST).derive()
    assert [row.name for row in d.rows] == [row.name for row in reference.rows]
    assert d.totals == reference.totals


def test_mnist_cnn_in_its_hyperparameters() -> None:
    l, k, n = symcnn.symbols("l k n")
    d = zoo.mnist_cnn(l=l, k=k, n2=n).derive()
    pooled = sympy.floor((12 - n + 1) / 2)
    expected = 26 * l + (n * n * l + 1) * k + (k * pooled**2 + 1) * 256 + 2570
    assert sympy.simplify(d.totals.trainable - expected) == 0
    assert d.subs(l=32, k=32, n=3).totals.trainable == 217706
