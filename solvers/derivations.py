"""The `nll_output` solver: gradients of the NPTEL RNN with an unspecified output function O.

    s_t = σ(U x_t + W s_(t−1) + b),   y_t = O(V s_t + c),   L_t = −log y_t,   L = Σ_t L_t

in its scalar form, where y_t stands for the predicted probability of the true class and O
is an undefined sympy Function('O'). Everything is derived with sympy.diff, so O′ appears
as sympy writes it, e.g. for t = 4::

    dL4/ds4 = -V*Subs(Derivative(O(_xi_1), _xi_1), _xi_1, V*s_4 + c)/O(V*s_4 + c)

that is −V·O′(V s_4 + c)/O(V s_4 + c). dL{t}/ds{t} is the direct partial derivative (L_t's
dependence on s_t through y_t only); dL/dV and dL/dc treat the states s_t as given.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy

from solvers import names
from solvers.checks import integer
from solvers.format import number, sub
from solvers.names import MAX_T
from solvers.solution import Solution
from solvers.values import array

OUTPUT = sympy.Function("O")
V, c = sympy.symbols("V c")


def state(t: int) -> sympy.Symbol:
    """The symbol s_t."""
    return sympy.Symbol(f"s_{t}")


def loss(t: int) -> sympy.Expr:
    """L_t = −log O(V s_t + c)."""
    return -sympy.log(OUTPUT(V * state(t) + c))


def solve(params: Mapping[str, object], given: Mapping[str, object]) -> Solution:
    """∂L_t/∂s_t for t = 1..T, ∂L/∂V and ∂L/∂c; a given value replaces its quantity."""
    T = integer("T", params["T"], 1, MAX_T)
    total = sum(loss(t) for t in range(1, T + 1))
    found: dict[str, object] = {f"dL{t}/ds{t}": sympy.diff(loss(t), state(t)) for t in range(1, T + 1)}
    found["dL/dV"] = sympy.diff(total, V)
    found["dL/dc"] = sympy.diff(total, c)
    found.update({name: array(f"given {name}", v, exact=True)[()] for name, v in given.items()})
    steps = (
        "s_t = σ(U x_t + W s_(t−1) + b), y_t = O(V s_t + c), L_t = −log y_t, L = Σ_t L_t",
        f"∂L_t/∂s_t = ∂L_t/∂y_t·∂y_t/∂s_t = −1/O(V s_t + c) · O′(V s_t + c)·V, e.g. ∂L{sub(T)}/∂s{sub(T)} = "
        f"−V·O′(V s_{T} + c)/O(V s_{T} + c)",
        "V enters every L_t directly, so ∂L/∂V = Σ_t ∂L_t/∂y_t·∂y_t/∂V = Σ_t −s_t·O′(V s_t + c)/O(V s_t + c)",
        "∂L/∂c = Σ_t −O′(V s_t + c)/O(V s_t + c)",
        f"with T = {number(T)}: "
        + " + ".join(f"(−s_{t}·O′(V s_{t} + c)/O(V s_{t} + c))" for t in range(1, min(T, 3) + 1))
        + (" + …" if T > 3 else ""),
    )
    notes = ("O′ is written by sympy as Subs(Derivative(O(_xi_1), _xi_1), _xi_1, V*s_t + c).",)
    return Solution.ordered(names.nll_output(params), found, steps, notes)
