"""The QTI 1.2 flavour that Canvas's classic-quiz importer reads, zipped with a manifest.

One assessment per bank (`<bank>/<bank>.xml` with its `assessment_meta.xml`), each item
typed by its `question_type` metadata: choice → multiple_choice_question, multi →
multiple_answers_question, number → numerical_question (the key, and a range of one
absolute error either side), text → essay_question. The variants of a randomised question
form a question group from which Canvas picks one. Canvas has no multi-part numerical or
formula question: an exercise is split into one question per part and a formula question
is left out, both reported.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

from grader.export.shared import (Item, Notes, as_html, exact, grader_info, manifest, plain, safe_id, scoring_scheme,
                                  split, tolerance_of, xml_bytes, zip_bytes)

QTI12 = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CANVAS = "http://canvas.instructure.com/xsd/cccv1p0"
MANIFEST = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
ASSESSMENT_TYPE = "imsqti_xmlv1p2"
META_TYPE = "associatedcontent/imscc_xmlv1p1/learning-application-resource"
TYPES = {"choice": "multiple_choice_question", "multi": "multiple_answers_question",
         "number": "numerical_question", "text": "essay_question"}


def write(items: list[Item], notes: Notes) -> bytes:
    """The zipped Canvas QTI package for these items."""
    banks: dict[str, list[Item]] = {}
    for item in items:
        banks.setdefault(item.question.bank, []).append(item)
    files: dict[str, bytes] = {}
    for bank, members in banks.items():
        ident = safe_id(f"rnnquiz-{bank}")
        assessment, points = _assessment(ident, bank, members, notes)
        files[f"{ident}/{ident}.xml"] = xml_bytes(assessment)
        files[f"{ident}/assessment_meta.xml"] = xml_bytes(_meta(ident, bank, points))
    return zip_bytes({"imsmanifest.xml": xml_bytes(_manifest(list(banks))), **files})


def _manifest(banks: list[str]) -> ET.Element:
    root, resources = manifest({"xmlns": MANIFEST}, "IMS Content", "1.1.3")
    for bank in banks:
        ident = safe_id(f"rnnquiz-{bank}")
        resource = ET.SubElement(resources, "resource", identifier=ident, type=ASSESSMENT_TYPE)
        ET.SubElement(resource, "file", href=f"{ident}/{ident}.xml")
        ET.SubElement(resource, "dependency", identifierref=f"{ident}-meta")
        meta = ET.SubElement(resources, "resource", identifier=f"{ident}-meta", type=META_TYPE,
                             href=f"{ident}/assessment_meta.xml")
        ET.SubElement(meta, "file", href=f"{ident}/assessment_meta.xml")
    return root


def _meta(ident: str, bank: str, points: float) -> ET.Element:
    quiz = ET.Element("quiz", {"xmlns": CANVAS, "identifier": ident})
    for name, value in (("title", f"rnnquiz: {bank}"), ("description", ""), ("shuffle_answers", "false"),
                        ("scoring_policy", "keep_highest"), ("quiz_type", "practice_quiz"),
                        ("points_possible", exact(points)), ("allowed_attempts", "-1")):
        ET.SubElement(quiz, name).text = value
    return quiz


def _assessment(ident: str, bank: str, items: list[Item], notes: Notes) -> tuple[ET.Element, float]:
    root = ET.Element("questestinterop", {"xmlns": QTI12})
    assessment = ET.SubElement(root, "assessment", ident=ident, title=f"rnnquiz: {bank}")
    _metadata(ET.SubElement(assessment, "qtimetadata"), cc_maxattempts="unlimited")
    section = ET.SubElement(assessment, "section", ident="root_section")
    groups: dict[str, ET.Element] = {}
    points = 0.0
    for piece in (piece for item in items for piece in _pieces(item, notes)):
        parent = section
        if piece.category != bank:
            if piece.category not in groups:
                groups[piece.category] = _group(section, piece)
                points += piece.question.points
            parent = groups[piece.category]
        else:
            points += piece.question.points
        _item(parent, piece)
    return root, points


def _group(section: ET.Element, item: Item) -> ET.Element:
    group = ET.SubElement(section, "section", ident=safe_id(item.category), title=item.category)
    selection = ET.SubElement(ET.SubElement(group, "selection_ordering"), "selection")
    ET.SubElement(selection, "selection_number").text = "1"
    ET.SubElement(ET.SubElement(selection, "selection_extension"), "points_per_item").text = exact(item.question.points)
    return group


def _pieces(item: Item, notes: Notes) -> list[Item]:
    question = item.question
    if question.kind == "exercise":
        notes.add(question.id, "Canvas has no multi-part numerical question; exported as one question per part")
        return [p for piece in split(item) for p in _pieces(piece, notes)]
    if question.kind in ("expression", "matrix"):
        notes.add(question.id, "left out: Canvas classic quizzes cannot check a formula "
                               "(use --format moodle for a STACK question)")
        return []
    if question.kind == "multi":
        notes.add(question.id, "Canvas scores multiple answers its own way (by the number of right options); "
                               f"the bank's {scoring_scheme(question)} is not kept")
    if question.kind == "text":
        notes.add(question.id, "the model answer and rubric become the general feedback, which students "
                               "see after submitting")
    if question.kind == "number" and question.misconceptions:
        notes.add(question.id, "its feedback on known wrong answers is left out (every answer of a Canvas "
                               "numerical question counts as right)")
    return [item]


def _metadata(parent: ET.Element, **fields: str) -> None:
    for label, entry in fields.items():
        field = ET.SubElement(parent, "qtimetadatafield")
        ET.SubElement(field, "fieldlabel").text = label
        ET.SubElement(field, "fieldentry").text = entry


def _mattext(parent: ET.Element, html_text: str) -> None:
    ET.SubElement(ET.SubElement(parent, "material"), "mattext", texttype="text/html").text = html_text


def _item(parent: ET.Element, item: Item) -> None:
    question = item.question
    qtype = TYPES[question.kind]
    element = ET.SubElement(parent, "item", ident=item.ident, title=item.name)
    answer_ids = [f"{item.ident}-{o.letter}" for o in question.options]
    _metadata(ET.SubElement(ET.SubElement(element, "itemmetadata"), "qtimetadata"), question_type=qtype,
              points_possible=exact(question.points), original_answer_ids=",".join(answer_ids))
    presentation = ET.SubElement(element, "presentation")
    _mattext(presentation, as_html(question.prompt))
    processing = ET.SubElement(element, "resprocessing")
    ET.SubElement(ET.SubElement(processing, "outcomes"), "decvar", maxvalue="100", minvalue="0", varname="SCORE",
                  vartype="Decimal")
    if question.kind in ("choice", "multi"):
        _choices(presentation, processing, item, answer_ids)
    else:
        response = ET.SubElement(presentation, "response_str", ident="response1", rcardinality="Single")
        fib = ET.SubElement(response, "render_fib", fibtype="Decimal") if question.kind == "number" \
            else ET.SubElement(response, "render_fib")
        ET.SubElement(fib, "response_label", ident="answer1", rshuffle="No")
        if question.kind == "number":
            _numeric(processing, item)
        else:
            condition = ET.SubElement(processing, "respcondition", {"continue": "No"})
            ET.SubElement(ET.SubElement(condition, "conditionvar"), "other")
    general = grader_info(question, item.key) if question.kind == "text" else ""
    _feedback(element, "general_fb", general + as_html(question.explanation))
    for option, ident in zip(question.options, answer_ids):
        if option.feedback:
            _feedback(element, f"{ident}_fb", as_html(option.feedback))


def _choices(presentation: ET.Element, processing: ET.Element, item: Item, answer_ids: list[str]) -> None:
    question, key = item.question, item.key
    multiple = question.kind == "multi"
    response = ET.SubElement(presentation, "response_lid", ident="response1",
                             rcardinality="Multiple" if multiple else "Single")
    choices = ET.SubElement(response, "render_choice")
    for option, ident in zip(question.options, answer_ids):
        _mattext(ET.SubElement(choices, "response_label", ident=ident), as_html(f"{option.letter}. {option.text}"))
    general = ET.SubElement(processing, "respcondition", {"continue": "Yes"})
    ET.SubElement(ET.SubElement(general, "conditionvar"), "other")
    ET.SubElement(general, "displayfeedback", feedbacktype="Response", linkrefid="general_fb")
    for option, ident in zip(question.options, answer_ids):
        if option.feedback:
            shown = ET.SubElement(processing, "respcondition", {"continue": "Yes"})
            ET.SubElement(ET.SubElement(shown, "conditionvar"), "varequal", respident="response1").text = ident
            ET.SubElement(shown, "displayfeedback", feedbacktype="Response", linkrefid=f"{ident}_fb")
    right = ET.SubElement(processing, "respcondition", {"continue": "No"})
    condition = ET.SubElement(right, "conditionvar")
    if multiple:
        every = ET.SubElement(condition, "and")
        for option, ident in zip(question.options, answer_ids):
            target = every if option.letter in key else ET.SubElement(every, "not")
            ET.SubElement(target, "varequal", respident="response1").text = ident
    else:
        ET.SubElement(condition, "varequal", respident="response1").text = answer_ids[
            [o.letter for o in question.options].index(key)]
    ET.SubElement(right, "setvar", action="Set", varname="SCORE").text = "100"


def _numeric(processing: ET.Element, item: Item) -> None:
    key = Decimal(exact(item.key))
    error = Decimal(tolerance_of(item.question, item.key))
    condition = ET.SubElement(processing, "respcondition", {"continue": "No"})
    either = ET.SubElement(ET.SubElement(condition, "conditionvar"), "or")
    ET.SubElement(either, "varequal", respident="response1").text = exact(item.key)
    within = ET.SubElement(either, "and")
    ET.SubElement(within, "vargte", respident="response1").text = format(key - error, "f")
    ET.SubElement(within, "varlte", respident="response1").text = format(key + error, "f")
    ET.SubElement(condition, "setvar", action="Set", varname="SCORE").text = "100"


def _feedback(element: ET.Element, ident: str, html_text: str) -> None:
    if not plain(html_text):
        return
    feedback = ET.SubElement(element, "itemfeedback", ident=ident)
    _mattext(ET.SubElement(feedback, "flow_mat"), html_text)
