"""Several solves of one all-scalar problem in one pass, as lanes.

Follow-through and diagnosis solve one problem under dozens of overrides, each a single
float. On `LANES` a value is a Python float (the same in every lane) or a float64 array with
one entry per lane, and `LaneGiven` holds every lane's overrides as one mapping; the solver's
own code then runs once for all of them. Each lane gets the bits its own solve on floats
(`SCALAR`) gives: +, − and × are numpy's, which round as Python's floats do, and every other
function is Scalar's own, run on each entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np

from solvers.backend import Scalar


class Lanes(Scalar):
    """`Scalar` on values that may be arrays of lanes."""

    def act(self, name: str, z: float | np.ndarray) -> float | np.ndarray:
        """The hidden activation f(z), lane by lane."""
        return z if name == "identity" else _each(Scalar.act, self, name, z)

    def act_prime(self, name: str, z: float | np.ndarray) -> float | np.ndarray:
        """f′(z), lane by lane."""
        return 1.0 if name == "identity" else _each(Scalar.act_prime, self, name, z)

    def out(self, name: str, a: float | np.ndarray) -> float | np.ndarray:
        """The output function g(a), lane by lane."""
        return a if name == "identity" else _each(Scalar.out, self, name, a)

    def log_out(self, name: str, a: float | np.ndarray) -> float | np.ndarray:
        """log g(a), lane by lane."""
        return _each(Scalar.log_out, self, name, a)

    def log(self, v: float | np.ndarray) -> float | np.ndarray:
        """Natural log, lane by lane."""
        return _lanewise(lambda e: Scalar.log(self, e), v)

    def divide(self, num: float | np.ndarray, den: float | np.ndarray) -> float | np.ndarray:
        """num / den, lane by lane (x/0 = ±inf or nan)."""
        if not isinstance(num, np.ndarray) and not isinstance(den, np.ndarray):
            return Scalar.divide(self, num, den)
        pairs = zip(*(np.broadcast_arrays(num, den)[i].tolist() for i in (0, 1)))
        return np.array([Scalar.divide(self, n, d) for n, d in pairs])

    def weighted_total(self, w: float | np.ndarray, v: float | np.ndarray) -> float | np.ndarray:
        """w v, or 0 in a lane where w = 0."""
        if not isinstance(w, np.ndarray):
            return Scalar.weighted_total(self, w, v)
        return np.where(w != 0, self.total(w * v), 0.0)

    def where(self, cond: bool | np.ndarray, a: float | np.ndarray, b: float | np.ndarray) -> float | np.ndarray:
        """a where cond holds, else b, lane by lane."""
        return np.where(cond, a, b) if isinstance(cond, np.ndarray) else Scalar.where(self, cond, a, b)

    def scalar(self, v: object) -> float | np.ndarray:
        """A Solution value: each lane's float (an array of lanes stays whole until `split`)."""
        return v if isinstance(v, np.ndarray) else Scalar.scalar(self, v)


def _each(fn: Callable[..., float], back: Lanes, name: str, z: float | np.ndarray) -> float | np.ndarray:
    return _lanewise(lambda e: fn(back, name, e), z)


def _lanewise(fn: Callable[[float], float], v: float | np.ndarray) -> float | np.ndarray:
    return np.array([fn(e) for e in v.tolist()]) if isinstance(v, np.ndarray) else fn(v)


LANES = Lanes()


class LaneGiven(Mapping[str, object]):
    """The overrides of several lanes as one mapping, for a solver that reads them with
    `name in given` and `given.get(name, computed)`: the latter is each lane's own value where
    that lane gives `name`, and `computed` where it does not."""

    def __init__(self, givens: Sequence[Mapping[str, float]]) -> None:
        self._by_name: dict[str, tuple[np.ndarray | None, np.ndarray]] = {}
        for name in dict.fromkeys(name for given in givens for name in given):
            values = np.array([given.get(name, 0.0) for given in givens])
            everywhere = all(name in given for given in givens)
            self._by_name[name] = (None if everywhere else np.array([name in given for given in givens]), values)

    def get(self, name: str, default: object = None) -> object:
        """Each lane's value of `name`: its override, else `default` (an array of lanes or a float)."""
        found = self._by_name.get(name)
        if found is None:
            return default
        mask, values = found
        return values if mask is None else np.where(mask, values, default)

    def lanes_giving(self, names: Sequence[str]) -> bool | np.ndarray:
        """Which lanes give any of `names` (True: every lane), for a choice each lane makes."""
        masks = [self._by_name[name][0] for name in names]
        return True if any(mask is None for mask in masks) else np.logical_or.reduce(masks)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __getitem__(self, name: str) -> object:
        mask, values = self._by_name[name]
        if mask is not None:
            raise KeyError(f"{name} is given in some lanes only: ask get(name, computed)")
        return values

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)


def split(values: Sequence[object], lanes: int) -> list[list[float]]:
    """Each lane's values, from one pass's results (an array of lanes, or a float for all)."""
    columns = [v.tolist() if isinstance(v, np.ndarray) else [v] * lanes for v in values]
    return [list(row) for row in zip(*columns)]
