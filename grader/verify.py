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

import functools
import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from grader import chains, keys
from grader.errors import QuizError, ResponseError
from grader.kinds import KINDS, fold, format_number, grade, option_value, same_answer, same_value
from grader.model import Bank, Option, Question, Tolerance

CHAIN_DRAWS = 2
"""Random RNNs each chain-rule option is evaluated on (besides the bank's own)."""
CHAIN_TOLERANCE = Tolerance(rel=1e-7, abs=1e-9)


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


def verify(banks: Iterable[Bank], only: str | None = None) -> Report:
    """Verify every question of `banks` (or only the question or exercise `only`)."""
    start = time.perf_counter()
    rows = []
    for bank in banks:
        for question in bank.questions:
            if only and only not in (question.id, *(p.id for p in question.parts)):
                continue
            rows.append(Row(question.id, tuple(verify_question(question))))
    return Report(tuple(rows), time.perf_counter() - start)


def verify_question(question: Question) -> list[Finding]:
    """All checks of one question; an exercise is checked part by part."""
    if question.parts:
        findings = []
        for part in question.parts:
            findings += [Finding(f"{f.check} ({part.part})", f.status, f.message) for f in verify_question(part)]
        return findings
    findings: list[Finding] = []
    for check in (_check_key, _check_options, _check_self_test, _check_distinct):
        try:
            findings.extend(check(question))
        except QuizError as exc:
            findings.append(Finding(check.__name__.removeprefix("_check_").replace("_", "-"), "problem", str(exc)))
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
        return (question.tolerance or Tolerance()).accepts(b, a)
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
    truth = keys.solution(question.solver, question.params)[question.quantity]
    keyed = {question.answer} if question.kind == "choice" else set(question.answer)
    unstated = [o.letter for o in question.options if not _stated(o)]
    if unstated:
        return [Finding("options", "problem", f"option{'s' if len(unstated) > 1 else ''} {', '.join(unstated)} "
                                              "state no value, expr or chain, so the solver cannot check them")]
    equal = {o.letter for o in question.options if _option_equals(question, o, truth)}
    shown_truth = _show_truth(truth)
    if equal == keyed:
        return [Finding("options", "ok", f"{question.quantity} = {shown_truth}: option(s) {', '.join(sorted(equal))}, as keyed")]
    if not equal:
        detail = f"no option equals the solver's {question.quantity} = {shown_truth}"
    else:
        detail = f"the solver's {question.quantity} = {shown_truth} is option(s) {', '.join(sorted(equal))}"
    return [Finding("options", "problem", f"key is {', '.join(sorted(keyed))} "
                                          f"({'; '.join(_option_text(question, k) for k in sorted(keyed))}) but {detail}")]


def _stated(option: Option) -> bool:
    return option.value is not None or option.expr is not None or option.chain is not None


def _option_text(question: Question, letter: str) -> str:
    return f"{letter}: {question.option(letter).text}"


def _show_truth(truth: Any) -> str:
    if hasattr(truth, "free_symbols"):
        from grader.solving import display

        return display(truth)
    if isinstance(truth, float):
        return format_number(truth)
    return str(truth)


def _option_equals(question: Question, option: Option, truth: Any) -> bool:
    if option.chain is not None:
        return _chain_equals(question, option.chain)
    if option.expr is not None:
        return _formulas_equal(question, _option_formula(question, option), truth)
    return same_answer(question, option.value, truth)


def _option_formula(question: Question, option: Option) -> Any:
    try:
        return option_value(question, option)
    except ResponseError as exc:
        raise QuizError(f"cannot read formula {option.expr!r} of option {option.letter}: {exc}") from None


def _formulas_equal(question: Question, formula: Any, truth: Any) -> bool:
    """A formula option against the truth; numeric solver params are substituted first."""
    from grader import mathparse

    if isinstance(truth, (int, float)) and not isinstance(truth, bool):
        env = {name: float(value) for name, value in question.params.items()
               if isinstance(value, (int, float)) and not isinstance(value, bool)}
        missing = formula.names - set(env)
        if missing:
            return False
        value = float(formula.evaluate(env))
        return same_answer(question, value, truth)
    return bool(same_value(question, mathparse.from_sympy(truth), formula).equivalent)


def _chain_equals(question: Question, chain: chains.Term) -> bool:
    """A chain-rule option against the true gradient, on the bank's RNN and random ones."""
    truths = [_as_vector(keys.solution(question.solver, params)[question.quantity]) for params in _draws(question)]
    return _all_close(_chain_values(question, chain), truths)


def _draws(question: Question) -> list[Mapping[str, Any]]:
    return [question.params] + [_random_like(question.params, seed) for seed in range(1, CHAIN_DRAWS + 1)]


def _chain_values(question: Question, chain: chains.Term) -> list[Any]:
    return [_as_vector(_evaluate_chain(chain, params)) for params in _draws(question)]


def _as_vector(value: Any) -> Any:
    import numpy as np

    return np.asarray(value, dtype=float).ravel()


def _all_close(xs: list[Any], ys: list[Any]) -> bool:
    import numpy as np

    return all(x.shape == y.shape and np.allclose(x, y, rtol=CHAIN_TOLERANCE.rel, atol=CHAIN_TOLERANCE.abs)
               for x, y in zip(xs, ys))


def _evaluate_chain(chain: chains.Term, params: Mapping[str, Any]) -> Any:
    from solvers.rnn import local_derivative
    from solvers.names import sequence_length

    @functools.lru_cache(maxsize=None)
    def local(of: str, wrt: str) -> Any:
        return local_derivative(params, of, wrt)

    return chains.evaluate(chain, local, {"T": sequence_length("x", params["x"])}, 1)


def _random_like(params: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """The same RNN with every weight, bias, state and input redrawn; targets and functions kept."""
    import numpy as np

    rng = np.random.default_rng(seed)

    def redraw(value: Any) -> Any:
        if isinstance(value, list):
            return [redraw(v) for v in value]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(rng.normal(0.0, 0.8))
        return value

    return {name: redraw(value) if name in ("h0", "x", "W_h", "W_x", "W_y", "b_h", "b_y") else value
            for name, value in params.items()}


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


def _typed(answer: Any) -> str:
    if isinstance(answer, list):
        return "[" + ", ".join(_typed(a) for a in answer) + "]"
    return str(answer)


# -- distinct --------------------------------------------------------------------------


def _check_distinct(question: Question) -> list[Finding]:
    if not question.options:
        return []
    keyed = {question.answer} if question.kind == "choice" else set(question.answer)
    findings = []
    options = list(question.options)
    for i, a in enumerate(options):
        for b in options[i + 1:]:
            equal, how = _options_equal(question, a, b)
            if not equal:
                continue
            involves_key = (a.letter in keyed) != (b.letter in keyed)
            # Two wrong chain-rule formulas can both be identically zero (∂h/∂b_y = 0 in every
            # term): different formulas, same value. Worth a look, not a broken question.
            status = "note" if how == "chain" and not involves_key else "problem"
            what = "a distractor equals the key" if involves_key else "two options are equal"
            findings.append(Finding("distinct", status, f"{what}: {a.letter} and {b.letter} ({how})"))
    return findings or [Finding("distinct", "ok", f"{len(options)} options, all different")]


def _options_equal(question: Question, a: Option, b: Option) -> tuple[bool, str]:
    if a.chain is not None and b.chain is not None and question.solver:
        return _chains_agree(question, a.chain, b.chain), "chain"
    if a.expr is not None and b.expr is not None:
        fa, fb = _option_formula(question, a), _option_formula(question, b)
        return bool(same_value(question, fa, fb).equivalent), "formula"
    if a.value is not None and b.value is not None:
        return same_answer(question, a.value, b.value), "value"
    return fold(a.text) == fold(b.text), "text"


def _chains_agree(question: Question, a: chains.Term, b: chains.Term) -> bool:
    return _all_close(_chain_values(question, a), _chain_values(question, b))


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
