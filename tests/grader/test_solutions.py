"""The solution memo's keys: equal problems and overrides share one solve, different ones never do."""

from __future__ import annotations

import numpy as np

from grader.marking import solutions
from grader.marking.memo import clear_all

PARAMS = {"h0": 1, "x": [2, 3], "y": [1, 0], "W_h": 0.5, "W_x": 1, "W_y": 2}


def test_overrides_freeze_alike_in_any_order_and_as_int_or_float() -> None:
    assert solutions.freeze({"h1": 2.0, "yhat1": 1.5}) == solutions.freeze({"yhat1": 1.5, "h1": 2})
    assert hash(solutions.freeze({"h1": 2.0, "yhat1": 1.5})) == hash(solutions.freeze({"yhat1": 1.5, "h1": 2}))
    assert solutions.freeze({"h1": 2.0}) != solutions.freeze({"h1": 2.5})
    assert solutions.freeze({"h1": 2.0}) != solutions.freeze({"h2": 2.0})


def test_params_tell_an_int_from_a_float_and_a_bool_from_a_number() -> None:
    # an integer and a float can be different problems to a solver (an exact count, a flag)
    assert solutions.freeze({"n": 2, "flag": True}) != solutions.freeze({"n": 2.0, "flag": True})
    assert solutions.freeze({"n": 2, "flag": True}) != solutions.freeze({"n": 2, "flag": 1})
    assert solutions.freeze({"x": [1, [2, 3]], "s": "tanh"}) == solutions.freeze({"s": "tanh", "x": [1, [2, 3]]})
    assert solutions.freeze({"x": [1, [2, 3]]}) != solutions.freeze({"x": [1, [2, 4]]})


def test_arrays_freeze_by_their_whole_content() -> None:
    # repr shortens a long array with "...": an array is never keyed by its repr
    long = np.arange(2000.0)
    changed = long.copy()
    changed[1000] = -1.0
    assert solutions.freeze({"W": long}) != solutions.freeze({"W": changed})
    assert solutions.freeze({"W": long}) == solutions.freeze({"W": long.copy()})


def test_equal_overrides_share_a_solve_and_different_ones_do_not() -> None:
    clear_all()
    first = solutions.solution("rnn", PARAMS, {"h1": 4.0, "yhat2": 1.0, "h2": 3.0})
    assert solutions.solution("rnn", PARAMS, {"h2": 3, "h1": 4.0, "yhat2": 1.0}) is first
    other = solutions.solution("rnn", PARAMS, {"h1": 4.0, "yhat2": 1.0, "h2": 3.5})
    assert other is not first and other["dL2/dW_y"] != first["dL2/dW_y"]  # ∂L₂/∂W_y reads h₂
    assert first["h1"] == 4.0 and first["yhat1"] == 8.0  # the override is what the solve used
