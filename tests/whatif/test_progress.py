"""The sweep's progress bar: on a terminal for long sweeps, never in a pipe."""

from __future__ import annotations

import io

from symcnn import Conv2d, Input, Sequential
from symcnn.whatif import sweep
from symcnn.whatif.progress import THRESHOLD, Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_only_on_a_terminal_and_only_for_long_sweeps():
    for stream, total, shown in ((Terminal(), THRESHOLD + 1, True), (Terminal(), THRESHOLD, False),
                                 (io.StringIO(), 10 * THRESHOLD, False)):  # fmt: skip
        bar = Progress(total, stream=stream)
        bar.update(total // 2)
        bar.update(total)  # never past the end
        bar.close()
        assert bool(stream.getvalue()) is shown
        if shown:
            assert stream.getvalue().endswith(f"100%|{'#' * 30}| {total:,}/{total:,} configurations\n")


def test_sweep_over_a_million_points_reports_progress(capsys):
    net = Sequential(Input(3, "H", "W"), Conv2d(out_channels="k", kernel_size=3))
    result = sweep(net.derive(), ["H=3:1002", "k=1:1000", "W=8"], quantities=["params"], progress=True)
    assert len(result) == 1_000_000
    err = capsys.readouterr().err
    assert err.count("\r") == 16 and "1,000,000/1,000,000 configurations" in err  # one update per batch of 65,536
    sweep(net.derive(), ["H=3:1002", "k=1:1000", "W=8"], quantities=["params"])  # stderr is no terminal here
    assert capsys.readouterr().err == ""
