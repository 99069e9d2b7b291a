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
