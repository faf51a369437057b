"""Issue 17: user modules from forums and issue trackers, each exact or refused in one clear message.

For every report of :mod:`forum` that imports: at two odd sizes, the totals
(trainable, non-trainable, buffers) equal PyTorch's sums and every output's
shape equals a real forward's, in order and by name.  For every report that
cannot import: the error says why, in the words the test expects.
(``tests/conftest.py`` also checks the totals of every import in the suite.)
"""

from __future__ import annotations

import json
import warnings
from dataclasses import fields, is_dataclass
from typing import Any

import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

from symcnn import UnsupportedError  # noqa: E402
from symcnn.adapters.torch import from_torch  # noqa: E402

from .forum import REPORTS, Report  # noqa: E402

BATCH = 2
EXACT = [name for name, report in REPORTS.items() if not report.refused]
REFUSED = [name for name, report in REPORTS.items() if report.refused]


def imported(report: Report, model: Any, shape: Any) -> Any:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        network = from_torch(model, shape)
    measured = [str(item.message) for item in caught if "imported numerically" in str(item.message)]
    assert bool(measured) == report.numeric, measured
    return network.derive()


def leaves(value: Any) -> list[Any]:
    """The tensors of a forward's result, in the order symcnn lists its outputs."""
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, dict):
        items = list(value.values())
    elif isinstance(value, list | tuple):
        items = list(value)
    elif is_dataclass(value) and not isinstance(value, type):
        items = [getattr(value, item.name) for item in fields(value)]
    else:
        return []
    return [leaf for item in items for leaf in leaves(item)]


def per_sample(report: Report, name: str, tensor: Any) -> tuple[int, ...]:
    """A real output's shape without the batch (dimension 1 for a recurrent state, else 0)."""
    shape = tuple(int(size) for size in tensor.shape)
    batch_dim = 1 if name in report.states else 0
    assert shape[batch_dim] == BATCH, (name, shape)
    return shape[:batch_dim] + shape[batch_dim + 1 :]


def forward(report: Report, model: Any, sizes: dict[str, int]) -> Any:
    """The model run as it is (its mode kept) on a batch of 2, on the device its parameters are on (meta, cpu)."""
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        return model(*(item.to(device) for item in report.inputs(sizes, BATCH)))


@pytest.mark.parametrize("name", EXACT)
def test_totals_and_every_output_shape_match_pytorch(name: str) -> None:
    report = REPORTS[name]
    torch.manual_seed(0)
    model = report.make()
    symbolic = None if report.numeric else imported(report, model, report.shape)
    for sizes in report.sizes:
        shapes = report.shapes(sizes)
        d = imported(report, model, shapes if len(shapes) > 1 else shapes[0]) if symbolic is None else None
        d = d if d is not None else symbolic.subs(**sizes) if sizes else symbolic
        assert d.totals.params == sum(p.numel() for p in model.parameters())
        assert d.totals.trainable == sum(p.numel() for p in model.parameters() if p.requires_grad)
        assert d.totals.non_trainable == sum(p.numel() for p in model.parameters() if not p.requires_grad)
        assert d.totals.buffers == sum(b.numel() for b in model.buffers())
        real = leaves(forward(report, model, sizes))
        names = [output for output, _ in d.outputs]
        assert len(real) == len(d.output_shapes), names
        assert list(d.output_shapes) == [
            per_sample(report, output, item) for output, item in zip(names, real, strict=True)
        ]
        if report.names:
            assert tuple(d.output_names) == report.names
        else:
            assert d.output_names == ()
        if report.unused:
            assert d.rows[-1].name == report.unused or any(row.name == report.unused for row in d.rows)


@pytest.mark.parametrize("name", REFUSED)
def test_what_cannot_be_imported_is_refused_saying_why(name: str) -> None:
    report = REPORTS[name]
    model = report.make()
    shapes = report.shapes({})  # as written: symbols stay symbols
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(UnsupportedError, match=report.refused):
            from_torch(model, shapes if len(shapes) > 1 else shapes[0])


def test_the_corpus_holds_forty_reports_of_every_kind() -> None:
    assert len(REPORTS) >= 40
    assert sum(report.numeric for report in REPORTS.values()) >= 8
    assert len(REFUSED) >= 4
    assert sum(bool(report.states) for report in REPORTS.values()) >= 4
    assert sum(bool(report.unused) for report in REPORTS.values()) >= 8


def test_every_import_here_is_checked_against_numel() -> None:
    import symcnn.adapters.torch as adapter

    assert adapter._Importer.__name__ == "Checked" and adapter.measure.__name__ == "measured"


# -- the reported case, row by row -------------------------------------------------------------------------------------


def test_the_reported_model_counts_150_and_names_what_the_forward_skips() -> None:
    model = REPORTS["early_return"].make()
    d = from_torch(model, (5,)).derive()
    assert [row.name for row in d.layers] == [
        "shared.0 (call 1 of 2)",
        "shared.0 (call 2 of 2)",
        "helper_a",
        "not used by forward: helper_b.*, late.*, spare.*",
    ]
    assert [row.params.value for row in d.layers] == [30, 0, 30, 90]
    assert d.totals.params == 150 == sum(p.numel() for p in model.parameters())


def test_a_changed_setting_is_traced_again() -> None:
    model = REPORTS["early_return"].make()
    assert from_torch(model, (5,)).derive().row("helper_a").params.value == 30
    model.use_first_helper = False
    d = from_torch(model, (5,)).derive()
    assert d.rows[-1].name == "not used by forward: helper_a.*, spare.*"


def test_totals_that_disagree_are_refused_naming_the_rows() -> None:
    import sympy

    from symcnn.adapters.torch.invariant import Holdings, Placed, check_totals

    model = torch.nn.Sequential(torch.nn.Linear(3, 2))
    holdings = Holdings.of(model)
    assert (holdings.params, holdings.buffers) == (8, 0)
    six, none = sympy.Integer(6), sympy.Integer(0)
    short = [Placed("0", six, none, (("0.weight", 6, True), ("0.bias", 2, True)))]
    with pytest.raises(
        UnsupportedError, match=r"(?s)rows hold 6 parameters .* model holds 8 .*row '0' counts 6 .* holds 8"
    ):
        check_totals(model, short, holdings)
    with pytest.raises(UnsupportedError, match=r"not placed at any row: 0\.bias"):
        check_totals(model, [Placed("0", six, none, (("0.weight", 6, True),))], holdings)
    check_totals(model, [Placed("0", sympy.Integer(8), none, short[0].tensors)], holdings)  # agreeing: no error


# -- outputs in every format -------------------------------------------------------------------------------------------


def test_an_lstm_shows_out_h_and_c_in_every_format() -> None:
    d = from_torch(REPORTS["lstm_out_h_c"].make(), ("L", 4)).derive()
    assert d.outputs == (("out", (d.input_shape[0], 6)), ("h", (2, 6)), ("c", (2, 6)))
    assert d.output_shape == (d.input_shape[0], 6)  # the first output, as for one output
    assert "output shapes:        out Lx6, h 2x6, c 2x6" in d.to_text()
    assert r"- output shapes: `out` $L \times 6$, `h` $2 \times 6$, `c` $2 \times 6$" in d.to_markdown()
    assert r"\item output shapes: \texttt{out}~$L \times 6$, \texttt{h}~$2 \times 6$" in d.to_latex()
    parsed = json.loads(d.to_json())
    assert parsed["output_names"] == ["out", "h", "c"]
    assert parsed["output_shapes"] == [["L", 6], [2, 6], [2, 6]]
    assert [row.name for row in d.layers] == ["lstm", "lstm.h_n", "lstm.c_n"]


def test_one_output_reads_as_before() -> None:
    d = from_torch(torch.nn.Linear(4, 2), (4,)).derive()
    assert d.output_names == () and d.outputs == (("output", (2,)),)
    assert "output shape:         2" in d.to_text()
    assert json.loads(d.to_json())["output_names"] == ["output"]


def test_a_state_used_as_a_batch_first_tensor_is_refused_saying_where_the_batch_is() -> None:
    class Misused(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lstm, self.fc = torch.nn.LSTM(4, 6, num_layers=2, batch_first=True), torch.nn.Linear(6, 2)

        def forward(self, x: Any) -> Any:
            _, (h, _) = self.lstm(x)
            return self.fc(h.view(-1, 6))

    with pytest.raises(UnsupportedError, match=r"view\(-1, 6\) of the final state 'h' \(2 layers, batch, 6\).*h\[-1\]"):
        from_torch(Misused(), ("L", 4))


def test_input_shapes_that_are_not_tuples_are_refused() -> None:
    for bad in (8, "HW"):
        with pytest.raises(UnsupportedError, match=r"input_shape must be a tuple of sizes without the batch"):
            from_torch(torch.nn.Linear(8, 2), bad)
