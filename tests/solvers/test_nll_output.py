"""NPTEL questions 9 and 10: derivatives with an undefined output function O."""

from __future__ import annotations

import math

import pytest
import sympy

from solvers import SOLVERS, SolverError

NLL = SOLVERS["nll_output"]
V, c, u = sympy.symbols("V c u")
OUT = sympy.Function("O")
SIGMOID = sympy.Lambda(u, 1 / (1 + sympy.exp(-u)))
S = [0.3, -0.8, 1.1, 0.45]
POINT = {V: 0.7, c: -0.2} | {sympy.Symbol(f"s_{t}"): s for t, s in zip(range(1, 5), S, strict=True)}


def concrete(expr, function):
    return float(expr.subs(OUT, function).doit().subs(POINT))


def sig(a):
    return 1 / (1 + math.exp(-a))


def test_names_and_form():
    sol = NLL.solve({})
    assert list(sol) == ["dL1/ds1", "dL2/ds2", "dL3/ds3", "dL4/ds4", "dL/dV", "dL/dc"]
    d4 = sol["dL4/ds4"]
    assert d4.has(sympy.Subs) and d4.has(OUT(V * sympy.Symbol("s_4") + c))
    assert d4.free_symbols == {V, c, sympy.Symbol("s_4")}


@pytest.mark.parametrize("t", [1, 2, 3, 4])
def test_dl_ds_is_minus_v_o_prime_over_o(t):
    a = 0.7 * S[t - 1] - 0.2
    expr = NLL.solve({})[f"dL{t}/ds{t}"]
    assert concrete(expr, SIGMOID) == pytest.approx(-0.7 * (1 - sig(a)), rel=1e-12)  # σ′/σ = 1 − σ
    assert concrete(expr, sympy.exp) == pytest.approx(-0.7, rel=1e-12)  # exp′/exp = 1


def test_dl_dv_and_dl_dc_sum_over_time():
    sol = NLL.solve({})
    expected_v = sum(-s * (1 - sig(0.7 * s - 0.2)) for s in S)
    expected_c = sum(-(1 - sig(0.7 * s - 0.2)) for s in S)
    assert concrete(sol["dL/dV"], SIGMOID) == pytest.approx(expected_v, rel=1e-12)
    assert concrete(sol["dL/dc"], SIGMOID) == pytest.approx(expected_c, rel=1e-12)
    assert concrete(sol["dL/dV"], sympy.exp) == pytest.approx(-sum(S), rel=1e-12)


def test_t_parameter():
    sol = NLL.solve({"T": 2})
    assert tuple(sol) == ("dL1/ds1", "dL2/ds2", "dL/dV", "dL/dc")
    assert not sol["dL/dV"].has(sympy.Symbol("s_3"))


@pytest.mark.parametrize("T,message", [(0, "T must be an integer in 1..200, got 0"), ("4", "T must be an integer")])
def test_bad_t(T, message):
    with pytest.raises(SolverError, match=message):
        NLL.solve({"T": T})
