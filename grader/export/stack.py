"""The STACK part of a Moodle XML question: core Moodle has no symbolic type, so a formula or
matrix question becomes a STACK question (the qtype_stack plugin).

The teacher's answer `ta` is our verified key printed in Maxima; one potential-response tree
tests the student's `ans1` with AlgEquiv against it, and then against each known wrong
answer of the bank, whose feedback it gives. A question test checks that `ta` scores 1.
Every bank text that reaches a STACK field is made inert first (`castext_safe`).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from grader.export.maxima import maxima
from grader.export.shared import Item, as_html
from grader.marking.kinds import KINDS
from grader.model import Question

_CASTEXT_ESCAPES = {"{": "&#123;", "}": "&#125;", "[": "&#91;", "]": "&#93;", "$": "&#36;"}


def castext_safe(html_text: str) -> str:
    """HTML for a STACK text field, with {, }, [, ] and $ as entities: STACK evaluates
    `{@…@}` and `{#…#}` in Maxima and reads `[[…]]` as blocks, so bank text must not form them."""
    return "".join(_CASTEXT_ESCAPES.get(ch, ch) for ch in html_text)


def fill(element: ET.Element, item: Item) -> None:
    """Add STACK's fields (variables, options, input, tree, test) to a <question type="stack">."""
    question = item.question
    wrongs = [(f"w{k}", KINDS[question.kind].key(question, wrong.answer), wrong.feedback)
              for k, wrong in enumerate(question.misconceptions, start=1)]
    variables = [f"ta:{maxima(item.key)};"] + [f"{name}:{maxima(formula)};" for name, formula, _ in wrongs]
    _text(ET.SubElement(element, "questionvariables"), "\n".join(variables))
    _text(ET.SubElement(element, "specificfeedback", format="html"), "[[feedback:prt1]]")
    _text(ET.SubElement(element, "questionnote", format="html"), "")
    for name, value in (("questionsimplify", "1"), ("assumepositive", "0"), ("assumereal", "0"),
                        ("multiplicationsign", "dot"), ("sqrtsign", "1"), ("complexno", "i"),
                        ("inversetrig", "cos-1"), ("matrixparens", "[")):
        ET.SubElement(element, name).text = value
    for name, value in (("prtcorrect", "Correct."), ("prtpartiallycorrect", "Partly correct."),
                        ("prtincorrect", "Incorrect.")):
        _text(ET.SubElement(element, name, format="html"), as_html(value))
    _input(element, question)
    _tree(element, [(name, feedback) for name, _, feedback in wrongs])
    test = ET.SubElement(element, "qtest")
    ET.SubElement(test, "testcase").text = "1"
    given = ET.SubElement(test, "testinput")
    ET.SubElement(given, "name").text = "ans1"
    ET.SubElement(given, "value").text = "ta"
    expected = ET.SubElement(test, "expected")
    for name, value in (("name", "prt1"), ("expectedscore", "1.0000000"), ("expectedpenalty", "0.0000000"),
                        ("expectedanswernote", "prt1-1-T")):
        ET.SubElement(expected, name).text = value


def _text(parent: ET.Element, text: str) -> None:
    ET.SubElement(parent, "text").text = text


def _input(element: ET.Element, question: Question) -> None:
    given = ET.SubElement(element, "input")
    for name, value in (("name", "ans1"), ("type", "matrix" if question.kind == "matrix" else "algebraic"),
                        ("tans", "ta"), ("boxsize", "30"), ("strictsyntax", "1"), ("insertstars", "0"),
                        ("syntaxhint", ""), ("forbidwords", ""), ("allowwords", ""), ("forbidfloat", "0"),
                        ("requirelowestterms", "0"), ("checkanswertype", "0"), ("mustverify", "1"),
                        ("showvalidation", "1"), ("options", "")):
        ET.SubElement(given, name).text = value


def _tree(element: ET.Element, wrongs: list[tuple[str, str]]) -> None:
    """Node 0 tests the key (score 1); node k tests known wrong answer k (score 0, its feedback)."""
    prt = ET.SubElement(element, "prt")
    for name, value in (("name", "prt1"), ("value", "1.0000000"), ("autosimplify", "1"), ("feedbackstyle", "1")):
        ET.SubElement(prt, name).text = value
    _text(ET.SubElement(prt, "feedbackvariables"), "")
    tests = [("ta", "1.0000000", "")] + [(name, "0.0000000", feedback) for name, feedback in wrongs]
    for number, (tans, score, feedback) in enumerate(tests):
        node = ET.SubElement(prt, "node")
        last = number == len(tests) - 1
        for name, value in (("name", str(number)), ("answertest", "AlgEquiv"), ("sans", "ans1"), ("tans", tans),
                            ("testoptions", ""), ("quiet", "0"), ("truescoremode", "="), ("truescore", score),
                            ("truenextnode", "-1"), ("trueanswernote", f"prt1-{number + 1}-T")):
            ET.SubElement(node, name).text = value
        _text(ET.SubElement(node, "truefeedback", format="html"), castext_safe(as_html(feedback)))
        for name, value in (("falsescoremode", "="), ("falsescore", "0.0000000"),
                            ("falsenextnode", "-1" if last else str(number + 1)),
                            ("falseanswernote", f"prt1-{number + 1}-F")):
            ET.SubElement(node, name).text = value
        _text(ET.SubElement(node, "falsefeedback", format="html"), "")
