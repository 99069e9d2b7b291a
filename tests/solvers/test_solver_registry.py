"""The registry: cheap to import, parameter and name checks, results keyed by `quantities`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from solvers import REQUIRED, SOLVERS, Param, Solution, SolverError

ROOT = Path(__file__).resolve().parents[2]

SAMPLE_PARAMS = [
    ("rnn", {"h0": 1, "x": [10, 10], "y": [5, 5], "W_h": 1, "W_x": 0.1, "W_y": 2}),
    (
        "rnn",
        {
            "x": [[1, 0], [0, 1], [1, 1]],
            "y": [0, 1, 1],
            "W_h": [[0.5, 0], [0, 0.5]],
            "W_x": [[1, 0], [0, 1]],
            "W_y": [[1, -1], [-1, 1]],
            "activation": "tanh",
            "output": "softmax",
            "loss": "cross_entropy",
        },
    ),
    ("rnn", {"x": [1, 2, 3], "y": [0, 0, 0], "W_h": 0.5, "W_x": 1, "W_y": 1, "truncate": 2}),
    ("param_count", {"cell": "gru", "n": "n", "m": "m"}),
    ("param_count", {"cell": "lstm", "n": 100, "m": 10000, "biases": 2, "output": 10}),
    ("jacobian", {"equation": "lstm_output", "n": 4}),
    ("jacobian", {"equation": "rnn_state", "n": 2}),
    ("gradflow", {"W_hh": 0.9, "T": 5}),
    ("gradflow", {"W_hh": [[1.2, 0], [0.1, 0.8]], "x": [1, 2, 3], "W_xh": [[1], [1]], "clip_norm": 1}),
    ("gradflow", {"W_hh": 2, "T": 3, "clip_value": 0.5, "grad": [3, -0.2]}),
    ("nll_output", {}),
    ("nll_output", {"T": 2}),
    ("gru", {"h0": 0.5, "x": [1, -1], "y": [0.2, 0.4], "W_u": [0.5, -0.3], "W_r": [0.2, 0.1], "W_c": [1.0, 0.7],
             "W_y": 1.5}),
    ("lstm", {"h0": [0.1, 0.2], "x": [[1.0], [0.5]], "y": [0, 1], "W_f": [[0.1, 0.2, 0.3], [0, -0.1, 0.2]],
              "W_i": [[0.1, 0.2, 0.3], [0, -0.1, 0.2]], "W_o": [[0.1, 0.2, 0.3], [0, -0.1, 0.2]],
              "W_c": [[0.1, 0.2, 0.3], [0, -0.1, 0.2]], "W_y": [[1, 0.5], [-0.5, 1]], "output": "softmax",
              "loss": "cross_entropy", "cell_activation": "sigmoid"}),
]


def test_every_solver_names_its_quantities_from_its_example_without_numpy():
    code = (
        "import sys, solvers\n"
        "print(all(s.quantities(s.example) for s in solvers.SOLVERS.values()))\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'sympy'}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "[]"]
    for solver in SOLVERS.values():
        assert tuple(solver.solve(solver.example)) == solver.quantities(solver.example)


def test_importing_the_registry_loads_neither_numpy_nor_sympy():
    code = (
        "import sys, solvers\n"
        "solvers.SOLVERS['rnn'].quantities({'x': [1, 2], 'y': [1, 2], 'W_h': 1, 'W_x': 1, 'W_y': 1})\n"
        "solvers.SOLVERS['gradflow'].quantities({'W_hh': 1, 'T': 3, 'clip_norm': 1})\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'sympy'}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("solver,params", SAMPLE_PARAMS)
def test_solution_keys_are_the_announced_quantities(solver, params):
    s = SOLVERS[solver]
    solution = s.solve(params)
    assert isinstance(solution, Solution)
    assert tuple(solution.keys()) == s.quantities(params)
    assert solution.steps and all(isinstance(line, str) and "\n" not in line for line in solution.steps)


def test_every_solver_documents_its_parameters():
    for name, solver in SOLVERS.items():
        assert solver.name == name and solver.summary
        assert solver.module.startswith("solvers.")
        assert all(isinstance(p, Param) and p.doc for p in solver.params)


@pytest.mark.parametrize(
    "solver,params,message",
    [
        (
            "rnn",
            {"x": [1], "y": [1], "W_h": 1, "W_x": 1, "W_y": 1, "sigma": 1},
            "unknown parameter 'sigma' for solver rnn; known: h0, x, y, W_h, W_x, W_y, b_h, b_y, activation",
        ),
        ("param_count", {"cell": "gru", "n": 2}, "solver param_count is missing m; required: cell, n, m"),
        ("jacobian", {"n": 2}, "solver jacobian is missing equation; required: equation, n"),
        ("nll_output", {"t": 3}, "unknown parameter 't' for solver nll_output; known: T"),
    ],
)
def test_parameter_names_are_checked(solver, params, message):
    with pytest.raises(SolverError) as err:
        SOLVERS[solver].solve(params)
    assert message in str(err.value)
    with pytest.raises(SolverError):
        SOLVERS[solver].quantities(params)


@pytest.mark.parametrize(
    "solver,params,given",
    [
        ("param_count", {"cell": "rnn", "n": 1, "m": 1}, {"sum": 3}),
        ("jacobian", {"equation": "gru_state", "n": 2}, {"J2": 1}),
        ("nll_output", {"T": 2}, {"dL3/ds3": 1}),
        ("gradflow", {"W_hh": 1, "T": 2}, {"clipped_by_norm": 1}),
    ],
)
def test_unknown_given_names_are_rejected(solver, params, given):
    name = next(iter(given))
    with pytest.raises(SolverError, match=f"unknown quantity '{name}' in given for solver {solver}; known: "):
        SOLVERS[solver].solve(params, given=given)


def test_defaults_are_filled_in():
    bound = SOLVERS["rnn"].bind({"x": 1, "y": 1, "W_h": 1, "W_x": 1, "W_y": 1})
    assert bound["activation"] == "identity" and bound["loss"] == "squared" and bound["truncate"] is None
    assert [p.name for p in SOLVERS["rnn"].params if p.default is REQUIRED] == ["x", "y", "W_h", "W_x", "W_y"]


def test_solution_is_an_ordered_read_only_mapping():
    solution = Solution({"b": 1, "a": 2}, steps=("b = 1",), notes=("n",))
    assert list(solution) == ["b", "a"] and len(solution) == 2 and solution["a"] == 2
    with pytest.raises(TypeError):
        solution["a"] = 3  # type: ignore[index]
    with pytest.raises(AttributeError):
        solution.steps = ()  # type: ignore[misc]
    assert Solution.ordered(("a", "b"), {"b": 1, "a": 2}).keys() == {"a": 0, "b": 0}.keys()
    with pytest.raises(RuntimeError, match="missing"):
        Solution.ordered(("a", "c"), {"a": 1})


def test_solution_lookups_and_views_are_the_mappings():
    """Solution answers get, in and its views from its dict; they must say what Mapping's do."""
    from collections.abc import Mapping

    solution = Solution({"b": 1, "a": 2.5, "c": None})
    for name in ("a", "b", "c", "z"):
        assert solution.get(name) == Mapping.get(solution, name)
        assert solution.get(name, "none") == Mapping.get(solution, name, "none")
        assert (name in solution) == Mapping.__contains__(solution, name)
    assert list(solution.items()) == list(Mapping.items(solution)) == [("b", 1), ("a", 2.5), ("c", None)]
    assert list(solution.keys()) == list(Mapping.keys(solution)) and list(solution.values()) == [1, 2.5, None]
    assert solution == {"a": 2.5, "b": 1, "c": None} and dict(solution) == {"b": 1, "a": 2.5, "c": None}
    with pytest.raises(TypeError):
        [] in solution  # an unhashable name is an error, as Mapping's lookup makes it


@pytest.mark.parametrize("solver, params", SAMPLE_PARAMS[:3] + SAMPLE_PARAMS[8:9] + SAMPLE_PARAMS[-2:-1])
def test_a_prepared_problem_solves_each_override_as_a_fresh_solve_would(solver, params):
    """Prepared state (the rnn's numeric model) is shared across overrides: no override may leak into the next."""
    prepared = SOLVERS[solver].prepare(params)
    truth = SOLVERS[solver].solve(params)
    numbers = [name for name, value in truth.items() if isinstance(value, float)][:6]
    assert numbers, "the sample must have scalar quantities to override"
    overrides = [{}, *({name: truth[name] + 1.5} for name in numbers), {}]
    for given in overrides:
        fresh = SOLVERS[solver].solve(params, given=given)
        shared = prepared.solve(given)
        assert list(shared) == list(fresh)
        for name in fresh:
            assert repr(shared[name]) == repr(fresh[name]), (given, name)
    again = prepared.solve({})
    assert all(repr(again[name]) == repr(truth[name]) for name in truth)
