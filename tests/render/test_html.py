"""The HTML renderer: well-formed, the text renderer's numbers, names escaped, compact for big networks."""

from __future__ import annotations

import pytest

import symcnn
from symcnn import whatif
from symcnn.render import html

from .htmlcheck import numbers, parse, text_of


def small() -> symcnn.Network:
    return symcnn.Sequential(
        symcnn.Input(3, "H", "W"),
        symcnn.Conv2d(out_channels="k", kernel_size=5, padding=2),
        symcnn.BatchNorm2d(),
        symcnn.MaxPool2d(2),
        symcnn.Flatten(),
        symcnn.Linear(out_features=10),
    )


def test_fragment_and_page_parse_and_carry_the_texts_numbers(mnist):
    text_numbers = numbers(mnist.to_text())
    for markup in (mnist._repr_html_(), mnist.to_html()):
        assert text_numbers <= numbers(text_of(markup)), text_numbers - numbers(text_of(markup))
    assert 217_706 in numbers(text_of(mnist._repr_html_()))


def test_symbolic_page_has_math_for_every_formula():
    d = small().derive()
    page = d.to_html()
    checker = parse(page)
    # Rows with formulas, totals, conditions, steps, receptive fields, memory: all MathML.
    assert checker.tags["math"] >= 20
    assert checker.tags.get("script", 0) == 0 and "http" not in page.replace("http://www.w3.org", "")
    for heading in ("Layers", "Totals", "Derivation, step by step", "Receptive fields", "Memory", "Valid when"):
        assert heading in page
    assert numbers(d.to_text()) <= numbers(text_of(page))


def test_names_are_data_not_markup():
    net = symcnn.Sequential(symcnn.Input(3, 8, 8), symcnn.Conv2d(out_channels=4, kernel_size=3, name="<b>&x"))
    d = net.derive()
    for markup in (d._repr_html_(), d.to_html(title="<script>alert(1)</script>")):
        parse(markup)
        assert "<b>&x" not in markup and "&lt;b&gt;&amp;x" in markup
        assert "<script>" not in markup


def test_a_long_network_collapses_by_block_with_the_same_totals():
    from symcnn import zoo

    d = zoo.resnet50().derive().subs(H=224, W=224)
    fragment = d._repr_html_()
    checker = parse(fragment)
    assert checker.tags["details"] == 4  # layer1 .. layer4
    shown = numbers(text_of(fragment))
    assert {int(d.totals.params), int(d.totals.macs), int(d.totals.flops)} <= shown
    assert {int(row.total_params) for row in d.layers} <= shown  # every row's value, inside its block


def test_network_shows_its_derivation():
    net = small()
    assert net._repr_html_() == net.derive()._repr_html_()
    broken = symcnn.Sequential(symcnn.Input(3, 2, 2), symcnn.Conv2d(out_channels=4, kernel_size=5))
    assert "cannot derive" in broken._repr_html_() and "must be" in broken._repr_html_()


@pytest.mark.torch
def test_resnet152_fragment_stays_within_budget():
    torch = pytest.importorskip("torch")
    torchvision = pytest.importorskip("torchvision")
    with torch.device("meta"):
        model = torchvision.models.resnet152().eval()
    d = symcnn.from_torch(model, (3, "H", "W")).derive()
    fragment = d._repr_html_()
    parse(fragment)
    # About the size of the text table (MathML in block summaries only); far below the full page.
    assert len(fragment) < 200_000 and len(fragment) < 1.5 * len(d.to_text())
    assert len(fragment) < len(d.to_html()) / 4
    assert f"{int(d.totals.params):,}".replace(",", "\u2009") in fragment


# -- what-if results and exam questions -------------------------------------------------------------


def test_solution_html_has_the_numbers_of_its_text():
    d = small().derive()
    answer = whatif.solve(d, "params <= 20000", largest="k", fixed={"H": 32, "W": 32})
    markup = answer._repr_html_()
    assert numbers(str(answer)) <= numbers(text_of(markup))
    assert f"{answer.quantity_at_value:,}" in markup


def test_sweep_html_is_a_table_with_the_summary():
    d = small().derive()
    result = whatif.sweep(d, ["H=8:256:8", "k=8,16", "W=32"])
    markup = result._repr_html_()
    checker = parse(markup)
    assert numbers(result.summary()) <= numbers(text_of(markup))
    assert checker.tags["tr"] == 1 + 20 and f"{len(result) - 20:,} more rows" in markup
    first = result.rows()[0]
    assert {int(item) for item in first if item is not None and not isinstance(item, bool)} <= numbers(text_of(markup))


def test_sensitivity_and_comparison_html_have_the_numbers_of_their_text():
    d = small().derive()
    result = whatif.sensitivity(d, "macs", "k", {"k": 16, "H": 32, "W": 32})
    assert numbers(str(result)) <= numbers(text_of(result._repr_html_()))
    other = symcnn.Sequential(symcnn.Input(3, "H", "W"), symcnn.Conv2d(out_channels="k", kernel_size=3)).derive()
    comparison = whatif.compare(d, other, ["params", "macs"], {"k": 16, "H": 32, "W": 32})
    assert numbers(str(comparison)) <= numbers(text_of(comparison._repr_html_()))


def test_exam_question_displays_answer_and_solution():
    from symcnn.exam import generate

    exam = generate(count=3, seed=1)
    for question in exam.questions:
        markup = question._repr_html_()
        parse(markup)
        assert "Worked solution" in markup and question.title in text_of(markup)
        assert "**Answer:**" in question._repr_markdown_()


def test_table_escapes_plain_strings_and_keeps_safe_markup():
    made = html.table(["a<b"], [["<i>", html.Safe("<i>x</i>")]])
    assert "a&lt;b" in made and "&lt;i&gt;" in made and "<i>x</i>" in made


def test_the_report_draws_the_architecture_from_the_tikz_layout() -> None:
    """One source of geometry: a box in the SVG per box the TikZ diagram places, labelled with its sizes."""
    import xml.etree.ElementTree as ET

    from symcnn import zoo
    from symcnn.render import svg, tikz

    d = zoo.resnet18().derive()
    drawn = svg.render(d)
    picture = ET.fromstring(drawn.split("\n<p class=\"legend\">", 1)[0])  # the <svg> element parses as XML
    boxes = [element for element in picture.iter("{http://www.w3.org/2000/svg}g") if element.get("class") == "box"]
    placed = tikz.layout(d).placed
    assert len(boxes) == len(placed) > 3
    titles = [box.find("{http://www.w3.org/2000/svg}title").text for box in boxes]
    assert [title.split(",")[0].split(" ×")[0] for title in titles] == [item.box.name for item in placed]
    assert drawn in d.to_html()
