"""Whole sessions played through `grader.cli.main` with injected input and a plain console."""

from __future__ import annotations

import io
import json
import re
import sqlite3
from pathlib import Path

import pytest
from rich.console import Console

from grader import cli
from grader.sessions import history, session
from grader.marking import keys, kinds
from grader.banks.catalog import Catalog
from grader.sessions.store import Store

from .helpers import play, squash


def take(bank_dir: Path, db: Path, *extra: str) -> list[str]:
    return ["--bank-dir", str(bank_dir), "take", *extra, "--db", str(db), "--student", "ann"]


def attempts(db: Path) -> list[tuple[str, str, str]]:
    with Store(db) as s:
        return [(a.question_id, a.answer, a.status) for a in s.attempts()]


def test_practice_session(bank_dir: Path, db: Path) -> None:
    run = play(take(bank_dir, db, "demo"), [
        "zz",            # q1: invalid, asked again
        ":hint", ":hint", ":hint",
        "b",             # q1: right, by lower-case letter
        "a c",           # q2: right, multi-select with spaces
        "3",             # q3: wrong, a named misconception
        ":skip",         # q4
        "2", "A",        # ex1: parts a and b
    ])
    out = squash(run.out)
    assert run.code == 0
    assert "1/5 · demo/q1 · gradients" in out and "5/5 · demo/ex1 · forward" in out
    assert "A) Dropout" in out and "B) Gradient clipping" in out
    assert "? could not read that: 'zz' is not one of the options" in out
    assert "No attempt used; try again." in out
    assert "Hint 1/2: Think of rescaling." in out and "Hint 2/2: It has a threshold." in out
    assert "No more hints for this question." in out
    assert "✓ correct score 1.00 read as: B: Gradient clipping" in out
    assert "Why: Clipping rescales the gradient" in out
    assert "read as: A, C" in out
    assert "✗ incorrect score 0.00 read as: 3 That is h2; the output layer multiplies by W_y." in out
    assert "likely misconception: forgot-output-layer" in out
    assert "skipped" in out
    # Invalid input and the skip are not attempts; every graded answer is.
    assert attempts(db) == [("demo/q1", "b", "correct"), ("demo/q2", "a c", "correct"),
                            ("demo/q3", "3", "incorrect"), ("demo/ex1.a", "2", "correct"),
                            ("demo/ex1.b", "A", "correct")]
    with Store(db) as s:
        (row,) = s.sessions()
    assert row.finished and row.position == 5 and row.mode == "practice"


def summary_rows(out: str) -> dict[str, list[str]]:
    """Table rows of the summary, by their first cell (ruled tables, or narrow ones without rules)."""
    rows = {}
    for line in out[out.index("Score per question"):out.index("Total ")].splitlines():
        if "│" in line:
            cells = [c.strip() for c in line.strip().strip("│┃").split("│")]
        else:
            cells = re.split(r"\s{2,}", line.strip())
        if len(cells) > 1:
            rows[cells[0]] = cells[1:]
    return rows


def test_summary_table(bank_dir: Path, db: Path) -> None:
    run = play(take(bank_dir, db, "demo"), ["B", "A", "3", ":skip", "1", "A"])
    rows = summary_rows(run.out)
    assert rows["demo/q1"] == ["gradients", "✓ correct", "1.00"]
    assert rows["demo/q2"] == ["lstm", "◐ partial", "0.75"]          # per_option: 3 of 4 judged right
    assert rows["demo/q3"] == ["gradients", "✗ incorrect", "0.00"]
    assert rows["demo/q4"] == ["vanishing", "– skipped", "0.00"]
    assert rows["demo/ex1"] == ["forward", "◐ partial", "0.50"]
    assert rows["gradients"] == ["2", "1.00 (50%)"]
    assert rows["lstm"] == ["1", "0.75 (75%)"]
    assert rows["forward"] == ["1", "0.50 (50%)"]
    out = squash(run.out)
    assert "Total 2.25 / 5 (45%)" in out
    assert re.search(r"Time taken \d+ s", out)
    review = out[out.index("To review:"):]
    assert "demo/q1" not in review
    assert "demo/q2 (partial)" in review and "demo/q4 (skipped)" in review
    assert "demo/q3 (incorrect) misconception: forgot-output-layer" in review
    assert "demo/ex1 (partial) misconception: forgot-h0" in review


def test_all_right_has_nothing_to_review(bank_dir: Path, db: Path) -> None:
    run = play(take(bank_dir, db, "demo", "--tag", "gradients"), ["B", "6"])
    assert "Nothing to review: every question right." in run.out
    assert "Total 2.00 / 2 (100%)" in run.out


def test_exam_mode_gives_no_feedback_until_the_end(bank_dir: Path, db: Path) -> None:
    run = play(take(bank_dir, db, "demo", "--exam"), ["zz", "B", ":hint", "A,C", "3", "vanishing gradients",
                                                      "1", "A"])
    assert run.code == 0
    during, end = run.out.split("Feedback", 1)
    for revealing in ("✓", "✗", "◐", "score", "Why:", "misconception", "That is h2"):
        assert revealing not in during
    assert "could not read that" in during                     # reading problems are still explained
    assert "Hints are not available in exam mode." in during
    assert "Answer recorded; read as: B: Gradient clipping." in squash(during)
    end = squash(end)
    assert "demo/q3 your answer: 3 ✗ incorrect score 0.00" in end
    assert "likely misconception: forgot-output-layer" in end
    assert "h2 = 3, so yhat2 = W_y h2 = 6." in end
    assert "Score per question" in end
    with Store(db) as s:
        assert {a.mode for a in s.attempts()} == {"exam"}
        assert len(s.attempts()) == 6


def test_exercise_parts_are_graded_in_order_and_stored_one_by_one(bank_dir: Path, db: Path) -> None:
    run = play(take(bank_dir, db, "demo", "--tag", "forward"), [":hint", "1", "maybe", "yes"])
    out = squash(run.out)
    assert "(a) Compute h1. A number, accepted within ±0.1 %. answer> :hint Hint 1/1: Write the recurrence out " \
        "with numbers." in out
    assert "✗ incorrect score 0.00 read as: 1 The h0 term is missing." in out
    assert "likely misconception: forgot-h0" in out
    assert "Why: h1 = 1 + 1 = 2." in out
    assert "(b) Is h1 larger than h0?" in out
    assert "✓ correct score 1.00 read as: A: yes" in out           # the option's text is accepted
    assert attempts(db) == [("demo/ex1.a", "1", "incorrect"), ("demo/ex1.b", "yes", "correct")]
    with Store(db) as s:
        verdicts = [a.verdict for a in s.attempts()]
    assert verdicts[0]["misconception"] == "forgot-h0"
    assert "parts" not in verdicts[0]                             # the part's own verdict is stored


def test_quit_then_resume(bank_dir: Path, db: Path) -> None:
    first = play(take(bank_dir, db, "demo"), ["B", "A,C", ":quit"])
    assert first.code == 0
    assert "saved; resume with rnnquiz take --resume" in first.out
    assert "Score per question" not in first.out
    second = play(take(bank_dir, db, "--resume"), ["6", "vanishing through repeated products", "2", "A"])
    assert second.code == 0
    assert "Resuming session #1" in second.out
    assert "1/5" not in second.out and "2/5" not in second.out
    assert "3/5 · demo/q3" in second.out
    assert summary_rows(second.out)["demo/q1"] == ["gradients", "✓ correct", "1.00"]   # from the first sitting
    with Store(db) as s:
        (row,) = s.sessions()
        assert row.finished
        assert [a.question_id for a in s.attempts()] == ["demo/q1", "demo/q2", "demo/q3", "demo/q4",
                                                         "demo/ex1.a", "demo/ex1.b"]


def test_resume_inside_an_exercise_keeps_earlier_parts(bank_dir: Path, db: Path) -> None:
    play(take(bank_dir, db, "demo", "--tag", "forward"), ["2", ":quit"])
    run = play(take(bank_dir, db, "demo", "--resume"), ["A"])
    assert "(a) answered before: 2" in run.out
    assert attempts(db) == [("demo/ex1.a", "2", "correct"), ("demo/ex1.b", "A", "correct")]
    assert summary_rows(run.out)["demo/ex1"] == ["forward", "✓ correct", "1.00"]


@pytest.mark.parametrize("reply, resumed", [("", True), ("y", True), ("n", False)])
def test_unfinished_session_is_offered(bank_dir: Path, db: Path, reply: str, resumed: bool) -> None:
    play(take(bank_dir, db, "demo"), ["B", ":quit"])
    run = play(take(bank_dir, db, "demo"), [reply, ":quit"])
    assert "You have an unfinished session (#1, practice, 1/5 done" in squash(run.out)
    assert ("2/5 · demo/q2" in run.out) is resumed
    assert ("1/5 · demo/q1" in run.out) is not resumed
    with Store(db) as s:
        assert len(s.sessions()) == (1 if resumed else 2)


def test_no_offer_for_other_banks_or_students(bank_dir: Path, db: Path) -> None:
    play(take(bank_dir, db, "demo"), ["B", ":quit"])
    other = ["--bank-dir", str(bank_dir), "take", "demo", "--db", str(db), "--student", "bob"]
    run = play(other, [":quit"])
    assert "unfinished session" not in run.out
    assert "1/5 · demo/q1" in run.out


def test_resume_with_a_tag_takes_the_session_of_that_tag(bank_dir: Path, db: Path) -> None:
    play(take(bank_dir, db, "demo", "--tag", "lstm"), [":quit"])          # session 1
    play(take(bank_dir, db, "demo", "--tag", "forward"), [":quit"])       # session 2, the latest
    run = play(take(bank_dir, db, "--resume", "--tag", "LSTM"), [":quit"])
    assert "Resuming session #1" in run.out or "Session #1" in run.out
    assert "demo/q2" in run.out and "demo/ex1" not in run.out
    missing = play(take(bank_dir, db, "--resume", "--tag", "gradients"), [])
    assert missing.code == 2 and "no unfinished session tagged gradients" in missing.out


def test_sessions_do_not_show_how_an_answer_was_decided(bank_dir: Path, db: Path) -> None:
    run = play(take(bank_dir, db, "demo", "--tag", "gradients"), ["B", "6"])
    assert "✓ correct" in run.out and "decided by" not in run.out
    check = play(["--bank-dir", str(bank_dir), "check", "demo/q3", "6"])
    assert "decided by: numeric tolerance" in check.out                   # instructors still see it


def test_resume_with_nothing_to_resume(bank_dir: Path, db: Path) -> None:
    run = play(take(bank_dir, db, "--resume"), [])
    assert run.code == 2
    assert "no unfinished session to resume for student 'ann'" in run.out


def test_end_of_input_is_quit(bank_dir: Path, db: Path) -> None:
    run = play(take(bank_dir, db, "demo"), ["B", "A,C"])
    assert run.code == 0
    assert "saved; resume with rnnquiz take --resume" in run.out
    with Store(db) as s:
        (row,) = s.sessions()
    assert not row.finished and row.position == 2


class InterruptedInput(io.StringIO):
    """Piped lines, then Ctrl-C."""

    def readline(self, *args: object) -> str:
        line = super().readline()
        if not line:
            raise KeyboardInterrupt
        return line


def test_ctrl_c_saves_and_exits_130(bank_dir: Path, db: Path) -> None:
    out = io.StringIO()
    console = Console(file=out, width=100, force_terminal=False, color_system=None)
    code = cli.main(take(bank_dir, db, "demo"), stdin=InterruptedInput("B\n3\n"), console=console)
    assert code == 130
    # The hint repeats --db and --student, or a resume would look in another database.
    assert squash(out.getvalue()).rstrip().endswith(f"saved; resume with rnnquiz take --resume --db {db} --student ann")
    assert [a[:2] for a in attempts(db)] == [("demo/q1", "B"), ("demo/q2", "3")]


def test_help_and_unknown_commands(bank_dir: Path, db: Path) -> None:
    run = play(take(bank_dir, db, "demo", "--tag", "lstm"), [":help", ":frobnicate", ":quit"])
    out = squash(run.out)
    for command in (":hint", ":skip", ":quit", ":help"):
        assert command in out
    assert "Answer with every option you tick: 'A,C', 'a c' or '1 3'" in out
    assert "Unknown command ':frobnicate'. Type :help for the commands." in out


def test_no_hints(bank_dir: Path, db: Path) -> None:
    run = play(take(bank_dir, db, "demo", "--tag", "lstm"), [":hint", ":quit"])
    assert "No hints for this question." in run.out


@pytest.mark.parametrize("choice, banks", [("", ["demo", "extra"]), ("2", ["extra"]), ("demo", ["demo"])])
def test_choose_banks_when_none_given(bank_dir: Path, db: Path, choice: str, banks: list[str]) -> None:
    extra = (bank_dir / "demo.yaml").read_text().replace("bank: demo", "bank: extra")
    (bank_dir / "extra.yaml").write_text(extra)
    run = play(take(bank_dir, db), ["9", choice, ":quit"])
    out = squash(run.out)
    assert "1 demo Demo bank for sessions (6 questions)" in out and "2 extra" in out   # q1–q4 and ex1's 2 parts
    listed = json.loads(play(["--bank-dir", str(bank_dir), "list", "--json"]).out)["banks"]
    assert [b["questions"] for b in listed] == [6, 6]                                 # as `list` counts them
    assert "'9' is not one of the banks; type numbers 1–2 or ids" in out
    with Store(db) as s:
        (row,) = s.sessions()
    assert list(row.banks) == banks
    assert len(row.plan) == 5 * len(banks)


def test_quit_at_the_bank_menu(bank_dir: Path, db: Path) -> None:
    run = play(take(bank_dir, db), [":quit"])
    assert run.code == 0 and "is not one of the banks" not in run.out
    with Store(db) as s:
        assert s.sessions() == []


def test_one_question_is_not_plural(bank_dir: Path, db: Path) -> None:
    run = play(take(bank_dir, db, "demo", "--tag", "lstm"), [":quit"])
    assert "· 1 question\n" in run.out


def test_broken_bank_is_listed_not_fatal(bank_dir: Path, db: Path) -> None:
    (bank_dir / "broken.yaml").write_text("bank: broken\ntitle: [unclosed\n")
    run = play(take(bank_dir, db), ["demo", ":quit"])
    assert run.code == 0
    assert "(cannot be loaded; `rnnquiz verify` shows why)" in squash(run.out)


def test_seed_makes_shuffle_deterministic_and_is_stored(bank_dir: Path, tmp_path: Path) -> None:
    plans = []
    for name in ("one.db", "two.db", "three.db"):
        seed = "5" if name != "three.db" else "6"
        play(take(bank_dir, tmp_path / name, "demo", "--shuffle", "--seed", seed), [":quit"])
        with Store(tmp_path / name) as s:
            (row,) = s.sessions()
        plans.append(row.plan)
        assert row.seed == int(seed)
    assert plans[0] == plans[1] != plans[2]
    assert sorted(plans[0]) == sorted(plans[2])


def test_unseeded_shuffle_stores_the_drawn_seed(bank_dir: Path, db: Path) -> None:
    play(take(bank_dir, db, "demo", "--shuffle"), [":quit"])
    with Store(db) as s:
        (row,) = s.sessions()
    assert isinstance(row.seed, int)
    from grader.banks import loader as bank

    replay = session.plan([bank.load(bank_dir / "demo.yaml")], shuffle=True, seed=row.seed)
    assert tuple(q.id for q in replay) == row.plan


def test_unknown_tag_is_a_usage_error(bank_dir: Path, db: Path) -> None:
    run = play(take(bank_dir, db, "demo", "--tag", "nope"), [])
    assert run.code == 2
    assert "no questions tagged nope in demo" in run.out


def test_variant_columns_are_null_when_unused(bank_dir: Path, db: Path) -> None:
    play(take(bank_dir, db, "demo", "--seed", "3"), ["B"])
    rows = sqlite3.connect(db).execute("SELECT variant_seed, variant_params FROM attempts").fetchall()
    assert rows == [(None, None)]


@pytest.mark.parametrize("width, q3_row", [
    (40, ["✗ incorrect", "0.00"]),                  # narrow: the topic column is left out
    (60, ["gradients", "✗ incorrect", "0.00"]),
])
def test_narrow_terminal(bank_dir: Path, db: Path, width: int, q3_row: list[str]) -> None:
    run = play(take(bank_dir, db, "demo"), ["B", "A,C", "3", "zz", ":skip", "1", "A"], width=width)
    assert max(len(line) for line in run.out.splitlines()) <= width
    out = squash(run.out)
    assert "Gradient clipping" in out and "likely misconception: forgot-output-layer" in out
    assert "Time taken" in out
    assert summary_rows(run.out)["demo/q3"] == q3_row


def test_invalid_exercise_part_is_asked_again(bank_dir: Path, db: Path) -> None:
    run = play(take(bank_dir, db, "demo", "--tag", "forward"), ["two", "", "2", "A"])
    assert run.out.count("could not read that") == 2
    assert attempts(db) == [("demo/ex1.a", "2", "correct"), ("demo/ex1.b", "A", "correct")]


def test_a_bank_named_twice_is_asked_once(bank_dir: Path, db: Path) -> None:
    play(take(bank_dir, db, "demo", "demo"), [":quit"])
    with Store(db) as s:
        (row,) = s.sessions()
    assert row.banks == ("demo",) and len(row.plan) == 5


class Ticking:
    """A clock that advances 13 seconds every time it is read."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 13.0
        return self.now


def test_time_taken_is_the_time_spent_answering(bank_dir: Path, db: Path) -> None:
    out = io.StringIO()
    terminal = session.Terminal(Console(file=out, width=100, color_system=None), io.StringIO("B\n6\n"))
    options = session.TakeOptions(student="ann", banks=("demo",), tags=("gradients",))
    with Store(db) as s:
        code = session.take(Catalog.from_dir(bank_dir), s, terminal, options, clock=Ticking())
        assert [a.seconds for a in s.attempts()] == [13.0, 13.0]
    assert code == 0
    assert "Time taken 26 s" in out.getvalue()


@pytest.mark.parametrize("seconds, shown", [(0.4, "0 s"), (26, "26 s"), (65, "1 min 05 s"), (3720, "1 h 02 min")])
def test_duration(seconds: float, shown: str) -> None:
    assert history.duration(seconds) == shown


EXPRESSION_BANK = """\
bank: expr
title: Expressions
source: {document: 000_demo.txt, title: Demo}
questions:
  - id: q1
    kind: expression
    prompt: How many parameters has a GRU with input size m and state size n?
    variables: [n, m]
    answer: "3*(n^2 + n*m + n)"
    explanation: Three gates, each with W (n×n), U (n×m) and a bias (n).
    source: {document: "000", question: "1"}
    misconceptions:
      - answer: "3*(n^2 + n*m)"
        id: forgot-biases
        feedback: This count leaves out the bias vectors.
"""


@pytest.mark.parametrize("mode, shown", [((), "read as: {}"), (("--exam",), "Answer recorded; read as: {}.")])
def test_expressions_are_echoed_as_interpreted(bank_dir: Path, db: Path, mode: tuple[str, ...], shown: str) -> None:
    (bank_dir / "expr.yaml").write_text(EXPRESSION_BANK)
    typed = "3n^2+3nm"
    question = Catalog.from_dir(bank_dir).question("expr/q1")
    echo = kinds.grade(question, typed, keys.expected(question)).interpreted_as
    assert echo and echo != typed
    run = play(take(bank_dir, db, "expr", *mode), ["3(n^2+nm", typed])
    during = run.out.split("Feedback")[0]
    assert "could not read that" in during                  # the unbalanced bracket is explained, then re-asked
    assert shown.format(echo) in squash(during)
    assert "forgot-biases" in run.out
    assert attempts(db) == [("expr/q1", typed, "incorrect")]


@pytest.mark.parametrize("variable, value, where", [
    ("RNNQUIZ_DB", "{tmp}/from-env.db", "{tmp}/from-env.db"),
    ("XDG_DATA_HOME", "{tmp}/data", "{tmp}/data/rnnquiz/attempts.db"),
])
def test_database_location_from_the_environment(monkeypatch, bank_dir: Path, tmp_path: Path,
                                                  variable: str, value: str, where: str) -> None:
    monkeypatch.delenv("RNNQUIZ_DB", raising=False)
    monkeypatch.setenv(variable, value.format(tmp=tmp_path))
    monkeypatch.setenv("RNNQUIZ_STUDENT", "env-student")
    play(["--bank-dir", str(bank_dir), "take", "demo"], ["B", ":quit"])
    with Store(Path(where.format(tmp=tmp_path))) as s:
        assert [(a.student, a.answer) for a in s.attempts()] == [("env-student", "B")]
