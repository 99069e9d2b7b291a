"""The batch's memo tables: values by identity, computed once, bounded, keeping what is asked again."""

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


def test_a_full_table_forgets_what_is_not_asked_for_again_and_keeps_what_is() -> None:
    memo, calls = Memo(4), []

    def compute(key: int) -> int:
        calls.append(key)
        return key * 10

    assert memo.get("shared", lambda: compute(-1)) == -10
    for student in range(50):  # each student's own entry is asked once; the shared one by all
        assert memo.get(student, lambda: compute(student)) == student * 10
        assert memo.get("shared", lambda: compute(-1)) == -10
        assert len(memo) <= 4
    assert calls == [-1, *range(50)]  # the shared entry was never computed again
    assert memo.get(0, lambda: compute(0)) == 0 and calls[-1] == 0  # a one-off one was forgotten


def test_a_full_table_of_objects_stays_within_its_size() -> None:
    memo = Memo(2)
    owners = [Thing() for _ in range(5)]
    for index, owner in enumerate(owners):
        assert memo.for_object(owner, 0, lambda: index) == index
        assert len(memo) <= 2
    assert memo.for_object(owners[-1], 0, lambda: "again") == 4
