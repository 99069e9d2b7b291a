"""Several overrides of one all-scalar rnn problem solved together, as lanes of one pass
(`Problem.many`): each Solution is the one its own solve gives, to the last bit."""

from __future__ import annotations

import random

from solvers import SOLVERS, rnn
from solvers.lanes import LANES, LaneGiven, split
from tests.solvers.test_rnn_floats import SPECIAL, _number, _overrides, _problem, spy_backends

RNN = SOLVERS["rnn"]


def _same(a, b, context: str) -> None:
    assert list(a) == list(b), context
    # repr tells −0.0 from 0.0, shows inf and nan, and tells np.float64 from float
    assert [repr(v) for v in a.values()] == [repr(v) for v in b.values()], context
    assert a.notes == b.notes, context


def test_lanes_give_each_override_its_own_solution_bit_for_bit(monkeypatch):
    backends = spy_backends(monkeypatch)
    rng = random.Random(5402)
    for case in range(300):
        bound = _problem(rng)
        names = RNN.quantities(bound)
        # one quantity over many values (the follow-through search), many quantities (diagnosis),
        # per-loss gradients that change evaluate's course, an int and an empty override
        givens = [{rng.choice(names[:6]): _number(rng)} for _ in range(rng.randint(0, 6))]
        givens += [_overrides(rng, bound) for _ in range(rng.randint(0, 8))]
        givens += rng.sample([{}, {names[0]: 2}, {f"dL1/dW_h": rng.choice(SPECIAL)},
                              {f"dL1/dW_h": 1.0, f"dL1/dW_x": 3.0}], rng.randint(0, 4))
        rng.shuffle(givens)
        many = rnn.prepare(bound).many(givens)
        single = rnn.prepare(bound)
        assert len(many) == len(givens)
        for given, solution in zip(givens, many):
            _same(solution, single(given), f"case {case}: {bound} given {given}")
        if case % 30 == 0:
            assert [s.steps for s in many] == [single(g).steps for g in givens], f"case {case}"
    assert LANES in backends  # lanes were really run, not only the single solves


def test_few_overrides_and_cross_entropy_are_solved_one_by_one(monkeypatch):
    backends = spy_backends(monkeypatch)
    bound = RNN.bind({"h0": 1, "x": [3, 5], "y": [4, 7], "W_h": 1.5, "W_x": 0.5, "W_y": 2})
    rnn.prepare(bound).many([{"h1": float(v)} for v in range(rnn.MIN_LANES - 1)])
    assert backends and LANES not in backends
    backends.clear()
    rnn.prepare(bound).many([{"h1": float(v)} for v in range(rnn.MIN_LANES)])
    assert backends == [LANES]
    backends.clear()
    bound = RNN.bind({"x": [3, 1], "y": [1, 0], "W_h": -1, "W_x": 0.5, "W_y": 2, "output": "sigmoid",
                      "loss": "cross_entropy"})
    rnn.prepare(bound).many([{"yhat1": float(v) / 10} for v in range(1, 8)])
    assert backends and LANES not in backends


def test_a_lane_mapping_gives_each_lane_its_override_or_the_computed_value():
    given = LaneGiven([{"h1": 1.0}, {"h1": 2.0, "L": 5.0}, {}])
    assert "h1" in given and "L" in given and "h2" not in given
    assert given.get("h2", 7.0) == 7.0
    assert given.get("h1", 9.0).tolist() == [1.0, 2.0, 9.0]
    assert given.get("L", LANES.matvec(2.0, given.get("h1", 9.0))).tolist() == [2.0, 5.0, 18.0]
    assert sorted(given) == ["L", "h1"] and len(given) == 2
    assert split([given.get("h1", 0.0), 4.0], 3) == [[1.0, 4.0], [2.0, 4.0], [0.0, 4.0]]


def test_an_override_a_solve_refuses_fails_the_batch_as_it_fails_alone():
    """Lanes take finite floats only: anything else is solved alone, inside the batch, and a
    refusal is the one its own solve gives (the grader then solves each override alone)."""
    import pytest

    from solvers import SolverError

    bound = RNN.bind({"h0": 1, "x": [3, 5], "y": [4, 7], "W_h": 1.5, "W_x": 0.5, "W_y": 2})
    good = [{"h1": float(v)} for v in range(rnn.MIN_LANES)]
    for bad in ({"h1": float("inf")}, {"h1": True}, {"h1": [1.0, 2.0]}):
        with pytest.raises(SolverError) as alone:
            rnn.prepare(bound)(bad)
        with pytest.raises(SolverError) as together:
            rnn.prepare(bound).many([*good, bad])
        assert str(together.value) == str(alone.value)
    symbolic = rnn.prepare(bound).many([*good, {"h1": "x"}])[-1]  # a symbol: the exact problem, alone
    assert str(symbolic["L"]) == str(rnn.prepare(bound)({"h1": "x"})["L"])
