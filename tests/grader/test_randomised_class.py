"""A class on every randomised practice question gets, student by student, the verdicts that
grading each student alone from cold caches gives: the work shared between students (draws,
dependency graphs, solves, misconception variants, follow-through stories) changes nothing."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from grader.banks.catalog import Catalog
from grader.batch import gradebook
from grader.batch.submissions import Submission
from grader.marking import diagnose, keys, memo, solutions, variants
from grader.model import Question

STUDENTS = 8


def _answers(question: Question, seed: int) -> dict[str, str]:
    """One student's answers to their own variant: right, a slip carried into later parts, a
    known mistake, or a part wrong on its own, by seed."""
    concrete = variants.instantiate(question, seed)
    key = keys.expected(concrete)
    items = concrete.parts or (concrete,)
    first = next((p for p in items if p.kind == "number" and p.solver and p.quantity), None)
    carried: dict[str, Any] = {}
    mistaken: Any = None
    if first is not None:
        truth = solutions.solution(first.solver, first.params)
        carried = dict(solutions.solution(first.solver, first.params, {first.quantity: truth[first.quantity] + 1}))
        for variant in diagnose.variants_of(first.solver, first.params):
            value = solutions.solution(first.solver, variant.params, variant.given).get(first.quantity)
            if isinstance(value, float) and abs(value - truth[first.quantity]) > 1e-6:
                mistaken = value
                break
    out: dict[str, str] = {}
    for item in items:
        right = key[item.part] if concrete.parts else key
        name = item.id
        if item.kind == "choice":
            out[name] = str(right) if seed % 2 else ("B" if right != "B" else "A")
        elif item.kind == "number":
            value = float(right)
            if seed % 4 == 1 and item.solver == getattr(first, "solver", None) and item.quantity in carried:
                value = float(carried[item.quantity])  # the slip in the first part, carried on
            elif seed % 4 == 2 and item is first and mistaken is not None:
                value = float(mistaken)
            elif seed % 4 == 3 and item is items[-1]:
                value = value + 1.5
            out[name] = repr(value)
    return out



def together_and_alone(catalog: Catalog, students: list[Submission]) -> tuple[list[dict], list[dict]]:
    """Each student's gradebook entry graded in one batch, and graded alone from cold caches."""
    memo.clear_all()
    with gradebook.batch():
        together = [gradebook.grade_submission(catalog, s).to_json() for s in students]
    alone = []
    for s in students:
        memo.clear_all()
        alone.append(gradebook.grade_submission(catalog, s).to_json())
    return together, alone


def test_randomised_class_gets_the_verdicts_of_each_student_graded_alone() -> None:
    catalog = Catalog.from_dir()
    questions = [q for bank in catalog.banks() for q in bank.questions if q.randomise is not None]
    assert len(questions) >= 8  # every randomised practice question, GRU and LSTM ones included
    students = []
    for seed in range(STUDENTS):
        answers: dict[str, str] = {}
        for question in questions:
            answers.update(_answers(question, seed))
        students.append(Submission(f"r{seed}", f"r{seed}.yaml", answers, {}, None,
                                   tuple(q.id for q in questions), seed))
    together, alone = together_and_alone(catalog, students)
    for mine, reference in zip(together, alone):
        assert mine == reference
    # The same files carrying the numbers each session drew are graded alike, without drawing again.
    def drawn(question: Question, seed: int) -> dict[str, str]:
        return {n: variants.show(v) for n, v in variants.instantiate(question, seed).variant.items()}

    recorded = [replace(s, draws={q.id: drawn(q, s.seed) for q in questions}) for s in students]
    memo.clear_all()
    with gradebook.batch():
        assert [gradebook.grade_submission(catalog, s).to_json() for s in recorded] == together
    parts = [part for g in together for q in g["questions"].values() for part in (q.get("parts") or {}).values()]
    assert any(part.get("followthrough") for part in parts)  # carried slips earned follow-through
    assert any(part.get("misconception") for part in parts)  # known mistakes were named
    assert any(part.get("status") == "incorrect" for part in parts)


def test_collisions_are_the_mistakes_that_move_the_quantity_onto_the_key() -> None:
    """The unambiguous check asks whether a mistake can move a quantity only for the mistakes
    that land on the key: it must find exactly what asking every mistake finds."""
    catalog = Catalog.from_dir()
    checked, colliding = 0, 0
    for question in (q for bank in catalog.banks() for q in bank.questions
                     if q.randomise is not None and q.randomise.unambiguous):
        for seed in range(6):
            concrete = variants.fill(question, _first_draw(question, seed), seed)
            for item in concrete.parts or (concrete,):
                if item.kind != "number" or not (item.quantity and item.solver):
                    continue
                try:
                    key = float(solutions.solution(item.solver, item.params)[item.quantity])
                except ValueError:
                    continue
                nudged = {name: diagnose._nudged(value) for name, value in item.params.items()}
                expected = [f"known wrong answer {w.answer!r}" for w in item.misconceptions
                            if isinstance(w.answer, (int, float))
                            and (item.tolerance or _tolerance()).accepts(float(w.answer), key)]
                for variant in diagnose.variants_of(item.solver, item.params):
                    if not diagnose._affects(item, variant, nudged):
                        continue
                    try:
                        value = solutions.solution(item.solver, variant.params, variant.given)[item.quantity]
                    except (KeyError, ValueError):
                        continue
                    if isinstance(value, (int, float)) and (item.tolerance or _tolerance()).accepts(float(value), key):
                        expected.append(f"misconception {variant.misconception}")
                assert list(diagnose.collisions(item, key)) == expected
                checked += 1
                colliding += bool(expected)
    assert checked >= 20 and colliding  # some raw draws do collide (the check rejects them)


def _first_draw(question: Question, seed: int) -> dict[str, Any]:
    """The first raw draw for a seed, checked or not: rejected draws are where collisions are found."""
    return next(variants.candidates(question, seed))


def _tolerance() -> Any:
    from grader.model import Tolerance

    return Tolerance()
