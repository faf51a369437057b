"""What the student sees: no blank's value readable from another cell, every layer mentioned named on the page,
kinds grouped by topic, bands that mean something."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import symcnn
from symcnn import exam
from symcnn.exam.export.text import html_question
from symcnn.exam.kinds.registry import TOPICS
from symcnn.exam.model import answer_text

NUMBER = re.compile(r"\d+(?:\.\d+)?")
WORD = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def _student_table(question):
    """The table as the student's HTML shows it, parsed back: rows of cell texts, blanks as ``BLANK``."""
    page = html_question(question, lambda number: "BLANK")
    root = ET.fromstring(f"<div>{page}</div>")
    table = root.find("table")
    header = [cell.text or "" for cell in table.iter("th")]
    rows = [["".join(cell.itertext()) for cell in row.iter("td")] for row in table.find("tbody")]
    return header, rows


def test_no_blank_of_a_shape_table_can_be_read_off_another_cell(sweep):
    tables = [q for q in sweep if q.kind == "shape_table"]
    assert len(tables) > 150
    for question in tables:
        header, rows = _student_table(question)
        size, layer = header.index("output height (= width) or features"), header.index("layer")
        hidden = {answer_text(blank.answer) for blank in question.blanks}
        assert sum(row[size] == "BLANK" for row in rows) == len(question.blanks)
        for row in rows:
            cell = row[size]
            if cell == "BLANK":
                continue
            assert "×" not in cell and "*" not in cell  # no product whose factors are sizes
            for number in NUMBER.findall(cell):
                # A number shown beside a blank's value is only ever the row's own argument, from its layer column.
                if number in hidden:
                    assert number in NUMBER.findall(row[layer]), (row, question.blanks)


def test_every_row_after_a_blank_shows_no_size_that_follows_from_it(sweep):
    """By construction: a row that keeps its input's shape says so, a row that changes it is a blank."""
    for question in (q for q in sweep if q.kind == "shape_table"):
        derivation = symcnn.load_spec(question.network).derive()
        cells = [row[-1] for row in question.table[2:]]
        for row, cell in zip(derivation.layers, cells, strict=True):
            if row.output_shape != row.input_shapes[0] and len(row.output_shape) > 1:
                assert cell.startswith("[["), (row.name, cell)


def _mentioned(question):
    """Texts a student reads (question, code, choices' feedback) and the solution's labels and conclusion."""
    feedback = [d.feedback for blank in question.blanks for d in blank.distractors]
    labels = [line.label for line in question.solution.lines]
    return [question.text, question.code, question.solution.conclusion, *feedback, *labels]


def test_every_layer_a_question_or_solution_names_is_named_where_the_student_sees_it(sweep):
    for question in sweep:
        shown = set(question.shown_names) | set(WORD.findall(question.text)) | set(WORD.findall(question.code))
        names = {layer["name"] for layer in question.network["layers"] if "name" in layer}
        for text in _mentioned(question):
            for word in WORD.findall(text):
                if word in names:
                    assert word in shown, (question.kind, word, text)
        for line in question.solution.lines:
            if ":" in line.label:
                subject = line.label.split(":")[0].split()[-1]
                assert subject in shown, (question.kind, line.label, sorted(shown))
        if question.table:  # a table names every layer it lists, and the text's "layer 3 (conv2d2: ...)" agrees
            header, *rows = question.table
            column = header.index("name")
            for number, name in re.findall(r"layer (\d+) \((\w+)", question.text):
                assert rows[int(number)][column] == name


def test_at_least_fourteen_kinds_in_every_topic_order():
    assert len(exam.KINDS) >= 14
    assert {kind.topic for kind in exam.KINDS.values()} == set(TOPICS)


def test_questions_carry_kind_band_and_formulas(sweep):
    for question in sweep:
        assert question.band in exam.DIFFICULTIES
        if question.kind not in ("invalid_layer",):
            assert question.formulas, question.kind  # the rules the worked solution applies
    easy = [q for q in sweep if q.band == "easy" and q.kind in ("layer_params", "total_params", "output_size")]
    assert easy and all(len(q.network["layers"]) == 1 for q in easy)
    hard = [q for q in sweep if q.band == "hard" and q.kind == "total_params"]
    assert hard and all(any(layer["type"] == "add" for layer in q.network["layers"]) for q in hard)


def test_the_invalid_layers_row_number_varies():
    answers = {q.answer for q in exam.generate(20, seed=3, difficulty="medium", kinds=["invalid_layer"]).questions}
    assert len(answers) >= 3


def test_code_asking_a_size_shows_no_flattened_feature_count(sweep):
    """Linear(3136, 100) after flatten would give away 64·7·7: size questions use LazyLinear there."""
    asked = [q for q in sweep if q.kind == "pytorch_code" and "height" in q.text]
    assert asked
    for question in asked:
        layers = question.network["layers"]
        after = next(layers[i + 1]["name"] for i, layer in enumerate(layers) if layer["type"] == "flatten")
        constructors = dict(re.findall(r"self\.(\w+) = (.*)", question.code))
        assert (
            constructors[after] == f"nn.LazyLinear({layers[[x['name'] for x in layers].index(after)]['out_features']})"
        )
