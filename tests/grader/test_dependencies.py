"""The dependency graph follow-through and the unambiguous check read: which quantities move
when one is nudged, found once per structure of problem."""

from __future__ import annotations

import random

import numpy as np

from grader.marking import dependencies, memo
from solvers import SOLVERS


def _moved(a: object, b: object) -> bool:
    return not np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-9, atol=1e-12)


def test_the_graph_is_what_nudging_each_quantity_shows() -> None:
    """Against the definition, solved afresh and compared with numpy: on scalar problems (where
    most quantities come out to the same bits and are skipped without a tolerance) and on
    vector ones (compared with a tolerance)."""
    rng = random.Random(7)
    problems = [{"h0": rng.choice([0, 1, 2]), "x": [rng.randint(-3, 9) for _ in range(T)],
                 "y": [rng.randint(-3, 9) for _ in range(T)], "W_h": rng.choice([-1.5, 0, 0.5, 1]),
                 "W_x": rng.choice([0.1, 0.5]), "W_y": rng.choice([-2, 1, 3]),
                 "activation": rng.choice(["identity", "tanh", "relu"])} for T in (1, 2, 3) for _ in range(4)]
    problems.append({"h0": [1, 0], "x": [[1, 2], [0, 1]], "y": [[1], [2]], "W_h": [[0.5, 0], [0.2, 1]],
                     "W_x": [[1, 0], [0, 1]], "W_y": [[1, -1]]})
    memo.clear_all()
    for params in problems:
        truth = SOLVERS["rnn"].solve(params)
        for name, value in truth.items():
            nudged = SOLVERS["rnn"].solve(params, {name: dependencies.nudge(value)})
            expected = {other for other in truth if other != name and _moved(nudged[other], truth[other])}
            assert dependencies.descendants("rnn", params, name) == expected, (params, name)
            for other in expected:
                assert name in dependencies.ancestors("rnn", params, other)


def test_the_signs_of_a_plain_list_are_numpys() -> None:
    """A list of plain numbers is read without numpy, to the same key numpy's signs make."""
    rng = random.Random(8)
    for _ in range(200):
        values = [rng.choice([0, 0.0, -0.0, rng.randint(-5, 5), rng.uniform(-1e6, 1e6), float("inf")])
                  for _ in range(rng.randint(0, 6))]
        array = np.asarray(values, dtype=float)
        assert dependencies._signs(values) == (array.shape, tuple(np.sign(array).astype(int).tolist())), values
    assert dependencies._signs(None) != dependencies._signs(0)  # an absent parameter is not a zero
