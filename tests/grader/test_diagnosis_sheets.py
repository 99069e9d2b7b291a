"""Student sheets for the IN5400 exercise, each with one common slip: the verdict and the name."""

from __future__ import annotations

import pytest

from grader.banks.catalog import Catalog
from grader.marking import keys
from grader.marking.kinds import KINDS
from grader.marking.kinds.exercise import ExerciseAnswers

TASK1 = Catalog.from_dir().question("in5400/task1")


def grade(answers: dict[str, str], work: dict | None = None) -> dict:
    verdict = KINDS["exercise"].check(TASK1, ExerciseAnswers(answers, work or {}), keys.expected(TASK1))
    return dict(verdict.parts)


def test_half_convention_is_named_on_both_parts() -> None:
    # L = ½(1 + 1) = 1 and ∂L/∂W_h = 8/2 = 4: one convention, named where it shows.
    parts = grade({"a": "6", "b": "1", "c": "0", "d": "4"})
    assert parts["b"].status == "incorrect" and parts["b"].misconception == "loss-convention"
    assert parts["d"].followthrough and parts["d"].misconception == "loss-convention"


def test_direct_path_only() -> None:
    # ∂L/∂h₁ = ∂L₁/∂h₁ = −4; ∂L/∂W_h = −4·h₀ + 4·h₁ = 4 follows from it.
    parts = grade({"a": "6", "b": "2", "c": "-4", "d": "4"})
    assert parts["c"].status == "incorrect" and parts["c"].misconception == "direct-path-only"
    assert parts["d"].followthrough and "given your ∂L/∂h₁ = −4" in parts["d"].feedback


def test_one_step_truncation_is_named_from_the_work_shown() -> None:
    # 4 is also the ½ convention and the direct path only; ∂L₂/∂W_h = 8 shown pins the step.
    parts = grade({"a": "6", "b": "2", "c": "0", "d": "4"}, {"dL2/dW_h": 8.0})
    assert parts["d"].status == "incorrect" and parts["d"].misconception == "one-step-bptt"
    assert "∂L₂/∂W_h = 8" in parts["d"].feedback
    # The work alone names it even where the final answer matches no misconception (−4 + 8 is
    # not 5); the right ∂L₁/∂W_h = −4 rules out dropping the h₀ term, which also gives 8.
    parts = grade({"a": "6", "d": "5"}, {"dL2/dW_h": 8.0, "dL1/dW_h": -4.0})
    assert parts["d"].status == "incorrect" and parts["d"].misconception == "one-step-bptt"


def test_the_004_slip_without_work_earns_follow_through_for_zero() -> None:
    # ŷ₁ = 2 carried: ∂L/∂W_h = −12 + 12 = 0 is a cancellation, not a zeroed factor.
    parts = grade({"a": "6", "b": "10", "c": "-8", "d": "0"})
    assert parts["b"].misconception == "output-uses-W_h"
    assert parts["c"].followthrough and parts["d"].followthrough
    assert parts["d"].score == pytest.approx(TASK1.followthrough)
    assert "direct term" not in parts["d"].feedback and "trivial" not in parts["d"].feedback


def test_sign_flip_is_named() -> None:
    parts = grade({"a": "6", "b": "2", "c": "0", "d": "-8"})
    assert parts["d"].status == "incorrect" and parts["d"].misconception == "loss-gradient-sign"
    assert "2(ŷ_t − y_t)" in parts["d"].feedback


@pytest.mark.parametrize("carried, answers, collapsed", [
    ({"yhat1": 5.0}, {"a": "6", "b": "1", "c": "4", "d": "12"}, "∂L₁/∂h₁ = 0"),   # ŷ₁ = y₁
    ({"yhat2": 5.0}, {"a": "5", "b": "1", "c": "-4", "d": "-4"}, "∂L₂/∂h₂ = 0"),  # ŷ₂ = y₂
], ids=["yhat1=y1", "yhat2=y2"])
def test_a_trivial_carry_earns_nothing(carried: dict, answers: dict, collapsed: str) -> None:
    parts = grade(answers, carried)
    for pid in ("c", "d"):
        assert parts[pid].status == "incorrect" and not parts[pid].followthrough
        assert f"that makes {collapsed}, which trivialises it" in parts[pid].feedback


def test_a_known_wrong_answer_two_mistakes_give_lists_both() -> None:
    # ŷ₂ = 4 is ŷ₁ (the wrong step) or h₁ without h₀·W_h: the first is at least as likely.
    verdict = KINDS["number"].check(TASK1.parts[0], 4.0, keys.expected(TASK1.parts[0]))
    assert verdict.misconception == "wrong-time-step" and verdict.alternatives == ("forward-drops-h0",)
    # A lone ∂L/∂W_h = 4, checked as a part, names all three mistakes that give it.
    part = TASK1.parts[3]
    verdict = KINDS["number"].check(part, 4.0, keys.expected(part))
    assert verdict.misconception == "one-step-bptt"
    assert set(verdict.alternatives) == {"direct-path-only", "loss-convention"}


def test_later_answers_decide_which_of_two_mistakes_it_was() -> None:
    # ŷ₂ = 4 alone is most likely ŷ₁ given for ŷ₂; with L = 10 and ∂L/∂h₁ = −16 after it,
    # only h₁ = W_x·x₁ (h₀·W_h left out) explains them all, and they follow from it.
    parts = grade({"a": "4", "b": "10", "c": "-16"})
    assert parts["a"].misconception == "forward-drops-h0" and parts["a"].alternatives == ("wrong-time-step",)
    assert parts["b"].followthrough and parts["c"].followthrough
    # L = 1 is the ½ convention, L₂ alone or L₁ alone: ∂L/∂h₁ = −4 and ∂L/∂W_h = −4 make it L₁
    # alone, and the later parts are named by the same mistake (no credit: it zeroes L₂'s path).
    parts = grade({"a": "6", "b": "1", "c": "-4", "d": "-4"})
    assert [parts[p].misconception for p in "bcd"] == ["only-first-loss"] * 3
    assert not parts["c"].followthrough and not parts["d"].followthrough
