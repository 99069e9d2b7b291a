"""The solver registry: `SOLVERS[name].solve(params, given)` -> `Solution`.

Importing this package is cheap (no numpy, no sympy): the grader loads banks and checks
quantity names on every command. A solver's module is imported on its first `solve`.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType

from solvers import names
from solvers.errors import SolverError
from solvers.solution import Solution

__all__ = ["REQUIRED", "SOLVERS", "Param", "Prepared", "Solution", "Solver", "SolverError"]


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: object = _Required()
"""Default of a parameter that must be given."""


@dataclass(frozen=True)
class Param:
    """One solver parameter: its name, what it means, and its default (or REQUIRED)."""

    name: str
    doc: str
    default: object = REQUIRED


def bind(solver: str, spec: tuple[Param, ...], params: Mapping[str, object]) -> dict[str, object]:
    """Check parameter names against `spec` and fill in defaults; the result has every name."""
    bound = {p.name: params.get(p.name, p.default) for p in spec}
    if not bound.keys() >= params.keys():  # one set test: every new problem is bound
        unknown = next(name for name in params if name not in bound)
        raise SolverError(f"unknown parameter {unknown!r} for solver {solver}; known: {', '.join(bound)}")
    missing = [name for name, value in bound.items() if value is REQUIRED]
    if missing:
        required = ", ".join(p.name for p in spec if p.default is REQUIRED)
        raise SolverError(f"solver {solver} is missing {', '.join(missing)}; required: {required}")
    return bound


@dataclass(frozen=True)
class _Quantities:
    """`Solver.quantities`: bind the parameters, then name the results (pure Python)."""

    solver: str
    spec: tuple[Param, ...]
    names: Callable[[Mapping[str, object]], tuple[str, ...]]

    def __call__(self, params: Mapping[str, object]) -> tuple[str, ...]:
        return self.names(bind(self.solver, self.spec, params))


@dataclass(frozen=True)
class Solver:
    """A registered solver; `module` holds its `solve(bound_params, given)`."""

    name: str
    summary: str
    module: str
    params: tuple[Param, ...]
    quantities: _Quantities
    example: Mapping[str, object]
    """Parameters of a small problem: `quantities(example)` names what the solver computes."""

    def bind(self, params: Mapping[str, object]) -> dict[str, object]:
        """Validate parameter names and fill in defaults."""
        return bind(self.name, self.params, params)

    def check_given(self, bound: Mapping[str, object], given: Mapping[str, object] | None) -> dict[str, object]:
        """`given` as a dict, after checking that it names only quantities of these params."""
        return _checked(self.name, self.quantities.names(bound), given)

    def prepare(self, params: Mapping[str, object]) -> Prepared:
        """Bind the parameters once, to solve under many `given` overrides (follow-through does)."""
        bound = self.bind(params)
        return Prepared(self, bound, self.quantities.names(bound))  # bound already: not bound again

    def solve(self, params: Mapping[str, object], given: Mapping[str, object] | None = None) -> Solution:
        """Compute every quantity; `given` overrides named quantities and what follows from them."""
        return self.prepare(params).solve(given)


class Prepared:
    """A solver with its parameters bound and its quantity names known."""

    __slots__ = ("solver", "bound", "known", "_known", "_solve")

    def __init__(self, solver: Solver, bound: Mapping[str, object], known: tuple[str, ...]) -> None:
        self.solver, self.bound, self.known = solver, bound, known
        self._known = frozenset(known)  # asked of every override of every solve
        self._solve: Callable[[dict[str, object]], Solution] | None = None

    def solve(self, given: Mapping[str, object] | None = None) -> Solution:
        """Compute every quantity under these overrides (see `Solver.solve`)."""
        return self._solver()(_checked(self.solver.name, self.known, given, self._known))

    def _solver(self) -> Callable[[dict[str, object]], Solution]:
        if self._solve is None:
            module = _module(self.solver.module)
            # A module with `prepare(bound)` does its override-independent work once per problem.
            self._solve = module.prepare(self.bound) if hasattr(module, "prepare") else \
                functools.partial(module.solve, self.bound)
        return self._solve


@functools.lru_cache(maxsize=None)
def _module(name: str) -> ModuleType:
    """A solver's module (imported on first use; every new problem asks for it)."""
    return importlib.import_module(name)


def _checked(solver: str, known: tuple[str, ...], given: Mapping[str, object] | None,
             members: frozenset[str] = frozenset()) -> dict[str, object]:
    """`given` as a dict, refused if it names a quantity not in `known` (`members`: the same
    names as a set, for a caller that checks many)."""
    given = dict(given or {})
    if not (members or frozenset(known)).issuperset(given):
        unknown = next(name for name in given if name not in known)
        raise SolverError(f"unknown quantity {unknown!r} in given for solver {solver}; known: {', '.join(known)}")
    return given


def _solver(
    name: str, summary: str, module: str, params: tuple[Param, ...], namer: Callable, example: Mapping[str, object]
) -> Solver:
    return Solver(name, summary, module, params, _Quantities(name, params, namer), example)


_NUMBER = "a number, a symbol name, or a list"

SOLVERS: dict[str, Solver] = {
    s.name: s
    for s in (
        _solver(
            "rnn",
            "Forward pass and BPTT of h_t = f(W_h h_{t-1} + W_x x_t + b_h), ŷ_t = g(W_y h_t + b_y)",
            "solvers.rnn",
            (
                Param("h0", f"initial hidden state, length n ({_NUMBER}); default zeros", None),
                Param("x", "inputs, one per step: scalars or m-vectors; a bare scalar is T = 1"),
                Param("y", "targets, one per step: scalars, k-vectors, or class indices for cross_entropy"),
                Param("W_h", "hidden-to-hidden weights, n×n (scalar when n = 1)"),
                Param("W_x", "input-to-hidden weights, n×m (scalar when n = m = 1)"),
                Param("W_y", "hidden-to-output weights, k×n (scalar when k = n = 1)"),
                Param("b_h", "hidden bias, length n; default zeros", None),
                Param("b_y", "output bias, length k; default zeros", None),
                Param("activation", "f: identity | tanh | sigmoid | relu (relu′(0) = 0)", "identity"),
                Param("output", "g: identity | sigmoid | softmax", "identity"),
                Param("loss", "squared Σ(ŷ−y)² | half_squared ½Σ(ŷ−y)² | cross_entropy −Σ y log ŷ", "squared"),
                Param("truncate", "k ≥ 1: in ∂L_t/∂θ hold h_{t−k} constant (truncated BPTT); default off", None),
            ),
            names.rnn,
            {"h0": 1, "x": [10, 10], "y": [5, 5], "W_h": 1, "W_x": 0.1, "W_y": 2},
        ),
        _solver(
            "gru",
            "GRU forward pass and BPTT: gates Γ_u, Γ_r on (h_(t−1), x_t), candidate c̃_t, h_t, ŷ_t = g(W_y h_t + b_y)",
            "solvers.gru",
            (
                Param("h0", f"initial hidden state, length n ({_NUMBER}); default zeros", None),
                Param("x", "inputs, one per step: scalars or m-vectors; a bare scalar is T = 1"),
                Param("y", "targets, one per step, as for rnn"),
                Param("W_u", "update-gate weights on [h_(t−1); x_t], n×(n+m) ([w_h, w_x] when n = m = 1)"),
                Param("W_r", "reset-gate weights on [h_(t−1); x_t], n×(n+m)"),
                Param("W_c", "candidate weights on [h_(t−1); x_t], n×(n+m)"),
                Param("b_u", "update-gate bias, length n; default zeros", None),
                Param("b_r", "reset-gate bias, length n; default zeros", None),
                Param("b_c", "candidate bias, length n; default zeros", None),
                Param("W_y", "hidden-to-output weights, k×n (scalar when k = n = 1)"),
                Param("b_y", "output bias, length k; default zeros", None),
                Param("output", "g: identity | sigmoid | softmax", "identity"),
                Param("loss", "squared Σ(ŷ−y)² | half_squared ½Σ(ŷ−y)² | cross_entropy −Σ y log ŷ", "squared"),
                Param("reset", "before: c̃ = tanh(W_c[r⊙h; x] + b) (Cho, Coursera) | "
                      "after: tanh(r⊙(W_ch h) + W_cx x + b) (PyTorch)", "before"),
                Param("update", "candidate: h = u⊙c̃ + (1−u)⊙h_(t−1) (Coursera) | "
                      "state: h = (1−u)⊙c̃ + u⊙h_(t−1) (PyTorch)", "candidate"),
            ),
            names.gru,
            {"h0": 0.5, "x": [1, -1], "y": [0.2, 0.4], "W_u": [0.5, -0.3], "W_r": [0.2, 0.1], "W_c": [1.0, 0.7],
             "W_y": 1.5},
        ),
        _solver(
            "lstm",
            "LSTM forward pass and BPTT: gates f, i, o on (h_(t−1), x_t), c_t = f⊙c_(t−1) + i⊙c̃_t, h_t = o⊙φ(c_t)",
            "solvers.lstm",
            (
                Param("h0", f"initial hidden state, length n ({_NUMBER}); default zeros", None),
                Param("c0", "initial cell state, length n; default zeros", None),
                Param("x", "inputs, one per step: scalars or m-vectors; a bare scalar is T = 1"),
                Param("y", "targets, one per step, as for rnn"),
                Param("W_f", "forget-gate weights on [h_(t−1); x_t], n×(n+m) ([w_h, w_x] when n = m = 1)"),
                Param("W_i", "input-gate weights on [h_(t−1); x_t], n×(n+m)"),
                Param("W_o", "output-gate weights on [h_(t−1); x_t], n×(n+m)"),
                Param("W_c", "candidate weights on [h_(t−1); x_t], n×(n+m)"),
                Param("b_f", "forget-gate bias, length n; default zeros", None),
                Param("b_i", "input-gate bias, length n; default zeros", None),
                Param("b_o", "output-gate bias, length n; default zeros", None),
                Param("b_c", "candidate bias, length n; default zeros", None),
                Param("W_y", "hidden-to-output weights, k×n (scalar when k = n = 1)"),
                Param("b_y", "output bias, length k; default zeros", None),
                Param("output", "g: identity | sigmoid | softmax", "identity"),
                Param("loss", "squared Σ(ŷ−y)² | half_squared ½Σ(ŷ−y)² | cross_entropy −Σ y log ŷ", "squared"),
                Param("cell_activation", "φ in h_t = o_t⊙φ(c_t): tanh | sigmoid (NPTEL) | identity", "tanh"),
            ),
            names.lstm,
            {"h0": 0.5, "c0": 0.2, "x": [1, -1], "y": [0.2, 0.4], "W_f": [0.5, -0.3], "W_i": [0.2, 0.1],
             "W_o": [0.3, 0.4], "W_c": [1.0, 0.7], "W_y": 1.5},
        ),
        _solver(
            "param_count",
            "Number of parameters of an RNN, GRU or LSTM layer under an explicit bias convention",
            "solvers.params",
            (
                Param("cell", "rnn | gru | lstm"),
                Param("n", "hidden units (an integer or a symbol name)"),
                Param("m", "input size (an integer or a symbol name)"),
                Param("biases", "bias vectors per block: 1 (NPTEL, Coursera) or 2 (PyTorch, Keras reset_after)", 1),
                Param("output", "size k of an output layer W_y, b_y to include; 0 = none", 0),
            ),
            names.param_count,
            {"cell": "gru", "n": "n", "m": "m"},
        ),
        _solver(
            "jacobian",
            "Symbolic Jacobian of a gate equation and its structure (diagonal? non-zeros?)",
            "solvers.jacobian",
            (
                Param("equation", "one of " + " | ".join(names.JACOBIAN_EQUATIONS)),
                Param("n", "vector size, an integer 1..12"),
                Param("at", "numbers for the vectors, e.g. {o: [0.5, 0.2], s: [1, -2]}: J evaluated there", None),
            ),
            names.jacobian,
            {"equation": "lstm_output", "n": 2},
        ),
        _solver(
            "gradflow",
            "Vanishing / exploding gradient analysis of h_t = f(W_hh h_{t−1} + W_xh x_t + b), with clipping",
            "solvers.gradflow",
            (
                Param("W_hh", "recurrent weights, a scalar or n×n"),
                Param("activation", "identity | tanh | sigmoid | relu", "tanh"),
                Param("W_xh", "input weights, scalar or n×m; default 0", None),
                Param("x", "input sequence (defines T); or give T for zero inputs", None),
                Param("T", "number of steps when x is not given", None),
                Param("h0", "initial state; default zeros", None),
                Param("b", "bias; default zeros", None),
                Param("clip_norm", "threshold for clipping the gradient by its norm", None),
                Param("clip_value", "threshold for clipping each gradient entry", None),
                Param("grad", "gradient to clip; default ∂(Σᵢ h_T,i)/∂h_0", None),
            ),
            names.gradflow,
            {"W_hh": 0.9, "T": 5, "clip_norm": 1, "clip_value": 0.5},
        ),
        _solver(
            "nll_output",
            "NPTEL RNN s_t = σ(U x_t + W s_{t−1} + b), y_t = O(V s_t + c), L_t = −log y_t: ∂L_t/∂s_t, ∂L/∂V, ∂L/∂c",
            "solvers.derivations",
            (Param("T", "number of time steps", 4),),
            names.nll_output,
            {},
        ),
    )
}
