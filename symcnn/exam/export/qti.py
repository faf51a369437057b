"""QTI 1.2 zip, as Canvas (and other QTI 1.2 importers) read it.

``imsmanifest.xml`` names one assessment, ``<id>/<id>.xml``, and Canvas's quiz
settings ``<id>/assessment_meta.xml`` (title, points, shuffled answers); each item is a
``numerical_question`` (exact answer, each misconception's value with its
feedback) or a ``multiple_choice_question``.  Shape tables become one
numerical item per blank.  The zip is deterministic: fixed timestamps, fixed
order, so the same seed gives the same bytes.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

from ..model import Blank, Distractor, Exam, Question, answer_text
from .text import html_question, html_solution, only_blank, value_html

__all__ = ["CANVAS_NS", "QTI_NS", "render"]

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
CANVAS_NS = "http://canvas.instructure.com/xsd/cccv1p0"
CANVAS_META_TYPE = "associatedcontent/imscc_xmlv1p1/learning-application-resource"


def render(exam: Exam, *, multichoice: bool = False) -> bytes:
    ident = f"symcnn_exam_{exam.seed}"
    root = ET.Element("questestinterop", {"xmlns": QTI_NS})
    assessment = ET.SubElement(root, "assessment", {"ident": ident, "title": exam.title})
    _metadata(assessment, {"cc_maxattempts": "1"})
    section = ET.SubElement(assessment, "section", {"ident": "root_section"})
    for number, question in enumerate(exam.questions, start=1):
        title = f"Q{number} {question.title}"
        if question.is_cloze:
            for index, blank in enumerate(question.blanks, start=1):
                text = html_question(question, only_blank(index))
                _numerical(
                    section,
                    f"q{number}_{index}",
                    f"{title} ({index})",
                    text + f"<p>{blank.label}?</p>",
                    blank,
                    question,
                )
            continue
        typeable = answer_text(question.answer) is not None
        if (multichoice or not typeable) and question.distractors:
            _multichoice(section, f"q{number}", title, question)
        elif typeable:
            _numerical(section, f"q{number}", title, html_question(question), question.blanks[0], question)
    assessment_xml = _xml(root)
    points = len(section.findall("item"))
    files = {
        "imsmanifest.xml": _xml(_manifest(ident, exam.title)),
        f"{ident}/{ident}.xml": assessment_xml,
        f"{ident}/assessment_meta.xml": _xml(_assessment_meta(ident, exam.title, points)),
        # Canvas's own exports carry the assessment a second time here, and its importer reads it from here.
        f"non_cc_assessments/{ident}.xml.qti": assessment_xml,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def _xml(element: ET.Element) -> bytes:
    ET.indent(element)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, encoding="utf-8", xml_declaration=False)


def _manifest(ident: str, title: str) -> ET.Element:
    """The package's table of contents, laid out as Canvas exports a quiz (and so imports one).

    One ``imsqti_xmlv1p2`` resource (the items) depends on a
    ``learning-application-resource`` holding ``assessment_meta.xml`` (the quiz's
    settings) and the ``non_cc_assessments`` copy of the items.
    """
    manifest = ET.Element("manifest", {"identifier": f"{ident}_manifest", "xmlns": CP_NS})
    metadata = ET.SubElement(manifest, "metadata")
    ET.SubElement(metadata, "schema").text = "IMS Content"
    ET.SubElement(metadata, "schemaversion").text = "1.1.3"
    ET.SubElement(manifest, "organizations")
    resources = ET.SubElement(manifest, "resources")
    href = f"{ident}/{ident}.xml"
    resource = ET.SubElement(resources, "resource", {"identifier": ident, "type": "imsqti_xmlv1p2", "href": href})
    ET.SubElement(resource, "file", {"href": href})
    ET.SubElement(resource, "dependency", {"identifierref": f"{ident}_meta"})
    meta_href = f"{ident}/assessment_meta.xml"
    meta = ET.SubElement(
        resources,
        "resource",
        {"identifier": f"{ident}_meta", "type": CANVAS_META_TYPE, "href": meta_href},
    )
    ET.SubElement(meta, "file", {"href": meta_href})
    ET.SubElement(meta, "file", {"href": f"non_cc_assessments/{ident}.xml.qti"})
    return manifest


def _assessment_meta(ident: str, title: str, points: int) -> ET.Element:
    """Canvas's quiz settings: title, points (one per item), answers shuffled per student, one attempt."""
    quiz = ET.Element(
        "quiz",
        {
            "identifier": ident,
            "xmlns": CANVAS_NS,
            "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "xsi:schemaLocation": f"{CANVAS_NS} https://canvas.instructure.com/xsd/cccv1p0.xsd",
        },
    )
    for tag, value in (
        ("title", title),
        ("description", ""),
        ("shuffle_answers", "true"),
        ("scoring_policy", "keep_highest"),
        ("quiz_type", "assignment"),
        ("points_possible", f"{points}.0"),
        ("show_correct_answers", "true"),
        ("allowed_attempts", "1"),
        ("one_question_at_a_time", "false"),
        ("cant_go_back", "false"),
        ("available", "false"),
    ):
        ET.SubElement(quiz, tag).text = value
    return quiz


def _metadata(parent: ET.Element, fields: dict[str, str]) -> None:
    metadata = ET.SubElement(parent, "qtimetadata")
    for label, entry in fields.items():
        field = ET.SubElement(metadata, "qtimetadatafield")
        ET.SubElement(field, "fieldlabel").text = label
        ET.SubElement(field, "fieldentry").text = entry


def _material(parent: ET.Element, html: str) -> None:
    ET.SubElement(ET.SubElement(parent, "material"), "mattext", {"texttype": "text/html"}).text = html


def _item(section: ET.Element, ident: str, title: str, kind: str, text: str) -> tuple[ET.Element, ET.Element]:
    item = ET.SubElement(section, "item", {"ident": ident, "title": title})
    _metadata(ET.SubElement(item, "itemmetadata"), {"question_type": kind, "points_possible": "1"})
    presentation = ET.SubElement(item, "presentation")
    _material(presentation, text)
    return item, presentation


def _processing(item: ET.Element) -> ET.Element:
    processing = ET.SubElement(item, "resprocessing")
    outcomes = ET.SubElement(processing, "outcomes")
    ET.SubElement(outcomes, "decvar", {"maxvalue": "100", "minvalue": "0", "varname": "SCORE", "vartype": "Decimal"})
    return processing


def _feedback(item: ET.Element, ident: str, html: str) -> None:
    flow = ET.SubElement(ET.SubElement(item, "itemfeedback", {"ident": ident}), "flow_mat")
    _material(flow, html)


def _condition(processing: ET.Element, test: ET.Element, *, score: str | None, feedback: str | None) -> None:
    condition = ET.SubElement(processing, "respcondition", {"continue": "No" if score else "Yes"})
    ET.SubElement(condition, "conditionvar").append(test)
    if score is not None:
        ET.SubElement(condition, "setvar", {"action": "Set", "varname": "SCORE"}).text = score
    if feedback is not None:
        ET.SubElement(condition, "displayfeedback", {"feedbacktype": "Response", "linkrefid": feedback})


def _exact(value: str) -> ET.Element:
    """Canvas's exact numerical answer: equal, or between the value and itself."""
    either = ET.Element("or")
    ET.SubElement(either, "varequal", {"respident": "response1"}).text = value
    both = ET.SubElement(either, "and")
    ET.SubElement(both, "vargte", {"respident": "response1"}).text = value
    ET.SubElement(both, "varlte", {"respident": "response1"}).text = value
    return either


def _numerical(section: ET.Element, ident: str, title: str, text: str, blank: Blank, question: Question) -> None:
    item, presentation = _item(section, ident, title, "numerical_question", text)
    response = ET.SubElement(presentation, "response_str", {"ident": "response1", "rcardinality": "Single"})
    ET.SubElement(ET.SubElement(response, "render_fib", {"fibtype": "Decimal"}), "response_label", {"ident": "answer1"})
    processing = _processing(item)
    typed = [(distractor, answer_text(distractor.value)) for distractor in blank.distractors]
    for index, (_, value) in enumerate(typed, start=1):
        if value is not None:
            _condition(processing, _exact(value), score=None, feedback=f"{ident}_w{index}_fb")
    _condition(processing, _exact(str(answer_text(blank.answer))), score="100", feedback=None)
    _feedback(item, "general_fb", html_solution(question.solution))
    for index, (distractor, value) in enumerate(typed, start=1):
        if value is not None:
            _feedback(item, f"{ident}_w{index}_fb", distractor.feedback)


def _multichoice(section: ET.Element, ident: str, title: str, question: Question) -> None:
    item, presentation = _item(section, ident, title, "multiple_choice_question", html_question(question))
    response = ET.SubElement(presentation, "response_lid", {"ident": "response1", "rcardinality": "Single"})
    choices = ET.SubElement(response, "render_choice", {"shuffle": "No"})  # already shuffled, by the seed
    options: list[tuple[str, str, Distractor | None]] = [
        (f"{ident}_a{i}", value_html(value), distractor)
        for i, (value, distractor) in enumerate(question.choices())  # the exam's shuffled order
    ]
    for label, html, _ in options:
        _material(ET.SubElement(choices, "response_label", {"ident": label}), html)
    processing = _processing(item)
    for label, _, distractor in options:
        test = ET.Element("varequal", {"respident": "response1"})
        test.text = label
        if distractor is None:
            _condition(processing, test, score="100", feedback=None)
        else:
            _condition(processing, test, score=None, feedback=f"{label}_fb")
    _feedback(item, "general_fb", html_solution(question.solution))
    for label, _, distractor in options:
        if distractor is not None:
            _feedback(item, f"{label}_fb", distractor.feedback)
