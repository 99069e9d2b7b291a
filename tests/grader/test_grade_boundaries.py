"""`rnnquiz grade`: one bad file is one line, and the class is still graded (issue 13).

Each test is a reproduction found by hand: before, it stopped the batch, hung it, or
changed a grade in silence.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from grader.batch.report import file_name
from grader.cli import main

ROOT = Path(__file__).resolve().parents[2]
GOOD = "student: good1\nanswers: {nptel/q7: B}\n"
TASK1 = "answers: {in5400/task1.a: 7, in5400/task1.b: 3, in5400/task1.c: 1, in5400/task1.d: 2}\n"


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    code = main(argv, console=Console(file=out, width=160, color_system=None))
    return code, out.getvalue()


def grade_json(*argv: str) -> tuple[int, dict]:
    out = io.StringIO()
    code = main(["grade", *argv, "--json"], console=Console(file=out, width=160, color_system=None),
                stdin=io.StringIO())
    return code, json.loads(out.getvalue().split("\nerror: ")[0])


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_wrong_shape_work_costs_the_follow_through_not_the_file(tmp_path: Path) -> None:
    bad = write(tmp_path, "w.yaml", "student: w1\n" + TASK1 + "work: {in5400/task1: {h1: [1, 2, 3]}}\n")
    code, data = grade_json(str(bad), str(write(tmp_path, "g.yaml", GOOD)))
    assert code == 0 and data["refused"] == []
    [w1] = [s for s in data["students"] if s["student"] == "w1"]
    assert any("work for in5400/task1 ignored" in note and "scalar" in note for note in w1["warnings"])
    assert w1["questions"]["in5400/task1"]["parts"]["a"]["status"] == "incorrect"


@pytest.mark.parametrize("qid, answer", [("hse/q1", "²"), ("hse/q2", "A, ①"), ("hse/q1", "①"), ("hse/q2", "٣")])
def test_odd_digits_in_a_choice_answer_are_invalid_not_fatal(tmp_path: Path, qid: str, answer: str) -> None:
    bad = write(tmp_path, "c.yaml", f"student: c1\nanswers: {{{qid}: \"{answer}\"}}\n")
    code, data = grade_json(str(bad), str(write(tmp_path, "g.yaml", GOOD)))
    assert code == 0 and len(data["students"]) == 2
    [c1] = [s for s in data["students"] if s["student"] == "c1"]
    assert c1["questions"][qid]["status"] == "invalid"
    assert "not one of the options" in c1["questions"][qid]["feedback"]


def test_an_answer_to_a_part_that_does_not_exist_gets_the_right_reason(tmp_path: Path) -> None:
    bad = write(tmp_path, "p.yaml", "student: p1\nanswers: {in5400/task1.e: 5, in5400/task1.a: 6}\n")
    code, data = grade_json(str(bad))
    assert code == 0
    [note] = data["students"][0]["warnings"]
    assert "in5400/task1 has no part 'e' (its parts: a, b, c, d)" in note and "not part of" not in note


def test_answers_are_graded_as_the_text_the_student_wrote(tmp_path: Path) -> None:
    # YAML 1.1 would read 0x1F as 31, 1_000 as 1000, 1:20 as 80 and .5 as 0.5.
    typed = {"in5400/task1.a": "0x1F", "in5400/task1.b": "1_000", "in5400/task1.c": "1:20", "in5400/task1.d": ".5"}
    body = "".join(f"  {qid}: {text}\n" for qid, text in typed.items())
    code, data = grade_json(str(write(tmp_path, "t.yaml", f"student: t1\nanswers:\n{body}")))
    assert code == 0
    answer = data["students"][0]["questions"]["in5400/task1"]["answer"]
    assert answer == "a=0x1F; b=1_000; c=1:20; d=.5"
    parts = data["students"][0]["questions"]["in5400/task1"]["parts"]
    assert parts["a"]["status"] == "invalid" and parts["b"]["status"] == "invalid"


def test_two_files_for_one_student_are_refused_naming_both(tmp_path: Path) -> None:
    first = write(tmp_path / "in", "a.yaml", "student: s1\nanswers: {nptel/q7: B}\n")
    second = write(tmp_path / "in", "b.yaml", "student: s1\nanswers: {nptel/q7: A}\n")
    code, data = grade_json(str(tmp_path / "in"), "--out", str(tmp_path / "out"))
    assert code == 1
    assert [s["file"] for s in data["students"]] == [str(first)]
    [line] = data["refused"]
    assert line.startswith(str(second)) and str(first) in line and "s1" in line


def test_report_names_never_collide_whatever_the_case_or_dots(tmp_path: Path) -> None:
    for name, student in (("a", "x"), ("b", ".x"), ("c", "X"), ("d", "x_"), ("e", "x~")):
        write(tmp_path / "in", f"{name}.yaml", f"student: '{student}'\nanswers: {{nptel/q7: B}}\n")
    code, _ = run(["grade", str(tmp_path / "in"), "--out", str(tmp_path / "out")])
    every = sorted(p.name for p in (tmp_path / "out" / "reports").iterdir())
    assert code in (0, 1) and len(every) == len({r.casefold() for r in every})
    reports = [r for r in every if r.endswith(".md")]
    assert sorted(r[:-3] for r in reports) == sorted(r[:-5] for r in every if r.endswith(".html"))
    students = {(tmp_path / "out" / "reports" / r).read_text(encoding="utf-8").splitlines()[0] for r in reports}
    assert len(reports) == 4 and len(students) == 4  # x~ is not an id; the other four each have a file
    assert file_name("x") == "x.md" and file_name("assignment3-sheet") == "assignment3-sheet.md"
    assert len({file_name(s).casefold() for s in ("x", "X", ".x", "x.")}) == 4


def test_control_sequences_never_reach_the_terminal_or_a_report(tmp_path: Path) -> None:
    hostile = r"\e[2J\e]0;owned\a B \x9b31m \u202e"
    path = write(tmp_path, "e.yaml", f'student: e1\nanswers: {{nptel/q7: "{hostile}", in5400/task2b: "ok {hostile}",'
                                     f' practice/gru_formula: "3n\\e[31m(n+m+1)"}}\n')
    code, out = run(["grade", str(path), "--out", str(tmp_path / "out"), "--stats"])
    report = (tmp_path / "out" / "reports" / "e1.md").read_text(encoding="utf-8")
    assert code == 0
    for text in (out, report):
        assert not any(c in text for c in "\x1b\x07\x9b\u202e")
        assert "\\x1b[2J" in text  # shown as inert text, so the instructor sees what was sent
    _, as_json = run(["grade", str(path), "--json"])
    written = [p.read_text(encoding="utf-8") for p in (tmp_path / "out").iterdir() if p.is_file()]
    assert len(written) >= 3 and "\\u001b[2J" in as_json
    assert not any(c in text for text in (as_json, *written) for c in "\x1b\x07\x9b\u202e")


def test_a_fifo_a_device_and_broken_links_are_named_and_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write(folder, "good.yaml", GOOD)
    os.mkfifo(folder / "pipe.yaml")
    (folder / "dangling.yaml").symlink_to(tmp_path / "nowhere.yaml")
    (folder / "loop.yaml").symlink_to(folder / "loop.yaml")
    (folder / "link.yaml").symlink_to(folder / "good.yaml")
    (folder / "dir.yaml").mkdir()
    fifo_named = tmp_path / "named.yaml"
    os.mkfifo(fifo_named)
    argv = [str(folder), "/dev/null", str(fifo_named), str(tmp_path / "loop2.yaml"), str(folder / "dangling.yaml")]
    (tmp_path / "loop2.yaml").symlink_to(tmp_path / "loop2.yaml")
    # A real process with a time limit: before, a FIFO hung `grade` forever.
    done = subprocess.run([sys.executable, "-m", "grader.cli", "grade", *argv, "--json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    data = json.loads(done.stdout)
    assert done.returncode == 1 and [s["student"] for s in data["students"]] == ["good1"]
    lines = data["refused"]
    assert len(lines) == 9 and all("\n" not in line for line in lines)
    expect = {"dangling.yaml": "symbolic link", "dir.yaml": "a directory", "link.yaml": "symbolic link",
              "loop.yaml": "symbolic link", "pipe.yaml": "named pipe", "/dev/null": "character device",
              "named.yaml": "named pipe", "loop2.yaml": "symbolic link loop"}
    for name, reason in expect.items():
        assert any(line.startswith(str(folder / name) if "/" not in name else name) and reason in line
                   for line in lines) or any(name in line and reason in line for line in lines), (name, lines)
    assert any(line.startswith(str(folder / "dangling.yaml")) and "dangling symbolic link" in line for line in lines)


def test_a_link_named_on_the_command_line_is_followed(tmp_path: Path) -> None:
    good = write(tmp_path, "good.yaml", GOOD)
    (tmp_path / "link.yaml").symlink_to(good)
    code, data = grade_json(str(tmp_path / "link.yaml"))
    assert code == 0 and [s["student"] for s in data["students"]] == ["good1"]


def test_overrides_naming_unknown_questions_stop_before_grading(tmp_path: Path) -> None:
    good = write(tmp_path, "g.yaml", GOOD)
    overrides = write(tmp_path, "o.yaml", "good1:\n  nptel/q77: 1\n  in5400/task1.e: 1\n")
    code, out = run(["grade", str(good), "--overrides", str(overrides)])
    assert code == 2 and "nptel/q77" in out and "in5400/task1.e" in out and "good1: 1 / 1" not in out


def test_overrides_with_a_duplicate_key_or_an_alias_are_refused(tmp_path: Path) -> None:
    good = write(tmp_path, "g.yaml", GOOD)
    for text, fragment in (("good1:\n  nptel/q7: 1\n  nptel/q7: 0\n", "duplicate key 'nptel/q7'"),
                           ("good1:\n  nptel/q7: &s 1\n  hse/q1: *s\n", "aliases")):
        code, out = run(["grade", str(good), "--overrides", str(write(tmp_path, "o.yaml", text))])
        assert code == 2 and fragment in out and "good1: 1 / 1" not in out


def test_overrides_for_students_or_items_not_in_the_batch_are_errors(tmp_path: Path) -> None:
    good = write(tmp_path, "g.yaml", GOOD)
    overrides = write(tmp_path, "o.yaml", "goood1:\n  nptel/q7: 0.5\ngood1:\n  hse/q1: 1\n")
    code, data = grade_json(str(good), "--overrides", str(overrides))
    assert code == 1 and [s["student"] for s in data["students"]] == ["good1"]
    assert any("no submission for student 'goood1'" in line for line in data["refused"])
    assert any("good1: hse/q1 is not among the questions graded" in line for line in data["refused"])
