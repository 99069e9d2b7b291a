"""Follow-through marking: a slip is punished once, not again in every later part.

For a multi-part exercise keyed by a solver, each part's quantity depends on upstream
quantities (found empirically: perturb one through the solver's `given` and see whether
the part's quantity moves). Walking the parts in order, we keep the values the student
has used that differ from the truth ("carried" values):

- from the student's `work:` (intermediate values they showed), once an earlier part has
  made them part of the story;
- from the student's own answers to earlier parts;
- or, when a wrong part has no work to explain it, inferred: the smallest change to one
  upstream quantity (a named misconception first, then any single value found by a
  one-dimensional search) that reproduces the wrong answer and best explains the later
  answers.

A wrong part that is right when recomputed from the carried values earns the exercise's
`followthrough` share of its points, unless the carried values make it degenerate (a
carried value zeroes a factor the part depends on, so a path vanishes; a 0 reached by a
genuine cancellation is not degenerate). A part that is wrong even then is pinned, where
the work allows, to the first step of its own working that does not follow.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any, Mapping

from grader.marking import solutions
from grader.marking.dependencies import ancestors, flat, nudge
from grader.marking.diagnose import Diagnosis, diagnose
from grader.marking.compare import reproduces
from grader.marking.memo import Memo
from grader.marking.roots import values_reproducing
from grader.model import Question, Verdict, evolve, frozen

MAX_EXPLANATIONS = 4
"""Explanations kept per wrong part; later parts may follow any one of them."""
MAX_COMBINATIONS = 64
"""Stories tried for a later part when several earlier parts were wrong."""
KNOWN_MISTAKE = "inferred from a known mistake"
"""The source of values that embody a named misconception."""


@dataclass(frozen=True)
class Carried:
    """A value the student used for a quantity, where it differs from the truth."""

    quantity: str
    value: Any
    truth: Any
    source: str

    def describe(self) -> str:
        """`ŷ₁ = 2` for feedback."""
        return f"{_label(self.quantity)} = {_show(self.value)}"


@dataclass(frozen=True)
class Explanation:
    """How a wrong answer came about: carried values, possibly a named misconception."""

    carried: tuple[Carried, ...]
    diagnosis: Diagnosis | None = None
    params: Mapping[str, Any] | None = None


def mark(question: Question, values: Mapping[str, Any], work: Mapping[str, Any],
         verdicts: list[tuple[str, Verdict]]) -> list[tuple[str, Verdict]]:
    """Adjust an exercise's part verdicts for follow-through and name what went wrong."""
    if not question.solver or all(v.status in ("correct", "invalid") for pid, v in verdicts if pid in values):
        return verdicts  # nothing is wrong, so nothing was carried
    # The same values (typed as 6, 6.0 or 12/2) give the same story: search for it once.
    memo_key = (solutions.freeze(work), tuple((pid, repr(values.get(pid)), verdict) for pid, verdict in verdicts))
    return _MARKED.for_object(question, memo_key, lambda: _mark(question, values, work, verdicts))


_MARKED = Memo(solutions.CACHE_SIZE)


def _mark(question: Question, values: Mapping[str, Any], work: Mapping[str, Any],
          verdicts: list[tuple[str, Verdict]]) -> list[tuple[str, Verdict]]:
    solver, params = question.solver, question.params
    truth = solutions.solution(solver, params)
    by_id = {part.part: part for part in question.parts}
    definite: dict[str, Carried] = {}  # from the student's work and answers
    inferred: list[list[Explanation]] = []  # per wrong part without work: its possible explanations
    earlier: set[str] = set()
    out: list[tuple[str, Verdict]] = []
    for index, (pid, verdict) in enumerate(verdicts):
        part = by_id[pid]
        quantity = part.quantity
        if quantity is None or quantity not in truth or pid not in values or verdict.status == "invalid":
            out.append((pid, verdict))
            continue
        upstream = ancestors(solver, params, quantity)
        for name, value in work.items():
            if name in earlier and name in truth and name not in definite and not reproduces(part, value, truth[name]):
                definite[name] = Carried(name, value, truth[name], "your work")
        answer = values[pid]
        if verdict.status == "correct":
            # A right answer that depends on a carried value shows the student did not use that
            # value here: stop carrying it, so no later part is judged by a story it contradicts.
            _forget_contradicted(question, part, answer, upstream, definite, inferred)
        else:
            later = [(by_id[p], values.get(p)) for p, _ in verdicts[index + 1:] if p in values]
            shown = {**work, **{by_id[p].quantity: values[p] for p, _ in verdicts[:index]
                                if p in values and by_id[p].quantity}}
            contexts = [_context(definite, combo, upstream) for combo in _combinations(inferred)]
            # a later part wrong on its own is judged against the stories this part's explanations start
            judged_later = any(by_id[p].quantity in truth and v.status not in ("correct", "invalid")
                               for p, v in verdicts[index + 1:] if p in values)
            verdict, explanations = _judge(question, part, answer, verdict, contexts, work, earlier, later, shown,
                                           judged_later)
            if explanations:
                inferred.append(explanations)
        earlier |= upstream | {quantity}
        if not reproduces(part, answer, truth[quantity]):
            definite[quantity] = Carried(quantity, answer, truth[quantity], f"your answer to ({pid})")
        out.append((pid, verdict))
    return out


def _forget_contradicted(question: Question, part: Question, answer: Any, upstream: frozenset[str],
                         definite: dict[str, Carried], inferred: list[list[Explanation]]) -> None:
    solver, params, quantity = question.solver, question.params, part.quantity

    def consistent(given: Mapping[str, Any], run: Mapping[str, Any] | None = None) -> bool:
        return reproduces(part, answer, solutions.value(solver, run or params, given, quantity))

    for name in [c for c in definite if c in upstream]:
        if not consistent({name: definite[name].value}):
            del definite[name]
    for index, explanations in enumerate(inferred):
        kept = [e for e in explanations
                if consistent({c.quantity: c.value for c in e.carried if c.quantity in upstream}, e.params)]
        inferred[index] = kept or [Explanation(())]


@dataclass(frozen=True)
class _Context:
    """One consistent story of the student's earlier values: what to carry into a part."""

    relevant: Mapping[str, Carried]
    params: Mapping[str, Any] | None
    mistake: Diagnosis | None = None
    """The named mistake behind the carried values or `params` (a loss convention, h₀ left out)."""


def _combinations(inferred: list[list[Explanation]]) -> list[tuple[Explanation, ...]]:
    return list(itertools.islice(itertools.product(*inferred), MAX_COMBINATIONS))


def _context(definite: Mapping[str, Carried], combo: tuple[Explanation, ...], upstream: frozenset[str]) -> _Context:
    carried = {item.quantity: item for explanation in combo for item in explanation.carried}
    carried.update(definite)  # what the student wrote wins over what was inferred
    params = next((e.params for e in combo if e.params), None)
    mistake = next((e.diagnosis for e in combo if e.diagnosis and (e.params or e.carried)), None)
    return _Context({c: k for c, k in carried.items() if c in upstream}, params, mistake)


def _judge(question: Question, part: Question, answer: Any, verdict: Verdict, contexts: list[_Context],
           work: Mapping[str, Any], earlier: set[str], later: list[tuple[Question, Any]],
           evidence: Mapping[str, Any], judged_later: bool) -> tuple[Verdict, list[Explanation]]:
    """The verdict of one wrong part, and the explanations of it that later parts may follow
    (`judged_later`: whether any later part is wrong on its own, and so judged against them)."""
    solver, quantity = question.solver, part.quantity
    truth = solutions.solution(solver, question.params)[quantity]
    stories = [c for c in contexts if c.relevant or c.params]
    for story in stories:
        expected = solutions.value(solver, story.params or question.params, _given(story), quantity)
        if reproduces(part, answer, expected):
            carried_text = _carried_text(story)
            reason = _degenerate(question, part, story, expected)
            if reason:
                # The same mistake, carried on: named as it was where it was made.
                named = story.mistake
                return evolve(verdict, feedback=f"{verdict.feedback} It follows from {carried_text}, but {reason}, "
                                                "so it earns no follow-through credit.",
                              misconception=named.misconception if named else verdict.misconception,
                              alternatives=() if named else verdict.alternatives), []
            share = question.followthrough
            # A slip is counted once, where it was made, not again in the part it carried into; a
            # convention is named wherever it shows, since it is one way of doing every part.
            changed = story.params or {}
            convention = story.mistake.misconception if story.mistake and story.mistake.convention else None
            return evolve(verdict, status="partial" if share < 1 else "correct", score=share * 1.0,
                          followthrough=True, method="follow-through", misconception=convention,
                          alternatives=(), carried=tuple((c, frozen(v)) for c, v in _given(story).items()),
                          convention=tuple((n, frozen(v)) for n, v in changed.items()
                                           if question.params.get(n) != v),
                          feedback=f"Correct given {carried_text}; with the right values it is {_show(truth)}."), []
    if stories:
        story = stories[0]
        given, params = _given(story), story.params or question.params
        diagnosis = diagnose(part, answer, given, evidence)
        step = _first_wrong_step(question, part, given, params, work, earlier)
        text = (f"Even with {_carried_text(story)}, {_label(quantity)} would be "
                f"{_show(solutions.value(solver, params, given, quantity))}; you have {_show(answer)}.")
        text += f" {step}" if step else ""
        text += f" {diagnosis.feedback()}" if diagnosis else ""
        return _named(verdict, text, diagnosis), []
    diagnosis = diagnose(part, answer, {}, evidence, later) or _diagnose_work(question, part, work, evidence)
    explanations = _explain(question, part, answer, diagnosis, work, later, judged_later)
    best = explanations[0]
    text = verdict.feedback
    # A known mistake explains itself (its sentence follows); listing the overrides it embodies is noise.
    if best.carried and not (best.diagnosis and all(c.source == KNOWN_MISTAKE for c in best.carried)):
        shown = " and ".join(f"{c.describe()} (the right value is {_show(c.truth)})" for c in best.carried)
        from_work = all(c.source == "your work" for c in best.carried)
        text = (f"Your {_label(quantity)} = {_show(answer)} follows from your {shown}." if from_work else
                f"Your {_label(quantity)} = {_show(answer)} is what {shown} would give.")
    if diagnosis:
        text += f" {diagnosis.feedback()}"
    return _named(verdict, text, diagnosis), explanations


def _named(verdict: Verdict, feedback: str, diagnosis: Diagnosis | None) -> Verdict:
    return evolve(verdict, feedback=feedback, misconception=diagnosis.misconception if diagnosis else None,
                  alternatives=diagnosis.alternatives if diagnosis else ())


def _diagnose_work(question: Question, part: Question, work: Mapping[str, Any],
                   evidence: Mapping[str, Any]) -> Diagnosis | None:
    """The misconception behind a wrong step of the shown work, when the answer itself matches
    none: a shown ∂L₂/∂W_h = 8 is one-step BPTT whatever the final ∂L/∂W_h came to."""
    truth = solutions.solution(question.solver, question.params)
    upstream = ancestors(question.solver, question.params, part.quantity)
    for name, value in work.items():
        if name in upstream and name in truth and not reproduces(part, value, truth[name]):
            step = evolve(part, quantity=name, misconceptions=())
            found = diagnose(step, value, {}, {n: v for n, v in evidence.items() if n != name})
            if found:
                return found
    return None


def _given(story: _Context) -> dict[str, Any]:
    return {c: k.value for c, k in story.relevant.items()}


def _explain(question: Question, part: Question, answer: Any, diagnosis: Diagnosis | None,
             work: Mapping[str, Any], later: list[tuple[Question, Any]],
             judged_later: bool) -> list[Explanation]:
    """Ways the wrong answer could have come about, most convincing first.

    Shown work that reproduces the answer is taken as it is. Otherwise the candidates are
    the answer alone (nothing inferred), the named misconception's values, and any single
    upstream value a one-dimensional search finds; they are ranked by how many later
    answers they make consistent, the smallest first on a tie. Only the first is read when
    no later part is `judged_later` against them.
    """
    solver, params, quantity = question.solver, question.params, part.quantity
    truth = solutions.solution(solver, params)
    upstream = ancestors(solver, params, quantity)
    shown_work = {c: v for c, v in work.items() if c in upstream and c in truth and not reproduces(part, v, truth[c])}
    if shown_work and reproduces(part, answer, solutions.value(solver, params, shown_work, quantity)):
        return [Explanation(tuple(Carried(c, v, truth[c], "your work") for c, v in shown_work.items()), diagnosis)]
    candidates = [Explanation(())]
    if diagnosis:
        candidates.append(Explanation(
            tuple(Carried(c, v, truth.get(c), KNOWN_MISTAKE) for c, v in diagnosis.given.items()
                  if not reproduces(part, v, truth.get(c))),
            diagnosis, diagnosis.params if diagnosis.params != params else None))
    if not any(value is not None and later_part.quantity in truth for later_part, value in later):
        # Nothing later this solver computes: every candidate would tie with the answer alone,
        # which stays first, and no later part reads the others, so searching for them is waste.
        return candidates[:MAX_EXPLANATIONS]

    def explains(candidate: Explanation) -> int:
        given = _story(quantity, answer, candidate)
        run = candidate.params or params
        return sum(1 for later_part, value in later
                   if value is not None and later_part.quantity
                   and reproduces(later_part, value, solutions.value(solver, run, given, later_part.quantity)))

    if not judged_later and explains(candidates[0]) == sum(1 for p, v in later if v is not None and p.quantity):
        # The answer alone makes every later answer consistent, so it stays first whatever the
        # search finds, and no later part is judged against the others: the search is waste.
        return candidates[:MAX_EXPLANATIONS]
    found = values_reproducing(part, solver, params, (n for n in truth if n in upstream), answer)
    for name, values in found.items():
        for value in values:
            candidates.append(Explanation((Carried(name, value, truth[name], "inferred from your answers"),)))
    # sorted() is stable: on a tie the earlier, smaller explanation stays first.
    return sorted(candidates, key=explains, reverse=True)[:MAX_EXPLANATIONS]


def _first_wrong_step(question: Question, part: Question, given: Mapping[str, Any], params: Mapping[str, Any],
                      work: Mapping[str, Any], earlier: set[str]) -> str:
    """Point at the first step of this part's own working that does not follow."""
    solver = question.solver
    expected = solutions.solution(solver, params, given)
    upstream = ancestors(solver, question.params, part.quantity)
    for name in expected:  # solver order is the order of the working
        if name in work and name in upstream and name not in earlier and not reproduces(part, work[name], expected[name]):
            return (f"The step that goes wrong is {_label(name)}: you have {_show(work[name])}, "
                    f"but from your earlier values it is {_show(expected[name])}.")
    return ""


def _degenerate(question: Question, part: Question, story: _Context, expected: Any) -> str:
    """Why the carried values make this part too easy to earn credit, or ''.

    Carrying ŷ₂ = y₂, say, zeroes the factor ŷ₂ − y₂ of L₂ and of every gradient through it:
    the part is then right without the path it exists to test. So a part is degenerate when
    a carried value, or a quantity the part depends on, is 0 under the student's story but
    not in truth, and nothing but the carried values holds it there (`_pinned`). A 0 that
    is a sum of live terms (−12 + 12) is a genuine cancellation and earns credit.
    """
    tolerance = (part.tolerance.abs if part.tolerance else 1e-9)
    if not all(math.isfinite(float(v)) for v in flat(expected)):
        return "the carried values make it undefined"
    solver = question.solver
    params = story.params or question.params
    given = _given(story)
    told = solutions.solution(solver, params, given)  # carried values included
    right = solutions.solution(solver, question.params)
    upstream = ancestors(solver, question.params, part.quantity) | {part.quantity}
    for name in told:  # solver order: the first step that collapses
        if (name in upstream and _is_zero(told[name], tolerance) and not _is_zero(right[name], tolerance)
                and (name in given or _pinned(solver, params, given, name, told, tolerance))):
            carried = story.relevant.get(name)
            if carried:
                return f"the carried {carried.describe()} trivialises it"
            if name == part.quantity:
                return "the carried values make it trivially 0"
            return f"that makes {_label(name)} = 0, which trivialises it"
    return ""


def _pinned(solver: str, params: Mapping[str, Any], given: Mapping[str, Any], name: str,
            told: Mapping[str, Any], tolerance: float) -> bool:
    """Whether `name` stays 0 however any value it depends on moves, the carried ones held:
    a factor the carried values zeroed, not a sum of live terms that cancel."""
    for other in ancestors(solver, params, name):
        if other in given:
            continue
        nudged = {**given, other: nudge(told[other])}
        moved = solutions.value(solver, params, nudged, name)
        if moved is not None and not _is_zero(moved, tolerance):
            return False
    return True


def _story(quantity: str, answer: Any, candidate: Explanation) -> dict[str, Any]:
    """The overrides under which a candidate explanation is tried: the answer and its carried values."""
    return {quantity: answer, **{c.quantity: c.value for c in candidate.carried}}


def _is_zero(value: Any, tolerance: float) -> bool:
    return all(abs(v) <= tolerance for v in flat(value))


def _carried_text(story: _Context) -> str:
    """`your ŷ₁ = 2 and ∂L/∂h₁ = −8`, naming a convention or a mistake carried from an earlier part."""
    pieces = [item.describe() for item in story.relevant.values()]
    text = "your " + " and ".join(pieces) if pieces else ""
    if story.params:
        mistake = story.mistake
        carried = "the convention you used" if mistake is None or mistake.convention else f"your {mistake.detail}"
        text += (" with " if text else "") + f"{carried} in an earlier part"
    return text


def _label(name: str) -> str:
    from solvers.format import quantity_label  # at first use: solvers.format imports numpy

    return quantity_label(name)


def _show(value: Any) -> str:
    from solvers.format import value as shown  # at first use: solvers.format imports numpy

    return shown(value)
