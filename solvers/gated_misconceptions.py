"""Misconceptions of the gated-cell solvers (gru, lstm), registered in `solvers.misconceptions`.

The GRU ones are conventions (which term the update gate weights, where the reset gate acts):
changed params. The LSTM ones are slips in ∂L/∂c: `given` overrides of dL/dc_k, computed from
the last step back, each on the solve that already carries the later ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from solvers import SOLVERS
from solvers.misconception_base import Misconception, Variant, flat, shaped, time_steps
from solvers.solution import Solution


def _numeric(truth: Solution) -> bool:
    return isinstance(truth["L"], float)


def _update_swapped(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    if not _numeric(truth):
        return
    update = params.get("update", "candidate")
    other = {"candidate": "state", "state": "candidate"}[update]
    wrong = {"candidate": "u_t⊙c̃_t + (1 − u_t)⊙h_(t−1)", "state": "(1 − u_t)⊙c̃_t + u_t⊙h_(t−1)"}[other]
    yield Variant("gru-update-swapped", {**params, "update": other}, {}, f"h_t = {wrong}: u_t and 1 − u_t swapped")


def _reset_placement(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    import numpy as np

    if not _numeric(truth) or np.size(truth["h1"]) < 2:
        return  # with one hidden unit r·(W_ch·h) = W_ch·(r·h): the placements agree
    reset = params.get("reset", "before")
    other = {"before": "after", "after": "before"}[reset]
    shown = {"before": "W_c·[r_t⊙h_(t−1); x_t]", "after": "r_t⊙(W_ch·h_(t−1)) + W_cx·x_t"}
    yield Variant("gru-reset-placement", {**params, "reset": other}, {},
                  f"c̃_t = tanh({shown[other]} + b_c): the reset gate applied {other} the matrix product")


def _phi_prime(name: str, c: Any) -> Any:
    import numpy as np

    c = np.asarray(c, dtype=float)
    if name == "tanh":
        return 1 - np.tanh(c) ** 2
    if name == "sigmoid":
        s = 1 / (1 + np.exp(-c))
        return s * (1 - s)
    return np.ones_like(c)


def _cell_gradients(params: Mapping[str, Any], truth: Solution, misconception: str, detail: str,
                    through_h: Callable[[Solution, int], Any], through_c: Callable[[Solution, int], Any]) -> Variant:
    """dL/dc_k = dL/dh_k ⊙ through_h(k) + dL/dc_(k+1) ⊙ through_c(k+1), from the last step back, with each
    wrong value given before the next is computed (so dL/dh_(k) already carries it)."""
    import numpy as np

    steps = list(time_steps(truth))
    prepared = SOLVERS["lstm"].prepare(params)
    given: dict[str, Any] = {}
    for k in range(steps[-1], -1, -1):
        sol = prepared.solve(given)
        value = np.asarray(sol[f"dL/dh{k}"], dtype=float) * through_h(sol, k) if k >= 1 else 0.0
        if k < steps[-1]:
            value = value + np.asarray(sol[f"dL/dc{k + 1}"], dtype=float) * through_c(sol, k + 1)
        if not np.allclose(value, np.asarray(truth[f"dL/dc{k}"], dtype=float), rtol=1e-12, atol=0):
            # only real changes are given: an override equal to the truth would claim that quantity too
            given[f"dL/dc{k}"] = shaped(value, truth[f"dL/dc{k}"])
    return Variant(misconception, params, given, detail)


def _phi(params: Mapping[str, Any]) -> str:
    return str(params.get("cell_activation", "tanh"))


def _gate(name: str) -> Callable[[Solution, int], Any]:
    return lambda sol, t: flat(sol[f"{name}{t}"])


def _forget_path_dropped(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    if _numeric(truth):
        phi = _phi(params)
        yield _cell_gradients(params, truth, "lstm-forget-path-dropped",
                              "∂L/∂c_(t−1) through h_(t−1) only, without the path through c_t (factor f_t)",
                              lambda sol, k: flat(sol[f"o{k}"]) * _phi_prime(phi, sol[f"c{k}"]), lambda sol, t: 0.0)


def _forget_factor_one(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    if _numeric(truth):
        phi = _phi(params)
        yield _cell_gradients(params, truth, "lstm-forget-factor-one", "∂c_t/∂c_(t−1) taken as 1 instead of f_t",
                              lambda sol, k: flat(sol[f"o{k}"]) * _phi_prime(phi, sol[f"c{k}"]), lambda sol, t: 1.0)


def _output_gate_dropped(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    if _numeric(truth):
        phi = _phi(params)
        yield _cell_gradients(params, truth, "lstm-output-gate-dropped", "∂h_t/∂c_t taken as φ′(c_t), without o_t",
                              lambda sol, k: _phi_prime(phi, sol[f"c{k}"]), _gate("f"))


def _phi_prime_one(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    if _numeric(truth) and _phi(params) != "identity":
        yield _cell_gradients(params, truth, "lstm-phi-prime-one", "∂h_t/∂c_t taken as o_t, with φ′(c_t) taken as 1",
                              _gate("o"), _gate("f"))


GATED: tuple[Misconception, ...] = (
    Misconception("gru-update-swapped", "gru",
                  "u_t and 1 − u_t are not interchangeable: check which of c̃_t and h_(t−1) the update gate "
                  "weights in this problem's convention.", _update_swapped, convention=True),
    Misconception("gru-reset-placement", "gru",
                  "Check where the reset gate acts: on h_(t−1) before the product with W_c (W_c·[r_t⊙h_(t−1); x_t]) "
                  "or on the product W_ch·h_(t−1) after it.", _reset_placement, convention=True),
    Misconception("lstm-forget-path-dropped", "lstm",
                  "c_(t−1) also reaches L through c_t = f_t⊙c_(t−1) + …: ∂L/∂c_(t−1) includes ∂L/∂c_t ⊙ f_t.",
                  _forget_path_dropped),
    Misconception("lstm-forget-factor-one", "lstm",
                  "∂c_t/∂c_(t−1) = f_t: the path from c_t back to c_(t−1) is scaled by the forget gate.",
                  _forget_factor_one),
    Misconception("lstm-output-gate-dropped", "lstm",
                  "h_t = o_t⊙φ(c_t), so ∂h_t/∂c_t = o_t⊙φ′(c_t): the output gate's factor o_t belongs in it.",
                  _output_gate_dropped),
    Misconception("lstm-phi-prime-one", "lstm",
                  "∂h_t/∂c_t = o_t⊙φ′(c_t): the cell activation's derivative φ′ is not 1 (tanh′ = 1 − tanh², "
                  "σ′ = σ(1 − σ)).", _phi_prime_one),
)
