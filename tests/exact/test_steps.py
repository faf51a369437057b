"""Steps of deep networks share what repeats (memory), and sharing changes no result."""

from __future__ import annotations

import pytest

import symcnn
from symcnn.exact import steps
from symcnn.exact.steps import bias_term, shown_product, zero_step


def _chain(depth: int) -> symcnn.Sequential:
    layers: list[symcnn.Layer] = [symcnn.Input(3, "H", "W")]
    for index in range(1, depth + 1):
        layers.append(symcnn.MaxPool2d(2) if index % 4 == 0 else symcnn.Conv2d(out_channels=f"k{index}", kernel_size=3))
    return symcnn.Sequential(*layers)


def test_equal_arguments_are_one_object_across_layers() -> None:
    # From empty memos: a window size remembered by an earlier test keeps the arguments shared then,
    # and the table of shared arguments is emptied when full, so across tests two equal ones may live.
    symcnn.clear_caches()
    rows = [row for row in _chain(12).derive().rows if row.kind == "conv2d"]
    kernels = {id(dict(row.sizes[0].arguments)["n"]) for row in rows}
    pairs = {id(next(pair for pair in row.sizes[0].arguments if pair[0] == "n")) for row in rows}
    assert len(kernels) == 1 and len(pairs) == 1  # Bind(3, "n") once, however many layers use it
    assert len({id(row.non_trainable) for row in rows}) == 1
    assert zero_step("macs") is zero_step("macs") and zero_step("macs").value == 0
    assert bias_term(True) is bias_term(True) and bias_term(True).value == 1 and bias_term(False).omit


def _values(d: symcnn.Derivation) -> list[tuple[object, ...]]:
    return [
        (row.name, row.output_shape, tuple(step.value for step in row.sizes), row.params.value, row.macs.value)
        for row in d.rows
    ]


def test_sharing_gives_the_same_rows_and_renderings_as_no_sharing(monkeypatch: pytest.MonkeyPatch) -> None:
    symcnn.clear_caches()
    shared = _chain(30).derive()
    expected = (_values(shared), shared.totals, shared.to_text(), shared.to_latex())
    monkeypatch.setattr(steps, "_shared", lambda pair: pair)  # every step keeps its own arguments
    symcnn.clear_caches()
    alone = _chain(30).derive()
    assert (_values(alone), alone.totals, alone.to_text(), alone.to_latex()) == expected
    first_conv = next(row for row in alone.rows if row.kind == "conv2d")
    later_conv = next(row for row in alone.rows[3:] if row.kind == "conv2d")
    assert dict(first_conv.sizes[0].arguments)["n"] is not dict(later_conv.sizes[0].arguments)["n"]


def test_a_shown_product_of_names_is_shared_and_reads_as_written() -> None:
    assert shown_product(["n", "m"]) is shown_product(("n", "m"))
    assert shown_product(["n", "m"]).text() == "n*m"
    assert shown_product([3, 3]).latex() == r"3 \cdot 3"
