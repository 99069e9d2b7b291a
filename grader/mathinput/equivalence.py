"""Decide whether a student's answer has the same value as the key.

Public API
----------
``compare(key, answer, *, domains=None, tolerance=FORMULA_TOLERANCE, seed=0, form=None,
symbolic_timeout=SYMBOLIC_TIMEOUT_DEFAULT) -> Decision``
    ``key`` and ``answer`` are each a ``Formula``, a ``MatrixFormula``, a number or a
    numpy array of numbers. ``domains`` maps variable names to sampling ranges
    ``(low, high)``; ``form="expanded"`` also requires the answer to be multiplied out.
``Tolerance(rel, abs)``: values ``a`` and ``k`` agree when ``|a − k| <= abs + rel·|k|``.
``Decision(equivalent, method, detail)``: ``equivalent`` is True, False or None (undecided);
``method`` says how it was decided: "exact", "numeric" (two plain numbers), "numeric
sampling (16 points)", "symbolic (sympy)", "symbolic timed out after 2 s", "symbolic ran
out of memory", "symbolic failed", "shape" or "form (expanded)"; a matrix joins its
entries' methods with " + " and its ``detail`` names the entries that differ ("entry (2,1)
differs: …"), 1-based.

How
---
1. Identical trees are "exact".
2. Numeric sampling (the fast path, `grader.mathinput.sampling`): every variable gets ``POOL_POINTS`` seeded random
   values from its domain, the key is evaluated on all of them, and the first
   ``SAMPLE_POINTS`` points where the key is defined (finite, below ``UNDEFINED_ABOVE``) are
   kept. The answer must be defined and within tolerance at every kept point. The key's
   kept points and values are cached per (key, seed, domains).
3. When the key is defined at fewer than ``MIN_VALID_POINTS`` points, sampling is
   inconclusive and sympy decides in a limited child process (``grader.symbolic_worker``);
   if it overruns ``symbolic_timeout`` the Decision says so with ``equivalent=None``.

Formulas of integers, variables, + − · / and integer powers are also compared exactly
(``exact``), which overrules sampling where rounding or overflow misled it. Plain numbers are
compared as numbers (``1.12·10^200``). An answer (or key) with no real value anywhere
(``definedness``) gives ``Decision(invalid=True)`` with the reason. A typed vector and a typed
1×n or n×1 matrix differ; a solver's 1-D array still takes a typed row or column.

Undefined functions (``O`` with ``O′``, ``O″``) become seeded random smooth functions
``O(u) = c + Σ aᵢ·sin(ωᵢu + φᵢ)`` with ``c = 1 + Σ aᵢ``, so ``O ≥ 1`` (``log O`` and ``1/O`` are
defined) and each derivative is exact.

Domains by name (the letters before any subscript; ``domains`` overrides):

=================================  =====================================================
names                              values
=================================  =====================================================
n m k d T N M K D (sizes)          uniform floats in [1, 10]
W U V w (weights)                  magnitude uniform in [0.2, 1.5], random sign
p q Gamma (probabilities, gates)   uniform in [0.05, 0.95]
alpha eta lambda epsilon (rates)   uniform in [0.01, 1]
anything else (z s a x h b c …)    uniform in [−2, 2]: pre-activations stay out of
                                   tanh's saturated tails
=================================  =====================================================

Tolerance rule (``FORMULA_TOLERANCE``): 1e-6 relative plus 1e-10 absolute. So a
value within 1e-10 of zero counts as zero: ``exp(-40)`` and ``1e-12·W`` are judged equal
to 0, while ``1e-9·W`` (at least 2e-10, as ``|W| ≥ 0.2``) and a vanishing gradient such as
``W^20`` are not;
and a perturbation such as ``1 − tanh(z)² + 1e-3`` is rejected, ``+ 1e-12`` accepted.

Form ``"expanded"``: the answer must contain no product or positive integer power of a
sum that holds a variable, i.e. nothing ``sympy.expand`` would multiply out. This is
checked on our own tree because sympy automatically distributes numbers
(``3*(n+1)`` becomes ``3n + 3`` on construction) and so cannot see the unexpanded form.

"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, NamedTuple, Union

from grader.mathinput import definedness, exact, sampling, symbolic_worker
from grader.mathinput.form import unexpanded
from grader.mathinput.sampling import POOL_POINTS, UNDEFINED_ABOVE
from grader.model import Tolerance
from solvers.checks import describe
from grader.mathinput.mathparse import Formula, MatrixFormula, canonical_name

if TYPE_CHECKING:
    import numpy

FORMULA_TOLERANCE = Tolerance(rel=1e-6, abs=1e-10)
"""Formulas are exact, so far tighter than a typed number's tolerance (grader.model)."""
MIN_VALID_POINTS = 6
SYMBOLIC_TIMEOUT_DEFAULT = 2.0
EXACT_METHOD = "exact arithmetic (rational functions)"
FORMS = frozenset({"expanded"})

# How many differing entries or variables a detail names before it stops.
_DETAIL_ITEMS = 3

Target = Union[Formula, MatrixFormula, float, int, "numpy.ndarray"]


@dataclass(frozen=True)
class Decision:
    """The verdict (None when undecided), how it was reached, and what differed."""

    equivalent: bool | None
    method: str
    detail: str = ""
    invalid: bool = False  # the answer (or key) has no real value anywhere; detail says why


def compare(
    key: Target,
    answer: Target,
    *,
    domains: Mapping[str, tuple[float, float]] | None = None,
    tolerance: Tolerance = FORMULA_TOLERANCE,
    seed: int = 0,
    form: str | None = None,
    symbolic_timeout: float = SYMBOLIC_TIMEOUT_DEFAULT,
) -> Decision:
    """Is ``answer`` the same value as ``key``? See the module docstring for how it is decided."""
    if form is not None and form not in FORMS:
        raise ValueError(f"unknown form {form!r}; known forms: {', '.join(sorted(FORMS))}")
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, not {seed!r}")
    settings = _Settings(_domain_items(domains), tolerance, seed, form, symbolic_timeout)
    if isinstance(key, Formula) and isinstance(answer, Formula):
        return _compare_scalar(key, answer, settings)
    key_shape, key_entries = _entries(key)
    answer_shape, answer_entries = _entries(answer)
    typed = isinstance(key, MatrixFormula) and isinstance(answer, MatrixFormula)
    if key_shape != answer_shape and (typed or not _shapes_match(key_shape, answer_shape)):
        return Decision(False, "shape", f"expected {describe(key_shape)}, got {describe(answer_shape)}")
    if not key_shape:
        return _compare_scalar(key_entries[0][1], answer_entries[0][1], settings)
    decisions = [(index, _compare_scalar(k, a, settings)) for (index, k), (_, a) in zip(key_entries, answer_entries)]
    return _combine(decisions)


# ---------------------------------------------------------------------------- shapes and entries


class _Settings(NamedTuple):
    """compare's options, checked, with domains as a hashable cache key."""

    domains: tuple[tuple[str, tuple[float, float]], ...]
    tolerance: Tolerance
    seed: int
    form: str | None
    timeout: float


def _domain_items(domains: Mapping[str, tuple[float, float]] | None) -> tuple[tuple[str, tuple[float, float]], ...]:
    if not domains:
        return ()
    items = {}
    for name, bounds in domains.items():
        low, high = (float(b) for b in bounds)
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ValueError(f"domain of {name!r} must be finite with low < high, not {bounds!r}")
        items[canonical_name(name)] = (low, high)
    return tuple(sorted(items.items()))


def _entries(target: Target) -> tuple[tuple[int, ...], list[tuple[tuple[int, ...], Formula | float]]]:
    if isinstance(target, Formula):
        return (), [((), target)]
    if isinstance(target, MatrixFormula):
        return target.shape, list(target.entries())
    if isinstance(target, bool) or isinstance(target, str):
        raise TypeError(f"cannot compare a {type(target).__name__}; parse it first")
    import numpy as np

    array = np.asarray(target, dtype=float)
    if array.ndim > 2:
        raise ValueError(f"cannot compare an array of {array.ndim} dimensions")
    return array.shape, [(tuple(int(i) for i in index), float(value)) for index, value in np.ndenumerate(array)]


def _shapes_match(key: tuple[int, ...], answer: tuple[int, ...]) -> bool:
    # A solver's 1-D array has no orientation, so a typed row or column may stand for it; typed on
    # both sides, a vector and a 1×n matrix differ (compare() checks that first).
    vector, matrix = (key, answer) if len(key) == 1 else (answer, key)
    return len(vector) == 1 and len(matrix) == 2 and vector[0] in matrix and 1 in matrix


def _combine(decisions: list[tuple[tuple[int, ...], Decision]]) -> Decision:
    methods = " + ".join(dict.fromkeys(d.method for _, d in decisions))
    for index, d in decisions:
        if d.invalid:
            return Decision(d.equivalent, d.method, f"entry {_position(index)}: {d.detail}", invalid=True)
    for verdict, verb in ((False, "differs"), (None, "is undecided")):
        hits = [(index, d) for index, d in decisions if d.equivalent is verdict]
        if hits:
            parts = [f"entry {_position(index)} {verb}" + (f": {d.detail}" if d.detail else "") for index, d in hits[:_DETAIL_ITEMS]]
            more = f"; and {len(hits) - _DETAIL_ITEMS} more" if len(hits) > _DETAIL_ITEMS else ""
            return Decision(verdict, methods, "; ".join(parts) + more)
    return Decision(True, methods)


def _position(index: tuple[int, ...]) -> str:
    return str(index[0] + 1) if len(index) == 1 else f"({index[0] + 1},{index[1] + 1})"


# ---------------------------------------------------------------------------- one value


def _compare_scalar(key: Formula | float, answer: Formula | float, settings: _Settings) -> Decision:
    if isinstance(key, float) and isinstance(answer, float):
        return _compare_numbers(key, answer, settings.tolerance)
    decision = Decision(True, "exact") if key == answer else _value_decision(key, answer, settings)
    if settings.form == "expanded" and decision.equivalent and isinstance(answer, Formula):
        offending = unexpanded(answer.tree)
        if offending is not None:
            shown = Formula(offending, frozenset(), frozenset()).interpreted_as()
            return Decision(False, "form (expanded)", f"the value is right but not expanded: multiply out {shown}")
    return decision


def _value_decision(key: Formula | float, answer: Formula | float, settings: _Settings) -> Decision:
    if not (isinstance(key, Formula) and isinstance(answer, Formula)):
        return _sample(key, answer, settings)
    rational = settings.tolerance == FORMULA_TOLERANCE and exact.is_rational(key.tree) and exact.is_rational(answer.tree)
    if rational:
        exactly = exact.agree(key.tree, answer.tree, key.names | answer.names, settings.seed)
        if exactly is not None:
            # Sampling still runs for its plainer method and detail; exact arithmetic overrules it.
            sampled = _sample(key, answer, settings, symbolic=False)
            if sampled.equivalent is exactly:
                return sampled
            return Decision(exactly, EXACT_METHOD, "" if exactly else "the two differ by less than floating point shows")
    elif not (key.names or answer.names or key.functions or answer.functions):
        # Plain numbers have no sampling range to leave: 1.1234567891235·10^200 is compared as it is.
        return _compare_numbers(key.value({}), answer.value({}), settings.tolerance)
    decision = _sample(key, answer, settings)
    if decision.equivalent is not True:
        for formula, whose in ((key, "The key: "), (answer, "")):
            reason = definedness.nowhere_defined(formula, settings.seed)
            if reason is not None:
                return Decision(None if whose else False, "domain", whose + reason, invalid=True)
    return decision


def _compare_numbers(key: float, answer: float, tolerance: Tolerance) -> Decision:
    if key == answer:
        return Decision(True, "exact")
    if math.isfinite(answer) and abs(answer - key) <= tolerance.abs + tolerance.rel * abs(key):
        return Decision(True, "numeric")
    return Decision(False, "numeric", f"expected {key:.6g}, got {answer:.6g}")


def _sample(key: Formula | float, answer: Formula | float, settings: _Settings, *, symbolic: bool = True) -> Decision:
    samples = sampling.key_samples(key, settings.seed, settings.domains)
    if samples.defined < MIN_VALID_POINTS:
        reason = f"sampling was inconclusive: the key is defined at only {samples.defined} of {POOL_POINTS} points"
        if symbolic and isinstance(key, Formula) and isinstance(answer, Formula):
            return _symbolic(key, answer, settings, reason)
        return Decision(None, "numeric sampling", reason)
    expected = samples.values
    env: dict[str, Any] = samples.env
    if isinstance(answer, float):
        values = [answer] * len(expected)
    else:
        if not answer.names <= env.keys():
            env = dict(env)
            domains = dict(settings.domains)
            for name in answer.names - env.keys():
                pool = sampling.pool(name, domains.get(name), settings.seed)
                env[name] = tuple(pool[i] for i in samples.index)
        values = sampling.evaluate(answer, {name: env[name] for name in answer.names}, settings.seed, len(expected))
    # Reject undefined values first, so the subtraction below cannot overflow.
    undefined = [i for i, value in enumerate(values) if not abs(value) <= UNDEFINED_ABOVE]
    if undefined:
        i = undefined[0]
        return Decision(False, samples.method, f"the answer is undefined at {_point(env, i)}, where the key is {expected[i]:.6g}")
    tolerance = settings.tolerance
    wrong = [i for i, (value, want, size) in enumerate(zip(values, expected, samples.magnitude))
             if abs(value - want) > tolerance.abs + tolerance.rel * size]
    if not wrong:
        return Decision(True, samples.method)
    i = wrong[0]
    return Decision(False, samples.method, f"at {_point(env, i)}: expected {expected[i]:.6g}, got {values[i]:.6g}")


def _point(env: Mapping[str, Any], i: int) -> str:
    names = sorted(env)
    shown = ", ".join(f"{name} = {float(env[name][i]):.4g}" for name in names[:_DETAIL_ITEMS + 1])
    return (shown + ", …" if len(names) > _DETAIL_ITEMS + 1 else shown) or "every point"


def _symbolic(key: Formula, answer: Formula, settings: _Settings, reason: str) -> Decision:
    domains = dict(settings.domains)
    positive = frozenset(name for name in key.names | answer.names if sampling.domain_of(name, domains.get(name))[0] > 0)
    outcome = symbolic_worker.confirm_equal(key, answer, positive=positive, timeout=settings.timeout)
    if outcome.status == "timeout":
        return Decision(None, f"symbolic timed out after {settings.timeout:g} s", reason)
    if outcome.status == "memory":
        return Decision(None, "symbolic ran out of memory", reason)
    if outcome.status != "done":
        return Decision(None, "symbolic failed", f"{reason}; {outcome.detail}")
    if outcome.value is None:
        return Decision(None, "symbolic (sympy)", f"{reason}; sympy could not decide")
    return Decision(outcome.value, "symbolic (sympy)", reason)
