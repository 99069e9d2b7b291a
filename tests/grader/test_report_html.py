"""The HTML report in a real browser: headless Chromium shows the keys and the worked steps.

The test needs Debian's `chromium` (`.ci/run` installs it); it fails, not skips, without it.
"""

from __future__ import annotations

import html
import io
import re
import subprocess
from pathlib import Path

from rich.console import Console

from grader.banks.catalog import Catalog
from grader.batch.teaching import key_text
from grader.cli import main
from grader.marking import variants

ROOT = Path(__file__).resolve().parents[2]
SHEET = ROOT / "examples" / "submissions" / "assignment3-sheet.yaml"
CHROMIUM = "/usr/bin/chromium"
# Appended to a copy of the report: the text the browser renders as visible (innerText leaves
# out whatever CSS hides), written into the page so that --dump-dom returns it.
PROBE = ('<script>const p = document.createElement("pre"); p.id = "visible-text"; '
         'p.textContent = document.body.innerText; document.body.appendChild(p);</script>')


def grade(tmp_path: Path, *extra: Path) -> Path:
    out = tmp_path / "out"
    assert main(["grade", str(SHEET), *map(str, extra), "--out", str(out)],
                console=Console(file=io.StringIO(), width=120)) == 0
    return out / "reports"


def visible_text(page: Path, tmp_path: Path) -> str:
    probe = tmp_path / "probe.html"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
         "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120, check=True)
    found = re.search(r'<pre id="visible-text">(.*?)</pre>', done.stdout, re.S)
    assert found, done.stdout[-2000:]
    return html.unescape(found.group(1))


def test_chromium_shows_the_keys_and_the_worked_steps(tmp_path: Path) -> None:
    page = grade(tmp_path) / "assignment3-sheet.html"
    shown = visible_text(page, tmp_path)
    assert "Compute the derivative of the total loss with respect to W_h, ∂L/∂W_h." in shown
    assert "Key\n8" in shown or "Key\n\n8" in shown
    assert "Model answer" in shown and "Advantages: it reduces the memory requirements" in shown
    assert "∂L/∂W_h = ∂L₁/∂W_h + ∂L₂/∂W_h = −4 + 12 = 8" in shown  # the worked steps of (d)
    assert "Worked with your values" in shown and "ŷ₁ = 2 (given)" in shown  # follow-through, side by side
    assert "∂L/∂h₁ = ∂L₁/∂h₁ + ∂L₂/∂h₁ = −12 + 4 = −8" in shown


def test_the_html_report_is_self_contained_and_escaped(tmp_path: Path) -> None:
    hostile = tmp_path / "h.yaml"
    hostile.write_text("student: x\nanswers:\n  in5400/task2b: '<script>alert(1)</script> <img src=x onerror=alert(2)>'\n",
                       encoding="utf-8")
    page = (grade(tmp_path, hostile) / "x.html").read_text(encoding="utf-8")
    assert "<script" not in page and "<img" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)  # no external assets
    shown = visible_text(tmp_path / "out" / "reports" / "x.html", tmp_path)
    assert "<script>alert(1)</script>" in shown  # shown as text, not run


def test_every_bank_item_has_a_key_the_report_can_show() -> None:
    for bank in Catalog.from_dir().banks():
        for question in bank.questions:
            question = variants.instantiate(question, 0)
            for item in question.parts or (question,):
                assert key_text(item).strip(), item.id


def test_evidence_of_any_shape_is_shown_line_by_line() -> None:
    from dataclasses import dataclass

    from grader.batch.teaching import evidence_lines

    @dataclass(frozen=True)
    class Point:
        point: str
        state: str

    @dataclass(frozen=True)
    class Said(Point):
        def describe(self) -> str:
            return f"✓ {self.point}"

    assert evidence_lines((Point("names vanishing gradients", "earned"),)) == (
        "point: names vanishing gradients; state: earned",)
    assert evidence_lines([Said("gates", "earned")]) == ("✓ gates",)
    assert evidence_lines({"found": ["memory", "faster"]}) == ("found: memory, faster",)
    assert evidence_lines(None) == ()
