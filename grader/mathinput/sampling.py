"""Seeded sample points for equivalence checks, and the key's values there.

Every variable gets ``POOL_POINTS`` values from Python's own seeded generator (so a check
needs no numpy to draw them), by name: a size, a weight, a probability, a rate or anything
else has its own domain (see ``grader.mathinput.equivalence``). The key is evaluated on
the whole pool and the first ``SAMPLE_POINTS`` points where it is defined are kept.

Two ways to evaluate give the same points and the same values to rounding: numpy over the
whole pool at once, when numpy is loaded anyway (grading a class, a formula with undefined
functions), and one point at a time in plain floats otherwise, so `check` and `compare` on
a scalar formula start without importing numpy.
"""

from __future__ import annotations

import functools
import math
import random
import sys
from dataclasses import dataclass
from typing import Any, Callable

from grader.mathinput.mathparse import MAX_PRIMES, Formula

SAMPLE_POINTS = 16
POOL_POINTS = 64
UNDEFINED_ABOVE = 1e100

DEFAULT_DOMAIN = (-2.0, 2.0)
SIZE_DOMAIN = (1.0, 10.0)
WEIGHT_MAGNITUDE = (0.2, 1.5)
PROBABILITY_DOMAIN = (0.05, 0.95)
RATE_DOMAIN = (0.01, 1.0)
SIZE_NAMES = frozenset({"n", "m", "k", "d", "T", "N", "M", "K", "D"})
WEIGHT_NAMES = frozenset({"W", "U", "V", "w"})
PROBABILITY_NAMES = frozenset({"p", "q", "Gamma"})
RATE_NAMES = frozenset({"alpha", "eta", "lambda", "epsilon"})

# Random smooth functions: number of sine terms, and ranges of amplitude and frequency.
_WAVES = 3
_AMPLITUDE = (0.2, 0.6)
_FREQUENCY = (0.5, 1.5)


@dataclass(frozen=True)
class KeySamples:
    """The kept points of a key: plain tuples, one value per kept point."""

    index: tuple[int, ...]  # positions in the pool of the kept points
    values: tuple[float, ...]  # the key's values there
    env: dict[str, tuple[float, ...]]  # each key variable's values there
    defined: int  # how many pool points the key is defined at

    @functools.cached_property
    def magnitude(self) -> tuple[float, ...]:
        """|key| at each kept point, for the relative tolerance."""
        return tuple(abs(v) for v in self.values)

    @functools.cached_property
    def method(self) -> str:
        """How a decision on these points is described."""
        return f"numeric sampling ({len(self.values)} points)"


def plain(formula: Formula | float) -> bool:
    """Whether `formula` is evaluated point by point without numpy: a number, or a formula
    without undefined functions while numpy is not loaded (loading it costs more than the check)."""
    return not isinstance(formula, Formula) or (not formula.functions and "numpy" not in sys.modules)


@functools.lru_cache(maxsize=1024)
def key_samples(key: Formula | float, seed: int, domain_items: tuple) -> KeySamples:
    """The key's first SAMPLE_POINTS defined points of the pool (cached per key, seed and domains)."""
    if isinstance(key, float):
        return KeySamples(tuple(range(SAMPLE_POINTS)), (key,) * SAMPLE_POINTS, {}, POOL_POINTS)
    domains = dict(domain_items)
    pools = {name: pool(name, domains.get(name), seed) for name in key.names}
    values = evaluate(key, pools, seed, POOL_POINTS)
    defined = [i for i, v in enumerate(values) if math.isfinite(v) and abs(v) <= UNDEFINED_ABOVE]
    index = tuple(defined[:SAMPLE_POINTS])
    env = {name: tuple(values_[i] for i in index) for name, values_ in pools.items()}
    return KeySamples(index, tuple(values[i] for i in index), env, len(defined))


def evaluate(formula: Formula, env: dict[str, tuple[float, ...]], seed: int, count: int) -> list[float]:
    """The formula's values at the `count` points of `env` (nan where undefined), by either path."""
    if plain(formula):
        return [_value(formula, {name: column[i] for name, column in env.items()}) for i in range(count)]
    import numpy as np  # loaded already, or needed for undefined functions

    functions = {name: random_function(name, seed) for name in formula.functions}
    arrays = {name: np.asarray(column, dtype=float) for name, column in env.items()}
    return np.broadcast_to(formula.evaluate(arrays, functions), (count,)).tolist()


def _value(formula: Formula, point: dict[str, float]) -> float:
    try:
        return formula.value(point)
    except (ValueError, ArithmeticError):
        return math.nan


def domain_of(name: str, override: tuple[float, float] | None) -> tuple[float, float]:
    """The sampling range of a variable; weights are drawn by magnitude within it."""
    if override is not None:
        return override
    head = name.split("_", 1)[0]
    if head in SIZE_NAMES:
        return SIZE_DOMAIN
    if head in WEIGHT_NAMES:
        return (-WEIGHT_MAGNITUDE[1], WEIGHT_MAGNITUDE[1])
    if head in PROBABILITY_NAMES:
        return PROBABILITY_DOMAIN
    if head in RATE_NAMES:
        return RATE_DOMAIN
    return DEFAULT_DOMAIN


@functools.lru_cache(maxsize=4096)
def pool(name: str, override: tuple[float, float] | None, seed: int) -> tuple[float, ...]:
    """``POOL_POINTS`` seeded values of one variable, independent of every other name."""
    rng = _rng(seed, "variable " + name)
    if override is None and name.split("_", 1)[0] in WEIGHT_NAMES:
        # Weights near zero would hide whole terms of a gradient, so keep them away from it.
        return tuple(rng.uniform(*WEIGHT_MAGNITUDE) * rng.choice((-1.0, 1.0)) for _ in range(POOL_POINTS))
    low, high = domain_of(name, override)
    return tuple(rng.uniform(low, high) for _ in range(POOL_POINTS))


@functools.lru_cache(maxsize=256)
def random_function(name: str, seed: int) -> tuple[Callable[[Any], Any], ...]:
    """A smooth positive function and its exact derivatives up to ``MAX_PRIMES`` (numpy)."""
    import numpy as np  # only formulas with undefined functions need it

    rng = _rng(seed, "function " + name)
    amplitude, frequency, phase = (np.array([rng.uniform(low, high) for _ in range(_WAVES)])
                                   for low, high in (_AMPLITUDE, _FREQUENCY, (0.0, 2 * math.pi)))
    offset = 1.0 + amplitude.sum()

    def derivative(order: int) -> Callable[[Any], Any]:
        scale = amplitude * frequency**order
        shift = phase + order * math.pi / 2  # d/du sin(u) = sin(u + π/2)

        def f(u: Any) -> Any:
            waves = scale * np.sin(frequency * np.asarray(u, dtype=float)[..., None] + shift)
            return waves.sum(axis=-1) + (offset if order == 0 else 0.0)

        return f

    return tuple(derivative(order) for order in range(MAX_PRIMES + 1))


def _rng(seed: int, label: str) -> random.Random:
    # A string seed is hashed (SHA-512) by `random`: the same points on every run and platform.
    return random.Random(f"{seed}:{label}")
