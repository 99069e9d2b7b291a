"""The peers' own test suites, transcribed into rnnquiz's syntax (tests/data/peer_cases.yaml),
run through `rnnquiz compare --json` as a script would: no wrong verdict is allowed."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml
from rich.console import Console

from grader.cli import main

CASES = yaml.safe_load((Path(__file__).resolve().parents[1] / "data" / "peer_cases.yaml").read_text(encoding="utf-8"))
PEERS = ("maths/moodle-qtype_stack", "PrairieLearn/PrairieLearn", "mitodl/mitx-grading-library", "Khan/perseus")
STATUSES = {"equivalent", "not_equivalent", "invalid", "undecided"}


def compare_json(case: dict) -> tuple[int, dict]:
    argv = ["compare", case["a"], case["b"], "--json"]
    if case["vars"]:
        argv += ["--vars", ",".join(case["vars"])]
    if case.get("functions"):
        argv += ["--functions", ",".join(case["functions"])]
    out = io.StringIO()
    code = main(argv, stdin=io.StringIO(""), console=Console(file=out, width=200, color_system=None))
    return code, json.loads(out.getvalue())


def test_the_table_is_large_and_every_case_names_its_source() -> None:
    assert len(CASES) >= 150
    for case in CASES:
        repository, path = case["source"].split(" ", 1)
        assert repository in PEERS and "test" in path, case
        assert case["expect"] in STATUSES, case
        assert ("reason" in case) == (case["expect"] == "invalid"), case
    assert {case["source"].split()[0] for case in CASES} == set(PEERS)
    assert {case["expect"] for case in CASES} == STATUSES


@pytest.mark.parametrize("case", CASES, ids=[f"{i:03d}" for i in range(len(CASES))])
def test_no_wrong_verdict_on_the_peer_cases(case: dict) -> None:
    code, result = compare_json(case)
    assert result["status"] == case["expect"], (case, result)
    if case["expect"] == "invalid":
        assert result["detail"], result  # a refusal always says why
    assert code == (2 if result["key_interpreted_as"] is None else 0)
