"""Benchmark rnnquiz's equivalence check against ``sympy.simplify(a - b) == 0``.

    python benchmarks/bench_equivalence.py [--timeout 10] [--answers 20000] [--command "rnnquiz check hse/q1 A"]

One run over tests/data/equivalence_cases.yaml prints the median latency per check of
rnnquiz (with the key's samples not yet cached, and cached) and of simplify (each case in
a child process with a time limit, forked from a parent that has already run simplify, so
no case pays sympy's one-off warm-up; an overrun counts as a wrong verdict and costs the
limit), their ratios, the wrong verdicts of each, rnnquiz's throughput in distinct answer
strings per second on one core, and the start-up time of a command against
``python -c "import sympy"``. Last, on tests/data/peer_cases.yaml (cases from the peers' own
test suites), how many verdicts rnnquiz and simplify get right. It prints ratios; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.mathinput import equivalence, sampling, symbolic_worker  # noqa: E402
from grader.mathinput.equivalence import compare  # noqa: E402
from grader.mathinput.mathparse import MatrixFormula, parse  # noqa: E402

CASES_FILE = ROOT / "tests" / "data" / "equivalence_cases.yaml"
REPEATS = 20  # warm checks timed per case
STARTUP_RUNS = 3
DEFAULT_COMMAND = "rnnquiz check hse/q1 A"


def load_cases() -> list[dict]:
    cases = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
    for case in cases:
        functions = case.get("functions", ())
        case["key_formula"] = parse(case["key"], variables=None, functions=functions, allow_matrix=True)
        case["answer_formula"] = parse(case["answer"], variables=case.get("variables"), functions=functions, allow_matrix=True)
    return cases


def check(case: dict) -> equivalence.Decision:
    return compare(case["key_formula"], case["answer_formula"], domains=case.get("domains"), form=case.get("form"))


def time_rnnquiz(cases: list[dict]) -> tuple[list[float], list[float], int]:
    """Per case: seconds for a check with nothing cached, then the median warm check."""
    cold, warm, wrong = [], [], 0
    for case in cases:
        sampling.key_samples.cache_clear()
        start = time.perf_counter()
        decision = check(case)
        cold.append(time.perf_counter() - start)
        wrong += decision.equivalent is not case["equivalent"]
        runs = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            check(case)
            runs.append(time.perf_counter() - start)
        warm.append(statistics.median(runs))
    return cold, warm, wrong


def simplify_verdict(key, answer) -> tuple[bool, float]:
    """Runs in the child: the naive check and the seconds simplify took."""
    import sympy

    a, b = key.to_sympy(), answer.to_sympy()
    start = time.perf_counter()
    try:
        difference = sympy.simplify(a - b)
    except sympy.ShapeError:
        return False, time.perf_counter() - start
    same = difference.is_zero_matrix if isinstance(key, MatrixFormula) else difference == 0
    return bool(same), time.perf_counter() - start


def warm_up_sympy() -> float:
    """Import sympy and run simplify once on formulas unlike the cases, before any child is
    forked: each child then starts warm (simplify's first call loads code and builds tables,
    ~0.1 s, which a grader pays once per process, not once per answer). Sympy's cache is
    cleared after, so no case finds its own result cached. Returns the warm-up's seconds."""
    import sympy
    from sympy.core.cache import clear_cache

    start = time.perf_counter()
    x, y = sympy.symbols("x y")
    for expression in ((x + 1) ** 2 - x**2 - 2 * x - 1, sympy.sin(x) ** 2 + sympy.cos(x) ** 2 - 1,
                       sympy.exp(x) * sympy.tanh(y) / (1 + sympy.exp(-x)), sympy.Matrix([[x, y], [y, x]]) ** 2):
        sympy.simplify(expression)
    clear_cache()
    return time.perf_counter() - start


def time_sympy(cases: list[dict], timeout: float) -> tuple[list[float], list[dict], int]:
    """Per case: seconds simplify took; the cases it got wrong; how many overran."""
    warm_up_sympy()
    seconds, wrong, overruns = [], [], 0
    for case in cases:
        outcome = symbolic_worker.run_limited(simplify_verdict, (case["key_formula"], case["answer_formula"]), timeout=timeout)
        if outcome.status != "done":
            overruns += 1
            wrong.append(case)
            seconds.append(timeout)
            continue
        verdict, took = outcome.value
        seconds.append(took)
        if verdict is not case["equivalent"]:
            wrong.append(case)
    return seconds, wrong, overruns


def distinct_answers(count: int) -> list[tuple[str, bool]]:
    """Distinct answer strings to the key 3(n² + nm + n), with the right verdict of each."""
    templates = [
        (lambda c: f"{c}(n^2 + nm + n) - {c - 3}n(n + m + 1)", lambda c: True),
        (lambda c: f"{c}n^2 + {c}nm + {c}n", lambda c: c == 3),
        (lambda c: f"3n(n + m + 1) + {c}/{c + 1} - {c}/{c + 1}", lambda c: True),
        (lambda c: f"3(n² + n·m + n) + {c}m/100", lambda c: False),
        (lambda c: f"{c + 1}(n^2 + nm) - {c - 2}(n^2 + nm) + 3n", lambda c: True),
    ]
    answers = []
    for i in range(count):
        text, truth = templates[i % len(templates)]
        c = 4 + i // len(templates)
        answers.append((text(c), truth(c)))
    return answers


def throughput(count: int) -> tuple[float, int]:
    key = parse("3*(n^2 + n*m + n)", variables=None)
    answers = distinct_answers(count)
    compare(key, parse(answers[0][0], variables=["n", "m"]))  # caches the key's samples
    wrong = 0
    start = time.perf_counter()
    for text, truth in answers:
        wrong += compare(key, parse(text, variables=["n", "m"])).equivalent is not truth
    return count / (time.perf_counter() - start), wrong


def median_seconds(command: list[str]) -> tuple[float, int]:
    """Median wall-clock seconds of a command, and its exit status."""
    runs, status = [], 0
    for _ in range(STARTUP_RUNS):
        start = time.perf_counter()
        status = subprocess.run(command, capture_output=True, check=False).returncode
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), status


def startup_ratio(command: str = DEFAULT_COMMAND) -> float | None:
    """Start-up time of ``command`` divided by that of ``python -c "import sympy"``."""
    words = shlex.split(command)
    # Also look beside this Python, for a virtualenv that is not activated.
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    program = shutil.which(words[0], path=search)
    if program is None:
        print(f"startup: skipped: {words[0]} not installed")
        return None
    words[0] = program
    sympy_seconds, _ = median_seconds([sys.executable, "-c", "import sympy"])
    command_seconds, status = median_seconds(words)
    ratio = command_seconds / sympy_seconds
    print(f"startup: {command!r} {command_seconds * 1e3:.0f} ms (exit status {status}), python -c 'import sympy' {sympy_seconds * 1e3:.0f} ms, ratio {ratio:.2f}")
    return ratio


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--timeout", type=float, default=10.0, help="seconds allowed to simplify per case")
    options.add_argument("--answers", type=int, default=20000, help="distinct answers for the throughput run")
    options.add_argument("--command", default=DEFAULT_COMMAND, help="command whose start-up is timed")
    args = options.parse_args()

    # Throughput first, as in the CLI: before sympy and its objects are in memory.
    rate, throughput_wrong = throughput(args.answers)
    cases = load_cases()
    value_cases = [case for case in cases if not case.get("form")]
    cold, warm, wrong = time_rnnquiz(cases)
    simplify_seconds, simplify_wrong, overruns = time_sympy(value_cases, args.timeout)
    ms = 1e3
    print(f"cases: {len(cases)} ({len(cases) - len(value_cases)} about form, which simplify cannot judge, left out of its run)")
    print(f"rnnquiz: median {statistics.median(cold) * ms:.3f} ms per check with the key not cached, {statistics.median(warm) * ms:.3f} ms cached; wrong verdicts {wrong}")
    by_rule = sum(str(case.get("note", "")).startswith("rule:") for case in simplify_wrong)
    print(
        f"simplify(a-b)==0: median {statistics.median(simplify_seconds) * ms:.1f} ms per check, max {max(simplify_seconds) * ms:.0f} ms; "
        f"wrong verdicts {len(simplify_wrong)} ({overruns} over the {args.timeout:g} s limit, {by_rule} on cases decided by rnnquiz's tolerance rule)"
    )
    print(f"ratio: simplify / rnnquiz = {statistics.median(simplify_seconds) / statistics.median(cold):.0f}x (key not cached), {statistics.median(simplify_seconds) / statistics.median(warm):.0f}x (cached)")
    print(f"throughput: {rate:,.0f} distinct answers/s on one core (parse + compare, key cached); wrong verdicts {throughput_wrong} of {args.answers}")
    startup_ratio(args.command)
    peer_table(args.timeout)


# ---------------------------------------------------------------------------- the peers' cases (issue 18)

PEER_CASES_FILE = ROOT / "tests" / "data" / "peer_cases.yaml"


def rnnquiz_status(case: dict) -> str:
    """The status `rnnquiz compare --json` reports for a peer case."""
    import io
    import json

    from rich.console import Console

    from grader.cli import main as cli

    argv = ["compare", case["a"], case["b"], "--json"] + (["--vars", ",".join(case["vars"])] if case["vars"] else [])
    argv += ["--functions", ",".join(case["functions"])] if case.get("functions") else []
    out = io.StringIO()
    cli(argv, stdin=io.StringIO(""), console=Console(file=out, width=200, color_system=None))
    return json.loads(out.getvalue())["status"]


def peer_table(timeout: float) -> None:
    """How many of the peers' cases rnnquiz and simplify(a-b)==0 get right (and how fast)."""
    from grader.errors import ResponseError

    cases = yaml.safe_load(PEER_CASES_FILE.read_text(encoding="utf-8"))
    start = time.perf_counter()
    rnnquiz_right = sum(rnnquiz_status(case) == case["expect"] for case in cases)
    rnnquiz_seconds = time.perf_counter() - start
    simplify_right = readable = 0
    start = time.perf_counter()
    for case in cases:
        try:
            key = parse(case["a"], variables=case["vars"], functions=case.get("functions", ()), allow_matrix=True)
            answer = parse(case["b"], variables=case["vars"], functions=case.get("functions", ()), allow_matrix=True)
        except ResponseError:
            continue  # simplify is only ever given what our parser read; it cannot refuse input itself
        readable += 1
        outcome = symbolic_worker.run_limited(simplify_verdict, (key, answer), timeout=timeout)
        verdict = outcome.value[0] if outcome.status == "done" else None
        simplify_right += {True: "equivalent", False: "not_equivalent"}.get(verdict) == case["expect"]
    simplify_seconds = time.perf_counter() - start
    print(f"peer cases ({PEER_CASES_FILE.name}): rnnquiz right on {rnnquiz_right} of {len(cases)} "
          f"({rnnquiz_seconds:.1f} s through compare --json in-process); simplify(a-b)==0 right on {simplify_right} of "
          f"{len(cases)} ({readable} both sides readable; it cannot say invalid or undecided; {simplify_seconds:.1f} s)")


if __name__ == "__main__":
    main()
