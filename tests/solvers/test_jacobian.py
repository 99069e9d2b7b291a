"""Gate Jacobians: structure, entries, and why a float64 diagonal can lose non-zeros."""

from __future__ import annotations

import re

import numpy as np
import pytest
import sympy

from solvers import SOLVERS, SolverError

JAC = SOLVERS["jacobian"]

STRUCTURE = [
    ("lstm_output", 4, True, 4),
    ("lstm_output_o", 3, True, 3),
    ("lstm_cell", 3, True, 3),
    ("gru_state", 4, True, 4),
    ("gru_state_z", 2, True, 2),
    ("gru_state_prev", 2, True, 2),
    ("rnn_state", 3, False, 9),
    ("rnn_state", 1, True, 1),
]


@pytest.mark.parametrize("equation,n,diagonal,nonzeros", STRUCTURE)
def test_structure(equation, n, diagonal, nonzeros):
    sol = JAC.solve({"equation": equation, "n": n})
    assert sol["type"] == "matrix"
    assert sol["shape"] == f"{n}×{n}" and sol["J"].shape == (n, n)
    assert sol["diagonal"] is diagonal
    assert sol["nonzeros"] == nonzeros


def _sigma(v):
    return 1 / (1 + np.exp(-v))


def test_lstm_output_entries_are_o_times_sigma_prime():
    J = JAC.solve({"equation": "lstm_output", "n": 3})["J"]
    point = {sympy.Symbol(f"s_{i}"): v for i, v in zip((1, 2, 3), (0.3, -1.2, 2.0), strict=True)}
    point |= {sympy.Symbol(f"o_{i}"): v for i, v in zip((1, 2, 3), (0.5, 0.9, -0.4), strict=True)}
    for i, (s, o) in enumerate(((0.3, 0.5), (-1.2, 0.9), (2.0, -0.4))):
        assert float(J[i, i].subs(point)) == pytest.approx(o * _sigma(s) * (1 - _sigma(s)), rel=1e-12)


def test_rnn_state_entries_are_tanh_prime_times_w():
    J = JAC.solve({"equation": "rnn_state", "n": 2})["J"]
    W = np.array([[0.3, -0.7], [1.1, 0.2]])
    h, u = np.array([0.5, -0.25]), np.array([0.1, 0.4])
    point = {sympy.Symbol(f"W_{i + 1}_{j + 1}"): W[i, j] for i in range(2) for j in range(2)}
    point |= {sympy.Symbol(f"h_{j + 1}"): h[j] for j in range(2)} | {sympy.Symbol(f"u_{i + 1}"): u[i] for i in range(2)}
    expected = (1 - np.tanh(W @ h + u) ** 2)[:, None] * W
    got = np.array(J.subs(point).evalf(), dtype=float)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_float64_sigma_prime_underflows_so_numeric_diagonals_lose_nonzeros():
    sol = JAC.solve({"equation": "lstm_output", "n": 4})
    assert any("underflow" in note for note in sol.notes)
    s = np.array([0.0, 5.0, 40.0, 800.0])
    with np.errstate(over="ignore"):
        naive = _sigma(s) * (1 - _sigma(s))  # σ(40) rounds to 1.0 exactly
        careful = np.exp(-s) / (1 + np.exp(-s)) ** 2  # exp(−800) underflows to 0.0
    assert sol["nonzeros"] == 4
    assert np.count_nonzero(naive) == 2
    assert np.count_nonzero(careful) == 3
    exact = sol["J"].subs({sympy.Symbol(f"o_{i}"): 1 for i in range(1, 5)} | {sympy.Symbol("s_3"): 40})
    assert exact[2, 2] != 0 and float(exact[2, 2]) > 0  # not zero mathematically


def test_given_matrix_is_analysed():
    sol = JAC.solve({"equation": "lstm_output", "n": 2}, given={"J": [[1, 0], [2, 3]]})
    assert sol["diagonal"] is False and sol["nonzeros"] == 3 and sol["shape"] == "2×2"


@pytest.mark.parametrize(
    "params,message",
    [
        ({"equation": "gru_gate", "n": 2}, "unknown equation 'gru_gate'; allowed: lstm_output"),
        ({"equation": "gru_state", "n": 0}, "n must be an integer in 1..12, got 0"),
        ({"equation": "gru_state", "n": 13}, "n must be an integer in 1..12, got 13"),
        ({"equation": "gru_state", "n": "4"}, "n must be an integer, got '4'"),
    ],
)
def test_bad_parameters(params, message):
    with pytest.raises(SolverError) as err:
        JAC.solve(params)
    assert message in str(err.value)


def test_the_table_matches_the_registry_names():
    from solvers.jacobian import EQUATIONS
    from solvers.names import JACOBIAN_EQUATIONS

    assert tuple(EQUATIONS) == JACOBIAN_EQUATIONS


def test_jacobian_at_numbers_is_the_diagonal_o_times_sigmoid_prime():

    o, s = [0.5, 0.2, 0.9], [1.0, -2.0, 0.0]
    sol = SOLVERS["jacobian"].solve({"equation": "lstm_output", "n": 3, "at": {"o": o, "s": s}})
    sig = 1 / (1 + np.exp(-np.array(s)))
    np.testing.assert_allclose(np.array(sol["J"], dtype=float), np.diag(np.array(o) * sig * (1 - sig)), rtol=1e-12)
    assert sol["diagonal"] is True and sol["nonzeros"] == 3


@pytest.mark.parametrize("at, message", [
    ({"q": [1, 2]}, "at names an unknown vector 'q'; this equation has o, s"),
    ({"o": [1]}, "at.o must be a list of n = 2 numbers"),
    ([1, 2], "at must map vector names to lists of 2 numbers"),
])
def test_jacobian_at_is_checked(at, message):
    with pytest.raises(SolverError, match=re.escape(message)):
        SOLVERS["jacobian"].solve({"equation": "lstm_output", "n": 2, "at": at})
