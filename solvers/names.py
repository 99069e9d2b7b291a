"""The names of the quantities each solver returns, computed from its (bound) parameters.

Pure Python: the grader validates bank quantity names without importing numpy or sympy,
and the solvers order their results by these same functions.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from solvers.checks import integer, sequence_length
from solvers.errors import SolverError

RNN_PARAMS = ("W_h", "W_x", "W_y", "b_h", "b_y")
HIDDEN_PARAMS = ("W_h", "W_x", "b_h")
JACOBIAN_EQUATIONS = (
    "lstm_output",
    "lstm_output_o",
    "lstm_cell",
    "gru_state",
    "gru_state_z",
    "gru_state_prev",
    "rnn_state",
)
MAX_T = 200


def rnn(params: Mapping[str, object]) -> tuple[str, ...]:
    """Forward values, losses, total and per-loss gradients; no dL/dh* under truncation."""
    return _rnn(sequence_length("x", params["x"]), params["truncate"] is not None)


@functools.lru_cache(maxsize=64)
def _rnn(T: int, truncated: bool) -> tuple[str, ...]:
    # every problem of one length is named alike, and grading names thousands of problems
    names = [f"h{t}" for t in range(1, T + 1)]
    names += [f"yhat{t}" for t in range(1, T + 1)]
    names += [f"L{t}" for t in range(1, T + 1)]
    names.append("L")
    if not truncated:
        names += [f"dL/dh{k}" for k in range(T + 1)]
    names += [f"dL/d{p}" for p in RNN_PARAMS]
    if not truncated:
        names += [f"dL{t}/dh{k}" for t in range(1, T + 1) for k in range(t + 1)]
    names += [f"dL{t}/d{p}" for t in range(1, T + 1) for p in RNN_PARAMS]
    return tuple(names)


GRU_PARAMS = ("W_u", "W_r", "W_c", "b_u", "b_r", "b_c", "W_y", "b_y")
LSTM_PARAMS = ("W_f", "W_i", "W_o", "W_c", "b_f", "b_i", "b_o", "b_c", "W_y", "b_y")
GRU_CONVENTIONS = {"reset": ("before", "after"), "update": ("candidate", "state")}
CELL_ACTIVATIONS = ("tanh", "sigmoid", "identity")


def _gated(params: Mapping[str, object], forward: tuple[str, ...], states: str, grads: tuple[str, ...]) -> tuple[str, ...]:
    T = sequence_length("x", params["x"])
    names = [f"{q}{t}" for q in (*forward, "yhat", "L") for t in range(1, T + 1)]
    names.append("L")
    names += [f"dL/d{s}{k}" for s in states for k in range(T + 1)]
    names += [f"dL/d{p}" for p in grads]
    return tuple(names)


def gru(params: Mapping[str, object]) -> tuple[str, ...]:
    """Gates, candidates and states per step, outputs and losses, dL/dh_k, parameter gradients, ∂h_T/∂h_0."""
    names = _gated(params, ("u", "r", "ctilde", "h"), "h", GRU_PARAMS)
    return (*names, f"dh{sequence_length('x', params['x'])}/dh0")


def lstm(params: Mapping[str, object]) -> tuple[str, ...]:
    """Gates, candidates, cells and states per step, outputs and losses, dL/dh_k, dL/dc_k, parameter gradients."""
    return _gated(params, ("f", "i", "o", "ctilde", "c", "h"), "hc", LSTM_PARAMS)


def param_count(params: Mapping[str, object]) -> tuple[str, ...]:
    """Parameter counts of an RNN/GRU/LSTM layer."""
    return (
        "total",
        "per_block",
        "blocks",
        "gate_size",
        "weights_hidden",
        "weights_input",
        "bias_count",
        "output_params",
    )


def jacobian(params: Mapping[str, object]) -> tuple[str, ...]:
    """A gate equation's Jacobian and its structure."""
    return ("J", "type", "shape", "diagonal", "nonzeros")


def gradflow_length(params: Mapping[str, object]) -> int:
    """T for gradflow: the length of `x`, or `T` when no inputs are given."""
    x, T = params["x"], params["T"]
    if x is None:
        if T is None:
            raise SolverError("give x (the input sequence) or T (that many zero inputs)")
        return integer("T", T, 1, MAX_T)
    length = sequence_length("x", x)
    if T is not None and integer("T", T, 1, MAX_T) != length:
        raise SolverError(f"T = {T} disagrees with x, which has {length} steps; give one of them")
    return length


def gradflow(params: Mapping[str, object]) -> tuple[str, ...]:
    """Gradient-flow analysis; the clipping quantities only when a clip threshold is given."""
    gradflow_length(params)
    names = [
        "norms",
        "norm_h0",
        "log10_norms",
        "per_step_factor",
        "spectral_radius",
        "norm_W",
        "max_act_derivative",
        "bound_per_step",
        "classification",
        "reason",
    ]
    clip_norm, clip_value = params["clip_norm"] is not None, params["clip_value"] is not None
    if clip_norm or clip_value:
        names += ["grad", "grad_norm"]
    if clip_norm:
        names.append("clipped_by_norm")
    if clip_value:
        names += ["clipped_by_value", "direction_change_by_value"]
    return tuple(names)


def nll_output(params: Mapping[str, object]) -> tuple[str, ...]:
    """∂L_t/∂s_t for each t, then ∂L/∂V and ∂L/∂c."""
    T = integer("T", params["T"], 1, MAX_T)
    return (*(f"dL{t}/ds{t}" for t in range(1, T + 1)), "dL/dV", "dL/dc")
