"""`Solution`: what a solver returns — named quantities in order, plus the worked derivation.

Kept free of numpy and sympy so that the registry stays cheap to import.
"""

from __future__ import annotations

from collections.abc import Callable, ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView


class Solution(Mapping[str, object]):
    """An ordered, read-only mapping `quantity name -> value` with `steps` and `notes`.

    Values are Python scalars or strings, read-only numpy float64 arrays, or sympy objects.
    `steps` are the lines of a worked derivation; `notes` are caveats (conventions,
    floating-point behaviour) a reader should know about.
    """

    __slots__ = ("_steps", "_values", "notes")

    def __init__(
        self,
        values: Mapping[str, object] | Iterable[tuple[str, object]],
        steps: tuple[str, ...] | Callable[[], tuple[str, ...]] = (),
        notes: tuple[str, ...] = (),
    ) -> None:
        # A mapping or (name, value) pairs: a solver that zips names with results builds one dict, not two.
        object.__setattr__(self, "_values", dict(values))
        # Steps may be given as a function: grading solves thousands of times and never reads them.
        object.__setattr__(self, "_steps", steps if callable(steps) else tuple(steps))
        object.__setattr__(self, "notes", tuple(notes))

    @property
    def steps(self) -> tuple[str, ...]:
        """The worked derivation, written out on first use."""
        if callable(self._steps):
            object.__setattr__(self, "_steps", tuple(self._steps()))
        return self._steps

    @classmethod
    def ordered(
        cls,
        names: tuple[str, ...],
        values: Mapping[str, object],
        steps: tuple[str, ...] | Callable[[], tuple[str, ...]] = (),
        notes: tuple[str, ...] = (),
    ) -> Solution:
        """Build a Solution whose keys are exactly `names`, in that order."""
        if set(names) != set(values):
            missing = sorted(set(names) - set(values))
            extra = sorted(set(values) - set(names))
            raise RuntimeError(f"solver bug: quantities missing {missing}, unexpected {extra}")
        return cls({name: values[name] for name in names}, steps, notes)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Solution is read-only")

    def __getitem__(self, name: str) -> object:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    # The dict's own views and lookups: Mapping's generic ones go through __getitem__ per
    # entry, and grading reads solutions hundreds of times per student.
    def __contains__(self, name: object) -> bool:
        return name in self._values

    def get(self, name: str, default: object = None) -> object:
        """The value of `name`, or `default`."""
        return self._values.get(name, default)

    def keys(self) -> KeysView[str]:
        """The quantity names, in order."""
        return self._values.keys()

    def values(self) -> ValuesView[object]:
        """The values, in order."""
        return self._values.values()

    def items(self) -> ItemsView[str, object]:
        """(name, value) pairs, in order."""
        return self._values.items()

    def __repr__(self) -> str:
        return f"Solution({self._values!r})"
