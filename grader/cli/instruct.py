"""Commands for instructors: `verify` and `grade`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from grader.cli.context import Context, print_error
from grader.errors import UsageError
from grader.textsafe import json_escapes, one_line

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

    from grader.batch import grading, groups, itemstats, report, stream, submissions  # at first use: fast start-up
    from grader.batch import overrides as overrides_file  # likewise
    from grader.batch.writer import ClassWriter  # likewise

    jobs = _jobs(ctx.args.jobs, stream.default_jobs())
    files = submissions.discover(ctx.args.submissions)
    overrides = overrides_file.load_overrides(ctx.args.overrides, ctx.catalog)
    full = ctx.args.full or len(files) <= FULL_REPORTS_UP_TO
    writer = ClassWriter(Path(ctx.args.out)) if ctx.args.out else None
    batch = stream.Batch(ctx.catalog, overrides, overrides_file.load_group_overrides(ctx.args.overrides),
                         keep_graded=full and not ctx.args.json,
                         reports=writer.out / report.REPORTS if writer else None)
    tally = itemstats.Tally() if ctx.args.stats else None
    roster = grading.Roster()  # here, in file order, before a student's report is written
    refused: list[str] = []
    overridden: dict[str, frozenset[str]] = {}  # what the overrides' own students were graded on
    shown: list[tuple[submissions.Found, stream.Row]] = []  # the first rows, for the summary: bounded
    grouper = groups.Grouper(writer.out if writer else None)  # the answer groups, built as rows arrive
    count = 0
    rows = stream.run(files, batch, jobs)
    outcomes = rows
    if ctx.console.is_terminal and not ctx.args.json and len(files) > 1:
        outcomes = track(outcomes, total=len(files), description="grading", console=ctx.console, transient=True)
    out = _JsonStream(ctx) if ctx.args.json else None
    try:
        for found, outcome in zip(files, outcomes):
            row = roster.admit(outcome)
            if isinstance(row, grading.Refused):
                refused.append(row.line)
                if writer and isinstance(outcome, stream.Row):
                    writer.discard(outcome)
                continue
            if writer:
                writer.add(row)
            if tally is not None:
                tally.add(row.stats)
            if row.student in overrides:
                overridden[row.student] = row.items
            for item in row.written:
                grouper.add(item)
            if out:
                out.student(row.json)
            elif row.graded is not None:
                ctx.console.print(report.terminal(row.graded))
            elif len(shown) < report.SUMMARY_ROWS:
                shown.append((found, row))
            count += 1
    except BaseException:  # Ctrl-C or a failure: stop the workers, leave no hidden drafts
        rows.close()
        if writer:
            writer.sweep()
        grouper.close()
        raise
    refused += overrides_file.unused_overrides(overrides, overridden)
    stats = tally.result(ctx.catalog) if tally else None
    written = writer.finish(stats, grouper) if writer else []
    to_review = (grouper.answers, len(grouper.groups()))
    grouper.close()
    if out:  # the refusals are in the output's "refused" list
        paths = writer.paths(roster.first, written) if writer else []
        out.end({"refused": refused, "stats": stats.to_json() if stats else None, "written": [str(p) for p in paths]})
    else:
        if not batch.keep_graded:
            _summary(ctx, batch, shown, count)
        _closing_lines(ctx, writer, stats, to_review, written, refused)
    # 0: every file graded; 1: some refused (each named), the rest graded and written; 2: none graded.
    return 0 if not refused else (1 if count else 2)


def _summary(ctx: Context, batch: Any, shown: list[Any], count: int) -> None:
    """The summary table; or, when no more than FULL_REPORTS_UP_TO files were graded after
    all (others were refused), their full reports, graded again here (they are few)."""
    from grader.batch import gradebook, grading, report  # at first use, as in cmd_grade

    if count > FULL_REPORTS_UP_TO:
        ctx.console.print(report.summary([row for _, row in shown], count))
        where = f"in {Path(ctx.args.out) / report.REPORTS}" if ctx.args.out else "written with --out DIR"
        ctx.console.print(f"Each student's full report is {where}; --full prints them here.",
                          markup=False, highlight=False)
        return
    with gradebook.batch():
        for found, _ in shown:
            graded = grading.grade_file(batch.catalog, found, batch.overrides, batch.group_overrides)
            ctx.console.print(report.terminal(graded))


def _closing_lines(ctx: Context, writer: Any, stats: Any, to_review: tuple[int, int], written: list[Path],
                   refused: list[str]) -> None:
    """After the reports or the summary: statistics, the review count, what was written, refusals."""
    from grader.batch import itemstats, report  # at first use, as in cmd_grade

    if stats:
        ctx.console.print(itemstats.view(stats))
    if to_review[0]:
        ctx.console.print(f"{to_review[0]} written answers to review in {to_review[1]} "
                          "groups (review-queue.json lists them, largest first)", markup=False, highlight=False)
    for path in written:
        ctx.console.print(f"wrote {path}", markup=False, highlight=False)
    if writer and writer.first:
        stem = report.file_name(writer.first, "")
        names = f"{stem}.md and {stem}.html" if writer.reports == 1 else \
            f"{writer.reports} student reports (Markdown and HTML)"
        ctx.console.print(f"wrote {names} in {writer.out / report.REPORTS}", markup=False, highlight=False)
    for message in refused:
        print_error(ctx.errors, message)


class _JsonStream:
    """`grade --json` written as it streams, byte for byte what `Context.emit_json` prints
    for the whole class: {"students": [...], "refused", "stats", "written"}, indented by 2."""

    def __init__(self, ctx: Context) -> None:
        self.file = ctx.console.file
        self.count = 0
        self.file.write('{\n  "students": [')

    def student(self, row_json: bytes) -> None:
        """One student's gradebook row (compact JSON, UTF-8), indented as inside the list."""
        block = json.dumps(json.loads(row_json), ensure_ascii=False, indent=2)
        self.file.write(("," if self.count else "") + "\n" + json_escapes("\n".join("    " + line for line in block.splitlines())))
        self.count += 1

    def end(self, rest: dict[str, Any]) -> None:
        """The list's end and the other keys."""
        self.file.write(("\n  ]" if self.count else "]") + "," + json_escapes(json.dumps(rest, ensure_ascii=False, indent=2)[1:]) + "\n")


def _jobs(text: str | None, default: int) -> int:
    """A --jobs value: a whole number of processes, at least 1 (judged here, not by the
    parser, as every option value is: a value may start with '-')."""
    if text is None:
        return default
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise UsageError(f"--jobs: '{one_line(text[:40])}' is not a number of processes; give 1 or more (e.g. --jobs 2)")
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
                       "are still graded. Exit 0: all graded; 1: some refused or an override changed nothing; 2: usage error or nothing graded.")
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
    p.add_argument("--jobs", metavar="N", help="grade in N processes (default: this machine's "
                   "cores); the output is the same for any N")
    p.set_defaults(handler=cmd_grade)
