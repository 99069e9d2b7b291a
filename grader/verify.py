"""`rnnquiz verify`: prove every key by an independent route, and every distractor wrong.

For each question this runs four checks and reports one row:

- key: a literal answer next to a solver is a claim; the solver's value must agree.
- options: options stated as values, formulas or chain-rule products are evaluated;
  exactly the keyed options must equal the solver's truth.
- self-test: generated right answers score 1, wrong ones below 1, garbage is invalid,
  and the bank's known wrong answers are not accepted.
- distinct: no distractor equals the key, and no two options are equal.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from grader.marking import chains, keys, options, rubric, solutions
from grader.errors import QuizError
from grader.marking.compare import same_answer, same_value
from grader.marking.kinds import KINDS, grade
from grader.marking.kinds.base import fold
from grader.numbers import format_number
from grader.render import display
from grader.model import Bank, Option, Question
from grader.marking.diagnose import collisions
from grader.marking.variants import VariantError, instantiate, show



OVERFLOW = 1e12
"""A key larger than this is not a question a student can answer by hand."""


@dataclass(frozen=True)
class Finding:
    """One check on one question: passed, failed (a problem) or worth a look (a note)."""

    check: str
    status: str
    message: str = ""


@dataclass(frozen=True)
class Row:
    """Everything found about one question."""

    question: str
    findings: tuple[Finding, ...]

    @property
    def status(self) -> str:
        """`problem` if any check failed, else `note` if any note, else `ok`."""
        found = {f.status for f in self.findings}
        return "problem" if "problem" in found else ("note" if "note" in found else "ok")


@dataclass(frozen=True)
class Report:
    """The rows of a verification run and how long it took."""

    rows: tuple[Row, ...]
    seconds: float = 0.0
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def problems(self) -> int:
        """How many questions have a problem."""
        return sum(1 for row in self.rows if row.status == "problem")

    def to_json(self) -> dict[str, Any]:
        """The report as JSON data for CI."""
        return {
            "ok": self.problems == 0,
            "problems": self.problems,
            "questions": len(self.rows),
            "seconds": round(self.seconds, 3),
            "rows": [{"question": r.question, "status": r.status,
                      "checks": [{"check": f.check, "status": f.status, "message": f.message} for f in r.findings]}
                     for r in self.rows],
            **self.extra,
        }


def verify(banks: Iterable[Bank], only: str | None = None, variants: int = 0) -> Report:
    """Verify every question of `banks` (or only the question or exercise `only`).

    A randomised question is checked on its seed-0 variant, and with `variants` > 0 on that
    many seeds, each of which must also display exactly and have no degenerate key.
    """
    start = time.perf_counter()
    rows = []
    for bank in banks:
        for question in bank.questions:
            if only and only not in (question.id, *(p.id for p in question.parts)):
                continue
            where = f"{bank.path}:{question.line}"
            try:
                findings = verify_question(instantiate(question, 0))
            except VariantError as exc:
                findings = [Finding("variant", "problem", str(exc))]
            except Exception as exc:  # noqa: BLE001  one question's failure is its row, not the run's end
                findings = [Finding("variant", "problem", f"{where}: seed 0: {_failure(exc)}")]
            if variants and question.randomise is not None:
                findings.append(check_variants(question, variants, where))
            rows.append(Row(question.id, tuple(_located(f, where) for f in findings)))
    return Report(tuple(rows), time.perf_counter() - start, {"variants": variants})


SEEDS_SHOWN = 5
"""Failing seeds named in a report row; the JSON lists them all."""


def _failure(exc: Exception) -> str:
    """An exception met while checking, as a problem: what broke, and where to look."""
    if isinstance(exc, QuizError):
        return str(exc)
    return f"could not be checked ({type(exc).__name__}: {exc})"


def _located(finding: Finding, where: str) -> Finding:
    """A finding from an unexpected failure, with the bank file and line of its question."""
    if finding.status != "problem" or not finding.message.startswith("could not be checked"):
        return finding
    return Finding(finding.check, finding.status, f"{where}: {finding.message}")


def check_variants(question: Question, count: int, where: str = "") -> Finding:
    """Check seeds 0..count−1 of a randomised question; name the seeds that fail and why.

    A seed whose draw breaks a solver is one failing seed, named with its reason; the
    other seeds (and the other questions) are still checked.
    """
    failing: dict[int, str] = {}
    for seed in range(count):
        why = checked(question, seed)[1]
        if why:
            failing[seed] = f"{where}: {why}" if where and why.startswith("could not be checked") else why
    if not failing:
        return Finding("variants", "ok", f"{count} seeds: all solvable, exact, non-degenerate, unambiguous")
    shown = "; ".join(f"seed {seed}: {why}" for seed, why in list(failing.items())[:SEEDS_SHOWN])
    more = f" (and {len(failing) - SEEDS_SHOWN} more)" if len(failing) > SEEDS_SHOWN else ""
    return Finding("variants", "problem", f"{len(failing)} of {count} seeds fail — {shown}{more}; "
                                          "exclude them with `require` or `nonzero`")


def checked(question: Question, seed: int | None = None) -> tuple[Question | None, str]:
    """A question as verified, or its variant for `seed` checked as `--variants` checks each seed,
    and the first problem found ('' if none; the question is None when no valid draw exists).

    `rnnquiz export` runs this on every question it writes."""
    if seed is None:
        return question, _first_problem(question)
    try:
        concrete = instantiate(question, seed)
        problems = _variant_problems(concrete)
        return concrete, _first_problem(concrete) or (problems[0] if problems else "")
    except VariantError as exc:
        return None, str(exc)
    except Exception as exc:  # noqa: BLE001 - a draw that breaks a solver is one failing seed, not a crash
        return None, _failure(exc)


def _first_problem(question: Question) -> str:
    return next((f"{f.check}: {f.message}" for f in verify_question(question) if f.status == "problem"), "")


def _variant_problems(question: Question) -> list[str]:
    """What makes one drawn variant a bad question, beyond the ordinary checks."""
    problems = [f"{name} = {value!r} is not shown exactly" for name, value in (question.variant or {}).items()
                if not isinstance(value, str) and float(show(value)) != value]
    for item in question.parts or (question,):
        if item.kind not in ("number",) or not (item.solver and item.quantity):
            continue
        key = keys.expected(item)
        tolerance = item.number_tolerance
        if not math.isfinite(key) or abs(key) > OVERFLOW:
            problems.append(f"{item.id}: key {key!r} overflows")
        elif abs(key) <= tolerance.abs or key == 0:
            problems.append(f"{item.id}: key is 0")
        problems += [f"{item.id}: {what} gives the key {format_number(key)}" for what in collisions(item, key)]
    return problems


def verify_question(question: Question) -> list[Finding]:
    """All checks of one question; an exercise is checked part by part."""
    if question.parts:
        findings = []
        for part in question.parts:
            findings += [Finding(f"{f.check} ({part.part})", f.status, f.message) for f in verify_question(part)]
        return findings
    findings: list[Finding] = []
    for check in (_check_key, _check_options, _check_self_test, _check_labelled, _check_distinct):
        try:
            findings.extend(check(question))
        except Exception as exc:  # noqa: BLE001  a check that breaks is a problem of this question
            findings.append(Finding(check.__name__.removeprefix("_check_").replace("_", "-"), "problem", _failure(exc)))
    return findings


# -- key -------------------------------------------------------------------------------


def _check_key(question: Question) -> list[Finding]:
    if not (question.solver and question.quantity) or question.options:
        return []
    truth = keys.expected(question)
    if question.answer is None:
        return [Finding("key", "ok", f"key from solver {question.solver}: {_show(question, truth)}")]
    kind = KINDS[question.kind]
    claimed = kind.key(question, question.answer)
    if _same(question, truth, claimed):
        return [Finding("key", "ok", f"answer {_show(question, claimed)} agrees with solver {question.solver}")]
    return [Finding("key", "problem", f"answer claims {_show(question, claimed)} but solver {question.solver} "
                                      f"gives {question.quantity} = {_show(question, truth)}")]


def _same(question: Question, a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return question.number_tolerance.accepts(b, a)
    return bool(same_value(question, a, b).equivalent)


def _show(question: Question, value: Any) -> str:
    if isinstance(value, float):
        return format_number(value)
    if hasattr(value, "interpreted_as"):
        return value.interpreted_as()
    return str(value)


# -- options ---------------------------------------------------------------------------


def _check_options(question: Question) -> list[Finding]:
    if not question.options or not (question.solver and question.quantity):
        return []
    truth = solutions.solution(question.solver, question.params)[question.quantity]
    if question.answer is None:  # randomised: the key is whichever option states the truth
        derived = keys.expected(question)
        letters = ", ".join(sorted(derived)) if isinstance(derived, frozenset) else derived
        return [Finding("options", "ok", f"{question.quantity} = {_show_truth(truth)}: key derived as {letters}")]
    keyed = {question.answer} if question.kind == "choice" else set(question.answer)
    unstated = [o.letter for o in question.options if not options.stated(o)]
    if unstated:
        return [Finding("options", "problem", f"option{'s' if len(unstated) > 1 else ''} {', '.join(unstated)} "
                                              "state no value, expr or chain, so the solver cannot check them")]
    equal = {o.letter for o in question.options if options.equals_truth(question, o, truth)}
    shown_truth = _show_truth(truth)
    if equal == keyed:
        return [Finding("options", "ok", f"{question.quantity} = {shown_truth}: option(s) {', '.join(sorted(equal))}, as keyed")]
    if not equal:
        detail = f"no option equals the solver's {question.quantity} = {shown_truth}"
    else:
        detail = f"the solver's {question.quantity} = {shown_truth} is option(s) {', '.join(sorted(equal))}"
    return [Finding("options", "problem", f"key is {', '.join(sorted(keyed))} "
                                          f"({'; '.join(_option_text(question, k) for k in sorted(keyed))}) but {detail}")]


def _option_text(question: Question, letter: str) -> str:
    return f"{letter}: {question.option(letter).text}"



def _show_truth(truth: Any) -> str:
    if hasattr(truth, "free_symbols"):
        return display(truth)
    if isinstance(truth, float):
        return format_number(truth)
    return str(truth)


# -- self-test -------------------------------------------------------------------------


def _check_self_test(question: Question) -> list[Finding]:
    key = keys.expected(question)
    examples = KINDS[question.kind].examples(question, key)
    failures = []
    for text in examples.right:
        verdict = grade(question, text, key)
        if verdict.score < 1:
            failures.append(f"the key typed as {text!r} scores {verdict.score:.2f} ({verdict.feedback})")
    for text in examples.wrong:
        verdict = grade(question, text, key)
        if verdict.status == "invalid" or verdict.score >= 1:
            failures.append(f"wrong answer {text!r} is {verdict.status} with score {verdict.score:.2f}")
    for text in examples.invalid:
        verdict = grade(question, text, key)
        if verdict.status != "invalid":
            failures.append(f"garbage {text!r} is {verdict.status}, not invalid")
    for wrong in question.misconceptions:
        verdict = grade(question, _typed(wrong.answer), key)
        if verdict.score >= 1:
            failures.append(f"known wrong answer {wrong.answer!r} is accepted as correct")
    if failures:
        return [Finding("self-test", "problem", "; ".join(failures))]
    counts = f"{len(examples.right)} right, {len(examples.wrong)} wrong, {len(examples.invalid)} invalid"
    return [Finding("self-test", "ok", counts)]


def _check_labelled(question: Question) -> list[Finding]:
    """A text question's rubric against its labelled answers (credit within CREDIT_TOLERANCE)."""
    if question.kind != "text":
        return []
    problems = rubric.labelled_problems(question)
    if problems:
        return [Finding("labelled", "problem", "; ".join(problems))]
    return [Finding("labelled", "ok", f"{len(question.labelled)} labelled answers within "
                                      f"{rubric.CREDIT_TOLERANCE:g} of their credit")]


def _typed(answer: Any) -> str:
    if isinstance(answer, list):
        return "[" + ", ".join(_typed(a) for a in answer) + "]"
    return str(answer)


# -- distinct --------------------------------------------------------------------------


def _check_distinct(question: Question) -> list[Finding]:
    if not question.options:
        return []
    key = keys.expected(question)
    keyed = set(key) if isinstance(key, frozenset) else {key}
    findings = []
    choices = list(question.options)
    for i, a in enumerate(choices):
        for b in choices[i + 1:]:
            equal, how = _options_equal(question, a, b)
            if not equal:
                continue
            involves_key = (a.letter in keyed) != (b.letter in keyed)
            # Two wrong chain-rule formulas can both be identically zero (∂h/∂b_y = 0 in every
            # term): different formulas, same value. Worth a look, not a broken question.
            status = "note" if how == "chain" and not involves_key else "problem"
            what = "a distractor equals the key" if involves_key else "two options are equal"
            findings.append(Finding("distinct", status, f"{what}: {a.letter} and {b.letter} ({how})"))
    return findings or [Finding("distinct", "ok", f"{len(choices)} options, all different")]


def _options_equal(question: Question, a: Option, b: Option) -> tuple[bool, str]:
    if a.chain is not None and b.chain is not None and question.solver:
        return _chains_agree(question, a.chain, b.chain), "chain"
    if a.expr is not None and b.expr is not None:
        fa, fb = options.formula(question, a), options.formula(question, b)
        return bool(same_value(question, fa, fb).equivalent), "formula"
    if a.value is not None and b.value is not None:
        return same_answer(question, a.value, b.value), "value"
    return fold(a.text) == fold(b.text), "text"


def _chains_agree(question: Question, a: chains.Term, b: chains.Term) -> bool:
    return options.all_close(options.chain_values(question, a), options.chain_values(question, b))


def print_report(console: Any, report: Report) -> None:
    """One table row per question: status and the reason for each check that needs a look."""
    from rich.table import Table
    from rich.text import Text

    style = {"ok": "green", "note": "yellow", "problem": "bold red"}
    table = Table(title="rnnquiz verify", title_justify="left")
    table.add_column("question", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("details", overflow="fold")
    for row in report.rows:
        shown = [f for f in row.findings if f.status != "ok"] or list(row.findings)
        details = "\n".join(f"{f.check}: {f.message}" if f.message else f.check for f in shown)
        table.add_row(Text(row.question), Text(row.status, style=style[row.status]), Text(details))
    console.print(table)
    verdict = "[bold red]problems found[/]" if report.problems else "[bold green]all keys verified[/]"
    console.print(f"{verdict}: {report.problems} of {len(report.rows)} questions have a problem "
                  f"({report.seconds:.2f} s)")
