"""Named, plausible wrong variants of the solvers.

A misconception is a mistake students really make (the output layer using W_h instead of
W_y, the loss without its square, ∂L/∂h₁ through the direct path only, a GRU counted
without biases, …). Each one turns a problem into `Variant`s: the parameters and `given`
overrides under which the ordinary solver reproduces the wrong computation. So no wrong
formula is written twice: the solver's own `given` mechanism carries the mistake forward
to every later quantity, exactly as it carries a student's own earlier values.

`variants(solver, params)` lists every variant that applies; the grader compares a
student's answer with each variant's value of the asked quantity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from solvers import SOLVERS
from solvers.errors import SolverError
from solvers.format import number, sub
from solvers.solution import Solution


@dataclass(frozen=True)
class Variant:
    """One way a misconception plays out on one problem."""

    misconception: str
    params: Mapping[str, Any]
    given: Mapping[str, Any] = field(default_factory=dict)
    detail: str = ""

    def solve(self, solver: str) -> Solution:
        """The solver's quantities under this mistake."""
        return SOLVERS[solver].solve(self.params, self.given)


@dataclass(frozen=True)
class Misconception:
    """A named mistake: a sentence for the student and how it changes a problem."""

    id: str
    solver: str
    sentence: str
    make: Callable[[Mapping[str, Any], Solution], Iterator[Variant]]


def variants(solver: str, params: Mapping[str, Any], truth: Solution | None = None) -> list[Variant]:
    """Every variant of every misconception of `solver` that applies to `params`."""
    truth = truth if truth is not None else SOLVERS[solver].solve(params)
    out: list[Variant] = []
    for misconception in MISCONCEPTIONS.values():
        if misconception.solver != solver:
            continue
        try:
            out.extend(misconception.make(params, truth))
        except SolverError:  # the mistake cannot be expressed for this shape of problem
            continue
    return out


# -- rnn ---------------------------------------------------------------------------------


def _steps(truth: Solution) -> range:
    return range(1, sum(1 for name in truth if name.startswith("yhat")) + 1)


def _output_uses_W_h(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    if params.get("W_h") is None or params.get("W_y") is None:
        return
    wrong = SOLVERS["rnn"].solve({**params, "W_y": params["W_h"]})
    steps = list(_steps(truth))
    for t in steps:
        yield Variant("output-uses-W_h", params, {f"yhat{t}": wrong[f"yhat{t}"]},
                      f"ŷ{sub(t)} = W_h·h{sub(t)} = {number(_plain(wrong[f'yhat{t}']))} "
                      f"where W_y·h{sub(t)} = {number(_plain(truth[f'yhat{t}']))}")
    if len(steps) > 1:
        yield Variant("output-uses-W_h", params, {f"yhat{t}": wrong[f"yhat{t}"] for t in steps},
                      "ŷ_t = W_h·h_t at every step, where the output layer uses W_y")


def _loss_not_squared(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    if params.get("loss", "squared") not in ("squared", "half_squared"):
        return
    from solvers.rnn import local_derivative

    given: dict[str, Any] = {}
    for t in _steps(truth):
        error = _minus(truth[f"yhat{t}"], _target(params, t))
        given[f"L{t}"] = _total(error)
        for node, quantity in ((f"h{t}", f"dL{t}/dh{t}"), ("W_y", f"dL{t}/dW_y"), ("b_y", f"dL{t}/db_y")):
            jac = local_derivative(params, f"yhat{t}", node)
            given[quantity] = _shaped(jac.sum(axis=0), truth[quantity])
    yield Variant("loss-not-squared", params, given, "L_t = ŷ_t − y_t, without the square (so ∂L_t/∂ŷ_t = 1)")


def _loss_convention(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    loss = params.get("loss", "squared")
    other = {"squared": "half_squared", "half_squared": "squared"}.get(loss)
    if other:
        shown = {"squared": "(ŷ − y)²", "half_squared": "½(ŷ − y)²"}
        yield Variant("loss-convention", {**params, "loss": other}, {},
                      f"the loss taken as {shown[other]} where this problem uses {shown[loss]}")


def _direct_path_only(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    if params.get("truncate") is not None:
        return
    steps = list(_steps(truth))
    given = {f"dL/dh{k}": truth[f"dL{k}/dh{k}"] for k in steps}
    yield Variant("direct-path-only", params, given,
                  f"∂L/∂h₁ = ∂L₁/∂h₁ = {number(_plain(truth['dL1/dh1']))}, leaving out the paths through later steps")


def _drop_h0_term(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    if params.get("truncate") is not None:
        return
    from solvers.rnn import local_derivative

    local = local_derivative(params, "h1", "W_h")
    given = {}
    for t in _steps(truth):
        through_h0 = _row(truth[f"dL{t}/dh1"]) @ local
        given[f"dL{t}/dW_h"] = _shaped(_minus(_flat(truth[f"dL{t}/dW_h"]), through_h0.ravel()), truth[f"dL{t}/dW_h"])
    yield Variant("drop-h0-term", params, given, "∂L/∂W_h without the h₀ term (the contribution of step 1)")


def _only_last_loss(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    steps = list(_steps(truth))
    if len(steps) < 2 or params.get("truncate") is not None:
        return
    given: dict[str, Any] = {}
    for t in steps[:-1]:
        for name in ("L{t}", "dL{t}/dh{t}", "dL{t}/dW_y", "dL{t}/db_y"):
            quantity = name.format(t=t)
            given[quantity] = _zero_like(truth[quantity])
    yield Variant("only-last-loss", params, given, f"L = L{sub(steps[-1])} only, leaving out the losses of earlier steps")


# -- param_count -------------------------------------------------------------------------


def _no_bias(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    yield Variant("no-bias", params, {"per_block": truth["per_block"] - truth["bias_count"] / truth["blocks"]},
                  "the count leaves out the bias vectors")


def _gate_count(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    wrong = {"gru": 4, "lstm": 3}.get(str(params.get("cell")))
    if wrong:
        yield Variant("gate-count", params, {"blocks": wrong},
                      f"{wrong} weight blocks counted, where a {str(params['cell']).upper()} has {truth['blocks']}")


def _bias_convention(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    biases = int(params.get("biases", 1))
    other = 2 if biases == 1 else 1
    yield Variant("bias-convention", {**params, "biases": other}, {},
                  f"{other} bias vector{'s' if other == 2 else ''} per block, where this question uses {biases}")


# -- gradflow ----------------------------------------------------------------------------


def _factor_count(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    T = params.get("T")
    if T is None or params.get("x") is not None:
        return  # with inputs, T is the length of x: no count to get wrong
    for wrong in (int(T) - 1, int(T) + 1):
        if wrong >= 1:
            yield Variant("factor-count", {**params, "T": wrong}, {},
                          f"{wrong} factors ∂h_t/∂h_(t−1) multiplied, where going back from h_{T} to h_0 takes {T}")


# -- gru and lstm ------------------------------------------------------------------------


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

    steps = list(_steps(truth))
    prepared = SOLVERS["lstm"].prepare(params)
    given: dict[str, Any] = {}
    for k in range(steps[-1], -1, -1):
        sol = prepared.solve(given)
        value = np.asarray(sol[f"dL/dh{k}"], dtype=float) * through_h(sol, k) if k >= 1 else 0.0
        if k < steps[-1]:
            value = value + np.asarray(sol[f"dL/dc{k + 1}"], dtype=float) * through_c(sol, k + 1)
        if not np.allclose(value, np.asarray(truth[f"dL/dc{k}"], dtype=float), rtol=1e-12, atol=0):
            # only real changes are given: an override equal to the truth would claim that quantity too
            given[f"dL/dc{k}"] = _shaped(value, truth[f"dL/dc{k}"])
    return Variant(misconception, params, given, detail)


def _phi(params: Mapping[str, Any]) -> str:
    return str(params.get("cell_activation", "tanh"))


def _gate(name: str) -> Callable[[Solution, int], Any]:
    return lambda sol, t: _flat(sol[f"{name}{t}"])


def _forget_path_dropped(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    if _numeric(truth):
        phi = _phi(params)
        yield _cell_gradients(params, truth, "lstm-forget-path-dropped",
                              "∂L/∂c_(t−1) through h_(t−1) only, without the path through c_t (factor f_t)",
                              lambda sol, k: _flat(sol[f"o{k}"]) * _phi_prime(phi, sol[f"c{k}"]), lambda sol, t: 0.0)


def _forget_factor_one(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    if _numeric(truth):
        phi = _phi(params)
        yield _cell_gradients(params, truth, "lstm-forget-factor-one", "∂c_t/∂c_(t−1) taken as 1 instead of f_t",
                              lambda sol, k: _flat(sol[f"o{k}"]) * _phi_prime(phi, sol[f"c{k}"]), lambda sol, t: 1.0)


def _output_gate_dropped(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    if _numeric(truth):
        phi = _phi(params)
        yield _cell_gradients(params, truth, "lstm-output-gate-dropped", "∂h_t/∂c_t taken as φ′(c_t), without o_t",
                              lambda sol, k: _phi_prime(phi, sol[f"c{k}"]), _gate("f"))


def _phi_prime_one(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    if _numeric(truth) and _phi(params) != "identity":
        yield _cell_gradients(params, truth, "lstm-phi-prime-one", "∂h_t/∂c_t taken as o_t, with φ′(c_t) taken as 1",
                              _gate("o"), _gate("f"))


# -- helpers -----------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") and getattr(value, "size", 2) == 1 else value


def _target(params: Mapping[str, Any], t: int) -> Any:
    y = params["y"]
    return y[t - 1] if isinstance(y, (list, tuple)) else y


def _minus(a: Any, b: Any) -> Any:
    import numpy as np

    return np.asarray(a, dtype=float) - np.asarray(b, dtype=float)


def _total(value: Any) -> float:
    import numpy as np

    return float(np.sum(value))


def _flat(value: Any) -> Any:
    import numpy as np

    return np.asarray(value, dtype=float).ravel()


def _row(value: Any) -> Any:
    return _flat(value).reshape(1, -1)


def _shaped(value: Any, like: Any) -> Any:
    """`value` in the shape (and scalar-ness) of the quantity it replaces."""
    import numpy as np

    array = np.asarray(value, dtype=float).reshape(np.shape(like))
    return float(array) if np.ndim(like) == 0 else array


def _zero_like(value: Any) -> Any:
    return _shaped(_flat(value) * 0.0, value)


MISCONCEPTIONS: dict[str, Misconception] = {
    m.id: m
    for m in (
        Misconception("output-uses-W_h", "rnn", "The output layer uses W_y, not the recurrent weight W_h.",
                      _output_uses_W_h),
        Misconception("loss-not-squared", "rnn", "The loss is squared: L_t = (ŷ_t − y_t)², so ∂L_t/∂ŷ_t = 2(ŷ_t − y_t).",
                      _loss_not_squared),
        Misconception("loss-convention", "rnn", "Check the loss convention: (ŷ − y)² and ½(ŷ − y)² differ by a factor 2.",
                      _loss_convention),
        # Holding h_{t−1} constant in ∂h_t/∂W gives the same weight gradients as this (both keep one
        # term per loss), so it is one misconception, not two indistinguishable ones.
        Misconception("direct-path-only", "rnn",
                      "∂L/∂h_k sums every path: through ŷ_k and through h_{k+1}, h_{k+2}, …; so ∂L/∂W has a term "
                      "for every earlier step (that is what BPTT sums).", _direct_path_only),
        Misconception("drop-h0-term", "rnn", "The first step contributes too: ∂h₁/∂W_h = f′·h₀.", _drop_h0_term),
        Misconception("only-last-loss", "rnn", "L = Σ_t L_t: every step's loss counts, not just the last one.",
                      _only_last_loss),
        Misconception("no-bias", "param_count", "Every gate or candidate block has a bias vector of size n.", _no_bias),
        Misconception("gate-count", "param_count", "A GRU has 3 weight blocks (Γ_u, Γ_r, c̃); an LSTM has 4.",
                      _gate_count),
        Misconception("factor-count", "gradflow",
                      "∂h_T/∂h_0 = Π_(t=1..T) ∂h_t/∂h_(t−1): one factor per step, T factors in all.", _factor_count),
        Misconception("gru-update-swapped", "gru",
                      "u_t and 1 − u_t are not interchangeable: check which of c̃_t and h_(t−1) the update gate "
                      "weights in this problem's convention.", _update_swapped),
        Misconception("gru-reset-placement", "gru",
                      "Check where the reset gate acts: on h_(t−1) before the product with W_c (W_c·[r_t⊙h_(t−1); x_t]) "
                      "or on the product W_ch·h_(t−1) after it.", _reset_placement),
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
        Misconception("bias-convention", "param_count",
                      "Check the bias convention: one bias vector per block (NPTEL, Coursera) or two (PyTorch).",
                      _bias_convention),
    )
}
