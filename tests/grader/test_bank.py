"""The bank loader: valid banks load, broken ones are reported by line, all problems at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.banks import loader as bank
from grader.errors import BankError

VALID = """\
bank: demo
title: Demo bank
source: {document: 000_demo.txt, title: Demo}
questions:
  - id: q1
    kind: choice
    prompt: Pick A.
    options:
      A: first
      B: second
    answer: A
    explanation: A is first.
    source: {document: "000", question: "1"}
  - id: q2
    kind: number
    prompt: Two plus two?
    answer: 4
    explanation: Arithmetic.
    source: {document: "000", question: "2"}
"""


def write(tmp_path: Path, text: str, name: str = "demo.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str, name: str = "demo.yaml") -> list:
    with pytest.raises(BankError) as info:
        bank.load(write(tmp_path, text, name))
    return info.value.problems


def test_valid_bank_loads(tmp_path: Path) -> None:
    loaded = bank.load(write(tmp_path, VALID))
    assert [q.id for q in loaded.questions] == ["demo/q1", "demo/q2"]
    assert loaded.questions[0].option("B").text == "second"
    assert loaded.questions[1].line == 14


# (name, mutation of VALID, expected line, expected path, fragment of the message)
BROKEN = [
    ("unknown field (typo)", VALID.replace("    explanation: A is first.", "    explaination: A is first."),
     12, "questions[0].explaination", "did you mean 'explanation'?"),
    ("duplicate id", VALID.replace("id: q2", "id: q1"), 14, "questions[1].id", "duplicate id 'q1'"),
    ("wrong type", VALID.replace("answer: 4", "answer: four"), 17, "questions[1].answer", "expected a number"),
    ("missing field", VALID.replace("    prompt: Two plus two?\n", ""), 14, "questions[1]",
     "missing required field 'prompt'"),
    ("unknown kind", VALID.replace("kind: number", "kind: numeric"), 15, "questions[1].kind", "unknown kind 'numeric'"),
    ("key names no option", VALID.replace("answer: A", "answer: C"), 11, "questions[0].answer",
     "answer 'C' names no option; the options are A, B"),
    ("YAML syntax error", VALID.replace("      B: second", "      B: [second"), 11, "", "YAML syntax error"),
    ("options out of order", VALID.replace("      B: second", "      C: second"), 8, "questions[0].options",
     "lettered A, B in order"),
    ("boolean option text", VALID.replace("      B: second", "      B: Yes"), 10, "questions[0].options.B",
     "quote Yes/No"),
    ("bank id differs from file", VALID.replace("bank: demo", "bank: other"), 1, "bank", "must match the file name"),
    ("missing source", VALID.replace('    source: {document: "000", question: "2"}\n', ""), 14, "questions[1]",
     "missing required field 'source'"),
    ("duplicate YAML key", VALID.replace("    answer: 4\n", "    answer: 4\n    answer: 5\n"), 18,
     "questions[1].answer", "duplicate key 'answer'"),
    ("bad tolerance", VALID.replace("    answer: 4\n", "    answer: 4\n    tolerance: {rel: -1}\n"), 18,
     "questions[1].tolerance.rel", "rel must be between 0.0 and 1.0"),
    ("unknown solver", VALID.replace("    answer: 4\n", "    solver: nosuch\n    quantity: x\n"), 17,
     "questions[1].solver", "unknown solver 'nosuch'; known solvers: "),
    ("multi answer not a list", VALID.replace("kind: choice", "kind: multi"), 11, "questions[0].answer",
     "a multi answer is a list of letters"),
    ("bad id", VALID.replace("id: q2", "id: Q 2"), 14, "questions[1].id", "must use lower-case letters"),
    ("questions not a list", "bank: demo\ntitle: T\nsource: {document: d}\nquestions: 3\n", 4, "questions",
     "non-empty list of questions"),
    ("text without rubric", VALID.replace("kind: number", "kind: text").replace("answer: 4", "answer: four"), 14,
     "questions[1]", "missing required field 'rubric'"),
    ("bad regex in rubric", VALID.replace("kind: number", "kind: text").replace(
        "answer: 4", "answer: four\n    rubric:\n      - {point: p, any: ['re:(']}"), 19, "questions[1].rubric[0].any",
     "invalid regular expression"),
    ("exercise without parts", VALID.replace("kind: number", "kind: exercise").replace("    answer: 4\n", ""), 14,
     "questions[1]", "an exercise needs 'parts'"),
    ("top level is a list", "- a\n- b\n", 1, "", "expected a bank"),
    ("no tries", VALID.replace("    answer: 4\n", "    answer: 4\n    attempts: 0\n"), 18,
     "questions[1].attempts", "attempts must be a whole number from 1 to 10"),
    ("fractional tries", VALID.replace("    answer: 4\n", "    answer: 4\n    attempts: 1.5\n"), 18,
     "questions[1].attempts", "attempts must be a whole number"),
    ("too many tries", VALID.replace("bank: demo\n", "bank: demo\nattempts: 11\n"), 2, "attempts",
     "attempts must be a whole number from 1 to 10"),
    ("penalty above 1", VALID.replace("    answer: 4\n", "    answer: 4\n    penalty: 2\n"), 18,
     "questions[1].penalty", "penalty must be between 0.0 and 1.0"),
    ("penalty not finite", VALID.replace("    answer: 4\n", "    answer: 4\n    penalty: .nan\n"), 18,
     "questions[1].penalty", "expected a finite number"),
    ("bank penalty not finite", VALID.replace("bank: demo\n", "bank: demo\npenalty: .inf\n"), 2, "penalty",
     "expected a finite number"),
]


@pytest.mark.parametrize("name, text, line, path, fragment", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_bank_reports_line_and_message(tmp_path: Path, name: str, text: str, line: int, path: str,
                                              fragment: str) -> None:
    found = problems(tmp_path, text)
    matching = [p for p in found if fragment in p.message]
    assert matching, f"no problem mentions {fragment!r}: {[str(p) for p in found]}"
    assert matching[0].line == line
    assert matching[0].path == path
    assert str(matching[0]).startswith(f"{tmp_path / 'demo.yaml'}:{line}: ")


def test_every_problem_is_collected(tmp_path: Path) -> None:
    text = VALID.replace("answer: A", "answer: C").replace("kind: number", "kind: numeric").replace(
        "    explanation: A is first.", "    explaination: A is first.")
    found = problems(tmp_path, text)
    messages = " | ".join(p.message for p in found)
    assert "names no option" in messages
    assert "unknown kind" in messages
    assert "explaination" in messages
    assert [p.line for p in found] == sorted(p.line for p in found)


def test_empty_file(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, "  \n")
    assert problem.line == 1 and "file is empty" in problem.message


def test_oversized_file(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, "# " + "x" * (bank.MAX_BANK_BYTES + 10) + "\n")
    assert "limited to" in problem.message


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_bytes(b"bank: demo\ntitle: \xff\xfe\n")
    with pytest.raises(BankError) as info:
        bank.load(path)
    assert "not UTF-8" in info.value.problems[0].message


def test_python_tag_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = VALID.replace("title: Demo bank", f"title: !!python/object/apply:os.system ['touch {marker}']")
    [problem] = problems(tmp_path, text)
    assert "refused" in problem.message
    assert not marker.exists()


def test_tries_are_read_and_parts_inherit_them(tmp_path: Path) -> None:
    text = VALID.replace("bank: demo\n", "bank: demo\nattempts: 3\npenalty: 0.2\n").replace(
        "    answer: 4\n", "    answer: 4\n    attempts: 1\n")
    loaded = bank.load(write(tmp_path, text))
    assert (loaded.attempts, loaded.penalty) == (3, 0.2)
    assert [(q.attempts, q.penalty) for q in loaded.questions] == [(None, None), (1, None)]


def test_exercise_parts_inherit_solver_fields(tmp_path: Path) -> None:
    text = VALID + """\
  - id: ex
    kind: exercise
    prompt: Parts.
    explanation: Both parts.
    source: {document: "000", question: "3"}
    followthrough: 0.5
    parts:
      - {id: a, kind: number, prompt: One?, answer: 1, explanation: one}
      - {id: b, kind: number, prompt: Two?, answer: 2, explanation: two, points: 2}
"""
    loaded = bank.load(write(tmp_path, text))
    exercise = loaded.questions[2]
    assert [p.id for p in exercise.parts] == ["demo/ex.a", "demo/ex.b"]
    assert exercise.parts[1].points == 2.0 and exercise.followthrough == 0.5
    assert exercise.parts[0].source == exercise.source
    assert [q.id for q in loaded.items()][-3:] == ["demo/ex", "demo/ex.a", "demo/ex.b"]
