"""symcnn paper: fragments that compile inside an article, macros that cite the right numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sympy

import symcnn
import symcnn.model.examples
from symcnn import zoo
from symcnn.cli import main
from symcnn.errors import SpecError
from symcnn.paper import Options, files, macro_base, macros, write

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def networks() -> dict[str, symcnn.Derivation]:
    stem = symcnn.load_spec(ROOT / "papers" / "resnet_stem.yaml").derive()
    chain = symcnn.Sequential(
        symcnn.Input(3, "H", "W"),
        *[symcnn.Conv2d(out_channels=f"w{index}", kernel_size=3, padding=1) for index in range(60)],
    ).derive()
    return {"mnist": symcnn.load_spec(symcnn.model.examples.MNIST).derive(), "ResNet stem": stem, "chain60": chain}


def _defined(text: str) -> dict[str, str]:
    return dict(re.findall(r"\\newcommand\{\\(\w+)\}\{\\ensuremath\{(.*)\}\}", text))


def test_macros_cite_the_derived_numbers(networks):
    defined = _defined(macros(networks, Options(at={"H": 224, "W": 224, "k": 64})))
    assert defined["MnistParams"] == "217{,}706"
    stem = networks["ResNet stem"]
    assert defined["ResNetStemParamsFormula"] == "149 k"
    at = stem.subs(H=224, W=224, k=64).totals
    assert defined["ResNetStemParams"] == f"{int(at.params):,}".replace(",", "{,}")
    assert defined["ResNetStemMACs"] == f"{int(at.macs):,}".replace(",", "{,}")
    assert "ChainSixtyParams" not in defined  # w0..w59 are not given: only the formula
    assert "ChainSixtyParamsFormula" in defined


def test_number_styles():
    mnist = {"mnist": symcnn.load_spec(symcnn.model.examples.MNIST).derive()}
    for style, shown in (("thin", r"217\,706"), ("plain", "217706"), ("siunitx", r"\num{217706}")):
        assert _defined(macros(mnist, Options(numbers=style)))["MnistParams"] == shown
    with pytest.raises(SpecError, match="number style"):
        Options(numbers="roman")


def test_macro_names_are_letters_and_clashes_are_refused():
    assert macro_base("densenet121") == "DensenetOneHundredTwentyOne"
    mnist = symcnn.load_spec(symcnn.model.examples.MNIST).derive()
    with pytest.raises(SpecError, match="both give LaTeX macros"):
        macros({"net-1": mnist, "net 1": mnist}, Options())


@pytest.mark.latex
def test_every_fragment_compiles_inside_an_article(tmp_path, networks, pdflatex):
    from tests.render.test_latex_typesetting import assert_typesets_cleanly

    options = Options(at={"H": 224, "W": 224})
    from tests.paper.typeset import packages

    names = write(networks, str(tmp_path / "fragments"), options)
    needed = sorted({p for name in names for p in packages((tmp_path / "fragments" / name).read_text())})
    assert set(needed) == {*options.packages, "tikz"}  # the diagram needs tikz, the rest what Options says
    body = [r"\input{fragments/macros.tex}", r"Cited: \MnistParams{} and \ResNetStemParamsFormula."]
    body += [rf"\input{{fragments/{name}}}" for name in names if name != "macros.tex"]
    document = "\n".join(
        [
            r"\documentclass{article}",
            rf"\usepackage{{{','.join(needed)}}}",
            r"\allowdisplaybreaks",
            r"\begin{document}",
            *body,
            r"\end{document}",
        ]
    )
    assert_typesets_cleanly(pdflatex("article", document))


def test_long_networks_get_a_stage_table_and_layers_on_request():
    blocks = symcnn.Sequential(
        symcnn.Input(8, 16, 16),
        *[
            symcnn.Sequential(
                symcnn.Conv2d(out_channels=8, kernel_size=3, padding=1), symcnn.ReLU(), name=f"layer{index}"
            )
            for index in range(30)
        ],
    ).derive()
    table = files({"blocks": blocks}, Options())["Blocks-table.tex"]
    assert table.startswith("% stages table")
    assert table.count(r"3{\times}3,\,8") == 30  # one row per stage, its block as a bracket
    layers = files({"blocks": blocks}, Options(table="layers"))["Blocks-table.tex"]
    assert layers.startswith("% layers table") and layers.count(r"\texttt{layer") == 60
    with pytest.raises(SpecError, match="table must be one of"):
        Options(table="wide")


def test_one_polynomial_order_in_table_totals_macros_and_derivation():
    # Descending degree, the constant last, everywhere: 2763 w^2 + 146476 w + 4865320.
    written = files({"resnet50": zoo.resnet50(width_per_group="w").derive()}, Options())

    def plain(text: str) -> str:  # number separators, line breaks and alignment out of the way
        text = re.sub(r"(?<=\d)(?:\{,\}|\\,)(?=\d)", "", text)
        for mark in (r"\,", r"\allowbreak", r"&\quad", "\\\\", "&"):
            text = text.replace(mark, " ")
        return " ".join(text.split())

    for name in ("ResnetFifty-table.tex", "ResnetFifty-totals.tex", "ResnetFifty-derivation.tex", "macros.tex"):
        assert "2763 w^{2} + 146476 w + 4865320" in plain(written[name]), name


def test_cli_writes_the_fragments(tmp_path, capsys):
    assert main(["paper", str(ROOT / "papers" / "mnist.yaml"), "-o", str(tmp_path), "--numbers", "thin"]) == 0
    written = capsys.readouterr().out.split()
    assert {Path(path).name for path in written} >= {"macros.tex"}
    assert any(name.endswith("-table.tex") for name in written)
    assert main(["paper", "-o", str(tmp_path)]) == 2
    assert "give at least one spec file, --zoo, --torch or --onnx" in capsys.readouterr().err
    assert sympy.Integer(1)  # the module imports sympy for the macros' values
