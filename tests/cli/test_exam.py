"""``symcnn exam``: the command of the issue, every format, listings and one-line errors."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
import zipfile

import pytest

from symcnn.cli import main
from symcnn.exam import KINDS
from symcnn.exam.kinds.registry import TOPICS


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_the_command_of_the_issue_writes_moodle_xml(capsys, tmp_path):
    target = tmp_path / "quiz.xml"
    argv = ["exam", "--count", "20", "--seed", "7", "--difficulty", "medium"]
    argv += ["--kinds", "total_params,output_size", "--format", "moodle", "-o", str(target)]
    status, out, err = run(capsys, *argv)
    assert (status, out, err) == (0, "", "")
    root = ET.parse(target).getroot()
    questions = [q for q in root if q.get("type") != "category"]
    assert len(questions) == 20
    first = target.read_bytes()
    run(capsys, *argv)
    assert target.read_bytes() == first  # the same seed, the same file


def test_list_kinds(capsys):
    status, out, _ = run(capsys, "exam", "--list-kinds")
    assert status == 0
    listed = [line.split()[0] for line in out.splitlines() if line.startswith("  ")]
    assert sorted(listed) == sorted(KINDS) and len(KINDS) >= 14
    topics = [line.rstrip(":") for line in out.splitlines() if line and not line.startswith(" ")]
    assert topics == [topic for topic in TOPICS if any(kind.topic == topic for kind in KINDS.values())]
    for line in out.splitlines():  # each kind under its own topic
        if line and not line.startswith(" "):
            topic = line.rstrip(":")
        elif line:
            assert KINDS[line.split()[0]].topic == topic


@pytest.mark.parametrize("fmt", ["gift", "markdown", "json", "latex", "moodle"])
def test_text_formats_print_to_stdout(capsys, fmt):
    status, out, err = run(capsys, "exam", "--count", "3", "--seed", "1", "--format", fmt)
    assert status == 0 and out and not err
    if fmt == "json":
        assert len(json.loads(out)["questions"]) == 3


def test_latex_writes_question_and_solution_sheets(capsys, tmp_path):
    target = tmp_path / "sheet.tex"
    status, _, _ = run(capsys, "exam", "--count", "3", "--format", "latex", "--exam-class", "-o", str(target))
    assert status == 0
    assert r"\documentclass[addpoints]{exam}" in target.read_text(encoding="utf-8")
    assert "Answer:" in (tmp_path / "sheet-solutions.tex").read_text(encoding="utf-8")


def test_qti_needs_a_file_and_writes_a_zip(capsys, tmp_path):
    status, out, err = run(capsys, "exam", "--format", "qti")
    assert status == 2 and not out and err.count("\n") == 1 and "give -o FILE.zip" in err
    target = tmp_path / "quiz.zip"
    status, _, _ = run(capsys, "exam", "--count", "4", "--format", "qti", "--multichoice", "-o", str(target))
    assert status == 0
    assert "imsmanifest.xml" in zipfile.ZipFile(io.BytesIO(target.read_bytes())).namelist()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--kinds", "receptive"], "unknown question kind 'receptive'"),
        (["--count", "0"], "count must be a positive integer"),
        (["--count", "2", "-o", "/nonexistent/dir/quiz.xml"], "cannot write /nonexistent/dir/quiz.xml"),
    ],
)
def test_bad_requests_end_in_one_line_and_status_2(capsys, argv, message):
    status, out, err = run(capsys, "exam", *argv)
    assert status == 2 and not out
    assert err.count("\n") == 1 and message in err


def test_the_same_seed_gives_the_same_bytes_across_processes(tmp_path):
    """Set iteration order changes with PYTHONHASHSEED; the output must not."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    outputs = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(root)}
        files = []
        for fmt in ("json", "qti"):
            target = tmp_path / f"{hash_seed}.{fmt}"
            argv = ["exam", "--count", "9", "--seed", "3", "--difficulty", "mixed", "--format", fmt, "-o", str(target)]
            subprocess.run([sys.executable, "-m", "symcnn.cli", *argv], check=True, env=env, cwd=tmp_path, timeout=300)
            files.append(target.read_bytes())
        outputs.append(files)
    assert outputs[0] == outputs[1]
