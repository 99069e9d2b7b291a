"""Commands for instructors: `verify` and `grade`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from grader.cli.context import Context
from grader.errors import UsageError

def cmd_verify(ctx: Context) -> int:
    """Recompute every key and prove every distractor wrong; exit 1 on any problem."""
    from grader import verify  # at first use: keeps the other commands' start-up fast
    from grader.banks.catalog import Catalog

    catalog = Catalog.from_args(ctx.args.banks, ctx.args.bank_dir)
    report = verify.verify(catalog.banks(), only=ctx.args.question, variants=ctx.args.variants)
    if ctx.args.question and not report.rows:
        raise UsageError(f"no question '{ctx.args.question}' in the banks checked")
    if ctx.args.json:
        ctx.emit_json(report.to_json())
    else:
        verify.print_report(ctx.console, report)
    return 1 if report.problems else 0


FULL_REPORTS_UP_TO = 5
"""Submissions whose full reports `grade` prints; a larger batch gets a summary table."""


def cmd_grade(ctx: Context) -> int:
    """Grade submission files into a gradebook and per-student feedback reports, as a stream."""
    from rich.progress import track  # at first use, as below

    from grader.batch import gradebook, itemstats, report, stream, submissions  # at first use: fast start-up
    from grader.batch.writer import ClassWriter

    files = submissions.discover(ctx.args.submissions)
    full = ctx.args.full or len(files) <= FULL_REPORTS_UP_TO
    batch = stream.Batch(ctx.catalog, gradebook.load_overrides(ctx.args.overrides), full and not ctx.args.json)
    writer = ClassWriter(Path(ctx.args.out)) if ctx.args.out else None
    tally = itemstats.Tally() if ctx.args.stats else None
    refused: list[str] = []
    shown: list[stream.Row] = []  # the first rows, for the summary table: bounded, not the class
    count = 0
    rows = stream.run(files, batch, ctx.args.jobs or stream.default_jobs())
    if ctx.console.is_terminal and not ctx.args.json and len(files) > 1:
        rows = track(rows, total=len(files), description="grading", console=ctx.console, transient=True)
    if ctx.args.json:  # streamed, row by row; the refusals are in the output's "refused" list
        ctx.console.file.write('{"students": [\n')
    for row in rows:
        if isinstance(row, str):
            refused.append(row)
            continue
        if writer:
            writer.add(row)
        if tally is not None:
            tally.add(row.stats)
        if ctx.args.json:
            ctx.console.file.write((",\n" if count else "") + row.json)
        elif row.graded is not None:
            ctx.console.print(report.terminal(row.graded))
        elif len(shown) < report.SUMMARY_ROWS:
            shown.append(row)
        count += 1
    stats = tally.result(ctx.catalog) if tally else None
    written = writer.finish(stats) if writer else []
    if ctx.args.json:
        rest = {"refused": refused, "stats": stats.to_json() if stats else None, "written": [str(p) for p in written]}
        ctx.console.file.write("\n], " + json.dumps(rest, ensure_ascii=False)[1:] + "\n")
        return 2 if refused else 0
    if not batch.keep_graded:
        ctx.console.print(report.summary(shown, count))
        where = f"in {Path(ctx.args.out) / report.REPORTS}" if ctx.args.out else "written with --out DIR"
        ctx.console.print(f"Each student's full report is {where}; --full prints them here.",
                          markup=False, highlight=False)
    if stats:
        ctx.console.print(itemstats.view(stats))
    for path in written:
        ctx.console.print(f"wrote {path}", markup=False, highlight=False)
    if writer and writer.first:
        names = writer.first.name if writer.reports == 1 else f"{writer.reports} student reports"
        ctx.console.print(f"wrote {names} in {writer.first.parent}", markup=False, highlight=False)
    for message in refused:
        ctx.errors.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    return 2 if refused else 0


def _jobs(text: str) -> int:
    """A --jobs value: a whole number of processes, at least 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of processes (1 or more)")
    return int(text)


def register(sub: Any) -> None:
    """Add these commands to the `rnnquiz` sub-command parser."""
    p = sub.add_parser("verify", help="prove every key with the solvers (exit 1 on a problem)",
                       description="Check every question of the banks: solver-backed keys are recomputed and "
                       "literal claims compared; options stated as values, formulas or chain-rule products are "
                       "evaluated; each question self-tests (key scores 1, distractors below 1, garbage invalid); "
                       "no distractor may equal the key. Exits 1 when any problem is found.")
    p.add_argument("banks", metavar="BANK", nargs="*", help="bank ids or paths to bank files (default: all)")
    p.add_argument("--question", metavar="ID", help="check only this question (or exercise)")
    p.add_argument("--variants", metavar="N", type=int, default=0,
                   help="also check N seeds of every randomised question: solvable, shown exactly, no zero or "
                   "overflowing key, no distractor or misconception equal to the key")
    p.add_argument("--json", action="store_true", help="print JSON for CI")
    p.set_defaults(handler=cmd_verify)

    p = sub.add_parser("grade", help="grade submission files into a gradebook and feedback reports",
                       description="Grade SUBMISSION files (YAML or JSON; a directory stands for the files in it; "
                       "the format is in examples/README.md). Exercises get follow-through credit for a student's own "
                       "earlier values, wrong answers are matched against known misconceptions, and written answers "
                       "are scored provisionally and flagged for review. A refused file is reported and the others "
                       "are still graded (exit 2 if any was refused).")
    p.add_argument("submissions", metavar="SUBMISSION", nargs="+")
    p.add_argument("--out", metavar="DIR", help="write gradebook.csv, gradebook.json, reports/STUDENT.md, "
                   "review-queue.json (and item-stats.json with --stats) to DIR")
    p.add_argument("--overrides", metavar="FILE", help="instructor scores {student: {question id: score}}, "
                   "applied on every run")
    p.add_argument("--stats", action="store_true", help="item statistics: facility, discrimination, "
                   "common wrong answers and misconceptions")
    p.add_argument("--full", action="store_true", help=f"print every student's full report, also for more "
                   f"than {FULL_REPORTS_UP_TO} submissions (a larger batch gets a one-line-per-student summary)")
    p.add_argument("--json", action="store_true", help="print the gradebook as JSON")
    p.add_argument("--jobs", metavar="N", type=_jobs, help="grade in N processes (default: this machine's "
                   "cores); the output is the same for any N")
    p.set_defaults(handler=cmd_grade)
