"""Bounded memo tables for a batch: compute once, remember, and let one-off entries age out.

Grading is deterministic, and a class asks the same things thousands of times (the key of
a question, the solution for a parameter set, the verdict for the answer `B`). Questions
and parameter mappings are not hashable, so `for_object` keys on an object's identity and
keeps the object with its value: while remembered, its id cannot be reused by another.
"""

from __future__ import annotations

from typing import Any, Callable, Hashable

_ALL: list["Memo"] = []
_MISSING = object()


class Memo:
    """One memo table of at most `size` entries, kept in two halves.

    New entries go to the young half; when it is full it becomes the old half, and the old
    one is dropped whole. An entry asked for while old moves back to the young half. So what
    a class keeps asking for (a question's key, the Jacobian of a problem many students
    drew) stays, while the entries of one randomised student's own numbers, which no one
    asks for again, age out: a table that was emptied whole when full made every student
    after it pay for the shared entries again.
    """

    def __init__(self, size: int) -> None:
        self._half = max(1, size // 2)
        self._young: dict[Hashable, Any] = {}
        self._old: dict[Hashable, Any] = {}
        _ALL.append(self)

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The value for a hashable key, computed on first use."""
        found = self._young.get(key, _MISSING)  # one lookup for a hit: most calls are hits
        if found is _MISSING:
            found = self._old.pop(key, _MISSING)
            if found is _MISSING:
                found = compute()
            self._keep(key, found)
        return found

    def for_object(self, owner: object, extra: Hashable, compute: Callable[[], Any]) -> Any:
        """The value for an unhashable object (by identity) and a hashable extra key."""
        key = (id(owner), extra)
        found = self._young.get(key)
        if found is None or found[0] is not owner:
            found = self._old.pop(key, None)
            if found is None or found[0] is not owner:
                found = (owner, compute())
            self._keep(key, found)
        return found[1]

    def for_pair(self, first: object, second: object, extra: Hashable, compute: Callable[[], Any]) -> Any:
        """The value for two unhashable objects (by identity) and a hashable extra key: the
        second is kept with the value, as `for_object` keeps the first."""
        kept, value = self.for_object(first, (id(second), extra), lambda: (second, compute()))
        if kept is not second:  # another object, since freed, had the same id: recompute
            self._young.pop((id(first), (id(second), extra)))
            return self.for_pair(first, second, extra, compute)
        return value

    def __len__(self) -> int:
        """How many entries are remembered."""
        return len(self._young) + len(self._old)

    def clear(self) -> None:
        """Forget everything."""
        self._young.clear()
        self._old.clear()

    def _keep(self, key: Hashable, value: Any) -> None:
        if len(self._young) >= self._half:
            self._old = self._young
            self._young = {}
        self._young[key] = value


def clear_all() -> None:
    """Forget every memo table (benchmarks start cold with this)."""
    for memo in _ALL:
        memo.clear()
