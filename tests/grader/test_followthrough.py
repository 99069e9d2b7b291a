"""Follow-through credit, inference without work, the degenerate guard and misconception names."""

from __future__ import annotations

import pytest

from grader.marking import keys, variants
from grader.banks.catalog import Catalog
from grader.marking.kinds import KINDS
from grader.marking.kinds.exercise import ExerciseAnswers

CATALOG = Catalog.from_dir()
TASK1 = CATALOG.question("in5400/task1")


def grade(answers: dict[str, str], work: dict | None = None):
    verdict = KINDS["exercise"].check(TASK1, ExerciseAnswers(answers, work or {}), keys.expected(TASK1))
    return dict(verdict.parts), verdict


SHEET = {"a": "6", "b": "10", "c": "-8", "d": "-4"}
SHEET_WORK = {"yhat1": 2.0, "h1": 2.0, "h2": 3.0, "yhat2": 6.0, "L1": 9.0, "L2": 1.0, "dL1/dh1": -12.0,
              "dL2/dh1": 4.0, "dL1/dW_h": -12.0, "dL2/dW_h": 8.0}


@pytest.mark.parametrize("work", [SHEET_WORK, {}], ids=["with work", "inferred without work"])
def test_the_004_sheet(work: dict) -> None:
    parts, total = grade(SHEET, work)
    assert parts["a"].status == "correct"
    assert parts["b"].status == "incorrect"
    assert parts["b"].misconception == "output-uses-W_h"
    assert "ŷ₁ = W_h·h₁ = 2 where W_y·h₁ = 4" in parts["b"].feedback
    assert parts["c"].status == "partial" and parts["c"].followthrough
    assert parts["c"].score == pytest.approx(TASK1.followthrough)
    assert "given your ŷ₁ = 2" in parts["c"].feedback
    assert parts["d"].status == "incorrect" and parts["d"].score == 0
    assert "would be 0; you have −4" in parts["d"].feedback
    assert total.status == "partial"


def test_work_points_at_the_wrong_step() -> None:
    parts, _ = grade(SHEET, SHEET_WORK)
    assert "∂L₂/∂W_h: you have 8" in parts["d"].feedback and "it is 12" in parts["d"].feedback


def test_all_right_is_all_correct() -> None:
    parts, total = grade({"a": "6", "b": "2", "c": "0", "d": "8"})
    assert all(v.status == "correct" for v in parts.values()) and total.score == 1


def test_own_error_earns_nothing() -> None:
    parts, _ = grade({"a": "6", "b": "2", "c": "5", "d": "8"})
    assert parts["c"].status == "incorrect" and not parts["c"].followthrough


def test_a_wrong_first_part_carries_into_the_second() -> None:
    # ŷ₂ = 7 (a slip); then L = (4 − 5)² + (7 − 5)² = 5 is right given it.
    parts, _ = grade({"a": "7", "b": "5", "c": "0", "d": "8"})
    assert parts["a"].status == "incorrect"
    assert parts["b"].followthrough and "given your ŷ₂ = 7" in parts["b"].feedback


def test_a_genuine_cancellation_to_zero_earns_credit() -> None:
    # With ŷ₁ = 2 carried, ∂L/∂W_h = −12 + 12 = 0: no carried factor is 0, so 0 is the
    # error-carried-forward answer, not a trivial one.
    parts, _ = grade({"a": "6", "b": "10", "c": "0", "d": "0"}, {"yhat1": 2.0})
    assert parts["d"].status == "partial" and parts["d"].followthrough
    assert "trivial" not in parts["d"].feedback and "direct term" not in parts["d"].feedback


def test_a_carried_value_that_zeroes_a_path_earns_no_credit() -> None:
    # ŷ₂ = 5 = y₂ zeroes the factor ŷ₂ − y₂ of L₂ and of every gradient through it: L = 1 and
    # ∂L/∂h₁ = −4 follow from it, but only because the L₂ path vanished.
    parts, _ = grade({"a": "5", "b": "1", "c": "-4"})
    for pid, collapsed in (("b", "L₂ = 0"), ("c", "∂L₂/∂h₂ = 0")):
        assert parts[pid].status == "incorrect" and not parts[pid].followthrough
        assert f"your ŷ₂ = 5, but that makes {collapsed}, which trivialises it" in parts[pid].feedback


def test_a_slip_that_zeroes_nothing_still_earns_credit() -> None:
    # ŷ₂ = 7 leaves every term of L and ∂L/∂h₁ alive: credit, as before.
    parts, _ = grade({"a": "7", "b": "5", "c": "4"})  # ∂L/∂h₁ = 2(4 − 5)·2 + 2(7 − 5)·2·1
    assert parts["b"].followthrough and parts["c"].followthrough


def test_a_right_earlier_answer_rules_out_a_misconception_it_contradicts() -> None:
    # ∂L/∂h₁ = 4 is what a loss without its square gives, but the student's L = 2 is the
    # squared loss: that mistake was not made, so it is not named.
    parts, _ = grade({"a": "6", "b": "2", "c": "4"})
    assert parts["c"].status == "incorrect" and parts["c"].misconception != "loss-not-squared"
    assert "without the square" not in parts["c"].feedback
    # With L = 0, the unsquared loss, it is named in (b) and carried into (c).
    parts, _ = grade({"a": "6", "b": "0", "c": "4"})
    assert parts["b"].misconception == "loss-not-squared" and parts["c"].followthrough


def test_a_named_mistake_is_not_restated_as_a_list_of_values() -> None:
    parts, _ = grade({"a": "6", "b": "0", "c": "4"})
    assert "would give" not in parts["b"].feedback and "the right value is" not in parts["b"].feedback


def test_followthrough_share_is_per_question(tmp_path) -> None:
    from dataclasses import replace

    generous = replace(TASK1, followthrough=1.0)
    verdict = KINDS["exercise"].check(generous, ExerciseAnswers(SHEET, {}), keys.expected(generous))
    assert dict(verdict.parts)["c"].status == "correct" and dict(verdict.parts)["c"].score == 1.0


def test_inference_prefers_the_value_that_explains_later_answers() -> None:
    # L = 10 could come from ŷ₁ = 2 or ŷ₁ = 8; only ŷ₁ = 2 also explains ∂L/∂h₁ = −8.
    parts, _ = grade({"a": "6", "b": "10", "c": "-8"})
    assert parts["c"].followthrough and "ŷ₁ = 2" in parts["c"].feedback


def test_a_lone_wrong_answer_infers_nothing_it_does_not_need() -> None:
    # b is wrong but c and d are right: nothing should be carried into them.
    parts, _ = grade({"a": "6", "b": "10", "c": "0", "d": "8"})
    assert parts["c"].status == "correct" and parts["d"].status == "correct"


def test_work_can_be_typed_in_a_check_answer() -> None:
    response = KINDS["exercise"].parse(TASK1, "a=6; b=10; yhat1=2; dL2/dW_h=8")
    assert response.answers == {"a": "6", "b": "10"}
    assert response.work == {"yhat1": 2.0, "dL2/dW_h": 8.0}


def test_a_right_answer_stops_carrying_a_value_it_contradicts() -> None:
    # a = 3 is ŷ₂ = W_h·h₂, but b = 2 is only right with ŷ₂ = 6: the slip was not carried on,
    # so d is judged on its own, not "given your ŷ₂ = 3".
    parts, _ = grade({"a": "3", "b": "2", "c": "0", "d": "6"})
    assert parts["a"].misconception == "output-uses-W_h"
    assert parts["b"].status == "correct"
    assert "ŷ₂ = 3" not in parts["d"].feedback and not parts["d"].followthrough


TANH_BANK = """\
bank: tanhbank
title: A tanh exercise
source: {document: test}
questions:
  - id: t1
    kind: exercise
    prompt: A tanh RNN.
    explanation: Forward, then backward.
    source: {document: test, question: "1"}
    solver: rnn
    params: {h0: 0.5, x: [1, -1], y: [0.2, 0.4], W_h: 0.8, W_x: 0.6, W_y: 1.5, activation: tanh}
    parts:
      - {id: a, kind: number, prompt: "ŷ₂?", quantity: yhat2, explanation: "ŷ₂ = W_y·h₂."}
      - {id: b, kind: number, prompt: "L?", quantity: L, explanation: "L = L₁ + L₂."}
"""


def test_a_slip_through_tanh_is_inferred_to_rounding(tmp_path) -> None:
    """h₁ taken without its tanh (h₁ = 1 instead of tanh 1): ŷ₂ depends on it through a
    tanh, so finding h₁ from ŷ₂ needs the secant, and the value named must be exact."""
    import math

    (tmp_path / "tanhbank.yaml").write_text(TANH_BANK, encoding="utf-8")
    exercise = Catalog.from_dir(tmp_path).question("tanhbank/t1")
    h1 = 0.8 * 0.5 + 0.6 * 1  # the slip: z₁ = 1, used as h₁
    yhat1, yhat2 = 1.5 * h1, 1.5 * math.tanh(0.8 * h1 - 0.6)
    loss = (yhat1 - 0.2) ** 2 + (yhat2 - 0.4) ** 2
    answers = {"a": repr(yhat2), "b": repr(loss)}
    verdict = KINDS["exercise"].check(exercise, ExerciseAnswers(answers, {}), keys.expected(exercise))
    parts = dict(verdict.parts)
    assert parts["a"].status == "incorrect"
    assert parts["b"].followthrough and "given your h₁ = 1 " in parts["b"].feedback + " "


def test_no_search_when_the_answer_alone_explains_every_later_part_and_all_are_right(monkeypatch) -> None:
    """A wrong L with right gradients after it: the answer alone makes (c) and (d) consistent
    (they do not depend on L), so it stays the best explanation, and no later part is judged
    against the others. The search is skipped, and every verdict is what the search gives."""
    from grader.marking import followthrough, memo

    searched: list[str] = []
    real_search, real_judge = followthrough.values_reproducing, followthrough._judge

    def spy(part, solver, params, names, answer):
        searched.append(part.quantity)
        return real_search(part, solver, params, names, answer)

    monkeypatch.setattr(followthrough, "values_reproducing", spy)
    sheets = [{"a": "6", "b": "10", "c": "0", "d": "8"}, {"a": "6", "b": "3", "c": "0", "d": "8"},
              {"a": "7", "b": "10", "c": "0", "d": "8"}]
    skipped = []
    for sheet in sheets:
        memo.clear_all()
        searched.clear()
        parts, total = grade(sheet)
        skipped.append("L" not in searched)
        # the same sheet with the search forced: told that a later part is judged
        monkeypatch.setattr(followthrough, "_judge", lambda *args: real_judge(*args[:-1], True))
        memo.clear_all()
        searched.clear()
        forced, forced_total = grade(sheet)
        monkeypatch.setattr(followthrough, "_judge", real_judge)
        assert "L" in searched or sheet["a"] != "6"
        assert parts == forced and total == forced_total
    assert skipped[:2] == [True, True]
    memo.clear_all()
    searched.clear()
    grade({"a": "6", "b": "10", "c": "0", "d": "5"})  # (d) wrong: judged against (b)'s stories
    assert "L" in searched


def test_no_search_for_carried_values_that_no_later_part_could_use(monkeypatch) -> None:
    """The one-dimensional searches run only when a later answered part of the same solver
    could be explained by what they find; their results are otherwise never read."""
    from grader.marking import followthrough, memo

    searched: list[str] = []
    real = followthrough.values_reproducing

    def spy(part, solver, params, names, answer):
        searched.append(part.quantity)
        return real(part, solver, params, names, answer)

    monkeypatch.setattr(followthrough, "values_reproducing", spy)
    memo.clear_all()
    parts, _ = grade({"a": "6", "b": "10", "c": "-8", "d": "-5"})  # (d), the last part, wrong on its own
    assert parts["d"].status == "incorrect" and "dL/dW_h" not in searched
    assert "L" in searched  # (b) is wrong with (c) and (d) after it: searched
    gated = CATALOG.question("practice/gru_keeps_gradient")  # (b) belongs to another solver
    concrete = variants.instantiate(gated, 3)
    key = keys.expected(concrete)
    verdict = KINDS["exercise"].check(concrete, ExerciseAnswers({"a": "0.5", "b": str(key["b"])}, {}), key)
    assert dict(verdict.parts)["a"].status == "incorrect" and "dh8/dh0" not in searched
