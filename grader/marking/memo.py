"""Bounded memo tables for a batch: compute once, remember, forget all when full.

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
    """One memo table of at most `size` entries (cleared whole when full: batches repeat)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._store: dict[Hashable, Any] = {}
        _ALL.append(self)

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The value for a hashable key, computed on first use."""
        found = self._store.get(key, _MISSING)  # one lookup for a hit: most calls are hits
        if found is _MISSING:
            self._make_room()
            found = self._store[key] = compute()
        return found

    def for_object(self, owner: object, extra: Hashable, compute: Callable[[], Any]) -> Any:
        """The value for an unhashable object (by identity) and a hashable extra key."""
        found = self._store.get((id(owner), extra))
        if found is None or found[0] is not owner:
            self._make_room()
            found = self._store[id(owner), extra] = (owner, compute())
        return found[1]

    def for_pair(self, first: object, second: object, extra: Hashable, compute: Callable[[], Any]) -> Any:
        """The value for two unhashable objects (by identity) and a hashable extra key: the
        second is kept with the value, as `for_object` keeps the first."""
        kept, value = self.for_object(first, (id(second), extra), lambda: (second, compute()))
        if kept is not second:  # another object, since freed, had the same id: recompute
            self._store.pop((id(first), (id(second), extra)))
            return self.for_pair(first, second, extra, compute)
        return value

    def clear(self) -> None:
        """Forget everything."""
        self._store.clear()

    def _make_room(self) -> None:
        if len(self._store) >= self._size:
            self._store.clear()


def clear_all() -> None:
    """Forget every memo table (benchmarks start cold with this)."""
    for memo in _ALL:
        memo.clear()
