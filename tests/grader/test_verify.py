"""`rnnquiz verify`: passes on the built-in banks and flags exactly the planted errors."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console

from grader.cli import main
from quizzes import BANK_DIR


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    code = main(argv, console=Console(file=out, width=200, color_system=None))
    return code, out.getvalue()


def test_builtin_banks_verify() -> None:
    code, out = run(["verify", "--json"])
    report = json.loads(out)
    assert code == 0, [r for r in report["rows"] if r["status"] == "problem"]
    assert report["ok"] and report["questions"] >= 30


def plant(tmp_path: Path, bank: str, question: str, old: str, new: str) -> Path:
    """Copy a bank and replace `old` by `new` within one question's block (exactly once)."""
    text = (BANK_DIR / f"{bank}.yaml").read_text(encoding="utf-8")
    start = text.index(f"  - id: {question}\n")
    following = re.search(r"\n  - id: ", text[start + 1:])
    end = start + 1 + following.start() if following else len(text)
    block = text[start:end]
    assert block.count(old) == 1, f"{old!r} occurs {block.count(old)} times in {bank}/{question}"
    path = tmp_path / f"{bank}.yaml"
    path.write_text(text[:start] + block.replace(old, new) + text[end:], encoding="utf-8")
    return path


PLANTED = [
    # (bank, question, old, new, fragments the problem message must contain)
    ("in5400", "task1", "answer: 8\n", "answer: 9\n", ["claims 9", "dL/dW_h = 8"]),
    ("nptel", "q7", "answer: B", "answer: A", ["key is A", "n² + nm + 2n", "option(s) B"]),
    ("hse", "q4", "answer: D", "answer: C", ["key is C", "option(s) D"]),
    ("nptel", "q7", 'expr: "4*(n^2 + n*m + n)"', 'expr: "3*n*(n + m + 1)"', ["distractor equals the key: B and D"]),
    ("seqmodels", "q7", "value: 300", "value: 100", ["distractor equals the key"]),
]


@pytest.mark.parametrize("bank, question, old, new, fragments", PLANTED, ids=[f"{p[0]}/{p[1]}:{p[3]}" for p in PLANTED])
def test_planted_error_is_flagged_exactly(tmp_path: Path, bank: str, question: str, old: str, new: str,
                                          fragments: list[str]) -> None:
    path = plant(tmp_path, bank, question, old, new)
    code, out = run(["verify", str(path), "--json"])
    report = json.loads(out)
    assert code == 1
    flagged = [row for row in report["rows"] if row["status"] == "problem"]
    assert [row["question"] for row in flagged] == [f"{bank}/{question}"]
    messages = " | ".join(c["message"] for c in flagged[0]["checks"] if c["status"] == "problem")
    for fragment in fragments:
        assert fragment in messages


def test_unstated_option_in_solver_question_is_a_problem(tmp_path: Path) -> None:
    path = plant(tmp_path, "seqmodels", "q7", "        value: 300\n", "")
    code, out = run(["verify", str(path), "--json"])
    assert code == 1
    assert "cannot check them" in out


def test_table_output_and_single_question(tmp_path: Path) -> None:
    code, out = run(["verify", "nptel", "--question", "nptel/q7"])
    assert code == 0
    assert "nptel/q7" in out and "nptel/q6" not in out and "all keys verified" in out


def test_broken_bank_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "hse.yaml"
    path.write_text("bank: hse\n", encoding="utf-8")
    code, _ = run(["verify", str(path)])
    assert code == 2
