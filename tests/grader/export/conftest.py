"""Every bank collected for export once per test session (collecting runs the verifier)."""

from __future__ import annotations

import pytest

from grader.export import shared

VARIANTS = 3


@pytest.fixture(scope="session")
def items() -> list[shared.Item]:
    """Every question of every bank, randomised ones as VARIANTS verified variants."""
    questions, _ = shared.select([], None)
    notes = shared.Notes()
    collected = shared.collect(questions, notes, variants=VARIANTS)
    assert notes.left_out == 0, notes.lines
    return collected
