"""Tests of grader.equivalence: verdicts on the known-truth table, and each rule behind them."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
import yaml

from grader.mathinput import equivalence, sampling, symbolic_worker
from grader.mathinput.equivalence import FORMULA_TOLERANCE, Decision, compare
from grader.model import Tolerance
from grader.mathinput.mathparse import MAX_PRIMES, parse

CASES = yaml.safe_load((Path(__file__).resolve().parents[1] / "data" / "equivalence_cases.yaml").read_text(encoding="utf-8"))


def key_of(text: str, functions=()):
    return parse(text, variables=None, functions=functions, allow_matrix=True)


def answer_of(text: str, variables=None, functions=()):
    return parse(text, variables=variables, functions=functions, allow_matrix=True)


def judge(case: dict, seed: int = 0) -> Decision:
    functions = case.get("functions", ())
    key = key_of(case["key"], functions)
    answer = answer_of(case["answer"], case.get("variables"), functions)
    return compare(key, answer, domains=case.get("domains"), form=case.get("form"), seed=seed)


def test_the_table_is_large_and_balanced():
    assert len(CASES) >= 60
    assert 0.3 < sum(case["equivalent"] for case in CASES) / len(CASES) < 0.7


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("case", CASES, ids=[f"{i:03d}" for i in range(len(CASES))])
def test_no_wrong_verdicts_on_the_table(case, seed):
    decision = judge(case, seed)
    assert decision.equivalent is case["equivalent"], decision


def test_same_seed_same_decision_and_detail():
    key, answer = key_of("1 - tanh(z)^2"), answer_of("1 - tanh(z)")
    assert compare(key, answer, seed=7) == compare(key, answer, seed=7)
    assert compare(key, answer, seed=7).detail != compare(key, answer, seed=8).detail


# ---------------------------------------------------------------------------- methods and details


@pytest.mark.parametrize(
    ("key", "answer", "equivalent", "method", "detail"),
    [
        ("3*(n^2 + n*m + n)", "3*(n^2 + n*m + n)", True, "exact", ""),
        ("3*(n^2 + n*m + n)", "3n(n + m + 1)", True, "numeric sampling (16 points)", ""),
        ("3*(n^2 + n*m + n)", "3(n^2 + nm)", False, "numeric sampling (16 points)", "expected "),
        ("x", "sqrt(x)^2", False, "numeric sampling (16 points)", "the answer is undefined at x = "),
        ("log(x - 3)", "log(x - 3)*1", True, "symbolic (sympy)", "the key is defined at only 0 of 64 points"),
        ("[[1, 0], [0, x]]", "[[1, 0], [x, x]]", False, "exact + numeric sampling (16 points)", "entry (2,1) differs"),
        ("[x, 2x, 3x]", "[x, 2x, 4x]", False, "exact + numeric sampling (16 points)", "entry 3 differs"),
        ("[[1, 0], [0, 1]]", "[1, 0]", False, "shape", "expected a 2×2 matrix, got a vector of length 2"),
        ("[[1, 0, 0], [0, 1, 0], [0, 0, 1]]", "[1, 2, 3]", False, "shape", "expected a 3×3 matrix, got a vector of length 3"),
        ("x", "[x]", False, "shape", "expected a scalar, got a vector of length 1"),
        ("[[x], [y]]", "[[x, y]]", False, "shape", "expected a 2×1 matrix, got a 1×2 matrix"),
        ("[[x], [y]]", "[x, y]", False, "shape", "expected a 2×1 matrix, got a vector of length 2"),
        ("[[x, y]]", "[x, y]", False, "shape", "expected a 1×2 matrix, got a vector of length 2"),
        ("[1, 2, 3]", "[[1, 2, 3]]", False, "shape", "expected a vector of length 3, got a 1×3 matrix"),
    ],
)
def test_methods_and_details(key, answer, equivalent, method, detail):
    decision = compare(key_of(key), answer_of(answer))
    assert decision.equivalent is equivalent
    assert decision.method == method
    assert detail in decision.detail
    assert bool(decision.detail) == bool(detail)


def test_matrix_detail_lists_every_differing_entry_up_to_three():
    decision = compare(key_of("[x, x, x, x, x]"), answer_of("[1, 2, 3, 4, x]"))
    assert decision.detail.count("differs") == 3
    assert decision.detail.endswith("and 1 more")


# ---------------------------------------------------------------------------- plain numbers


@pytest.mark.parametrize(
    ("key", "answer", "equivalent", "method"),
    [
        (6, 6.0, True, "exact"),
        (6, 6.000001, True, "numeric"),
        (6, 6.1, False, "numeric"),
        (6.0, float("nan"), False, "numeric"),
        (0.0, 1e-11, True, "numeric"),
        (0.0, 1e-9, False, "numeric"),
        (np.eye(2), np.eye(2), True, "exact"),
        (np.eye(2), np.ones(2), False, "shape"),
    ],
)
def test_numbers_and_arrays(key, answer, equivalent, method):
    decision = compare(key, answer)
    assert (decision.equivalent, decision.method) == (equivalent, method)


@pytest.mark.parametrize(
    ("key", "answer", "equivalent"),
    [(6, "2*3", True), (6, "7", False), (np.eye(2), "[[1, 0], [0, 1]]", True), (np.eye(2), "[[1, 0], [0, 2]]", False), (0.5, "sigmoid(0)", True)],
)
def test_number_keys_against_parsed_answers(key, answer, equivalent):
    assert compare(key, answer_of(answer)).equivalent is equivalent


@pytest.mark.parametrize(
    ("tolerance", "answer", "equivalent"),
    [(FORMULA_TOLERANCE, 1.0005, False), (Tolerance(rel=1e-3), 1.0005, True), (Tolerance(rel=0, abs=1e-2), 1.005, True), (Tolerance(rel=0, abs=1e-3), 1.005, False)],
)
def test_tolerance_mixes_relative_and_absolute(tolerance, answer, equivalent):
    assert compare(1.0, answer, tolerance=tolerance).equivalent is equivalent


@pytest.mark.parametrize("bad", [{"rel": -1.0}, {"abs": float("nan")}, {"rel": float("inf")}])
def test_tolerance_must_be_finite_and_non_negative(bad):
    with pytest.raises(ValueError):
        Tolerance(**bad)


def test_default_tolerance_constants():
    assert (FORMULA_TOLERANCE.rel, FORMULA_TOLERANCE.abs) == (1e-6, 1e-10)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"form": "factored"}, ValueError), ({"seed": -1}, ValueError), ({"domains": {"x": (2, 1)}}, ValueError)],
)
def test_bad_arguments(kwargs, error):
    with pytest.raises(error):
        compare(key_of("x"), answer_of("x"), **kwargs)


@pytest.mark.parametrize("target", ["x", True, np.zeros((2, 2, 2))])
def test_unsupported_targets(target):
    with pytest.raises((TypeError, ValueError)):
        compare(key_of("x"), target)


# ---------------------------------------------------------------------------- domains


@pytest.mark.parametrize(
    ("key", "answer", "equivalent"),
    [
        ("abs(n)", "n", True),  # sizes are positive
        ("abs(z)", "z", False),  # pre-activations take both signs
        ("max(abs(W), 0.2)", "abs(W)", True),  # weights keep away from zero
        ("max(abs(W_hh), 0.2)", "abs(W_hh)", True),  # by the letters before the subscript
        ("min(abs(W), 1.5)", "abs(W)", True),
        ("min(max(p, 0.05), 0.95)", "p", True),  # probabilities
        ("min(max(Gamma_u, 0.05), 0.95)", "Gamma_u", True),
        ("max(alpha, 0.01)", "alpha", True),  # rates
        ("min(max(z, -2), 2)", "z", True),  # everything else in [-2, 2]
        ("min(max(h_t, -2), 2)", "h_t", True),
    ],
)
def test_domains_by_name(key, answer, equivalent):
    assert compare(key_of(key), answer_of(answer)).equivalent is equivalent


def test_domains_override_the_name_rules():
    key, answer = key_of("abs(x)"), answer_of("x")
    assert compare(key, answer).equivalent is False
    assert compare(key, answer, domains={"x": (0.5, 2)}).equivalent is True
    assert compare(key_of("abs(s_4)"), answer_of("s_4"), domains={"s4": (1, 2)}).equivalent is True


def test_points_where_the_key_is_undefined_are_skipped():
    # log(x) is undefined on half of [-2, 2]; the other half decides.
    assert compare(key_of("log(x)"), answer_of("log(abs(x))")).equivalent is True
    assert compare(key_of("log(x)"), answer_of("log(abs(x)) + 1")).equivalent is False


@pytest.mark.parametrize("order", range(MAX_PRIMES))
def test_undefined_functions_have_exact_derivatives(order):
    derivatives = sampling.random_function("O", 0)
    u, step = np.linspace(-5, 5, 101), 1e-5
    numeric = (derivatives[order](u + step) - derivatives[order](u - step)) / (2 * step)
    assert np.allclose(numeric, derivatives[order + 1](u), rtol=1e-6, atol=1e-8)


def test_undefined_functions_stay_at_least_one():
    assert (sampling.random_function("O", 3)[0](np.linspace(-50, 50, 1001)) >= 1).all()


# ---------------------------------------------------------------------------- form


@pytest.mark.parametrize(
    ("answer", "equivalent"),
    [
        ("3n^2 + 3nm + 3n", True),
        ("3n² + 3·n·m + 3n", True),
        ("n^2*3 + 3mn + 3n", True),
        ("3(n^2 + nm + n)", False),
        ("3n(n + m + 1)", False),
        ("3n^2 + 3n(m + 1)", False),
        ("-(-3n^2 - 3nm - 3n)", False),
        ("3n^2 + 3nm + 3n + (m - m)^2", False),
    ],
)
def test_expanded_form(answer, equivalent):
    decision = compare(key_of("3*(n^2 + n*m + n)"), answer_of(answer, ["n", "m"]), form="expanded")
    assert decision.equivalent is equivalent
    if not equivalent:
        assert decision.method == "form (expanded)"
        assert "multiply out" in decision.detail


def test_form_is_checked_only_when_the_value_is_right():
    decision = compare(key_of("3*(n^2 + n*m + n)"), answer_of("3(n^2 + nm)", ["n", "m"]), form="expanded")
    assert decision.method.startswith("numeric sampling")


# ---------------------------------------------------------------------------- symbolic confirmation


def _sleep_forever(*_args):
    time.sleep(60)


def test_symbolic_overrun_is_killed_and_reported(monkeypatch):
    monkeypatch.setattr(symbolic_worker, "symbolic_equal", _sleep_forever)
    start = time.perf_counter()
    decision = compare(key_of("log(x - 3)"), answer_of("log(x - 3) + 0*x"), symbolic_timeout=0.5)
    assert time.perf_counter() - start < 5
    assert decision == Decision(None, "symbolic timed out after 0.5 s", decision.detail)
    assert "inconclusive" in decision.detail


def test_run_limited_kills_a_hung_call():
    start = time.perf_counter()
    outcome = symbolic_worker.run_limited(_sleep_forever, (), timeout=0.3)
    assert outcome.status == "timeout"
    assert time.perf_counter() - start < 5


def _allocate(size):
    return len(bytearray(size))


def test_run_limited_caps_memory():
    outcome = symbolic_worker.run_limited(_allocate, (8 << 30,), timeout=10, memory_bytes=256 << 20)
    assert outcome.status == "memory"
    assert symbolic_worker.run_limited(_allocate, (1 << 20,), timeout=10).value == 1 << 20


def _fail():
    raise RuntimeError("boom")


def test_run_limited_reports_errors():
    outcome = symbolic_worker.run_limited(_fail, (), timeout=10)
    assert (outcome.status, outcome.detail) == ("error", "RuntimeError: boom")


@pytest.mark.parametrize(
    ("key", "answer", "expected"),
    [
        ("sqrt(x^2)", "abs(x)", True),  # needs real symbols
        ("exp(log(n))", "n", True),  # needs positive sizes
        ("x + 1", "x + 2", False),
        ("tanh(x)", "x", None),
    ],
)
def test_symbolic_equal(key, answer, expected):
    positive = frozenset({"n"})
    assert symbolic_worker.symbolic_equal(key_of(key), answer_of(answer), positive) is expected
