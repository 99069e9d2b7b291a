"""`rnnquiz history --submission`: a session written as a submission file, graded on the numbers it drew."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import yaml

from grader.banks.catalog import Catalog
from grader.batch import submissions
from grader.batch.gradebook import grade_submission
from grader.marking import variants
from grader.sessions.store import Store

from .helpers import play

CATALOG = Catalog.from_dir()


def _exported(tmp_path: Path, lines: list[str]) -> tuple[Path, Path]:
    db = tmp_path / "attempts.db"
    who = ["--db", str(db), "--student", "zed"]
    assert play(["take", "practice", "--tag", "bptt", *who], lines).code == 0
    out = tmp_path / "zed.yaml"
    run = play(["history", *who, "--submission", "1", "--out", str(out)])
    assert run.code == 0 and str(out) in run.out
    return db, out


def _load(path: Path) -> submissions.Submission:
    return submissions.load(submissions.Found(path, named=True))


def seed_only(sheet: submissions.Submission) -> submissions.Submission:
    """The same file without its recorded draws: the grader draws the variant from the seed."""
    return replace(sheet, draws={})


def test_an_exported_session_is_graded_on_the_numbers_it_drew(tmp_path: Path) -> None:
    # bptt: (a) wrong twice, (b) right or wrong; then quit
    db, path = _exported(tmp_path, ["6", "5", "4", "3", ":quit"])
    with Store(db) as store:
        attempts = store.attempts(student="zed")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    drawn = next(a.variant_params for a in attempts if a.variant_params)
    assert data["draws"]["practice/bptt"] == {name: variants.show(v) for name, v in drawn.items()}
    assert int(data["seed"]) == attempts[0].variant_seed == variants.seed_for_student("zed")
    latest = {a.question_id: a.answer for a in attempts}
    assert data["answers"] == latest and len(latest) < len(attempts)  # the last try at each item, not every try

    sheet = _load(path)
    graded = grade_submission(CATALOG, sheet)
    again = grade_submission(CATALOG, seed_only(sheet))
    assert graded.warnings == () and graded.to_json() == again.to_json()
    verdict = graded.results[0].verdict
    by_item = {a.question_id: a.status for a in attempts}  # the session's verdict of each last try
    assert {f"practice/bptt.{pid}": v.status for pid, v in verdict.parts if f"practice/bptt.{pid}" in by_item} \
        == by_item


def test_draws_that_are_not_the_seeds_are_graded_on_the_seed_with_a_warning(tmp_path: Path) -> None:
    _, path = _exported(tmp_path, ["1", "2", ":quit"])
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    drawn = data["draws"]["practice/bptt"]
    drawn["y1"] = "11" if drawn["y1"] != "11" else "12"  # outside the range the template draws from
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    sheet = _load(path)
    graded = grade_submission(CATALOG, sheet)
    assert any("draws for practice/bptt are not a valid draw of seed" in w for w in graded.warnings)
    assert graded.results == grade_submission(CATALOG, seed_only(sheet)).results


def test_exporting_someone_elses_session_is_refused(tmp_path: Path) -> None:
    db, _ = _exported(tmp_path, [":quit"])
    run = play(["history", "--db", str(db), "--student", "amy", "--submission", "1"])
    assert run.code == 2 and "session 1 is zed's, not amy's" in run.out
    assert "no session 9" in play(["history", "--db", str(db), "--student", "zed", "--submission", "9"]).out


def test_draws_for_a_question_that_draws_nothing_are_named_and_ignored(tmp_path: Path) -> None:
    _, path = _exported(tmp_path, ["1", ":quit"])
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["draws"]["practice/output_grad_formula"] = {"n": "3"}  # in scope, not randomised
    data["draws"]["nosuch/q1"] = {"n": "3"}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    graded = grade_submission(CATALOG, _load(path))
    assert sorted(w for w in graded.warnings if w.startswith("draws for")) == [
        "draws for 'nosuch/q1' ignored: not a randomised question of this submission",
        "draws for 'practice/output_grad_formula' ignored: not a randomised question of this submission"]
    assert graded.results == grade_submission(CATALOG, seed_only(_load(path))).results


def test_the_export_never_overwrites_and_says_what_to_type(tmp_path: Path) -> None:
    db, path = _exported(tmp_path, [":quit"])
    before = path.read_text(encoding="utf-8")
    who = ["--db", str(db), "--student", "zed"]
    again = play(["history", *who, "--submission", "1", "--out", str(path)])
    assert again.code == 2 and "exists; give --out a new file name" in again.out
    assert path.read_text(encoding="utf-8") == before
    lonely = play(["history", *who, "--out", str(tmp_path / "new.yaml")])
    assert lonely.code == 2 and "add --submission" in lonely.out and not (tmp_path / "new.yaml").exists()
