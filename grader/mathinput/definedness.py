"""Is a formula undefined for every real value of its variables?

``log(−x²)`` and ``sqrt(−x²)`` have no real value wherever x ≠ 0, and ``1/(n² + n·m + n −
n·(n + m + 1))`` divides by a denominator that is identically 0. Such an answer is refused
with a reason instead of being graded. The check probes far beyond the sampling domains
(a formula defined only for x > 3, such as ``sqrt(x − 3)``, is fine), at nonzero integers,
halves and powers of ten of both signs, so ``(−2)^a``, which has real values at integer a,
is not refused. Rational trees are decided exactly (``grader.mathinput.exact``); the others
in floating point, where a probe point counts as undefined when its value is nan or infinite.
"""

from __future__ import annotations

import functools
import random

from grader.mathinput import exact
from grader.mathinput.mathparse import Formula

# Nonzero, so that sqrt(−x²) is not "defined" at its one real point.
_PROBE_VALUES = sorted(
    {sign * v for sign in (1, -1) for v in (0.5, 1.5, 2.5, *range(1, 6), *(10 ** (k / 4) for k in range(-8, 13)))}
)
PROBE_POINTS = 96


@functools.lru_cache(maxsize=1024)  # a key is probed once per batch, not once per wrong answer
def nowhere_defined(formula: Formula, seed: int = 0) -> str | None:
    """Why ``formula`` has no real value anywhere, or None when it has one somewhere (or may)."""
    if formula.functions:
        return None  # a question's own functions are arbitrary; nothing can be concluded
    if exact.is_rational(formula.tree):
        if exact.divides_by_zero_everywhere(formula.tree, formula.names, seed):
            return f"'{_short(formula)}' divides by zero for every value of its variables: a denominator is always 0."
        return None
    import numpy as np  # only here: most answers never need this probe

    rng = random.Random(f"probe {seed}")
    env = {name: np.array([rng.choice(_PROBE_VALUES) for _ in range(PROBE_POINTS)]) for name in sorted(formula.names)}
    values = formula.evaluate(env)
    if np.isfinite(values).any():
        return None
    where = f"any value of {', '.join(sorted(formula.names))}" if formula.names else "it"
    return (f"'{_short(formula)}' has no real value for {where} "
            "(e.g. the log or square root of a negative number). Check the signs inside.")


def _short(formula: Formula) -> str:
    text = formula.interpreted_as()
    return text if len(text) <= 40 else text[:39] + "…"
