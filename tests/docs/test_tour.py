"""docs/tour.ipynb is committed executed (a code host shows its tables and plots), and its stored outputs
are what it produces now: the test runs it in a real Jupyter kernel and compares, output by output, the
text/plain and text/html parts (memory addresses normalised; images only for being there).

After an intended change: ``SYMCNN_UPDATE_TOUR=1 pytest tests/docs/test_tour.py`` writes the fresh outputs
into the notebook (then read the diff before committing it), as ``SYMCNN_UPDATE_GOLDEN`` does for golden files.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

TOUR = Path(__file__).resolve().parents[2] / "docs" / "tour.ipynb"
NEEDS = "pip install '.[torch,plot,notebook]'"
COMPARED = ("text/plain", "text/html")
_ADDRESS = re.compile(r"0x[0-9a-f]{6,}")


def _modules() -> tuple[object, object]:
    nbformat = pytest.importorskip("nbformat", reason=f"the tour needs Jupyter: {NEEDS}")
    nbclient = pytest.importorskip("nbclient", reason=f"the tour needs Jupyter: {NEEDS}")
    pytest.importorskip("ipykernel", reason=f"the tour needs a kernel: {NEEDS}")
    pytest.importorskip("torchvision", reason=f"the tour imports a torchvision model: {NEEDS}")
    pytest.importorskip("matplotlib", reason=f"the tour draws plots: {NEEDS}")
    return nbformat, nbclient


def _normalised(cell) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """What a reader sees of a cell's outputs, without what differs between runs."""
    shown = []
    for output in cell.outputs:
        if output.output_type == "stream":
            shown.append({"stream": output.name, "text": _ADDRESS.sub("0x…", output.text)})
            continue
        data = output.get("data", {})
        part: dict[str, object] = {"type": output.output_type, "kinds": sorted(data)}
        for kind in COMPARED:
            if kind in data:
                text = data[kind] if isinstance(data[kind], str) else "".join(data[kind])
                part[kind] = _ADDRESS.sub("0x…", text)
        shown.append(part)
    return shown


def test_the_tour_is_committed_executed_and_matches_a_fresh_run(tmp_path):
    nbformat, nbclient = _modules()
    committed = nbformat.read(TOUR, as_version=4)
    code = [cell for cell in committed.cells if cell.cell_type == "code"]
    fresh = nbformat.read(TOUR, as_version=4)
    nbclient.NotebookClient(  # type: ignore[attr-defined]
        fresh, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()  # raises CellExecutionError on the first failing cell
    ran = [cell for cell in fresh.cells if cell.cell_type == "code"]
    outputs = [output for cell in ran for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    kinds = {kind for output in outputs for kind in output.get("data", {})}
    assert {"text/html", "text/markdown", "text/latex", "image/png"} <= kinds  # tables, equations, plots
    if os.environ.get("SYMCNN_UPDATE_TOUR"):
        nbformat.write(fresh, TOUR)
        return
    assert all(cell.outputs or cell.execution_count for cell in code), "commit the tour executed"
    for number, (old, new) in enumerate(zip(code, ran, strict=True), start=1):
        assert _normalised(old) == _normalised(new), f"code cell {number} shows something else now"
    # The plots were drawn in the scratch directory, not in docs/.
    assert {path.name for path in tmp_path.iterdir()} >= {"width.png", "stages.png"}
    assert not (TOUR.parent / "width.png").exists()
    shutil.rmtree(tmp_path, ignore_errors=True)
