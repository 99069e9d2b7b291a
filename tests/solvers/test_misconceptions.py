"""Each named misconception reproduces its wrong computation, and the grader names it."""

from __future__ import annotations

import pytest
import sympy

from grader.marking.kinds import KINDS
from grader.model import Question, Source
from solvers import SOLVERS
from solvers.misconceptions import MISCONCEPTIONS, variants

IN5400 = {"h0": 1, "x": [10, 10], "y": [5, 5], "W_h": 1, "W_x": 0.1, "W_y": 2}


def variant(solver: str, params: dict, misconception: str, index: int = 0):
    found = [v for v in variants(solver, params) if v.misconception == misconception]
    return found[index].solve(solver)


# Each value is worked out by hand on the IN5400 network (h₁ = 2, h₂ = 3, ŷ = 4, 6, y = 5, 5).
BY_HAND = [
    ("output-uses-W_h", "L", (1 * 2 - 5) ** 2 + (2 * 3 - 5) ** 2),           # ŷ₁ = W_h·h₁
    ("loss-not-squared", "L", (4 - 5) + (6 - 5)),
    ("loss-not-squared", "dL/dh1", 2 + 2 * 1),                                # W_y + W_y·W_h
    ("loss-not-squared", "dL/dW_h", (2 + 2) * 1 + 2 * 2),                     # dL/dh₁·h₀ + dL/dh₂·h₁
    ("loss-convention", "L", 0.5 * (1 + 1)),
    ("loss-convention", "dL/dW_h", 8 / 2),
    ("direct-path-only", "dL/dh1", 2 * (4 - 5) * 2),                         # ∂L₁/∂h₁ only
    ("direct-path-only", "dL/dW_h", 2 * (4 - 5) * 2 * 1 + 2 * (6 - 5) * 2 * 2),  # = h_{t−1} held constant
    ("only-last-loss", "L", (6 - 5) ** 2),
    ("only-last-loss", "dL/dW_h", 2 * (6 - 5) * 2 * (2 + 1 * 1)),            # ∂L₂/∂W_h
    ("loss-gradient-sign", "dL/dh1", -(2 * (4 - 5) * 2 + 2 * (6 - 5) * 2 * 1)),  # 2(y − ŷ) in both paths
    ("loss-gradient-sign", "dL/dW_h", -(2 * (4 - 5) * 2 * 1 + 2 * (6 - 5) * 2 * (2 + 1 * 1))),
    ("one-step-bptt", "dL2/dW_h", 2 * (6 - 5) * 2 * 2),                        # ∂h₂/∂W_h = h₁ only
    ("one-step-bptt", "dL/dW_h", 2 * (4 - 5) * 2 * 1 + 2 * (6 - 5) * 2 * 2),
    ("drop-direct-term", "dL2/dW_h", 2 * (6 - 5) * 2 * (1 * 1)),               # ∂h₂/∂W_h = W_h·h₀ only
    ("drop-direct-term", "dL/dW_h", 2 * (4 - 5) * 2 * 1 + 2 * (6 - 5) * 2 * (1 * 1)),
    ("wrong-time-step", "yhat2", 2 * 2),                                      # ŷ₁ given for ŷ₂
    ("forward-drops-h0", "yhat2", 2 * (1 * (0.1 * 10) + 0.1 * 10)),           # h₁ = W_x·x₁ = 1
    ("forward-drops-h0", "L", (2 * 1 - 5) ** 2 + (2 * 2 - 5) ** 2),
    ("only-first-loss", "L", (4 - 5) ** 2),
    ("only-first-loss", "dL/dW_h", 2 * (4 - 5) * 2 * 1),                      # ∂L₁/∂W_h
]


@pytest.mark.parametrize("misconception, quantity, expected", BY_HAND, ids=[f"{m}:{q}" for m, q, _ in BY_HAND])
def test_rnn_misconception_by_hand(misconception: str, quantity: str, expected: float) -> None:
    assert variant("rnn", IN5400, misconception)[quantity] == pytest.approx(expected)


def test_drop_h0_term_removes_exactly_the_first_step() -> None:
    params = {**IN5400, "h0": 2.0, "activation": "tanh", "W_x": 0.05}
    truth = SOLVERS["rnn"].solve(params)
    wrong = variant("rnn", params, "drop-h0-term")
    f1 = 1 - truth["h1"] ** 2  # tanh′ at step 1
    assert wrong["dL/dW_h"] == pytest.approx(truth["dL/dW_h"] - truth["dL/dh1"] * f1 * params["h0"])


n, m = sympy.symbols("n m")
COUNTS = [
    ("no-bias", 3 * (n**2 + n * m)),
    ("gate-count", 4 * (n**2 + n * m + n)),
    ("bias-convention", 3 * (n**2 + n * m + 2 * n)),
]


@pytest.mark.parametrize("misconception, expected", COUNTS, ids=[c[0] for c in COUNTS])
def test_gru_count_misconceptions(misconception: str, expected: sympy.Expr) -> None:
    got = variant("param_count", {"cell": "gru", "n": "n", "m": "m"}, misconception)["total"]
    assert sympy.expand(got - expected) == 0


def test_every_misconception_has_a_sentence_and_a_solver() -> None:
    for misconception in MISCONCEPTIONS.values():
        assert misconception.solver in SOLVERS and len(misconception.sentence) > 20


PROBLEMS = [IN5400, {"h0": 0.5, "x": [1, -2, 0.5], "y": [0.3, 1, -0.2], "W_h": 0.8, "W_x": 0.5, "W_y": 1.5}]


def _distinguishing(misconception: str):
    """A problem and quantity where this misconception's value is its own: not the truth, no other variant."""
    for params in PROBLEMS:
        truth = SOLVERS["rnn"].solve(params)
        found = variants("rnn", params, truth)
        mine = [v for v in found if v.misconception == misconception]
        for v in mine:
            wrong = v.solve("rnn")
            for quantity in ("yhat2", "L", "dL/dh1", "dL/dh2", "dL2/dW_h", "dL3/dW_h", "dL/dW_h", "dL/dW_x", "dL/dW_y"):
                if quantity not in wrong or abs(wrong[quantity] - truth[quantity]) < 1e-6:
                    continue
                others = [o.solve("rnn").get(quantity) for o in found if o.misconception != misconception]
                if all(o is None or abs(o - wrong[quantity]) > 1e-6 for o in others):
                    return params, quantity, wrong[quantity]
    return None


RNN_MISCONCEPTIONS = [m for m in MISCONCEPTIONS.values() if m.solver == "rnn"]


@pytest.mark.parametrize("misconception", RNN_MISCONCEPTIONS, ids=[m.id for m in RNN_MISCONCEPTIONS])
def test_grader_names_the_misconception(misconception) -> None:
    found = _distinguishing(misconception.id)
    assert found, f"no problem tells {misconception.id} apart from the others"
    params, quantity, value = found
    question = Question(id="t/q", kind="number", prompt="?", explanation=".", source=Source("t", "1"),
                        solver="rnn", params=params, quantity=quantity)
    key = SOLVERS["rnn"].solve(params)[quantity]
    verdict = KINDS["number"].check(question, value, key)
    assert verdict.status == "incorrect"
    assert verdict.misconception == misconception.id
    assert misconception.sentence in verdict.feedback


@pytest.mark.parametrize("misconception, expected", [("jacobian-dense", 16), ("jacobian-off-diagonal", 12)])
def test_jacobian_count_misconceptions(misconception: str, expected: int) -> None:
    # h = o ⊙ σ(s) with n = 4: 4 diagonal entries; all 16 counted, or the 12 zero ones.
    assert variant("jacobian", {"equation": "lstm_output", "n": 4}, misconception)["nonzeros"] == expected


@pytest.mark.parametrize("T", [1, 2, 13])
def test_factor_count_multiplies_one_factor_too_few_or_too_many(T: int) -> None:
    params = {"W_hh": 0.3, "activation": "identity", "T": T}
    found = {abs(v.solve("gradflow")["norm_h0"]) for v in variants("gradflow", params) if v.misconception == "factor-count"}
    expected = {0.3 ** (T + 1)} | ({0.3 ** (T - 1)} if T > 1 else set())  # no variant with 0 factors
    assert len(found) == len(expected) and all(min(abs(f - e) for f in found) < 1e-15 for e in expected)
    question = Question(id="t/q", kind="number", prompt="?", explanation=".", source=Source("t", "1"),
                        solver="gradflow", params=params, quantity="norm_h0")
    verdict = KINDS["number"].check(question, 0.3 ** (T + 1), SOLVERS["gradflow"].solve(params)["norm_h0"])
    assert verdict.status == "incorrect" and verdict.misconception == "factor-count"
    # With inputs, T is the length of x: there is no count to get wrong.
    assert not [v for v in variants("gradflow", {"W_hh": 0.3, "x": [1, 2, 3]}) if v.misconception == "factor-count"]


# -- gated cells: each misconception against a value worked out from the true solution ----------

import numpy as np  # noqa: E402

LSTM_ONE = {"h0": 0.5, "c0": -0.3, "x": [1], "y": [0.2], "W_f": [0.5, -0.3], "W_i": [0.2, 0.1],
            "W_o": [0.3, 0.4], "W_c": [1.0, 0.7], "W_y": 1.5}
LSTM_TWO = {**LSTM_ONE, "x": [1, -1], "y": [0.2, 0.4]}
GRU_ONE = {"h0": 0.5, "x": [1], "y": [0.2], "W_u": [0.5, -0.3], "W_r": [0.2, 0.1], "W_c": [1.0, 0.7], "W_y": 1.5}


def _lstm_by_hand(t):
    """From the true one-step solution: the wrong dL/dc0 each LSTM misconception gives."""
    tanh_prime = 1 - np.tanh(t["c1"]) ** 2
    dh1 = t["dL/dh1"]
    return {
        "lstm-forget-path-dropped": 0.0,                       # c₀ reaches L only through c₁
        "lstm-forget-factor-one": t["dL/dc1"],                  # ∂c₁/∂c₀ taken as 1
        "lstm-output-gate-dropped": dh1 * tanh_prime * t["f1"],
        "lstm-phi-prime-one": dh1 * t["o1"] * t["f1"],
    }


@pytest.mark.parametrize("misconception", ["lstm-forget-path-dropped", "lstm-forget-factor-one",
                                           "lstm-output-gate-dropped", "lstm-phi-prime-one"])
def test_lstm_misconception_reproduces_its_value(misconception: str) -> None:
    truth = SOLVERS["lstm"].solve(LSTM_ONE)
    wrong = variant("lstm", LSTM_ONE, misconception)["dL/dc0"]
    assert wrong == pytest.approx(_lstm_by_hand(truth)[misconception], rel=1e-12, abs=1e-15)
    assert abs(wrong - truth["dL/dc0"]) > 1e-3


def test_forget_path_dropped_over_two_steps_keeps_the_h_path_only() -> None:
    truth = SOLVERS["lstm"].solve(LSTM_TWO)
    wrong = variant("lstm", LSTM_TWO, "lstm-forget-path-dropped")
    assert wrong["dL/dc2"] == pytest.approx(truth["dL/dc2"])  # the last step has no later cell
    assert wrong["dL/dc1"] == pytest.approx(truth["dL/dc1"] - truth["dL/dc2"] * truth["f2"], rel=1e-12)
    assert wrong["dL/dW_f"][0] != pytest.approx(truth["dL/dW_f"][0])  # the mistake is carried forward


def test_phi_prime_one_does_not_apply_to_an_identity_cell() -> None:
    found = [v.misconception for v in variants("lstm", {**LSTM_ONE, "cell_activation": "identity"})]
    assert "lstm-phi-prime-one" not in found and "lstm-output-gate-dropped" in found


def test_gru_update_swapped_mixes_the_other_way() -> None:
    truth = SOLVERS["gru"].solve(GRU_ONE)
    wrong = variant("gru", GRU_ONE, "gru-update-swapped")
    assert wrong["h1"] == pytest.approx((1 - truth["u1"]) * truth["ctilde1"] + truth["u1"] * 0.5, rel=1e-14)
    assert abs(wrong["h1"] - truth["h1"]) > 1e-3


def test_gru_reset_placement_needs_two_hidden_units() -> None:
    assert not [v for v in variants("gru", GRU_ONE) if v.misconception == "gru-reset-placement"]
    W_c = [[1.0, 0.5, 0.7], [-0.4, 0.8, 0.2]]
    params = {"h0": [0.5, -1.0], "x": [1], "y": [[0.2, 0.1]], "W_u": [[0.5, -0.3, 0.1], [0.2, 0.2, 0.2]],
              "W_r": [[0.2, 0.1, 0.3], [-0.5, 0.4, 0.1]], "W_c": W_c, "W_y": [[1.5, 0], [0, 1]]}
    truth = SOLVERS["gru"].solve(params)
    wrong = variant("gru", params, "gru-reset-placement")
    r, h0, W = np.asarray(truth["r1"]), np.array([0.5, -1.0]), np.asarray(W_c)
    after = np.tanh(r * (W[:, :2] @ h0) + W[:, 2] * 1)  # the placement this problem does not use
    np.testing.assert_allclose(wrong["ctilde1"], after, rtol=1e-14)
    assert not np.allclose(truth["ctilde1"], after)


GATED = [("gru", GRU_ONE, "gru-update-swapped", "dL/dh0"),
         ("lstm", LSTM_ONE, "lstm-forget-path-dropped", "dL/dc0"),
         ("lstm", LSTM_ONE, "lstm-forget-factor-one", "dL/dc0"),
         ("lstm", LSTM_ONE, "lstm-output-gate-dropped", "dL/dc0"),
         ("lstm", LSTM_ONE, "lstm-phi-prime-one", "dL/dc0")]


@pytest.mark.parametrize("solver, params, misconception, quantity", GATED, ids=[g[2] for g in GATED])
def test_grader_names_the_gated_misconception(solver, params, misconception, quantity) -> None:
    value = variant(solver, params, misconception)[quantity]
    question = Question(id="t/q", kind="number", prompt="?", explanation=".", source=Source("t", "1"),
                        solver=solver, params=params, quantity=quantity)
    verdict = KINDS["number"].check(question, value, SOLVERS[solver].solve(params)[quantity])
    assert verdict.status == "incorrect" and verdict.misconception == misconception
    assert MISCONCEPTIONS[misconception].sentence in verdict.feedback


def test_a_scalar_problems_variants_are_what_the_array_arithmetic_gives():
    """The helpers take a scalar problem's floats without numpy; given the same truth as numpy
    scalars (which take numpy's path), every override is the same float, bit for bit."""
    import random

    import numpy as np

    from solvers import SOLVERS
    from solvers.misconceptions import variants
    from solvers.solution import Solution
    from tests.solvers.test_rnn_floats import _problem

    rng = random.Random(5406)
    compared = 0
    for case in range(150):
        bound = _problem(rng)
        if bound["loss"] == "cross_entropy":
            continue
        truth = SOLVERS["rnn"].solve(bound)
        as_numpy = Solution({name: np.float64(v) for name, v in truth.items()})
        fast, slow = variants("rnn", bound, truth), variants("rnn", bound, as_numpy)
        assert [v.misconception for v in fast] == [v.misconception for v in slow], case
        for a, b in zip(fast, slow):
            assert list(a.given) == list(b.given), (case, a.misconception)
            assert [repr(float(v)) for v in a.given.values()] == [repr(float(v)) for v in b.given.values()], \
                (case, a.misconception, bound)
            assert all(type(v) is float for v in a.given.values()), a.misconception
            compared += len(a.given)
    assert compared > 1000


def test_a_truncated_problem_lists_the_mistakes_that_can_be_expressed_on_it():
    """Under truncated BPTT no dL_t/dh_k is a quantity, so the mistakes that override one are
    left out instead of failing (they raised KeyError, so diagnosis of any wrong answer did)."""
    found = variants("rnn", {**IN5400, "x": [10, 10, 10], "y": [5, 5, 5], "truncate": 2})
    names = {v.misconception for v in found}
    assert "output-uses-W_h" in names and "loss-convention" in names
    assert not names & {"loss-not-squared", "loss-gradient-sign", "direct-path-only"}
    for v in found:
        v.solve("rnn")  # every listed variant is a problem the solver takes
