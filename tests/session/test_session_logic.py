"""The session's pure choices: the plan, commands, bank choice, where to resume, who is asking."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.banks import loader as bank
from grader.sessions import runner, session
from grader.errors import ResponseError


@pytest.fixture
def demo(bank_dir: Path):
    return bank.load(bank_dir / "demo.yaml")


ALL = ["demo/q1", "demo/q2", "demo/q3", "demo/q4", "demo/ex1"]


@pytest.mark.parametrize("tags, expected", [
    ((), ALL),
    (("gradients",), ["demo/q1", "demo/q3"]),
    (("lstm", "forward"), ["demo/q2", "demo/ex1"]),
    (("nothing",), []),
    (("GRADIENTS", "Forward"), ["demo/q1", "demo/q3", "demo/ex1"]),   # tags match in any case
])
def test_plan_filters_by_any_tag(demo, tags: tuple[str, ...], expected: list[str]) -> None:
    assert [q.id for q in session.plan([demo], tags)] == expected


def test_shuffle_is_deterministic_by_seed(demo) -> None:
    orders = {seed: [q.id for q in session.plan([demo], shuffle=True, seed=seed)] for seed in range(6)}
    assert orders[3] == [q.id for q in session.plan([demo], shuffle=True, seed=3)]
    assert all(sorted(order) == sorted(ALL) for order in orders.values())
    assert len({tuple(order) for order in orders.values()}) > 1


@pytest.mark.parametrize("text, command", [
    ("B", None), ("  :hint ", "hint"), (":SKIP", "skip"), (": quit", "quit"), (":help", "help"),
    (":nonsense", ""), ("a: 6", None),
])
def test_parse_command(text: str, command: str | None) -> None:
    assert runner.parse_command(text) == command


IDS = ["hse", "nptel", "seqmodels"]


@pytest.mark.parametrize("text, chosen", [
    ("", IDS), ("  ", IDS), ("2", ["nptel"]), ("nptel", ["nptel"]), ("1 3", ["hse", "seqmodels"]),
    ("hse, 2", ["hse", "nptel"]), ("2 nptel", ["nptel"]),
])
def test_parse_bank_choice(text: str, chosen: list[str]) -> None:
    assert session.parse_bank_choice(text, IDS) == chosen


@pytest.mark.parametrize("text", ["4", "0", "nptl", "1 x"])
def test_parse_bank_choice_refuses(text: str) -> None:
    with pytest.raises(ResponseError, match="not one of the banks"):
        session.parse_bank_choice(text, IDS)


@pytest.mark.parametrize("position, answered, expected", [
    (0, set(), 0),
    (2, set(), 2),
    (0, {"demo/q1"}, 1),                                    # killed before the position was advanced
    (0, {"demo/q1", "demo/q2", "demo/q3", "demo/q4"}, 4),
    (4, {"demo/ex1.a"}, 4),                                 # an exercise half done is resumed inside
    (4, {"demo/ex1.a", "demo/ex1.b"}, 5),
    (5, set(), 5),
])
def test_resume_point(demo, position: int, answered: set[str], expected: int) -> None:
    assert runner.resume_point(demo.questions, position, answered) == expected


@pytest.mark.parametrize("name, environ, expected", [
    ("zoe", {"RNNQUIZ_STUDENT": "amy"}, "zoe"),
    (None, {"RNNQUIZ_STUDENT": "amy"}, "amy"),
    (None, {"RNNQUIZ_STUDENT": ""}, "from-os"),
    (None, {}, "from-os"),
])
def test_resolve_student(monkeypatch, name: str | None, environ: dict[str, str], expected: str) -> None:
    monkeypatch.setattr(session.getpass, "getuser", lambda: "from-os")
    assert session.resolve_student(name, environ) == expected


def test_student_without_a_user_name(monkeypatch) -> None:
    def no_user() -> str:
        raise KeyError("uid 12345 has no passwd entry")

    monkeypatch.setattr(session.getpass, "getuser", no_user)
    assert session.resolve_student(None, {}) == session.STUDENT_FALLBACK
