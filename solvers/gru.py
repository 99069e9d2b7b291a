"""The `gru` solver: forward pass and backpropagation through time of a GRU, for t = 1..T::

    u_t = σ(W_u [h_{t−1}; x_t] + b_u)                     update gate (Coursera Γ_u)
    r_t = σ(W_r [h_{t−1}; x_t] + b_r)                     reset gate (Coursera Γ_r)
    reset before:  c̃_t = tanh(W_c [r_t ⊙ h_{t−1}; x_t] + b_c)                  (Cho et al., Coursera)
    reset after:   c̃_t = tanh(r_t ⊙ (W_ch h_{t−1}) + W_cx x_t + b_c)           (PyTorch, cuDNN)
    update candidate:  h_t = u_t ⊙ c̃_t + (1 − u_t) ⊙ h_{t−1}                   (Coursera)
    update state:      h_t = (1 − u_t) ⊙ c̃_t + u_t ⊙ h_{t−1}                   (PyTorch)
    ŷ_t = g(W_y h_t + b_y),  L_t = loss(ŷ_t, y_t),  L = Σ_t L_t                 (as for rnn)

W_ch = W_c[:, :n] and W_cx = W_c[:, n:]. dh{T}/dh0 is the Jacobian ∂h_T/∂h_0 (n×n; the
Coursera argument that Γ_u ≈ 0 carries the gradient). dL/dh{k} is the total derivative: h_k perturbed and
everything after it recomputed. dL/dθ = Σ_t dL/dh{t}·∂h_t/∂θ, with ∂h_t/∂θ the direct
dependence at step t. A `given` override replaces a quantity and everything computed from it
is recomputed; gate derivatives σ′ and tanh′ are taken at their pre-activations, which are
computed from the (possibly replaced) inputs of the step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from solvers import gated, names, readout, values
from solvers.checks import choice
from solvers.gated import Cell
from solvers.gated_steps import gru_derivation
from solvers.names import GRU_CONVENTIONS, GRU_PARAMS
from solvers.gated_trace import GruTrace as Trace
from solvers.solution import Solution


def mixing(update: str, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(weight of c̃_t, weight of h_{t−1}) in h_t under the update convention."""
    return (u, 1 - u) if update == "candidate" else (1 - u, u)


def evaluate(c: Cell, given: Mapping[str, object], reset: str, update: str) -> Trace:
    """Forward and backward pass; a name in `given` (already converted) replaces its value."""
    back, n, T = c.back, c.n, c.T
    tr = Trace(c, given, reset, update)
    z = {g: [None] for g in "urc"}
    v = {"u": [None], "r": [None], "ctilde": [None], "h": [c.h0]}
    Wch, Wcx = c.W["c"][:, :n], c.W["c"][:, n:]
    for t in range(1, T + 1):
        hp, hx = v["h"][t - 1], c.hx(t, v["h"][t - 1])
        for g, stem in (("u", "u"), ("r", "r")):
            zg, value = gated.gate(c, f"{stem}{t}", g, hx, given)
            z[g].append(zg)
            v[stem].append(value)
        r = v["r"][t]
        inner = Wch @ (r * hp) if reset == "before" else r * (Wch @ hp)
        z["c"].append(inner + Wcx @ c.xs[t] + c.b["c"])
        v["ctilde"].append(given.get(f"ctilde{t}", back.act("tanh", z["c"][t])))
        a_c, a_h = mixing(update, v["u"][t])
        v["h"].append(given.get(f"h{t}", a_c * v["ctilde"][t] + a_h * hp))
    tr.z.update(z)
    tr.values.update(v)
    tr.outs.extend([None, *(readout.step(back, c.ro, t, v["h"][t], given) for t in range(1, T + 1))])

    dh: list = [None] * (T + 1)
    dh[T] = given.get(f"dL/dh{T}", tr.outs[T].dL_da @ c.ro.W_y)
    dz: list = [None] * (T + 1)
    for t in range(T, 0, -1):
        dz[t], carried = _back_step(tr, t, dh[t])
        own = tr.outs[t - 1].dL_da @ c.ro.W_y if t > 1 else 0
        dh[t - 1] = given.get(f"dL/dh{t - 1}", carried + own)
    tr.dh.extend(dh)
    tr.dz.extend(dz)

    for g in "urc":
        W = back.zeros(c.W[g].shape)
        for t in range(1, T + 1):
            hp = v["h"][t - 1]
            # the candidate's weights on the state see r ⊙ h_{t−1} (before) or carry r into dz (after)
            inputs = np.concatenate([v["r"][t] * hp, c.xs[t]]) if (g, reset) == ("c", "before") else c.hx(t, hp)
            row = dz[t][g] * v["r"][t] if (g, reset) == ("c", "after") else dz[t][g]
            W[:, :n] = W[:, :n] + np.outer(row, inputs[:n])
            W[:, n:] = W[:, n:] + np.outer(dz[t][g], inputs[n:])
        tr.grads[f"W_{g}"] = given.get(f"dL/dW_{g}", W)
        tr.grads[f"b_{g}"] = given.get(f"dL/db_{g}", sum(dz[t][g] for t in range(1, T + 1)))
    tr.grads["h0"] = given.get(f"dh{T}/dh0", _jacobian(tr))
    tr.grads["W_y"] = given.get("dL/dW_y", sum(np.outer(tr.outs[t].dL_da, v["h"][t]) for t in range(1, T + 1)))
    tr.grads["b_y"] = given.get("dL/db_y", sum(tr.outs[t].dL_da for t in range(1, T + 1)))
    return tr


def _back_step(tr: Trace, t: int, g_h: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """From a row g_h = ∂(·)/∂h_t: the pre-activation gradients of step t, and g_h·∂h_t/∂h_{t−1}."""
    c, z, v, back, n = tr.cell, tr.z, tr.values, tr.cell.back, tr.cell.n
    hp, u, r = v["h"][t - 1], v["u"][t], v["r"][t]
    Wch = c.W["c"][:, :n]
    a_c, a_h = mixing(tr.update, u)
    sign = 1 if tr.update == "candidate" else -1  # ∂h_t/∂u_t = ±(c̃_t − h_{t−1})
    dz_u = g_h * sign * (v["ctilde"][t] - hp) * back.act_prime("sigmoid", z["u"][t])
    dz_c = g_h * a_c * back.act_prime("tanh", z["c"][t])
    if tr.reset == "before":
        back_c = dz_c @ Wch
        dr, via_c = back_c * hp, back_c * r
    else:
        dr, via_c = dz_c * (Wch @ hp), (dz_c * r) @ Wch
    dz_r = dr * back.act_prime("sigmoid", z["r"][t])
    carried = g_h * a_h + dz_u @ c.W["u"][:, :n] + dz_r @ c.W["r"][:, :n] + via_c
    return {"u": dz_u, "r": dz_r, "c": dz_c}, carried


def _jacobian(tr: Trace) -> np.ndarray:
    """∂h_T/∂h_0 (n×n, row i = ∂h_T,i/∂h_0): each unit row carried back through every step."""
    rows = []
    for i in range(tr.cell.n):
        row = tr.cell.back.zeros((tr.cell.n,))
        row[i] = 1
        for t in range(tr.cell.T, 0, -1):
            row = _back_step(tr, t, row)[1]
        rows.append(row)
    return np.array(rows)


def _results(tr: Trace) -> dict[str, object]:
    c = tr.cell
    out: dict[str, object] = {"L": c.result(tr.L, "loss")}
    for t in range(1, c.T + 1):
        for stem in ("u", "r", "ctilde", "h"):
            out[f"{stem}{t}"] = c.result(tr.values[stem][t], "hidden")
        out[f"yhat{t}"] = c.result(tr.outs[t].yhat, "output")
        out[f"L{t}"] = c.result(tr.outs[t].loss, "loss")
    for k in range(c.T + 1):
        out[f"dL/dh{k}"] = c.result(tr.dh[k], "hidden")
    for p in GRU_PARAMS:
        out[f"dL/d{p}"] = c.result(tr.grads[p], p)
    out[f"dh{c.T}/dh0"] = c.result(tr.grads["h0"], "jacobian")
    return out


def solve(params: Mapping[str, object], given: Mapping[str, object]) -> Solution:
    """Solve bound params (from `SOLVERS['gru'].bind`); `given` names are already checked."""
    return prepare(params)(given)


def prepare(params: Mapping[str, object]) -> Callable[[Mapping[str, object]], Solution]:
    """`solve` for one problem under many overrides: the numeric cell is read once."""
    order = names.gru(params)
    reset = choice("reset", params["reset"], GRU_CONVENTIONS["reset"])
    update = choice("update", params["update"], GRU_CONVENTIONS["update"])
    numeric: list[Cell] = []
    note = f"Conventions: reset {reset} the matrix product, update weights the {update}."

    def solve_given(given: Mapping[str, object]) -> Solution:
        if any(values.is_symbolic(v) for v in given.values()):
            c = gated.cell(params, given, "urc", ("h0",))  # a symbolic override makes the problem exact
        else:
            if not numeric:
                numeric.append(gated.cell(params, given, "urc", ("h0",)))
            c = numeric[0]
        with np.errstate(over="ignore", invalid="ignore"):  # huge carried values give inf, judged by callers
            tr = evaluate(c, gated.given_values(c, given), reset, update)
        return Solution.ordered(order, _results(tr), lambda: gru_derivation(tr), gated.notes(c, (note,)))

    return solve_given
