"""`evolve` copies a frozen model with some fields changed, as `dataclasses.replace` does."""

from __future__ import annotations

import dataclasses

import pytest

from grader.model import Question, Source, Tolerance, Verdict, evolve


def test_evolve_gives_what_replace_gives():
    part = Question("bank/task.a", "number", "Compute ŷ₂.", "", Source("x", "1"), parent="bank/task",
                    params={"x": [1, 2]}, quantity="yhat2")
    assert part.part == "a"  # a cached property, now in the instance's dict
    for changes in ({}, {"prompt": "Other"}, {"quantity": "L", "params": {"x": [3]}}, {"id": "bank/task.b"}):
        assert evolve(part, **changes) == dataclasses.replace(part, **changes)
    assert evolve(part, id="bank/task.b").part == "b"  # not the copied cache of the old id
    verdict = Verdict("incorrect", 0.0, "No.")
    assert evolve(verdict, score=0.5, followthrough=True) == dataclasses.replace(verdict, score=0.5, followthrough=True)
    assert verdict.score == 0.0  # the original is untouched


def test_evolve_refuses_what_replace_refuses_and_models_that_check_themselves():
    with pytest.raises(TypeError, match="no field 'nope'"):
        evolve(Verdict("correct", 1.0, "Yes."), nope=1)
    with pytest.raises(TypeError, match="__post_init__"):
        evolve(Tolerance(), rel=0.1)
