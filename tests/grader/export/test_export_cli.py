"""`rnnquiz export` on the command line: help with an example per format, notes on stderr,
parts on their own, and the exit codes."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from rich.console import Console

from grader.cli import main
from quizzes import BANK_DIR


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    code = main(argv, console=Console(file=out, width=200, color_system=None))
    return code, out.getvalue()


def test_help_shows_one_example_per_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--help"]) == 0
    shown = capsys.readouterr().out
    for name in ("moodle", "gift", "qti", "canvas"):
        assert re.search(rf"^  rnnquiz export .*--format {name} --out \S+", shown, re.MULTILINE), name


def test_moodle_export_of_a_bank_and_a_part(tmp_path: Path) -> None:
    out = tmp_path / "quiz.xml"
    code, shown = run(["export", "hse", "in5400/task1.c", "--format", "moodle", "--out", str(out)])
    assert code == 0, shown
    names = [q.findtext("name/text") for q in ET.parse(out).getroot() if q.get("type") != "category"]
    assert names == ["hse/q1", "hse/q2", "hse/q3", "hse/q4", "in5400/task1.c"]
    assert "note: hse/q2: per-option scoring" in shown
    assert re.search(r"wrote .*quiz\.xml \(moodle\): 5 bank questions, 0 of them variants; \d+ notes", shown)
    assert not list(tmp_path.glob("*.part"))


def test_variants_and_seed(tmp_path: Path) -> None:
    out = tmp_path / "practice.zip"
    code, shown = run(["export", "practice/gate_params", "--format", "qti", "--out", str(out),
                       "--variants", "4", "--seed", "10"])
    assert code == 0, shown
    with zipfile.ZipFile(out) as archive:
        items = sorted(n for n in archive.namelist() if n.startswith("items/"))
    assert items == [f"items/practice-gate_params-s{s}.xml" for s in (10, 11, 12, 13)]


def test_a_key_that_fails_verification_is_left_out_with_exit_1(tmp_path: Path) -> None:
    text = (BANK_DIR / "hse.yaml").read_text(encoding="utf-8")
    block = text.index("  - id: q4\n")
    planted = text[:block] + text[block:].replace("answer: D", "answer: C", 1)
    (tmp_path / "banks").mkdir()
    (tmp_path / "banks" / "hse.yaml").write_text(planted, encoding="utf-8")
    out = tmp_path / "hse.txt"
    code, shown = run(["--bank-dir", str(tmp_path / "banks"), "export", "--format", "gift", "--out", str(out)])
    assert code == 1
    assert re.search(r"note: hse/q4: left out: it fails verification \(options: key is C", shown)
    assert "::hse/q3::" in out.read_text(encoding="utf-8") and "::hse/q4::" not in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("argv, message", [
    (["--format", "xls"], "invalid choice: 'xls'"),
    (["--variants", "0"], "--variants must be at least 1"),
    (["nosuchbank"], "unknown bank 'nosuchbank'"),
    (["--out", "/no/such/folder/x.xml"], "the folder '/no/such/folder' does not exist"),
])
def test_usage_errors_exit_2(tmp_path: Path, argv: list[str], message: str) -> None:
    defaults = {"--format": "moodle", "--out": str(tmp_path / "x.xml")}
    for flag, value in defaults.items():
        if flag not in argv:
            argv = [*argv, flag, value]
    code, shown = run(["export", *argv])
    assert code == 2 and message in shown, shown


def test_variants_left_out_are_exactly_the_seeds_verify_rejects(tmp_path: Path) -> None:
    text = (BANK_DIR / "practice.yaml").read_text(encoding="utf-8")
    guard = "      require:\n        - n >= 3        # at n = 2 the wrong answer n² − n equals the right one\n"
    assert text.count(guard) == 1
    (tmp_path / "banks").mkdir()
    (tmp_path / "banks" / "practice.yaml").write_text(text.replace(guard, ""), encoding="utf-8")
    bank_dir = ["--bank-dir", str(tmp_path / "banks")]
    _, report = run([*bank_dir, "verify", "--variants", "30", "--json"])
    (row,) = [r for r in json.loads(report)["rows"] if r["question"] == "practice/jacobian_nonzeros"]
    rejected = {int(seed) for seed in re.findall(r"seed (\d+):", row["checks"][-1]["message"])}
    code, shown = run([*bank_dir, "export", "practice/jacobian_nonzeros", "--format", "moodle",
                       "--out", str(tmp_path / "x.xml"), "--variants", "30"])
    left_out = {int(seed) for seed in re.findall(r"seed (\d+) left out: it fails verification", shown)}
    assert code == 1 and rejected and left_out == rejected
    exported = [q.findtext("name/text") for q in ET.parse(tmp_path / "x.xml").getroot() if q.get("type") != "category"]
    assert exported == [f"practice/jacobian_nonzeros, seed {s}" for s in range(30) if s not in rejected]
