"""Parameter counts under both bias conventions, symbolically and for concrete sizes."""

from __future__ import annotations

import pytest
import sympy

from solvers import SOLVERS, SolverError

COUNT = SOLVERS["param_count"]
n, m, k = sympy.symbols("n m k")


def test_nptel_and_coursera_gru_forms_agree():
    total = COUNT.solve({"cell": "gru", "n": "n", "m": "m"})["total"]
    nptel = 3 * (n**2 + n * m + n)
    coursera = 3 * (n * (n + m) + n)  # W_u applied to the concatenation [c, x]
    assert sympy.expand(total - nptel) == 0
    assert sympy.expand(total - coursera) == 0
    assert sympy.expand(total - (n + 3 * (n**2 + n * m + n))) != 0  # NPTEL option C is different


@pytest.mark.parametrize("cell,blocks", [("rnn", 1), ("gru", 3), ("lstm", 4)])
@pytest.mark.parametrize("hidden,inputs", [(20, 10), (1, 1), (64, 300), (100, 10000)])
def test_pytorch_counts(cell, blocks, hidden, inputs):
    # nn.RNN / nn.GRU / nn.LSTM(input_size=m, hidden_size=n): blocks·(n·m + n·n + 2n), b_ih and b_hh
    sol = COUNT.solve({"cell": cell, "n": hidden, "m": inputs, "biases": 2})
    assert sol["total"] == blocks * (hidden * inputs + hidden * hidden + 2 * hidden)
    assert sol["bias_count"] == blocks * 2 * hidden
    assert isinstance(sol["total"], int)


def test_known_pytorch_values():
    assert COUNT.solve({"cell": "lstm", "n": 20, "m": 10, "biases": 2})["total"] == 2560  # nn.LSTM(10, 20)
    assert COUNT.solve({"cell": "gru", "n": 20, "m": 10, "biases": 2})["total"] == 1920  # nn.GRU(10, 20)


def test_lstm_gate_size_is_the_hidden_size():
    sol = COUNT.solve({"cell": "lstm", "n": 100, "m": 10000})
    assert sol["gate_size"] == 100
    assert sol["blocks"] == 4 and sol["per_block"] == 100 * 100 + 100 * 10000 + 100


def test_output_layer_is_counted_when_asked():
    sol = COUNT.solve({"cell": "rnn", "n": "n", "m": "m", "output": "k"})
    assert sympy.expand(sol["output_params"] - (k * n + k)) == 0
    assert sympy.expand(sol["total"] - (n**2 + n * m + n + k * n + k)) == 0


def test_steps_explain_the_count():
    steps = COUNT.solve({"cell": "gru", "n": "n", "m": "m"}).steps
    assert any("3 blocks × (n·n + n·m + n)" in line for line in steps)
    assert any("NPTEL" in line for line in steps)


def test_given_block_count_recomputes_the_total():
    sol = COUNT.solve({"cell": "gru", "n": 2, "m": 1}, given={"per_block": 10})
    assert sol["per_block"] == 10 and sol["total"] == 30


@pytest.mark.parametrize(
    "params,message",
    [
        ({"cell": "transformer", "n": 2, "m": 2}, "unknown cell 'transformer'; allowed: rnn, gru, lstm"),
        ({"cell": "gru", "n": 0, "m": 2}, "n must be ≥ 1, got 0"),
        ({"cell": "gru", "n": 2, "m": 2.5}, "m must be an integer or a symbol name"),
        ({"cell": "gru", "n": "2n", "m": 2}, "n: '2n' is not a number or a symbol name"),
        ({"cell": "gru", "n": 2, "m": 2, "biases": 3}, "biases must be an integer in 1..2, got 3"),
        ({"cell": "gru", "n": 2, "m": 2, "output": -1}, "output must be ≥ 0, got -1"),
    ],
)
def test_bad_parameters(params, message):
    with pytest.raises(SolverError) as err:
        COUNT.solve(params)
    assert message in str(err.value)
