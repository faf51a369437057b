"""Every export parsed back: Moodle XML, GIFT, QTI zip, LaTeX (pdflatex), Markdown, JSON."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile

import pytest
import sympy

import symcnn
from symcnn import exam
from symcnn.exam.export.gift import SPECIAL
from symcnn.exam.export.moodle import ALLOWED_FRACTIONS
from symcnn.exam.export.text import html_question
from symcnn.exam.model import answer_text


@pytest.fixture(scope="module")
def quiz() -> exam.Exam:
    return exam.generate(36, seed=9, difficulty="mixed")


# --- Moodle XML -------------------------------------------------------------------------------


def _moodle_questions(text):
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "quiz"
    return [q for q in root if q.get("type") != "category"], [q for q in root if q.get("type") == "category"]


@pytest.mark.parametrize("multichoice", [False, True])
def test_moodle_xml_has_what_the_importer_requires(quiz, multichoice):
    text = exam.export(quiz, "moodle", multichoice=multichoice)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    questions, categories = _moodle_questions(text)
    assert categories and all(c.findtext("category/text").startswith("$course$/") for c in categories)
    types = [q.get("type") for q in questions]
    assert {"cloze", "calculated"} <= set(types)
    choices = [q for q in quiz.questions if not q.is_cloze and q.distractors]
    if not multichoice:  # only formulas (symbolic questions) cannot be typed as numbers
        choices = [q for q in choices if answer_text(q.answer) is None]
    assert types.count("multichoice") == len(choices) > 0
    for question in questions:
        assert question.findtext("name/text").strip()
        assert question.findtext("questiontext/text").strip()
        assert question.find("questiontext").get("format") == "html"
        assert "Worked solution" in question.findtext("generalfeedback/text")
        answers = question.findall("answer")
        if question.get("type") == "cloze":
            assert not answers and "{1:NUMERICAL:=" in question.findtext("questiontext/text")
            continue
        fractions = [answer.get("fraction") for answer in answers]
        assert set(fractions) <= set(ALLOWED_FRACTIONS)
        assert fractions.count("100") == 1
        if question.get("type") in ("numerical", "calculated"):
            assert all(answer.findtext("tolerance") == "0" for answer in answers)
        if question.get("type") == "calculated":
            definitions = question.findall("dataset_definitions/dataset_definition")
            assert [d.findtext("name/text") for d in definitions] == ["k", "l"]
            for definition in definitions:
                items = definition.findall("dataset_items/dataset_item")
                assert (
                    len(items) == int(definition.findtext("itemcount")) == int(definition.findtext("number_of_items"))
                )
            assert re.fullmatch(r"[0-9{}kl*/+() ]+", answers[0].findtext("text"))


def test_moodle_numerical_answers_and_misconception_feedback(quiz):
    questions, _ = _moodle_questions(exam.export(quiz, "moodle"))
    numerical = [q for q in questions if q.get("type") == "numerical"]
    typed = [q for q in quiz.questions if not q.is_cloze and answer_text(q.answer) is not None]
    assert len(numerical) == len(typed)
    for element, question in zip(numerical, typed, strict=True):
        answers = {
            a.findtext("text"): (a.get("fraction"), a.findtext("feedback/text")) for a in element.findall("answer")
        }
        assert answers[answer_text(question.answer)][0] == "100"
        for distractor in question.distractors:
            assert answers[answer_text(distractor.value)] == ("0", distractor.feedback)


def test_moodle_text_is_cdata_with_mathjax_delimiters(quiz):
    text = exam.export(quiz, "moodle")
    assert "<![CDATA[<p>" in text
    assert r"\(" in text and "$" not in text.replace("$course$", "")


def test_moodle_calculated_formula_matches_the_symbolic_answer(quiz):
    questions, _ = _moodle_questions(exam.export(quiz, "moodle"))
    symbolic = [q for q in quiz.questions if q.kind == "symbolic"]
    calculated = [q for q in questions if q.get("type") == "calculated"]
    assert len(calculated) == len(symbolic)
    for element, question in zip(calculated, symbolic, strict=True):
        formula = element.findtext("answer/text").replace("{k}", "k").replace("{l}", "l")
        parsed = symcnn.exact.formula.parse_formula(formula)
        assert sympy.simplify(parsed - question.answer) == 0


def test_moodle_cloze_has_one_blank_per_row_with_its_answer(quiz):
    questions, _ = _moodle_questions(exam.export(quiz, "moodle"))
    clozes = [q for q in questions if q.get("type") == "cloze"]
    tables = [q for q in quiz.questions if q.is_cloze]
    assert len(clozes) == len(tables)
    for element, question in zip(clozes, tables, strict=True):
        blocks = re.findall(r"\{1:NUMERICAL:=%100%([0-9.]+):0", element.findtext("questiontext/text"))
        expected = [answer_text(blank.answer) for blank in question.blanks]
        assert blocks == expected


# --- GIFT ---------------------------------------------------------------------------------------


def _unescape(text):
    return re.sub(r"\\(.)", r"\1", text)


def _split_unescaped(text, separator):
    """Positions of ``separator`` not preceded by a backslash escape."""
    parts, current, index = [], "", 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            current += text[index : index + 2]
            index += 2
            continue
        if char == separator:
            parts.append(current)
            current = ""
        else:
            current += char
        index += 1
    return [*parts, current]


def _parse_gift(text):
    """A small GIFT reader: title, text, answer block (split at the first unescaped brace)."""
    questions = []
    for chunk in text.split("\n\n"):
        chunk = chunk.strip()
        if not chunk or chunk.startswith("$CATEGORY:"):
            continue
        assert chunk.startswith("::")
        title, rest = _title_and_rest(chunk)
        body, block = _split_unescaped(rest, "{")[0], "{".join(_split_unescaped(rest, "{")[1:])
        assert block.rstrip().endswith("}")
        questions.append((title, body, block.rstrip()[:-1]))
    return questions


def _title_and_rest(chunk):
    position = 2
    while True:
        position = chunk.index("::", position)
        if chunk[position - 1] != "\\":
            return _unescape(chunk[2:position]), chunk[position + 2 :]
        position += 1


def test_gift_round_trip_unescapes_to_the_original(quiz):
    text = exam.export(quiz, "gift")
    assert text.count("$CATEGORY: $course$/top/symcnn/") >= 3
    parsed = _parse_gift(text)
    simple = [q for q in quiz.questions if not q.is_cloze and answer_text(q.answer) is not None]
    numerical = [(title, body, block) for title, body, block in parsed if block.startswith("#")]
    assert len(numerical) == len(simple) + sum(len(q.blanks) for q in quiz.questions if q.is_cloze)
    plain = [entry for entry in numerical if "(cloze)" not in entry[0]]
    for (title, body, block), question in zip(plain, simple, strict=True):
        assert title.endswith(question.title)
        # Line breaks travel as &#10; (a blank line would end the GIFT question).
        assert "\n\n" not in body
        assert _unescape(body.removeprefix("[html]")).strip().replace("&#10;", "\n") == html_question(question)
        entries = [line.strip() for line in block[1:].split("\n") if line.strip()]
        assert entries[0] == f"={answer_text(question.answer)}:0#Correct."
        wrong = [entry for entry in entries if entry.startswith("=%0%")]
        assert len(wrong) == len(question.distractors)
        for entry, distractor in zip(wrong, question.distractors, strict=True):
            value, feedback = _split_unescaped(entry[4:], "#")[0], "#".join(_split_unescaped(entry[4:], "#")[1:])
            assert value == f"{answer_text(distractor.value)}:0"
            assert _unescape(feedback) == distractor.feedback
        assert entries[-1].startswith("####")


def test_gift_text_has_no_unescaped_special_characters(quiz):
    for _, body, _ in _parse_gift(exam.export(quiz, "gift", multichoice=True)):
        for char in SPECIAL.replace("\\", ""):
            assert len(_split_unescaped(body, char)) == 1, (char, body[:200])


def test_gift_multichoice_marks_one_right_answer(quiz):
    parsed = _parse_gift(exam.export(quiz, "gift", multichoice=True))
    choices = [block for _, _, block in parsed if not block.startswith("#")]
    assert choices
    for block in choices:
        lines = [line.strip() for line in block.split("\n") if line.strip() and not line.strip().startswith("####")]
        assert sum(line.startswith("=") for line in lines) == 1
        assert all(line[0] in "=~" for line in lines)


# --- QTI 1.2 --------------------------------------------------------------------------------


QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"


def _qti(quiz, **options):
    archive = zipfile.ZipFile(io.BytesIO(exam.export(quiz, "qti", **options)))
    manifest = ET.fromstring(archive.read("imsmanifest.xml"))
    ns = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"
    resource, meta = manifest.iter(f"{ns}resource")
    assert resource.get("type") == "imsqti_xmlv1p2"
    assert resource.find(f"{ns}file").get("href") == resource.get("href")
    assert resource.find(f"{ns}dependency").get("identifierref") == meta.get("identifier")
    assert meta.get("type") == "associatedcontent/imscc_xmlv1p1/learning-application-resource"
    files = [file.get("href") for file in meta.iter(f"{ns}file")]
    assert set(files) | {resource.get("href"), "imsmanifest.xml"} == set(archive.namelist())
    root = ET.fromstring(archive.read(resource.get("href")))
    assert archive.read(files[1]) == archive.read(resource.get("href"))  # Canvas's non_cc_assessments copy
    items = root.findall(f".//{QTI}item")
    settings = ET.fromstring(archive.read(meta.get("href")))
    canvas = "{http://canvas.instructure.com/xsd/cccv1p0}"
    assert settings.tag == f"{canvas}quiz" and settings.get("identifier") == root.find(f"{QTI}assessment").get("ident")
    assert settings.findtext(f"{canvas}title") == quiz.title
    assert settings.findtext(f"{canvas}shuffle_answers") == "true"
    assert float(settings.findtext(f"{canvas}points_possible")) == len(items)  # one point per item, every item
    return items


@pytest.mark.parametrize("multichoice", [False, True])
def test_qti_zip_manifest_and_items_parse(quiz, multichoice):
    items = _qti(quiz, multichoice=multichoice)
    assert len(items) >= len(quiz.questions) - 1
    for item in items:
        fields = {
            f.findtext(f"{QTI}fieldlabel"): f.findtext(f"{QTI}fieldentry") for f in item.iter(f"{QTI}qtimetadatafield")
        }
        assert fields["question_type"] in ("numerical_question", "multiple_choice_question")
        assert item.find(f"{QTI}presentation/{QTI}material/{QTI}mattext").text
        scored = [c for c in item.iter(f"{QTI}respcondition") if c.find(f"{QTI}setvar") is not None]
        assert len(scored) == 1 and scored[0].findtext(f"{QTI}setvar") == "100"


def test_qti_numerical_items_score_the_answer(quiz):
    items = [i for i in _qti(quiz) if "_" not in i.get("ident")]  # not the per-blank items of shape tables
    simple = [q for q in quiz.questions if not q.is_cloze and answer_text(q.answer) is not None]
    numerical = [i for i in items if i.find(f".//{QTI}render_fib") is not None]
    assert len(numerical) == len(simple)
    for item, question in zip(numerical, simple, strict=True):
        scored = next(c for c in item.iter(f"{QTI}respcondition") if c.find(f"{QTI}setvar") is not None)
        assert scored.find(f".//{QTI}varequal").text == answer_text(question.answer)


# --- LaTeX, Markdown, JSON --------------------------------------------------------------------


@pytest.mark.latex
@pytest.mark.parametrize("exam_class", [False, True])
def test_latex_sheets_compile(quiz, pdflatex, exam_class):
    if (
        exam_class
        and shutil.which("kpsewhich")
        and not subprocess.run(["kpsewhich", "exam.cls"], capture_output=True, text=True).stdout.strip()
    ):
        pytest.skip("the exam document class is not installed")
    questions = exam.export(quiz, "latex", exam_class=exam_class)
    solutions = exam.export(quiz, "latex-solutions", exam_class=exam_class)
    assert r"\begin{document}" in questions and "Answer:" in solutions and "Answer:" not in questions
    assert pdflatex("questions", questions).exists()
    assert pdflatex("solutions", solutions).exists()


def test_markdown_lists_answers_distractors_and_solutions(quiz):
    text = exam.export(quiz, "markdown")
    assert text.count("**Answer:**") == len(quiz.questions)
    assert text.count("**Worked solution:**") == len(quiz.questions)
    for question in quiz.questions:
        for distractor in question.distractors:
            assert distractor.feedback in text
    assert r"\(" not in text  # math is $...$ in Markdown


def test_json_questions_carry_network_answer_solution_and_distractors(quiz):
    data = json.loads(exam.export(quiz, "json"))
    assert data["seed"] == 9 and len(data["questions"]) == len(quiz.questions)
    for entry, question in zip(data["questions"], quiz.questions, strict=True):
        assert entry["kind"] == question.kind and entry["text"] == question.text
        assert entry["solution"]["steps"] and entry["solution"]["conclusion"]
        assert all(set(d) == {"value", "misconception", "feedback"} for d in entry["distractors"])
        assert all(d["misconception"] in exam.MISCONCEPTIONS for d in entry["distractors"])
        if question.kind == "total_params":
            assert str(symcnn.load_spec(entry["network"]).derive().totals.params) == entry["answer"]
        if entry["grading"] == "symbolic":
            assert exam.grade(entry, entry["answer"])
            assert not exam.grade(entry, entry["distractors"][0]["value"])
        elif not question.is_cloze:
            assert exam.grade(entry, entry["answer"])


# --- one order of choices everywhere ----------------------------------------------------------------


def _correct_positions(quiz):
    return [[d is None for _, d in q.choices()].index(True) for q in quiz.questions if not q.is_cloze and q.distractors]


def test_every_export_shows_the_choices_in_the_seeded_order(quiz):
    expected = _correct_positions(quiz)
    assert len(set(expected)) > 1  # the answer is not always in the same place
    questions, _ = _moodle_questions(exam.export(quiz, "moodle", multichoice=True))
    moodle = [
        [a.get("fraction") for a in q.findall("answer")].index("100")
        for q in questions
        if q.get("type") == "multichoice"
    ]
    assert moodle == expected
    assert all(len(q.findall("answer")) == 4 for q in questions if q.get("type") == "multichoice")
    gift = [
        [line.strip()[0] for line in block.split("\n") if line.strip()[:1] in ("=", "~")].index("=")
        for _, _, block in _parse_gift(exam.export(quiz, "gift", multichoice=True))
        if not block.startswith("#")
    ]
    assert gift == expected
    qti = []
    for item in _qti(quiz, multichoice=True):
        labels = [label.get("ident") for label in item.iter(f"{QTI}response_label")]
        scored = next(c for c in item.iter(f"{QTI}respcondition") if c.find(f"{QTI}setvar") is not None)
        if item.find(f".//{QTI}render_choice") is not None:
            assert item.find(f".//{QTI}render_choice").get("shuffle") == "No" and len(labels) == 4
            qti.append(labels.index(scored.find(f".//{QTI}varequal").text))
    assert qti == expected
    sheet = exam.export(quiz, "latex-solutions", exam_class=True)
    marked = [
        [line.startswith(r"\CorrectChoice") for line in block.split("\n") if line.startswith(("\\choice", "\\Correct"))]
        for block in sheet.split(r"\begin{oneparchoices}")[1:]
    ]
    assert [flags.index(True) for flags in marked] == expected


def test_the_same_seed_gives_the_same_bytes_in_every_export_and_option():
    one, two = (exam.generate(len(exam.KINDS), seed=13, difficulty="hard") for _ in range(2))
    for fmt in exam.FORMATS:
        for options in ({}, {"multichoice": True}, {"exam_class": True}):
            if "multichoice" in options and fmt not in ("moodle", "gift", "qti"):
                continue
            if "exam_class" in options and not fmt.startswith("latex"):
                continue
            assert exam.export(one, fmt, **options) == exam.export(two, fmt, **options), (fmt, options)


def test_headers_list_the_topics_covered(quiz):
    from symcnn.exam.kinds.registry import topics_of

    topics = ", ".join(topics_of(list(quiz.kinds)))
    assert f"Topics: {topics}." in exam.export(quiz, "markdown")
    assert f"Topics: {topics}." in exam.export(quiz, "latex", exam_class=True)
    assert json.loads(exam.export(quiz, "json"))["topics"] == topics.split(", ")
