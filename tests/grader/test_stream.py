"""A class graded as a stream: --jobs, streaming, running statistics, shared randomised work."""

from __future__ import annotations

import filecmp
import io
import json
import random
import statistics
from pathlib import Path

import pytest
from rich.console import Console

from grader.batch import stream
from grader.cli import main

ROOT = Path(__file__).resolve().parents[2]
SHEET = ROOT / "examples" / "submissions" / "assignment3-sheet.yaml"


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    code = main(argv, console=Console(file=out, width=160, color_system=None))
    return code, out.getvalue()


def write_class(folder: Path) -> None:
    """Twelve students: the 004 sheet under other ids, randomised questions with their own
    seeds, some slips, and one file that is refused."""
    folder.mkdir()
    sheet = SHEET.read_text(encoding="utf-8")
    for i in range(6):
        text = sheet.replace("student:", f"student: sheet{i}\n#", 1).replace("dL/dW_h: 8", f"dL/dW_h: {8 + i % 3}")
        (folder / f"a{i}.yaml").write_text(text, encoding="utf-8")
    for i in range(5):
        (folder / f"b{i}.yaml").write_text(
            f"student: r{i}\nseed: {i}\nquestions: [practice/bptt, practice/vanishing]\n"
            f"answers: {{practice/bptt.a: {i}, practice/bptt.b: 10, practice/vanishing.a: {'AB'[i % 2]}}}\n"
            f"notes: seed {i}\n", encoding="utf-8")
    (folder / "c.yaml").write_text("student: [not, an, id]\nanswers: {}\n", encoding="utf-8")


@pytest.mark.parametrize("window", [stream.WINDOW, 1], ids=["one round", "rounds of two files, two in flight"])
def test_jobs_2_writes_byte_identical_outputs_to_jobs_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       window: int) -> None:
    monkeypatch.setattr(stream, "WINDOW", window)
    write_class(tmp_path / "class")
    outputs = []
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}"
        code, text = run(["grade", str(tmp_path / "class"), "--out", str(out), "--stats", "--jobs", str(jobs)])
        assert code == 1 and "11 submissions" in text  # the refused file is reported, the rest graded
        outputs.append((out, text.replace(str(out), "OUT")))
    (one, text1), (two, text2) = outputs
    assert text1 == text2
    names = sorted(p.relative_to(one).as_posix() for p in one.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(two).as_posix() for p in two.rglob("*") if p.is_file())
    assert "gradebook.csv" in names and "item-stats.json" in names and "reports/r4.md" in names
    _, mismatch, errors = filecmp.cmpfiles(one, two, names, shallow=False)
    assert mismatch == [] and errors == []
    # The JSON gradebook lists students in file order, whatever worker finished first.
    order = [s["student"] for s in json.loads((one / "gradebook.json").read_text(encoding="utf-8"))["students"]]
    assert order == [f"sheet{i}" for i in range(6)] + [f"r{i}" for i in range(5)]


def test_jobs_must_be_a_positive_number(tmp_path: Path) -> None:
    code, _ = run(["grade", str(SHEET), "--jobs", "0"])
    assert code == 2


def test_files_are_read_one_at_a_time(tmp_path: Path) -> None:
    """The stream reads a file only when its row is wanted: nothing is read ahead and kept."""
    from grader.banks.catalog import Catalog
    from grader.batch import grading, stream, submissions

    paths = [tmp_path / f"s{i}.yaml" for i in range(3)]
    for i, path in enumerate(paths):
        path.write_text(f"student: s{i}\nanswers: {{nptel/q7: B}}\n", encoding="utf-8")
    rows = stream.run(submissions.discover([str(tmp_path)]), stream.Batch(Catalog.from_dir(), {}), jobs=1)
    first = next(rows)
    paths[2].unlink()  # gone before its turn: it must be refused, not remembered
    rest = list(rows)
    assert isinstance(first, stream.Row) and first.student == "s0"
    assert isinstance(rest[0], stream.Row) and isinstance(rest[1], grading.Refused) and "s2.yaml" in rest[1].line


def test_running_statistics_equal_the_formulas_on_the_whole_class() -> None:
    from grader.batch.itemstats import Tally, _group_mean
    from grader.banks.catalog import Catalog

    rng = random.Random(3)
    scores = [rng.choice([0.0, 0.5, 1.0]) for _ in range(500)]
    rests = [round(rng.uniform(0, 40) + 10 * s, 2) for s in scores]
    tally = Tally()
    for score, rest in zip(scores, rests):
        tally.add([("nptel/q7", score, rest, None if score == 1 else "A", None)])
    stats = tally.result(Catalog.from_dir()).items[0]
    assert stats.n == 500 and stats.facility == pytest.approx(statistics.fmean(scores), abs=1e-12)
    assert stats.discrimination == pytest.approx(statistics.correlation(scores, rests), abs=1e-9)
    size = round(0.27 * 500)
    ranked = sorted(zip(rests, scores))
    ties = len(rests) - len(set(rests))
    expected = statistics.fmean(s for _, s in ranked[-size:]) - statistics.fmean(s for _, s in ranked[:size])
    # Ties on the rest score are shared by their group, so only they can move the index.
    assert stats.upper_lower == pytest.approx(expected, abs=ties / size + 1e-12)
    # The best four: a pair scoring 1.0 in all, then two of a tied four (1.0 in all) at their mean 0.25.
    assert _group_mean([[2, 1.0], [4, 1.0]], 4) == pytest.approx((1.0 + 2 * 0.25) / 4)
    assert stats.wrong_answers == (("A", scores.count(0.0) + scores.count(0.5)),)


def test_wrong_answer_counts_are_bounded_and_keep_the_common_ones() -> None:
    from grader.batch.itemstats import WRONG_KEPT, Tally
    from grader.banks.catalog import Catalog

    tally = Tally()
    for i in range(3 * WRONG_KEPT):
        tally.add([("nptel/q7", 0.0, float(i % 7), "B" if i % 3 == 0 else f"typo {i}", None)])
    assert len(tally._items["nptel/q7"].wrong) <= WRONG_KEPT
    assert tally.result(Catalog.from_dir()).items[0].wrong_answers[0] == ("B", WRONG_KEPT)


def test_randomised_class_gets_the_verdicts_of_students_graded_alone() -> None:
    """Dependency graphs shared by problems of one structure, and draws shared by seeds that
    draw the same numbers, must give each student what grading them alone gives."""
    from grader.banks.catalog import Catalog
    from grader.batch.submissions import Submission
    from grader.marking import keys, solutions, variants
    from tests.grader.test_randomised_class import together_and_alone

    catalog = Catalog.from_dir()
    bptt, vanishing = catalog.question("practice/bptt"), catalog.question("practice/vanishing")
    students = []
    for seed in range(24):
        concrete = variants.instantiate(bptt, seed)
        truth = solutions.solution(concrete.solver, concrete.params)
        slip = truth["yhat2"] + (seed % 3)  # 0: all right; else ŷ₂ off by 1 or 2, carried into later parts
        carried = solutions.solution(concrete.solver, concrete.params, {"yhat2": slip})
        answers = {f"practice/bptt.{p.part}": repr(float(carried[p.quantity])) for p in concrete.parts}
        if seed % 4 == 1:
            answers["practice/bptt.c"] = "1"  # a part wrong on its own
        drawn = variants.instantiate(vanishing, seed)
        key = keys.expected(drawn)
        answers["practice/vanishing.a"] = key["a"] if seed % 2 else "C"
        answers["practice/vanishing.b"] = repr(float(key["b"]) * (1 if seed % 3 else 2))
        students.append(Submission(f"r{seed}", f"r{seed}.yaml", answers, {}, None,
                                   ("practice/bptt", "practice/vanishing"), seed))
    together, alone = together_and_alone(catalog, students)
    assert together == alone
    credit = [part.get("followthrough") for g in together
              for part in g["questions"]["practice/bptt"]["parts"].values()]
    assert any(credit)  # the carried slips did earn follow-through credit


@pytest.mark.parametrize("text, fragment", [
    ('{"student": "a", "student": "b", "answers": {}}', "duplicate key 'student'"),
    ('{"student": "a", "answers": {', "line 1"),
    ('{"student": "a", "answers": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested"),
    ('{"student": "a", "answers": {"nptel/q7": NaN}}', "not a finite number"),
])
def test_json_submissions_are_read_by_the_json_decoder_and_refused_in_one_line(tmp_path: Path, text: str,
                                                                                fragment: str) -> None:
    from grader.batch import submissions

    path = tmp_path / "s.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(submissions.SubmissionError) as caught:
        submissions.load(submissions.Found(path, named=True))
    assert fragment in str(caught.value) and str(caught.value).count("\n") == 0


def test_json_and_yaml_submissions_read_alike(tmp_path: Path) -> None:
    import yaml

    from grader.batch import submissions

    data = {"student": "s1", "seed": 3, "answers": {"nptel/q7": "B", "in5400/task1.a": 6, "hse/q1": 2.5,
                                                    "seqmodels/q3": ["B", "D"]},
            "work": {"in5400/task1": {"yhat1": 2, "h1": "1e3"}}}
    (tmp_path / "s.json").write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    a, b = (submissions.load(submissions.Found(tmp_path / name, named=True)) for name in ("s.json", "s.yaml"))
    assert (a.student, a.seed, a.answers, a.work) == (b.student, b.seed, b.answers, b.work)


def drafts(out: Path) -> list[str]:
    return sorted(p.name for p in (out / "reports").glob(".draft-*"))


def test_an_interrupted_grade_leaves_no_drafts_and_the_next_run_sweeps_old_ones(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.batch.writer import ClassWriter

    write_class(tmp_path / "class")
    out = tmp_path / "out"
    (out / "reports").mkdir(parents=True)
    (out / "reports" / ".draft-1-0.md").write_text("left by a killed run", encoding="utf-8")
    added = ClassWriter.add

    def add_then_interrupt(self: ClassWriter, row: object) -> None:
        if self.reports == 2:  # the third admitted student's drafts are written, not yet named
            assert drafts(out)
            raise KeyboardInterrupt
        added(self, row)

    monkeypatch.setattr(ClassWriter, "add", add_then_interrupt)
    code, _ = run(["grade", str(tmp_path / "class"), "--out", str(out), "--jobs", "1"])
    assert code != 0 and drafts(out) == []
    assert sorted(p.name for p in (out / "reports").iterdir()) == ["sheet0.html", "sheet0.md", "sheet1.html", "sheet1.md"]
