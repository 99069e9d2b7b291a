"""Sampling without numpy: the plain path decides every case as the numpy path does."""

from __future__ import annotations

import pytest

from grader.mathinput import equivalence, sampling
from tests.grader.test_equivalence import CASES, judge


def _decide(case: dict, plain: bool, monkeypatch: pytest.MonkeyPatch) -> equivalence.Decision:
    # numpy is loaded in the test process, so the choice of path is forced here.
    monkeypatch.setattr(sampling, "plain", lambda formula: plain and not getattr(formula, "functions", ()))
    sampling.key_samples.cache_clear()
    return judge(case)


@pytest.mark.parametrize("case", CASES, ids=[f"{i:03d}" for i in range(len(CASES))])
def test_plain_and_numpy_sampling_decide_alike(case: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    with_numpy = _decide(case, False, monkeypatch)
    without = _decide(case, True, monkeypatch)
    assert (without.equivalent, without.method) == (with_numpy.equivalent, with_numpy.method)
    assert without.equivalent is case["equivalent"]


def test_pools_are_seeded_by_name_and_in_their_domain() -> None:
    a, b = sampling.pool("n", None, 0), sampling.pool("n", None, 1)
    assert a == sampling.pool("n", None, 0) and a != b and len(a) == sampling.POOL_POINTS
    assert all(1.0 <= v <= 10.0 for v in a)  # a size
    assert all(0.2 <= abs(v) <= 1.5 for v in sampling.pool("W_h", None, 0))  # a weight, away from 0
    assert sampling.pool("x", None, 0) != sampling.pool("z", None, 0)
