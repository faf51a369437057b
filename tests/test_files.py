"""No file is lost: atomic writes, all-or-nothing sets, hand-written files and symlinks left alone."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from symcnn.cli import main
from symcnn.errors import SpecError
from symcnn.files import MARK, write_files

ROOT = Path(__file__).resolve().parents[1]


def run(capsys, *argv: str) -> tuple[int, str]:
    status = main(list(argv))
    return status, capsys.readouterr().err


def test_a_hand_written_file_in_the_paper_directory_survives(capsys, tmp_path):
    (tmp_path / "macros.tex").write_text("% my own macros\n\\newcommand{\\mine}{1}\n")
    status, err = run(capsys, "paper", "--zoo", "lenet5", "-o", str(tmp_path))
    assert status == 2
    refusal = "exists and was not written by symcnn: give --force to replace it"
    assert err == f"symcnn: error: {tmp_path / 'macros.tex'} {refusal}\n"
    assert (tmp_path / "macros.tex").read_text().startswith("% my own macros")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["macros.tex"]  # all or nothing: no fragment either


def test_force_replaces_and_symcnn_replaces_its_own_files(capsys, tmp_path):
    (tmp_path / "macros.tex").write_text("% my own macros\n")
    assert run(capsys, "paper", "--zoo", "lenet5", "-o", str(tmp_path), "--force")[0] == 0
    assert MARK in (tmp_path / "macros.tex").read_text()
    assert run(capsys, "paper", "--zoo", "lenet5", "-o", str(tmp_path))[0] == 0  # its own: replaced freely
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".")]  # no temporary left behind


def test_a_symlink_in_the_output_directory_is_not_followed(capsys, tmp_path):
    outside = tmp_path / "outside.tex"
    outside.write_text(f"% {MARK}, but outside the output directory\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "macros.tex").symlink_to(outside)
    status, err = run(capsys, "paper", "--zoo", "lenet5", "-o", str(out), "--force")
    assert status == 2 and "is a symbolic link: symcnn does not write through links" in err
    assert outside.read_text() == f"% {MARK}, but outside the output directory\n"


def test_exam_latex_and_its_solutions_are_written_together(capsys, tmp_path):
    target = tmp_path / "exam.tex"
    (tmp_path / "exam-solutions.tex").write_text("my solutions, typed by hand\n")
    status, err = run(capsys, "exam", "--count", "2", "--format", "latex", "-o", str(target))
    assert status == 2 and "exam-solutions.tex exists and was not written by symcnn" in err
    assert not target.exists()  # neither file, not just one
    assert run(capsys, "exam", "--count", "2", "--format", "latex", "-o", str(target), "--force")[0] == 0
    assert MARK in target.read_text() and "solutions" in (tmp_path / "exam-solutions.tex").read_text().lower()


def test_derive_output_replaces_its_own_latex_but_not_other_files(capsys, tmp_path):
    target = tmp_path / "net.tex"
    assert run(capsys, "derive", "-f", "latex", "-o", str(target))[0] == 0
    assert run(capsys, "derive", "-f", "latex", "-o", str(target))[0] == 0
    notes = tmp_path / "notes.md"
    notes.write_text("# my notes\n")
    status, err = run(capsys, "derive", "-f", "md", "-o", str(notes))
    assert status == 2 and err.count("\n") == 1 and notes.read_text() == "# my notes\n"


@pytest.mark.parametrize(
    ("command", "name"),
    [
        (("derive", "-f", "md"), "net.md"),
        (("derive", "-f", "text"), "net.txt"),
        (("derive", "-f", "html"), "net.html"),
        (("exam", "--count", "2", "--format", "gift"), "exam.gift"),
        (("exam", "--count", "2", "--format", "moodle"), "exam.xml"),
        (("exam", "--count", "2", "--format", "markdown"), "exam.md"),
    ],
)
def test_running_the_same_command_again_replaces_its_file(capsys, tmp_path, command, name):
    """Formats with comments carry the mark in their first lines (stdout stays unmarked)."""
    target = tmp_path / name
    assert run(capsys, *command, "-o", str(target))[0] == 0
    first = target.read_text()
    assert MARK in first.splitlines()[0] or MARK in first.splitlines()[1]  # XML: after its declaration
    assert run(capsys, *command, "-o", str(target))[0] == 0
    assert target.read_text() == first
    assert main(list(command)) == 0
    assert MARK not in capsys.readouterr().out


def test_the_marked_moodle_file_is_still_xml(capsys, tmp_path):
    import xml.etree.ElementTree as ET

    target = tmp_path / "exam.xml"
    assert run(capsys, "exam", "--count", "3", "--format", "moodle", "-o", str(target))[0] == 0
    assert ET.parse(target).getroot().tag == "quiz"


def test_a_directory_or_device_is_never_replaced(tmp_path):
    (tmp_path / "d").mkdir()
    with pytest.raises(SpecError, match="it is not a regular file"):
        write_files({tmp_path / "d": "x"}, force=True)
    with pytest.raises(SpecError, match=r"the directory .* does not exist"):
        write_files({tmp_path / "missing" / "f.tex": "x"})


def _limited(limit: int):
    def set_limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return set_limit


def test_a_write_failing_under_rlimit_fsize_leaves_the_old_file_intact(tmp_path):
    target = tmp_path / "net.tex"
    old = f"% {MARK}\nthe previous, complete version\n"
    target.write_text(old)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "symcnn.cli", "derive", "--zoo", "resnet18", "-f", "latex", "-o", str(target)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, preexec_fn=_limited(4096), timeout=300)
    assert done.returncode == 2
    assert done.stderr.startswith(f"symcnn: error: cannot write {target}: File too large (no file was changed)")
    assert target.read_text() == old
    assert sorted(path.name for path in tmp_path.iterdir()) == ["net.tex"]  # the temporary file is removed


def test_kill_9_during_a_write_leaves_the_old_or_the_new_file_never_a_mix(tmp_path):
    target = tmp_path / "net.tex"
    old = f"% {MARK}\nthe previous, complete version\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "symcnn.cli", "derive", "--zoo", "resnet50", "-f", "latex", "-o", str(target)]
    for delay in (0.5, 1.5, 3.0):
        target.write_text(old)
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        text = target.read_text()
        assert text == old or text.rstrip().endswith(r"\end{itemize}")  # whole old, or whole new
