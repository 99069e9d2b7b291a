"""One run over a class of 2,000 submissions mixed with 50 hostile files grades the 2,000
and names each of the 50 in one line (issue 13's acceptance test)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

from rich.console import Console

from grader.cli import main

VALID = 2_000
LETTERS = "ABCD"


def valid(i: int) -> str:
    """A well-formed submission; some carry odd but gradable input (kept as typed, never fatal)."""
    answers = f"nptel/q7: {LETTERS[i % 4]}, hse/q1: {LETTERS[i % 2]}, in5400/task1.a: {i % 9}"
    odd = ['hse/q2: "A, ①"', 'in5400/task1.b: 0x1F', 'in5400/task1.c: "\\e[2J-8"', 'in5400/task9.z: 1',
           'in5400/task1.e: 5', 'seqmodels/q3: "²"', 'in5400/task1.d: 1:20'][i % 7]
    if i % 50 == 0:  # shown work of the wrong shape: graded without the follow-through it would give
        answers, odd = "in5400/task1.a: 7, in5400/task1.b: 3, in5400/task1.c: 1", "in5400/task1.d: 2"
        return f"student: s{i:04d}\nanswers: {{{answers}, {odd}}}\nwork: {{in5400/task1: {{h1: [1, 2, 3]}}}}\n"
    return f"student: s{i:04d}\nanswers: {{{answers}, {odd}}}\n"


# name -> contents; each is refused, and each refusal must name its file in one line. A second file
# for a student already graded is the hostile one, so those sort after the valid files (t > s).
HOSTILE_TEXT = {
    "h00-unknown-bank.yaml": "student: h00\nbank: nosuchbank\nanswers: {nptel/q7: B}\n",
    "h01-bank-path.yaml": "student: h01\nbank: ../../etc/passwd\nanswers: {nptel/q7: B}\n",
    "h02-ragged-work.yaml": "student: h02\nanswers: {in5400/task1.a: 6}\nwork: {in5400/task1: {h1: [[1, 2], [3]]}}\n",
    "h03-trailing-newline-id.yaml": 'student: "h03\\n"\nanswers: {nptel/q7: B}\n',
    "h04-duplicate-answer.yaml": "student: h04\nanswers:\n  nptel/q7: B\n  nptel/q7: A\n",
    "h05-duplicate-student-key.yaml": "student: h05\nstudent: h05b\nanswers: {nptel/q7: B}\n",
    "h06-scalar-alias.yaml": "student: &n h06\nanswers: {nptel/q7: B}\nnotes: *n\n",
    "h07-alias-bomb.yaml": "a: &a [x, x]\nb: &b [*a, *a]\nstudent: h07\nanswers: {q: *b}\n",
    "h08-python-tag.yaml": "student: !!python/object/apply:os.system ['true']\nanswers: {}\n",
    "h09-not-a-mapping.yaml": "- a\n- b\n",
    "h10-unknown-field.yaml": "student: h10\nanswers: {}\nexec: rm -rf /\n",
    "h11-deep.yaml": "student: h11\nanswers: " + "[" * 100 + "]" * 100 + "\n",
    "h12-syntax.yaml": "student: h12\nanswers: {nptel/q7: [\n",
    "h13-two-documents.yaml": "student: h13\nanswers: {}\n---\nstudent: h13b\n",
    "h14-bad-seed.yaml": "student: h14\nseed: -3\nanswers: {nptel/q7: B}\n",
    "h15-nested-answer.yaml": "student: h15\nanswers: {nptel/q7: {x: 1}}\n",
    "h16-empty-answer.yaml": "student: h16\nanswers: {nptel/q7: }\n",
    "h17-path-id.yaml": "student: ../../etc/passwd\nanswers: {}\n",
    "h18-duplicate.json": '{"student": "h18", "student": "h18b", "answers": {}}',
    "h19-answers-list.yaml": "student: h19\nanswers: [nptel/q7, B]\n",
    "h20-questions-text.yaml": "student: h20\nquestions: nptel/q7\nanswers: {}\n",
    "h21-work-text.yaml": "student: h21\nanswers: {in5400/task1.a: 6}\nwork: {in5400/task1: {h1: abc}}\n",
    "h22-escape-id.yaml": 'student: "h22\\e[2J"\nanswers: {}\n',
    "h23-tag-str.yaml": "student: !!str h23\nanswers: {}\n",
    "h24-anchor.yaml": "student: h24\nanswers: &a {nptel/q7: B}\n",
    "h25-long-answer.yaml": "student: h25\nanswers: {nptel/q7: " + "B" * 30_000 + "}\n",
    "h26-empty.yaml": "",
    "h27-key-list.yaml": "student: h27\nanswers: {[a]: B}\n",
    "h28-matrix-depth.yaml": "student: h28\nanswers: {practice/m: [[[1]]]}\n",
    "h29-work-not-mapping.yaml": "student: h29\nanswers: {}\nwork: [1, 2]\n",
    "h30-bank-number.yaml": "student: h30\nbank: [x]\nanswers: {}\n",
    "h31-duplicate-work.yaml": "student: h31\nanswers: {}\nwork: {in5400/task1: {h1: 1, h1: 2}}\n",
    "h32-control-char.yaml": "student: h32\nanswers: {nptel/q7: B\x07}\n",
    "h33-huge-seed.yaml": "student: h33\nseed: 99999999999999999999999\nanswers: {}\n",
    "\x1b[2J-h34.yaml": "student: h34\nanswers: {nptel/q7: B}\nbank: nosuchbank\n",
    "t35-duplicate-s0001.yaml": "student: s0001\nanswers: {nptel/q7: B}\n",
    "t36-duplicate-s1999.yaml": "student: s1999\nanswers: {nptel/q7: B}\n",
}
HOSTILE_BYTES = {
    "h37-latin1.yaml": "student: h37\nanswers: {nptel/q7: café}\n".encode("latin-1"),
    "h38-nul.yaml": b"student: h38\x00\nanswers: {}\n",
    "h39-png.json": b"\x89PNG\r\n\x1a\n\x00\x00\xff",
}


def build(folder: Path) -> list[Path]:
    """The class folder: 2,000 valid files and 50 hostile entries; returns the hostile paths."""
    folder.mkdir()
    for i in range(VALID):
        (folder / f"s{i:04d}.yaml").write_text(valid(i), encoding="utf-8")
    hostile = []
    for name, text in HOSTILE_TEXT.items():
        (folder / name).write_text(text, encoding="utf-8")
        hostile.append(folder / name)
    for name, raw in HOSTILE_BYTES.items():
        (folder / name).write_bytes(raw)
        hostile.append(folder / name)
    with (folder / "h40-huge.yaml").open("wb") as handle:  # sparse: 50 MB on paper
        handle.truncate(50 * 1024 * 1024)
    os.mkfifo(folder / "h41-fifo.yaml")
    (folder / "h42-dangling.yaml").symlink_to(folder / "nowhere.yaml")
    (folder / "h43-loop.yaml").symlink_to(folder / "h43-loop.yaml")
    (folder / "h44-link.yaml").symlink_to(folder / "s0000.yaml")
    (folder / "h45-directory.yaml").mkdir()
    (folder / "h46-link-to-device.yaml").symlink_to("/dev/zero")
    os.mkfifo(folder / "h47-fifo.json")
    (folder / "h48-link-to-folder.yml").symlink_to(folder)
    (folder / "h49-dangling.json").symlink_to("/nonexistent/x.json")
    hostile += [folder / f"h{n}" for n in ("40-huge.yaml", "41-fifo.yaml", "42-dangling.yaml", "43-loop.yaml",
                                           "44-link.yaml", "45-directory.yaml", "46-link-to-device.yaml",
                                           "47-fifo.json", "48-link-to-folder.yml", "49-dangling.json")]
    return hostile


def test_a_class_of_2000_with_50_hostile_files_is_graded_in_one_run(tmp_path: Path) -> None:
    hostile = build(tmp_path / "class")
    assert len(hostile) == 50
    out = io.StringIO()
    code = main(["grade", str(tmp_path / "class"), "--out", str(tmp_path / "out"), "--json"],
                console=Console(file=out, width=160, color_system=None), stdin=io.StringIO())
    text = out.getvalue()
    data = json.loads(text[:text.index("\nerror: ")] if "\nerror: " in text else text)
    assert code == 1
    students = {s["student"] for s in data["students"]}
    assert students == {f"s{i:04d}" for i in range(VALID)}
    refused = data["refused"]
    assert len(refused) == 50 and all("\n" not in line and "\x1b" not in line for line in refused)
    for path in hostile:
        shown = str(path).replace("\x1b", "\\x1b")
        assert sum(line.startswith(shown + ":") for line in refused) == 1, (path, refused)
    reports = tmp_path / "out" / "reports"
    assert len(list(reports.glob("*.md"))) == VALID and len(list(reports.glob("*.html"))) == VALID
    odd = {s["student"]: s for s in data["students"] if s["student"] in ("s0001", "s0050", "s0005")}
    assert odd["s0001"]["questions"]["in5400/task1"]["answer"].startswith("a=1; b=0x1F")
    assert any("ignored" in w and "scalar" in w for w in odd["s0050"]["warnings"])
    assert odd["s0005"]["questions"]["seqmodels/q3"]["status"] == "invalid"
