"""Randomised questions: every student gets their own numbers.

A bank question with `randomise:` draws named values from choices or ranges, keeps only
draws that meet its `require:` formulas (over the drawn names and the solver's scalar
quantities, such as `abs(yhat1 - y1) >= 1`) and whose `nonzero:` quantities are not 0,
and fills `{{formula}}` templates in its text, options, parameters and known wrong answers.
A variant is a pure function of the question and a seed, so the same seed always gives the
same question and a student's submission is regraded on the numbers they were given.

Templates are formulas over the drawn names, read by the project's own parser; a field
that is exactly one template keeps the value's type (a number stays a number), anywhere
else the value is written into the text. Numbers are drawn on a grid and shown by their
shortest exact decimal, so what a student reads is exactly what the solver uses.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterator, Mapping

from grader.errors import QuizError, ResponseError
from grader.marking import solutions
from grader.marking.dependencies import flat
from grader.marking.diagnose import collisions
from grader.marking.memo import Memo
from grader.model import Option, Question, evolve

MAX_DRAWS = 200
"""Draws tried per seed before a variant is declared impossible."""
_TEMPLATE = re.compile(r"\{\{(.+?)\}\}")
_COMPARISON = re.compile(r"^(.+?)\s*(==|!=|<=|>=|<|>)\s*(.+)$")
_GRID = 10
"""Decimals a drawn number is rounded to, so 0.1 + 0.2 steps stay exactly 0.3."""


class VariantError(QuizError):
    """A randomised question cannot produce a valid variant; the message says why."""


@dataclass(frozen=True)
class Draw:
    """How one value is drawn: from `choice` values, or from a range on a grid of `step`."""

    name: str
    choice: tuple[Any, ...] = ()
    low: float = 0.0
    high: float = 0.0
    step: float = 1.0

    def sample(self, rng: Any) -> Any:
        """One value for this name."""
        if self.choice:
            return rng.choice(self.choice)
        count = int(round((self.high - self.low) / self.step))
        value = round(self.low + self.step * rng.randint(0, count), _GRID)
        return int(value) if float(value).is_integer() and float(self.step).is_integer() else value


@dataclass(frozen=True)
class Randomise:
    """A question's randomisation: what is drawn and what a valid draw must satisfy."""

    draws: tuple[Draw, ...]
    require: tuple[str, ...] = ()
    nonzero: tuple[str, ...] = ()
    unambiguous: bool = False
    """Reject a draw in which a known mistake would give a right answer."""


def seed_for_student(student: str) -> int:
    """A stable seed from a student id, so a student always sees their own numbers."""
    import hashlib

    return int.from_bytes(hashlib.sha256(student.encode("utf-8")).digest()[:4], "big")


def instantiate(question: Question, seed: int | None, *, check_solver: bool = True, shared: bool = False) -> Question:
    """The question with its drawn values filled in (unchanged if it is not randomised).

    With `check_solver=False` only the conditions on drawn names are checked, so nothing is
    solved: the bank loader uses that to validate templates without importing the math.
    A draw is filled and checked once per process, however many seeds draw it. With
    `shared=True` the question filled for the first such seed is returned as is (its `seed`
    is that seed's): batch grading, which never reads it, then shares every per-question
    memo between students who drew the same numbers.
    """
    spec = question.randomise
    if spec is None:
        return question
    seed = 0 if seed is None else seed
    last_reason = ""
    for values in candidates(question, seed):
        early, late = _split(spec, values)
        reason = _unmet(early, values)
        if not reason and not check_solver:
            return fill(question, values, seed)
        if not reason:
            concrete, reason = _DRAWN.for_object(question, tuple(sorted(values.items())),
                                                 lambda: _checked(question, spec, values, seed, late))
            if not reason:
                return concrete if shared or concrete.seed == seed else evolve(concrete, seed=seed)
        last_reason = reason
    raise VariantError(f"{question.id}: no valid variant for seed {seed} in {MAX_DRAWS} draws "
                       f"(last rejected because {last_reason}); loosen `require`")


def recorded(question: Question, seed: int | None, drawn: Mapping[str, str]) -> Question | None:
    """The variant a session drew and recorded (`drawn`: each name's value as `show` writes
    it), without drawing again; None when `drawn` is not one of this seed's draws.

    A session checked its draw against every `require`, `nonzero` and `unambiguous` rule
    when it drew it. Here the record is held to the seed (a file can only name one of the
    draws its own seed makes) and to every rule on the numbers themselves (`require`,
    `nonzero`); what is not redone is the search for rejected draws before it and the
    unambiguous check, which solve every known mistake (about a sixth of a randomised
    student's grading). As with `instantiate(shared=True)`, a draw several students
    recorded is filled once and shared (its `seed` is the first one's).
    """
    spec = question.randomise
    if spec is None:
        return question
    seed = 0 if seed is None else seed
    for values in candidates(question, seed):
        if {name: show(value) for name, value in values.items()} == drawn:
            early, late = _split(spec, values)
            if _unmet(early, values):
                return None
            concrete, reason = _DRAWN.for_object(question, ("recorded", *sorted(values.items())), lambda: _checked(
                question, replace(spec, unambiguous=False), values, seed, late))
            return None if reason else concrete
    return None


def _split(spec: Randomise, values: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The `require` rules on drawn names alone (checked before solving), and the rest."""
    drawn = {_canonical(n) for n in values}
    early = [c for c in spec.require if _names(c) <= drawn]
    return early, [c for c in spec.require if c not in early]


def candidates(question: Question, seed: int) -> Iterator[dict[str, Any]]:
    """The values of each draw a seed makes, in order (at most MAX_DRAWS)."""
    import random

    rng = random.Random(f"{question.id}:{seed}")
    for _ in range(MAX_DRAWS):
        yield {draw.name: draw.sample(rng) for draw in question.randomise.draws}


def _checked(question: Question, spec: Randomise, values: dict[str, Any], seed: int,
             late: list[str]) -> tuple[Question | None, str]:
    """The filled variant of a draw and why it is rejected ("" if it is not). The rules on
    solved quantities are checked on the filled params before the text is filled: about a
    quarter of the draws that reach them fail them, and need no text."""
    value_of = _filler(values)
    params = _render(dict(question.params), value_of)
    reason = _unsolvable(spec, question.solver, params, values, late)
    if reason:
        return None, reason
    concrete = fill(question, values, seed, value_of, (question.params, params))
    return concrete, _ambiguous(concrete) if spec.unambiguous else ""


_DRAWN = Memo(2_000)
"""Filled and checked draws: a small draw space (a choice of nine weights and sixteen
lengths) is drawn by many students of a class."""


def _unmet(conditions: list[str], values: Mapping[str, Any]) -> str:
    numbers = _numbers(values) if conditions else {}  # named once for every condition
    for condition in conditions:
        if not _holds(condition, values, numbers):
            return f"'{condition}' is false"
    return ""


def _unsolvable(spec: Randomise, solver: str | None, params: Mapping[str, Any], values: Mapping[str, Any],
                late: list[str]) -> str:
    """Why a draw's problem is not acceptable: a `nonzero` quantity is 0, or a `require` on
    quantities fails ("" if neither)."""
    if not (spec.nonzero or late):
        return ""
    solved = solutions.solution(solver, params)
    for name in spec.nonzero:
        if all(abs(float(v)) < 1e-12 for v in flat(solved[name])):
            return f"{name} is 0"
    # Only the quantities the conditions name: a solution has dozens.
    named = frozenset().union(*map(_names, late))
    scalars = {name: solved[name] for name in _named_in(tuple(solved), named)
               if isinstance(solved[name], (int, float)) and not isinstance(solved[name], bool)}
    return _unmet(late, {**scalars, **values})


def _ambiguous(question: Question) -> str:
    """Which part's key a known mistake gives ("" if none): the first found rejects the draw."""
    solved: dict[int, Any] = {}  # each mistake is solved once for all the parts that ask about it
    for item in question.parts or (question,):
        if item.kind == "number" and item.quantity and item.solver:
            # A part may have its own solver (a vanilla RNN beside a GRU), and its own mistakes.
            key = float(solutions.solution(item.solver, item.params)[item.quantity])
            found = next(collisions(item, key, solved), None)
            if found:
                return f"{found} gives the key of {item.id}"
    return ""


@functools.lru_cache(maxsize=256)
def _named_in(quantities: tuple[str, ...], named: frozenset[str]) -> tuple[str, ...]:
    """The quantities a condition can name (a formula names `yhat1`, never `dL/dh1`) that
    the conditions do name: worked out once per problem shape, not once per draw."""
    return tuple(name for name in quantities if re.fullmatch(r"[A-Za-z]\w*", name) and _canonical(name) in named)


@functools.lru_cache(maxsize=256)
def _comparison(condition: str) -> tuple[str, str, str]:
    """A `require` formula's two sides and its operator (split once: every draw asks)."""
    match = _COMPARISON.match(condition)
    if not match:
        raise VariantError(f"'{condition}' is not a comparison such as 'x1 != x2'")
    left, op, right = match.groups()
    return left, op, right


@functools.lru_cache(maxsize=256)
def _names(condition: str) -> frozenset[str]:
    """The canonical names a `require` formula uses (parsed once: every draw asks)."""
    from grader.mathinput import mathparse  # at first use: keeps start-up fast

    left, _, right = _comparison(condition)
    names: set[str] = set()
    for side in (left, right):
        try:
            names |= set(mathparse.parse(side, variables=None).names)
        except ResponseError as exc:
            raise VariantError(f"cannot read '{condition}': {exc}") from None
    return frozenset(names)


@functools.lru_cache(maxsize=1024)
def _canonical(name: str) -> str:
    """A drawn or solved name as the parser spells it (remembered: every draw asks again)."""
    from grader.mathinput import mathparse  # at first use: keeps start-up fast

    return mathparse.canonical_name(name)


def holds(condition: str, values: Mapping[str, Any]) -> bool:
    """Whether a `require` formula such as `x1 != x2` or `W_h*h0 < 3` is true for `values`."""
    return _holds(condition, values, _numbers(values))


def _holds(condition: str, values: Mapping[str, Any], numbers: dict[str, float]) -> bool:
    left, op, right = _comparison(condition)
    a, b = _evaluate(left, values, numbers), _evaluate(right, values, numbers)
    if isinstance(a, str) or isinstance(b, str):
        return {"==": a == b, "!=": a != b}.get(op, False)
    close = abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    return {"==": close, "!=": not close, "<": a < b and not close, ">": a > b and not close,
            "<=": a < b or close, ">=": a > b or close}[op]


def evaluate(formula: str, values: Mapping[str, Any]) -> Any:
    """A template formula's value: a drawn text value as is, else the number the formula gives."""
    return _evaluate(formula, values, _numbers(values))


def _numbers(values: Mapping[str, Any]) -> dict[str, float]:
    # The parser spells names canonically (h0 is h_0), so the values are keyed the same way.
    return {_canonical(name): float(v) for name, v in values.items() if not isinstance(v, str)}


def _evaluate(formula: str, values: Mapping[str, Any], numbers: dict[str, float]) -> Any:
    formula = formula.strip()
    if formula in values:
        drawn = values[formula]
        if isinstance(drawn, str):
            return drawn
        # a drawn name alone (most templates: {{x1}}) is its number, as the parser would read it
        value = round(float(drawn), _GRID)
    else:
        try:
            parsed = _parsed(formula, tuple(sorted(numbers)))
        except ResponseError as exc:
            raise VariantError(f"cannot read '{{{{{formula}}}}}': {exc}") from None
        try:
            value = round(parsed.value(numbers), _GRID)
        except (ValueError, ArithmeticError) as exc:
            raise VariantError(f"'{{{{{formula}}}}}' is undefined for {dict(values)}: {exc}") from None
    return int(value) if value.is_integer() else value


@functools.lru_cache(maxsize=1024)
def _parsed(formula: str, names: tuple[str, ...]) -> Any:
    """A bank's template formula, parsed once: every draw of every student fills the same ones."""
    from grader.mathinput import mathparse  # at first use: keeps start-up fast

    return mathparse.parse(formula, variables=list(names))


def show(value: Any) -> str:
    """A value as the student reads it: integers without a decimal point, floats exactly."""
    return str(value) if isinstance(value, (int, str)) else repr(value)


def render(text: Any, values: Mapping[str, Any]) -> Any:
    """Fill templates in a field: one whole template keeps the value's type; else text is filled."""
    return _render(text, _filler(values))


def _filler(values: Mapping[str, Any]) -> Callable[[str], Any]:
    """Each template formula's value for these drawn values, worked out once: a question
    names the same few formulas dozens of times (prompt, parameters, parts, wrong answers)."""
    numbers = _numbers(values)
    known: dict[str, Any] = {}

    def value_of(formula: str) -> Any:
        if formula not in known:
            known[formula] = _evaluate(formula, values, numbers)
        return known[formula]

    return value_of


def _render(text: Any, value_of: Callable[[str], Any]) -> Any:
    if isinstance(text, list):
        return [_render(item, value_of) for item in text]
    if isinstance(text, dict):
        return {key: _render(item, value_of) for key, item in text.items()}
    if not isinstance(text, str) or "{{" not in text:
        return text
    whole, pieces = _template(text)
    if whole is not None:
        return value_of(whole)
    # odd pieces are formulas, even ones the text between them
    return "".join(show(value_of(piece)) if index % 2 else piece for index, piece in enumerate(pieces))


@functools.lru_cache(maxsize=4096)
def _template(text: str) -> tuple[str | None, tuple[str, ...]]:
    """A template field read once (every draw of every student fills the same ones): the formula
    when the field is exactly one template, else the text split around its formulas."""
    whole = _TEMPLATE.fullmatch(text.strip())
    return (whole.group(1), ()) if whole else (None, tuple(_TEMPLATE.split(text)))


def fill(question: Question, values: Mapping[str, Any], seed: int,
         value_of: Callable[[str], Any] | None = None, filled: tuple[Any, Any] | None = None) -> Question:
    """A copy of `question` with every template filled from `values` (`value_of` and `filled`,
    the exercise's params template and its filled copy, are shared with its parts)."""
    value_of = value_of or _filler(values)

    def render(field: Any) -> Any:
        return _render(field, value_of)

    # A part that takes its exercise's params takes the same filled dict: every solve and
    # memo is keyed by a problem's params, which are then frozen once per draw, not per part.
    params = filled[1] if filled and filled[0] is question.params else render(dict(question.params))

    def text(value: str | None) -> str | None:
        return None if value is None else str(render(value))

    options = tuple(Option(o.letter, text(o.text) or "", text(o.feedback), render(o.value),
                           None if o.expr is None else str(render(o.expr)), o.chain, o.misconception)
                    for o in question.options)
    wrongs = tuple(evolve(w, answer=render(w.answer), feedback=text(w.feedback) or "")
                   for w in question.misconceptions)
    parts = tuple(fill(part, values, seed, value_of, (question.params, params)) for part in question.parts)
    return evolve(question, prompt=text(question.prompt) or "", explanation=text(question.explanation) or "",
                  hints=tuple(text(h) or "" for h in question.hints), options=options,
                  answer=render(question.answer), misconceptions=wrongs,
                  params=params, parts=parts,
                  variant=dict(values), seed=seed)
