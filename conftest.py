"""Every example in README.md and docs/*.md runs as a test (Sybil), and its shown output is checked.

* ``python`` blocks run; those written with ``>>>`` are doctests (output compared);
* ``yaml`` and ``json`` blocks whose first line is ``# name.yaml`` are written to
  that file in a scratch directory, for the commands that follow to read;
* ``console`` blocks are commands: each ``$ symcnn ...`` line runs the CLI in
  that directory and its output must match the lines below it (``...`` matches
  anything, as in doctests);
* ``<!-- skip: start if(not torch_available, reason=...) -->`` ... ``<!-- skip: end -->``
  skips examples that need an optional extra where it is not installed (CI installs
  every extra and fails on any skip, so there they all run).

Blocks of other languages (``bash`` install commands, ``text``) are shown, not run.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import os
import shlex
from pathlib import Path

import pytest
from sybil import Example, Sybil
from sybil.parsers.markdown import CodeBlockParser, PythonCodeBlockParser, SkipParser

_CHECKER = doctest.OutputChecker()
_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _scratch(example: Example) -> Path:
    return Path(example.namespace["_scratch"])


def _write_file(example: Example) -> None:
    first = example.parsed.partition("\n")[0]
    name = first.lstrip("#/ ").strip()
    if first.startswith("#") and name.endswith((".yaml", ".yml", ".json")):
        (_scratch(example) / name).write_text(example.parsed, encoding="utf-8")


def _run_commands(example: Example) -> None:
    from symcnn.cli import main

    commands: list[tuple[str, list[str]]] = []
    for line in example.parsed.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        elif commands:
            commands[-1][1].append(line)
    cwd = os.getcwd()
    os.chdir(_scratch(example))
    try:
        for command, expected in commands:
            words = shlex.split(command)
            assert words[0] == "symcnn", f"console examples run symcnn only, got {command!r}"
            out, err = io.StringIO(), io.StringIO()
            # argparse errors exit; their message is the output.
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), contextlib.suppress(SystemExit):
                main(words[1:])
            got = out.getvalue() + err.getvalue()
            want = "\n".join(expected).strip() + "\n"
            if not _CHECKER.check_output(want, got, _FLAGS):
                raise AssertionError(f"$ {command}\nexpected:\n{want}got:\n{got}")
    finally:
        os.chdir(cwd)


def _setup(namespace: dict[str, object]) -> None:
    import importlib.util
    import tempfile

    # For `<!-- skip: next if(not torch_available, reason="needs PyTorch") -->`.
    namespace["torch_available"] = importlib.util.find_spec("torch") is not None
    namespace["matplotlib_available"] = importlib.util.find_spec("matplotlib") is not None
    namespace["onnx_available"] = importlib.util.find_spec("onnx") is not None
    namespace["keras_available"] = importlib.util.find_spec("keras") is not None

    namespace["_directory"] = directory = tempfile.TemporaryDirectory()
    namespace["_scratch"] = directory.name


def _teardown(namespace: dict[str, object]) -> None:
    namespace["_directory"].cleanup()  # type: ignore[attr-defined]


pytest_collect_file = Sybil(
    parsers=[
        PythonCodeBlockParser(doctest_optionflags=_FLAGS),
        CodeBlockParser("yaml", _write_file),
        CodeBlockParser("json", _write_file),
        CodeBlockParser("console", _run_commands),
        SkipParser(),
    ],
    patterns=["README.md", "docs/*.md"],
    setup=_setup,
    teardown=_teardown,
).pytest()


# CI sets SYMCNN_NO_SKIPS=1 after installing torch and pdflatex: there, a skip
# (of a test or of a whole module) means a dependency is missing, so it fails.
_NO_SKIPS = bool(os.environ.get("SYMCNN_NO_SKIPS"))


def _fail_skip(report: pytest.CollectReport | pytest.TestReport) -> None:
    if _NO_SKIPS and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped, but SYMCNN_NO_SKIPS is set: {report.longrepr}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    _fail_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _fail_skip(outcome.get_result())
