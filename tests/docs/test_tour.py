"""docs/tour.ipynb runs top to bottom in a real Jupyter kernel, and is committed without outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

TOUR = Path(__file__).resolve().parents[2] / "docs" / "tour.ipynb"


def test_the_committed_tour_has_no_outputs():
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.read(TOUR, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code, "the tour has code cells"
    assert all(not cell.outputs and cell.execution_count is None for cell in code), "strip the outputs"


def test_the_tour_runs_in_a_kernel(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = nbformat.read(TOUR, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    shown = [output for output in outputs if output.output_type in ("display_data", "execute_result")]
    kinds = {kind for output in shown for kind in output.get("data", {})}
    assert {"text/markdown", "text/latex", "image/png"} <= kinds  # derivations as Markdown and LaTeX; a plot
