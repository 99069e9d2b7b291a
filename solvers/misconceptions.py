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

from collections.abc import Iterator, Mapping
from typing import Any

from solvers import SOLVERS
from solvers.errors import SolverError
from solvers.format import number, sub
from solvers.gated_misconceptions import GATED
from solvers.misconception_base import Misconception, Variant, flat, shaped, time_steps
from solvers.solution import Solution


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


def _output_uses_W_h(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    if params.get("W_h") is None or params.get("W_y") is None:
        return
    wrong = SOLVERS["rnn"].solve({**params, "W_y": params["W_h"]})
    steps = list(time_steps(truth))
    for t in steps:
        yield Variant("output-uses-W_h", params, {f"yhat{t}": wrong[f"yhat{t}"]},
                      f"ŷ{sub(t)} = W_h·h{sub(t)} = {number(_plain(wrong[f'yhat{t}']))} "
                      f"where W_y·h{sub(t)} = {number(_plain(truth[f'yhat{t}']))}")
    if len(steps) > 1:
        yield Variant("output-uses-W_h", params, {f"yhat{t}": wrong[f"yhat{t}"] for t in steps},
                      "ŷ_t = W_h·h_t at every step, where the output layer uses W_y")


_LOCAL: list[Any] = [None, None, {}]
"""(params, truth, local Jacobians) of the last rnn problem whose mistakes were listed: three
of them read local Jacobians, and one forward pass gives every edge they read."""


def _local(params: Mapping[str, Any], truth: Solution, of: str, wrt: str) -> Any:
    """The local Jacobian ∂of/∂wrt of the problem `truth` solves (see `rnn_local`)."""
    if _LOCAL[0] is not params or _LOCAL[1] is not truth:  # held, so an id is never reused
        from solvers.rnn_local import local_derivatives

        edges = [(f"{node}{t}", other) for t in time_steps(truth)
                 for node, other in (("yhat", f"h{t}"), ("yhat", "W_y"), ("yhat", "b_y"), ("h", "W_h"))]
        _LOCAL[:] = [params, truth, dict(zip(edges, local_derivatives(params, edges)))]
    return _LOCAL[2][of, wrt]


def _loss_not_squared(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    # under truncation the dL_t/dh_t it overrides are not quantities, so it cannot be expressed
    if params.get("loss", "squared") not in ("squared", "half_squared") or params.get("truncate") is not None:
        return
    steps = list(time_steps(truth))
    edges = {quantity: (f"yhat{t}", node) for t in steps
             for node, quantity in ((f"h{t}", f"dL{t}/dh{t}"), ("W_y", f"dL{t}/dW_y"), ("b_y", f"dL{t}/db_y"))}
    given: dict[str, Any] = {}
    for t in steps:
        error = _minus(truth[f"yhat{t}"], _target(params, t))
        given[f"L{t}"] = _total(error)
        for quantity in (f"dL{t}/dh{t}", f"dL{t}/dW_y", f"dL{t}/db_y"):
            given[quantity] = _column_sums(_local(params, truth, *edges[quantity]), truth[quantity])
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
    steps = list(time_steps(truth))
    given = {f"dL/dh{k}": truth[f"dL{k}/dh{k}"] for k in steps}
    yield Variant("direct-path-only", params, given,
                  f"∂L/∂h₁ = ∂L₁/∂h₁ = {number(_plain(truth['dL1/dh1']))}, leaving out the paths through later steps")


def _drop_h0_term(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    if params.get("truncate") is not None:
        return
    local = _local(params, truth, "h1", "W_h")
    given = {}
    for t in time_steps(truth):
        given[f"dL{t}/dW_h"] = _less_product(truth[f"dL{t}/dW_h"], truth[f"dL{t}/dh1"], local)
    yield Variant("drop-h0-term", params, given, "∂L/∂W_h without the h₀ term (the contribution of step 1)")


def _only_last_loss(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    steps = list(time_steps(truth))
    if len(steps) < 2 or params.get("truncate") is not None:
        return
    given: dict[str, Any] = {}
    for t in steps[:-1]:
        for name in ("L{t}", "dL{t}/dh{t}", "dL{t}/dW_y", "dL{t}/db_y"):
            quantity = name.format(t=t)
            given[quantity] = _zero_like(truth[quantity])
    yield Variant("only-last-loss", params, given, f"L = L{sub(steps[-1])} only, leaving out the losses of earlier steps")


def _loss_gradient_sign(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    if params.get("loss", "squared") not in ("squared", "half_squared") or params.get("truncate") is not None:
        return
    given: dict[str, Any] = {}
    for t in time_steps(truth):
        for name in ("dL{t}/dh{t}", "dL{t}/dW_y", "dL{t}/db_y"):
            quantity = name.format(t=t)
            given[quantity] = _negated(truth[quantity])
    yield Variant("loss-gradient-sign", params, given, "∂L_t/∂ŷ_t taken as y_t − ŷ_t (times 2), prediction and target swapped")


def _one_step_bptt(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    if params.get("truncate") is not None or len(time_steps(truth)) < 2:
        return
    yield Variant("one-step-bptt", {**params, "truncate": 1}, {},
                  "∂h_t/∂W taken as its direct term only (∂h₂/∂W_h = h₁), so backpropagation stops after one step")


def _drop_direct_term(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    steps = list(time_steps(truth))
    if params.get("truncate") is not None or len(steps) < 2:
        return
    given = {}
    for t in steps[1:]:
        direct = _local(params, truth, f"h{t}", "W_h")
        given[f"dL{t}/dW_h"] = _less_product(truth[f"dL{t}/dW_h"], truth[f"dL{t}/dh{t}"], direct)
    yield Variant("drop-direct-term", params, given,
                  "∂h_t/∂W_h taken as W_h·∂h_(t−1)/∂W_h, without its direct term h_(t−1)")


def _wrong_time_step(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    for t in list(time_steps(truth))[1:]:
        earlier = truth[f"yhat{t - 1}"]
        yield Variant("wrong-time-step", params, {f"yhat{t}": earlier},
                      f"ŷ{sub(t)} given as ŷ{sub(t - 1)} = {number(_plain(earlier))}, the output one step earlier")


def _forward_drops_h0(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    h0 = params.get("h0")
    if type(h0) is int or type(h0) is float:  # a practice problem's: no array to make
        if h0 == 0:
            return
        zero: Any = 0.0
    else:
        numbers = flat(h0) if h0 is not None and not isinstance(h0, str) else None
        if numbers is None or not numbers.any():
            return
        zero = 0.0 if isinstance(h0, (int, float)) else [0.0] * numbers.size
    yield Variant("forward-drops-h0", {**params, "h0": zero}, {}, "h₁ = W_x·x₁ without the W_h·h₀ term")


def _only_first_loss(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    steps = list(time_steps(truth))
    if len(steps) < 2 or params.get("truncate") is not None:
        return
    given: dict[str, Any] = {}
    for t in steps[1:]:
        for name in ("L{t}", "dL{t}/dh{t}", "dL{t}/dW_y", "dL{t}/db_y"):
            quantity = name.format(t=t)
            given[quantity] = _zero_like(truth[quantity])
    yield Variant("only-first-loss", params, given, "L = L₁ only, leaving out the losses of later steps")


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


# -- jacobian and nll_output ----------------------------------------------------------------


def _jacobian_dense(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    if truth.get("diagonal") is True:
        rows, _, cols = str(truth["shape"]).partition("×")
        yield Variant("jacobian-dense", params, {"nonzeros": int(rows) * int(cols)},
                      f"all {int(rows) * int(cols)} entries counted, where only the diagonal is non-zero")


def _jacobian_off_diagonal(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    if truth.get("diagonal") is True:
        rows, _, cols = str(truth["shape"]).partition("×")
        count = int(rows) * int(cols) - int(truth["nonzeros"])
        yield Variant("jacobian-off-diagonal", params, {"nonzeros": count},
                      f"the {count} off-diagonal entries counted, which are exactly the zero ones")


def _named_only(params: Mapping[str, Any], truth: Solution) -> Iterator[Variant]:
    """A mistake recognised by the answers a bank lists for it, not by a variant of the solver."""
    return iter(())


# -- helpers -----------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") and getattr(value, "size", 2) == 1 else value


def _target(params: Mapping[str, Any], t: int) -> Any:
    y = params["y"]
    return y[t - 1] if isinstance(y, (list, tuple)) else y


# Each helper takes a scalar problem's floats without numpy (every practice problem's, once per
# wrong student), with the bits numpy's own operations give: its sums and matrix products add
# onto +0.0, so a lone −0.0 becomes +0.0 (tests/solvers/test_misconceptions.py checks them).


def _minus(a: Any, b: Any) -> Any:
    if type(a) is float and type(b) in (float, int):
        return a - float(b)
    import numpy as np

    return np.asarray(a, dtype=float) - np.asarray(b, dtype=float)


def _total(value: Any) -> float:
    if type(value) is float:
        return 0.0 + value
    import numpy as np

    return float(np.sum(value))


def _column_sums(J: Any, like: Any) -> Any:
    """Σ over the rows of a local Jacobian, in the shape of the quantity `like`."""
    if type(like) is float and J.shape == (1, 1):
        return 0.0 + J.item(0)
    return shaped(J.sum(axis=0), like)


def _less_product(value: Any, row: Any, J: Any) -> Any:
    """value − row·J, in value's shape (a gradient less one path's term)."""
    if type(value) is float and type(row) is float and J.shape == (1, 1):
        return value - (0.0 + row * J.item(0))
    return shaped(_minus(flat(value), (flat(row).reshape(1, -1) @ J).ravel()), value)


def _negated(value: Any) -> Any:
    return -value if type(value) is float else shaped(-flat(value), value)


def _zero_like(value: Any) -> Any:
    return value * 0.0 if type(value) is float else shaped(flat(value) * 0.0, value)


MISCONCEPTIONS: dict[str, Misconception] = {
    m.id: m
    for m in (
        Misconception("output-uses-W_h", "rnn", "The output layer uses W_y, not the recurrent weight W_h.",
                      _output_uses_W_h),
        Misconception("loss-not-squared", "rnn", "The loss is squared: L_t = (ŷ_t − y_t)², so ∂L_t/∂ŷ_t = 2(ŷ_t − y_t).",
                      _loss_not_squared),
        Misconception("loss-convention", "rnn", "Check the loss convention: (ŷ − y)² and ½(ŷ − y)² differ by a factor 2.",
                      _loss_convention, convention=True),
        # Holding h_{t−1} constant in ∂h_t/∂W (one-step-bptt) gives the same total weight gradients as
        # this (one term per loss), but not the same ∂L/∂h_k or per-loss gradients: shown work and
        # earlier answers tell the two apart, so both are named.
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
        Misconception("loss-gradient-sign", "rnn",
                      "∂L_t/∂ŷ_t = 2(ŷ_t − y_t): prediction minus target (ŷ_t − y_t for ½(ŷ − y)²), not y_t − ŷ_t.",
                      _loss_gradient_sign),
        Misconception("one-step-bptt", "rnn",
                      "BPTT goes back through every step: ∂h_t/∂W_h = h_(t−1) + W_h·∂h_(t−1)/∂W_h, so the "
                      "h₀·W_h path of ∂L₂/∂W_h counts too (stopping after one step is truncated BPTT).",
                      _one_step_bptt),
        Misconception("drop-direct-term", "rnn",
                      "h_t = W_h·h_(t−1) + … depends on W_h directly as well: ∂h_t/∂W_h = h_(t−1) + W_h·∂h_(t−1)/∂W_h.",
                      _drop_direct_term),
        Misconception("wrong-time-step", "rnn",
                      "Mind the time index: ŷ_t is the output after t steps of the recurrence, W_y·h_t.",
                      _wrong_time_step),
        Misconception("forward-drops-h0", "rnn",
                      "The first step uses the initial state too: h₁ = f(W_x·x₁ + W_h·h₀ + b_h).", _forward_drops_h0),
        Misconception("only-first-loss", "rnn", "L = Σ_t L_t: the losses of later steps count too, not just L₁.",
                      _only_first_loss),
        Misconception("jacobian-dense", "jacobian",
                      "An elementwise map has a diagonal Jacobian: output i depends only on input i.", _jacobian_dense),
        Misconception("jacobian-off-diagonal", "jacobian",
                      "The non-zero entries of a diagonal Jacobian are the n diagonal ones; the n² − n off-diagonal "
                      "entries are the zeros.", _jacobian_off_diagonal),
        Misconception("jacobian-missing-factor", "jacobian",
                      "Differentiate the whole product: ∂(o ⊙ σ(s))/∂s = diag(o ⊙ σ′(s)), σ′(s) = σ(s)(1 − σ(s)).",
                      _named_only),
        Misconception("log-derivative", "nll_output",
                      "d(−log u)/ds = −u′/u: the derivative of u over u itself, with u′ including the chain-rule "
                      "factor (V for u = O(V s + c)).", _named_only),
        Misconception("bias-convention", "param_count",
                      "Check the bias convention: one bias vector per block (NPTEL, Coursera) or two (PyTorch).",
                      _bias_convention, convention=True),
        *GATED,
    )
}
