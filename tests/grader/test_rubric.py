"""Written answers against rubrics: evidence per point, voiding, misconceptions, uncertainty,
and the issue's own answers on the real banks."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from grader.banks.catalog import Catalog
from grader.marking import keys, rubric, textmatch
from grader.marking.kinds import grade
from grader.model import RubricPoint

POINTS = (
    RubricPoint("names vanishing gradients", 2, (("vanish*", "gradient* shrink*"),)),
    RubricPoint("says why: a product per step", 1, (("multipl*", "product*"), ("step*", "time"))),
    RubricPoint("memory is lower", 1, (("less memory",),), contradicts=("more memory",)),
    RubricPoint("More tanh layers do not help.", -1, (("more tanh layer*",),)),
)


def states(text: str) -> list[str]:
    return [e.state for e in rubric.assess(POINTS, text)[1]]


def test_every_point_keeps_its_evidence() -> None:
    score, evidence, uncertain = rubric.assess(POINTS, "Gradients vanish: a product of one factor per time step; less memory")
    assert score == 1 and not uncertain
    assert [e.state for e in evidence] == ["earned", "earned", "earned", "missed"]
    assert evidence[0].words == ("vanish",) and evidence[1].words == ("product", "step")


def test_negation_voids_and_says_which_word() -> None:
    score, evidence, _ = rubric.assess(POINTS, "It is not because gradients vanish.")
    assert score == 0
    assert evidence[0].state == "voided" and "'not'" in evidence[0].reason


def test_a_contradiction_voids_a_point_whose_words_are_there() -> None:
    _, evidence, _ = rubric.assess(POINTS, "It needs less memory per step, no: more memory overall.")
    assert evidence[2].state == "voided" and "more memory" in evidence[2].reason


def test_all_ideas_are_needed_and_one_alone_is_partial_and_uncertain() -> None:
    score, evidence, uncertain = rubric.assess(POINTS, "gradients vanish because of a product")
    assert evidence[1].state == "partial" and uncertain
    assert score == pytest.approx(2 / 4)


def test_a_point_may_ignore_negation() -> None:
    point = RubricPoint("needs the context", 1, (("context",),), ("is not the context",), ignores_negation=True)
    assert rubric.judge(point, textmatch.answer("it cannot use the context")).state == "earned"
    assert rubric.judge(point, textmatch.answer("it needs the context")).state == "earned"
    assert rubric.judge(point, textmatch.answer("the problem is not the context")).state == "voided"


def test_the_other_ideas_alone_are_no_evidence() -> None:
    # "steps" is the second idea of the product point: without its core it earns, voids and flags nothing.
    score, evidence, uncertain = rubric.assess(POINTS, "gradients vanish over many steps, not time")
    assert evidence[1].state == "missed" and not uncertain and score == pytest.approx(2 / 4)


def test_a_misconception_subtracts_and_the_score_stays_in_range() -> None:
    score, evidence, uncertain = rubric.assess(POINTS, "use more tanh layers")
    assert evidence[3].state == "misconception" and score == 0 and not uncertain
    score, _, uncertain = rubric.assess(POINTS, "gradients vanish, so use more tanh layers")
    assert score == pytest.approx((2 - 1) / 4) and uncertain


def test_feedback_names_missing_points_and_misconceptions() -> None:
    score, evidence, uncertain = rubric.assess(POINTS, "gradients vanish, so use more tanh layers")
    text = rubric.feedback(evidence, uncertain)
    assert text.startswith("Uncertain: review.") and "1 of 3 rubric points" in text
    assert "More tanh layers do not help." in text and "memory is lower" in text


def test_self_assessment_counts_ticked_weights() -> None:
    assert rubric.covered(POINTS, (1,)) == pytest.approx(2 / 4)
    assert rubric.covered(POINTS, (1, 2, 3)) == 1
    assert rubric.covered(POINTS, ()) == 0


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.from_dir()


def verdict(catalog: Catalog, qid: str, text: str):
    question = catalog.question(qid)
    return grade(question, text, keys.expected(question))


@pytest.mark.parametrize("qid, text", [
    ("in5400/task2b", "vanishing gradients are avoided by using more tanh layers"),
    ("in5400/task2b", "not because of vanishing gradients and not because of repeated products"),
    ("in5400/task2d", "It uses more memory and learns dependencies beyond the truncation length"),
])
def test_the_issues_traps_earn_nothing(catalog: Catalog, qid: str, text: str) -> None:
    assert verdict(catalog, qid, text).score == 0


@pytest.mark.parametrize("qid, credit", [("in5400/task2c", 0.25), ("assignment3/q5.b", 0.5)])
def test_the_004_sheet_is_within_a_quarter_of_the_instructor(catalog: Catalog, qid: str, credit: float) -> None:
    from pathlib import Path

    from grader.batch.submissions import Found, load

    sheet = load(Found(Path(__file__).resolve().parents[2] / "examples/submissions/assignment3-sheet.yaml", named=True))
    assert abs(verdict(catalog, qid, sheet.answers[qid]).score - credit) <= 0.25


def test_no_labelled_negated_answer_earns_a_point_it_negates(catalog: Catalog) -> None:
    checked = 0
    for bank in catalog.banks():
        for question in bank.items():
            points = [p for p in question.rubric if not p.misconception]
            for example in question.labelled:
                if example.label != "negated":
                    continue
                evidence = [e for e in verdict(catalog, question.id, example.answer).evidence if e.weight > 0]
                assert example.misses and all(evidence[i - 1].state != "earned" for i in example.misses), question.id
                assert len(evidence) == len(points)
                checked += 1
    assert checked >= 12


def test_check_json_shows_the_evidence() -> None:
    out = subprocess.run([sys.executable, "-m", "grader.cli", "check", "in5400/task2b",
                          "not because of vanishing gradients", "--json"], capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    first = data["evidence"][0]
    assert first["state"] == "voided" and first["words"] == ["vanishing"] and "not" in first["reason"]
    assert data["score"] == 0


def test_evidence_survives_the_store_round_trip(catalog: Catalog) -> None:
    from grader.model import Verdict

    original = verdict(catalog, "in5400/task2b", "vanishing gradients are avoided by using more tanh layers")
    assert original.uncertain and original.evidence
    assert Verdict.from_json(json.loads(json.dumps(original.to_json()))) == original
