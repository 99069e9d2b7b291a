"""Commands for instructors: `verify` and `grade`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grader.banks.catalog import Catalog
from grader.cli.context import Context
from grader.errors import UsageError

def cmd_verify(ctx: Context) -> int:
    """Recompute every key and prove every distractor wrong; exit 1 on any problem."""
    from grader import verify  # at first use: keeps the other commands' start-up fast

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
    """Grade submission files into a gradebook and per-student feedback reports."""
    from rich.progress import track  # at first use, as below

    from grader.batch import gradebook, itemstats, report, submissions  # at first use: keeps start-up fast

    files = submissions.discover(ctx.args.submissions)
    overrides = gradebook.load_overrides(ctx.args.overrides)
    refused: list[str] = []
    graded: list[gradebook.Graded] = []
    show_progress = ctx.console.is_terminal and not ctx.args.json and len(files) > 1
    with gradebook.batch():
        for path in track(files, description="grading", console=ctx.console) if show_progress else files:
            try:
                submission = submissions.load(path)
            except submissions.SubmissionError as exc:
                refused.append(str(exc))
                continue
            graded.append(gradebook.grade_submission(ctx.catalog, submission, overrides.get(submission.student, {})))
    stats = itemstats.compute(graded, ctx.catalog) if ctx.args.stats and graded else None
    written = report.write_all(graded, Path(ctx.args.out), stats) if ctx.args.out else []
    if ctx.args.json:  # the refusals are in the output's "refused" list
        ctx.emit_json({"students": [g.to_json() for g in graded], "refused": refused,
                       "stats": stats.to_json() if stats else None, "written": [str(p) for p in written]})
    else:
        if ctx.args.full or len(graded) <= FULL_REPORTS_UP_TO:
            for g in graded:
                ctx.console.print(report.terminal(g))
        else:
            ctx.console.print(report.summary(graded))
            where = f"in {Path(ctx.args.out) / report.REPORTS}" if ctx.args.out else "written with --out DIR"
            ctx.console.print(f"Each student's full report is {where}; --full prints them here.",
                              markup=False, highlight=False)
        if stats:
            ctx.console.print(itemstats.view(stats))
        reports = [path for path in written if path.parent == Path(ctx.args.out) / report.REPORTS]
        for path in [path for path in written if path not in reports]:
            ctx.console.print(f"wrote {path}", markup=False, highlight=False)
        if reports:
            students = sorted({path.stem for path in reports})
            names = f"{students[0]}.md and {students[0]}.html" if len(students) == 1 else \
                f"{len(students)} student reports (Markdown and HTML)"
            ctx.console.print(f"wrote {names} in {reports[0].parent}", markup=False, highlight=False)
        for message in refused:
            ctx.errors.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    return 2 if refused else 0


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
    p.add_argument("--out", metavar="DIR", help="write gradebook.csv, gradebook.json, moodle.csv, canvas.csv, "
                   "reports/STUDENT.md and .html, review-queue.json (and item-stats.json with --stats) to DIR")
    p.add_argument("--overrides", metavar="FILE", help="instructor scores {student: {question id: score}}, "
                   "applied on every run")
    p.add_argument("--stats", action="store_true", help="item statistics: facility, discrimination, "
                   "common wrong answers and misconceptions")
    p.add_argument("--full", action="store_true", help=f"print every student's full report, also for more "
                   f"than {FULL_REPORTS_UP_TO} submissions (a larger batch gets a one-line-per-student summary)")
    p.add_argument("--json", action="store_true", help="print the gradebook as JSON")
    p.set_defaults(handler=cmd_grade)
