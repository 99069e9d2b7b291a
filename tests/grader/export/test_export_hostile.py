"""Bank text is data in every export: escaped, never a tag, a sub-question or a GIFT marker,
and it reads back exactly as written."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import pytest
from export_oracle import as_plain, read_gift

from grader.export import canvas, gift, moodle, qti, shared

EVIL = ("Evil </text><![CDATA[ x ]]> <script>alert(1)</script> &amp; {1:NUMERICAL:=1} "
        "~ = # { } : \\\\ $CATEGORY: x // not a comment")
BANK = f"""bank: evil
title: Hostile text
source: {{document: test, title: test}}
questions:
  - id: pick
    kind: choice
    prompt: "{EVIL}"
    options:
      A: {{text: "{EVIL}", feedback: "{EVIL}"}}
      B: plain
    answer: A
    explanation: "{EVIL}"
    source: {{document: test, question: "1"}}
  - id: formula
    kind: expression
    prompt: "{EVIL} {{@system(\\"ls\\")@}} {{#1#}} [[input:ans2]] $$x$$"
    variables: [n]
    answer: "n^2"
    explanation: "{EVIL} {{@1@}}"
    hints: ["{{@1@}} [[if test='true']]"]
    misconceptions: [{{answer: "n^3", feedback: "{{@1@}} [[feedback:prt1]]"}}]
    source: {{document: test, question: "3"}}
  - id: parts
    kind: exercise
    prompt: "{EVIL}"
    explanation: "{EVIL}"
    source: {{document: test, question: "2"}}
    parts:
      - id: a
        kind: number
        prompt: "{EVIL}"
        answer: 2
        explanation: "{EVIL}"
        misconceptions:
          - {{answer: 3, feedback: "{EVIL}"}}
"""
PLAIN = EVIL.replace("\\\\", "\\")  # what YAML's double quotes make of it


@pytest.fixture(scope="module")
def items(tmp_path_factory: pytest.TempPathFactory) -> list[shared.Item]:
    path = Path(tmp_path_factory.mktemp("evil")) / "evil.yaml"
    path.write_text(BANK, encoding="utf-8")
    questions, _ = shared.select([str(path)], None)
    notes = shared.Notes()
    collected = shared.collect(questions, notes)
    assert notes.left_out == 0 and len(collected) == 3
    return collected


def test_moodle_keeps_text_as_text_and_opens_no_sub_question(items: list[shared.Item]) -> None:
    root = ET.fromstring(moodle.write(items, shared.Notes()))
    choice = root.find("question[@type='multichoice']")
    assert as_plain(choice.findtext("questiontext/text")) == PLAIN
    assert as_plain(choice.findtext("answer/text")) == PLAIN
    assert as_plain(choice.findtext("answer/feedback/text")) == PLAIN
    cloze = root.find("question[@type='cloze']").findtext("questiontext/text")
    assert len(re.findall(r"\{\d*:[A-Z_]+:", cloze)) == 1  # the part's own, not the one in the text
    assert "{" not in cloze.split("{1:NUMERICAL:")[0] and "}" not in cloze.split("{1:NUMERICAL:")[0]
    assert "<script>" not in cloze


def test_stack_text_cannot_reach_maxima_or_add_inputs(items: list[shared.Item]) -> None:
    stack = ET.fromstring(moodle.write(items, shared.Notes())).find("question[@type='stack']")
    fields = [stack.findtext(path) for path in ("questiontext/text", "generalfeedback/text", "hint/text",
                                                 "prt/node[2]/truefeedback/text")]
    for text in fields:
        assert not re.search(r"\{[@#=]|\[\[(?!input:ans1\]\]|validation:ans1\]\])|\$\$", text), text
    assert fields[0].count("[[input:") == 1 and "{@system" in as_plain(fields[0])
    assert stack.findtext("questionvariables/text") == "ta:n^2;\nw1:n^3;"


def test_gift_reads_back_the_same_text(items: list[shared.Item]) -> None:
    questions = read_gift(gift.write(items, shared.Notes()).decode("utf-8"))
    assert [q.name for q in questions] == ["evil/pick", "evil/parts.a"]  # GIFT leaves the formula out
    assert as_plain(questions[0].text) == PLAIN
    assert as_plain(questions[0].alternatives[0][2]) == "A. " + PLAIN
    assert as_plain(questions[1].alternatives[1][3]) == PLAIN
    assert {q.category for q in questions} == {"$course$/top/rnnquiz/evil"}


@pytest.mark.parametrize("module, as_text", [(qti, lambda t: t), (canvas, as_plain)], ids=["qti", "canvas"])
def test_packages_parse_and_hold_the_text(items: list[shared.Item], module: Any, as_text: Any) -> None:
    # QTI 2.1 writes text as XHTML elements; Canvas writes HTML as the text of <mattext>.
    with zipfile.ZipFile(io.BytesIO(module.write(items, shared.Notes()))) as archive:
        elements = [e for name in archive.namelist() for e in ET.fromstring(archive.read(name)).iter()]
    assert any(PLAIN in as_text("".join(e.itertext())) for e in elements)
    assert not any(e.tag.split("}")[-1] == "script" for e in elements)


def test_control_characters_are_dropped_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text(BANK.replace(EVIL, "bell\\a here", 1), encoding="utf-8")
    questions, _ = shared.select([str(path)], None)
    notes = shared.Notes()
    items = shared.collect(questions, notes)
    root = ET.fromstring(moodle.write(items, notes))
    assert as_plain(root.find("question[@type='multichoice']").findtext("questiontext/text")) == "bell here"
    assert "evil/pick: control characters in its text were removed (XML cannot hold them)" in notes.lines
