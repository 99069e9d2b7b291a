"""Every known wrong answer in every bank names its misconceptions, and the solver agrees."""

from __future__ import annotations

import pytest

from grader.banks.catalog import Catalog
from grader.marking import solutions, variants
from grader.marking.compare import same_answer
from solvers.misconceptions import MISCONCEPTIONS, variants as misconception_variants

CATALOG = Catalog.from_dir()
ITEMS = [item for bank in CATALOG.banks() for question in bank.questions
         for item in variants.instantiate(question, 0).parts or (variants.instantiate(question, 0),)
         if item.misconceptions]


def test_the_banks_have_known_wrong_answers() -> None:
    assert len(ITEMS) >= 8


@pytest.mark.parametrize("item", ITEMS, ids=[i.id for i in ITEMS])
def test_each_known_wrong_answer_names_misconceptions_of_its_solver(item) -> None:
    for wrong in item.misconceptions:
        assert wrong.ids, f"{item.id}: known wrong answer {wrong.answer!r} names no misconception"
        for name in wrong.ids:
            assert name in MISCONCEPTIONS, f"{item.id}: unknown misconception {name}"
            assert MISCONCEPTIONS[name].solver == item.solver, f"{item.id}: {name} is not a {item.solver} mistake"


NUMERIC = [i for i in ITEMS if i.kind == "number" and i.solver and i.quantity]


@pytest.mark.parametrize("item", NUMERIC, ids=[i.id for i in NUMERIC])
def test_a_misconception_that_varies_the_solver_reproduces_the_answer(item) -> None:
    truth = solutions.solution(item.solver, item.params)
    found = misconception_variants(item.solver, item.params, truth)
    for wrong in item.misconceptions:
        for name in wrong.ids:
            mine = [v for v in found if v.misconception == name]
            if not mine:
                continue  # named by its answers only (a formula, a matrix)
            values = [v.solve(item.solver).get(item.quantity) for v in mine]
            assert any(v is not None and same_answer(item, float(wrong.answer), v) for v in values), \
                f"{item.id}: {name} gives {values}, not {wrong.answer}"
