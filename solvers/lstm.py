"""The `lstm` solver: forward pass and backpropagation through time of an LSTM, for t = 1..T::

    f_t = σ(W_f [h_{t−1}; x_t] + b_f)   i_t = σ(W_i [h_{t−1}; x_t] + b_i)   o_t = σ(W_o [h_{t−1}; x_t] + b_o)
    c̃_t = tanh(W_c [h_{t−1}; x_t] + b_c)
    c_t = f_t ⊙ c_{t−1} + i_t ⊙ c̃_t
    h_t = o_t ⊙ φ(c_t)          φ = cell_activation: tanh | sigmoid (NPTEL's o_t ⊙ σ(s_t)) | identity
    ŷ_t = g(W_y h_t + b_y),  L_t = loss(ŷ_t, y_t),  L = Σ_t L_t               (as for rnn)

Total derivatives: dL/dh{k} perturbs h_k with c_k held fixed (its paths run through ŷ_k and
the gates of step k+1); dL/dc{k} perturbs c_k and follows every path, so
dL/dc{k} = dL/dh{k} ⊙ o_k ⊙ φ′(c_k) + dL/dc{k+1} ⊙ f_{k+1} (no h path at k = 0, where h₀ is
given). A `given` override replaces a quantity and everything computed from it is recomputed;
σ′ and tanh′ of the gates are taken at their pre-activations, φ′ at the (possibly given) c_t.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from solvers import gated, names, readout, values
from solvers.checks import choice
from solvers.gated import Cell
from solvers.gated_steps import lstm_derivation
from solvers.names import CELL_ACTIVATIONS, LSTM_PARAMS
from solvers.gated_trace import LstmTrace as Trace
from solvers.solution import Solution


def evaluate(c: Cell, given: Mapping[str, object], phi: str) -> Trace:
    """Forward and backward pass; a name in `given` (already converted) replaces its value."""
    back, n, T = c.back, c.n, c.T
    tr = Trace(c, given, phi)
    z = {g: [None] for g in "fioc"}
    v = {"f": [None], "i": [None], "o": [None], "ctilde": [None], "c": [c.c0], "h": [c.h0]}
    for t in range(1, T + 1):
        hx = c.hx(t, v["h"][t - 1])
        for g in "fio":
            zg, value = gated.gate(c, f"{g}{t}", g, hx, given)
            z[g].append(zg)
            v[g].append(value)
        z["c"].append(c.W["c"] @ hx + c.b["c"])
        v["ctilde"].append(given.get(f"ctilde{t}", back.act("tanh", z["c"][t])))
        v["c"].append(given.get(f"c{t}", v["f"][t] * v["c"][t - 1] + v["i"][t] * v["ctilde"][t]))
        v["h"].append(given.get(f"h{t}", v["o"][t] * back.act(phi, v["c"][t])))
    tr.z.update(z)
    tr.values.update(v)
    tr.outs.extend([None, *(readout.step(back, c.ro, t, v["h"][t], given) for t in range(1, T + 1))])

    dh: list = [None] * (T + 1)
    dc: list = [None] * (T + 1)
    dz: list = [None] * (T + 1)
    dh[T] = given.get(f"dL/dh{T}", tr.outs[T].dL_da @ c.ro.W_y)
    for t in range(T, 0, -1):
        forget_path = dc[t + 1] * v["f"][t + 1] if t < T else 0
        dc[t] = given.get(f"dL/dc{t}", dh[t] * v["o"][t] * back.act_prime(phi, v["c"][t]) + forget_path)
        dz[t] = {
            "f": dc[t] * v["c"][t - 1] * back.act_prime("sigmoid", z["f"][t]),
            "i": dc[t] * v["ctilde"][t] * back.act_prime("sigmoid", z["i"][t]),
            "o": dh[t] * back.act(phi, v["c"][t]) * back.act_prime("sigmoid", z["o"][t]),
            "c": dc[t] * v["i"][t] * back.act_prime("tanh", z["c"][t]),
        }
        carried = sum(dz[t][g] @ c.W[g][:, :n] for g in "fioc")
        own = tr.outs[t - 1].dL_da @ c.ro.W_y if t > 1 else 0
        dh[t - 1] = given.get(f"dL/dh{t - 1}", carried + own)
    dc[0] = given.get("dL/dc0", dc[1] * v["f"][1])
    tr.dh.extend(dh)
    tr.dc.extend(dc)
    tr.dz.extend(dz)

    steps = range(1, T + 1)
    for g in "fioc":
        W = sum(np.outer(dz[t][g], c.hx(t, v["h"][t - 1])) for t in steps)
        tr.grads[f"W_{g}"] = given.get(f"dL/dW_{g}", W)
        tr.grads[f"b_{g}"] = given.get(f"dL/db_{g}", sum(dz[t][g] for t in steps))
    tr.grads["W_y"] = given.get("dL/dW_y", sum(np.outer(tr.outs[t].dL_da, v["h"][t]) for t in steps))
    tr.grads["b_y"] = given.get("dL/db_y", sum(tr.outs[t].dL_da for t in steps))
    return tr


def _results(tr: Trace) -> dict[str, object]:
    c = tr.cell
    out: dict[str, object] = {"L": c.result(tr.L, "loss")}
    for t in range(1, c.T + 1):
        for stem in ("f", "i", "o", "ctilde", "c", "h"):
            out[f"{stem}{t}"] = c.result(tr.values[stem][t], "hidden")
        out[f"yhat{t}"] = c.result(tr.outs[t].yhat, "output")
        out[f"L{t}"] = c.result(tr.outs[t].loss, "loss")
    for k in range(c.T + 1):
        out[f"dL/dh{k}"] = c.result(tr.dh[k], "hidden")
        out[f"dL/dc{k}"] = c.result(tr.dc[k], "hidden")
    for p in LSTM_PARAMS:
        out[f"dL/d{p}"] = c.result(tr.grads[p], p)
    return out


def solve(params: Mapping[str, object], given: Mapping[str, object]) -> Solution:
    """Solve bound params (from `SOLVERS['lstm'].bind`); `given` names are already checked."""
    return prepare(params)(given)


def prepare(params: Mapping[str, object]) -> Callable[[Mapping[str, object]], Solution]:
    """`solve` for one problem under many overrides: the numeric cell is read once."""
    order = names.lstm(params)
    phi = choice("cell_activation", params["cell_activation"], CELL_ACTIVATIONS)
    numeric: list[Cell] = []
    note = f"h_t = o_t ⊙ {phi}(c_t); dL/dh_k holds c_k fixed, dL/dc_k follows every path."

    def solve_given(given: Mapping[str, object]) -> Solution:
        if any(values.is_symbolic(v) for v in given.values()):
            c = gated.cell(params, given, "fioc", ("h0", "c0"))  # a symbolic override makes the problem exact
        else:
            if not numeric:
                numeric.append(gated.cell(params, given, "fioc", ("h0", "c0")))
            c = numeric[0]
        with np.errstate(over="ignore", invalid="ignore"):  # huge carried values give inf, judged by callers
            tr = evaluate(c, gated.given_values(c, given), phi)
        return Solution.ordered(order, _results(tr), lambda: lstm_derivation(tr), gated.notes(c, (note,)))

    return solve_given
