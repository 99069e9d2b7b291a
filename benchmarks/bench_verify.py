"""How long `rnnquiz verify` takes, and what checking the formula options naively would cost.

Prints, in one run:
- `verify` over every built-in bank, and with `--variants 200`;
- the formula options of the banks (GRU counts, ∂L/∂s and ∂L/∂V with an undefined O,
  Jacobian non-zeros) checked against their solver's value by rnnquiz, and by the naive
  `sympy.simplify(option - truth) == 0`, with the ratio.

Usage: python benchmarks/bench_verify.py [--variants 200]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader.marking import options, solutions, variants  # noqa: E402
from grader import verify
from grader.banks.catalog import Catalog  # noqa: E402
from grader.mathinput.mathparse import from_sympy  # noqa: E402


def formula_options(catalog: Catalog) -> list[tuple]:
    """(question, option, truth) for every option stated as a formula in a solver-keyed question."""
    found = []
    for bank in catalog.banks():
        for question in (variants.instantiate(q, 0) for q in bank.questions):
            for item in question.parts or (question,):
                if not (item.solver and item.quantity and item.options):
                    continue
                truth = solutions.solution(item.solver, item.params)[item.quantity]
                found += [(item, option, truth) for option in item.options if option.expr is not None]
    return found


def naive_seconds(cases: list[tuple]) -> tuple[float, int]:
    """simplify(option − truth) == 0 on every case; (seconds, how many it calls equal)."""
    import sympy

    start = time.perf_counter()
    equal = 0
    for question, option, truth in cases:
        # The bank's own formula, built by the project parser (never sympify on bank or student text).
        expr = options.formula(question, option).to_sympy()
        if not hasattr(truth, "free_symbols"):
            subs = {sympy.Symbol(n): v for n, v in question.params.items() if isinstance(v, (int, float))}
            expr, truth = expr.subs(subs), sympy.nsimplify(truth)
        else:
            truth = from_sympy(truth).to_sympy()  # the same symbol spelling as the parsed option
        equal += sympy.simplify(expr - truth) == 0
    return time.perf_counter() - start, equal


def rnnquiz_seconds(cases: list[tuple]) -> tuple[float, int]:
    """rnnquiz's own option check on the same cases; (seconds, how many it calls equal)."""
    start = time.perf_counter()
    equal = sum(options.equals_truth(question, option, truth) for question, option, truth in cases)
    return time.perf_counter() - start, equal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", type=int, default=200)
    args = parser.parse_args()
    catalog = Catalog.from_dir()
    banks = catalog.banks()

    report = verify.verify(banks)
    print(f"verify: {len(report.rows)} questions in {report.seconds:.2f} s, {report.problems} with a problem")
    report = verify.verify(banks, variants=args.variants)
    print(f"verify --variants {args.variants}: {report.seconds:.2f} s, {report.problems} with a problem")

    cases = formula_options(catalog)
    naive, naive_equal = naive_seconds(cases)
    ours, our_equal = rnnquiz_seconds(cases)
    print(f"formula options: {len(cases)}; keyed-equal found: rnnquiz {our_equal}, simplify {naive_equal}")
    print(f"  rnnquiz {ours * 1000:.1f} ms, simplify(a-b)==0 {naive * 1000:.1f} ms, ratio {naive / ours:.0f}x")


if __name__ == "__main__":
    main()
