"""Broken banks are reported, located and complete; `verify` reports a broken question and goes on.

Each test plants one mistake found by hand (issue 13) in a copy of a real bank.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from grader.cli import main
from quizzes import BANK_DIR

ROOT = Path(__file__).resolve().parents[2]


def run(argv: list[str], width: int = 200) -> tuple[int, str]:
    out = io.StringIO()
    code = main(argv, console=Console(file=out, width=width, color_system=None))
    return code, out.getvalue()


def planted(tmp_path: Path, bank: str, *edits: tuple[str, str]) -> Path:
    """A bank folder holding a copy of `bank` with each (old, new) replaced exactly once."""
    text = (BANK_DIR / f"{bank}.yaml").read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) >= 1, old
        text = text.replace(old, new, 1)
    folder = tmp_path / "banks"
    folder.mkdir(exist_ok=True)
    (folder / f"{bank}.yaml").write_text(text, encoding="utf-8")
    return folder


def line_of(folder: Path, bank: str, fragment: str) -> int:
    lines = (folder / f"{bank}.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if fragment in line)


@pytest.mark.parametrize("old, new, mark", [
    ("weight: 2", "weight: .nan", "weight: .nan"),
    ("        answer: 6\n", "        answer: 6\n        points: .nan\n", "points: .nan"),
    ("        answer: 6\n", "        answer: .inf\n", "answer: .inf"),
])
def test_a_non_finite_number_is_a_located_bank_problem(tmp_path: Path, old: str, new: str, mark: str) -> None:
    folder = planted(tmp_path, "in5400", (old, new))
    code, out = run(["--bank-dir", str(folder), "verify", "in5400"])
    assert code == 2
    line = line_of(folder, "in5400", mark)
    assert f"in5400.yaml:{line}:" in out and "is not a finite number" in out
    assert "could not complete" not in out


def test_a_nan_tolerance_is_reported_with_every_other_problem(tmp_path: Path) -> None:
    # The NaN used to stop the loader with an internal error, hiding the repeated letter.
    folder = planted(tmp_path, "practice", ("tolerance: {rel: 0.005, abs: 0}", "tolerance: {rel: .nan, abs: 0}"))
    hse = (BANK_DIR / "hse.yaml").read_text(encoding="utf-8").replace("answer: [A, E]", "answer: [A, A]", 1)
    (folder / "hse.yaml").write_text(hse, encoding="utf-8")
    for argv in (["list"], ["verify"], ["check", "practice/vanishing.b", "3"]):
        code, out = run(["--bank-dir", str(folder), *argv])
        assert code == 2 and "could not complete" not in out
        assert f"practice.yaml:{line_of(folder, 'practice', 'rel: .nan')}:" in out
        # `check` loads only the bank it needs; the others load every bank and report all at once.
        assert ("a letter is listed twice in the answer" in out) == (argv[0] != "check")


def test_a_formula_key_that_does_not_parse_is_a_bank_problem(tmp_path: Path) -> None:
    folder = planted(tmp_path, "practice",
                     ("    solver: param_count\n    params: {cell: gru, n: n, m: m, biases: 1}\n    quantity: total\n",
                      '    answer: "3n(n+"\n'))
    code, out = run(["--bank-dir", str(folder), "check", "practice/gru_formula", "3n"])
    assert code == 2
    assert f"practice.yaml:{line_of(folder, 'practice', '3n(n+')}:" in out
    assert "is not a formula the grader can read" in out


def test_a_choice_key_left_empty_is_a_bank_problem(tmp_path: Path) -> None:
    folder = planted(tmp_path, "hse", ("    answer: A\n", "    answer: ~\n"))
    code, out = run(["--bank-dir", str(folder), "check", "hse/q1", "A"])
    assert code == 2 and "names no option" in out and "could not complete" not in out


def test_an_exercise_worth_no_points_is_a_bank_problem(tmp_path: Path) -> None:
    text = (BANK_DIR / "in5400.yaml").read_text(encoding="utf-8")
    start = text.index("  - id: task1\n")
    end = text.index("\n  - id: ", start + 1)
    block = re.sub(r"(\n        kind: number\n)", r"\1        points: 0\n", text[start:end])
    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "in5400.yaml").write_text(text[:start] + block + text[end:], encoding="utf-8")
    code, out = run(["--bank-dir", str(folder), "check", "in5400/task1", "a=6"])
    assert code == 2 and "worth 0 points in total" in out


def test_line_100_is_a_line_number_not_an_emoji(tmp_path: Path) -> None:
    text = (BANK_DIR / "assignment3.yaml").read_text(encoding="utf-8").splitlines()
    assert re.match(r"\s+\w+:", text[99])
    text[99] = re.sub(r"(\w+):", r"bogus_\1:", text[99], count=1)  # an unknown field on line 100
    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "assignment3.yaml").write_text("\n".join(text) + "\n", encoding="utf-8")
    # A real process and its own console: the default console is the one that had emoji on.
    done = subprocess.run([sys.executable, "-m", "grader.cli", "--bank-dir", str(folder), "verify"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "assignment3.yaml:100:" in done.stderr and "💯" not in done.stderr + done.stdout


@pytest.mark.parametrize("bad, where", [(b"\xff\xfe", "not UTF-8"), (b"\x1b", "control characters")])
def test_bad_bytes_in_a_bank_give_their_line(tmp_path: Path, bad: bytes, where: str) -> None:
    lines = (BANK_DIR / "hse.yaml").read_bytes().split(b"\n")
    lines[29] += bad
    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "hse.yaml").write_bytes(b"\n".join(lines))
    code, out = run(["--bank-dir", str(folder), "list"])
    assert code == 2 and "hse.yaml:30:" in out and where in out


def test_verify_reports_a_chain_with_a_missing_factor_and_goes_on(tmp_path: Path) -> None:
    text = (BANK_DIR / "hse.yaml").read_text(encoding="utf-8")
    first = text.index("            - dyhat_t/dh_t\n")
    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "hse.yaml").write_text(text[:first] + text[first + len("            - dyhat_t/dh_t\n"):],
                                     encoding="utf-8")
    code, out = run(["--bank-dir", str(folder), "verify", "--json"])
    report = json.loads(out)
    assert code == 1 and report["questions"] == 4  # every question of the bank still has its row
    broken = [r for r in report["rows"] if r["status"] == "problem"]
    assert [r["question"] for r in broken] == ["hse/q3"]
    messages = " ".join(c["message"] for c in broken[0]["checks"])
    assert re.search(r"hse\.yaml:\d+: could not be checked", messages)


def test_verify_names_the_seeds_whose_draw_breaks_the_solver_and_goes_on(tmp_path: Path) -> None:
    folder = planted(tmp_path, "practice", ("T: {range: [5, 20]}", "T: {range: [0, 3]}"))
    code, out = run(["--bank-dir", str(folder), "verify", "--variants", "30", "--json"])
    report = json.loads(out)
    assert code == 1
    rows = {r["question"]: r for r in report["rows"]}
    assert len(rows) > 1 and all(r["status"] == "ok" for q, r in rows.items() if q != "practice/vanishing")
    [variants] = [c for c in rows["practice/vanishing"]["checks"] if c["check"] == "variants"]
    assert variants["status"] == "problem" and re.search(r"seed \d+: .*T must be an integer", variants["message"])
