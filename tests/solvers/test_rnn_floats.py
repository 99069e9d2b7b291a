"""An all-scalar rnn problem runs on Python floats (backend.SCALAR): the same Solution as on
1-element arrays, to the last bit, sign of zero, inf and nan included."""

from __future__ import annotations

import random

import numpy as np
import pytest

from solvers import SOLVERS, rnn, rnn_compiled, rnn_floats
from solvers.backend import NUMERIC, SCALAR

RNN = SOLVERS["rnn"]
# carried values a student might give: ordinary, signed zeros, tiny, and huge enough to overflow
SPECIAL = (0.0, -0.0, 1.0, -1.0, 5e-324, 1e-300, 1e200, -1e200, 1.7e308)


def _number(rng: random.Random) -> float:
    return rng.choice(SPECIAL) if rng.random() < 0.3 else round(rng.gauss(0, 2), rng.choice((0, 1, 3, 17)))


def _problem(rng: random.Random) -> dict[str, object]:
    T = rng.randint(1, 4)
    output = rng.choice(("identity", "sigmoid", "softmax"))
    loss = rng.choice(("squared", "half_squared") + (() if output == "identity" else ("cross_entropy",)))
    params: dict[str, object] = {
        "h0": rng.choice((rng.gauss(0, 1), 0.0, -0.0)),
        "x": [rng.choice((rng.gauss(0, 2), 0.0, -0.0, 40.0, -900.0)) for _ in range(T)],
        "y": [rng.choice((rng.random(), 0.0, 1.0, -0.0, rng.gauss(0, 2))) for _ in range(T)],
        "W_h": rng.choice((rng.gauss(0, 1), 0.0, -0.0)),
        "W_x": rng.gauss(0, 1),
        "W_y": rng.choice((rng.gauss(0, 2), -0.0)),
        "activation": rng.choice(("identity", "tanh", "sigmoid", "relu")),
        "output": output,
        "loss": loss,
        "truncate": rng.choice((None, rng.randint(1, T))),
    }
    for bias in ("b_h", "b_y"):
        if rng.random() < 0.5:
            params[bias] = rng.choice((rng.gauss(0, 1), 0.0, -0.0))
    return RNN.bind(params)


def _overrides(rng: random.Random, bound: dict[str, object]) -> dict[str, float]:
    names = RNN.quantities(bound)
    forward = [name for name in names if not name.startswith("dL")]  # h, ŷ and L feed everything after them
    return {rng.choice(rng.choice((names, forward))): _number(rng) for _ in range(rng.choice((1, 1, 1, 2)))}


def spy_backends(monkeypatch) -> list:
    """The backend of every evaluation of an rnn problem from now on, in order."""
    backends = []
    evaluate = rnn.evaluate
    monkeypatch.setattr(rnn, "evaluate", lambda m, given: backends.append(m.back) or evaluate(m, given))
    return backends


def test_floats_give_the_arrays_solution_bit_for_bit():
    rng = random.Random(5400)
    for case in range(500):
        bound = _problem(rng)
        fast, slow = rnn.prepare(bound), rnn.prepare(bound, floats=False)
        for given in ({}, _overrides(rng, bound), _overrides(rng, bound), _overrides(rng, bound)):
            on_floats, on_arrays = fast(given), slow(given)
            context = f"case {case}: {bound} given {given}"
            assert list(on_floats) == list(on_arrays), context
            # repr tells −0.0 from 0.0 and shows inf and nan; it also tells np.float64 from float
            assert [repr(v) for v in on_floats.values()] == [repr(v) for v in on_arrays.values()], context
            assert on_floats.notes == on_arrays.notes, context
        if case % 20 == 0:  # the worked steps are written from arrays either way
            assert on_floats.steps == on_arrays.steps, context


@pytest.mark.parametrize(
    "params,backend,compiled",
    [
        ({"h0": 1, "x": [3, 5], "y": [4, 7], "W_h": 1.5, "W_x": 0.5, "W_y": 2}, SCALAR, True),
        # cross-entropy's course depends on which outputs are given: evaluated on floats each time
        ({"x": 3, "y": 1, "W_h": -1, "W_x": 0.5, "W_y": 2, "output": "sigmoid", "loss": "cross_entropy"}, SCALAR,
         False),
        (
            {"h0": [1, 0], "x": [3, 5], "y": [4, 7], "W_h": [[1, 0], [0, 1]], "W_x": [[1], [0]], "W_y": [[2, 1]]},
            NUMERIC,
            False,
        ),
        # 1×1 all through, but W_h is given as a matrix, so its results are 1×1 arrays
        ({"h0": 1, "x": [3, 5], "y": [4, 7], "W_h": [[1.5]], "W_x": 0.5, "W_y": 2}, NUMERIC, False),
    ],
)
def test_the_float_path_is_taken_exactly_for_all_scalar_problems(monkeypatch, params, backend, compiled):
    solve = rnn.prepare(RNN.bind(params))
    solve({})  # compiles the problem's shape, if it can be
    backends = spy_backends(monkeypatch)
    solve({})
    solve({"L1": 2.0})
    solve({"L1": 2})  # an int override is read by the general path
    assert backends == ([backend] if compiled else [backend] * 3)
    assert solve.model_for({}).back is backend


def test_local_derivatives_of_an_all_scalar_problem_are_the_arrays_bit_for_bit(monkeypatch):
    """The misconception library reads local Jacobians of every scalar practice problem; they
    come from the forward pass and the edges on floats, and must be what the arrays give."""
    from solvers import rnn_local
    from solvers.rnn_local import _edge, _sizes, local_derivatives

    rng = random.Random(5401)
    taken = 0
    for case in range(300):
        bound = _problem(rng)
        given = rng.choice(({}, _overrides(rng, bound)))
        T = len(bound["x"])
        nodes = [f"{kind}{t}" for t in range(1, T + 1) for kind in ("L", "yhat", "h", "x")] + \
            ["h0", "W_h", "W_x", "W_y", "b_h", "b_y"]
        edges = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(12)]
        edges += [(f"yhat{t}", f"h{t}") for t in range(1, T + 1)] + [(f"h{T}", "W_h"), (f"yhat{T}", "W_y")]
        checked = RNN.check_given(bound, given)
        m = rnn.model(bound, checked)
        taken += rnn_floats.on_floats(m) is not None
        with np.errstate(over="ignore", invalid="ignore"):  # carried values of 1e200 overflow
            on_arrays = rnn.evaluate(m, rnn.given_values(m, checked))
        for (of, wrt), fast in zip(edges, local_derivatives(bound, edges, given)):
            slow = _edge(m, _sizes(m), on_arrays, of, wrt)
            context = f"case {case}: {bound} given {given}, ∂{of}/∂{wrt}"
            assert fast.shape == slow.shape and fast.dtype == slow.dtype, context
            assert [repr(v) for v in fast.ravel()] == [repr(v) for v in slow.ravel()], context
    assert taken == 300  # every problem here is all-scalar, so the float path was the one compared
    # and the edges really were taken on floats: recorded once per shape and edge list, then
    # compiled (see rnn_compiled), and on the float model where an override is not a float
    seen = []
    monkeypatch.setattr(rnn_local, "evaluate", lambda m, given: seen.append(m.back) or rnn.evaluate(m, given))
    rnn_local._reader.cache_clear()  # a new edge list is recorded afresh
    first = {"h0": 1, "x": [3, 5], "y": [4, 7], "W_h": 1.5, "W_x": 0.5, "W_y": 2}
    edges = [("yhat1", "h1"), ("h2", "W_h")]
    local_derivatives(first, edges)
    assert seen == [rnn_compiled._TRACING]
    # h1 = W_h·h0 + W_x·x1 = −0.25 + 0.5 and ∂h2/∂W_h = h1; ∂ŷ1/∂h1 = W_y
    assert [a.tolist() for a in local_derivatives({**first, "W_h": -0.25, "x": [1, 2]}, edges)] == [[[2.0]], [[0.25]]]
    assert seen == [rnn_compiled._TRACING]
    local_derivatives(first, edges, {"h1": 2})
    assert seen[1:] == [SCALAR]


def _exactly(value: object) -> object:
    """A dataclass field by field, sets sorted, everything else by repr (which tells −0.0 from
    0.0 and an int from a float)."""
    import dataclasses

    if dataclasses.is_dataclass(value):
        return tuple((f.name, _exactly(getattr(value, f.name))) for f in dataclasses.fields(value))
    if isinstance(value, (set, frozenset)):
        return tuple(sorted(value))
    if isinstance(value, tuple):
        return tuple(_exactly(v) for v in value)
    return repr(value)


def test_a_plain_scalar_problem_is_read_straight_into_the_float_model():
    """Plain numbers are read without arrays into exactly the model the arrays' path gives on
    floats; anything else (vectors, symbols, cross-entropy, odd values) is left to that path."""
    rng = random.Random(5403)
    read = 0
    for case in range(400):
        bound = _problem(rng)
        if rng.random() < 0.3:  # ints, bare x and y for one step, biases left out
            bound = RNN.bind({**{k: v for k, v in bound.items() if v is not None}, "x": rng.randint(-3, 3),
                              "y": rng.randint(-3, 3), "W_x": rng.randint(-2, 2), "truncate": None})
        plain = rnn_floats.plain_scalar_model(bound)
        general = rnn_floats.on_floats(rnn.model(bound, {}))
        if bound["loss"] == "cross_entropy":
            assert plain is None, f"case {case}"
            continue
        read += 1
        assert _exactly(plain) == _exactly(general), f"case {case}: {bound}"
        # and back on arrays, the model the general path reads (dtype and shape in the repr)
        assert _exactly(rnn_floats.on_arrays(plain)) == _exactly(rnn.model(bound, {})), f"case {case}: {bound}"
    assert read > 200
    base = {"h0": 1, "x": [3, 5], "y": [4, 7], "W_h": 1.5, "W_x": 0.5, "W_y": 2}
    for odd in ({"h0": [1]}, {"W_h": "w"}, {"y": [4]}, {"x": []}, {"truncate": True}, {"truncate": 0},
                {"W_y": float("inf")}, {"b_y": 10**400}, {"W_x": True}, {"activation": "Tanh"}, {"x": (3, [5])}):
        bound = RNN.bind({**base, **odd})
        assert rnn_floats.plain_scalar_model(bound) is None, odd
