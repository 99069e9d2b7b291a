"""An IMS QTI 2.1 content package: `imsmanifest.xml`, one assessmentItem per question, and
one assessmentTest per bank.

choice → choiceInteraction (one choice); multi → choiceInteraction with a mapping, so the
score is exactly the bank's per-option scheme (|wrong options|/n + Σ ±1/n over the ticked
ones); number → textEntryInteraction read as a float, correct within one absolute error;
an exercise → one item with an interaction per part, scored Σ points·part score / Σ points;
an option's feedback, and a known wrong answer's, is modal feedback shown when it is given;
text → extendedTextInteraction with the model answer and rubric in a scorer-only rubric
block; expression and matrix → a text entry scored by hand (QTI cannot compare formulas),
with the key for the scorer. In each bank's test the variants of a randomised question form
a section from which one item is selected.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from grader.export.maxima import maxima
from grader.export.shared import (Item, Notes, as_html, exact, grader_info, manifest, numeric_answers, plain, safe_id,
                                  tolerance_of, xml_bytes, zip_bytes)
from grader.model import Question

QTI = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
QTI_XSD = f"{QTI} http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP_XSD = f"{CP} http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
ITEM_TYPE = "imsqti_item_xmlv2p1"
TEST_TYPE = "imsqti_test_xmlv2p1"


def write(items: list[Item], notes: Notes) -> bytes:
    """The zipped content package for these items."""
    files: dict[str, bytes] = {}
    for item in items:
        files[f"items/{item.ident}.xml"] = xml_bytes(assessment_item(item, notes))
    for bank, test in _tests(items).items():
        files[f"tests/{bank}.xml"] = xml_bytes(test)
    return zip_bytes({"imsmanifest.xml": xml_bytes(_manifest(files)), **files})


def _manifest(files: dict[str, bytes]) -> ET.Element:
    root, resources = manifest({"xmlns": CP, "xmlns:xsi": XSI, "xsi:schemaLocation": f"{CP_XSD} {QTI_XSD}"},
                               "QTIv2.1 Package", "1.0.0")
    for name in files:
        kind = ITEM_TYPE if name.startswith("items/") else TEST_TYPE
        resource = ET.SubElement(resources, "resource", identifier=safe_id(name.removesuffix(".xml")),
                                 type=kind, href=name)
        ET.SubElement(resource, "file", href=name)
        if kind == TEST_TYPE:
            for ref in ET.fromstring(files[name]).iter(f"{{{QTI}}}assessmentItemRef"):
                ET.SubElement(resource, "dependency", identifierref=safe_id(ref.get("href", "").removesuffix(".xml")
                                                                           .replace("../", "")))
    return root


def _tests(items: list[Item]) -> dict[str, ET.Element]:
    """One assessmentTest per bank; a randomised question's variants are one section, select 1."""
    tests: dict[str, ET.Element] = {}
    sections: dict[str, ET.Element] = {}
    for item in items:
        bank = item.question.bank
        if bank not in tests:
            test = ET.Element("assessmentTest", {"xmlns": QTI, "xmlns:xsi": XSI, "xsi:schemaLocation": QTI_XSD,
                                                 "identifier": safe_id(f"test-{bank}"), "title": bank})
            part = ET.SubElement(test, "testPart", identifier="part", navigationMode="nonlinear",
                                 submissionMode="individual")
            sections[bank] = ET.SubElement(part, "assessmentSection", identifier=safe_id(f"{bank}-all"),
                                           title=bank, visible="true")
            tests[bank] = test
        parent = sections[bank]
        if item.category != bank:
            ident = safe_id(item.category)
            parent = next((s for s in parent if s.get("identifier") == ident), None) or _variant_section(parent, item)
        ET.SubElement(parent, "assessmentItemRef", identifier=item.ident, href=f"../items/{item.ident}.xml")
    return tests


def _variant_section(parent: ET.Element, item: Item) -> ET.Element:
    section = ET.SubElement(parent, "assessmentSection", identifier=safe_id(item.category), title=item.category,
                            visible="false")
    ET.SubElement(section, "selection", select="1")
    return section


# -- items ----------------------------------------------------------------------------


def assessment_item(item: Item, notes: Notes) -> ET.Element:
    """The assessmentItem of one question (or exercise), with its response processing."""
    question = item.question
    root = ET.Element("assessmentItem", {"xmlns": QTI, "xmlns:xsi": XSI, "xsi:schemaLocation": QTI_XSD,
                                         "identifier": item.ident, "title": item.name, "adaptive": "false",
                                         "timeDependent": "false"})
    parts = question.parts or (question,)
    part_keys = item.key if question.parts else {"": item.key}
    for part in parts:
        _declare(root, part, part_keys[part.part], notes)
    outcome = ET.SubElement(root, "outcomeDeclaration", identifier="SCORE", cardinality="single", baseType="float")
    ET.SubElement(ET.SubElement(outcome, "defaultValue"), "value").text = "0"
    processing = ET.Element("responseProcessing")
    total = sum(p.points for p in parts)
    for part in parts:
        _score(processing, part, part_keys[part.part], part.points / total)
    shown = [rule for part in parts for rule in _feedback_rules(processing, part, part_keys[part.part])]
    if shown:
        ET.SubElement(root, "outcomeDeclaration", identifier="FEEDBACK", cardinality="multiple", baseType="identifier")
    body = ET.SubElement(root, "itemBody")
    _html(body, question.prompt)
    for part in parts:
        _interaction(body, part, part_keys[part.part])
    root.append(processing)
    for ident, text in shown:
        _html(ET.SubElement(root, "modalFeedback", outcomeIdentifier="FEEDBACK", identifier=ident, showHide="show"),
              text)
    return root


def _rid(part: Question) -> str:
    return f"RESPONSE_{part.part}" if part.part else "RESPONSE"


def _html(parent: ET.Element, text: str | None) -> None:
    """Bank text as XHTML paragraphs in the QTI namespace (ElementTree escapes it)."""
    for paragraph in plain(text).split("\n\n"):
        if paragraph.strip():
            p = ET.SubElement(parent, "p")
            lines = paragraph.split("\n")
            p.text = lines[0]
            for line in lines[1:]:
                ET.SubElement(p, "br").tail = line


def _declare(root: ET.Element, part: Question, key: Any, notes: Notes) -> None:
    rid = _rid(part)
    if part.kind in ("choice", "multi"):
        multiple = part.kind == "multi"
        declaration = ET.SubElement(root, "responseDeclaration", identifier=rid,
                                    cardinality="multiple" if multiple else "single", baseType="identifier")
        correct = ET.SubElement(declaration, "correctResponse")
        for letter in sorted(key) if multiple else [key]:
            ET.SubElement(correct, "value").text = letter
        if multiple and part.scoring == "per_option":
            share = 1 / len(part.options)
            mapping = ET.SubElement(declaration, "mapping", defaultValue="0")
            for option in part.options:
                ET.SubElement(mapping, "mapEntry", mapKey=option.letter,
                              mappedValue=exact(share if option.letter in key else -share))
    elif part.kind == "number":
        declaration = ET.SubElement(root, "responseDeclaration", identifier=rid, cardinality="single",
                                    baseType="float")
        ET.SubElement(ET.SubElement(declaration, "correctResponse"), "value").text = exact(key)
    else:
        ET.SubElement(root, "responseDeclaration", identifier=rid, cardinality="single", baseType="string")
        if part.kind in ("expression", "matrix"):
            notes.add(part.id, "QTI cannot compare formulas: exported as a text entry scored by hand, "
                               "with the key for the scorer")
        else:
            notes.add(part.id, "the written answer is scored by hand; model answer and rubric are in a "
                               "scorer-only rubric block")


def _interaction(body: ET.Element, part: Question, key: Any) -> None:
    rid = _rid(part)
    if part.parent:
        _html(body, f"({part.part}) {part.prompt}")
    if part.kind in ("choice", "multi"):
        interaction = ET.SubElement(body, "choiceInteraction", responseIdentifier=rid, shuffle="false",
                                    maxChoices="1" if part.kind == "choice" else "0")
        for option in part.options:
            ET.SubElement(interaction, "simpleChoice", identifier=option.letter).text = \
                f"{option.letter}. {plain(option.text)}"
    elif part.kind == "number":
        ET.SubElement(ET.SubElement(body, "p"), "textEntryInteraction", responseIdentifier=rid, expectedLength="20")
    elif part.kind == "text":
        ET.SubElement(body, "extendedTextInteraction", responseIdentifier=rid, expectedLines="10")
        _scorer(body, as_html(grader_info(part, key)))
    else:
        ET.SubElement(ET.SubElement(body, "p"), "textEntryInteraction", responseIdentifier=rid, expectedLength="60")
        _scorer(body, f"Key (Maxima syntax): {maxima(key)}; as read by rnnquiz: {key.interpreted_as()}")


def _scorer(body: ET.Element, text: str) -> None:
    block = ET.SubElement(body, "rubricBlock", view="scorer")
    ET.SubElement(block, "p").text = text


def _score(processing: ET.Element, part: Question, key: Any, weight: float) -> None:
    """Add this part's score times its weight to SCORE."""
    rid = _rid(part)
    if part.kind == "multi" and part.scoring == "per_option":
        others = len(part.options) - len(key)
        share = ET.Element("sum")
        ET.SubElement(share, "baseValue", baseType="float").text = exact(others / len(part.options))
        ET.SubElement(share, "mapResponse", identifier=rid)
        _add(processing, share, weight)
        return
    if part.kind in ("choice", "multi"):
        condition = ET.Element("match")
        ET.SubElement(condition, "variable", identifier=rid)
        ET.SubElement(condition, "correct", identifier=rid)
    elif part.kind == "number":
        error = tolerance_of(part, key)
        condition = ET.Element("equal", toleranceMode="absolute", tolerance=f"{error} {error}")
        ET.SubElement(condition, "variable", identifier=rid)
        ET.SubElement(condition, "correct", identifier=rid)
    else:
        return  # scored by hand
    rule = ET.SubElement(processing, "responseCondition")
    branch = ET.SubElement(rule, "responseIf")
    branch.append(condition)
    _add(branch, ET.Element("baseValue", baseType="float"), weight, one=True)


def _add(parent: ET.Element, value: ET.Element, weight: float, one: bool = False) -> None:
    """SCORE := SCORE + weight·value (value is 1 when `one`)."""
    if one:
        value.text = exact(weight)
        term = value
    else:
        term = ET.Element("product")
        ET.SubElement(term, "baseValue", baseType="float").text = exact(weight)
        term.append(value)
    setter = ET.SubElement(parent, "setOutcomeValue", identifier="SCORE")
    total = ET.SubElement(setter, "sum")
    ET.SubElement(total, "variable", identifier="SCORE")
    total.append(term)


def _feedback_rules(processing: ET.Element, part: Question, key: Any) -> list[tuple[str, str]]:
    """Rules that show an option's feedback when it is chosen and a known wrong answer's when it
    is given (each adds its identifier to FEEDBACK); returns each (identifier, feedback)."""
    rid, prefix = _rid(part), f"FB_{part.part}_" if part.part else "FB_"
    shown = []
    for option in part.options:
        if option.feedback:
            test = ET.Element("member" if part.kind == "multi" else "match")
            value = ET.Element("baseValue", baseType="identifier")
            value.text = option.letter
            variable = ET.Element("variable", identifier=rid)
            test.extend([value, variable] if part.kind == "multi" else [variable, value])
            shown.append(_show(processing, test, prefix + option.letter, option.feedback))
    if part.kind == "number":
        for number, (value, _, feedback) in enumerate(numeric_answers(part, key)[1:], start=1):
            error = tolerance_of(part, value)
            test = ET.Element("equal", toleranceMode="absolute", tolerance=f"{error} {error}")
            ET.SubElement(test, "variable", identifier=rid)
            ET.SubElement(test, "baseValue", baseType="float").text = exact(value)
            shown.append(_show(processing, test, f"{prefix}W{number}", feedback or ""))
    return shown


def _show(processing: ET.Element, test: ET.Element, ident: str, text: str) -> tuple[str, str]:
    branch = ET.SubElement(ET.SubElement(processing, "responseCondition"), "responseIf")
    branch.append(test)
    both = ET.SubElement(ET.SubElement(branch, "setOutcomeValue", identifier="FEEDBACK"), "multiple")
    ET.SubElement(both, "variable", identifier="FEEDBACK")
    ET.SubElement(both, "baseValue", baseType="identifier").text = ident
    return ident, text
