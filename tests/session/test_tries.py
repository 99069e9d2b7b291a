"""Several tries per question, their penalty, and the answer with its worked steps once they are used."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.banks.catalog import Catalog
from grader.marking import keys, variants
from grader.numbers import format_number
from grader.sessions.store import Store

from .helpers import play, squash

TRIES_BANK = """\
bank: tries
title: Tries
source: {document: 000_tries.txt, title: Tries}
questions:
  - id: three
    kind: number
    prompt: What is W_y·h₂ with W_y = 2 and h₂ = 3?
    answer: 6
    attempts: 3
    penalty: 0.25
    explanation: 2·3 = 6.
    hints: [Multiply., W_y times h₂.]
    source: {document: "000", question: "1"}
  - id: pick
    kind: choice
    prompt: Which bounds exploding gradients?
    options:
      A: Dropout
      B: Gradient clipping
    answer: B
    explanation: Clipping rescales a gradient whose norm is too large.
    source: {document: "000", question: "2"}
  - id: tick
    kind: multi
    prompt: Which are LSTM gates?
    options:
      A: forget gate
      B: reset gate
      C: output gate
    answer: [A, C]
    explanation: Reset belongs to the GRU.
    source: {document: "000", question: "3"}
"""


@pytest.fixture
def tries_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "tries"
    directory.mkdir()
    (directory / "tries.yaml").write_text(TRIES_BANK, encoding="utf-8")
    return directory


def take(bank_dir: Path | None, db: Path, *extra: str) -> list[str]:
    where = ["--bank-dir", str(bank_dir)] if bank_dir else []
    return [*where, "take", *extra, "--db", str(db), "--student", "ann"]


def stored(db: Path) -> list[tuple[str, str, int, float]]:
    with Store(db) as s:
        return [(a.question_id, a.answer, a.attempt_no, round(a.score, 4)) for a in s.attempts()]


def test_tries_left_penalty_and_every_try_stored(tries_dir: Path, db: Path) -> None:
    run = play(take(tries_dir, db, "tries"), ["5", "zz", "7", "6", "A", "A", "A,C"])
    out = squash(run.out)
    assert "5 is not right. 2 tries left: answer again" in out
    assert "No attempt used; try again." in out                  # zz: unreadable, no try used
    assert "7 is not right. 1 try left" in out
    assert "✓ correct score 0.50" in out and "Score 1.00 less 0.50 for 2 earlier tries." in out
    # the bank's default for pick: practice allows 2 tries; the second wrong one reveals the key
    assert "A is not the right option. 1 try left" in out
    assert "The answer: B: Gradient clipping" in out
    assert stored(db) == [("tries/three", "5", 1, 0.0), ("tries/three", "7", 2, 0.0), ("tries/three", "6", 3, 0.5),
                          ("tries/pick", "A", 1, 0.0), ("tries/pick", "A", 2, 0.0), ("tries/tick", "A,C", 1, 1.0)]
    assert "Total 1.50 / 3" in out                              # the last try of each counts


def test_multi_names_the_missed_option(tries_dir: Path, db: Path) -> None:
    out = squash(play(take(tries_dir, db, "tries"), [":skip", ":skip", "A", "A,B"]).out)
    assert "You left out C, which is also right. 1 try left" in out
    assert "B should not be ticked. You left out C" in out
    assert "The answer: A, C" in out


def test_exam_asks_once_and_shows_the_answers_at_the_end(tries_dir: Path, db: Path) -> None:
    out = squash(play(take(tries_dir, db, "tries", "--exam"), ["5", "A", "A,C"]).out)
    assert "tries left" not in out and "try left" not in out
    assert out.index("Answers tries/three The answer: 6") > out.index("Feedback")
    assert "tries/pick The answer: B: Gradient clipping" in out and "tries/tick The answer" not in out
    assert [row[2] for row in stored(db)] == [1, 1, 1]


def test_piped_wrong_answers_are_the_next_tries(db: Path) -> None:
    """A randomised exercise: each piped line is the next try; the key and steps use this student's numbers."""
    question = variants.instantiate(Catalog.from_dir(None).question("practice/bptt"), 3)
    key = keys.expected(question)
    p = question.variant   # h0 2, x1 7, x2 8, W_h 1.5, W_x 0.1, W_y 2
    right_a = format_number(round(key["a"], 6))
    run = play(take(None, db, "practice", "--tag", "bptt", "--seed", "3"),
               ["1", right_a, "2", "3", ":quit"])
    out = squash(run.out)
    assert "1 is not right. 1 try left" in out and f"read as: {right_a} Correct." in out
    b_part = out[out.index("(b) Compute the total loss"):]
    assert "2 is not right. 1 try left" in b_part
    assert f"The answer: {format_number(round(key['b'], 6))}" in b_part
    assert "How to get it, with your numbers:" in b_part
    h1 = p["W_x"] * p["x1"] + p["W_h"] * p["h0"]
    assert f"h₁ = W_x·x₁ + W_h·h₀ = {p['W_x']}·{p['x1']} + {p['W_h']}·{p['h0']} = {format_number(h1)}" in b_part
    assert "∂L" not in b_part.split("(c)")[0]                    # trimmed: no gradients for a loss
    assert [(q, a, n) for q, a, n, _ in stored(db)] == [
        ("practice/bptt.a", "1", 1), ("practice/bptt.a", right_a, 2),
        ("practice/bptt.b", "2", 1), ("practice/bptt.b", "3", 2)]


def test_follow_through_shows_the_carried_values_beside_the_right_ones(db: Path) -> None:
    question = variants.instantiate(Catalog.from_dir(None).question("practice/bptt"), 3)
    key = keys.expected(question)
    run = play(take(None, db, "practice", "--tag", "bptt", "--seed", "3"), ["1", "1", "2", "2", ":quit"])
    out = squash(run.out)
    b_part = out[out.index("(b) Compute the total loss"):]
    assert f"With your carried ŷ₂ = 1 (right: {format_number(round(key['a'], 6))}):" in b_part
    assert "ŷ₂ = 1 (given)" in b_part
    assert b_part.index("With your carried") < b_part.index("With the right values:")


class Ticking:
    """A clock that moves 10 s each time it is read."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 10.0
        return self.now


def test_each_try_stores_its_own_time(tries_dir: Path, db: Path) -> None:
    import io

    from rich.console import Console

    from grader.sessions import session

    out = io.StringIO()
    terminal = session.Terminal(Console(file=out, width=100, color_system=None), io.StringIO("5\n6\n"))
    with Store(db) as s:
        session.take(Catalog.from_dir(tries_dir), s, terminal, session.TakeOptions("ann", banks=("tries",)),
                     clock=Ticking())
        assert [a.seconds for a in s.attempts()] == [10.0, 10.0]


class Keyboard:
    """A terminal whose student types the given lines: `ask` and `edit` both take the next one."""

    interactive = True

    def __init__(self, lines: list[str]) -> None:
        import io

        from rich.console import Console

        self.console = Console(file=io.StringIO(), width=100, color_system=None)
        self.lines = list(lines)
        self.prompts: list[tuple[str, str]] = []

    def ask(self, prompt: str) -> str | None:
        return self.edit(prompt, "")

    def edit(self, prompt: str, text: str) -> str | None:
        self.prompts.append((prompt, text))
        return self.lines.pop(0) if self.lines else None


def test_preview_edit_command_and_hints_across_tries(tries_dir: Path, db: Path) -> None:
    from grader.sessions import session

    keyboard = Keyboard([":hint", "5", "7", "", ":hint", "6x", ":skip"])   # 5 edited to 7 at the preview
    with Store(db) as s:
        session.take(Catalog.from_dir(tries_dir), s, keyboard, session.TakeOptions("ann", banks=("tries",)))
        assert [(a.answer, a.attempt_no) for a in s.attempts()] == [("7", 1)]
    out = squash(keyboard.console.file.getvalue())
    assert "read as: 5 Enter submits it" in out and "read as: 7 Enter submits it" in out
    assert ("submit> ", "5") in keyboard.prompts and ("submit> ", "7") in keyboard.prompts
    assert "7 is not right. 2 tries left" in out
    assert out.index("Hint 1/2: Multiply.") < out.index("Hint 2/2: W_y times h₂.")   # hints go on across tries
    assert "could not read that" in out                          # 6x: no try used
    assert "skipped" in out and "2/3 · tries/pick" in out
