"""The rnn solver against finite differences, an unrolled sympy derivative, and the IN5400 example."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy

from finite_differences import central  # tests/solvers/finite_differences.py
from solvers import SOLVERS, SolverError
from solvers.rnn_local import local_derivative, local_derivatives

RNN = SOLVERS["rnn"]
IN5400 = {"h0": 1, "x": [10, 10], "y": [5, 5], "W_h": 1, "W_x": 0.1, "W_y": 2}
PARAMS = ("W_h", "W_x", "W_y", "b_h", "b_y")


# ---------------------------------------------------------------- reference model
# Written independently of solvers.rnn: plain loops over a dict of float64 arrays.


def _f(name, z):
    return {
        "identity": lambda: z,
        "tanh": lambda: np.tanh(z),
        "sigmoid": lambda: 1 / (1 + np.exp(-z)),
        "relu": lambda: np.where(z > 0, z, 0.0),
    }[name]()


def _g(name, a):
    if name == "softmax":
        e = np.exp(a - a.max())
        return e / e.sum()
    return _f(name, a)


def _loss(name, yhat, y):
    if name == "squared":
        return float(np.sum((yhat - y) ** 2))
    if name == "half_squared":
        return float(0.5 * np.sum((yhat - y) ** 2))
    return float(-np.sum(y * np.log(yhat)))


def ref_losses(case, theta, first=1, h_before=None, last=None):
    """{t: L_t} for t = first..last, starting from h_(first−1) = h_before (h0 by default)."""
    h = case["h0"] if h_before is None else h_before
    out = {}
    for t in range(first, (last or case["T"]) + 1):
        h = _f(case["activation"], theta["W_h"] @ h + theta["W_x"] @ case["xs"][t - 1] + theta["b_h"])
        yhat = _g(case["output"], theta["W_y"] @ h + theta["b_y"])
        out[t] = _loss(case["loss"], yhat, case["ys"][t - 1])
    return out


def ref_hidden(case, theta):
    """[h0, h1, ..., hT] of the reference forward pass."""
    hs = [case["h0"]]
    for t in range(1, case["T"] + 1):
        hs.append(_f(case["activation"], theta["W_h"] @ hs[-1] + theta["W_x"] @ case["xs"][t - 1] + theta["b_h"]))
    return hs


def ref_from_state(case, theta, k, hk):
    """{t: L_t} for t ≥ max(k, 1) as functions of h_k = hk (the graph downstream of h_k)."""
    out = {}
    if k >= 1:
        out[k] = _loss(case["loss"], _g(case["output"], theta["W_y"] @ hk + theta["b_y"]), case["ys"][k - 1])
    out.update(ref_losses(case, theta, first=k + 1, h_before=hk))
    return out



# ---------------------------------------------------------------- random configurations

COMBOS = [(out, loss) for out in ("identity", "sigmoid", "softmax") for loss in ("squared", "half_squared")]
COMBOS += [("softmax", "cross_entropy"), ("sigmoid", "cross_entropy")]
ACTIVATIONS = ("identity", "tanh", "sigmoid", "relu")
CASES = [
    (act, out, loss, shape, trunc, i)
    for i, (act, (out, loss), shape, trunc) in enumerate(
        itertools.product(ACTIVATIONS, COMBOS, ("scalar", "vector"), (None, 2))
    )
]


def make_case(activation, output, loss, shape, truncate, seed):
    """Random parameters in solver form (`params`) and reference form (the arrays)."""
    rng = np.random.default_rng(seed)
    T = 1 + seed % 6
    n, m, k = (1, 1, 1) if shape == "scalar" else tuple(int(v) for v in rng.integers(1, 4, size=3))
    if output == "softmax" and shape == "vector":
        k = max(k, 2)
    arrays = {
        "h0": rng.normal(size=n),
        "W_h": rng.normal(scale=0.6, size=(n, n)),
        "W_x": rng.normal(scale=0.6, size=(n, m)),
        "W_y": rng.normal(scale=0.8, size=(k, n)),
        "b_h": rng.normal(scale=0.3, size=n),
        "b_y": rng.normal(scale=0.3, size=k),
    }
    xs = rng.normal(size=(T, m))
    if loss != "cross_entropy":
        ys = rng.normal(size=(T, k))
        y_param = ys.tolist()
    elif output == "sigmoid":
        ys = rng.uniform(0.05, 0.95, size=(T, k))
        y_param = ys.tolist()
    else:  # softmax: alternate class indices and probability vectors
        ys, y_param = np.zeros((T, k)), []
        for t in range(T):
            if t % 2 == 0:
                c = int(rng.integers(k))
                ys[t, c] = 1.0
                y_param.append(c)
            else:
                ys[t] = rng.dirichlet(np.ones(k))
                y_param.append(ys[t].tolist())
    if shape == "scalar":
        params = {name: float(a.reshape(-1)[0]) for name, a in arrays.items()}
        params["x"] = xs[:, 0].tolist()
        params["y"] = ys[:, 0].tolist()
    else:
        params = {name: a.tolist() for name, a in arrays.items()}
        params["x"] = xs.tolist()
        params["y"] = y_param
    params.update(activation=activation, output=output, loss=loss, truncate=truncate)
    case = {"T": T, "xs": xs, "ys": ys, "h0": arrays["h0"], "activation": activation, "output": output, "loss": loss}
    theta = {p: arrays[p] for p in PARAMS}
    return params, case, theta


def as_array(value, shape):
    a = np.asarray(value, dtype=np.float64)
    assert a.size == int(np.prod(shape)), (a.shape, shape)
    return a.reshape(shape)


def _with(theta, name, value):
    return {**theta, name: value}


@pytest.mark.parametrize("activation,output,loss,shape,truncate,seed", CASES)
def test_gradients_match_finite_differences(activation, output, loss, shape, truncate, seed):
    params, case, theta = make_case(activation, output, loss, shape, truncate, seed)
    sol = RNN.solve(params)
    T = case["T"]
    losses = ref_losses(case, theta)
    assert sol["L"] == pytest.approx(sum(losses.values()), rel=1e-12)
    hs = ref_hidden(case, theta)
    for t in range(1, T + 1):
        assert sol[f"L{t}"] == pytest.approx(losses[t], rel=1e-12)
        np.testing.assert_allclose(as_array(sol[f"h{t}"], hs[t].shape), hs[t], rtol=1e-12)

    for p in PARAMS:
        if truncate is None:

            def per_loss(v, t, p=p):
                return ref_losses(case, _with(theta, p, v))[t]
        else:
            # L_t re-rolled from a detached h_(t−k): the truncated gradient by definition
            def per_loss(v, t, p=p):
                start = max(t - truncate, 0)
                return ref_losses(case, _with(theta, p, v), first=start + 1, h_before=hs[start], last=t)[t]

        expected_total = np.zeros_like(theta[p])
        for t in range(1, T + 1):
            fd = central(lambda v, t=t: per_loss(v, t), theta[p])
            expected_total += fd
            np.testing.assert_allclose(as_array(sol[f"dL{t}/d{p}"], fd.shape), fd, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(
            as_array(sol[f"dL/d{p}"], expected_total.shape), expected_total, rtol=1e-5, atol=1e-7
        )

    if truncate is not None:
        assert not any("/dh" in name for name in sol)
        return
    for k in range(T + 1):
        total = central(lambda hk, k=k: sum(ref_from_state(case, theta, k, hk).values()), hs[k])
        np.testing.assert_allclose(as_array(sol[f"dL/dh{k}"], total.shape), total, rtol=1e-5, atol=1e-7)
        for t in range(max(k, 1), T + 1):
            fd = central(lambda hk, k=k, t=t: ref_from_state(case, theta, k, hk)[t], hs[k])
            np.testing.assert_allclose(as_array(sol[f"dL{t}/dh{k}"], fd.shape), fd, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("truncate", [1, 2, 3])
def test_truncation_matches_detached_recomputation_for_long_sequences(truncate):
    params, case, theta = make_case("tanh", "identity", "squared", "vector", truncate, seed=5)  # T = 6
    sol = RNN.solve(params)
    hs = ref_hidden(case, theta)
    full = RNN.solve({**params, "truncate": None})
    for t in range(1, case["T"] + 1):
        start = max(t - truncate, 0)
        fd = central(
            lambda v, start=start, t=t: ref_losses(
                case, _with(theta, "W_h", v), first=start + 1, h_before=hs[start], last=t
            )[t],
            theta["W_h"],
        )
        np.testing.assert_allclose(sol[f"dL{t}/dW_h"], fd, rtol=1e-5, atol=1e-7)
    # truncation really drops long paths: the late losses differ from full BPTT
    assert not np.allclose(sol["dL6/dW_h"], full["dL6/dW_h"])


def test_truncation_longer_than_sequence_is_full_bptt():
    params, _, _ = make_case("sigmoid", "sigmoid", "cross_entropy", "vector", 6, seed=3)  # T = 4
    truncated = RNN.solve(params)
    full = RNN.solve({**params, "truncate": None})
    for p in PARAMS:
        np.testing.assert_allclose(truncated[f"dL/d{p}"], full[f"dL/d{p}"], rtol=1e-12)


# ---------------------------------------------------------------- the IN5400 worked example

SEED_EXPECTED = [
    ("h1", 2),
    ("h2", 3),
    ("yhat1", 4),
    ("yhat2", 6),
    ("L1", 1),
    ("L2", 1),
    ("L", 2),
    ("dL/dh1", 0),
    ("dL1/dh1", -4),
    ("dL2/dh1", 4),
    ("dL/dW_h", 8),
    ("dL1/dW_h", -4),
    ("dL2/dW_h", 12),
    ("dL/dW_x", 40),
    ("dL/dW_y", 2),
]


@pytest.mark.parametrize("name,expected", SEED_EXPECTED)
def test_in5400_example(name, expected):
    value = RNN.solve(IN5400)[name]
    assert isinstance(value, float)
    assert value == pytest.approx(expected, abs=1e-12)


GIVEN_CASES = [
    ({"yhat1": 2}, {"L": 10, "L1": 9, "dL/dh1": -8, "dL/dW_h": 0, "yhat2": 6}),
    ({"yhat1": 2, "dL2/dW_h": 8}, {"L": 10, "dL/dh1": -8, "dL/dW_h": -4, "dL2/dW_h": 8}),
    ({"h1": 1}, {"h2": 2, "yhat1": 2, "yhat2": 4, "L": 10, "dL/dh1": -16, "dL/dW_h": -20}),
    ({"dL/dh2": 10}, {"dL/dh1": 6, "dL/dh0": 6, "dL2/dh1": 4, "dL/dW_h": 26}),
    ({"dL2/dh2": 10}, {"dL/dh2": 10, "dL/dh1": 6, "dL2/dh1": 10, "dL2/dW_h": 30, "dL/dW_h": 26}),
    ({"L": 7}, {"L": 7, "L1": 1, "dL/dW_h": 8}),
]


@pytest.mark.parametrize("given,expected", GIVEN_CASES)
def test_given_overrides_recompute_downstream(given, expected):
    sol = RNN.solve(IN5400, given=given)
    for name, value in expected.items():
        assert sol[name] == pytest.approx(value, abs=1e-12), name


def test_given_yhat_uses_its_own_value_in_the_loss_gradient():
    params, _, _ = make_case("tanh", "softmax", "cross_entropy", "vector", None, seed=8)
    base = RNN.solve(params)
    # giving ŷ₁ its computed value switches to the uncombined path: same numbers
    same = RNN.solve(params, given={"yhat1": np.asarray(base["yhat1"]).tolist()})
    for name in ("L", "dL/dW_h", "dL/db_y", "dL/dh0"):
        np.testing.assert_allclose(same[name], base[name], rtol=1e-10, atol=1e-12)
    other = RNN.solve(params, given={"yhat1": [1 / len(base["yhat1"])] * len(base["yhat1"])})
    assert not np.allclose(other["dL1/db_y"], base["dL1/db_y"])


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_total_by_delta_recursion_equals_sum_of_per_loss(seed):
    params, _, _ = make_case("tanh", "sigmoid", "half_squared", "vector", None, seed)
    sol = RNN.solve(params)
    for p in ("W_h", "W_x", "b_h"):
        per_loss = sum(np.asarray(sol[f"dL{t}/d{p}"]) for t in range(1, 1 + len(params["x"])))
        np.testing.assert_allclose(sol[f"dL/d{p}"], per_loss, rtol=1e-10, atol=1e-12)
        # giving a per-loss value switches the total to Σ_t dL{t}/dθ: same number when unchanged
        switched = RNN.solve(params, given={f"dL1/d{p}": np.asarray(sol[f"dL1/d{p}"]).tolist()})
        np.testing.assert_allclose(switched[f"dL/d{p}"], sol[f"dL/d{p}"], rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------- symbolic path

SYMBOLIC_CASES = [
    ("identity", "identity", "squared", {"W_h": "W_h", "W_x": "W_x", "W_y": "W_y"}),
    ("tanh", "identity", "half_squared", {"W_h": "W_h", "b_h": "b"}),
    ("sigmoid", "sigmoid", "cross_entropy", {"W_y": "V", "b_y": "c"}),
    ("relu", "sigmoid", "squared", {"W_x": "U"}),
]
SYMBOL_VALUES = {"W_h": 0.7, "W_x": -0.4, "W_y": 1.3, "b": 0.2, "V": -0.9, "c": 0.15, "U": 0.8, "x_1": 0.5}


@pytest.mark.parametrize("activation,output,loss,symbols", SYMBOLIC_CASES)
def test_symbolic_path_matches_numeric_after_substitution(activation, output, loss, symbols):
    base = {
        "h0": 0.3,
        "x": ["x_1", -1.0, 2.0],
        "y": [0.2, 0.7, 0.4],
        "W_h": 0.7,
        "W_x": -0.4,
        "W_y": 1.3,
        "b_h": 0.2,
        "b_y": 0.15,
        "activation": activation,
        "output": output,
        "loss": loss,
    }
    symbolic = RNN.solve({**base, **symbols})
    numeric = RNN.solve(
        {**base, "x": [SYMBOL_VALUES["x_1"], -1.0, 2.0], **{p: SYMBOL_VALUES[s] for p, s in symbols.items()}}
    )
    values = {sympy.Symbol(name): value for name, value in SYMBOL_VALUES.items()}
    assert tuple(symbolic.keys()) == tuple(numeric.keys())
    assert isinstance(symbolic["dL/dW_h"], sympy.Expr)
    for name, expr in symbolic.items():
        assert float(expr.subs(values)) == pytest.approx(numeric[name], rel=1e-9, abs=1e-12), name


def test_symbolic_vector_problem_matches_numeric():
    base = {
        "h0": [0.1, -0.2],
        "x": [[1.0], [0.5]],
        "y": [0, 1],
        "W_x": [[0.3], [-0.6]],
        "W_y": [[1.0, 0.5], [-0.5, 0.2]],
        "activation": "tanh",
        "output": "softmax",
        "loss": "cross_entropy",
    }
    symbolic = RNN.solve({**base, "W_h": [["a", 0.5], [0.1, "b"]]})
    numeric = RNN.solve({**base, "W_h": [[0.4, 0.5], [0.1, -0.3]]})
    values = {sympy.Symbol("a"): 0.4, sympy.Symbol("b"): -0.3}
    for name in ("h2", "yhat2", "L", "dL/dW_h", "dL/dh0", "dL2/db_y"):
        got = np.array(symbolic[name].subs(values).evalf(), dtype=float).reshape(np.shape(numeric[name]))
        np.testing.assert_allclose(got, numeric[name], rtol=1e-9, atol=1e-12)
    assert symbolic["dL/dW_h"].shape == (2, 2)
    assert symbolic["h1"].shape == (2, 1)


UNROLLED = list(itertools.product(("identity", "tanh", "sigmoid", "relu"), ("squared", "half_squared", "sigmoid_ce")))


@pytest.mark.parametrize("activation,loss", UNROLLED)
def test_numeric_bptt_matches_sympy_diff_of_unrolled_loss(activation, loss):
    Wh, Wx, Wy, bh, by, h0 = sympy.symbols("Wh Wx Wy bh by h0")
    f = {
        "identity": lambda z: z,
        "tanh": sympy.tanh,
        "sigmoid": lambda z: 1 / (1 + sympy.exp(-z)),
        "relu": lambda z: sympy.Max(z, 0),
    }[activation]
    output = "sigmoid" if loss == "sigmoid_ce" else "identity"
    xs, ys = [0.9, -0.4, 1.5], [0.3, 0.8, 0.6]
    h, L = h0, 0
    for x, y in zip(xs, ys, strict=True):
        h = f(Wh * h + Wx * sympy.Float(x) + bh)
        a = Wy * h + by
        if loss == "sigmoid_ce":
            L += -sympy.Float(y) * sympy.log(1 / (1 + sympy.exp(-a)))
        else:
            L += (sympy.Rational(1, 2) if loss == "half_squared" else 1) * (a - sympy.Float(y)) ** 2
    point = {Wh: 0.8, Wx: 0.6, Wy: -1.1, bh: 0.25, by: 0.1, h0: 0.4}
    sol = RNN.solve(
        {
            "h0": 0.4,
            "x": xs,
            "y": ys,
            "W_h": 0.8,
            "W_x": 0.6,
            "W_y": -1.1,
            "b_h": 0.25,
            "b_y": 0.1,
            "activation": activation,
            "output": output,
            "loss": "cross_entropy" if loss == "sigmoid_ce" else loss,
        }
    )
    for name, sym in (("W_h", Wh), ("W_x", Wx), ("W_y", Wy), ("b_h", bh), ("b_y", by), ("h0", h0)):
        expected = float(sympy.diff(L, sym).subs(point))
        assert sol[f"dL/d{name}"] == pytest.approx(expected, rel=1e-9, abs=1e-12), name


# ---------------------------------------------------------------- shapes and names

SHAPE_CASES = [
    (IN5400, {"h1": float, "yhat1": float, "dL/dW_h": float, "dL/db_h": float, "dL/dh0": float}),
    ({**IN5400, "h0": [1]}, {"h1": (1,), "dL/dh0": (1,), "dL/dW_h": float, "dL1/db_h": (1,), "yhat1": float}),
    ({**IN5400, "W_h": [[1]]}, {"h1": float, "dL/dW_h": (1, 1), "dL/dW_x": float}),
    ({**IN5400, "b_h": [0.5]}, {"h1": float, "dL/db_h": (1,), "dL1/db_h": (1,), "dL/db_y": float}),
    ({**IN5400, "x": [[10, 1], [10, 2]], "W_x": [[0.1, 0.2]]}, {"h1": float, "dL/dW_x": (1, 2), "dL/dW_y": float}),
    (
        {**IN5400, "W_y": [[2], [1]], "y": [[5, 1], [5, 2]]},
        {"yhat1": (2,), "dL/dW_y": (2, 1), "dL/db_y": (2,), "h2": float},
    ),
    (
        {**IN5400, "h0": [1, 0], "W_h": [[1, 0], [0, 1]], "W_x": [[0.1], [0.2]], "W_y": [[2, 1]]},
        {"h1": (2,), "yhat1": float, "dL/dW_y": (1, 2), "dL/dW_x": (2, 1), "dL2/dh1": (2,)},
    ),
]


@pytest.mark.parametrize("params,expected", SHAPE_CASES)
def test_result_shapes_follow_the_given_shapes(params, expected):
    sol = RNN.solve(params)
    for name, shape in expected.items():
        if shape is float:
            assert isinstance(sol[name], float), name
        else:
            assert isinstance(sol[name], np.ndarray) and sol[name].shape == shape, name
            assert not sol[name].flags.writeable


@pytest.mark.parametrize(
    "params",
    [
        IN5400,
        {**IN5400, "truncate": 1},
        {**IN5400, "x": 3, "y": 1},
        {**IN5400, "x": [1, 2, 3, 4], "y": [0, 0, 0, 0]},
        {**IN5400, "W_h": "W_h"},
    ],
)
def test_keys_match_quantities(params):
    assert tuple(RNN.solve(params).keys()) == RNN.quantities(params)


def test_truncation_drops_hidden_gradients_from_the_names():
    names = RNN.quantities({**IN5400, "truncate": 2})
    assert "dL/dW_h" in names and "dL2/dW_h" in names
    assert not [n for n in names if "/dh" in n]


def test_stable_for_saturated_outputs():
    sol = RNN.solve(
        {
            "x": [[400.0], [-400.0]],
            "y": [1, [0.0, 1.0]],
            "W_h": [[0.5]],
            "W_x": [[1.0]],
            "W_y": [[3.0], [-3.0]],
            "output": "softmax",
            "loss": "cross_entropy",
        }
    )
    assert np.isfinite(sol["L"]) and sol["L"] > 1000  # log-softmax, not log(0)
    assert all(np.all(np.isfinite(sol[f"dL/d{p}"])) for p in PARAMS)
    # σ(−800) rounds to 0: L and its gradient come from log-sigmoid and σ(−a), not log 0 or 0/0
    sig = RNN.solve(
        {"x": [-800.0], "y": [0.5], "W_h": 1, "W_x": 1, "W_y": 1, "output": "sigmoid", "loss": "cross_entropy"}
    )
    assert sig["L"] == pytest.approx(400.0) and sig["dL/db_y"] == pytest.approx(-0.5)
    assert sig["dL/dW_y"] == pytest.approx(400.0)


# ---------------------------------------------------------------- steps


def test_in5400_steps_show_the_worked_answer():
    steps = RNN.solve(IN5400).steps
    for line in (
        "h₁ = W_x·x₁ + W_h·h₀ = 0.1·10 + 1·1 = 2",
        "ŷ₁ = W_y·h₁ = 2·2 = 4",
        "L₁ = (ŷ₁ − y₁)² = (4 − 5)² = 1",
        "∂L₁/∂ŷ₁ = 2(ŷ₁ − y₁) = 2(4 − 5) = −2",
        "∂L/∂h₁ = ∂L₁/∂h₁ + ∂L₂/∂h₁ = −4 + 4 = 0",
        "∂L₂/∂W_h = ∂L₂/∂h₂·∂h₂/∂W_h + ∂L₂/∂h₁·∂h₁/∂W_h = 4·2 + 4·1 = 12",
        "∂L/∂W_h = ∂L₁/∂W_h + ∂L₂/∂W_h = −4 + 12 = 8",
    ):
        assert line in steps


def test_steps_mark_given_values_and_use_the_recursion_after_a_gradient_override():
    steps = RNN.solve(IN5400, given={"yhat1": 2, "dL/dh2": 10}).steps
    assert "ŷ₁ = 2 (given)" in steps
    assert "L₁ = (ŷ₁ − y₁)² = (2 − 5)² = 9" in steps
    assert "∂L/∂h₁ = ∂L₁/∂h₁ + ∂L/∂h₂·∂h₂/∂h₁ = −12 + 10·1 = −2" in steps


def test_vector_steps_summarise_shapes_and_recursion():
    params, _, _ = make_case("tanh", "softmax", "cross_entropy", "vector", None, seed=4)
    steps = RNN.solve(params).steps
    assert steps[0].startswith("Sizes: T = ")
    assert any(line.startswith("δ recursion:") for line in steps)
    assert any(line.startswith("∂L/∂W_h = Σ_s") for line in steps)


# ---------------------------------------------------------------- local derivatives


def test_local_derivatives_rebuild_the_bptt_gradient_by_the_chain_rule():
    params, case, _ = make_case("tanh", "softmax", "cross_entropy", "vector", None, seed=21)
    T = case["T"]
    sol = RNN.solve(params)

    def d(of, wrt):
        return local_derivative(params, of, wrt)

    for p in ("W_h", "W_x", "b_h"):
        total = 0
        for t in range(1, T + 1):
            upstream = d(f"L{t}", f"yhat{t}") @ d(f"yhat{t}", f"h{t}")
            for k in range(1, t + 1):
                path = upstream
                for i in range(t, k, -1):
                    path = path @ d(f"h{i}", f"h{i - 1}")
                total = total + path @ d(f"h{k}", p)
        np.testing.assert_allclose(total.reshape(np.shape(sol[f"dL/d{p}"])), sol[f"dL/d{p}"], rtol=1e-9, atol=1e-12)
    by = sum(d(f"L{t}", f"yhat{t}") @ d(f"yhat{t}", "W_y") for t in range(1, T + 1))
    np.testing.assert_allclose(by.reshape(np.shape(sol["dL/dW_y"])), sol["dL/dW_y"], rtol=1e-9, atol=1e-12)


def test_local_derivatives_from_one_forward_pass_are_each_edge_asked_alone():
    params, case, _ = make_case("tanh", "softmax", "cross_entropy", "vector", None, seed=5)
    T = case["T"]
    edges = [(f"yhat{t}", node) for t in range(1, T + 1) for node in (f"h{t}", "W_y", "b_y")]
    edges += [(f"h{t}", "W_h") for t in range(1, T + 1)] + [("h1", "h0"), ("L1", "yhat1"), ("h2", "W_y")]
    together = local_derivatives(params, edges)
    assert len(together) == len(edges)
    for (of, wrt), J in zip(edges, together):
        np.testing.assert_array_equal(J, local_derivative(params, of, wrt))


@pytest.mark.parametrize(
    "of,wrt,shape,zero",
    [
        ("h2", "W_y", (1, 1), True),
        ("yhat1", "h2", (1, 1), True),
        ("L0", "yhat0", (1, 1), True),
        ("h1", "h0", (1, 1), False),
        ("h0", "W_h", (1, 1), True),
        ("L2", "yhat2", (1, 1), False),
        ("h2", "x2", (1, 1), False),
    ],
)
def test_local_derivative_edges_and_shapes_scalar(of, wrt, shape, zero):
    J = local_derivative(IN5400, of, wrt)
    assert J.shape == shape
    assert (not J.any()) == zero


def test_local_derivative_values_on_in5400():
    assert local_derivative(IN5400, "L1", "yhat1")[0, 0] == pytest.approx(-2)
    assert local_derivative(IN5400, "yhat2", "W_y")[0, 0] == pytest.approx(3)
    assert local_derivative(IN5400, "h2", "W_h")[0, 0] == pytest.approx(2)
    assert local_derivative(IN5400, "L1", "yhat1", given={"yhat1": 2})[0, 0] == pytest.approx(-6)


def test_local_derivative_matrix_parameter_is_flattened_row_major():
    params = {
        "h0": [1.0, 2.0],
        "x": [[0.5]],
        "y": [[0.0, 0.0, 0.0]],
        "W_h": [[0.1, 0.2], [0.3, 0.4]],
        "W_x": [[1.0], [1.0]],
        "W_y": [[1, 0], [0, 1], [1, 1]],
    }
    J = local_derivative(params, "h1", "W_h")
    assert J.shape == (2, 4)
    np.testing.assert_allclose(J, [[1, 2, 0, 0], [0, 0, 1, 2]])
    assert local_derivative(params, "yhat1", "W_y").shape == (3, 6)


@pytest.mark.parametrize(
    "of,wrt,message", [("h9", "h1", "past the last step"), ("z1", "h1", "unknown node"), ("L1", "W_q", "unknown node")]
)
def test_local_derivative_rejects_bad_nodes(of, wrt, message):
    with pytest.raises(SolverError, match=message):
        local_derivative(IN5400, of, wrt)


# ---------------------------------------------------------------- bad parameters

BAD = [
    ({"activation": "softplus"}, "unknown activation 'softplus'; allowed: identity, tanh, sigmoid, relu"),
    ({"output": "tanh"}, "unknown output 'tanh'; allowed: identity, sigmoid, softmax"),
    ({"loss": "mse"}, "unknown loss 'mse'"),
    ({"loss": "cross_entropy"}, "cross_entropy needs output sigmoid or softmax"),
    (
        {"h0": [1, 1], "W_h": [[1, 0], [0, 1], [1, 1]], "W_x": [[1], [1]], "W_y": [[1, 1]]},
        "W_h must be n×n = 2×2 to match h0 of length 2, got 3×2",
    ),
    (
        {"x": [[1, 2], [3, 4]]},
        "W_x must be n×m = 1×2 to match the scalar hidden state and x_t of length 2, got a scalar",
    ),
    ({"h0": [1, 1], "W_h": [[1, 0], [0, 1]], "W_x": [0.1, 0.1]}, "W_x must be n×m = 2×1"),
    ({"x": [1, [2, 3]]}, "x must hold all scalars or all vectors"),
    ({"x": []}, "x must have at least one time step"),
    ({"y": [5]}, "y must have one entry per step (T = 2 from x), got 1"),
    ({"W_h": "W h"}, "W_h: 'W h' is not a number or a symbol name"),
    ({"W_h": float("nan")}, "W_h must be finite"),
    ({"W_h": True}, "W_h must hold numbers or symbol names"),
    ({"truncate": 0}, "truncate must be an integer ≥ 1, got 0"),
    ({"truncate": "2"}, "truncate must be an integer"),
    ({"Wh": 1}, "unknown parameter 'Wh' for solver rnn; known: h0, x, y, W_h"),
    ({"W_y": [[1], [1]], "output": "softmax", "loss": "cross_entropy", "y": [2, 0]}, "y[0] must be a class index 0..1"),
    ({"W_y": [[1], [1]], "y": [5, 5]}, "y[0] must be a list of length 2"),
    ({"b_h": [1, 2]}, "h0 must be a list of length 2 to match b_h of length 2, got a scalar"),
    ({"b_h": [1, 2], "h0": None}, "W_h must be n×n = 2×2 to match b_h of length 2, got a scalar"),
]


@pytest.mark.parametrize("change,message", BAD)
def test_bad_parameters_raise_one_line_errors(change, message):
    with pytest.raises(SolverError) as err:
        RNN.solve({**IN5400, **change})
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_parameter_is_named():
    params = dict(IN5400)
    del params["x"]
    with pytest.raises(SolverError, match="missing x; required: x, y, W_h, W_x, W_y"):
        RNN.solve(params)


BAD_GIVEN = [
    ({"yhat3": 1}, "unknown quantity 'yhat3' in given for solver rnn"),
    ({"h1": [1, 2]}, "given h1 must be a scalar, got a vector of length 2"),
    ({"L": "x y"}, "is not a number or a symbol name"),
]


@pytest.mark.parametrize("given,message", BAD_GIVEN)
def test_bad_given_values(given, message):
    with pytest.raises(SolverError, match=message):
        RNN.solve(IN5400, given=given)


def test_given_symbol_makes_the_problem_symbolic():
    sol = RNN.solve(IN5400, given={"yhat1": "a"})
    a = sympy.Symbol("a")
    assert sympy.expand(sol["L1"] - (a - 5) ** 2) == 0
    assert sol["dL/dW_h"].subs(a, 4) == 8


def test_the_kronecker_product_with_a_row_is_numpys_entry_for_entry():
    from solvers.backend import NUMERIC, SYMBOLIC

    rng = np.random.default_rng(7)
    for rows, cols, length in ((1, 1, 1), (2, 2, 3), (3, 1, 2), (1, 4, 1), (2, 3, 4)):
        A, v = rng.normal(size=(rows, cols)), rng.normal(size=length)
        A[0, 0], v[0] = -0.0, np.inf if rows > 1 else v[0]
        expected = np.kron(A, v.reshape(1, -1))
        got = NUMERIC.kron_row(A, v)
        assert got.shape == expected.shape
        assert [repr(x) for x in got.ravel()] == [repr(x) for x in expected.ravel()]
    import sympy

    a, b, c = sympy.symbols("a b c")
    A = np.array([[a, 0], [0, b]], dtype=object)
    assert (SYMBOLIC.kron_row(A, np.array([c, 2], dtype=object)) == np.kron(A, np.array([[c, 2]], dtype=object))).all()
