"""`rnnquiz grade`: gradebook, reports, overrides, statistics and hostile submission files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from grader.cli import main

ROOT = Path(__file__).resolve().parents[2]
SHEET = ROOT / "examples" / "submissions" / "assignment3-sheet.yaml"


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    console = Console(file=out, width=160, color_system=None)
    code = main(argv, console=console)
    return code, out.getvalue(), err.getvalue()


def grade_json(*argv: str) -> tuple[int, dict]:
    code, out, _ = run(["grade", *argv, "--json"])
    return code, json.loads(out)


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_the_004_sheet_report(tmp_path: Path) -> None:
    code, data = grade_json(str(SHEET), "--out", str(tmp_path))
    assert code == 0
    [student] = data["students"]
    parts = student["questions"]["in5400/task1"]["parts"]
    assert parts["a"]["status"] == "correct"
    assert parts["b"]["status"] == "incorrect" and parts["b"]["misconception"] == "output-uses-W_h"
    assert "ŷ₁ = W_h·h₁ = 2 where W_y·h₁ = 4" in parts["b"]["feedback"]
    assert parts["c"]["status"] == "partial" and parts["c"]["followthrough"]
    assert parts["d"]["status"] == "incorrect" and "would be 0" in parts["d"]["feedback"]
    assert "∂L₂/∂W_h" in parts["d"]["feedback"]
    text = student["questions"]["in5400/task2b"]
    assert text["needs_review"] and text["status"] in ("correct", "partial", "incorrect")
    report = (tmp_path / "reports" / "assignment3-sheet.md").read_text(encoding="utf-8")
    assert "in5400/task1.c" in report and "follow-through credit" in report
    assert "flagged for review" in report


@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_expected_report_in_examples_is_current(tmp_path: Path, suffix: str) -> None:
    run(["grade", str(SHEET), "--out", str(tmp_path)])
    produced = (tmp_path / "reports" / f"assignment3-sheet{suffix}").read_text(encoding="utf-8")
    expected = (ROOT / "examples" / "expected" / f"assignment3-sheet{suffix}").read_text(encoding="utf-8")
    assert produced.replace(str(SHEET), "SHEET") == expected.replace("examples/submissions/assignment3-sheet.yaml",
                                                                     "SHEET")


def test_the_report_teaches(tmp_path: Path) -> None:
    # Question texts, the whole answer, keys, explanations and worked steps, not just a verdict.
    run(["grade", str(SHEET), "--out", str(tmp_path)])
    report = (tmp_path / "reports" / "assignment3-sheet.md").read_text(encoding="utf-8")
    assert "Compute the derivative of the total loss with respect to W_h, ∂L/∂W_h." in report
    assert "Key: 8" in report and "Model answer: Advantages: it reduces the memory requirements" in report
    assert "∂L/∂W_h = ∂L₁/∂W_h + ∂L₂/∂W_h = −4 + 12 = 8" in report  # the worked steps of (d)
    assert "ŷ₁ = 2 (given)" in report  # (c) worked with the student's carried value
    assert "Disadv: high computational cost for single parameter update." in report  # written answers whole
    assert "## in5400/task2c: ◐ partial, 0.25 / 1" in report and "## assignment3/q5: 4.83 / 8" in report
    assert "hence h_0 has no impact on y_n (vanishing gradients) (short memory)." in report


def test_gradebook_columns(tmp_path: Path) -> None:
    other = write(tmp_path, "s2.yaml", "student: s2\nanswers: {nptel/q7: B, hse/q1: B, in5400/task1.a: 6}\n")
    code, _, _ = run(["grade", str(SHEET), str(other), "--out", str(tmp_path / "out")])
    assert code == 0
    rows = list(csv.reader((tmp_path / "out" / "gradebook.csv").open(encoding="utf-8")))
    header = rows[0]
    assert header[:3] == ["student", "file", "seed"] and header[-3:] == ["total", "max", "percent"]
    assert {"in5400/task1", "nptel/q7", "hse/q1", "assignment3/q5"} <= set(header)
    maxima = dict(zip(header, rows[1]))
    assert maxima["student"] == "Points Possible" and maxima["in5400/task1"] == "4" and maxima["percent"] == "100"
    by_student = {row[0]: dict(zip(header, row)) for row in rows[2:]}
    assert by_student["s2"]["nptel/q7"] == "1" and by_student["s2"]["hse/q1"] == "0"
    assert by_student["s2"]["in5400/task2b"] == ""
    assert float(by_student["s2"]["total"]) == pytest.approx(1 + 0 + 1)
    book = json.loads((tmp_path / "out" / "gradebook.json").read_text(encoding="utf-8"))
    assert book["columns"] == header[3:-3]


def test_overrides_are_kept_on_regrade(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(["grade", str(SHEET), "--out", str(out)])
    queue = json.loads((out / "review-queue.json").read_text(encoding="utf-8"))
    assert "in5400/task2d" in queue["students"]["assignment3-sheet"]
    overrides = write(tmp_path, "overrides.yaml",
                      "assignment3-sheet:\n  in5400/task2d: {score: 0.5, comment: describes full BPTT}\n"
                      "  assignment3/q5.a: 1\n")
    for _ in range(2):  # re-grading applies the same file again
        code, data = grade_json(str(SHEET), "--overrides", str(overrides))
        assert code == 0
        questions = data["students"][0]["questions"]
        assert questions["in5400/task2d"]["score"] == 0.5
        assert questions["in5400/task2d"]["method"] == "instructor override"
        assert "needs_review" not in questions["in5400/task2d"]
        assert questions["assignment3/q5"]["parts"]["a"]["score"] == 1.0


@pytest.mark.parametrize("bad", ["{student: x}", "student: x\nin5400/task2d: 2\n", "x: {q: 1.5}\n"])
def test_bad_overrides_file(tmp_path: Path, bad: str) -> None:
    overrides = write(tmp_path, "o.yaml", bad if ":" in bad.split("\n")[0] else bad)
    code, _, _ = run(["grade", str(SHEET), "--overrides", str(overrides)])
    assert code == 2


def test_item_statistics(tmp_path: Path) -> None:
    files = [write(tmp_path, f"s{i}.yaml", f"student: s{i}\nanswers: {{nptel/q7: {letter}, hse/q1: {first}}}\n")
             for i, (letter, first) in enumerate([("B", "A"), ("B", "A"), ("D", "A"), ("D", "B"), ("A", "B")])]
    code, data = grade_json(*map(str, files), "--stats")
    assert code == 0
    items = {s["item"]: s for s in data["stats"]["items"]}
    assert items["nptel/q7"]["facility"] == pytest.approx(0.4)
    assert items["hse/q1"]["facility"] == pytest.approx(0.6)
    assert items["nptel/q7"]["misconceptions"][0] == {"id": "gate-count", "count": 2}
    assert items["nptel/q7"]["discrimination"] is not None
    code, out, _ = run(["grade", *map(str, files), "--stats"])
    assert "Item statistics" in out and "Facility by item" in out


HOSTILE = [
    ("alias bomb", "a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b]\nstudent: s\nanswers: {q: *c}\n",
     "aliases"),
    ("python tag", "student: !!python/object/apply:os.system ['touch {marker}']\nanswers: {}\n", "refused"),
    ("not a mapping", "- a\n- b\n", "mapping"),
    ("nested answer", "student: s\nanswers: {nptel/q7: {x: 1}}\n", "answer to nptel/q7"),
    ("bad student id", "student: '../../etc/passwd'\nanswers: {}\n", "'student'"),
    ("deep nesting", "student: s\nanswers: " + "[" * 200 + "]" * 200 + "\n", "nested"),
    ("syntax error", "student: s\nanswers: {nptel/q7: [\n", "YAML"),
    ("unknown field", "student: s\nanswers: {}\nexec: rm -rf /\n", "unknown field"),
    ("scalar alias", "student: &n s\nanswers: {nptel/q7: B}\nnotes: *n\n", "aliases"),
    ("duplicate answer", "student: s\nanswers:\n  nptel/q7: B\n  nptel/q7: A\n", "duplicate key 'nptel/q7'"),
    ("duplicate student key", "student: s\nstudent: t\nanswers: {nptel/q7: B}\n", "duplicate key 'student'"),
    ("duplicate JSON key", '{"student": "s", "student": "t", "answers": {}}', "duplicate key 'student'"),
    ("trailing newline in id", 'student: "s1\\n"\nanswers: {nptel/q7: B}\n', "'student'"),
    ("unknown bank", "student: s\nbank: nosuchbank\nanswers: {nptel/q7: B}\n", "unknown bank 'nosuchbank'"),
    ("bank path", "student: s\nbank: ../../etc/passwd\nanswers: {nptel/q7: B}\n", "unknown bank"),
    ("ragged work", "student: s\nanswers: {in5400/task1.a: 7}\nwork: {in5400/task1: {h1: [[1, 2], [3]]}}\n",
     "rows of equal length"),
    ("draws not a mapping", "student: s\nseed: 1\ndraws: [1, 2]\nanswers: {nptel/q7: B}\n", "'draws' maps"),
    ("drawn value a formula", "student: s\nseed: 1\ndraws: {practice/bptt: {h0: '__import__(os)'}}\n"
     "answers: {nptel/q7: B}\n", "'draws' maps"),
    ("drawn value a list", "student: s\nseed: 1\ndraws: {practice/bptt: {h0: [1, 2]}}\nanswers: {nptel/q7: B}\n",
     "'draws' maps"),
]


@pytest.mark.parametrize("name, text, fragment", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_submission_is_refused_and_others_graded(tmp_path: Path, name: str, text: str, fragment: str) -> None:
    marker = tmp_path / "pwned"
    bad = write(tmp_path, "bad.yaml", text.replace("{marker}", str(marker)))
    code, data = grade_json(str(bad), str(SHEET))
    assert code == 1  # some refused, the others graded
    assert [s["student"] for s in data["students"]] == ["assignment3-sheet"]
    [message] = data["refused"]
    assert fragment in message and str(bad) in message and "\n" not in message
    assert not marker.exists()


def test_a_lone_surrogate_escape_in_json_is_refused_saying_what_to_write(tmp_path: Path) -> None:
    # json.loads turns "\\udc00" into a string no report or gradebook can be written in UTF-8
    lone = write(tmp_path, "lone.json", '{"student": "s", "answers": {"nptel/q7": "B\\udc00"}}')
    # a pair is one character, and an escaped backslash before "ud800" is not an escape at all
    paired = write(tmp_path, "paired.json", '{"student": "t", "answers": {"nptel/q7": "B", '
                                            '"in5400/task2c": "gradients vanish \\ud83d\\ude00 \\\\ud800"}}')
    code, data = grade_json(str(lone), str(paired), "--out", str(tmp_path / "out"))
    assert code == 1
    assert [s["student"] for s in data["students"]] == ["t"]
    [message] = data["refused"]
    assert "lone.json" in message and "not half of a pair" in message and "internal error" not in message
    assert "\\ud800" in (tmp_path / "out" / "gradebook.json").read_text(encoding="utf-8")


def test_oversized_and_binary_files_are_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:  # sparse: 100 MB on paper, nothing on disk
        handle.truncate(100 * 1024 * 1024)
    binary = write(tmp_path, "bin.json", b"\x89PNG\r\n\x1a\n\x00\x00\xff")
    code, data = grade_json(str(big), str(binary), str(SHEET))
    assert code == 1
    assert len(data["refused"]) == 2 and "limited to" in data["refused"][0]
    assert len(data["students"]) == 1


def test_directory_of_submissions_and_json_format(tmp_path: Path) -> None:
    write(tmp_path, "a.json", json.dumps({"student": "a1", "answers": {"seqmodels/q3": ["B", "D"]}}))
    write(tmp_path, "b.yml", "student: b2\nanswers: {seqmodels/q3: [B]}\n")
    write(tmp_path, "ignored.txt", "not a submission")
    code, data = grade_json(str(tmp_path))
    assert code == 0
    scores = {s["student"]: s["questions"]["seqmodels/q3"]["score"] for s in data["students"]}
    assert scores["a1"] == 1.0 and 0 < scores["b2"] < 1


def test_unknown_question_ids_are_warned_not_fatal(tmp_path: Path) -> None:
    sub = write(tmp_path, "s.yaml", "student: s\nanswers: {nptel/q7: B, nptel/q99: A, nosuch/q1: A}\n")
    code, data = grade_json(str(sub))
    assert code == 0
    [student] = data["students"]
    assert list(student["questions"]) == ["nptel/q7"]
    assert len(student["warnings"]) == 2


def test_csv_cells_cannot_become_formulas(tmp_path: Path) -> None:
    sub = write(tmp_path, "s.yaml", "student: '+cmd'\nanswers: {nptel/q7: B}\n")
    run(["grade", str(sub), "--out", str(tmp_path / "out")])
    for name, row in (("gradebook.csv", 2), ("moodle.csv", 1), ("canvas.csv", 2)):
        rows = list(csv.reader((tmp_path / "out" / name).open(encoding="utf-8")))
        assert rows[row][0] == "'+cmd", name


def test_a_batch_tunes_the_garbage_collector_and_restores_it() -> None:
    import gc

    from grader.batch import gradebook

    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    with pytest.raises(RuntimeError):
        with gradebook.batch():
            assert gc.isenabled() and gc.get_threshold()[0] == gradebook.YOUNG_OBJECTS
            assert gc.get_freeze_count() > frozen  # what existed before is out of the batch's scans
            raise RuntimeError("a failing batch must not leave the collector tuned")
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen


def test_grading_files_makes_no_reference_cycles_for_the_batch_collector(tmp_path: Path) -> None:
    """A batch runs the cyclic collector only every YOUNG_OBJECTS allocations, which is safe
    while grading a file leaves no cycles behind: a class five times as large (randomised,
    refused, JSON and written-answer files among them) must leave no more cyclic garbage than
    the class itself (what `grade` leaves once, its argument parser's, is the same for both)."""
    import collections
    import gc
    import io
    import shutil

    from rich.console import Console

    from grader.cli import main
    from tests.grader.test_stream_outputs import write_class

    folder = tmp_path / "class"
    rules = write_class(folder)
    bigger = tmp_path / "bigger"
    shutil.copytree(folder, bigger)
    for copy in range(1, 5):
        for path in sorted(folder.iterdir()):
            (bigger / f"{copy}{path.name}").write_bytes(path.read_bytes())

    def cyclic(where: Path) -> collections.Counter:
        gc.collect()
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.disable()
        try:
            main(["grade", str(where), "--out", str(tmp_path / f"out-{where.name}"), "--stats", "--jobs", "1",
                  "--overrides", str(rules)], console=Console(file=io.StringIO()))
            gc.collect()
            return collections.Counter(type(o).__name__ for o in gc.garbage)
        finally:
            gc.garbage.clear()
            gc.set_debug(0)
            gc.enable()

    cyclic(folder)  # one-off work (banks, solvers' per-shape structures) is not a file's
    once, five_times = cyclic(folder), cyclic(bigger)
    assert len(list(bigger.iterdir())) == 5 * len(list(folder.iterdir()))
    assert sum(five_times.values()) <= sum(once.values()), five_times - once


def test_a_class_repeating_answers_gets_the_verdicts_of_students_graded_alone(tmp_path: Path) -> None:
    """Verdicts and part values are remembered across a batch; a remembered one must be what
    grading that student on their own gives."""
    from grader.batch import gradebook
    from grader.marking import memo
    from grader.banks.catalog import Catalog
    from grader.batch.submissions import Submission

    catalog = Catalog.from_dir()
    sheets = [
        {"in5400/task1.a": "6", "in5400/task1.b": "10", "in5400/task1.c": "-8", "in5400/task1.d": "-4"},
        {"in5400/task1.a": "7", "in5400/task1.b": "10", "in5400/task1.c": "-8", "in5400/task1.d": "-4"},
        {"in5400/task1.a": "6", "in5400/task1.b": "10", "in5400/task1.c": "-8", "in5400/task1.d": "0"},
        {"in5400/task1.a": "6.0", "in5400/task1.b": "20/2", "in5400/task1.c": "-8", "in5400/task1.d": "-4"},
        {"nptel/q7": "B", "in5400/task1.a": "6"},
    ]
    students = [Submission(f"s{i}", f"s{i}.yaml", answers, {}, None, ("in5400/task1", "nptel/q7"))
                for i, answers in enumerate(sheets)]
    with gradebook.batch():
        together = [gradebook.grade_submission(catalog, s).to_json() for s in students * 2]
    alone = []
    for s in students * 2:
        memo.clear_all()
        alone.append(gradebook.grade_submission(catalog, s).to_json())
    assert together == alone
    assert together[0]["questions"]["in5400/task1"] != together[1]["questions"]["in5400/task1"]


def test_a_large_batch_prints_a_summary_and_full_reports_on_request(tmp_path: Path) -> None:
    from grader.cli.instruct import FULL_REPORTS_UP_TO

    folder = tmp_path / "class"
    folder.mkdir()
    for i in range(FULL_REPORTS_UP_TO + 1):
        write(folder, f"s{i}.yaml", f"student: s{i}\nanswers: {{nptel/q7: {'B' if i % 2 else 'A'}, hse/q2: x}}\n")
    code, out, _ = run(["grade", str(folder), "--out", str(tmp_path / "out")])
    assert code == 0 and f"{FULL_REPORTS_UP_TO + 1} submissions" in out
    assert "feedback" not in out  # the full reports' column
    assert f"full report is in {tmp_path / 'out' / 'reports'}; --full prints them here" in out
    assert f"wrote {FULL_REPORTS_UP_TO + 1} student reports (Markdown and HTML) in {tmp_path / 'out' / 'reports'}" in out
    assert len(list((tmp_path / "out" / "reports").glob("*.md"))) == FULL_REPORTS_UP_TO + 1
    rows = [line for line in out.splitlines() if " s1 " in line or "│ s1 " in line]
    assert rows and "1 / 2" in rows[0]  # B on nptel/q7 is right, x on hse/q2 is not
    code, out, _ = run(["grade", str(folder), "--full"])
    assert code == 0 and out.count("feedback") == FULL_REPORTS_UP_TO + 1
    assert "written with --out DIR" not in out


def test_shown_work_may_be_numeric_text_and_must_be_finite(tmp_path: Path) -> None:
    # YAML reads 8e0 as a number but 1e3 and −4 as text: both are numbers to a student.
    sheet = ("student: w1\nanswers: {in5400/task1.a: '6', in5400/task1.b: '10', in5400/task1.c: '-8'}\n"
             "work: {in5400/task1: {yhat1: '2', h1: '2', dL2/dW_h: 8e0}}\n")
    code, data = grade_json(str(write(tmp_path, "w1.yaml", sheet)))
    assert code == 0 and data["students"][0]["questions"]["in5400/task1"]["parts"]["c"]["followthrough"]
    for value, message in (("nan", "is not a finite number"), ("0x1F", "must be a number"), ("abc", "must be a number (like 2, -4.5 or 1e3)"),
                           ("{a: 1}", "must be a number")):
        bad = write(tmp_path, "bad.yaml", f"student: w2\nanswers: {{nptel/q7: B}}\nwork: {{in5400/task1: {{h1: {value}}}}}\n")
        code, out, _ = run(["grade", str(bad), "--json"])
        assert code == 2 and message in json.loads(out)["refused"][0]


def test_a_huge_carried_value_is_graded_without_numpy_warnings(tmp_path: Path) -> None:
    import warnings

    sheet = ("student: w3\nanswers: {in5400/task1.a: '1e300', in5400/task1.b: '1e300', in5400/task1.c: '-1e300'}\n"
             "work: {in5400/task1: {h1: '1e200'}}\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow warning would reach the instructor's terminal
        code, data = grade_json(str(write(tmp_path, "w3.yaml", sheet)))
    parts = data["students"][0]["questions"]["in5400/task1"]["parts"]
    assert code == 0 and all(parts[p]["status"] == "incorrect" for p in "abc")


@pytest.mark.parametrize("width", [40, 80, 160])
def test_the_terminal_report_fits_the_terminal(width: int) -> None:
    out = io.StringIO()
    code = main(["grade", str(SHEET)], console=Console(file=out, width=width, color_system=None))
    lines = out.getvalue().splitlines()
    assert code == 0 and all(len(line) <= width for line in lines)
    text = " ".join(" ".join(lines).split())
    assert "assignment3-sheet: 7.83 / 15" in text and "Correct given your ŷ₁ = 2" in text
    assert ("┃ feedback" in out.getvalue()) == (width >= 100)  # a table only where the feedback has room
    if width < 100:
        assert "(c) ◐ partial score 0.75" in text and "in5400/task2d ✗ incorrect" in text


def test_written_files_are_listed_even_in_an_out_folder_named_reports(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    code, text, _ = run(["grade", str(SHEET), "--out", str(out)])
    assert code == 0 and f"wrote {out / 'gradebook.csv'}" in text
    assert f"wrote assignment3-sheet.md and assignment3-sheet.html in {out / 'reports'}" in text
