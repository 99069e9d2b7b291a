"""The immutable data the grader works on: banks, questions, verdicts.

Everything here is a frozen dataclass built once by `grader.bank` and never mutated, so
a question can be shared by a session, a batch grade and the verifier without copies.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field, fields
from typing import Any, Mapping, TypeVar

STATUSES = ("correct", "partial", "incorrect", "invalid", "undecided")

RTOL_DEFAULT = 1e-3
"""Relative tolerance for numbers: 0.1 %, WeBWorK's default, loose enough for 3 significant figures."""
ATOL_DEFAULT = 1e-9
"""Absolute tolerance, so an answer of 1e-12 to a key of 0 is accepted but 1e-4 is not."""

FOLLOWTHROUGH_DEFAULT = 0.75
"""Share of a part's points earned when it is right only given the student's own earlier values."""


@dataclass(frozen=True)
class Tolerance:
    """Accept a value a for key k when |a - k| <= abs + rel * |k|."""

    rel: float = RTOL_DEFAULT
    abs: float = ATOL_DEFAULT

    def __post_init__(self) -> None:
        for value in (self.rel, self.abs):
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"tolerances must be finite and non-negative, not {value!r}")

    def accepts(self, answer: float, key: float) -> bool:
        """True when `answer` is within this tolerance of `key`."""
        return abs(answer - key) <= self.abs + self.rel * abs(key)


DEFAULT_TOLERANCE = Tolerance()
"""A number question's tolerance when its bank gives none (made once: grading asks constantly)."""


@dataclass(frozen=True)
class Source:
    """Where a question comes from: a source document and its question number."""

    document: str
    question: str


@dataclass(frozen=True)
class Option:
    """One lettered option of a choice or multi question."""

    letter: str
    text: str
    feedback: str | None = None
    value: Any = None
    expr: str | None = None
    chain: Any = None
    misconception: str | None = None


@dataclass(frozen=True)
class RubricPoint:
    """A point a written answer should make: ideas that must all be present, each as any
    of its phrases, unless a `contradicts` phrase voids it. A negative weight makes it a
    misconception: `point` is then the sentence shown to a student whose answer shows it."""

    point: str
    weight: float
    ideas: tuple[tuple[str, ...], ...]
    contradicts: tuple[str, ...] = ()
    ignores_negation: bool = False
    """True for a point that a negated phrase makes as well ("a feed-forward network cannot
    use the context" makes the point about context): negation neither voids nor is needed."""

    @property
    def misconception(self) -> bool:
        """Whether this point subtracts (a misconception) rather than earns."""
        return self.weight < 0


@dataclass(frozen=True)
class LabelledAnswer:
    """A written answer with the credit (0–1) an instructor gives it: a rubric's self-test.

    `misses` lists the rubric points (1-based, misconceptions not counted) the answer
    must not earn, e.g. the points a negated answer negates."""

    answer: str
    credit: float
    label: str = ""
    misses: tuple[int, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class Evidence:
    """What a written answer showed for one rubric point, and the words that decided it.

    `state` is earned, missed, voided (negated or contradicted), partial (some of its
    ideas only) or misconception (a misconception point that fired)."""

    point: str
    weight: float
    state: str
    words: tuple[str, ...] = ()
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        """The JSON form inside a verdict's `evidence` list."""
        out: dict[str, Any] = {"point": self.point, "weight": self.weight, "state": self.state,
                               "words": list(self.words)}
        if self.reason:
            out["reason"] = self.reason
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Evidence":
        """The Evidence a stored `to_json()` came from."""
        return cls(data["point"], float(data["weight"]), data["state"], tuple(data.get("words", ())),
                   data.get("reason", ""))

    def describe(self) -> str:
        """One line for people: mark, point, and the words that decided it."""
        mark = {"earned": "✓", "voided": "✗", "partial": "◐", "misconception": "!", "missed": "·"}[self.state]
        words = ", ".join(f"'{w}'" for w in self.words)
        said = f" ({words})" if words else ""
        why = f"; {self.reason}" if self.reason else ""
        label = "" if self.state == "earned" else f"{self.state}: "
        return f"{mark} {label}{self.point}{said}{why}"


@dataclass(frozen=True)
class KnownWrong:
    """An answer that comes from a known mistake, with the feedback that names it."""

    answer: Any
    feedback: str
    misconception: str | None = None
    also: tuple[str, ...] = ()
    """Further misconceptions that give the same answer, less likely than `misconception`."""

    @property
    def ids(self) -> tuple[str, ...]:
        """Every misconception this answer is attributed to, most likely first."""
        return ((self.misconception,) if self.misconception else ()) + self.also


@dataclass(frozen=True)
class Question:
    """A question, or one part of an exercise (then `parent` is the exercise's id).

    `id` is the full id (`bank/qid`, or `bank/qid.part` for a part). Solver fields of a
    part are inherited from its exercise when the bank is loaded.
    """

    id: str
    kind: str
    prompt: str
    explanation: str
    source: Source
    line: int = 0
    parent: str | None = None
    notes: str | None = None
    tags: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    options: tuple[Option, ...] = ()
    answer: Any = None
    scoring: str = "per_option"
    tolerance: Tolerance | None = None
    variables: Mapping[str, tuple[float, float] | None] = field(default_factory=dict)
    functions: tuple[str, ...] = ()
    form: str | None = None
    rubric: tuple[RubricPoint, ...] = ()
    labelled: tuple[LabelledAnswer, ...] = ()
    """A text question's labelled answers (`examples:` in a bank)."""
    misconceptions: tuple[KnownWrong, ...] = ()
    solver: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    quantity: str | None = None
    parts: tuple["Question", ...] = ()
    followthrough: float = FOLLOWTHROUGH_DEFAULT
    points: float = 1.0
    attempts: int | None = None
    """Tries allowed at this question (each part of an exercise on its own); None: the bank's or the mode's."""
    penalty: float | None = None
    """Score taken off per try after the first; None: the bank's or the mode's."""
    randomise: Any = None
    """How a randomised question draws its numbers (a `grader.variants.Randomise`)."""
    variant: Mapping[str, Any] | None = None
    """The drawn values, once a randomised question is instantiated for a seed."""
    seed: int | None = None

    @property
    def bank(self) -> str:
        """The id of the bank this question belongs to."""
        return self.id.split("/", 1)[0]

    @property
    def short_id(self) -> str:
        """The id within the bank (`q7`, `task1.a`)."""
        return self.id.split("/", 1)[1]

    @property
    def number_tolerance(self) -> Tolerance:
        """The tolerance a numeric answer is judged within: the bank's, else the default."""
        return self.tolerance or DEFAULT_TOLERANCE

    @functools.cached_property  # asked for every part of every exercise of every submission
    def part(self) -> str:
        """A part's own id (`a` of `in5400/task1.a`); empty for a whole question."""
        return self.id.rsplit(".", 1)[1] if self.parent else ""

    @property
    def topic(self) -> str:
        """The main topic: the first tag, or the kind when untagged."""
        return self.tags[0] if self.tags else self.kind

    def option(self, letter: str) -> Option:
        """The option with this letter (KeyError if there is none)."""
        for option in self.options:
            if option.letter == letter:
                return option
        raise KeyError(letter)


@dataclass(frozen=True)
class Bank:
    """A loaded, validated question bank."""

    id: str
    title: str
    path: str
    document: str
    questions: tuple[Question, ...]
    notes: str | None = None
    attempts: int | None = None
    """Tries allowed at each question unless a question says otherwise; None: the mode's default."""
    penalty: float | None = None
    """Score taken off per try after the first, unless a question says otherwise."""

    @property
    def size(self) -> int:
        """How many answerable items the bank asks: each question, or each part of an exercise."""
        return sum(len(q.parts) or 1 for q in self.questions)

    def items(self) -> tuple[Question, ...]:
        """Every question and every exercise part, in bank order."""
        out: list[Question] = []
        for question in self.questions:
            out.append(question)
            out.extend(question.parts)
        return tuple(out)


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one response.

    `interpreted_as` echoes how the input was read; `method` names what decided an
    equivalence; `parts` holds the verdicts of an exercise's parts by part id.
    """

    status: str
    score: float
    feedback: str
    interpreted_as: str | None = None
    method: str | None = None
    misconception: str | None = None
    needs_review: bool = False
    followthrough: bool = False
    parts: tuple[tuple[str, "Verdict"], ...] = ()
    alternatives: tuple[str, ...] = ()
    """Other misconceptions that give the same answer, less likely than `misconception`."""
    carried: tuple[tuple[str, Any], ...] = ()
    """For follow-through credit: the student's values it was computed from, (quantity, value)."""
    convention: tuple[tuple[str, Any], ...] = ()
    """For follow-through credit: parameters the student's convention changed, (name, value)."""
    evidence: tuple[Evidence, ...] = ()
    """For a written answer: what each rubric point found (see `Evidence`)."""
    uncertain: bool = False
    """A written answer that neither clearly earns nor clearly misses its points."""

    def to_json(self) -> dict[str, Any]:
        """The JSON form used by `check --json`, gradebooks and the store."""
        out: dict[str, Any] = {
            "status": self.status,
            "score": round(self.score, 6),
            "feedback": self.feedback,
            "interpreted_as": self.interpreted_as,
        }
        if self.method:
            out["method"] = self.method
        if self.misconception:
            out["misconception"] = self.misconception
        if self.needs_review:
            out["needs_review"] = True
        if self.followthrough:
            out["followthrough"] = True
        if self.alternatives:
            out["alternatives"] = list(self.alternatives)
        if self.carried:
            out["carried"] = {name: _json_value(value) for name, value in self.carried}
        if self.convention:
            out["convention"] = {name: _json_value(value) for name, value in self.convention}
        if self.parts:
            out["parts"] = {pid: verdict.to_json() for pid, verdict in self.parts}
        if self.uncertain:
            out["uncertain"] = True
        if self.evidence:
            out["evidence"] = [e.to_json() for e in self.evidence]
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Verdict":
        """The Verdict a stored `to_json()` came from."""
        return cls(
            status=data["status"], score=float(data["score"]), feedback=data.get("feedback", ""),
            interpreted_as=data.get("interpreted_as"), method=data.get("method"),
            misconception=data.get("misconception"), needs_review=bool(data.get("needs_review")),
            followthrough=bool(data.get("followthrough")),
            alternatives=tuple(data.get("alternatives", ())),
            carried=tuple((name, frozen(value)) for name, value in data.get("carried", {}).items()),
            convention=tuple((name, frozen(value)) for name, value in data.get("convention", {}).items()),
            parts=tuple((pid, cls.from_json(part)) for pid, part in data.get("parts", {}).items()),
            evidence=tuple(Evidence.from_json(e) for e in data.get("evidence", ())),
            uncertain=bool(data.get("uncertain")),
        )


def frozen(value: Any) -> Any:
    """A number or (nested) array as hashable plain data: floats in nested tuples; text as it is."""
    if isinstance(value, (str, bool)) or value is None:
        return value
    if hasattr(value, "tolist") and not hasattr(value, "free_symbols"):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return tuple(frozen(v) for v in value)
    if hasattr(value, "free_symbols"):
        return str(value)
    return float(value)


def _json_value(value: Any) -> Any:
    return [_json_value(v) for v in value] if isinstance(value, tuple) else value


NOT_ANSWERED = Verdict("incorrect", 0.0, "Not answered.")
"""The verdict of a part or question left without an answer."""


def status_for(score: float) -> str:
    """The status a valid response with this score earns."""
    if score >= 1 - 1e-9:
        return "correct"
    return "partial" if score > 1e-9 else "incorrect"


_Model = TypeVar("_Model")
_FIELDS: dict[type, frozenset[str]] = {}


def evolve(item: _Model, **changes: Any) -> _Model:
    """`dataclasses.replace` for the models here that have no `__post_init__` (all but
    Tolerance): the fields are copied and the changed ones set, without `__init__` setting
    each of them again (a Question has 37; grading copies questions, parts and verdicts for
    every student). A name that is not a field is refused as replace refuses it; cached
    properties are not carried over."""
    cls = type(item)
    names = _FIELDS.get(cls)
    if names is None:
        if hasattr(cls, "__post_init__"):
            raise TypeError(f"{cls.__name__} checks itself in __post_init__: use dataclasses.replace")
        names = _FIELDS[cls] = frozenset(f.name for f in fields(cls))
    if not names.issuperset(changes):
        raise TypeError(f"{cls.__name__} has no field {sorted(set(changes) - names)[0]!r}")
    new = object.__new__(cls)
    new.__dict__.update({name: value for name, value in item.__dict__.items() if name in names}, **changes)
    return new
