"""The `jacobian` solver: symbolic Jacobians of gate equations and their structure.

Each equation maps n-vectors to an n-vector, so its Jacobian with respect to a vector is an
n×n matrix (numerator layout: J[i, j] = ∂out_i/∂in_j). Elementwise (⊙) equations give
diagonal Jacobians; a full weight matrix gives a full one. Symbols: s_i, o_i, z_i, f_i,
sprev_i (s_(t−1)), stilde_i (s̃_t), cprev_i (c_(t−1)), i_i, ctilde_i, h_j (h_(t−1)), W_i_j,
and u_i for the input term (U x_t + b)_i. σ(s) is written 1/(1 + exp(−s)).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sympy

from solvers import names
from solvers.checks import choice, integer
from solvers.errors import SolverError
from solvers.format import value
from solvers.solution import Solution
from solvers.values import array

MAX_N = 12
SIGMOID_NOTE = (
    "σ′(s) = σ(s)(1 − σ(s)) is exactly 0.0 in float64 once σ(s) rounds to 1 (s ≳ 37) or to 0 "
    "(exp(−s) overflows for s < −709), and even exp(−s)/(1 + exp(−s))² underflows to 0 for "
    "s > 745: a numerically computed diagonal can have fewer non-zeros than the exact n."
)
TANH_NOTE = (
    "tanh′(a) = 1 − tanh²(a) is exactly 0.0 in float64 once tanh(a) rounds to ±1 (|a| ≳ 19): "
    "numerically computed entries can vanish although they are non-zero exactly."
)


def _vector(name: str, n: int) -> sympy.Matrix:
    return sympy.Matrix([sympy.Symbol(f"{name}_{i}") for i in range(1, n + 1)])


def _sigmoid(e: sympy.Expr) -> sympy.Expr:
    return 1 / (1 + sympy.exp(-e))


def _lstm_output(n: int) -> tuple[sympy.Matrix, sympy.Matrix]:
    o, s = _vector("o", n), _vector("s", n)
    return o.multiply_elementwise(s.applyfunc(_sigmoid)), s


def _lstm_output_o(n: int) -> tuple[sympy.Matrix, sympy.Matrix]:
    o, s = _vector("o", n), _vector("s", n)
    return o.multiply_elementwise(s.applyfunc(_sigmoid)), o


def _gru(n: int) -> tuple[sympy.Matrix, sympy.Matrix, sympy.Matrix, sympy.Matrix]:
    z, prev, tilde = _vector("z", n), _vector("sprev", n), _vector("stilde", n)
    out = z.applyfunc(lambda e: 1 - e).multiply_elementwise(prev) + z.multiply_elementwise(tilde)
    return out, z, prev, tilde


def _lstm_cell(n: int) -> tuple[sympy.Matrix, sympy.Matrix]:
    f, prev, i, tilde = _vector("f", n), _vector("cprev", n), _vector("i", n), _vector("ctilde", n)
    return f.multiply_elementwise(prev) + i.multiply_elementwise(tilde), prev


def _rnn_state(n: int) -> tuple[sympy.Matrix, sympy.Matrix]:
    W = sympy.Matrix(n, n, lambda i, j: sympy.Symbol(f"W_{i + 1}_{j + 1}"))
    h, u = _vector("h", n), _vector("u", n)
    return (W * h + u).applyfunc(sympy.tanh), h


@dataclass(frozen=True)
class Equation:
    """A documented gate equation: its text, the variable differentiated by, and its builder."""

    text: str
    wrt: str
    build: Callable[[int], tuple[sympy.Matrix, sympy.Matrix]]
    note: str | None


EQUATIONS: dict[str, Equation] = {
    "lstm_output": Equation("h_t = o_t ⊙ σ(s_t)", "s_t", _lstm_output, SIGMOID_NOTE),
    "lstm_output_o": Equation("h_t = o_t ⊙ σ(s_t)", "o_t", _lstm_output_o, None),
    "lstm_cell": Equation("c_t = f_t ⊙ c_(t−1) + i_t ⊙ c̃_t", "c_(t−1)", _lstm_cell, None),
    "gru_state": Equation("s_t = (1 − z_t) ⊙ s_(t−1) + z_t ⊙ s̃_t", "s̃_t", lambda n: _pick(_gru(n), 3), None),
    "gru_state_z": Equation("s_t = (1 − z_t) ⊙ s_(t−1) + z_t ⊙ s̃_t", "z_t", lambda n: _pick(_gru(n), 1), None),
    "gru_state_prev": Equation("s_t = (1 − z_t) ⊙ s_(t−1) + z_t ⊙ s̃_t", "s_(t−1)", lambda n: _pick(_gru(n), 2), None),
    "rnn_state": Equation("h_t = tanh(W h_(t−1) + U x_t + b)", "h_(t−1)", _rnn_state, TANH_NOTE),
}


def _pick(parts: tuple[sympy.Matrix, ...], index: int) -> tuple[sympy.Matrix, sympy.Matrix]:
    return parts[0], parts[index]


def structure(J: sympy.MatrixBase) -> dict[str, object]:
    """type, shape, diagonal and nonzeros of a Jacobian (entries that are not exactly zero)."""
    rows, cols = J.shape
    nonzero = [(i, j) for i in range(rows) for j in range(cols) if J[i, j] != 0]
    return {
        "type": "matrix",
        "shape": f"{rows}×{cols}",
        "diagonal": rows == cols and all(i == j for i, j in nonzero),
        "nonzeros": len(nonzero),
    }


def _evaluated(J: sympy.ImmutableMatrix, at: object, n: int, symbols: set) -> sympy.ImmutableMatrix:
    """J with the vectors named in `at` ({o: [0.5, 0.2], s: [1, -2]}) substituted, as float entries."""
    stems = sorted({str(s).rsplit("_", 1)[0] for s in symbols})
    if not isinstance(at, Mapping):
        raise SolverError(f"at must map vector names to lists of {n} numbers, e.g. {{{stems[0]}: [...]}}, got {at!r}")
    replace = {}
    for name, vector in at.items():
        if name not in stems:
            raise SolverError(f"at names an unknown vector {name!r}; this equation has {', '.join(stems)}")
        entries = array(f"at.{name}", vector, exact=True).reshape(-1)
        if len(entries) != n or any(getattr(e, "free_symbols", None) for e in entries):
            raise SolverError(f"at.{name} must be a list of n = {n} numbers, got {vector!r}")
        replace |= {sympy.Symbol(f"{name}_{i + 1}"): e for i, e in enumerate(entries)}
    return sympy.ImmutableMatrix(J.xreplace(replace).evalf())


def solve(params: Mapping[str, object], given: Mapping[str, object]) -> Solution:
    """J and its structure for bound params; a given J (e.g. a student's) is analysed instead."""
    return prepare(params)(given)


def prepare(params: Mapping[str, object]) -> Callable[[Mapping[str, object]], Solution]:
    """`solve` for one problem under many overrides: the symbolic Jacobian and its structure do
    not depend on them, so they are worked out once (sympy takes milliseconds over them)."""
    eq = EQUATIONS[choice("equation", params["equation"], names.JACOBIAN_EQUATIONS)]
    n = integer("n", params["n"], 1, MAX_N)
    out, wrt = eq.build(n)
    computed = sympy.ImmutableMatrix(out.jacobian(wrt))
    if params.get("at") is not None:
        computed = _evaluated(computed, params["at"], n, out.free_symbols | wrt.free_symbols)
    computed_structure = structure(computed)
    order = names.jacobian(params)
    notes = (eq.note,) if eq.note else ()

    def solve_given(given: Mapping[str, object]) -> Solution:
        J, shape = computed, computed_structure
        if "J" in given:
            J = sympy.ImmutableMatrix(array("given J", given["J"], exact=True).tolist())
            if J.cols == 1 and J.rows != 1:
                raise SolverError(f"given J must be a matrix (a list of rows), got a vector of length {J.rows}")
            shape = structure(J)
        found = {**shape, **{k: v for k, v in given.items() if k != "J"}}

        def steps() -> tuple[str, ...]:  # written when read: grading never reads them, and J's entries are slow to show
            lines = [
                f"{eq.text}, differentiated with respect to {eq.wrt}, with n = {n}",
                f"J[i, j] = ∂(output)_i/∂({eq.wrt})_j: a vector by a vector gives a {found['shape']} matrix",
                f"diagonal: {'yes' if found['diagonal'] else 'no'}; structurally non-zero entries: {found['nonzeros']}",
            ]
            if found["diagonal"]:
                lines.append(f"diag(J) = {value([J[i, i] for i in range(min(J.shape))])}")
            return tuple(lines)

        return Solution.ordered(order, {"J": J, **found}, steps, notes)

    return solve_given
