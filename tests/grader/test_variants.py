"""Randomised questions: deterministic variants, checked variants, sessions and grading on seeds."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console

from grader.banks import loader as bank
from grader.marking import keys, solutions, variants
from grader.banks.catalog import Catalog
from grader.cli import main
from grader.marking.kinds import KINDS
from grader.marking.kinds.exercise import ExerciseAnswers
from grader.sessions.store import Store
from quizzes import BANK_DIR

CATALOG = Catalog.from_dir()
RANDOMISED = [q for q in CATALOG.bank("practice").questions if q.randomise is not None]


def run(argv: list[str], stdin: str = "") -> tuple[int, str]:
    out = io.StringIO()
    code = main(argv, stdin=io.StringIO(stdin), console=Console(file=out, width=120, color_system=None))
    return code, out.getvalue()


@pytest.mark.parametrize("question", RANDOMISED, ids=[q.id for q in RANDOMISED])
def test_same_seed_same_question_other_seed_other_numbers(question) -> None:
    first, again = variants.instantiate(question, 11), variants.instantiate(question, 11)
    assert first == again and first.prompt == again.prompt
    drawn = {tuple(sorted(variants.instantiate(question, seed).variant.items())) for seed in range(12)}
    assert len(drawn) > 1
    assert "{{" not in first.prompt and all("{{" not in p.prompt for p in first.parts)


def test_drawn_numbers_are_what_the_prompt_shows() -> None:
    question = variants.instantiate(CATALOG.question("practice/bptt"), 5)
    for name, value in question.variant.items():
        assert float(variants.show(value)) == value
    assert f"W_x = {variants.show(question.variant['W_x'])}" in question.prompt
    assert question.params["x"] == [question.variant["x1"], question.variant["x2"]]


def test_requirements_and_nonzero_hold_on_every_seed() -> None:
    question = CATALOG.question("practice/bptt")
    for seed in range(40):
        concrete = variants.instantiate(question, seed)
        solved = solutions.solution("rnn", concrete.params)
        assert concrete.variant["W_h"] != concrete.variant["W_y"]
        assert abs(solved["yhat1"] - concrete.variant["y1"]) >= 1
        assert solved["dL/dh1"] != 0 and solved["dL/dW_h"] != 0


def test_derived_choice_key_follows_the_draw() -> None:
    question = CATALOG.question("practice/vanishing")
    for seed in range(20):
        concrete = variants.instantiate(question, seed)
        part = concrete.parts[0]
        expected = "A" if abs(concrete.variant["w"]) < 1 else "B"
        assert keys.expected(part) == expected


def test_verify_variants_passes_on_the_builtin_banks() -> None:
    code, out = run(["verify", "--variants", "200", "--json"])
    report = json.loads(out)
    assert code == 0, [r for r in report["rows"] if r["status"] == "problem"]
    assert report["variants"] == 200


def plant(tmp_path: Path, old: str, new: str) -> Path:
    text = (BANK_DIR / "practice.yaml").read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / "practice.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_verify_variants_catches_a_planted_bad_constraint(tmp_path: Path) -> None:
    # n ≥ 2 lets n = 2 through, where the wrong answer n² − n equals the key n.
    path = plant(tmp_path, "- n >= 3", "- n >= 2")
    code, out = run(["verify", str(path), "--variants", "60", "--json"])
    report = json.loads(out)
    assert code == 1
    [row] = [r for r in report["rows"] if r["status"] == "problem"]
    assert row["question"] == "practice/jacobian_nonzeros"
    message = " ".join(c["message"] for c in row["checks"] if c["status"] == "problem")
    assert "known wrong answer 2 is accepted as correct" in message
    failing = [int(s) for s in re.findall(r"seed (\d+)", message)]
    planted = next(q for q in bank.load(path).questions if q.id == "practice/jacobian_nonzeros")
    assert failing and all(variants.instantiate(planted, s).variant["n"] == 2 for s in failing)


def test_an_impossible_constraint_is_a_bank_error(tmp_path: Path) -> None:
    path = plant(tmp_path, "- n >= 3", "- n >= 30")
    code, out = run(["verify", str(path), "--variants", "3"])
    assert code == 2 and "no valid variant" in out and "practice.yaml" in out


def test_the_loader_checks_templates(tmp_path: Path) -> None:
    path = plant(tmp_path, 'params: {equation: lstm_output, n: "{{n}}"}', 'params: {equation: lstm_output, n: "{{q}}"}')
    code, out = run(["verify", str(path)])
    assert code == 2 and "cannot make a variant" in out and "q" in out


def answers_for(question) -> dict[str, str]:
    key = keys.expected(question)
    return {part.part: KINDS[part.kind].examples(part, key[part.part]).right[0] for part in question.parts}


def test_followthrough_works_on_a_variant() -> None:
    question = variants.instantiate(CATALOG.question("practice/bptt"), 9)
    v = question.variant
    h1 = v["W_x"] * v["x1"] + v["W_h"] * v["h0"]
    wrong_yhat1 = v["W_h"] * h1  # the 004 slip: ŷ₁ = W_h·h₁
    truth = solutions.solution("rnn", question.params)
    given = solutions.solution("rnn", question.params, {"yhat1": wrong_yhat1})
    answers = {"a": repr(truth["yhat2"]), "b": repr(given["L"]), "c": repr(given["dL/dh1"]), "d": repr(truth["dL/dW_h"])}
    verdict = KINDS["exercise"].check(question, ExerciseAnswers(answers, {}), keys.expected(question))
    parts = dict(verdict.parts)
    assert parts["b"].misconception == "output-uses-W_h"
    assert parts["c"].followthrough and parts["c"].status == "partial"


def test_a_full_randomised_session(tmp_path: Path) -> None:
    db = tmp_path / "attempts.db"
    concrete = [variants.instantiate(q, 5) for q in CATALOG.bank("practice").questions]
    lines: list[str] = []
    for question in concrete:
        key = keys.expected(question)
        if question.parts:
            lines += [KINDS[p.kind].examples(p, key[p.part]).right[0] for p in question.parts]
        else:
            lines.append(KINDS[question.kind].examples(question, key).right[0])
    code, out = run(["take", "practice", "--seed", "5", "--db", str(db), "--student", "ann"], "\n".join(lines) + "\n")
    assert code == 0, out
    assert "Score per question" in out  # the session reached its summary
    assert f"W_x = {variants.show(concrete[0].variant['W_x'])}" in out  # the seed-5 numbers were shown
    with Store(db) as store:
        attempts = store.attempts(student="ann")
    assert len(attempts) == len(lines)
    assert all(a.status == "correct" for a in attempts), [(a.question_id, a.answer, a.status) for a in attempts]
    randomised = {item.id for q in concrete if q.randomise for item in (q, *q.parts)}
    assert {a.variant_seed for a in attempts if a.question_id in randomised} == {5}
    assert {a.variant_seed for a in attempts if a.question_id not in randomised} == {None}
    bptt = [a for a in attempts if a.question_id.startswith("practice/bptt")]
    assert json.loads(bptt[0].variant_params) == concrete[0].variant if isinstance(bptt[0].variant_params, str) \
        else bptt[0].variant_params == concrete[0].variant


def test_batch_grading_on_seeds(tmp_path: Path) -> None:
    question = CATALOG.question("practice/bptt")
    files = []
    for student, seed in (("s1", 3), ("s2", 8)):
        answers = {f"practice/bptt.{pid}": text for pid, text in answers_for(variants.instantiate(question, seed)).items()}
        body = {"student": student, "seed": seed, "answers": answers}
        path = tmp_path / f"{student}.json"
        path.write_text(json.dumps(body), encoding="utf-8")
        files.append(path)
    # s3 answers seed 3's numbers but was given seed 8: graded on its own seed, so wrong.
    wrong = json.loads(files[0].read_text(encoding="utf-8")) | {"student": "s3", "seed": 8}
    (tmp_path / "s3.json").write_text(json.dumps(wrong), encoding="utf-8")
    code, out = run(["grade", str(tmp_path), "--json"])
    assert code == 0
    scores = {s["student"]: s["questions"]["practice/bptt"]["score"] for s in json.loads(out)["students"]}
    assert scores["s1"] == 1.0 and scores["s2"] == 1.0 and scores["s3"] < 1.0


def test_unambiguous_checks_a_part_against_its_own_solver() -> None:
    # practice/gru_keeps_gradient: part (b) is a vanilla RNN (gradflow) inside a GRU exercise.
    from grader.banks.catalog import Catalog

    question = Catalog.from_dir(None).question("practice/gru_keeps_gradient")
    assert question.randomise.unambiguous and any(p.solver != question.solver for p in question.parts)
    for seed in range(5):
        concrete = variants.instantiate(question, seed)
        assert {p.part: keys.expected(p) for p in concrete.parts}


@pytest.mark.parametrize("question", RANDOMISED, ids=[q.id for q in RANDOMISED])
def test_a_recorded_draw_is_the_seeds_variant_without_drawing_again(question) -> None:
    for seed in range(6):
        drawn = variants.instantiate(question, seed)
        shown = {name: variants.show(value) for name, value in drawn.variant.items()}
        found = variants.recorded(question, seed, shown)
        assert found is not None and found.variant == drawn.variant and found.params == drawn.params
        assert found.prompt == drawn.prompt and [p.prompt for p in found.parts] == [p.prompt for p in drawn.parts]
        # the same numbers under a seed that never draws them are refused
        assert variants.recorded(question, seed + 1000, shown) is None or any(
            {n: variants.show(v) for n, v in values.items()} == shown
            for values in variants.candidates(question, seed + 1000))


def test_a_recorded_draw_is_held_to_the_rules_on_its_numbers() -> None:
    question = CATALOG.question("practice/bptt")  # require: W_h != W_y, and each step's loss visibly non-zero
    seed = next(s for s in range(500) if any(v["W_h"] == v["W_y"] for v in variants.candidates(question, s)))
    broken = next(v for v in variants.candidates(question, seed) if v["W_h"] == v["W_y"])
    assert variants.recorded(question, seed, {n: variants.show(v) for n, v in broken.items()}) is None
    made_up = {n: variants.show(v) for n, v in variants.instantiate(question, seed).variant.items()} | {"x1": "11"}
    assert variants.recorded(question, seed, made_up) is None  # 11 is outside the drawn range


@pytest.mark.parametrize("drawn", [3, 0.5, 0.1 + 0.2, -1.4, 2.0, "LSTM"])
def test_a_drawn_name_alone_renders_as_the_same_name_in_a_formula(drawn) -> None:
    # a bare {{w}} is read without the parser; it must give what a formula that uses w gives
    values = {"w": drawn, "n": 4}
    alone = variants.render("{{w}}", values)
    in_text = variants.render("w is {{w}}", values)
    if isinstance(drawn, str):
        assert alone == drawn and in_text == f"w is {drawn}"
        return
    assert alone == variants.evaluate("w * 1", values)
    assert type(alone) is type(variants.evaluate("w * 1", values))
    assert in_text == f"w is {variants.show(variants.evaluate('w + 0', values))}"
