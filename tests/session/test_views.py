"""`rnnquiz review`, `history` and `stats` over sessions played through the CLI."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from grader.banks.catalog import Catalog
from grader.sessions import review, session
from grader.sessions.store import Store

from .helpers import play, squash


@pytest.fixture
def played(bank_dir: Path, db: Path) -> list[str]:
    """Two sessions of ann's: q3 missed twice with the same misconception. Returns the common options."""
    common = ["--bank-dir", str(bank_dir)]
    who = ["--db", str(db), "--student", "ann"]
    # q1 right, q2 partial, q3 misconception, q4 skipped, ex1.a misconception, ex1.b right
    assert play([*common, "take", "demo", *who], ["B", "A", "3", ":skip", "1", "A"]).code == 0
    assert play([*common, "take", "demo", "--tag", "gradients", *who], ["B", "3"]).code == 0
    return [*common, "{cmd}", *who]


def cli(played: list[str], command: str, *extra: str) -> list[str]:
    return [command if part == "{cmd}" else part for part in played] + list(extra)


def test_review_asks_misses_repeated_misconception_first(played: list[str], db: Path) -> None:
    run = play(cli(played, "review"), [":quit"])
    out = squash(run.out)
    assert run.code == 0
    due = out[out.index("Due for review"):out.index("Session #3")]
    assert [card for card in ("demo/q3", "demo/q2", "demo/q4", "demo/ex1", "demo/q1") if card in due] == \
        ["demo/q3", "demo/q2", "demo/ex1"]
    assert due.index("demo/q3") < due.index("demo/q2") < due.index("demo/ex1")
    assert "forgot-output-layer" in due and "forgot-h0" in due
    assert "Scheduled by FSRS: a miss comes back within minutes" in due
    assert "1/3 · demo/q3" in out
    assert f"saved; continue with rnnquiz review --db {db} --student ann" in out
    with Store(db) as s:
        assert s.sessions()[-1].mode == "review"
        assert s.sessions()[-1].plan == ("demo/q3", "demo/q2", "demo/ex1")


def test_review_on_a_narrow_terminal(played: list[str]) -> None:
    run = play(cli(played, "review"), [":quit"], width=40)
    assert max(len(line) for line in run.out.splitlines()) <= 40
    assert "Due for review" in run.out and "demo/q3" in run.out
    assert "forgot-output-layer" not in run.out.split("Scheduled by FSRS")[0]   # the column is left out


def test_review_limit(played: list[str]) -> None:
    run = play(cli(played, "review", "--limit", "1"), ["6"])
    assert "1/1 · demo/q3" in run.out
    assert "demo/q2" not in run.out


def test_review_until_nothing_is_due(played: list[str], db: Path) -> None:
    run = play(cli(played, "review"), ["6", "A,C", "2"])      # of ex1 only (a), missed before, is asked
    assert run.code == 0
    assert "(b) right last time; not asked again" in run.out
    assert "Nothing to review: every question right." in run.out
    again = play(cli(played, "review"), [])
    assert again.code == 0
    assert "Nothing to review for ann now; the next is due" in squash(again.out)
    with Store(db) as s:
        review_modes = [a.mode for a in s.attempts() if a.mode == "review"]
    assert len(review_modes) == 3


def test_review_with_no_attempts(bank_dir: Path, db: Path) -> None:
    run = play(["--bank-dir", str(bank_dir), "review", "--db", str(db), "--student", "new"], [])
    assert run.code == 0
    assert run.out.strip() == "Nothing to review for new now."


def test_review_limit_must_be_positive(bank_dir: Path, db: Path) -> None:
    run = play(["--bank-dir", str(bank_dir), "review", "--db", str(db), "--limit", "0"], [])
    assert run.code == 2
    assert "--limit must be at least 1" in run.out


def test_history_json(played: list[str]) -> None:
    play(cli(played, "take", "demo"), ["B", ":quit"])        # a third, unfinished session
    data = json.loads(play(cli(played, "history", "--json")).out)
    assert data["student"] == "ann"
    rows = data["sessions"]
    assert [(r["id"], r["mode"], r["banks"], r["questions"], r["answered"], r["score"]) for r in rows] == [
        (1, "practice", ["demo"], 5, 4, 2.25),     # q1 1 + q2 0.75 + q3 0 + ex1 0.5; q4 skipped
        (2, "practice", ["demo"], 2, 2, 1.0),
        (3, "practice", ["demo"], 5, 1, 1.0),
    ]
    assert rows[0]["finished_at"] and rows[2]["finished_at"] is None
    assert rows[0]["seed"] is None


def test_stats_json(played: list[str]) -> None:
    data = json.loads(play(cli(played, "stats", "--json")).out)
    topics = {t["topic"]: t for t in data["topics"]}
    assert set(topics) == {"gradients", "lstm", "forward"}    # q4 was skipped: no attempt, no topic
    assert (topics["gradients"]["items"], topics["gradients"]["attempts"], topics["gradients"]["correct"]) == (2, 4, 2)
    assert topics["gradients"]["mastery"] == 0.5              # latest: q1 right, q3 wrong
    assert topics["lstm"]["mastery"] == 0.75
    assert (topics["forward"]["items"], topics["forward"]["mastery"]) == (2, 0.5)   # ex1.a wrong, ex1.b right
    named = [(m["misconception"], m["count"], m["questions"]) for m in data["misconceptions"]]
    assert named == [("forgot-output-layer", 2, ["demo/q3"]), ("forgot-h0", 1, ["demo/ex1.a"])]


def test_stats_follow_review(played: list[str]) -> None:
    play(cli(played, "review", "--limit", "1"), ["6"])
    topics = {t["topic"]: t for t in json.loads(play(cli(played, "stats", "--json")).out)["topics"]}
    assert topics["gradients"]["mastery"] == 1.0


# (width, a detail shown only on a wide terminal, whether it is shown)
@pytest.mark.parametrize("width, wide_only", [(40, False), (100, True)])
def test_tables(played: list[str], width: int, wide_only: bool) -> None:
    history = play(cli(played, "history"), width=width)
    stats = play(cli(played, "stats"), width=width)
    for run in (history, stats):
        assert run.code == 0
        assert max(len(line) for line in run.out.splitlines()) <= width
    assert "Sessions of ann" in history.out and "2.25" in history.out and "4/5" in history.out
    assert ("finished" in history.out) is wide_only
    out = squash(stats.out)
    assert "Mastery by topic (ann)" in out and "gradients" in out and "50%" in out
    assert "Misconceptions" in out and "forgot-output-layer" in out
    assert ("demo/ex1.a" in out) is wide_only


def test_empty_history_and_stats(bank_dir: Path, db: Path) -> None:
    base = ["--bank-dir", str(bank_dir)]
    assert "No sessions yet for zed." in play([*base, "history", "--db", str(db), "--student", "zed"]).out
    assert "No attempts yet for zed." in play([*base, "stats", "--db", str(db), "--student", "zed"]).out
    assert json.loads(play([*base, "stats", "--json", "--db", str(db), "--student", "zed"]).out) == {
        "student": "zed", "topics": [], "misconceptions": []}


def test_questions_removed_from_the_banks_do_not_break_the_views(played: list[str], bank_dir: Path) -> None:
    text = (bank_dir / "demo.yaml").read_text()
    (bank_dir / "demo.yaml").write_text(text.replace("id: q3", "id: q3_renamed"))
    topics = {t["topic"] for t in json.loads(play(cli(played, "stats", "--json")).out)["topics"]}
    assert "(not in the banks)" in topics
    rows = json.loads(play(cli(played, "history", "--json")).out)["sessions"]
    assert rows[1]["score"] == 1.0
    assert play(cli(played, "review", "--limit", "1"), [":quit"]).code == 0


def test_a_success_in_review_waits_longer_than_a_miss(played: list[str], bank_dir: Path, db: Path) -> None:
    """Through the store: q3 answered right in review leaves the queue for a while; q2 (not asked) stays."""
    play(cli(played, "review", "--limit", "1"), ["6"])            # q3 right: rated Good
    catalog = Catalog.from_dir(bank_dir)
    with Store(db) as s:
        cards, _ = session.schedule(catalog, s, "ann")
    now = datetime.now(timezone.utc)
    soon = [c.id for c in review.due(cards, now)]
    assert "demo/q2" in soon and "demo/q3" not in soon
    assert "demo/q3" in [c.id for c in review.due(cards, now + timedelta(days=1))]
    by_id = {c.id: c for c in cards}
    assert by_id["demo/q3"].due > by_id["demo/q2"].due


def test_an_unfinished_review_is_continued_and_resumable_from_take(played: list[str], db: Path) -> None:
    first = play(cli(played, "review"), [":quit"])
    assert "Session #3 · review" in first.out
    listed = json.loads(play(cli(played, "history", "--json")).out)["sessions"]
    assert listed[-1]["mode"] == "review" and listed[-1]["finished_at"] is None
    again = play(cli(played, "review"), [":quit"])
    assert "Resuming session #3" in again.out or "Session #3" in again.out
    resumed = play(cli(played, "take", "--resume"), ["6"])       # what history lists unfinished, take resumes
    assert "Session #3 · review" in resumed.out and "1/3 · demo/q3" in resumed.out
