"""Benchmark batch grading: a synthetic class through ``grade_submission``, against a naive sympy grader.

    python benchmarks/bench_grade.py [--students 2000] [--seed 0] [--baseline-sample 3000] [--baseline-timeout 5]
                                     [--repeat 3] [--randomised 200] [--randomised-ids ID,ID] [--no-files]

A seeded class answers every question and every exercise part of every built-in bank:
right answers in the many forms students type (``6``, ``6.0``, ``12/2``, ``b``, ``2``,
``E, A``), wrong answers from each kind's examples and each question's known
misconceptions, a small share of unreadable input, partial written answers, and for the
IN5400 exercise the slips that make follow-through matter (the 004 sheet's ŷ₁ = W_h·h₁,
a wrong ŷ₂ carried consistently into later parts, sometimes with shown ``work:``).

One run prints: the class size and the number of responses (one response = one answered
question or exercise part); rnnquiz's end-to-end rate from in-memory ``Submission``
objects through ``grade_submission`` on one core (with the first, cold student timed on
its own); the time to write-then-``load`` the same class from files, as a separate
figure; the verdicts by status, with how many earned follow-through credit and how many
named a misconception; and the rate of a naive grader (``parse_expr`` + ``simplify`` for
numbers, string comparison otherwise) on a random subsample of the same responses, with
the ratio. It prints ratios; it asserts nothing.

The randomised practice questions are graded in a separate class (``--randomised N``
students, each with their own numbers) and reported apart, twice: with the numbers each
session drew in the files (as ``rnnquiz history --submission`` exports them; the grader
checks them against the seed and does not draw again), and with only a seed (each variant
is drawn and checked again, once per distinct draw). Either way every student's problem is
solved afresh, so the cost per student is of another order; only the follow-through
dependency graph is shared, by structure.
``--randomised-ids`` restricts that class to some of them (a comma list of ids), for a
like-for-like figure against a release that had fewer randomised questions.

Like for like: both graders are also given the same deduplication (a plain dict memo over
question and text), each distinct pair checked once from cold caches with sympy warmed up
untimed, and compared per kind (numbers, formulas, matrices, choices, text) and for the
class; what rnnquiz does beyond the baseline (follow-through, diagnosis) is named, not
hidden in the ratio.

Both sides run ``--repeat`` passes, each from empty caches (rnnquiz's memo tables, sympy's
cache), and the ratio compares the fastest pass of each: on a shared, noisy machine the
fastest pass is the one least disturbed. The first passes' ratio is printed beside it.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Iterator

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.marking import keys  # noqa: E402
from grader.batch import submissions
from grader.banks.catalog import Catalog  # noqa: E402
from grader.marking import memo  # noqa: E402
from grader.batch.gradebook import Graded, batch, grade_submission  # noqa: E402
from grader.marking.kinds import KINDS, grade  # noqa: E402
from grader.marking.kinds.base import Examples  # noqa: E402
from grader.model import Question, Verdict  # noqa: E402
from grader.batch.submissions import Submission  # noqa: E402

INVALID_SHARE = 0.03  # answers that are garbage (empty, "%%", an option letter past the last)
SKIP_SHARE = 0.02  # items left unanswered: not responses, but they shape a real submission
MINUS = "\u2212"  # students paste "−4" from the prompt; the grader must read it


# ---------------------------------------------------------------------------- the class


@dataclass(frozen=True)
class Item:
    """One gradable item (a question, or a part of an exercise) with its key and examples."""

    question: Question
    key: Any
    examples: Examples
    difficulty: float  # exponent on ability: p(right) = ability ** difficulty
    forms: tuple[str, ...] = ()  # for formula items: the right answer as students type it


@dataclass(frozen=True)
class Response:
    """One answered item of one student, kept for the baseline's subsample."""

    item: Item
    text: str


def gradable(catalog: Catalog, rng: random.Random) -> tuple[list[Question], list[Item], list[str]]:
    """Every top-level question of every bank, every item a student answers, and the ids of
    questions left out because they are randomised (their key depends on a student's seed)."""
    tops: list[Question] = []
    items: list[Item] = []
    skipped: list[str] = []
    for bank in catalog.banks():
        for question in bank.questions:
            if getattr(question, "randomise", None) is not None:
                skipped.append(question.id)
                continue
            tops.append(question)
            for item in question.parts or (question,):
                key = keys.expected(item)
                examples = KINDS[item.kind].examples(item, key)
                items.append(Item(item, key, examples, rng.uniform(0.5, 2.0), formula_forms(item, key)))
    return tops, items, skipped


def formula_forms(question: Question, key: Any) -> tuple[str, ...]:
    """Equivalent ways to type a formula key in plain ASCII: as written, factored, expanded.

    Students type `3*n*(n+m+1)` or `3n^2 + 3nm + 3n`, not the grader's Unicode echo; these
    forms also let the naive baseline read them. Undefined functions (O, O′) have no plain
    sympy spelling, so such items keep the grader's own echo only.
    """
    if question.kind not in ("expression", "matrix"):
        return ()
    if key.functions:
        return (key.interpreted_as(),)
    import sympy

    expr = key.to_sympy()
    if question.kind == "matrix":
        rows = expr.tolist()
        variants = [[[f(e) for e in row] for row in rows] for f in (sympy.factor, sympy.expand, lambda e: e)]
        return tuple("[" + ", ".join("[" + ", ".join(str(e) for e in row) + "]" for row in m) + "]" for m in variants)
    return tuple(dict.fromkeys(str(f(expr)).replace("**", "^") for f in (lambda e: e, sympy.factor, sympy.expand)))


def number_form(value: float, rng: random.Random) -> str:
    """A right number in one of the forms students type, so parsing does real work."""
    exact = Fraction(value).limit_denominator(1000)
    if exact.denominator != 1:
        p, q = exact.numerator, exact.denominator
        return rng.choice([repr(float(value)), f"{p}/{q}", f"{2 * p}/{2 * q}", f"{float(value):.6g}"])
    n = exact.numerator
    if rng.random() < 0.5:
        return str(n)  # most students type the plain integer
    forms = [f"{n}.0", f"{2 * n}/2", f"{n + 3} - 3", f"{n}e0", f"{n}.00"]
    if n < 0:
        forms.append(f"{MINUS}{-n}")
    if n != 0 and n % 2 == 0:
        forms.append(f"2*{n // 2}" if n > 0 else f"-2·{-n // 2}")
    return rng.choice(forms)


def choice_form(question: Question, letter: str, rng: random.Random) -> str:
    """An option named by letter, lower-case letter, position, a decorated letter, or its text."""
    letters = [o.letter for o in question.options]
    roll = rng.random()
    if roll < 0.45:
        return letter
    if roll < 0.65:
        return letter.lower()
    if roll < 0.8:
        return str(letters.index(letter) + 1)
    if roll < 0.93:
        return rng.choice([f"({letter})", f"{letter}.", f" {letter} "])
    return question.option(letter).text


def multi_form(question: Question, ticked: set[str], rng: random.Random) -> str:
    """Ticked options in a shuffled order with a random separator, as letters or positions."""
    if not ticked:
        return rng.choice(["none", "None", "-"])
    order = list(ticked)
    rng.shuffle(order)
    letters = [o.letter for o in question.options]
    if rng.random() < 0.25:
        tokens = [str(letters.index(t) + 1) for t in order]
    else:
        tokens = [t.lower() if rng.random() < 0.3 else t for t in order]
    return rng.choice([",", ", ", " ", ";", " and ", "/"]).join(tokens)


def text_form(key: str, quality: float, rng: random.Random) -> str:
    """A written answer: the model answer, a partial one (leading sentences or words), or a poor one."""
    if quality >= 1:
        return key if rng.random() < 0.7 else " ".join(key.split()).lower()
    sentences = [s for s in key.replace("\n", " ").split(". ") if s.strip()]
    if quality > 0 and len(sentences) > 1:
        return ". ".join(sentences[: max(1, int(len(sentences) * quality))]) + "."
    words = key.split()
    if quality > 0:
        return " ".join(words[: max(3, int(len(words) * quality))])
    return rng.choice(["xyzzy", "I am not sure.", "It depends on the data.", " ".join(words[-4:])])


def simple_answer(item: Item, ability: float, rng: random.Random) -> str | None:
    """A student's text for one item (None when skipped), by kind."""
    question, key, examples = item.question, item.key, item.examples
    if rng.random() < SKIP_SHARE:
        return None
    if rng.random() < INVALID_SHARE:
        return rng.choice(examples.invalid)
    right = rng.random() < ability ** item.difficulty
    if question.kind == "choice":
        return choice_form(question, key if right else rng.choice(examples.wrong), rng)
    if question.kind == "multi":
        if right:
            return multi_form(question, set(key), rng)
        wrong = set(rng.choice(examples.wrong).split(",")) - {"none"}
        return multi_form(question, wrong, rng)
    if question.kind == "number":
        if right:
            return number_form(key, rng)
        known = [float(w.answer) for w in question.misconceptions if isinstance(w.answer, (int, float))]
        if known and rng.random() < 0.6:
            return number_form(rng.choice(known), rng)
        return rng.choice(examples.wrong)
    if question.kind == "text":
        if right:
            return text_form(key, 1.0, rng)
        return text_form(key, rng.choice([0.0, 0.3, 0.5, 0.7]), rng)
    # expression / matrix: an equivalent form of the key, or a known wrong formula.
    return rng.choice(item.forms if right else examples.wrong or item.forms)


def rnn_answers(params: dict[str, Any], yhat1: float | None = None, yhat2: float | None = None) -> dict[str, float]:
    """ŷ₂, L, ∂L/∂h₁ and ∂L/∂W_h of the two-step scalar RNN, from a student's (possibly slipped) ŷ values.

    Written out by hand rather than asked of the solver, so generating the class neither
    uses nor warms the grader's solver cache.
    """
    h0, (x1, x2), (y1, y2) = params["h0"], params["x"], params["y"]
    w_h, w_x, w_y = params["W_h"], params["W_x"], params["W_y"]
    h1 = w_h * h0 + w_x * x1
    h2 = w_h * h1 + w_x * x2
    yhat1 = w_y * h1 if yhat1 is None else yhat1
    yhat2 = w_y * h2 if yhat2 is None else yhat2
    e1, e2 = 2 * (yhat1 - y1), 2 * (yhat2 - y2)
    return {
        "yhat2": yhat2,
        "L": (yhat1 - y1) ** 2 + (yhat2 - y2) ** 2,
        "dL/dh1": e1 * w_y + e2 * w_y * w_h,
        "dL/dW_h": e1 * w_y * h0 + e2 * w_y * (h1 + w_h * h0),
    }


def is_rnn_task(question: Question) -> bool:
    """Whether an exercise is the two-step scalar RNN that `rnn_answers` reproduces."""
    params = question.params
    quantities = {p.quantity for p in question.parts}
    return (question.solver == "rnn" and quantities <= {"yhat2", "L", "dL/dh1", "dL/dW_h"}
            and all(k in params for k in ("h0", "x", "y", "W_h", "W_x", "W_y"))
            and len(params["x"]) == 2 and not isinstance(params["h0"], list))


# The 004 sheet's working (ŷ₁ = W_h·h₁ = 2, and an arithmetic slip in ∂L₂/∂W_h), from
# examples/submissions/assignment3-sheet.yaml.
SHEET_EXERCISE = "in5400/task1"
SHEET_WORK = {"h1": 2, "h2": 3, "yhat2": 6, "yhat1": 2, "L1": 9, "L2": 1, "L": 10, "dL1/dh1": -12,
              "dL2/dh1": 4, "dL/dh1": -8, "dL1/dW_h": -12, "dL2/dW_h": 8, "dL/dW_h": -4}


def rnn_exercise(question: Question, items: dict[str, Item], ability: float,
                 rng: random.Random) -> tuple[dict[str, str], dict[str, Any]]:
    """Answers and shown work to the RNN exercise: all right, or one of the slips a class makes."""
    params = dict(question.params)
    truth = rnn_answers(params)
    work: dict[str, Any] = {}
    values: dict[str, float | None] = dict(truth)
    roll = rng.random()
    if roll < ability ** 1.5:
        pass  # all right
    elif roll < ability ** 1.5 + 0.25:
        # ŷ₁ = W_h·h₁ (the 004 sheet): L and ∂L/∂h₁ follow; ∂L/∂W_h consistent, or as on the sheet.
        yhat1 = params["W_h"] * (params["W_h"] * params["h0"] + params["W_x"] * params["x"][0])
        slipped = rnn_answers(params, yhat1=yhat1)
        values = dict(slipped)
        shown: list[dict[str, Any]] = [{}, {}, {"yhat1": yhat1}]
        if question.id == SHEET_EXERCISE:  # the sheet's own numbers fit only its own exercise
            values["dL/dW_h"] = rng.choice([slipped["dL/dW_h"], SHEET_WORK["dL/dW_h"]])
            shown.append(dict(SHEET_WORK))
        work = rng.choice(shown)
    elif roll < ability ** 1.5 + 0.45:
        # A slip in ŷ₂ (h₂ mis-added), carried through the later parts, mostly consistently.
        slipped = rnn_answers(params, yhat2=truth["yhat2"] + rng.choice([1.0, -1.0, 2.0, 0.5]))
        values = {q: slipped[q] if q == "yhat2" or rng.random() < 0.85 else truth[q] for q in truth}
        if rng.random() < 0.2:
            work = {"yhat2": slipped["yhat2"], "h2": slipped["yhat2"] / params["W_y"]}
    else:
        values = {}  # part by part: the bank's misconceptions (one path only, one step's loss, …)
    answers: dict[str, str] = {}
    for part in question.parts:
        item = items[part.id]
        if rng.random() < SKIP_SHARE:
            continue
        if rng.random() < INVALID_SHARE:
            answers[part.id] = rng.choice(item.examples.invalid)
        elif part.quantity in values:
            answers[part.id] = number_form(values[part.quantity], rng)
        else:
            answers[part.id] = simple_answer(item, ability, rng) or number_form(truth[part.quantity], rng)
    return answers, work


def make_class(tops: list[Question], items: list[Item], students: int,
               rng: random.Random) -> tuple[list[Submission], list[Response]]:
    """The synthetic class, and every response in it (for the baseline's subsample)."""
    by_id = {item.question.id: item for item in items}
    question_ids = tuple(q.id for q in tops)
    out: list[Submission] = []
    responses: list[Response] = []
    for number in range(students):
        ability = rng.betavariate(4, 2)  # mean 2/3: most of a class passes, a tail struggles
        answers: dict[str, str] = {}
        work: dict[str, dict[str, Any]] = {}
        for question in tops:
            if question.parts and is_rnn_task(question):
                given, shown = rnn_exercise(question, by_id, ability, rng)
                answers.update(given)
                if shown:
                    work[question.id] = shown
                continue
            for part in question.parts or (question,):
                text = simple_answer(by_id[part.id], ability, rng)
                if text is not None:
                    answers[part.id] = text
        student = f"s{number:05d}"
        out.append(Submission(student, f"{student}.yaml", answers, work, None, question_ids, number))
        responses.extend(Response(by_id[qid], text) for qid, text in answers.items())
    return out, responses


def randomised_class(catalog: Catalog, students: int, rng: random.Random,
                     only: frozenset[str] | None = None) -> tuple[list[Submission], int]:
    """Every student answers every randomised question (or those whose ids are in `only`) with
    their own numbers (seed = the student's number), their files carrying the numbers drawn
    as `rnnquiz history --submission` writes them; and how many responses that makes."""
    from grader.marking import variants

    questions = [q for bank in catalog.banks() for q in bank.questions
                 if q.randomise is not None and (only is None or q.id in only)]
    if not questions:
        raise SystemExit(f"no randomised question has an id in {', '.join(sorted(only or ()))}")
    out: list[Submission] = []
    count = 0
    for number in range(students):
        ability = rng.betavariate(4, 2)
        answers: dict[str, str] = {}
        draws: dict[str, dict[str, str]] = {}
        for question in questions:
            variant = variants.instantiate(question, number)
            draws[question.id] = {name: variants.show(value) for name, value in variant.variant.items()}
            for part in variant.parts or (variant,):
                key = keys.expected(part)
                item = Item(part, key, KINDS[part.kind].examples(part, key), 1.0, formula_forms(part, key))
                text = simple_answer(item, ability, rng)
                if text is not None:
                    answers[part.id] = text
        count += len(answers)
        student = f"r{number:05d}"
        out.append(Submission(student, f"{student}.yaml", answers, {}, None, tuple(q.id for q in questions), number,
                              draws))
    return out, count


def seed_only(students: list[Submission]) -> list[Submission]:
    """The same class with the recorded draws left out, as a hand-written file would be."""
    return [dataclasses.replace(s, draws={}) for s in students]


# ---------------------------------------------------------------------------- rnnquiz


def pin_to_one_core() -> str:
    """Run on the first allowed CPU, so the rate is a one-core figure; say what was done."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity on this platform)"
    first = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {first})
    return f"pinned to CPU {first}"


def clear_caches() -> None:
    """Forget every cached solve, key sample and parse, so the next grade starts cold."""
    memo.clear_all()
    for name, module in list(sys.modules.items()):
        if not name.startswith(("grader", "solvers")) or module is None:
            continue
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def time_grading(catalog: Catalog, students: list[Submission]) -> tuple[list[Graded], float, float]:
    """Grade the class from cold caches; return the gradebook, the first student's seconds, and the total."""
    clear_caches()
    gc.collect()  # the previous pass's garbage is not this pass's cost
    graded: list[Graded] = []
    with batch():  # as `rnnquiz grade` does
        start = time.perf_counter()
        graded.append(grade_submission(catalog, students[0]))
        first = time.perf_counter() - start
        for submission in students[1:]:
            graded.append(grade_submission(catalog, submission))
        return graded, first, time.perf_counter() - start


def best_of(repeat: int, run: Callable[[], Any], seconds: Callable[[Any], float]) -> tuple[Any, Any]:
    """The first run and the fastest of `repeat` runs (the first pays the process's one-off imports)."""
    runs = [run() for _ in range(max(1, repeat))]
    return runs[0], min(runs, key=seconds)


def verdicts(graded: list[Graded], students: list[Submission]) -> Iterator[Verdict]:
    """The verdict of every response: each answered question, each answered exercise part."""
    for g, submission in zip(graded, students):
        for result in g.results:
            if result.verdict.parts:
                for pid, verdict in result.verdict.parts:
                    if f"{result.question}.{pid}" in submission.answers:
                        yield verdict
            elif result.question in submission.answers:
                yield result.verdict


def time_loading(students: list[Submission]) -> tuple[float, int]:
    """Seconds to load and validate the class from YAML files; and how many read back differently."""
    with tempfile.TemporaryDirectory(prefix="rnnquiz-bench-") as folder:
        paths = []
        for submission in students:
            path = Path(folder) / submission.path
            data = {"student": submission.student, "questions": list(submission.questions), "seed": submission.seed,
                    "answers": {qid: _yaml_value(text) for qid, text in submission.answers.items()}}
            if submission.work:
                data["work"] = {qid: dict(values) for qid, values in submission.work.items()}
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
            paths.append(path)
        start = time.perf_counter()
        loaded = [submissions.load(submissions.Found(path, named=True)) for path in paths]
        seconds = time.perf_counter() - start
    differ = sum(dict(a.answers) != dict(b.answers) for a, b in zip(loaded, students))
    return seconds, differ


def _yaml_value(text: str) -> Any:
    # Write a plain number as a YAML number, as a student's file would; it reads back as the same text.
    for convert in (int, float):
        try:
            value = convert(text)
        except ValueError:
            continue
        if (repr(value) if isinstance(value, float) else str(value)) == text:
            return value
    return text


# ---------------------------------------------------------------------------- baseline


class Overrun(Exception):
    """Raised by the alarm when a baseline check runs past its limit."""


def _alarm(signum: int, frame: Any) -> None:
    raise Overrun()


def naive_checker(sympy: Any) -> Callable[[Item, str], bool]:
    """The naive grader: sympy for numbers and formulas, plain string comparison for the rest."""
    from sympy.parsing.sympy_parser import parse_expr

    sympy_keys: dict[str, Any] = {}

    def check(item: Item, text: str) -> bool:
        question = item.question
        if question.kind in ("number", "expression", "matrix"):
            if question.id not in sympy_keys:
                # The recomputed key (solver value or formula), once per question, as sympy.
                sympy_keys[question.id] = sympy.nsimplify(item.key) if question.kind == "number" else \
                    item.key.to_sympy()
            # parse_expr evaluates its input: acceptable only here, on strings this script
            # generated itself, to time the naive approach. The grader never calls it.
            try:
                parsed = parse_expr(text.replace("^", "**"))
                if question.kind == "matrix":
                    parsed = sympy.Matrix(parsed)
            except Exception:  # unreadable input is a wrong answer to the naive grader
                return False
            difference = sympy.simplify(parsed - sympy_keys[question.id])
            return bool(difference == 0) if question.kind != "matrix" else difference.is_zero_matrix is True
        if question.kind == "multi":
            return text.strip() == ",".join(sorted(item.key))
        return text.strip() == str(item.key).strip()

    return check


def warm_sympy() -> float:
    """sympy's first simplify of a number, and of a name (its assumptions system), costs up to
    ~0.15 s once. Over a whole class that is paid once, so it is run untimed (as rnnquiz's
    imports are) and reported instead; the cache is cleared after. Returns its seconds."""
    import sympy
    from sympy.core.cache import clear_cache
    from sympy.parsing.sympy_parser import parse_expr

    start = time.perf_counter()
    for text in ("12/2", "abc", "1/0"):
        sympy.simplify(parse_expr(text) - 6)
    clear_cache()
    return time.perf_counter() - start


def time_baseline(sample: list[Response], timeout: float) -> tuple[float, list[float], int]:
    """The untimed warm-up's seconds; seconds per response of the naive grader (an overrun
    costs the limit); and how many overran. Each call starts from an empty sympy cache, as
    each rnnquiz pass starts from empty caches."""
    import sympy
    from sympy.core.cache import clear_cache

    clear_cache()
    gc.collect()
    check = naive_checker(sympy)
    warmup = warm_sympy()
    seconds, overruns = time_distinct(sample, check, timeout)
    return warmup, seconds, overruns


def rnnquiz_per_response(sample: list[Response]) -> list[float]:
    """Seconds rnnquiz takes to parse and check each response of the sample on its own (warm).

    `kinds.grade` on the item alone, the like-for-like figure per kind against the baseline:
    an exercise part is graded without the exercise's follow-through, which the baseline
    does not attempt either.
    """
    seconds = []
    for response in sample:
        start = time.perf_counter()
        grade(response.item.question, response.text, response.item.key)
        seconds.append(time.perf_counter() - start)
    return seconds


def distinct(responses: list[Response]) -> list[Response]:
    """Each distinct (question, text) pair once, in the order first met: what a plain dict
    memo would grade; the rest of a class's responses are look-ups."""
    return list({(r.item.question.id, r.text): r for r in reversed(responses)}.values())[::-1]


def time_distinct(pairs: list[Response], check: Callable[[Item, str], Any], timeout: float) -> tuple[list[float], int]:
    """Seconds to check each distinct pair once (an overrun costs the limit), and the overruns."""
    # A per-call alarm, not a child process per call: the limit then costs nothing in the timings.
    use_alarm = hasattr(signal, "setitimer")
    previous = signal.signal(signal.SIGALRM, _alarm) if use_alarm else None
    seconds: list[float] = []
    overruns = 0
    try:
        with batch():
            for response in pairs:
                start = time.perf_counter()
                try:
                    if use_alarm:
                        signal.setitimer(signal.ITIMER_REAL, timeout)
                    check(response.item, response.text)
                except Overrun:
                    overruns += 1
                    seconds.append(timeout)
                    continue
                finally:
                    if use_alarm:
                        signal.setitimer(signal.ITIMER_REAL, 0)
                seconds.append(time.perf_counter() - start)
    finally:
        if use_alarm:
            signal.signal(signal.SIGALRM, previous)
    return seconds, overruns


def lookups(responses: list[Response]) -> float:
    """Seconds for the memo look-ups of a whole class (every response, against a full dict)."""
    memo = {(r.item.question.id, r.text): True for r in responses}
    start = time.perf_counter()
    for r in responses:
        memo[r.item.question.id, r.text]  # noqa: B018 (the look-up is what is timed)
    return time.perf_counter() - start


KINDS_REPORTED = (("numbers", ("number",)), ("formulas", ("expression",)), ("matrices", ("matrix",)),
                  ("choices", ("choice", "multi")), ("text", ("text",)))


def same_dedup(responses: list[Response], rnnquiz_total: float, timeout: float) -> None:
    """Both graders with the same plain dict memo over (question, text): each distinct pair
    checked once from cold caches, the rest looked up; per kind and for the class."""
    import sympy

    pairs = distinct(responses)
    clear_caches()
    gc.collect()
    mine, _ = time_distinct(pairs, lambda item, text: grade(item.question, text, item.key), timeout)
    warm_sympy()
    naive, overruns = time_distinct(pairs, naive_checker(sympy), timeout)
    look = lookups(responses)
    print(f"same deduplication (a dict memo over question and text on both sides): {len(pairs):,} distinct pairs "
          f"of {len(responses):,} responses; memo look-ups {look * 1e3:.0f} ms for the class")
    for name, kinds in KINDS_REPORTED:
        picked = [i for i, r in enumerate(pairs) if r.item.question.kind in kinds]
        if not picked:
            continue
        a, b = sum(mine[i] for i in picked), sum(naive[i] for i in picked)
        print(f"  {name:<9} {len(picked):>5} distinct: rnnquiz {a * 1e3:8.1f} ms, baseline {b * 1e3:9.1f} ms, "
              f"baseline / rnnquiz {b / a:7.2f}x")
    checks = sum(mine)
    print(f"  class: rnnquiz's kinds alone {checks + look:.2f} s, baseline {sum(naive) + look:.2f} s "
          f"({overruns} over the {timeout:g} s limit), baseline / rnnquiz {(sum(naive) + look) / (checks + look):.1f}x")
    print(f"  rnnquiz end to end {rnnquiz_total:.2f} s also marks exercises as a whole (follow-through from carried "
          f"values, diagnosis of misconceptions, checks of shown work), which the baseline does not do: "
          f"end to end against the baseline {(sum(naive) + look) / rnnquiz_total:.1f}x")


# ---------------------------------------------------------------------------- main


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--students", type=int, default=2000, help="size of the synthetic class")
    options.add_argument("--seed", type=int, default=0, help="seed of the class and of the baseline's subsample")
    options.add_argument("--baseline-sample", type=int, default=3000, help="responses the naive grader times")
    options.add_argument("--baseline-timeout", type=float, default=5.0, help="seconds allowed per naive check")
    options.add_argument("--repeat", type=int, default=3,
                         help="passes of each side; the ratio compares the fastest pass of each (noisy machines)")
    options.add_argument("--no-files", action="store_true", help="skip the load-from-files figure")
    options.add_argument("--randomised", type=int, default=200, metavar="N",
                         help="students in a separate class on the randomised questions, each with their "
                              "own numbers (0: skip)")
    options.add_argument("--randomised-ids", metavar="ID,ID", default="",
                         help="only these randomised questions (e.g. the four of an earlier release, for a "
                              "like-for-like figure); default: all of them")
    args = options.parse_args()

    pinned = pin_to_one_core()
    rng = random.Random(args.seed)
    start = time.perf_counter()
    catalog = Catalog.from_dir()
    tops, items, skipped = gradable(catalog, rng)
    banks_seconds = time.perf_counter() - start
    students, responses = make_class(tops, items, max(1, args.students), rng)

    # rnnquiz first, as in bench_equivalence: before the baseline brings sympy's objects into memory.
    cold, best = best_of(args.repeat, lambda: time_grading(catalog, students), lambda run: run[2])
    graded, first, total = best
    count = len(responses)
    first_count = len(students[0].answers)
    print(f"cpu: {pinned}; banks: {len(catalog.ids())} loaded in {banks_seconds:.2f} s, "
          f"{len(tops)} questions, {len(items)} gradable items"
          + (f"; left out {len(skipped)} randomised ({', '.join(skipped)})" if skipped else ""))
    print(f"class: {len(students):,} students (seed {args.seed}), {count:,} responses "
          f"({count / len(students):.1f} per student), {sum(bool(s.work) for s in students):,} with shown work")
    print(f"rnnquiz: {total:.2f} s end to end, {count / total:,.0f} responses/s on one core (fastest of "
          f"{max(1, args.repeat)} passes, each from empty caches; the first pass, which also pays one-off "
          f"imports, {cold[2]:.2f} s, {count / cold[2]:,.0f} responses/s); first student {first * 1e3:.1f} ms "
          f"for {first_count} responses; the rest {(count - first_count) / (total - first):,.0f} responses/s")

    if not args.no_files:
        load_seconds, differ = time_loading(students)
        print(f"files: load + validate {len(students):,} YAML submissions {load_seconds:.2f} s "
              f"({len(students) / load_seconds:,.0f} files/s, {count / load_seconds:,.0f} responses/s), "
              f"not part of the figure above; {differ} read back differently")

    if args.randomised:
        only = frozenset(filter(None, args.randomised_ids.split(","))) or None
        own, own_count = randomised_class(catalog, args.randomised, random.Random(args.seed + 2), only)
        asked = sorted({qid for s in own for qid in s.questions})
        for label, sheets in (("with the numbers each session drew (exported files)", own),
                              ("with only a seed (hand-written files: each variant is drawn again)", seed_only(own))):
            _, (_, _, own_total) = best_of(args.repeat, lambda sheets=sheets: time_grading(catalog, sheets),
                                         lambda run: run[2])
            print(f"randomised questions ({len(asked)}: {', '.join(asked)}; not in the figures above or the ratio), "
                  f"{label}: {len(own):,} students each with their own numbers, {own_count:,} responses, "
                  f"{own_total:.2f} s, {own_count / own_total:,.0f} responses/s, "
                  f"{own_total / len(own) * 1e3:.1f} ms per student")
        print("  (a recorded draw is checked against its seed and its `require`/`nonzero` rules; a seed-only "
              "file redraws, rejected draws and the `unambiguous` check included, once per distinct draw; "
              "follow-through dependency graphs are shared by problems of one structure; the rest is solved afresh)")

    all_verdicts = list(verdicts(graded, students))
    by_status = Counter(v.status for v in all_verdicts)
    shares = ", ".join(f"{status} {100 * by_status[status] / len(all_verdicts):.1f}%"
                       for status in ("correct", "partial", "incorrect", "invalid"))
    followed = sum(v.followthrough for v in all_verdicts)
    named = Counter(v.misconception for v in all_verdicts if v.misconception)
    print(f"verdicts: {len(all_verdicts):,}: {shares}; follow-through credit {followed:,} "
          f"({'above 0, as it must be' if followed else 'NONE: the exercise slips no longer carry'}); "
          f"misconception named {sum(named.values()):,} ({len(named)} distinct); "
          f"flagged for review {sum(v.needs_review for v in all_verdicts):,}")

    # The gradebooks are not the baseline's to carry: its garbage collector must not scan them.
    cold_seconds = cold[2]
    del graded, cold, best, all_verdicts
    gc.collect()
    sample = random.Random(args.seed + 1).sample(responses, min(args.baseline_sample, len(responses)))
    cold_baseline, (warmup, seconds, overruns) = best_of(
        args.repeat, lambda: time_baseline(sample, args.baseline_timeout), lambda run: sum(run[1]))
    rate = len(sample) / sum(seconds)
    print(f"baseline (parse_expr + simplify for numbers, formulas and matrices; string == otherwise): {len(sample):,} sampled responses "
          f"in {sum(seconds):.3f} s, {rate:,.0f} responses/s (fastest of {max(1, args.repeat)} passes, each from an "
          f"empty sympy cache; the first {sum(cold_baseline[1]):.3f} s); {overruns} over the {args.baseline_timeout:g} s "
          f"limit; sympy's one-off warm-up (untimed) {warmup * 1e3:.0f} ms")
    ratio = count / total / rate
    print(f"ratio without the same deduplication (rnnquiz remembers repeated answers, the baseline does not; "
          f"see below for like for like): {ratio:.1f}x (fastest passes: rnnquiz end to end over the class, baseline over "
          f"the sample); first passes {count / cold_seconds / (len(sample) / sum(cold_baseline[1])):.1f}x")

    ours = rnnquiz_per_response(sample)
    print("per kind on the sample, median µs per response (rnnquiz: kinds.grade alone, warm; no follow-through):")
    for kind in sorted({r.item.question.kind for r in sample}):
        picked = [i for i, r in enumerate(sample) if r.item.question.kind == kind]
        naive = sum(seconds[i] for i in picked)
        mine = sum(ours[i] for i in picked)
        print(f"  {kind:<7} {len(picked):>5} responses: rnnquiz {statistics.median(ours[i] for i in picked) * 1e6:8.1f}, "
              f"baseline {statistics.median(seconds[i] for i in picked) * 1e6:8.1f}; "
              f"totals {mine * 1e3:7.2f} ms vs {naive * 1e3:7.2f} ms, rnnquiz / baseline {naive / mine:6.2f}x")
    same_dedup(responses, total, args.baseline_timeout)
    rate_target, ratio_target = 10_000, 50
    print(f"targets: >= {rate_target:,} responses/s {'met' if count / total >= rate_target else 'missed'} "
          f"({count / total:,.0f}); >= {ratio_target}x the baseline {'met' if ratio >= ratio_target else 'missed'} "
          f"({ratio:.1f}x)")


if __name__ == "__main__":
    main()
