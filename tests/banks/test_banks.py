"""Every built-in bank loads, and every question passes its own self-test."""

from __future__ import annotations

import pytest

from grader.marking import keys, variants
from grader.banks.catalog import Catalog
from grader.marking.kinds import KINDS, grade

CATALOG = Catalog.from_dir()
# A randomised question is tested on one variant here; `verify --variants` covers many.
ITEMS = [variants.instantiate(item, 0) for bank in CATALOG.banks() for item in bank.items() if not item.parent]


def test_the_five_documents_are_all_there() -> None:
    counts = {bank.id: sum(len(q.parts) or 1 for q in bank.questions) for bank in CATALOG.banks()}
    assert counts["hse"] == 4
    assert counts["seqmodels"] == 10
    assert counts["nptel"] == 10
    assert counts["in5400"] == 8
    assert counts["assignment3"] == 8
    documents = sorted(bank.document[:3] for bank in CATALOG.banks() if bank.id != "practice")
    assert documents == ["000", "001", "002", "003", "004"]


def test_question_ids_are_unique_across_banks() -> None:
    ids = [item.id for bank in CATALOG.banks() for item in bank.items()]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("question", ITEMS, ids=[q.id for q in ITEMS])
def test_question_self_test(question) -> None:
    key = keys.expected(question)
    examples = KINDS[question.kind].examples(question, key)
    for text in examples.right:
        verdict = grade(question, text, key)
        assert verdict.status == "correct" and verdict.score == 1.0, (text, verdict)
    for text in examples.wrong:
        verdict = grade(question, text, key)
        assert verdict.status != "invalid" and verdict.score < 1.0, (text, verdict)
    for text in examples.invalid:
        verdict = grade(question, text, key)
        assert verdict.status == "invalid", (text, verdict)
        assert len(verdict.feedback) > 15, verdict.feedback


@pytest.mark.parametrize("question", ITEMS, ids=[q.id for q in ITEMS])
def test_question_is_complete(question) -> None:
    assert question.explanation and question.prompt
    assert question.source.document and question.source.question
    assert question.tags, "every question has a topic tag"
    for item in question.parts or (question,):
        assert item.explanation
