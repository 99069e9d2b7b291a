"""Text in and out: submissions read as written, echoes made inert, parts drawn with their exercise."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from grader.batch import textyaml
from grader.cli import main
from grader.textsafe import one_line, visible


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    code = main(argv, console=Console(file=out, width=120, color_system=None))
    return code, out.getvalue()


def test_every_scalar_is_the_text_written() -> None:
    data = textyaml.read_text("a: 0x1F\nb: 1_000\nc: 1:20\nd: yes\ne: ~\nf:\ng: [B, 2]\nh: '07'\ni: {j: 1e3}\n")
    assert data == {"a": "0x1F", "b": "1_000", "c": "1:20", "d": "yes", "e": "~", "f": None, "g": ["B", "2"],
                    "h": "07", "i": {"j": "1e3"}}
    assert textyaml.read_text('{"s": "k", "n": 1.50, "t": true}') == {"s": "k", "n": "1.50", "t": "true"}


@pytest.mark.parametrize("text, line, fragment", [
    ("a: 1\na: 2\n", 2, "duplicate key 'a'"),
    ("a:\n  b: 1\n  b: 2\n", 3, "duplicate key 'b'"),
    ("a: &x 1\nb: *x\n", 1, "anchors and aliases"),
    ("a: [*x]\n", 1, "anchors and aliases"),
    ("a: !!python/object:os.system x\n", 1, "tags"),
    ("a: !!str 5\n", 1, "tags"),
    ("a: 1\n---\nb: 2\n", 2, "several YAML documents"),
    ("? [a]\n: b\n", 1, "plain text"),
    ("a: 1\nb: x\x1by\n", 2, "control characters"),
    ("a: " + "[" * 30 + "]" * 30 + "\n", 1, "nested deeper"),
])
def test_what_a_submission_never_needs_is_refused_with_its_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(textyaml.TextYamlError) as caught:
        textyaml.read_text(text)
    assert caught.value.line == line and fragment in caught.value.message


def test_control_characters_are_spelled_out_and_text_is_kept() -> None:
    hostile = "\x1b[2J\x1b]0;title\x07 B\n\tok \x9b31m \u202e é ②"
    shown = visible(hostile)
    assert shown == "\\x1b[2J\\x1b]0;title\\x07 B\n\tok \\x9b31m \\u202e é ②"
    assert one_line(hostile) == shown.replace("\n", "\\n").replace("\t", "\\t")
    assert visible("plain ŷ₂ = 6 · [bold]x[/]") == "plain ŷ₂ = 6 · [bold]x[/]"


def test_a_part_of_a_randomised_exercise_shows_the_exercise_numbers() -> None:
    for seed in ("0", "5"):
        _, whole = run(["show", "practice/bptt", "--seed", seed, "--key", "--json"])
        _, part = run(["show", "practice/bptt.a", "--seed", seed, "--key", "--json"])
        key = json.loads(whole)["key"]["a"]
        assert json.loads(part)["key"] == key
        _, checked = run(["check", "practice/bptt.a", str(key), "--seed", seed, "--json"])
        assert json.loads(checked)["status"] == "correct"


def test_rich_markup_and_emoji_codes_in_an_answer_are_shown_as_typed() -> None:
    code, out = run(["check", "in5400/task2b", "[bold red]vanishing[/] gradients :100: repeated multiplication"])
    assert code == 0 and "[bold red]vanishing[/]" in out and ":100:" in out and "💯" not in out
