"""Compile paper fragments inside real venue templates and read the log (a test helper, not a test).

``compile_in(template, directory, fragments)`` writes a document of the template's class whose body
``\\input``s each fragment, runs pdflatex twice and returns what the log says: errors and overfull boxes.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

# One column of each venue a researcher submits to, and a one-column article.
TEMPLATES = {
    "ieeetran": r"\documentclass[conference]{IEEEtran}",
    "acmart": r"\documentclass[sigconf,nonacm]{acmart}",
    "llncs": r"\documentclass{llncs}",
    "twocolumn": r"\documentclass[twocolumn]{article}",
    "article": r"\documentclass{article}",
}
# What a paper of the class has before its body (acmart's running heads need a title).
_TITLE = r"\title{Fragments}\author{symcnn}"
ONE_COLUMN = ("llncs", "article")

_OVERFULL = re.compile(r"Overfull \\([hv])box \(([\d.]+)pt too (?:wide|high)\)[^\n]*")


@dataclass(frozen=True)
class Report:
    errors: tuple[str, ...]
    overfull: tuple[tuple[float, str], ...]  # (points, the log line)
    pdf: Path

    @property
    def widest(self) -> float:
        return max((points for points, _ in self.overfull), default=0.0)

    def __str__(self) -> str:
        lines = [f"{len(self.errors)} errors, {len(self.overfull)} overfull boxes (widest {self.widest:.1f}pt)"]
        lines += list(self.errors[:5]) + [line for _, line in sorted(self.overfull, reverse=True)[:5]]
        return "\n".join(lines)


def packages(fragment: str) -> list[str]:
    """The packages a fragment's ``% needs`` line names."""
    found = re.search(r"% needs \\usepackage\{([^}]*)\}", fragment)
    return found.group(1).split(",") if found else []


def libraries(fragment: str) -> list[str]:
    """The TikZ libraries a fragment's ``% needs`` line names (``\\usetikzlibrary{...}``)."""
    found = re.search(r"\\usetikzlibrary\{([^}]*)\}", fragment.split("\n", 3)[1] if "\n" in fragment else "")
    return found.group(1).split(",") if found else []


def document(template: str, fragments: dict[str, str], prelude: str = "") -> str:
    """A document of ``template`` that inputs each fragment (name -> text, the files beside it)."""
    needed: list[str] = []
    tikz: list[str] = []
    for text in fragments.values():
        needed += [name for name in packages(text) if name not in needed]
        tikz += [name for name in libraries(text) if name not in tikz]
    if template == "acmart":  # acmart loads amsmath and friends itself
        needed = [name for name in needed if name not in ("amsmath", "amssymb")]
    lines = [TEMPLATES[template], r"\usepackage{" + ",".join(needed) + "}" if needed else ""]
    if tikz:
        lines.append(r"\usetikzlibrary{" + ",".join(tikz) + "}")
    lines += [_TITLE, r"\allowdisplaybreaks", r"\begin{document}", r"\maketitle", prelude]
    for name in fragments:
        if name == "macros.tex":
            lines.insert(lines.index(r"\begin{document}"), r"\input{macros.tex}")
        else:
            lines += [rf"\input{{{name}}}", ""]
    # acmart balances the columns of the last page, which overfills one with a single tall table;
    # a paper's last page holds the references, so the fragments end a page of their own here.
    lines += [r"\clearpage", r"\end{document}"]
    return "\n".join(lines) + "\n"


def compile_in(template: str, directory: Path, fragments: dict[str, str], prelude: str = "") -> Report:
    """Write the fragments and a document of ``template`` into ``directory``; compile twice; read the log."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in fragments.items():
        (directory / name).write_text(text, encoding="utf-8")
    (directory / "paper.tex").write_text(document(template, fragments, prelude), encoding="utf-8")
    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:  # as tests/conftest.py does; CI (SYMCNN_NO_SKIPS=1) counts a skip as a failure
        pytest.skip("pdflatex is not installed")
    for _ in range(2):  # the second run settles longtable widths and references
        subprocess.run(
            [pdflatex, "-no-shell-escape", "-interaction=nonstopmode", "paper.tex"],
            cwd=directory, capture_output=True, timeout=600, check=False,
        )  # fmt: skip
    log = (directory / "paper.log").read_text(encoding="latin-1")
    errors = tuple(re.findall(r"^! .*", log, flags=re.M))
    overfull = tuple(
        (float(points), match.group(0)) for match in _OVERFULL.finditer(log) for points in [match.group(2)]
    )
    return Report(errors, overfull, directory / "paper.pdf")
