"""An all-scalar rnn problem is solved by the function compiled for its shape (`rnn_compiled`):
the Solution `evaluate` on floats gives, to the last bit, under any float overrides."""

from __future__ import annotations

import math
import random

import pytest

from solvers import SOLVERS, SolverError, rnn, rnn_compiled
from tests.solvers.test_rnn_floats import SPECIAL, _number, _overrides, _problem

RNN = SOLVERS["rnn"]


def _general(monkeypatch, bound: dict[str, object]) -> rnn.Problem:
    """The problem solved by `evaluate` itself (nothing compiled)."""
    with monkeypatch.context() as patched:
        patched.setattr(rnn, "compiled", lambda *args: None)
        problem = rnn.prepare(bound)
        problem({})  # the model is read (and nothing compiled) now
    return problem


def _same(a, b, context: str) -> None:
    assert list(a) == list(b), context
    # repr tells −0.0 from 0.0, shows inf and nan, and tells np.float64 from float
    assert [repr(v) for v in a.values()] == [repr(v) for v in b.values()], context
    assert a.notes == b.notes, context


def test_a_compiled_problem_gives_what_evaluate_gives_bit_for_bit(monkeypatch):
    rng = random.Random(5402)
    compiled = 0
    for case in range(300):
        bound = _problem(rng)
        names = RNN.quantities(bound)
        fast, general = rnn.prepare(bound), _general(monkeypatch, bound)
        # one quantity over many values (the follow-through search), several at once (diagnosis),
        # per-loss gradients, which change how evaluate sums dL/dθ, alone and together
        givens = [{}] + [{rng.choice(names[:6]): _number(rng)} for _ in range(3)]
        givens += [_overrides(rng, bound) for _ in range(4)]
        givens += [{"dL1/dW_h": rng.choice(SPECIAL)}, {"dL1/dW_h": 1.0, "dL1/dW_x": 3.0, names[0]: -0.0}]
        for given in givens:
            _same(fast(given), general(given), f"case {case}: {bound} given {given}")
        compiled += fast._run is not None
        if case % 30 == 0:  # the worked steps are written by the general path either way
            assert fast(givens[1]).steps == general(givens[1]).steps, f"case {case}"
    assert compiled >= 200  # every problem but the cross-entropy ones was really compiled


def test_one_compiled_function_serves_every_problem_of_its_shape(monkeypatch):
    """The numbers are the function's arguments, never part of its source."""
    first = RNN.bind({"h0": 1, "x": [3, 5], "y": [4, 7], "W_h": 1.5, "W_x": 0.5, "W_y": 2, "activation": "tanh"})
    reference = rnn.prepare(first)
    reference({})
    shapes = len(rnn_compiled._COMPILED)
    rng = random.Random(5404)
    for _ in range(20):
        other = RNN.bind({"h0": rng.gauss(0, 1), "x": [rng.gauss(0, 2), rng.gauss(0, 2)], "y": [1.0, -2.0],
                          "W_h": rng.gauss(0, 1), "W_x": rng.gauss(0, 1), "W_y": rng.gauss(0, 1), "activation": "tanh"})
        given = {"h1": rng.gauss(0, 1)}
        problem = rnn.prepare(other)
        _same(problem(given), _general(monkeypatch, other)(given), f"{other}")
        assert problem._run is reference._run
    assert len(rnn_compiled._COMPILED) == shapes


def test_what_cannot_be_recorded_is_left_to_the_general_path():
    m = rnn.prepare(RNN.bind({"h0": 1, "x": [3, 5], "y": [4, 7], "W_h": 1.5, "W_x": 0.5, "W_y": 2}))._build({})
    order = ("h1",)

    def decides(model, given):  # a choice on a value, which a record of one run cannot follow
        return [model.h0 if model.h0 else model.W_h]

    def converts(model, given):
        return [float(model.h0)]

    def odd_name(model, given):
        return [given.get("h1; import os", model.h0)]

    for solve in (decides, converts, odd_name):
        assert rnn_compiled.compiled(m, order, solve) is None, solve.__name__
    assert rnn_compiled.compiled(m, order, lambda model, given: [given.get("h1", model.h0 * 2.0)]) is not None
    cross_entropy = RNN.bind({"x": [3, 1], "y": [1, 0], "W_h": -1, "W_x": 0.5, "W_y": 2, "output": "sigmoid",
                              "loss": "cross_entropy"})
    problem = rnn.prepare(cross_entropy)
    problem({})
    assert problem._run is None


@pytest.mark.parametrize("value", [2, float("inf"), float("nan"), True, [1.0, 2.0], "w"])
def test_an_override_that_is_not_a_finite_float_is_read_as_it_always_was(monkeypatch, value):
    bound = RNN.bind({"h0": 1, "x": [3, 5], "y": [4, 7], "W_h": 1.5, "W_x": 0.5, "W_y": 2})
    fast, general = rnn.prepare(bound), _general(monkeypatch, bound)
    try:
        expected = general({"h1": value})
    except SolverError as refused:
        with pytest.raises(SolverError) as also:
            fast({"h1": value})
        assert str(also.value) == str(refused)
        return
    got = fast({"h1": value})
    assert [str(v) for v in got.values()] == [str(v) for v in expected.values()]
    if isinstance(value, float):
        assert math.isnan(got["L"]) or math.isinf(got["L"])


def test_every_operation_is_written_down_as_it_was_done():
    """Each arithmetic form (constants on either side), a choice on the overrides and a call of
    Scalar's own functions, against the same formula on floats."""
    m = rnn.prepare(RNN.bind({"h0": 1, "x": [3, 5], "y": [4, 7], "W_h": 1.5, "W_x": 0.5, "W_y": 2}))._build({})

    def formula(model, given, back):
        a, b = given.get("h1", model.h0), model.W_h
        chosen = back.where(given.giving(["h2"]), a, b) if hasattr(given, "giving") else (a if "h2" in given else b)
        return [a + b, 1.5 + a, a - 0.25, 1.0 - a, a * b, 3 * a, a / 2, -a, 0 + b, chosen,
                back.act("tanh", a), back.act_prime("sigmoid", b), back.divide(a, b - b), back.log(b)]

    run = rnn_compiled.compiled(m, ("h1", "h2"), lambda model, given: formula(model, given, model.back))
    assert run is not None
    numbers = rnn_compiled.numbers(m)
    for given in ({}, {"h1": -0.0}, {"h1": 2.5, "h2": 1.0}, {"h2": 1.0}):
        expected = formula(m, given, m.back)
        assert [repr(v) for v in run(numbers, given)] == [repr(v) for v in expected], given
