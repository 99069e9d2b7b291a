"""The gru and lstm solvers against central finite differences of an independent reference."""

from __future__ import annotations

import numpy as np
import pytest

from finite_differences import central  # tests/solvers/finite_differences.py
from solvers import SOLVERS

GRU, LSTM = SOLVERS["gru"], SOLVERS["lstm"]
COMBOS = [("identity", "squared"), ("sigmoid", "half_squared"), ("softmax", "cross_entropy"),
          ("sigmoid", "cross_entropy"), ("softmax", "squared")]


# ---------------------------------------------------------------- reference models
# Written independently of the solvers: one function per step, on plain float64 arrays.


def sig(z):
    return 1 / (1 + np.exp(-z))


def phi_of(name, c):
    return {"tanh": np.tanh, "sigmoid": sig, "identity": lambda v: v}[name](c)


def readout(case, th, h, t):
    a = th["W_y"] @ h + th["b_y"]
    if case["output"] == "softmax":
        yhat = np.exp(a - a.max()) / np.exp(a - a.max()).sum()
    else:
        yhat = sig(a) if case["output"] == "sigmoid" else a
    y = case["ys"][t - 1]
    if case["loss"] == "cross_entropy":
        return float(-np.sum(y * np.log(yhat)))
    return float(np.sum((yhat - y) ** 2) * (0.5 if case["loss"] == "half_squared" else 1))


def gru_step(case, th, h, x):
    n = len(h)
    hx = np.concatenate([h, x])
    u, r = sig(th["W_u"] @ hx + th["b_u"]), sig(th["W_r"] @ hx + th["b_r"])
    Wh, Wx = th["W_c"][:, :n], th["W_c"][:, n:]
    inner = Wh @ (r * h) if case["reset"] == "before" else r * (Wh @ h)
    ct = np.tanh(inner + Wx @ x + th["b_c"])
    return (u * ct + (1 - u) * h) if case["update"] == "candidate" else ((1 - u) * ct + u * h)


def lstm_step(case, th, state, x):
    h, c = state
    hx = np.concatenate([h, x])
    f, i, o = (sig(th[f"W_{g}"] @ hx + th[f"b_{g}"]) for g in "fio")
    c = f * c + i * np.tanh(th["W_c"] @ hx + th["b_c"])
    return o * phi_of(case["phi"], c), c


def losses_from(case, th, k, state):
    """Σ_t L_t for t ≥ max(k, 1), starting from the state after step k (h_k, or (h_k, c_k))."""
    total = 0.0
    for t in range(k, case["T"] + 1):
        if t > k:
            state = case["step"](case, th, state, case["xs"][t - 1])
        if t >= 1:
            total += readout(case, th, state[0] if case["cell"] == "lstm" else state, t)
    return total


def states(case, th):
    state = (case["h0"], case["c0"]) if case["cell"] == "lstm" else case["h0"]
    out = [state]
    for t in range(1, case["T"] + 1):
        out.append(case["step"](case, th, out[-1], case["xs"][t - 1]))
    return out



# ---------------------------------------------------------------- random configurations


def make_case(cell, conventions, output, loss, shape, seed):
    rng = np.random.default_rng(seed)
    T = 1 + seed % 3
    n, m, k = (1, 1, 1) if shape == "scalar" else (2, 1 + seed % 2, 2)
    gates = "urc" if cell == "gru" else "fioc"
    th = {f"W_{g}": rng.normal(scale=0.8, size=(n, n + m)) for g in gates}
    th |= {f"b_{g}": rng.normal(scale=0.3, size=n) for g in gates}
    th |= {"W_y": rng.normal(scale=0.9, size=(k, n)), "b_y": rng.normal(scale=0.3, size=k)}
    xs = rng.normal(size=(T, m))
    if loss == "cross_entropy" and output == "softmax":
        ys = rng.dirichlet(np.ones(k), size=T) if k > 1 else np.ones((T, 1))
    elif loss == "cross_entropy":
        ys = rng.uniform(0.05, 0.95, size=(T, k))
    else:
        ys = rng.normal(size=(T, k))
    h0, c0 = rng.normal(size=n), rng.normal(size=n)
    case = {"cell": cell, "T": T, "xs": xs, "ys": ys, "h0": h0, "c0": c0, "output": output, "loss": loss,
            "step": gru_step if cell == "gru" else lstm_step, **conventions}
    if shape == "scalar":
        params = {p: (a.reshape(-1).tolist() if p.startswith("W_") and p != "W_y" else float(a.reshape(-1)[0]))
                  for p, a in th.items()}
        params |= {"x": xs[:, 0].tolist(), "y": ys[:, 0].tolist(), "h0": float(h0[0])}
    else:
        params = {p: a.tolist() for p, a in th.items()} | {"x": xs.tolist(), "y": ys.tolist(), "h0": h0.tolist()}
    if cell == "lstm":
        params["c0"] = float(c0[0]) if shape == "scalar" else c0.tolist()
        params["cell_activation"] = conventions["phi"]
    else:
        params |= conventions
    params |= {"output": output, "loss": loss}
    return params, case, th


GRU_CONVENTIONS = [{"reset": r, "update": u} for r in ("before", "after") for u in ("candidate", "state")]
LSTM_CONVENTIONS = [{"phi": p} for p in ("tanh", "sigmoid", "identity")]
CASES = [("gru", conv, out, loss, shape) for conv in GRU_CONVENTIONS for (out, loss) in COMBOS
         for shape in ("scalar", "vector")]
CASES += [("lstm", conv, out, loss, shape) for conv in LSTM_CONVENTIONS for (out, loss) in COMBOS
          for shape in ("scalar", "vector")]
CASES = [c for c in CASES if not (c[4] == "scalar" and c[2] == "softmax")]  # softmax of one output is constant


def _id(case):
    cell, conv, out, loss, shape = case
    return "-".join([cell, *conv.values(), out, loss, shape])


@pytest.mark.parametrize("index,case_spec", list(enumerate(CASES)), ids=[_id(c) for c in CASES])
def test_gradients_match_finite_differences(index, case_spec):
    cell, conventions, output, loss, shape = case_spec
    params, case, th = make_case(cell, conventions, output, loss, shape, seed=index)
    solver = GRU if cell == "gru" else LSTM
    sol = solver.solve(params)
    assert sol["L"] == pytest.approx(losses_from(case, th, 0, states(case, th)[0]), rel=1e-12)
    for p, value in th.items():
        fd = central(lambda v, p=p: losses_from(case, {**th, p: v}, 0, states(case, {**th, p: v})[0]), value)
        got = np.asarray(sol[f"dL/d{p}"], dtype=float)
        assert got.shape == (np.shape(params[p]) if shape == "scalar" else value.shape), p
        np.testing.assert_allclose(got.reshape(fd.shape), fd, rtol=1e-6, atol=1e-8, err_msg=p)
    trajectory = states(case, th)
    for k in range(case["T"] + 1):
        if cell == "gru":
            fd = central(lambda h: losses_from(case, th, k, h), trajectory[k])
        else:
            h, c = trajectory[k]
            fd = central(lambda v: losses_from(case, th, k, (v, c)), h)  # c_k held fixed
            fd_c = central(lambda v: losses_from(case, th, k, (h, v) if k == 0 else (o_times_phi(case, th, trajectory, k, v), v)), c)
            np.testing.assert_allclose(np.reshape(sol[f"dL/dc{k}"], fd_c.shape), fd_c, rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(np.reshape(sol[f"dL/dh{k}"], fd.shape), fd, rtol=1e-6, atol=1e-8, err_msg=f"dL/dh{k}")


@pytest.mark.parametrize("conventions", GRU_CONVENTIONS, ids=lambda c: "-".join(c.values()))
@pytest.mark.parametrize("shape", ["scalar", "vector"])
def test_gru_state_jacobian_matches_finite_differences(conventions, shape):
    params, case, th = make_case("gru", conventions, "identity", "squared", shape, seed=5)  # T = 3
    sol = GRU.solve(params)
    n = len(case["h0"])
    fd = np.zeros((n, n))
    for i in range(n):
        fd[i] = central(lambda h0: states({**case, "h0": h0}, th)[-1][i], case["h0"])
    np.testing.assert_allclose(np.reshape(sol["dh3/dh0"], (n, n)), fd, rtol=1e-6, atol=1e-9)


def o_times_phi(case, th, trajectory, k, c):
    """h_k recomputed from a perturbed c_k: its output gate depends on h_{k−1}, not on c_k."""
    h_prev = trajectory[k - 1][0]
    hx = np.concatenate([h_prev, case["xs"][k - 1]])
    return sig(th["W_o"] @ hx + th["b_o"]) * phi_of(case["phi"], c)


def test_contract_example_prints_every_quantity():
    params = {"h0": 0.5, "x": [1, -1], "y": [0.2, 0.4], "W_u": [0.5, -0.3], "W_r": [0.2, 0.1], "W_c": [1.0, 0.7],
              "W_y": 1.5}
    sol = GRU.solve(params)
    expected = [f"{q}{t}" for q in ("u", "r", "ctilde", "h", "yhat", "L") for t in (1, 2)]
    expected += ["L", "dL/dh0", "dL/dh1", "dL/dh2"]
    expected += [f"dL/d{p}" for p in ("W_u", "W_r", "W_c", "b_u", "b_r", "b_c", "W_y", "b_y")]
    expected.append("dh2/dh0")  # beyond the contract: the Jacobian of the Coursera Γ_u ≈ 0 argument
    assert sorted(sol) == sorted(expected)
    assert np.shape(sol["dL/dW_u"]) == (2,) and isinstance(sol["dL/db_u"], float)
    # a nested 1×2 weight gives a nested gradient
    assert np.shape(GRU.solve({**params, "W_u": [[0.5, -0.3]]})["dL/dW_u"]) == (1, 2)


# ---------------------------------------------------------------- cross-checks

SCALAR_GRU = {"h0": 0.5, "x": [1, -1, 0.4], "y": [0.2, 0.4, -0.1], "W_u": [0.5, -0.3], "W_r": [0.2, 0.1],
              "W_c": [1.0, 0.7], "b_u": 0.1, "b_r": -0.2, "b_c": 0.05, "W_y": 1.5, "b_y": 0.1}
SCALAR_LSTM = {"h0": 0.5, "c0": -0.3, "x": [1, -1], "y": [0.2, 0.4], "W_f": [0.5, -0.3], "W_i": [0.2, 0.1],
               "W_o": [0.3, 0.4], "W_c": [1.0, 0.7], "b_f": 0.2, "W_y": 1.5}


def _negated(a):
    return (-np.asarray(a, dtype=float)).tolist()


@pytest.mark.parametrize("reset", ["before", "after"])
def test_state_convention_with_u_replaced_by_one_minus_u_equals_candidate(reset):
    params, _, _ = make_case("gru", {"reset": reset, "update": "candidate"}, "sigmoid", "squared", "vector", seed=4)
    candidate = GRU.solve(params)
    # 1 − σ(z) = σ(−z): negating W_u and b_u turns u into 1 − u
    state = GRU.solve({**params, "update": "state", "W_u": _negated(params["W_u"]), "b_u": _negated(params["b_u"])})
    for name in candidate:
        if name.startswith("u"):
            np.testing.assert_allclose(state[name], 1 - np.asarray(candidate[name]), rtol=1e-12)
        elif name in ("dL/dW_u", "dL/db_u"):
            np.testing.assert_allclose(state[name], -np.asarray(candidate[name]), rtol=1e-10, atol=1e-14)
        else:
            np.testing.assert_allclose(state[name], candidate[name], rtol=1e-10, atol=1e-14, err_msg=name)
    # the forward pass through overrides: give the state convention the candidate's 1 − u_t
    # (gradients differ: they still flow through the state convention's own u_t = σ(z_t))
    given = {f"u{t}": (1 - np.asarray(candidate[f"u{t}"])).tolist() for t in (1, 2)}
    overridden = GRU.solve({**params, "update": "state"}, given=given)
    for name in ("h1", "h2", "yhat2", "L", "dL/dh2"):
        np.testing.assert_allclose(overridden[name], candidate[name], rtol=1e-10, atol=1e-14, err_msg=name)


def test_the_conventions_differ_and_reset_placement_needs_a_vector_state():
    params, _, _ = make_case("gru", {}, "identity", "squared", "vector", seed=2)
    values = {(r, u): GRU.solve({**params, "reset": r, "update": u})["dL/dh0"][0]
              for r in ("before", "after") for u in ("candidate", "state")}
    assert len({round(v, 12) for v in values.values()}) == 4
    # with one hidden unit r·(W_ch·h) = W_ch·(r·h): the reset placements coincide
    before, after = (GRU.solve({**SCALAR_GRU, "reset": r}) for r in ("before", "after"))
    assert after["dL/dh0"] == pytest.approx(before["dL/dh0"], rel=1e-12)


# ---------------------------------------------------------------- given overrides


def test_gru_given_gate_recomputes_the_state_and_what_follows():
    truth = GRU.solve(SCALAR_GRU)
    sol = GRU.solve(SCALAR_GRU, given={"u1": 0.9})
    assert sol["u1"] == 0.9 and sol["r1"] == truth["r1"] and sol["ctilde1"] == truth["ctilde1"]
    h1 = 0.9 * truth["ctilde1"] + 0.1 * 0.5
    assert sol["h1"] == pytest.approx(h1, rel=1e-14)
    assert sol["yhat1"] == pytest.approx(1.5 * h1 + 0.1, rel=1e-14)
    assert sol["u2"] == pytest.approx(sig(0.5 * h1 - 0.3 * -1 + 0.1), rel=1e-14)
    assert sol["dL/dh0"] != pytest.approx(truth["dL/dh0"])


def test_gru_given_hidden_gradient_flows_back_linearly():
    params = {**SCALAR_GRU, "x": [1], "y": [0.2]}
    truth = GRU.solve(params)
    doubled = GRU.solve(params, given={"dL/dh1": 2 * truth["dL/dh1"]})
    for name in ("dL/dh0", "dL/db_u", "dL/db_r", "dL/db_c"):
        assert doubled[name] == pytest.approx(2 * truth[name], rel=1e-12), name
    np.testing.assert_allclose(doubled["dL/dW_c"], 2 * np.asarray(truth["dL/dW_c"]), rtol=1e-12)
    assert doubled["dL/dW_y"] == truth["dL/dW_y"]  # the output layer does not go through h's gradient


def test_lstm_given_cell_gradient_reaches_c0_through_the_forget_gate():
    params = {**SCALAR_LSTM, "x": [1], "y": [0.2]}
    truth = LSTM.solve(params)
    doubled = LSTM.solve(params, given={"dL/dc1": 2 * truth["dL/dc1"]})
    assert doubled["dL/dc0"] == pytest.approx(2 * truth["dL/dc0"], rel=1e-12)
    assert truth["dL/dc0"] == pytest.approx(truth["dL/dc1"] * truth["f1"], rel=1e-14)
    for name in ("dL/db_f", "dL/db_i", "dL/db_c"):
        assert doubled[name] == pytest.approx(2 * truth[name], rel=1e-12), name
    assert doubled["dL/db_o"] == truth["dL/db_o"]  # o_t sees ∂L/∂h_t, not ∂L/∂c_t


def test_lstm_given_cell_state_recomputes_h_and_the_next_step():
    truth = LSTM.solve(SCALAR_LSTM)
    sol = LSTM.solve(SCALAR_LSTM, given={"c1": 1.0})
    assert sol["h1"] == pytest.approx(truth["o1"] * np.tanh(1.0), rel=1e-14)
    assert sol["c2"] == pytest.approx(sol["f2"] * 1.0 + sol["i2"] * sol["ctilde2"], rel=1e-14)
    assert sol["f2"] != truth["f2"]  # f₂ sees h₁, which moved with c₁


def test_given_values_are_checked_against_their_shapes():
    from solvers import SolverError

    with pytest.raises(SolverError, match="given dL/dW_u must be a vector of length 2, got a scalar"):
        GRU.solve(SCALAR_GRU, given={"dL/dW_u": 1.0})
    with pytest.raises(SolverError, match="unknown quantity 'dL/dc0'"):
        GRU.solve(SCALAR_GRU, given={"dL/dc0": 1.0})


# ---------------------------------------------------------------- symbolic path


ONE_STEP = {"x": [1], "y": [0.2]}  # symbolic expressions grow fast with T


@pytest.mark.parametrize("solver,params,symbols", [
    ("gru", {**SCALAR_GRU, "x": [1, -1], "y": [0.2, 0.4], "reset": "after", "update": "state"},
     {"W_u": ["a", -0.3], "W_y": "w"}),
    ("gru", {**SCALAR_GRU, **ONE_STEP}, {"b_c": "b", "h0": "a"}),
    ("lstm", {**SCALAR_LSTM, **ONE_STEP, "cell_activation": "sigmoid"}, {"c0": "a", "W_f": [0.5, "b"]}),
    ("lstm", {**SCALAR_LSTM, "x": [1], "y": [0.3], "cell_activation": "identity", "output": "sigmoid",
              "loss": "cross_entropy"}, {"W_o": ["a", 0.4], "b_y": "b"}),
])
def test_symbolic_path_matches_numeric_after_substitution(solver, params, symbols):
    import sympy

    point = {"a": 0.7, "b": -0.4, "w": 1.2}
    numeric_params = {p: ([point.get(e, e) for e in v] if isinstance(v, list) else point[v]) for p, v in symbols.items()}
    symbolic = SOLVERS[solver].solve({**params, **symbols})
    numeric = SOLVERS[solver].solve({**params, **numeric_params})
    names = sorted(point)
    assert list(symbolic) == list(numeric)
    for name, expr in symbolic.items():
        # compiled, because substituting into the long nested exp/tanh chains takes seconds each
        at = sympy.lambdify([sympy.Symbol(k) for k in names], expr, "numpy")(*(point[k] for k in names))
        got = np.array(at, dtype=float).reshape(np.shape(numeric[name]))
        np.testing.assert_allclose(got, numeric[name], rtol=1e-9, atol=1e-12, err_msg=name)


def test_steps_show_every_stage_and_mark_given_values():
    steps = GRU.solve(SCALAR_GRU, given={"r2": 0.5}).steps
    text = "\n".join(steps)
    for piece in ("u₁ = σ(W_u·[h₀; x₁] + b_u) = σ(0.5·0.5 − 0.3·1 + 0.1)", "r₂ = 0.5 (given)", "L = L₁ + L₂ + L₃",
                  "∂L/∂h₀ =", "∂L/∂W_c ="):
        assert piece in text, piece
    lstm = "\n".join(LSTM.solve(SCALAR_LSTM).steps)
    assert "∂L/∂c₁ = ∂L/∂h₁ ⊙ o₁ ⊙ tanh′(c₁) + ∂L/∂c₂ ⊙ f₂" in lstm and "∂L/∂c₀ = ∂L/∂c₁ ⊙ f₁" in lstm


@pytest.mark.parametrize("solver,params", [
    ("gru", {**SCALAR_GRU, "reset": "after", "update": "state"}),
    ("lstm", {"h0": [0.1, -0.2], "c0": [0.3, 0.0], "x": [[1.0], [0.5]], "y": [0, 1],
              "W_f": [[0.1, 0.2, 0.3], [0.0, -0.1, 0.2]], "W_i": [[0.4, 0.2, -0.3], [0.1, -0.1, 0.2]],
              "W_o": [[0.1, 0.5, 0.3], [0.2, -0.1, 0.2]], "W_c": [[0.1, 0.2, 0.9], [0.0, -0.7, 0.2]],
              "W_y": [[1, 0.5], [-0.5, 1]], "output": "softmax", "loss": "cross_entropy", "cell_activation": "sigmoid"}),
])
def test_the_command_line_solves_a_params_file_as_json(tmp_path, solver, params):
    import json
    import subprocess
    import sys
    from pathlib import Path

    path = tmp_path / "params.json"  # JSON is YAML, so the params reader takes it
    path.write_text(json.dumps(params), encoding="utf-8")
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-m", "grader.cli", "solve", solver, "--params", str(path), "--json"],
                          cwd=root, capture_output=True, text=True, check=True)
    printed = json.loads(done.stdout)
    truth = SOLVERS[solver].solve(params)
    assert list(printed) == list(truth)
    for name, value in truth.items():
        np.testing.assert_allclose(printed[name], np.asarray(value, dtype=float), rtol=1e-15, err_msg=name)
