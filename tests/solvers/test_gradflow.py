"""Gradient-flow analysis against finite differences and the scalar closed form."""

from __future__ import annotations

import numpy as np
import pytest

from solvers import SOLVERS, SolverError

FLOW = SOLVERS["gradflow"]
ACT = {
    "identity": lambda z: z,
    "tanh": np.tanh,
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "relu": lambda z: np.maximum(z, 0),
}


def run_from(k, hk, W, U, xs, b, act):
    h = hk
    for t in range(k, len(xs)):
        h = ACT[act](W @ h + U @ xs[t] + b)
    return h


@pytest.mark.parametrize("act", ["identity", "tanh", "sigmoid", "relu"])
@pytest.mark.parametrize("seed", [0, 1])
def test_norms_match_finite_difference_jacobians(act, seed):
    rng = np.random.default_rng(seed)
    W, U = rng.normal(size=(3, 3)), rng.normal(size=(3, 2))
    xs, b, h0 = rng.normal(size=(5, 2)), rng.normal(scale=0.2, size=3), rng.normal(size=3)
    sol = FLOW.solve(
        {
            "W_hh": W.tolist(),
            "W_xh": U.tolist(),
            "x": xs.tolist(),
            "b": b.tolist(),
            "h0": h0.tolist(),
            "activation": act,
        }
    )
    hs = [h0]
    for t in range(5):
        hs.append(ACT[act](W @ hs[-1] + U @ xs[t] + b))
    for k in range(6):
        J = np.zeros((3, 3))
        for j in range(3):
            e = np.zeros(3)
            e[j] = 1e-6
            J[:, j] = (run_from(k, hs[k] + e, W, U, xs, b, act) - run_from(k, hs[k] - e, W, U, xs, b, act)) / 2e-6
        assert sol["norms"][k] == pytest.approx(np.linalg.norm(J, 2), rel=1e-5, abs=1e-9)
    with np.errstate(divide="ignore"):  # a dead relu gives a norm of exactly 0
        np.testing.assert_allclose(sol["log10_norms"], np.log10(sol["norms"]))


def test_scalar_closed_form_is_a_product_of_w_times_f_prime():
    W, U, xs = 1.3, 0.5, [0.2, -1.0, 0.7, 2.0]
    sol = FLOW.solve({"W_hh": W, "W_xh": U, "x": xs, "h0": 0.1})
    h, factors = 0.1, []
    for x in xs:
        z = W * h + U * x
        factors.append(W * (1 - np.tanh(z) ** 2))
        h = np.tanh(z)
    for k in range(len(xs) + 1):
        assert sol["norms"][k] == pytest.approx(abs(np.prod(factors[k:])), rel=1e-12)
    assert sol["per_step_factor"] == pytest.approx(abs(np.prod(factors)) ** (1 / 4), rel=1e-12)


CLASSES = [
    ({"W_hh": 0.9, "T": 10}, "vanishing", "0.9 < 1"),
    ({"W_hh": 1.5, "T": 10, "activation": "identity"}, "exploding", "> 1"),
    ({"W_hh": 1.0, "T": 10, "activation": "identity"}, "stable", "≈ 1"),
    ({"W_hh": 3.0, "T": 10, "activation": "sigmoid"}, "vanishing", "3·0.25 = 0.75 < 1"),
    ({"W_hh": 3.0, "T": 4, "x": [5, 5, 5, 5], "W_xh": 1}, "vanishing", "guarantees nothing"),
    ({"W_hh": [[0.5, 0], [0, 1.2]], "T": 6, "activation": "relu", "h0": [1, 1]}, "exploding", "1.2"),
]


@pytest.mark.parametrize("params,verdict,reason", CLASSES)
def test_classification_and_reason(params, verdict, reason):
    sol = FLOW.solve(params)
    assert sol["classification"] == verdict
    assert reason in sol["reason"]


def test_bounds():
    sol = FLOW.solve({"W_hh": [[0, 2], [0.5, 0]], "T": 3, "activation": "sigmoid"})
    assert sol["spectral_radius"] == pytest.approx(1.0)
    assert sol["norm_W"] == pytest.approx(2.0)
    assert sol["max_act_derivative"] == 0.25 and sol["bound_per_step"] == pytest.approx(0.5)


def test_clipping_by_norm_keeps_direction_and_by_value_may_not():
    sol = FLOW.solve({"W_hh": 1, "T": 2, "grad": [3.0, 0.4], "clip_norm": 1.0, "clip_value": 1.0})
    by_norm, by_value = sol["clipped_by_norm"], sol["clipped_by_value"]
    assert np.linalg.norm(by_norm) == pytest.approx(1.0)
    assert by_norm[0] / by_norm[1] == pytest.approx(3.0 / 0.4)
    np.testing.assert_allclose(by_value, [1.0, 0.4])
    assert sol["direction_change_by_value"] == pytest.approx(
        (3 * 1 + 0.4 * 0.4) / (np.hypot(3, 0.4) * np.hypot(1, 0.4))
    )
    assert sol["direction_change_by_value"] < 0.99
    small = FLOW.solve({"W_hh": 1, "T": 2, "grad": [0.3, 0.4], "clip_norm": 1.0})
    np.testing.assert_allclose(small["clipped_by_norm"], [0.3, 0.4])


def test_default_gradient_is_that_of_the_sum_of_h_T():
    sol = FLOW.solve({"W_hh": [[0.5, 0.1], [0.0, 2.0]], "T": 2, "activation": "identity", "clip_norm": 100})
    W = np.array([[0.5, 0.1], [0.0, 2.0]])
    np.testing.assert_allclose(sol["grad"], np.ones(2) @ W @ W)


def test_given_norms_recompute_the_classification():
    sol = FLOW.solve({"W_hh": 0.9, "T": 2}, given={"norms": [4.0, 2.0, 1.0]})
    assert sol["per_step_factor"] == pytest.approx(2.0) and sol["classification"] == "exploding"
    worded = FLOW.solve({"W_hh": 0.9, "T": 2}, given={"classification": "stable"})
    assert worded["classification"] == "stable" and "stable" in worded["reason"]


@pytest.mark.parametrize(
    "params,message",
    [
        ({"W_hh": [[1, 2]], "T": 2}, "W_hh must be a scalar or a square matrix"),
        ({"W_hh": 1}, "give x (the input sequence) or T"),
        ({"W_hh": 1, "x": [1, 2], "T": 3}, "T = 3 disagrees with x, which has 2 steps"),
        ({"W_hh": 1, "T": 2, "clip_norm": -1}, "clip_norm must be > 0, got −1"),
        ({"W_hh": 1, "T": 2, "activation": "gelu"}, "unknown activation 'gelu'"),
        ({"W_hh": "w", "T": 2}, "W_hh must be numeric here"),
        ({"W_hh": [[1, 0], [0, 1]], "x": [[1, 2]], "W_xh": [[1, 1]]}, "W_xh must be n×m = 2×2"),
        ({"W_hh": 1, "T": 0}, "T must be an integer in 1..200, got 0"),
    ],
)
def test_bad_parameters(params, message):
    with pytest.raises(SolverError) as err:
        FLOW.solve(params)
    assert message in str(err.value)


def test_one_prepared_problem_solves_each_override_as_a_fresh_solve():
    """The sequence and its norms are computed once per problem: an override must not leak
    into the next solve of the same problem."""
    params = {"W_hh": [[0.5, 0.2], [0.1, 1.3]], "activation": "tanh", "T": 4, "x": [1, 2, 3, 4],
              "W_xh": [[1], [2]], "clip_norm": 1.0, "clip_value": 0.5}
    prepared = FLOW.prepare(params)
    for given in ({"norm_h0": 2.0}, {}, {"norms": [1, 2, 3, 4, 5]}, {"grad": [3.0, -4.0]}, {}):
        reused, fresh = prepared.solve(given), FLOW.solve(params, given)
        assert list(reused) == list(fresh)
        for name in fresh:
            if isinstance(fresh[name], str):
                assert reused[name] == fresh[name]
            else:
                np.testing.assert_array_equal(reused[name], fresh[name])
        assert reused.steps == fresh.steps
    assert prepared.solve({})["norm_h0"] != prepared.solve({"norm_h0": 2.0})["norm_h0"]


def test_the_norms_of_a_1x1_matrix_are_the_bits_lapack_gives():
    """A scalar problem's T + 1 spectral norms are read as |a| instead of by an SVD: the same
    float for every value, including those the SVD rescales (and so rounds)."""
    import random

    import numpy as np

    from solvers.gradflow import spectral_norm, spectral_radius

    rng = random.Random(5405)
    values = [rng.uniform(-2, 2) * 10 ** rng.uniform(-120, 120) for _ in range(20000)]
    values += [0.0, -0.0, 5e-324, 1e-300, -1e-101, 1e-100, 1e100, 3e250, -1.7e308]
    for v in values:
        a = np.array([[v]])
        assert repr(spectral_norm(a)) == repr(float(np.linalg.norm(a, 2))), v
        assert repr(spectral_radius(a)) == repr(float(np.max(np.abs(np.linalg.eigvals(a))))), v
    m = np.array([[0.5, 2.0], [-1.0, 0.25]])
    assert spectral_norm(m) == float(np.linalg.norm(m, 2))
    assert spectral_radius(m) == float(np.max(np.abs(np.linalg.eigvals(m))))
