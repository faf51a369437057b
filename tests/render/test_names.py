"""Names are data, never markup: hostile layer names through every renderer.

A layer name comes from a file symcnn did not write.  Whatever it holds, the
text output has no control character, the Markdown table keeps its cells and
passes no HTML through, the JSON keeps the name exactly, and the LaTeX compiles
(with shell escape off).
"""

from __future__ import annotations

import json
import re
import unicodedata

import pytest

from symcnn import Conv2d, Input, ReLU, Sequential
from symcnn.render import escape

NAMES = (
    "a|b",
    "x\ny",
    "blank\n\nline",
    "back`tick``s",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "esc\x1b[31mred",
    "osc\x1b]0;title\x07",
    "bell\x07",
    "\u202eevil",
    "中文层",
    "Café ñ ü",
    "\\input{/etc/passwd}\\write18{touch x}",
    "$x$ {}%#&_^~",
    "tab\there",
    "ends with `",
)


def _network(name: str):
    # A symbolic kernel leaves a condition open, so the name also reaches the "valid when" lines.
    return Sequential(
        Input(3, "H", "W"), Conv2d(out_channels=4, kernel_size="k", name=name), ReLU(name=name + "-relu")
    ).derive()


def _controls(text: str) -> set[str]:
    return {char for char in text if char != "\n" and (unicodedata.category(char) in ("Cc", "Cf"))}


@pytest.mark.parametrize("name", NAMES)
def test_text_shows_control_characters_as_escapes(name):
    out = _network(name).to_text()
    plain = _network("p" * len(escape.text(name))).to_text()  # same width: same layout
    assert not _controls(out)
    assert out.count("\n") == plain.count("\n")  # no name adds a line
    assert escape.text(name) in out


def _cells(line: str) -> int:
    return len(re.split(r"(?<!\\)\|", line.strip().strip("|")))  # GFM: an unescaped pipe starts a cell


@pytest.mark.parametrize("name", NAMES)
def test_markdown_table_keeps_its_cells_and_passes_no_html(name):
    from markdown_it import MarkdownIt

    out = _network(name).to_markdown()
    table = [line for line in out.splitlines() if line.startswith("|")]
    assert len(table) == 5  # header, rule, input, conv, relu: no name adds a row
    assert len({_cells(line) for line in table}) == 1
    html = MarkdownIt("commonmark").enable("table").render(out)
    assert "<img" not in html and "<script" not in html  # shown as text (&lt;img), never a tag
    body = re.findall(r"<tr>(.*?)</tr>", html, re.S)
    assert len({len(re.findall(r"<t[dh]", row)) for row in body}) == 1
    assert not _controls(out)


@pytest.mark.parametrize("name", NAMES)
def test_json_keeps_the_name_exactly(name):
    data = json.loads(_network(name).to_json())
    assert [row["name"] for row in data["layers"]][-2:] == [name, name + "-relu"]
    assert any(name in condition["where"] for condition in data["conditions"])


@pytest.mark.latex
def test_latex_with_every_hostile_name_compiles(pdflatex, tmp_path):
    from pypdf import PdfReader

    layers = [Conv2d(out_channels=4, kernel_size="k", name=name) for name in NAMES]
    derivation = Sequential(Input(3, "H", "W"), *layers).derive()
    source = derivation.to_latex(standalone=True)
    assert "\\input{" not in source and "\\write18{" not in source
    pdf = pdflatex("names", source)  # compile_latex runs pdflatex without -shell-escape
    text = PdfReader(pdf).pages[0].extract_text()
    assert "[U+4E2D]" in text  # CJK shown as code points, not a compile error
    assert (tmp_path / "x").exists() is False  # \write18 never ran


def test_escape_helpers_one_per_format():
    assert escape.text("a\x1b[2Jb\n") == "a\\x1b[2Jb\\n"
    assert escape.markdown("<b>|`") == "\\<b\\>\\|\\`"
    assert escape.markdown_code("``x") == "``` ``x ```"
    assert escape.latex("a\n\nb") == "a\\textbackslash{}n\\textbackslash{}nb"  # no blank line: no paragraph end
    assert escape.latex("Ł中") == "\\L{}[U+4E2D]"


def test_cli_error_lines_escape_names(capsys, tmp_path):
    from symcnn.cli import main

    spec = tmp_path / "net.yaml"
    layer = '{type: conv2d, out_channels: 2, kernel_size: 9, name: "x\\e]0;t\\a"}'  # YAML \e is ESC, \a BEL
    spec.write_text(f"input: [1, 4, 4]\nlayers:\n  - {layer}\n")
    assert main(["derive", str(spec)]) == 2
    err = capsys.readouterr().err
    assert not _controls(err) and "x\\x1b]0;t\\x07" in err and err.count("\n") == 1


def _hostile_graph():
    """Every hostile name on a layer of a branching network (the diagram draws stages and merges)."""
    from symcnn import Add, Graph

    x = Input(4, "H", "W")
    y = x
    for position, name in enumerate(NAMES):
        branch = Conv2d(out_channels=4, kernel_size=3, padding=1, name=name)(y)
        y = Add(name=f"add{position}")(y, branch)
    return Graph(x, y).derive()


def test_html_and_svg_keep_names_as_text():
    """The HTML report and its SVG diagram parse, and no name becomes an element or attribute."""
    import xml.etree.ElementTree as ET
    from html.parser import HTMLParser

    derivation = _hostile_graph()
    page = derivation.to_html()

    found: list[str] = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append(tag)

    Tags().feed(page)
    assert "table" in found and "script" not in found and "img" not in found
    from symcnn.render import svg

    drawn = svg.render(derivation).split('\n<p class="legend">', 1)[0]
    ET.fromstring(drawn)  # well-formed XML: every name escaped


@pytest.mark.latex
def test_tikz_diagram_with_every_hostile_name_compiles(pdflatex):
    source = _hostile_graph().to_tikz()
    assert "\\input{" not in source and "\\write18{" not in source
    document = "\\documentclass{article}\\usepackage{tikz}\\begin{document}\n" + source + "\\end{document}\n"
    pdflatex("diagram", document)
