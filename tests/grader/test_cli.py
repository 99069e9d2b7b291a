"""The command-line contracts: list, show, check, compare, solve, help, exit codes, lazy imports."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from grader.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[2]


def run(argv: list[str], stdin: str = "", width: int = 120) -> tuple[int, str]:
    out = io.StringIO()
    code = main(argv, stdin=io.StringIO(stdin), console=Console(file=out, width=width, color_system=None))
    return code, out.getvalue()


def run_json(argv: list[str], stdin: str = "") -> tuple[int, dict]:
    code, out = run(_with_json(argv), stdin)
    return code, json.loads(out)


def _with_json(argv: list[str]) -> list[str]:
    # --json goes before a "--" that ends the options (needed when KEY starts with '-').
    if "--" in argv:
        cut = argv.index("--")
        return [*argv[:cut], "--json", *argv[cut:]]
    return [*argv, "--json"]


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert {"list", "show", "check", "compare", "solve", "verify", "grade", "take", "review", "history",
            "stats"} <= set(commands)
    for name, sub in commands.items():
        assert sub.description and len(sub.description) > 20, name
        assert main([name, "--help"]) == 0
        assert "usage: rnnquiz" in capsys.readouterr().out


def test_list_json_has_every_source_question() -> None:
    code, data = run_json(["list"])
    assert code == 0
    per_bank: dict[str, int] = {}
    for entry in data["questions"]:
        per_bank[entry["bank"]] = per_bank.get(entry["bank"], 0) + 1
    assert (per_bank["hse"], per_bank["seqmodels"], per_bank["nptel"], per_bank["in5400"]) == (4, 10, 10, 8)
    assert per_bank["assignment3"] == 8
    assert {"in5400/task1.a", "in5400/task2d", "nptel/q7", "assignment3/q5.h"} <= {e["id"] for e in data["questions"]}
    assert {e["id"] for e in data["exercises"]} >= {"in5400/task1", "assignment3/q5"}


def test_show_renders_and_key_reveals() -> None:
    code, out = run(["show", "nptel/q7"])
    assert code == 0 and "3 × (n² + nm + n)" in out and "instructor view" not in out
    code, out = run(["show", "nptel/q7", "--key"])
    assert "instructor view" in out and "key" in out and "B:" in out
    code, data = run_json(["show", "in5400/task1", "--key"])
    assert data["key"] == {"a": 6.0, "b": 2.0, "c": 0.0, "d": 8.0}


def test_bank_text_is_rewrapped_to_the_terminal_not_to_the_authors_editor() -> None:
    from grader.render import prose

    wrapped = ("A simple RNN in which the input, the hidden state and the output are scalars, with\n"
               "identity activations, and a loss that is quadratic in the error at every step t.\n"
               "Consider the RNN from the lecture, written out for the two steps of this question:\n"
               "  h_t = f(W h_{t−1} + V x_t)\n"
               "with total loss L = Σ_t L_t, where L_t is the loss at time step t of the sequence.\n"
               "(a) why?\n"
               "\n"
               "A short line.\n"
               "Stays on its own.")
    assert prose(wrapped).split("\n") == [
        "A simple RNN in which the input, the hidden state and the output are scalars, with identity "
        "activations, and a loss that is quadratic in the error at every step t. Consider the RNN from the "
        "lecture, written out for the two steps of this question:",
        "  h_t = f(W h_{t−1} + V x_t)",
        "with total loss L = Σ_t L_t, where L_t is the loss at time step t of the sequence.",
        "(a) why?", "", "A short line.", "Stays on its own."]
    # On a 60-column terminal a wrapped bank prompt fills its lines instead of leaving stubs.
    code, out = run(["show", "assignment3/q5"], width=60)
    body = [line.strip("│ ") for line in out.splitlines()[1:12]]
    assert code == 0 and all(len(line) > 40 for line in body[2:8]), body  # after the one-line note


CHECKS = [
    (["check", "nptel/q7", "b"], "correct", "B: 3 × (n² + nm + n)"),
    (["check", "nptel/q7", "2"], "correct", "B: 3 × (n² + nm + n)"),
    (["check", "nptel/q7", "A"], "incorrect", "A: n² + nm + 2n"),
    (["check", "nptel/q7", "Z"], "invalid", None),
    (["check", "nptel/q7", "3n(n + m + 1)"], "correct", "B: 3 × (n² + nm + n)"),  # an option typed as its formula
    (["check", "nptel/q7", "4(n^2+nm+n)"], "incorrect", "D: 4 × (n² + nm + n)"),
    (["check", "nptel/q7", "5n"], "invalid", None),
    (["check", "seqmodels/q3", "d, b"], "correct", "B, D"),
    (["check", "seqmodels/q3", "B"], "partial", "B"),
    (["check", "in5400/task1.d", "8.0"], "correct", "8"),
    (["check", "in5400/task1.d", "−4"], "incorrect", "-4"),
    (["check", "in5400/task1.d", "eight"], "invalid", None),
    (["check", "practice/gru_formula", "3n(n+m+1)"], "correct", "3·n·(n + m + 1)"),
    (["check", "practice/gru_formula", "3(n^2+nm)"], "incorrect", "3·(n² + n·m)"),
]


@pytest.mark.parametrize("argv, status, interpreted", CHECKS, ids=[" ".join(c[0][1:]) for c in CHECKS])
def test_check_json_contract(argv: list[str], status: str, interpreted: str | None) -> None:
    code, data = run_json(argv)
    assert code == 0
    assert data["status"] == status
    assert set(data) >= {"status", "score", "feedback", "interpreted_as"}
    assert data["interpreted_as"] == interpreted
    assert 0 <= data["score"] <= 1 and data["feedback"]


def test_check_reads_the_answer_from_stdin() -> None:
    code, data = run_json(["check", "practice/gru_formula", "-"], "3*(n^2 + n*m + n)\n")
    assert code == 0 and data["status"] == "correct"


@pytest.mark.parametrize("question", ["nptel/q7", "in5400/task1.a", "practice/gru_formula", "in5400/task2b"])
def test_huge_answer_on_stdin_is_an_invalid_verdict(question: str) -> None:
    code, data = run_json(["check", question, "-"], "1" * 3_000_000)
    assert code == 0 and data["status"] == "invalid" and "limited to" in data["feedback"]


def test_check_unknown_question_exits_2() -> None:
    code, out = run(["check", "nptel/q77", "A"])
    assert code == 2 and "did you mean" in out.lower()


COMPARES = [
    (["compare", "3*(n^2+n*m+n)", "3n(n+m+1)"], "equivalent"),
    (["compare", "3*(n^2+n*m+n)", "4n(n+m+1)"], "not_equivalent"),
    (["compare", "1-tanh(z)^2", "1/cosh(z)^2"], "equivalent"),
    (["compare", "W*(1-tanh(W*h)^2)", "W/cosh(W*h)^2", "--vars", "W,h"], "equivalent"),
    (["compare", "n^2", "n^2 + q"], "invalid"),
    (["compare", "--functions", "O", "--", "-V*O'(V*s+c)/O(V*s+c)", "-V/O(V*s+c)*O'(V*s+c)"], "equivalent"),
]


@pytest.mark.parametrize("argv, status", COMPARES, ids=[" ".join(c[0][1:3]) for c in COMPARES])
def test_compare_json_contract(argv: list[str], status: str) -> None:
    code, data = run_json(argv)
    assert code == 0 and data["status"] == status
    assert data["method"] and "interpreted_as" in data


def test_compare_reads_stdin_and_rejects_a_bad_key() -> None:
    code, data = run_json(["compare", "x^2", "-"], "x*x")
    assert data["status"] == "equivalent"
    code, out = run(["compare", "__import__('os')", "x"])
    assert code == 2 and "could not read KEY" in out


def test_solve_seed_example() -> None:
    code, data = run_json(["solve", "rnn", "h0=1", "x=[10,10]", "y=[5,5]", "W_h=1", "W_x=0.1", "W_y=2"])
    assert code == 0
    q = data
    assert "steps" not in q
    expected = {"h1": 2, "h2": 3, "yhat1": 4, "yhat2": 6, "L": 2, "dL/dh1": 0, "dL/dW_h": 8, "dL/dW_x": 40,
                "dL/dW_y": 2}
    for name, value in expected.items():
        assert q[name] == pytest.approx(value), name


def test_solve_steps_and_params_file(tmp_path: Path) -> None:
    params = tmp_path / "p.yaml"
    params.write_text("h0: 1\nx: [10, 10]\ny: [5, 5]\nW_h: 1\nW_x: 0.1\nW_y: 2\n", encoding="utf-8")
    code, out = run(["solve", "rnn", "--params", str(params), "--steps"])
    assert code == 0
    assert "∂L/∂h₁ = ∂L₁/∂h₁ + ∂L₂/∂h₁ = −4 + 4 = 0" in out
    assert "∂L/∂W_h = ∂L₁/∂W_h + ∂L₂/∂W_h = −4 + 12 = 8" in out


def test_solve_symbolic_and_list() -> None:
    code, data = run_json(["solve", "param_count", "cell=gru", "n=n", "m=m"])
    assert data["total"] == "3*m*n + 3*n**2 + 3*n"
    code, data = run_json(["solve", "param_count", "cell=gru", "n=4", "m=3", "--steps"])
    assert data["total"] == 3 * (16 + 12 + 4) and any("3 blocks" in line for line in data["steps"])
    code, out = run(["solve", "--list"])
    assert code == 0 and all(name in out for name in ("rnn", "param_count", "jacobian", "gradflow", "nll_output",
                                                      "gru", "lstm"))
    assert "quantities: h1, h2, yhat1" in " ".join(out.split()) and "ctilde1" in out and "dL/dc0" in out


def test_solve_list_json_names_every_solvers_quantities() -> None:
    from solvers import SOLVERS

    code, data = run_json(["solve", "--list"])
    assert code == 0 and set(data) == set(SOLVERS)
    for name, solver in SOLVERS.items():
        known = solver.prepare(solver.example).known  # the names a real solve of the example returns
        assert data[name]["quantities"] and set(data[name]["quantities"]) <= set(known), name


def test_solve_gradflow_draws_a_chart() -> None:
    code, out = run(["solve", "gradflow", "W_hh=0.5", "activation=tanh", "T=6"])
    assert code == 0 and "log₁₀‖∂h_T/∂h_k‖" in out and "█" in out and "vanishing" in out


BAD_SOLVES = [
    ["solve", "rnn", "x=[1,2]", "y=[1,2]", "W_h=[[1,0],[0,1]]", "W_x=1", "W_y=1"],
    ["solve", "rnn", "x=[1]", "y=[1]", "W_h=1", "W_x=1", "W_y=1", "activation=softsign"],
    ["solve", "nosuch"],
    ["solve", "rnn", "x"],
    ["solve", "rnn", "x=!!python/object/apply:os.system ['true']"],
]


@pytest.mark.parametrize("argv", BAD_SOLVES, ids=[" ".join(a[1:3]) for a in BAD_SOLVES])
def test_solve_bad_params_one_line_exit_2(argv: list[str]) -> None:
    code, out = run(argv)
    assert code == 2
    assert out.startswith("error: ") and out.count("\n") == 1 and "Traceback" not in out


def test_broken_bank_dir_exits_2_with_located_lines(tmp_path: Path) -> None:
    (tmp_path / "hse.yaml").write_text("bank: hse\ntitle: x\nquestions: []\n", encoding="utf-8")
    code, out = run(["--bank-dir", str(tmp_path), "list"])
    assert code == 2 and f"{tmp_path / 'hse.yaml'}:" in out and "Traceback" not in out


def _modules_after(argv: list[str]) -> set[str]:
    script = ("import sys, io; from rich.console import Console; from grader.cli import main; "
              f"main({argv!r}, console=Console(file=io.StringIO())); "
              "print(','.join(m for m in ('sympy', 'numpy') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(filter(None, done.stdout.strip().split(",")))


@pytest.mark.parametrize("argv, allowed", [
    (["list"], set()),
    (["show", "nptel/q7"], set()),
    (["check", "hse/q1", "A"], set()),
    (["check", "nptel/q7", "B"], set()),
    (["check", "in5400/task1.a", "6"], {"numpy"}),
    (["compare", "3*(n^2+n*m+n)", "3n(n+m+1)"], set()),
    (["compare", "3*(n^2+n*m+n)", "3n(n+m)"], set()),
], ids=["list", "show", "check choice", "check choice with solver", "check number", "compare scalar formula",
        "compare scalar formula, wrong"])
def test_fast_commands_do_not_import_sympy(argv: list[str], allowed: set[str]) -> None:
    assert _modules_after(argv) <= allowed


def test_show_json_lists_every_parts_options() -> None:
    """Every question of every bank: its options and each part's options, as the bank has them."""
    from grader.banks.catalog import Catalog

    catalog = Catalog.from_dir(None)
    for bank in catalog.banks():
        for question in bank.questions:
            data = json.loads(run(["show", question.id, "--json"])[1])
            assert data["options"] == {o.letter: o.text for o in question.options}
            assert [p["options"] for p in data["parts"]] == [{o.letter: o.text for o in p.options}
                                                             for p in question.parts]
    vanishing = json.loads(run(["show", "practice/vanishing", "--json"])[1])
    assert set(vanishing["parts"][0]["options"]) == {"A", "B", "C"}
    assert vanishing["parts"][1]["accepted"] == "to 3 significant figures (±0.5 %)"


def test_show_renders_part_options_and_tolerance() -> None:
    out = run(["show", "practice/vanishing"])[1]
    assert "(a) As the gradient flows back" in out and "B) It explodes" in out
    assert "Numbers are accepted to 3 significant figures (±0.5 %)." in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert re.fullmatch(r"rnnquiz \S+\n", capsys.readouterr().out)


def test_list_tags() -> None:
    tags = json.loads(run(["list", "--tags", "--json"])[1])["tags"]
    assert tags["bptt"] >= 2 and all(t == t.lower() for t in tags)
    assert "bptt" in run(["list", "--tags"])[1]


def test_prose_keeps_a_sentence_after_a_list_and_equations_apart() -> None:
    from grader.render import prose

    listed = ("Consider the following statements in the context of LSTMs:\n"
              "  2. During backward propagation, the gates control the flow of gradients, at every step.\n"
              "Which of the following options is correct?")
    assert prose(listed).split("\n")[-1] == "Which of the following options is correct?"
    block = ("∂L₂/∂h₁ = ∂L₂/∂ŷ₂ · ∂ŷ₂/∂h₂ · ∂h₂/∂h₁ = 2(ŷ₂ − y₂)·W_y·W_h = 2·1·2·1 = 4\n"
             "∂L/∂h₁ = −4 + 4 = 0")
    assert prose(block).split("\n") == block.split("\n")
