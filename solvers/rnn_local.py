"""Direct edges of the unrolled RNN graph: the local Jacobian of one node with respect to
another, as chain-rule options in the banks name them (`∂h_t/∂h_{t−1}`, `∂ŷ_t/∂h_t`, …)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping

import numpy as np

from solvers import SOLVERS
from solvers.backend import output_jacobian
from solvers.errors import SolverError
from solvers.names import RNN_PARAMS
from solvers.rnn import evaluate, given_values, prepare
from solvers.rnn_model import Model, Trace

_NODE = re.compile(r"(L|yhat|h|x)(\d+)")


def _sizes(m: Model) -> dict[str, int]:
    """How many entries each node kind and parameter has."""
    n, m_, k = m.n, m.m, m.k
    return {"W_h": n * n, "W_x": n * m_, "W_y": k * n, "b_h": n, "b_y": k, "L": 1, "yhat": k, "h": n, "x": m_}


def _node(m: Model, sizes: Mapping[str, int], text: str) -> tuple[str, int, int]:
    """(kind, step, size) of a node of the unrolled graph; parameters have step 0."""
    if text in RNN_PARAMS:
        return text, 0, sizes[text]
    match = _NODE.fullmatch(text)
    if not match:
        known = f"L{{t}}, yhat{{t}}, h{{t}}, x{{t}} and {', '.join(RNN_PARAMS)}"
        raise SolverError(f"unknown node {text!r}; nodes are {known}")
    kind, t = match[1], int(match[2])
    if t > m.T:
        raise SolverError(f"node {text} is past the last step T = {m.T}")
    return kind, t, sizes[kind]


def local_derivative(
    params: Mapping[str, object], of: str, wrt: str, given: Mapping[str, object] | None = None
) -> np.ndarray:
    """Jacobian of node `of` with respect to node `wrt` along their direct edge only.

    The unrolled graph has nodes L{t}, yhat{t}, h{t}, x{t} (t = 1..T; h0 is a constant
    leaf) and the parameters W_h, W_x, W_y, b_h, b_y. Edges: L_t <- ŷ_t; ŷ_t <- h_t, W_y,
    b_y; h_t <- h_{t−1}, x_t, W_h, W_x, b_h. The result is in numerator layout, shape
    (size of `of`, size of `wrt`) with L_t of size 1 and matrix parameters flattened
    row-major; it is zero when there is no direct edge and for nodes at step 0 other
    than h0 (L0, yhat0 and x0 do not exist, h0 depends on nothing). Values are taken at the
    forward pass of `params` (with `given` overrides, as in `solve`): float64, or sympy
    objects in an object array for a symbolic problem.
    """
    return local_derivatives(params, ((of, wrt),), given)[0]


def local_derivatives(
    params: Mapping[str, object], edges: Iterable[tuple[str, str]], given: Mapping[str, object] | None = None
) -> list[np.ndarray]:
    """`local_derivative` of each (of, wrt) pair, from one forward pass: a misconception
    asks for several edges of the same problem."""
    solver = SOLVERS["rnn"]
    bound = solver.bind(params)
    given = solver.check_given(bound, given)
    problem = prepare(bound)
    edges = tuple(edges)
    # On floats when every quantity is a scalar: each edge is then one product, the bits the
    # 1×1 arrays hold (see backend.Scalar), put in a 1×1 array at the end; by the function
    # compiled for the problem's shape where it can be (a misconception asks of every draw).
    found = problem.compiled_run(_reader(edges), given)
    if found is None:
        m = problem.model_for(given)
        found = _read(edges, m, given_values(m, given))
    return [_as_matrix(value) for value in found]


@functools.lru_cache(maxsize=256)
def _reader(edges: tuple[tuple[str, str], ...]) -> Callable[[Model, Mapping[str, object]], list[object]]:
    """`_read` of these edges, one function for every problem (a compiled function is kept per
    function and shape)."""
    return functools.partial(_read, edges)


def _read(edges: tuple[tuple[str, str], ...], m: Model, given: Mapping[str, object]) -> list[object]:
    """Each edge's local Jacobian at the forward pass of `m` under (converted) `given`."""
    trace = evaluate(m, given)
    sizes = _sizes(m)
    return [_edge(m, sizes, trace, of, wrt) for of, wrt in edges]


def _as_matrix(value: np.ndarray | float) -> np.ndarray:
    return np.array([[value]]) if isinstance(value, float) else value


def _edge(m: Model, sizes: Mapping[str, int], trace: Trace, of: str, wrt: str) -> np.ndarray | float:
    (of_kind, t, rows), (wrt_kind, s, cols) = _node(m, sizes, of), _node(m, sizes, wrt)
    back = m.back
    if of_kind == "L" and t >= 1 and (wrt_kind, s) == ("yhat", t):
        return back.row(trace.dL_dyhat[t])
    if of_kind == "yhat" and t >= 1:
        G = output_jacobian(back, m.output, trace.a[t])
        if (wrt_kind, s) == ("h", t):
            return back.matmul(G, m.W_y)
        if wrt_kind == "W_y":
            return back.kron_row(G, trace.h[t])
        if wrt_kind == "b_y":
            return G
    if of_kind == "h" and t >= 1:
        D = back.diag(trace.fprime[t])
        edges = {
            ("h", t - 1): lambda: back.matmul(D, m.W_h),
            ("x", t): lambda: back.matmul(D, m.W_x),
            ("W_h", 0): lambda: back.kron_row(D, trace.h[t - 1]),
            ("W_x", 0): lambda: back.kron_row(D, m.xs[t]),
            ("b_h", 0): lambda: D,
        }
        if (wrt_kind, s) in edges:
            return edges[wrt_kind, s]()
    return back.zeros((rows, cols))
