"""A class on every randomised practice question gets, student by student, the verdicts that
grading each student alone from cold caches gives: the work shared between students (draws,
dependency graphs, solves, misconception variants, follow-through stories) changes nothing."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from grader.banks.catalog import Catalog
from grader.batch import gradebook
from grader.batch.submissions import Submission
from grader.marking import dependencies, diagnose, keys, memo, solutions, variants
from grader.model import Question

STUDENTS = 8
RECORDED = Path(__file__).parents[1] / "data" / "randomised_class_verdicts.json"


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


def _class(catalog: Catalog, students: int) -> tuple[list[Question], list[Submission]]:
    """Every randomised practice question, and a student per seed 0..students−1 answering them."""
    questions = [q for bank in catalog.banks() for q in bank.questions if q.randomise is not None]
    sheets = []
    for seed in range(students):
        answers: dict[str, str] = {}
        for question in questions:
            answers.update(_answers(question, seed))
        sheets.append(Submission(f"r{seed}", f"r{seed}.yaml", answers, {}, None, tuple(q.id for q in questions), seed))
    return questions, sheets


def _drawn(question: Question, seed: int) -> dict[str, str]:
    """A question's numbers for a seed, as an exported session records them."""
    return {n: variants.show(v) for n, v in variants.instantiate(question, seed).variant.items()}


def test_randomised_class_gets_the_verdicts_of_each_student_graded_alone() -> None:
    catalog = Catalog.from_dir()
    questions, students = _class(catalog, STUDENTS)
    assert len(questions) >= 8  # every randomised practice question, GRU and LSTM ones included
    together, alone = together_and_alone(catalog, students)
    for mine, reference in zip(together, alone):
        assert mine == reference
    # The same files carrying the numbers each session drew are graded alike, without drawing again.
    recorded = [replace(s, draws={q.id: _drawn(q, s.seed) for q in questions}) for s in students]
    memo.clear_all()
    with gradebook.batch():
        assert [gradebook.grade_submission(catalog, s).to_json() for s in recorded] == together
    parts = [part for g in together for q in g["questions"].values() for part in (q.get("parts") or {}).values()]
    assert any(part.get("followthrough") for part in parts)  # carried slips earned follow-through
    assert any(part.get("misconception") for part in parts)  # known mistakes were named
    assert any(part.get("status") == "incorrect" for part in parts)


def test_the_class_keeps_the_verdicts_recorded_before_this_rounds_speed_ups() -> None:
    """Every part's status, score, follow-through and misconception, for seed-only files and for
    files with recorded draws, as the code before recorded draws, the float solver path and the
    follow-through search rule gave them (tests/data/randomised_class_verdicts.json)."""
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    catalog = Catalog.from_dir()
    questions, students = _class(catalog, recorded["students"])
    with_draws = [replace(s, draws={q.id: _drawn(q, s.seed) for q in questions}) for s in students]
    for sheets in (students, with_draws):
        memo.clear_all()
        with gradebook.batch():
            graded = [gradebook.grade_submission(catalog, s) for s in sheets]
        now = {f"{s.seed} {r.question}{'.' + pid if pid else ''}":
               [part.status, round(part.score, 6), bool(part.followthrough), part.misconception]
               for s, g in zip(sheets, graded) for r in g.results
               for pid, part in (r.verdict.parts or (("", r.verdict),))}
        assert now == recorded["verdicts"]
    statuses = [v[0] for v in recorded["verdicts"].values()]
    assert {"correct", "partial", "incorrect"} <= set(statuses)  # a class that tests something


def test_collisions_are_the_mistakes_that_move_the_quantity_onto_the_key() -> None:
    """The unambiguous check solves a mistake that overrides quantities only where the graph says
    it can move the asked one, and asks whether a changed convention can only of those that land
    on the key: it must find exactly what solving and asking every mistake finds."""
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
                upstream = dependencies.ancestors(item.solver, item.params, item.quantity) | {item.quantity}
                for variant in diagnose.variants_of(item.solver, item.params):
                    moves = not upstream.isdisjoint(variant.given) if variant.given \
                        else diagnose._convention_shows(item, variant, nudged)
                    if not moves:
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
