"""Answers and option values that start with '-' need no '--', in every command (issue 18)."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

from rich.console import Console

from grader.cli import build_parser, main
from grader.sessions.session import parse_command


def run_json(argv: list[str]) -> tuple[int, dict]:
    out = io.StringIO()
    code = main([*argv, "--json"], stdin=io.StringIO(""), console=Console(file=out, width=200, color_system=None))
    return code, json.loads(out.getvalue())


def test_every_command_takes_dash_values_wherever_a_value_is_taken() -> None:
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    walked = 0
    for name, sub in commands.items():
        argv, expected = [name], {}
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction) or (action.option_strings and action.nargs == 0):
                continue
            if action.choices is not None:  # a fixed set of words (export --format) never starts with '-'
                argv += [action.option_strings[-1], next(iter(action.choices))]
                continue
            numeric = action.type in (int, float)
            value = "-1" if numeric else f"-{action.dest}*x"
            argv += [action.option_strings[-1], value] if action.option_strings else [value]
            expected[action.dest] = -1 if numeric else value
        args = parser.parse_args(argv)
        for dest, value in expected.items():
            got = getattr(args, dest)
            assert got == value or got == [value], (name, dest, got)
            walked += 1
    assert walked >= 15  # positionals and valued options of check, compare, show, solve, grade, take, …


def test_compare_and_check_take_negative_answers_without_double_dash() -> None:
    assert run_json(["compare", "-sin(x)", "sin(-x)"])[1]["status"] == "equivalent"
    assert run_json(["compare", "-h*W", "-W*h"])[1]["status"] == "equivalent"
    assert run_json(["compare", "-1", "-1+-1+1"])[1]["status"] == "equivalent"
    assert run_json(["compare", "-h", "-h*1"])[1]["status"] == "equivalent"  # sub-commands' help is --help
    code, verdict = run_json(["check", "nptel/q9", "-V O'(Vs_4+c)/O(Vs_4+c)"])
    assert code == 0 and verdict["status"] == "correct"
    code, verdict = run_json(["check", "in5400/task1.c", "-4+4"])
    assert code == 0 and verdict["status"] == "correct"
    # An option's value may start with '-' too: the command itself judges it.
    out = io.StringIO()
    code = main(["show", "nptel/q7", "--seed", "-1"], console=Console(file=out, width=200, color_system=None))
    assert "expected one argument" not in out.getvalue()


def test_grade_takes_a_file_whose_name_starts_with_a_dash(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "-s1.yaml").write_text("student: s1\nanswers:\n  nptel/q7: B\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, data = run_json(["grade", "-s1.yaml"])
    assert code == 0 and data["students"][0]["student"] == "s1"


def test_the_session_reads_a_negative_answer_as_an_answer() -> None:
    assert parse_command("-4+4") is None and parse_command("-V*x") is None
    assert parse_command(":skip") == "skip"
