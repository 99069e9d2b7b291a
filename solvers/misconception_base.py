"""What a misconception is (`Misconception`), how it plays out on one problem (`Variant`),
and the small value helpers the vanilla and the gated libraries share."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from solvers import SOLVERS
from solvers.solution import Solution


@dataclass(frozen=True)
class Variant:
    """One way a misconception plays out on one problem."""

    misconception: str
    params: Mapping[str, Any]
    given: Mapping[str, Any] = field(default_factory=dict)
    detail: str = ""

    def solve(self, solver: str) -> Solution:
        """The solver's quantities under this mistake."""
        return SOLVERS[solver].solve(self.params, self.given)


@dataclass(frozen=True)
class Misconception:
    """A named mistake: a sentence for the student and how it changes a problem."""

    id: str
    solver: str
    sentence: str
    make: Callable[[Mapping[str, Any], Solution], Iterator[Variant]]
    convention: bool = False
    """A convention (½ on the loss, biases per block), not a slip: it is named in every part it shows in."""


def time_steps(truth: Solution) -> range:
    """The time steps 1..T of a solved problem."""
    if _STEPS[0] is not truth:  # each mistake of a problem asks again: counted once
        T = 0
        while f"yhat{T + 1}" in truth:  # the solvers name the outputs yhat1..yhatT
            T += 1
        _STEPS[:] = [truth, range(1, T + 1)]
    return _STEPS[1]


_STEPS: list[Any] = [None, range(0)]
"""The last solution counted and its steps (held, so that its id is never another's)."""


def flat(value: Any) -> Any:
    """A number or array as a flat float array."""
    import numpy as np

    return np.asarray(value, dtype=float).ravel()


def shaped(value: Any, like: Any) -> Any:
    """`value` in the shape (and scalar-ness) of the quantity it replaces."""
    import numpy as np

    if type(like) is float:  # a scalar quantity, as every practice problem's are: asked often
        return value if type(value) is float else float(np.asarray(value, dtype=float).reshape(()))
    array = np.asarray(value, dtype=float).reshape(np.shape(like))
    return float(array) if np.ndim(like) == 0 else array
