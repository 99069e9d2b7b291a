"""The rules of issue 18: no value anywhere, calls on constants, readings, shapes, big powers and
numbers, malformed scientific numbers, undecided comparisons, and the new functions."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import numpy as np
import pytest
import sympy
from rich.console import Console

from grader.cli import main
from grader.errors import ResponseError
from grader.mathinput import definedness, exact
from grader.mathinput.equivalence import EXACT_METHOD, compare
from grader.mathinput.mathparse import from_sympy, parse
from grader.sessions.review import outcomes


def formula(text: str, variables=None):
    return parse(text, variables=variables, allow_matrix=True)


def decide(key: str, answer: str, variables=None):
    return compare(formula(key), formula(answer, variables))


# ---------------------------------------------------------------------------- no value anywhere


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        ("log(-x^2)", "has no real value for any value of x"),
        ("sqrt(-x^2)", "has no real value for any value of x"),
        ("1/(n^2+n*m+n-n*(n+m+1))", "divides by zero for every value"),
    ],
)
def test_an_answer_with_no_value_anywhere_is_invalid_with_a_reason(answer: str, phrase: str) -> None:
    decision = compare(formula("n + x"), formula(answer, ["n", "m", "x"]))
    assert decision.invalid and decision.equivalent is False and phrase in decision.detail


@pytest.mark.parametrize("text", ["sqrt(x - 3)", "log(x - 50)", "(-2)^a", "acosh(x)", "atanh(x/10)"])
def test_answers_with_some_real_value_are_not_refused(text: str) -> None:
    assert definedness.nowhere_defined(formula(text)) is None


def test_a_key_with_no_value_is_reported_as_the_key() -> None:
    decision = decide("log(-x^2)", "x", ["x"])
    assert decision.invalid and decision.equivalent is None and decision.detail.startswith("The key: ")


# ---------------------------------------------------------------------------- names and calls


@pytest.mark.parametrize("text", ["pi(3)", "e(x+1)", "2 pi(x)"])
def test_a_call_on_a_constant_is_refused(text: str) -> None:
    with pytest.raises(ResponseError, match="is a constant, not a function"):
        parse(text, variables=["x"])


def test_the_reading_of_a_name_before_a_bracket_is_stated() -> None:
    product = parse("W(x)", variables=["W", "x"])
    assert product.interpreted_as() == "W·x" and "read as the product W·(…)" in product.notes[0]
    call = parse("σ(z)", variables=["z"])
    assert call.interpreted_as() == "σ(z)" and "sigmoid function" in call.notes[0]
    assert parse("W x", variables=["W", "x"]).notes == ()
    out = io.StringIO()
    main(["compare", "W*x", "W(x)", "--json"], console=Console(file=out, width=200, color_system=None))
    assert "product" in json.loads(out.getvalue())["notes"][0]


# ---------------------------------------------------------------------------- shapes


def test_a_vector_and_a_one_row_matrix_differ_when_both_are_typed() -> None:
    for key, answer in (("[1, 2, 3]", "[[1, 2, 3]]"), ("[[1, 2, 3]]", "[1, 2, 3]"), ("[[1], [2], [3]]", "[1, 2, 3]")):
        decision = decide(key, answer)
        assert (decision.equivalent, decision.method) == (False, "shape"), (key, answer)


def test_a_solvers_one_dimensional_array_still_takes_a_typed_row_or_column() -> None:
    assert compare(np.array([1.0, 2.0]), formula("[[1], [2]]")).equivalent is True
    assert compare(np.array([1.0, 2.0]), formula("[[1, 2]]")).equivalent is True


# ---------------------------------------------------------------------------- big powers and numbers


def test_big_powers_are_compared_exactly() -> None:
    assert decide("(x-a)^6000", "(a-x)^6000", ["x", "a"]).equivalent is True
    assert decide("(x-a)^6000", "(x-a)^5999", ["x", "a"]).equivalent is False
    assert decide("(x-a)^5999", "(a-x)^5999", ["x", "a"]).equivalent is False
    assert decide("x^3*(x^4+1)^399", "258552*x^7*(81*x^8+1)^398", ["x"]).equivalent is False
    assert decide("x", "x^6000/x^5999", ["x"]).equivalent is True


def test_exact_arithmetic_sees_what_rounding_hides() -> None:
    poly = "512*(2*x+5)^7*(5*x-1)^5*(70*x+67)"
    expanded = sympy.expand(formula(poly).to_sympy())
    text = str(expanded).replace("**", "^")
    assert decide(poly, text, ["x"]).equivalent is True
    off_by_one = decide(poly, f"{text} - 1", ["x"])
    assert (off_by_one.equivalent, off_by_one.method) == (False, EXACT_METHOD)
    assert decide("99999998/99999999", "99999999/10^8").equivalent is False


def test_big_numbers_are_read_and_compared_but_runaway_ones_refused() -> None:
    big = parse("1.1234567891235*10^200")
    assert math.isclose(big.value({}), 1.1234567891235e200)
    assert decide("1.1234567891234*10^200", "1.1234567891235*10^200").equivalent is True
    assert decide("1.1234567891235*10^200", "0.10").equivalent is False
    for text in ("9^9^9^9", "2^10000", "x^100000"):
        with pytest.raises(ResponseError, match="too large"):
            parse(text, variables=["x"])


def test_exact_helpers() -> None:
    assert exact.is_rational(parse("(x-1)^-2/3 + 7", variables=["x"]).tree)
    assert not exact.is_rational(parse("0.5*x", variables=["x"]).tree)
    assert not exact.is_rational(parse("x^y", variables=["x", "y"]).tree)
    x = frozenset({"x"})
    assert exact.agree(parse("(x^2-1)/(x+1)", variables=["x"]).tree, parse("x-1", variables=["x"]).tree, x, 0) is True
    assert exact.divides_by_zero_everywhere(parse("1/(x-x)", variables=["x"]).tree, x, 0)


# ---------------------------------------------------------------------------- malformed numbers


@pytest.mark.parametrize("text", ["1e", "1e--1", "1e+", "2E", "3e+-2"])
def test_malformed_scientific_numbers_are_refused_with_a_hint(text: str) -> None:
    with pytest.raises(ResponseError, match="not a complete number.*1e3|not a complete number"):
        parse(text, variables=["x"])


def test_a_number_before_the_constant_e_still_reads() -> None:
    assert parse("2e^x", variables=["x"]).interpreted_as() == "2·e^x"
    assert parse("2e-x", variables=["x"]).interpreted_as() == "2·e − x"
    assert parse("1e", variables=["e"]).interpreted_as() == "1·e"  # a declared variable e


# ---------------------------------------------------------------------------- undecided


def test_an_undecided_comparison_says_so() -> None:
    assert decide("(-2)^a", "(-2)^(a^b)", ["a", "b"]).equivalent is None
    out = io.StringIO()
    main(["compare", "(-2)^(a^b)", "(-2)^a", "--vars", "a,b", "--json"], console=Console(file=out, width=200))
    result = json.loads(out.getvalue())
    assert result["status"] == "undecided" and result["needs_review"] is True


BANK = """\
bank: powers
title: Powers of a negative base
source: {document: test, title: "issue 18"}
questions:
  - id: q1
    kind: expression
    prompt: Write (−2) to the power a.
    variables: [a, b]
    answer: "(-2)^a"
    explanation: By definition.
    source: {document: test, question: "1"}
"""


def test_check_and_grade_route_an_undecided_answer_to_review(tmp_path: Path) -> None:
    (tmp_path / "powers.yaml").write_text(BANK, encoding="utf-8")
    out = io.StringIO()
    main(["--bank-dir", str(tmp_path), "check", "powers/q1", "(-2)^(a^b)", "--json"], console=Console(file=out, width=200))
    verdict = json.loads(out.getvalue())
    assert (verdict["status"], verdict["score"], verdict["needs_review"]) == ("undecided", 0.0, True)
    submission = tmp_path / "s1.yaml"
    submission.write_text('student: s1\nanswers:\n  powers/q1: "(-2)^(a^b)"\n', encoding="utf-8")
    code = main(["--bank-dir", str(tmp_path), "grade", str(submission), "--out", str(tmp_path / "out")],
                console=Console(file=io.StringIO(), width=200))
    queue = json.loads((tmp_path / "out" / "review-queue.json").read_text(encoding="utf-8"))
    assert code == 0 and "powers/q1" in queue["students"]["s1"]
    out = io.StringIO()
    main(["--bank-dir", str(tmp_path), "check", "powers/q1", "log(-a^2)", "--json"], console=Console(file=out, width=200))
    assert json.loads(out.getvalue())["status"] == "invalid"


def test_review_counts_an_undecided_card_as_neither_success_nor_miss() -> None:
    from grader.sessions.store import AttemptRow

    fields = dict(student="s", mode="practice", answer="x", score=0.0, misconception=None, verdict={}, seconds=None,
                  variant_seed=None, variant_params=None)
    rows = [AttemptRow(id=1, session_id=1, question_id="b/q1", status="undecided", answered_at="2026-01-01T00:00:00", **fields),
            AttemptRow(id=2, session_id=2, question_id="b/q1", status="incorrect", answered_at="2026-01-02T00:00:00", **fields)]
    result = outcomes(rows, {"b/q1": frozenset({"b/q1"})})
    assert [o.success for o in result] == [False] and result[0].at.day == 2


# ---------------------------------------------------------------------------- functions


@pytest.mark.parametrize(
    ("new", "old"),
    [("sech(x)", "1/cosh(x)"), ("csch(x)", "1/sinh(x)"), ("coth(x)", "1/tanh(x)"), ("sec(x)", "1/cos(x)"),
     ("cosec(x)", "1/sin(x)"), ("cot(x)", "cos(x)/sin(x)"), ("arctanh(x)", "log((1+x)/(1-x))/2"),
     ("arsinh(x)", "log(x + sqrt(x^2+1))"), ("arccosh(x)", "log(x + sqrt(x^2-1))"), ("arctan(x)", "atan(x)")],
)
def test_the_new_functions_equal_their_definitions(new: str, old: str) -> None:
    assert decide(old, new, ["x"]).equivalent is True


def test_the_new_functions_reach_sympy_and_back() -> None:
    tree = parse("sech(x) + asinh(x)", variables=["x"])
    x = sympy.Symbol("x")
    assert sympy.simplify(tree.to_sympy() - (sympy.sech(x) + sympy.asinh(x))) == 0
    assert from_sympy(sympy.atanh(x)).interpreted_as() == "atanh(x)"
    assert math.isclose(parse("acosh(2)").value({}), math.acosh(2))
    for text, phrase in (("csc(0)", "divides by zero"), ("arccosh(0)", "no real value"), ("sinh(10000)", "too large")):
        with pytest.raises(ResponseError, match=phrase):
            parse(text)


def test_check_says_which_reading_it_took() -> None:
    out = io.StringIO()
    main(["check", "practice/output_grad_formula", "-V(O'(V s_4 + c))/O(V s_4 + c)", "--json"],
         console=Console(file=out, width=200))
    verdict = json.loads(out.getvalue())
    assert verdict["status"] == "correct" and "read as the product V·(…)" in verdict["feedback"]
