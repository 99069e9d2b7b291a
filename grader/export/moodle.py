"""Moodle XML: every kind as the question type Moodle's importer builds from it.

choice → multichoice (single), multi → multichoice (multiple, per-option fractions),
number → numerical (our tolerance as one absolute error per answer, known wrong answers as
0 % answers with their feedback), text → essay (model answer and rubric for the grader),
expression and matrix → a STACK question (core Moodle has no symbolic type), and an
exercise → one cloze question whose sub-questions are its parts. Each bank is a category;
the variants of a randomised question get a category of their own.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any, Callable

from grader.export import stack
from grader.export.stack import castext_safe
from grader.export.shared import (Item, Notes, as_html, category_path, exact, grader_info, multi_fractions,
                                  multi_note, numeric_answers, percent, plain, split, tolerance_of, weights, xml_bytes)
from grader.model import Question

CLOZE_KINDS = frozenset({"number", "choice", "multi"})
_CLOZE_ESCAPES = {"{": "&#123;", "}": "&#125;", "#": "&#35;", "~": "&#126;"}


def write(items: list[Item], notes: Notes) -> bytes:
    """The Moodle XML file for these items, as UTF-8 bytes."""
    quiz = ET.Element("quiz")
    category = None
    for piece in (piece for item in items for piece in pieces(item, notes)):
        if piece.category != category:
            category = piece.category
            _category(quiz, category)
        quiz.append(element(piece, notes))
    return xml_bytes(quiz)


def _category(quiz: ET.Element, category: str) -> None:
    question = ET.SubElement(quiz, "question", type="category")
    _text(ET.SubElement(question, "category"), category_path(category))


def pieces(item: Item, notes: Notes) -> list[Item]:
    """The item, or an exercise a cloze question cannot hold split into its parts."""
    question = item.question
    if question.kind != "exercise" or all(p.kind in CLOZE_KINDS for p in question.parts):
        return [item]
    notes.add(question.id, "a cloze question holds only number and choice parts; exported as one question per part")
    return split(item)


def element(item: Item, notes: Notes) -> ET.Element:
    """The <question> element of one item."""
    question = item.question
    if question.kind == "exercise":
        for part in question.parts:
            if part.kind == "multi":
                notes.add(part.id, multi_note(part, item.key[part.part]))
        return _cloze(item)
    if question.kind in ("expression", "matrix"):
        notes.add(question.id, "exported as a STACK question (needs the qtype_stack plugin in Moodle)")
        return _stack(item)
    if question.kind == "multi":
        notes.add(question.id, multi_note(question, item.key))
    build = {"choice": _multichoice, "multi": _multichoice, "number": _numerical, "text": _essay}[question.kind]
    return build(item)


def _head(item: Item, qtype: str, text: str | None = None, feedback: str | None = None) -> ET.Element:
    question = item.question
    element = ET.Element("question", type=qtype)
    _text(ET.SubElement(element, "name"), item.name)
    _text(ET.SubElement(element, "questiontext", format="html"), as_html(question.prompt) if text is None else text)
    _text(ET.SubElement(element, "generalfeedback", format="html"),
          as_html(question.explanation) if feedback is None else feedback)
    ET.SubElement(element, "defaultgrade").text = exact(question.points)
    ET.SubElement(element, "penalty").text = "0.3333333"
    ET.SubElement(element, "hidden").text = "0"
    ET.SubElement(element, "idnumber").text = item.name
    return element


def _tail(element: ET.Element, question: Question, safe: Callable[[str], str] = str) -> ET.Element:
    for hint in question.hints:
        _text(ET.SubElement(element, "hint", format="html"), safe(as_html(hint)))
    if question.tags:
        tags = ET.SubElement(element, "tags")
        for tag in question.tags:
            _text(ET.SubElement(tags, "tag"), plain(tag))
    return element


def _text(parent: ET.Element, text: str) -> ET.Element:
    ET.SubElement(parent, "text").text = text
    return parent


def _answer(parent: ET.Element, fraction: str, text: str, feedback: str | None, fmt: str = "html") -> ET.Element:
    answer = ET.SubElement(parent, "answer", fraction=fraction, format=fmt)
    ET.SubElement(answer, "text").text = text
    _text(ET.SubElement(answer, "feedback", format="html"), as_html(feedback))
    return answer


def _multichoice(item: Item) -> ET.Element:
    question, key = item.question, item.key
    element = _head(item, "multichoice")
    single = question.kind == "choice"
    ET.SubElement(element, "single").text = "true" if single else "false"
    ET.SubElement(element, "shuffleanswers").text = "false"  # options such as "Both A and B" need their order
    ET.SubElement(element, "answernumbering").text = "ABCD"
    ET.SubElement(element, "showstandardinstruction").text = "0"
    for name, text in (("correctfeedback", "Correct."), ("partiallycorrectfeedback", "Partly correct."),
                       ("incorrectfeedback", "Incorrect.")):
        _text(ET.SubElement(element, name, format="html"), as_html(text))
    fractions = {o.letter: (1.0 if o.letter == key else 0.0) for o in question.options} if single \
        else multi_fractions(question, key)
    for option in question.options:
        _answer(element, percent(fractions[option.letter]), as_html(option.text, paragraph=False), option.feedback)
    return _tail(element, question)


def _numerical(item: Item) -> ET.Element:
    question = item.question
    element = _head(item, "numerical")
    for value, fraction, feedback in numeric_answers(question, item.key):
        answer = _answer(element, fraction, exact(value), feedback, fmt="moodle_auto_format")
        ET.SubElement(answer, "tolerance").text = tolerance_of(question, value)
    ET.SubElement(element, "unitgradingtype").text = "0"
    ET.SubElement(element, "unitpenalty").text = "0.1000000"
    ET.SubElement(element, "showunits").text = "3"
    ET.SubElement(element, "unitsleft").text = "0"
    return _tail(element, question)


def _essay(item: Item) -> ET.Element:
    question = item.question
    element = _head(item, "essay")
    for name, value in (("responseformat", "editor"), ("responserequired", "1"), ("responsefieldlines", "10"),
                        ("attachments", "0"), ("attachmentsrequired", "0")):
        ET.SubElement(element, name).text = value
    _text(ET.SubElement(element, "graderinfo", format="html"), grader_info(question, item.key))
    _text(ET.SubElement(element, "responsetemplate", format="html"), "")
    return _tail(element, question)


def _stack(item: Item) -> ET.Element:
    question = item.question
    text = castext_safe(as_html(question.prompt)) + "<p>[[input:ans1]] [[validation:ans1]]</p>"
    element = _head(item, "stack", text, castext_safe(as_html(question.explanation)))
    stack.fill(element, item)
    return _tail(element, question, castext_safe)


# -- cloze -----------------------------------------------------------------------------


def cloze_escape(text: str | None) -> str:
    """HTML for a cloze question, with the characters that delimit sub-questions as entities,
    so bank text can never open or end one (Moodle decodes them after parsing)."""
    return "".join(_CLOZE_ESCAPES.get(ch, ch) for ch in as_html(text))


def _cloze(item: Item) -> ET.Element:
    exercise = item.question
    paragraphs = [cloze_escape(exercise.prompt)]
    for part, weight in zip(exercise.parts, weights(exercise.parts)):
        blank = _subquestion(part, item.key[part.part], weight)
        paragraphs.append(cloze_escape(f"({part.part}) {part.prompt}") + f"<p>{blank}</p>")
    feedback = as_html(exercise.explanation) + "".join(as_html(f"({p.part}) {p.explanation}") for p in exercise.parts)
    element = _head(item, "cloze", "\n".join(paragraphs), feedback)
    return _tail(element, exercise)


def _subquestion(part: Question, key: Any, weight: int) -> str:
    if part.kind == "number":
        alternatives = [f"{'=' if fraction == '100' else '%0%'}{exact(value)}:{tolerance_of(part, value)}"
                        f"#{_inner(feedback)}" for value, fraction, feedback in numeric_answers(part, key)]
        return f"{{{weight}:NUMERICAL:{'~'.join(alternatives)}}}"
    if part.kind == "choice":
        options = [f"{'=' if o.letter == key else ''}{_inner(o.letter + '. ' + o.text)}#{_inner(o.feedback)}"
                   for o in part.options]
        return f"{{{weight}:MULTICHOICE_V:{'~'.join(options)}}}"
    fractions = multi_fractions(part, key)  # whole percentages: older cloze parsers read no decimals
    options = [f"%{round(100 * fractions[o.letter])}%{_inner(o.letter + '. ' + o.text)}#{_inner(o.feedback)}"
               for o in part.options]
    return f"{{{weight}:MULTIRESPONSE:{'~'.join(options)}}}"


def _inner(text: str | None) -> str:
    """Text inside a sub-question: escaped HTML without the paragraph around it."""
    return "".join(_CLOZE_ESCAPES.get(ch, ch) for ch in as_html(text, paragraph=False))
