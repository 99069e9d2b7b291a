"""The batch's memo tables: values by identity, computed once, forgotten when full."""

from __future__ import annotations

from grader.marking.memo import Memo


class Thing:
    """An unhashable object, as questions and verdicts are."""

    __hash__ = None  # type: ignore[assignment]


def test_a_pair_is_computed_once_and_told_apart_by_identity() -> None:
    memo, calls = Memo(10), []
    item, verdict, other = Thing(), Thing(), Thing()

    def compute(tag: str) -> str:
        calls.append(tag)
        return tag

    assert memo.for_pair(item, verdict, "a", lambda: compute("first")) == "first"
    assert memo.for_pair(item, verdict, "a", lambda: compute("again")) == "first"
    assert memo.for_pair(item, other, "a", lambda: compute("other")) == "other"
    assert memo.for_pair(item, verdict, "b", lambda: compute("extra")) == "extra"
    assert calls == ["first", "other", "extra"]


def test_a_full_table_is_cleared_rather_than_growing() -> None:
    memo = Memo(2)
    owners = [Thing() for _ in range(5)]
    for index, owner in enumerate(owners):
        memo.for_object(owner, 0, lambda: index)
    assert len(memo._store) <= 2


def test_solutions_solved_ahead_are_the_ones_asked_for_after(monkeypatch) -> None:
    """`solve_ahead` runs a batch (lanes on floats) and remembers it: the `solution` calls
    that follow solve nothing and get what solving each alone gives. A batch that fails
    stores nothing, so each call fails or succeeds as it always did."""
    import pytest

    from grader.marking import memo, solutions
    from solvers import Prepared, SolverError

    params = {"h0": 1, "x": [3, 5], "y": [4, 7], "W_h": 1.5, "W_x": 0.5, "W_y": 2}
    givens = [{"h1": float(v)} for v in range(6)] + [{"dL/dh2": -2.5}, {"yhat1": 1e200, "L": 0.0}]
    memo.clear_all()
    alone = [dict(solutions.solution("rnn", params, g)) for g in givens]
    memo.clear_all()
    solved = []
    real = Prepared.solve
    monkeypatch.setattr(Prepared, "solve", lambda self, given=None: solved.append(given) or real(self, given))
    solutions.solution("rnn", params)
    solved.clear()
    solutions.solve_ahead("rnn", params, givens)
    ahead = [dict(solutions.solution("rnn", params, g)) for g in givens]
    assert solved == []  # every one was found, none solved again
    assert [[repr(v) for v in s.values()] for s in ahead] == [[repr(v) for v in s.values()] for s in alone]
    memo.clear_all()
    solutions.solve_ahead("rnn", params, givens + [{"no_such": 1.0}])
    assert solved == []  # the batch failed and left nothing behind
    with pytest.raises(SolverError, match="no_such"):
        solutions.solution("rnn", params, {"no_such": 1.0})
    assert dict(solutions.solution("rnn", params, givens[0])) == alone[0]
    memo.clear_all()
