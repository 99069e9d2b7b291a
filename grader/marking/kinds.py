"""The seam for question kinds: the `Kind` protocol and the `KINDS` registry.

A kind turns a student's text into a response (`parse`), judges it against the key
(`check`), and echoes how it read the input (`format`). `key` turns a bank's literal
answer, or a solver's value, into what `check` compares against, and `examples` gives
the inputs its self-test must grade right, wrong and invalid. Adding a kind is one class
here and one entry in `KINDS`; the loader learns its fields from the class.

Kinds that need math (`number`, `expression`, `matrix`) import the parser lazily, so
`list`, `show` and `check` on a choice never pay for sympy or numpy.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Mapping, Protocol

from grader.errors import ResponseError
from grader.marking.memo import Memo
from grader.model import NOT_ANSWERED, Question, Tolerance, Verdict, status_for

MAX_CHOICE_CHARS = 2_000
MAX_TEXT_CHARS = 10_000
"""Longest written answer accepted; an essay this long is not a short answer."""


class Kind(Protocol):
    """What every question kind provides."""

    name: str
    fields: frozenset[str]
    """Fields a question of this kind may have beyond the common ones."""
    needs_key: bool
    """Whether a literal `answer` or a solver quantity is required."""

    def key(self, question: Question, value: Any) -> Any:
        """Turn a literal answer or solver value into what `check` compares with."""

    def parse(self, question: Question, text: str) -> Any:
        """Read a student's text; raise ResponseError saying what to type instead."""

    def check(self, question: Question, response: Any, key: Any) -> Verdict:
        """Judge a parsed response against the key."""

    def format(self, question: Question, response: Any) -> str:
        """A canonical, readable echo of the parsed response."""

    def examples(self, question: Question, key: Any) -> Examples:
        """Inputs that must grade correct, below 1, and invalid: the question's self-test."""


@dataclass(frozen=True)
class Examples:
    """Generated test inputs for one question, in the spirit of PrairieLearn's `test()`."""

    right: tuple[str, ...]
    wrong: tuple[str, ...]
    invalid: tuple[str, ...]


def fold(text: str) -> str:
    """Case- and space-insensitive form for matching option texts and rubric fragments."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _bounded(text: str, limit: int) -> str:
    if not isinstance(text, str):
        raise ResponseError("Type your answer as text.")
    if len(text) > limit:
        raise ResponseError(f"That answer is {len(text):,} characters long; answers here are limited to {limit:,}.")
    if "\x00" in text:
        raise ResponseError("The answer contains a NUL byte; type plain text.")
    return text.strip()


def _letters_hint(question: Question) -> str:
    letters = [o.letter for o in question.options]
    return f"a letter {letters[0]}–{letters[-1]} or a number 1–{len(letters)}"


def _read_option(question: Question, token: str, *, whole_text: bool) -> str:
    """The letter a token names: a letter, a position, or (for whole answers) the option's text."""
    cleaned = token.strip().strip("().:").strip()
    upper = cleaned.upper()
    letters = [o.letter for o in question.options]
    if upper in letters:
        return upper
    if cleaned.isdigit() and 1 <= int(cleaned) <= len(letters):
        return letters[int(cleaned) - 1]
    if whole_text:
        folded = fold(token)
        for option in question.options:
            if folded == fold(option.text):
                return option.letter
    raise ResponseError(f"'{token.strip()[:40]}' is not one of the options. Type {_letters_hint(question)}.")


class ChoiceKind:
    """Exactly one option is right."""

    name = "choice"
    fields = frozenset({"options", "answer", "variables", "functions"})
    needs_key = True

    def key(self, question: Question, value: Any) -> str:
        return str(value)

    def parse(self, question: Question, text: str) -> str:
        text = _bounded(text, MAX_CHOICE_CHARS)
        if not text:
            raise ResponseError(f"Type {_letters_hint(question)}.")
        try:
            return _read_option(question, text, whole_text=True)
        except ResponseError:
            if not any(o.expr is not None for o in question.options):
                raise
        return _option_by_formula(question, text)

    def check(self, question: Question, response: str, key: str) -> Verdict:
        option = question.option(response)
        shown = self.format(question, response)
        if response == key:
            return Verdict("correct", 1.0, "Correct.", interpreted_as=shown)
        verdict = Verdict("incorrect", 0.0, option.feedback or f"{response} is not the right option.",
                          interpreted_as=shown, misconception=option.misconception)
        if option.misconception or not (option.expr or option.value is not None):
            return verdict
        return _diagnosed(question, option_value(question, option), verdict)

    def format(self, question: Question, response: str) -> str:
        text = question.option(response).text
        text = text if len(text) <= 60 else text[:57] + "…"
        return f"{response}: {text}"

    def examples(self, question: Question, key: str) -> Examples:
        letters = [o.letter for o in question.options]
        position = str(letters.index(key) + 1)
        return Examples(
            right=(key, key.lower(), position, question.option(key).text),
            wrong=tuple(letter for letter in letters if letter != key),
            invalid=("", "%%", chr(ord(letters[-1]) + 1)),
        )


_MULTI_SPLIT = re.compile(r"[\s,;/&+]+|\band\b", re.IGNORECASE)
_NONE_WORDS = frozenset({"none", "-", "nothing", "no option", "no options"})


def _option_by_formula(question: Question, text: str) -> str:
    """The option whose formula equals a typed formula (`3(n^2+nm+n)` picks B of nptel/q7)."""
    from grader.mathinput import mathparse

    try:
        typed = mathparse.parse(text, variables=list(question.variables), functions=question.functions)
    except ResponseError as exc:
        raise ResponseError(f"'{text[:40]}' is neither an option nor a formula I can read ({exc}) "
                            f"Type {_letters_hint(question)}, or the formula.") from None
    for option in question.options:
        if option.expr is not None and same_value(question, option_value(question, option), typed).equivalent:
            return option.letter
    raise ResponseError(f"{typed.interpreted_as()} equals none of the options. Type {_letters_hint(question)}.")


class MultiKind:
    """Tick every right option; scored all-or-nothing or per option."""

    name = "multi"
    fields = frozenset({"options", "answer", "scoring", "variables", "functions"})
    needs_key = True

    def key(self, question: Question, value: Any) -> frozenset[str]:
        return frozenset(str(v) for v in value)

    def parse(self, question: Question, text: str) -> frozenset[str]:
        text = _bounded(text, MAX_CHOICE_CHARS)
        if fold(text) in _NONE_WORDS:
            return frozenset()
        if not text:
            raise ResponseError(f"Type the options you tick, e.g. 'A,C' or '1 3', or 'none'. Use {_letters_hint(question)}.")
        try:
            return frozenset({_read_option(question, text, whole_text=True)})
        except ResponseError:
            pass
        tokens = [t for t in _MULTI_SPLIT.split(text) if t and t.strip()]
        return frozenset(_read_option(question, t, whole_text=False) for t in tokens)

    def check(self, question: Question, response: frozenset[str], key: frozenset[str]) -> Verdict:
        shown = self.format(question, response)
        wrongly_ticked = sorted(response - key)
        missed = len(key - response)
        if question.scoring == "all_or_nothing":
            score = 1.0 if response == key else 0.0
        else:
            judged_right = sum(1 for o in question.options if (o.letter in response) == (o.letter in key))
            score = judged_right / len(question.options)
        if response == key:
            return Verdict("correct", 1.0, "Correct: exactly the right options.", interpreted_as=shown)
        pieces = []
        if wrongly_ticked:
            for letter in wrongly_ticked:
                feedback = question.option(letter).feedback
                pieces.append(f"{letter} should not be ticked" + (f": {feedback}" if feedback else "."))
        if missed:
            pieces.append(f"You left out {missed} right option{'s' if missed > 1 else ''}.")
        return Verdict(status_for(score), score, " ".join(pieces), interpreted_as=shown)

    def format(self, question: Question, response: frozenset[str]) -> str:
        return ", ".join(sorted(response)) if response else "no options ticked"

    def examples(self, question: Question, key: frozenset[str]) -> Examples:
        letters = [o.letter for o in question.options]
        as_letters = ",".join(sorted(key)) or "none"
        as_numbers = " ".join(str(letters.index(k) + 1) for k in sorted(key)) or "none"
        flips = tuple(",".join(sorted(key ^ {letter})) or "none" for letter in letters)
        return Examples(right=(as_letters, as_letters.lower().replace(",", " "), as_numbers),
                        wrong=flips, invalid=("", f"A,{chr(ord(letters[-1]) + 1)}", "%%"))


class NumberKind:
    """A numeric answer, judged within the question's tolerance."""

    name = "number"
    fields = frozenset({"answer", "tolerance", "misconceptions"})
    needs_key = True

    def key(self, question: Question, value: Any) -> float:
        return float(value)

    def parse(self, question: Question, text: str) -> float:
        from grader.mathinput.mathparse import parse_number

        return parse_number(_bounded(text, MAX_CHOICE_CHARS))

    def check(self, question: Question, response: float, key: float) -> Verdict:
        shown = self.format(question, response)
        tolerance = question.tolerance or Tolerance()
        if tolerance.accepts(response, key):
            return Verdict("correct", 1.0, "Correct.", interpreted_as=shown, method="numeric tolerance")
        for wrong in question.misconceptions:
            if isinstance(wrong.answer, (int, float)) and tolerance.accepts(response, float(wrong.answer)):
                return Verdict(
                    "incorrect", 0.0, wrong.feedback, interpreted_as=shown,
                    method="numeric tolerance", misconception=wrong.misconception,
                )
        return _diagnosed(question, response, Verdict("incorrect", 0.0, f"{shown} is not right.",
                                                      interpreted_as=shown, method="numeric tolerance"))

    def format(self, question: Question, response: float) -> str:
        return format_number(response)

    def examples(self, question: Question, key: float) -> Examples:
        off = max(1.0, abs(key)) * 0.5
        wrong = [key + off, key - off] + [float(w.answer) for w in question.misconceptions
                                           if isinstance(w.answer, (int, float))]
        return Examples(right=(repr(float(key)), format_number(key)),
                        wrong=tuple(repr(w) for w in wrong), invalid=("", "abc", "1/0"))


def _diagnosed(question: Question, value: Any, verdict: Verdict) -> Verdict:
    """Name the misconception (from the solver's library) that reproduces a wrong value.

    Parts of an exercise are left to follow-through marking, which diagnoses them in the
    light of the student's other answers.
    """
    if not question.solver or value is None or question.parent:
        return verdict
    from grader.marking.diagnose import diagnose

    found = diagnose(question, value)
    if found is None:
        return verdict
    return Verdict(verdict.status, verdict.score, f"{verdict.feedback} {found.feedback()}",
                   interpreted_as=verdict.interpreted_as, method=verdict.method, misconception=found.misconception)


def format_number(value: float) -> str:
    """Compact display of a number: 2 not 2.0, 0.1 not 0.1000000001."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


class TextKind:
    """A short written answer, scored provisionally against rubric points."""

    name = "text"
    fields = frozenset({"answer", "rubric"})
    needs_key = True

    def key(self, question: Question, value: Any) -> str:
        return str(value)

    def parse(self, question: Question, text: str) -> str:
        text = _bounded(text, MAX_TEXT_CHARS)
        if not text:
            raise ResponseError("Write a short answer in words; it is checked against the points a full answer makes.")
        return text

    def check(self, question: Question, response: str, key: str) -> Verdict:
        folded = fold(response)
        found = [p for p in question.rubric if any(_matches(pattern, folded, response) for pattern in p.patterns)]
        total = sum(p.weight for p in question.rubric)
        score = sum(p.weight for p in found) / total if total else 0.0
        missing = [p.point for p in question.rubric if p not in found]
        feedback = f"Provisional: {len(found)} of {len(question.rubric)} rubric points found."
        if missing:
            feedback += " Not found: " + "; ".join(missing) + "."
        feedback += " An instructor will review this answer."
        return Verdict(status_for(score), score, feedback, interpreted_as=self.format(question, response), needs_review=True)

    def format(self, question: Question, response: str) -> str:
        flat = " ".join(response.split())
        return flat if len(flat) <= 80 else flat[:77] + "…"

    def examples(self, question: Question, key: str) -> Examples:
        return Examples(right=(key,), wrong=("xyzzy",), invalid=("", "  "))


def _matches(pattern: str, folded: str, original: str) -> bool:
    if pattern.startswith("re:"):
        return re.search(pattern[3:], original, re.IGNORECASE) is not None
    return _folded_pattern(pattern) in folded


@functools.lru_cache(maxsize=4096)
def _folded_pattern(pattern: str) -> str:
    return fold(pattern)


class ExpressionKind:
    """A formula, judged by value equivalence (sampling first, sympy only when needed)."""

    name = "expression"
    fields = frozenset({"answer", "variables", "functions", "tolerance", "misconceptions", "form"})
    needs_key = True
    allow_matrix = False

    def key(self, question: Question, value: Any) -> Any:
        from grader.mathinput import mathparse

        if isinstance(value, (str, int, float, list)) and not isinstance(value, bool):
            return mathparse.parse(_formula_text(value), variables=_declared(question),
                                   functions=question.functions, allow_matrix=self.allow_matrix)
        return mathparse.from_sympy(value)

    def parse(self, question: Question, text: str) -> Any:
        from grader.mathinput import mathparse

        return mathparse.parse(_bounded(text, MAX_CHOICE_CHARS), variables=list(question.variables),
                               functions=question.functions, allow_matrix=self.allow_matrix)

    def check(self, question: Question, response: Any, key: Any) -> Verdict:
        shown = self.format(question, response)
        decision = same_value(question, key, response)
        if decision.equivalent:
            return Verdict("correct", 1.0, "Correct.", interpreted_as=shown, method=decision.method)
        if decision.equivalent is None:
            return Verdict("incorrect", 0.0, f"Could not be decided automatically ({decision.detail or decision.method}); "
                           "flagged for an instructor.", interpreted_as=shown, method=decision.method, needs_review=True)
        for wrong in question.misconceptions:
            if same_value(question, self.key(question, wrong.answer), response).equivalent:
                return Verdict("incorrect", 0.0, wrong.feedback, interpreted_as=shown, method=decision.method,
                               misconception=wrong.misconception)
        feedback = decision.detail if decision.method == "shape" else f"{shown} is not equal to the answer."
        return _diagnosed(question, response, Verdict("incorrect", 0.0, feedback, interpreted_as=shown,
                                                      method=decision.method))

    def format(self, question: Question, response: Any) -> str:
        return response.interpreted_as()

    def examples(self, question: Question, key: Any) -> Examples:
        wrong = [_shifted(key)] + [_formula_text(w.answer) for w in question.misconceptions]
        return Examples(right=(key.interpreted_as(),), wrong=tuple(wrong), invalid=("", "(", "zz_unknown_name + 1"))


class MatrixKind(ExpressionKind):
    """A matrix or vector of formulas, compared entry by entry after its shape."""

    name = "matrix"
    fields = frozenset({"answer", "variables", "functions", "tolerance", "misconceptions"})
    allow_matrix = True


def same_value(question: Question, key: Any, response: Any) -> Any:
    """The equivalence decision for a formula question, with its domains and tolerance."""
    from grader.mathinput import equivalence

    domains = {name: domain for name, domain in question.variables.items() if domain}
    options: dict[str, Any] = {"domains": domains or None, "form": question.form}
    if question.tolerance is not None:
        options["tolerance"] = question.tolerance
    return equivalence.compare(key, response, **options)


def same_answer(question: Question, value: Any, expected: Any) -> bool:
    """Does a student's value (number or formula) equal a solver value (number, array, sympy)?"""
    if hasattr(value, "interpreted_as"):
        from grader.mathinput import mathparse

        try:
            other = _formula_of(expected) if hasattr(expected, "free_symbols") else \
                mathparse.parse(repr(float(expected)))
        except (TypeError, ValueError):
            return False
        return bool(same_value(question, other, value).equivalent)
    if hasattr(expected, "free_symbols"):
        return False
    if type(value) is float and type(expected) is float:
        # Follow-through compares thousands of plain floats; numpy costs ~10x more per pair.
        tolerance = question.tolerance or Tolerance()
        return math.isfinite(expected) and abs(value - expected) <= tolerance.abs + tolerance.rel * abs(expected)
    try:
        import numpy as np

        a = np.asarray(value, dtype=float)
        b = np.asarray(expected, dtype=float)
    except (TypeError, ValueError):
        return str(value).strip().casefold() == str(expected).strip().casefold()
    if a.shape != b.shape or not np.all(np.isfinite(b)):
        return False
    tolerance = question.tolerance or Tolerance()
    return bool(np.all(np.abs(a - b) <= tolerance.abs + tolerance.rel * np.abs(b)))


@functools.lru_cache(maxsize=1024)
def _formula_of(expr: Any) -> Any:
    """A solver's sympy value as a formula, once per value (sympy objects are hashable)."""
    from grader.mathinput import mathparse

    return mathparse.from_sympy(expr)


def option_value(question: Question, option: Any) -> Any:
    """What an option states: its formula (parsed), or its value; None for text or chain options."""
    if option.expr is not None:
        from grader.mathinput import mathparse

        return mathparse.parse(option.expr, variables=_declared(question), functions=question.functions)
    return option.value


def _declared(question: Question) -> list[str] | None:
    # A question without declared variables keys in free mode: any name in the key is a variable.
    return list(question.variables) or None


def _shifted(key: Any) -> str:
    """The key with 1 added to it (to its first entry, for a matrix): a wrong answer by construction."""
    if not hasattr(key, "rows"):
        return f"({key.interpreted_as()}) + 1"
    rows = [[f.interpreted_as() for f in row] for row in key.rows]
    rows[0][0] = f"({rows[0][0]}) + 1"
    inner = ["[" + ", ".join(row) + "]" for row in rows]
    return inner[0] if key.vector else "[" + ", ".join(inner) + "]"


def _formula_text(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_formula_text(v) for v in value) + "]"
    return str(value)


_PART_ANSWER = re.compile(r"^\s*\(?([A-Za-z0-9_/]+)\)?\s*[=:)]\s*(.*?)\s*$", re.DOTALL)


@dataclass(frozen=True)
class ExerciseAnswers:
    """An exercise response: answers by part id, and intermediate values shown (`work`)."""

    answers: Mapping[str, str]
    work: Mapping[str, Any]


class ExerciseKind:
    """Several parts about one setting; each part is graded by its own kind, then
    solver-backed parts get follow-through credit for the student's own earlier values."""

    name = "exercise"
    fields = frozenset({"parts", "followthrough", "variables", "functions"})
    needs_key = False

    def key(self, question: Question, value: Any) -> Any:
        return value

    def parse(self, question: Question, text: str) -> ExerciseAnswers:
        text = _bounded(text, MAX_TEXT_CHARS)
        part_ids = [p.part for p in question.parts]
        quantities = _quantity_names(question)
        usage = "; ".join(f"{pid}=…" for pid in part_ids)
        if quantities:
            usage += f" (and optionally your working, e.g. {quantities[0]}=…)"
        answers: dict[str, str] = {}
        work: dict[str, Any] = {}
        # Split only where a label follows, so a written part may itself contain ';' or newlines.
        labels = "|".join(re.escape(label) for label in sorted(part_ids + quantities, key=len, reverse=True))
        for piece in re.split(rf"[;\n](?=\s*\(?(?:{labels})\)?\s*[=:)])", text):
            if not piece.strip():
                continue
            match = _PART_ANSWER.match(piece)
            label = match.group(1) if match else ""
            if label.lower() in part_ids:
                answers[label.lower()] = match.group(2)
            elif label in quantities:
                from grader.mathinput.mathparse import parse_number

                work[label] = parse_number(match.group(2))
            else:
                raise ResponseError(f"Could not read '{piece.strip()[:40]}'. Answer the parts as {usage}, "
                                    "one per line or separated by ';'.")
        if not answers:
            raise ResponseError(f"Answer the parts as {usage}.")
        return ExerciseAnswers(answers, work)

    def check(self, question: Question, response: ExerciseAnswers | Mapping[str, str], key: Mapping[str, Any]) -> Verdict:
        if not isinstance(response, ExerciseAnswers):
            response = ExerciseAnswers(response, {})
        values: dict[str, Any] = {}
        verdicts: list[tuple[str, Verdict]] = []
        for part in question.parts:
            text = response.answers.get(part.part)
            if text is None:
                verdicts.append((part.part, NOT_ANSWERED))
                continue
            value, verdict = graded_part(part, text, key[part.part])
            if value is not None:
                values[part.part] = value
            verdicts.append((part.part, verdict))
        if question.solver:
            from grader.marking import followthrough

            verdicts = followthrough.mark(question, values, response.work, verdicts)
        return combine(question, verdicts)

    def format(self, question: Question, response: ExerciseAnswers) -> str:
        shown = [f"{pid}={text}" for pid, text in response.answers.items()]
        shown += [f"{name}={value}" for name, value in response.work.items()]
        return "; ".join(shown)

    def examples(self, question: Question, key: Mapping[str, Any]) -> Examples:
        per_part = {p.part: KINDS[p.kind].examples(p, key[p.part]) for p in question.parts}
        right = "; ".join(f"{pid}={ex.right[0]}" for pid, ex in per_part.items())
        wrong = tuple(
            "; ".join(f"{pid}={(ex.wrong[0] if pid == bad else ex.right[0])}" for pid, ex in per_part.items())
            for bad in per_part if per_part[bad].wrong
        )
        return Examples(right=(right,), wrong=wrong, invalid=("", "zz=1"))


def _quantity_names(question: Question) -> list[str]:
    if not question.solver:
        return []
    from grader.marking import keys  # keys imports this module: import it at first use

    return list(keys.quantities(question.solver, question.params))


def combine(question: Question, verdicts: list[tuple[str, Verdict]]) -> Verdict:
    """An exercise's verdict from its parts' verdicts, weighted by each part's points."""
    points = {p.part: p.points for p in question.parts}
    total = sum(points.values())
    score = sum(points[pid] * v.score for pid, v in verdicts) / total
    summary = ", ".join(f"{pid}: {v.status}" for pid, v in verdicts)
    return Verdict(
        status_for(score), score, summary,
        needs_review=any(v.needs_review for _, v in verdicts),
        parts=tuple(verdicts),
    )


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (ChoiceKind(), MultiKind(), NumberKind(), ExpressionKind(), MatrixKind(), TextKind(),
                 ExerciseKind())
}


def grade(question: Question, text: str, key: Any) -> Verdict:
    """Parse and check one response; unreadable input becomes an `invalid` verdict."""
    return _parse_and_check(question, text, key)[1]


def graded_part(part: Question, text: str, key: Any) -> tuple[Any, Verdict]:
    """An exercise part's parsed value (None if unreadable) and verdict, remembered per part
    and text: a class repeats part answers, and follow-through needs the value as well."""
    return _PARTS.for_object(part, text, lambda: _parse_and_check(part, text, key))


_PARTS = Memo(50_000)


def _parse_and_check(question: Question, text: str, key: Any) -> tuple[Any, Verdict]:
    kind = KINDS[question.kind]
    try:
        response = kind.parse(question, text)
    except ResponseError as exc:
        return None, Verdict("invalid", 0.0, str(exc))
    return response, kind.check(question, response, key)
