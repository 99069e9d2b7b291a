"""Which named misconception reproduces a wrong answer?

Every misconception in `solvers.misconceptions` is a variant of a solver. A wrong answer
that equals the variant's value of the asked quantity is diagnosed with that
misconception's id, its sentence for the student, and the variant's specific detail
("ŷ₁ = W_h·h₁ = 2 where W_y·h₁ = 4").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping, Sequence

from grader.marking import solutions
from grader.marking.compare import same_answer
from grader.marking.dependencies import ancestors, descendants, mover, per_structure
from grader.marking.memo import Memo
from grader.model import Question, Verdict


@dataclass(frozen=True)
class Diagnosis:
    """A misconception that reproduces an answer, and the overrides that embody it."""

    misconception: str
    sentence: str
    detail: str
    params: Mapping[str, Any]
    given: Mapping[str, Any]
    convention: bool = False
    """A convention (the loss's ½, the biases) rather than a slip: it shows in every part it touches."""
    also: tuple[tuple[str, str], ...] = ()
    """Other misconceptions that give the same value, less likely: (id, detail) pairs."""

    def feedback(self) -> str:
        """What the student reads: the specific slip, then the general rule, then the other candidates."""
        text = f"This matches a known mistake: {self.detail}. {self.sentence}"
        if self.also:
            text += " The same value also comes from: " + "; ".join(detail for _, detail in self.also) + "."
        return text

    @property
    def alternatives(self) -> tuple[str, ...]:
        """The ids of the other candidates, most likely first."""
        return tuple(dict.fromkeys(m for m, _ in self.also if m != self.misconception))


def diagnose(question: Question, value: Any, carried: Mapping[str, Any] | None = None,
             evidence: Mapping[str, Any] | None = None,
             later: Sequence[tuple[Question, Any]] = ()) -> Diagnosis | None:
    """The misconceptions whose variants give `value` for the question's quantity, most likely first.

    `carried` are values the student is known to have used earlier; the variant is applied
    on top of them, so a slip is recognised even after an earlier one. `evidence` is what
    else the student wrote (earlier answers, shown work) by quantity: a variant that it
    contradicts (see `_contradicted`) is not what happened, however well it fits this answer.
    Candidates are ranked by how many of the student's `later` answers (part, value) they
    also reproduce, then by the bank's own attribution of this value (a known wrong answer
    lists its misconceptions, most likely first), then by the library's order.
    """
    if not (question.solver and question.quantity):
        return None

    skipping = bool(question.parent and not carried)
    depends = ancestors(question.solver, question.params, question.quantity) if evidence or skipping \
        else frozenset()
    upstream = depends if evidence else frozenset()
    # A part's dependency graph is at hand (follow-through built it): a mistake that overrides
    # only what the part's quantity does not depend on predicts the key, so it is solved only
    # when the answer is the key.
    reached = depends | {question.quantity} if skipping else None
    key_matches: bool | None = None
    tried = []  # (variant, the carried values it keeps, its overrides)
    for variant in variants_of(question.solver, question.params):
        if reached is not None and variant.params is question.params and reached.isdisjoint(variant.given):
            if key_matches is None:
                key_matches = _is_key(question, value)
            if not key_matches:
                continue
        if carried:
            known = solutions.quantities(question.solver, variant.params)
            kept = {name: v for name, v in carried.items() if name in known}
            tried.append((variant, kept, {**_compatible(question, kept, variant.given), **variant.given}))
        else:
            tried.append((variant, {}, variant.given))
    found = []
    for variant, kept, given in tried:
        try:
            predicted = solutions.solution(question.solver, variant.params, given)
            matches = same_answer(question, value, predicted[question.quantity])
        except (KeyError, ValueError, ArithmeticError):
            continue
        if matches and not _contradicted(question, predicted, kept, evidence or {}, upstream):
            explained = sum(1 for part, shown in later if shown is not None and part.quantity in predicted
                            and same_answer(part, shown, predicted[part.quantity]))
            found.append((explained, variant))
    if not found:
        return None
    ranking = _bank_ranking(question, value)
    # sorted() is stable: the library's order decides the remaining ties.
    found.sort(key=lambda pair: (-pair[0], ranking.get(pair[1].misconception, len(ranking))))
    from solvers.misconceptions import MISCONCEPTIONS  # at first use: the library imports numpy

    best = found[0][1]
    also = tuple(dict.fromkeys((v.misconception, v.detail) for _, v in found[1:] if v.misconception != best.misconception))
    named = MISCONCEPTIONS[best.misconception]
    return Diagnosis(best.misconception, named.sentence, best.detail, best.params, best.given, named.convention, also)


def _is_key(question: Question, value: Any) -> bool:
    """Whether `value` is the part's key; True when the key cannot be had (nothing is skipped)."""
    try:
        return same_answer(question, value, solutions.solution(question.solver, question.params)[question.quantity])
    except (KeyError, ValueError, ArithmeticError):
        return True


def _bank_ranking(question: Question, value: Any) -> dict[str, int]:
    """The misconception ids the bank gives for this known wrong value, by rank."""
    for wrong in question.misconceptions:
        if wrong.misconception and isinstance(wrong.answer, (int, float)) and isinstance(value, (int, float)) \
                and question.number_tolerance.accepts(float(value), float(wrong.answer)):
            return {name: rank for rank, name in enumerate(wrong.ids)}
    return {}


def _contradicted(question: Question, predicted: Mapping[str, Any], carried: Mapping[str, Any],
                  evidence: Mapping[str, Any], upstream: frozenset[str]) -> bool:
    """Whether the student's other values show they did not make this mistake.

    A value this answer is computed from must be the variant's. Any other value counts only
    where the mistake would change it and the student has it as it is without the mistake:
    a right L = 2 rules out a loss taken without its square, a slip in L does not rule out
    a mistake in ∂L/∂h₁ that cannot touch L.
    """
    without: Mapping[str, Any] | None = None
    for name, shown in evidence.items():
        if name == question.quantity or name not in predicted or same_answer(question, shown, predicted[name]):
            continue
        if name in upstream:
            return True
        if without is None:
            try:
                without = solutions.solution(question.solver, question.params, carried)
            except (KeyError, ValueError, ArithmeticError):
                return False
        if (name in without and not same_answer(question, predicted[name], without[name])
                and same_answer(question, shown, without[name])):
            return True
    return False


def _compatible(question: Question, carried: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Carried values the variant does not recompute itself: a mistake in ∂L_t/∂h_t replaces
    the student's later ∂L/∂h values rather than being mixed with them."""

    replaced: set[str] = set()
    for name in overrides:
        replaced |= descendants(question.solver, question.params, name)
    return {name: value for name, value in carried.items() if name not in replaced}



def with_diagnosis(question: Question, value: Any, verdict: Verdict) -> Verdict:
    """A wrong verdict with the misconception (from the solver's library) that reproduces its value.

    Parts of an exercise are left to follow-through marking, which diagnoses them in the
    light of the student's other answers.
    """
    if not question.solver or value is None or question.parent:
        return verdict
    found = diagnose(question, value)
    if found is None:
        return verdict
    return Verdict(verdict.status, verdict.score, f"{verdict.feedback} {found.feedback()}",
                   interpreted_as=verdict.interpreted_as, method=verdict.method, misconception=found.misconception,
                   alternatives=found.alternatives)

_VARIANTS = Memo(solutions.CACHE_SIZE)


def variants_of(solver: str, params: Mapping[str, Any]) -> list[Any]:
    """The misconception variants of a problem, computed once per problem."""
    from solvers.misconceptions import variants  # at first use: the library imports numpy

    return _VARIANTS.get((solver, solutions.freeze_params(params)),
                         lambda: variants(solver, params, solutions.solution(solver, params)))


def _convention_shows(item: Question, variant: Any, nudged: Mapping[str, Any]) -> bool:
    """Whether a variant that changes params (a convention) can change the item's quantity at
    all (`nudged`: the item's params, each number shifted, on which the change is tried)."""
    changed = {name: value for name, value in variant.params.items() if item.params.get(name) != value}

    def shows() -> bool:  # a changed convention shows on a nudged problem unless the quantity does not depend on it
        try:
            truth = solutions.solution(item.solver, nudged)[item.quantity]
            wrong = solutions.solution(item.solver, {**nudged, **changed})[item.quantity]
        except (KeyError, ValueError):
            return True
        return not same_answer(item, wrong, truth)

    # like the dependency graph, a fact of the problem's structure, not of its numbers
    return per_structure(item.solver, item.params, (item.quantity, item.tolerance, repr(sorted(changed.items()))), shows)


def _reach(item: Question) -> Callable[[Mapping[str, Any]], bool]:
    """Whether overrides can change the item's quantity (read from the problem's graph; True
    when the graph cannot tell: a name it does not know, a value that cannot be nudged)."""
    try:
        moved_by = mover(item.solver, item.params, item.quantity)
    except (KeyError, ValueError):
        return lambda given: True

    def reach(given: Mapping[str, Any]) -> bool:
        try:
            return moved_by(given)
        except (KeyError, ValueError):
            return True

    return reach


def _nudged(value: Any) -> Any:
    if isinstance(value, list):
        return [_nudged(v) for v in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value + 0.173
    return value


def collisions(item: Question, key: float, solved: dict[int, Any] | None = None) -> Iterator[str]:
    """Known wrong answers (the bank's and the misconception library's) that equal the key:
    a student making that mistake would be marked right. Found one at a time, so a check
    that needs only the first stops there. `solved` keeps each mistake's solution between
    the calls for the parts of one exercise, which ask about the same mistakes."""
    tolerance = item.number_tolerance
    for wrong in item.misconceptions:
        if isinstance(wrong.answer, (int, float)) and tolerance.accepts(float(wrong.answer), key):
            yield f"known wrong answer {wrong.answer!r}"
    solved = {} if solved is None else solved
    # One nudged problem for every variant: it is frozen and solved once, not once per variant.
    nudged = {name: _nudged(value) for name, value in item.params.items()}
    reach: Callable[[Mapping[str, Any]], bool] | None = None
    for variant in variants_of(item.solver, item.params):
        # A mistake that cannot change this quantity (a loss convention, for ŷ₂) is not a wrong
        # answer to it. For overrides that is read from the problem's graph, so it is asked
        # first and spares the solve; for changed params it costs two solves of a nudged
        # problem, so it is asked only of a value that lands on the key (most do not).
        if variant.given:
            reach = reach or _reach(item)
            if not reach(variant.given):
                continue
        found = _solved(item.solver, variant, solved)
        if found is None or item.quantity not in found:
            continue
        value = found[item.quantity]
        if isinstance(value, (int, float)) and tolerance.accepts(float(value), key) \
                and (variant.given or _convention_shows(item, variant, nudged)):
            yield f"misconception {variant.misconception}"


def _solved(solver: str, variant: Any, solved: dict[int, Any]) -> Mapping[str, Any] | None:
    """A variant's solution (None where the solver refuses it), kept in `solved` by identity,
    with the variant, so that a freed one's id is never mistaken for it."""
    kept = solved.get(id(variant))
    if kept is None or kept[0] is not variant:
        try:
            found = solutions.solution(solver, variant.params, variant.given)
        except (KeyError, ValueError):
            found = None
        kept = solved[id(variant)] = (variant, found)
    return kept[1]
