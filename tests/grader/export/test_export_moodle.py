"""Moodle XML read back: every question, key, fraction and tolerance against the banks' verified keys."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from export_oracle import MOODLE_PERCENTS, accepts_exactly, as_plain, error, expected, expected_names, same_formula

from rich.console import Console

from grader.cli import main
from grader.export import moodle, shared
from grader.marking.kinds import KINDS
from grader.model import Question

_SUB = re.compile(r"\{(\d+):(NUMERICAL|MULTICHOICE_V|MULTIRESPONSE):(.*?)\}", re.DOTALL)


def test_every_question_reads_back_with_its_verified_key(items: list[shared.Item]) -> None:
    check_file(ET.fromstring(moodle.write(items, shared.Notes())), variants=3)


def test_the_done_when_command_reads_back(tmp_path: Path) -> None:
    out = tmp_path / "all.xml"
    code = main(["export", "--format", "moodle", "--out", str(out), "--variants", "20"],
                console=Console(file=io.StringIO(), width=200))
    assert code == 0
    check_file(ET.parse(out).getroot(), variants=20)


def check_file(root: ET.Element, variants: int) -> None:
    """Every question of a Moodle export of all banks, against the banks' verified keys."""
    category = None
    seen = []
    for element in root:
        assert element.tag == "question"
        if element.get("type") == "category":
            category = element.findtext("category/text")
            continue
        name = element.findtext("name/text")
        question, key = expected(name)
        seen.append(name)
        assert element.findtext("idnumber") == name
        nested = f"/{(question.parent or question.id).split('/')[1]}" if ", seed " in name else ""
        assert category.startswith(f"$course$/top/rnnquiz/{question.bank}{nested}"), (name, category)
        CHECKS[element.get("type")](element, question, key)
    assert len(seen) == len(set(seen))
    assert set(seen) == expected_names(variants, split={"assignment3/q5"})


def check_multichoice(element: ET.Element, question: Question, key: Any) -> None:
    answers = element.findall("answer")
    assert [as_plain(a.findtext("text")) for a in answers] == [o.text for o in question.options]
    assert [as_plain(a.findtext("feedback/text")) for a in answers] == [o.feedback or "" for o in question.options]
    fractions = {o.letter: a.get("fraction") for o, a in zip(question.options, answers)}
    assert set(fractions.values()) <= MOODLE_PERCENTS | {"-" + p for p in MOODLE_PERCENTS}
    if question.kind == "choice":
        assert element.findtext("single") == "true"
        assert fractions == {o.letter: "100" if o.letter == key else "0" for o in question.options}
    else:
        assert element.findtext("single") == "false"
        assert {letter for letter, f in fractions.items() if float(f) > 0} == key
        assert round(sum(float(f) for f in fractions.values() if float(f) > 0), 2) == 100  # Moodle's own check
        assert all(float(f) < 0 for letter, f in fractions.items() if letter not in key)


def check_numerical(element: ET.Element, question: Question, key: Any) -> None:
    answers = element.findall("answer")
    values = [float(a.findtext("text")) for a in answers]
    assert values[0] == key and answers[0].get("fraction") == "100"
    wrong = [float(w.answer) for w in question.misconceptions]
    assert values[1:] == wrong and all(a.get("fraction") == "0" for a in answers[1:])
    for value, answer in zip(values, answers):
        written = Decimal(answer.findtext("tolerance"))
        assert written == error(question, value)
        assert accepts_exactly(question, value, written)


def check_cloze(element: ET.Element, question: Question, key: Any) -> None:
    subs = _SUB.findall(element.findtext("questiontext/text"))
    assert len(subs) == len(question.parts)
    for part, (weight, kind, body) in zip(question.parts, subs):
        assert int(weight) == part.points
        alternatives = body.split("~")
        if part.kind == "number":
            assert kind == "NUMERICAL"
            value, tolerance = alternatives[0].removeprefix("=").split("#")[0].split(":")
            assert alternatives[0].startswith("=") and float(value) == key[part.part]
            assert Decimal(tolerance) == error(part, key[part.part])
            assert len(alternatives) == 1 + len(part.misconceptions)
        else:
            assert kind == "MULTICHOICE_V" and part.kind == "choice"
            right = [a for a in alternatives if a.startswith("=")]
            assert len(right) == 1 and right[0].startswith(f"={key[part.part]}. ")


def check_essay(element: ET.Element, question: Question, key: Any) -> None:
    info = as_plain(element.findtext("graderinfo/text"))
    assert key in info
    assert all(point.point in info for point in question.rubric)


def check_stack(element: ET.Element, question: Question, key: Any) -> None:
    lines = element.findtext("questionvariables/text").split("\n")
    variables = dict(line.removesuffix(";").split(":", 1) for line in lines)
    assert list(variables) == ["ta"] + [f"w{k}" for k in range(1, len(question.misconceptions) + 1)]
    assert same_formula(question, key, variables["ta"])
    nodes = element.findall("prt/node")
    assert [n.findtext("tans") for n in nodes] == list(variables)
    assert [n.findtext("truescore") for n in nodes] == ["1.0000000"] + ["0.0000000"] * len(question.misconceptions)
    for wrong, node in zip(question.misconceptions, nodes[1:]):
        assert same_formula(question, KINDS[question.kind].key(question, wrong.answer), variables[node.findtext("tans")])
        assert as_plain(node.findtext("truefeedback/text")) == wrong.feedback.strip()
    assert all(n.findtext("answertest") == "AlgEquiv" and n.findtext("sans") == "ans1" for n in nodes)
    assert element.findtext("input/type") == ("matrix" if question.kind == "matrix" else "algebraic")
    assert "[[input:ans1]]" in element.findtext("questiontext/text")


CHECKS = {"multichoice": check_multichoice, "numerical": check_numerical, "cloze": check_cloze,
          "essay": check_essay, "stack": check_stack}


def test_in5400_task1_is_one_cloze_keyed_6_2_0_8(items: list[shared.Item]) -> None:
    task = [item for item in items if item.name == "in5400/task1"]
    root = ET.fromstring(moodle.write(task, shared.Notes()))
    (question,) = root.findall("question[@type='cloze']")
    subs = _SUB.findall(question.findtext("questiontext/text"))
    keys = [body.split("~")[0].split(":")[0] for _, kind, body in subs]
    assert [kind for _, kind, _ in subs] == ["NUMERICAL"] * 4
    assert keys == ["=6.0", "=2.0", "=0.0", "=8.0"]


def test_every_variant_has_its_own_category(items: list[shared.Item]) -> None:
    root = ET.fromstring(moodle.write(items, shared.Notes()))
    paths = [e.findtext("category/text") for e in root if e.get("type") == "category"]
    assert "$course$/top/rnnquiz/practice/gate_params variants" in paths
    assert "$course$/top/rnnquiz/in5400" in paths
    names_after = {}
    current = None
    for element in root:
        if element.get("type") == "category":
            current = element.findtext("category/text")
        else:
            names_after.setdefault(current, []).append(element.findtext("name/text"))
    assert names_after["$course$/top/rnnquiz/practice/gate_params variants"] == [
        f"practice/gate_params, seed {s}" for s in range(3)]


def test_multi_scoring_it_cannot_copy_is_reported(items: list[shared.Item]) -> None:
    notes = shared.Notes()
    moodle.write([i for i in items if i.name in ("hse/q2", "practice/gru_formula")], notes)
    assert any(line.startswith("hse/q2: per-option scoring") and "50 %" in line and "-25 %" in line
               for line in notes.lines)
    assert any(line.startswith("practice/gru_formula: exported as a STACK question") for line in notes.lines)


def test_cloze_marks_keep_the_parts_points_as_whole_numbers() -> None:
    part = expected("in5400/task1.a")[0]
    parts = tuple(replace(part, points=points) for points in (0.5, 1.0, 1.5, 2.5))
    assert shared.weights(parts) == [1, 2, 3, 5]
    assert shared.weights(parts[1:2]) == [1]
