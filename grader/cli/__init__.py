"""The `rnnquiz` command line: a thin layer of argparse and rich over the grader.

Every command returns an exit code: 0 when it did its job (whatever it found), 1 when
`verify` found a problem, 2 for a usage or input-file error, which is printed as one
line (or one line per bank problem) and never as a traceback, unless --debug is given.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Callable, TextIO

from rich.console import Console

from grader.banks.catalog import Catalog
from grader.errors import QuizError, UsageError

MAX_STDIN_BYTES = 1_000_000
"""Longest answer read from standard input (`-`)."""

EPILOG = """\
Examples:
  rnnquiz list                                  banks and question ids
  rnnquiz show nptel/q7 --key                   a question, with its key
  rnnquiz check nptel/q7 B                      grade one answer
  rnnquiz check in5400/task1 "a=6; b=2; c=0; d=8"
  echo "3(n^2+nm+n)" | rnnquiz check nptel/q7 -   read the answer from stdin
"""


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as UsageError instead of exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message} (try --help)")


class Context:
    """What a command needs: parsed arguments, the banks, and where to read and write."""

    def __init__(self, args: argparse.Namespace, console: Console, stdin: TextIO, errors: Console) -> None:
        self.args = args
        self.console = console
        self.errors = errors
        self.stdin = stdin
        self._catalog: Catalog | None = None

    @property
    def catalog(self) -> Catalog:
        """The banks named by --bank-dir (or the built-in ones)."""
        if self._catalog is None:
            self._catalog = Catalog.from_dir(self.args.bank_dir)
        return self._catalog

    def answer(self, text: str) -> str:
        """An answer argument, where '-' means: read it from standard input."""
        if text != "-":
            return text
        # Read one character past the cap and no more: an over-long answer is then judged (and
        # refused) by its kind like any other input, without reading an unbounded stream.
        return self.stdin.read(MAX_STDIN_BYTES + 1).rstrip("\n")

    def emit_json(self, data: Any) -> None:
        """Print JSON to the output, unwrapped and uncoloured, for scripts."""
        self.console.file.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


Command = Callable[[Context], int]


def cmd_list(ctx: Context) -> int:
    """List banks and question ids."""
    from rich.text import Text

    banks = ctx.catalog.banks()
    if ctx.args.json:
        ctx.emit_json(_list_json(banks))
        return 0
    # Plain aligned lines, not a table: one line per question whatever the width, ids never cut.
    wide = ctx.console.width >= 110
    width = max((len(item.id) for bank in banks for item in bank.items()), default=2) + 2
    for bank in banks:
        ctx.console.print(Text(f"{bank.id} — {bank.title} ({bank.document})", style="bold"),
                          no_wrap=True, overflow="ellipsis")
        for item in bank.items():
            name = ("  " if item.parent else "") + item.id
            topic = f"{item.topic:<20} " if wide else ""
            line = Text(f"  {name:<{width}}{item.kind:<11}{topic}")
            line.append(_first_line(item.prompt), style="dim")
            ctx.console.print(line, no_wrap=True, overflow="ellipsis")
    return 0



def _list_json(banks: list) -> dict[str, Any]:
    questions = []
    exercises = []
    for bank in banks:
        for question in bank.questions:
            if question.parts:
                exercises.append({"id": question.id, "bank": bank.id, "title": _first_line(question.prompt),
                                  "parts": [p.id for p in question.parts]})
            for item in question.parts or (question,):
                entry = {"id": item.id, "bank": bank.id, "kind": item.kind, "topic": item.topic,
                         "tags": list(item.tags or question.tags), "title": _first_line(item.prompt),
                         "source": {"document": item.source.document, "question": item.source.question}}
                if item.parent:
                    entry["exercise"] = item.parent
                questions.append(entry)
    return {
        "banks": [{"id": b.id, "title": b.title, "document": b.document, "path": b.path,
                   "questions": sum(len(q.parts) or 1 for q in b.questions)} for b in banks],
        "questions": questions,
        "exercises": exercises,
    }


def _first_line(text: str, width: int = 70) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= width else line[: width - 1] + "…"


def cmd_show(ctx: Context) -> int:
    """Render a question as a student sees it; --key adds the key and explanation."""
    from grader.marking import keys, variants
    from grader import render

    question = variants.instantiate(ctx.catalog.question(ctx.args.question), ctx.args.seed)
    key = keys.expected(question) if ctx.args.key else None
    if ctx.args.json:
        data: dict[str, Any] = {"id": question.id, "kind": question.kind, "prompt": question.prompt,
                                "options": {o.letter: o.text for o in question.options},
                                "parts": [{"id": p.id, "kind": p.kind, "prompt": p.prompt} for p in question.parts]}
        if ctx.args.key:
            data["key"] = _jsonable(key)
            data["explanation"] = question.explanation
            data["notes"] = question.notes
        ctx.emit_json(data)
        return 0
    ctx.console.print(render.question_panel(question))
    if ctx.args.key:
        ctx.console.print(render.key_panel(question, key))
    return 0


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (frozenset, set)):
        return sorted(value)
    if hasattr(value, "interpreted_as"):
        return value.interpreted_as()
    return value


def cmd_check(ctx: Context) -> int:
    """Grade one answer to one question."""
    from grader.marking import keys, kinds, variants
    from grader import render

    question = variants.instantiate(ctx.catalog.question(ctx.args.question), ctx.args.seed)
    verdict = kinds.grade(question, ctx.answer(ctx.args.answer), keys.expected(question))
    if ctx.args.json:
        ctx.emit_json({"question": question.id, **verdict.to_json()})
    else:
        ctx.console.print(render.verdict_text(verdict))
    return 0


def cmd_compare(ctx: Context) -> int:
    """Report whether two expressions are equal."""
    from grader.mathinput import equivalence, mathparse
    from grader.errors import ResponseError

    key_text, answer_text = ctx.answer(ctx.args.key), ctx.answer(ctx.args.answer)
    variables = [v.strip() for v in ctx.args.vars.split(",") if v.strip()] if ctx.args.vars else None
    functions = [f.strip() for f in ctx.args.functions.split(",") if f.strip()] if ctx.args.functions else []
    try:
        key = mathparse.parse(key_text, variables=variables, functions=functions, allow_matrix=True)
    except ResponseError as exc:
        raise UsageError(f"could not read KEY: {exc}") from None
    names = variables if variables is not None else sorted(key.names)
    result: dict[str, Any] = {"key_interpreted_as": key.interpreted_as()}
    try:
        answer = mathparse.parse(answer_text, variables=names, functions=functions or sorted(key.functions),
                                 allow_matrix=True)
    except ResponseError as exc:
        result.update(status="invalid", method="parse", interpreted_as=None, detail=str(exc))
    else:
        decision = equivalence.compare(key, answer, seed=ctx.args.seed)
        # Undecided (sympy ran out of time) is reported as not shown equivalent; `method` says why.
        status = "equivalent" if decision.equivalent else "not_equivalent"
        result.update(status=status, method=decision.method, interpreted_as=answer.interpreted_as(),
                      detail=decision.detail)
    if ctx.args.json:
        ctx.emit_json(result)
    else:
        style = {"equivalent": "green", "not_equivalent": "red"}.get(result["status"], "magenta")
        ctx.console.print(f"[bold {style}]{result['status']}[/]  (decided by {result['method']})", highlight=False)
        ctx.console.print(f"key read as:    {result['key_interpreted_as']}", markup=False, highlight=False)
        if result["interpreted_as"]:
            ctx.console.print(f"answer read as: {result['interpreted_as']}", markup=False, highlight=False)
        if result.get("detail"):
            ctx.console.print(result["detail"], markup=False, highlight=False)
    return 0


def cmd_solve(ctx: Context) -> int:
    """Run a solver on parameters and print its quantities or its worked steps."""
    from grader.cli import solve as solving

    if ctx.args.list or not ctx.args.solver:
        solving.print_solver_list(ctx.console, as_json=ctx.args.json, emit_json=ctx.emit_json)
        return 0
    params = solving.read_params(ctx.args.assignments, ctx.args.params)
    solution = solving.run(ctx.args.solver, params)
    if ctx.args.json:
        ctx.emit_json(solving.solution_json(solution, steps=ctx.args.steps))
    else:
        solving.print_solution(ctx.console, ctx.args.solver, solution, steps=ctx.args.steps)
    return 0


def cmd_take(ctx: Context) -> int:
    """Run an interactive session; every answer is saved as it is given."""
    from grader.sessions import session, store

    args = ctx.args
    options = session.TakeOptions(
        student=session.resolve_student(args.student), banks=tuple(args.banks), tags=tuple(args.tag),
        shuffle=args.shuffle, exam=args.exam, seed=args.seed, resume=args.resume,
    )
    with store.Store(args.db or store.default_path()) as db:
        return session.take(ctx.catalog, db, session.Terminal(ctx.console, ctx.stdin), options)


def cmd_review(ctx: Context) -> int:
    """Re-ask the student's misses that are due (Leitner boxes)."""
    from grader.sessions import session, store

    if ctx.args.limit < 1:
        raise UsageError("--limit must be at least 1")
    with store.Store(ctx.args.db or store.default_path()) as db:
        return session.review_due(ctx.catalog, db, session.Terminal(ctx.console, ctx.stdin),
                                  session.resolve_student(ctx.args.student), ctx.args.limit)


def cmd_history(ctx: Context) -> int:
    """List the student's past sessions."""
    from grader.sessions import history, session, store

    student = session.resolve_student(ctx.args.student)
    with store.Store(ctx.args.db or store.default_path()) as db:
        sessions, attempts = db.sessions(student), db.attempts(student=student)
    rows = history.history(sessions, attempts, history.resolve(ctx.catalog, (q for s in sessions for q in s.plan)))
    if ctx.args.json:
        ctx.emit_json({"student": student, "sessions": history.to_json(rows)})
    else:
        ctx.console.print(history.history_view(rows, student, ctx.console.width))
    return 0


def cmd_stats(ctx: Context) -> int:
    """Show the student's mastery by topic and by misconception."""
    from grader.sessions import history, review, session, store

    student = session.resolve_student(ctx.args.student)
    with store.Store(ctx.args.db or store.default_path()) as db:
        attempts = db.attempts(student=student)
    questions = history.resolve(ctx.catalog, (review.card_id(a.question_id) for a in attempts))
    topics = history.mastery(attempts, {cid: q.topic for cid, q in questions.items()})
    named = history.misconceptions(attempts)
    if ctx.args.json:
        ctx.emit_json({"student": student, "topics": history.to_json(topics),
                       "misconceptions": history.to_json(named)})
    else:
        ctx.console.print(history.stats_view(topics, named, student, ctx.console.width))
    return 0


def cmd_verify(ctx: Context) -> int:
    """Recompute every key and prove every distractor wrong; exit 1 on any problem."""
    from grader import verify

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
    from pathlib import Path

    from rich.progress import track

    from grader.batch import gradebook, itemstats, report, submissions

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
            names = reports[0].name if len(reports) == 1 else f"{len(reports)} student reports"
            ctx.console.print(f"wrote {names} in {reports[0].parent}", markup=False, highlight=False)
        for message in refused:
            ctx.errors.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    return 2 if refused else 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command and its help."""
    parser = _Parser(
        prog="rnnquiz",
        description="Quizzes and exercises on recurrent neural networks, graded in the terminal. "
        "Answer keys are recomputed by solvers, not trusted.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--bank-dir", metavar="DIR", help="read banks from DIR instead of the built-in ones "
                        "(also $RNNQUIZ_BANK_DIR)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("list", help="list banks and question ids", description="List every bank and question id.")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("show", help="show a question (with --key: its key)",
                       description="Render a question as a student sees it. With --key, also its key, "
                       "explanation, source and notes.")
    p.add_argument("question", metavar="QUESTION_ID", help="e.g. nptel/q7 or in5400/task1.c")
    p.add_argument("--key", action="store_true", help="also show the key and explanation")
    p.add_argument("--seed", type=int, default=0, help="variant seed of a randomised question (default 0)")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("check", help="grade one answer",
                       description="Grade ANSWER to QUESTION_ID. Choices take a letter, number or the option's "
                       "text; multi-select takes 'A,C'; numbers take 6, -4, 2.5e-3 or 1/3; an exercise takes "
                       "'a=6; b=2'. An ANSWER of '-' is read from standard input.")
    p.add_argument("question", metavar="QUESTION_ID")
    p.add_argument("answer", metavar="ANSWER")
    p.add_argument("--seed", type=int, default=0, help="variant seed of a randomised question (default 0)")
    p.add_argument("--json", action="store_true", help="print JSON: status, score, feedback, interpreted_as")
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("compare", help="are two expressions equal?",
                       description="Report whether ANSWER equals KEY, and how that was decided. Variables default "
                       "to the names in KEY. '-' reads an argument from standard input. A KEY or ANSWER that starts "
                       "with '-' goes after '--': rnnquiz compare -- '-V*x' '-x*V'.")
    p.add_argument("key", metavar="KEY", help="e.g. '3*(n^2+n*m+n)'")
    p.add_argument("answer", metavar="ANSWER", help="e.g. '3n(n+m+1)'")
    p.add_argument("--vars", metavar="n,m", help="the variables a student may use (default: the names in KEY)")
    p.add_argument("--functions", metavar="O", help="undefined one-argument functions, e.g. O (then O' is its derivative)")
    p.add_argument("--seed", type=int, default=0, help="seed of the sampling points (default 0)")
    p.add_argument("--json", action="store_true", help="print JSON: status, method, interpreted_as")
    p.set_defaults(handler=cmd_compare)

    p = sub.add_parser("solve", help="recompute quantities with a solver",
                       description="Run SOLVER on NAME=VALUE parameters (each VALUE read as YAML: x=[10,10], "
                       "W_h=1, activation=tanh; a name like W_h=w makes it symbolic).",
                       epilog="Example: rnnquiz solve rnn h0=1 x=[10,10] y=[5,5] W_h=1 W_x=0.1 W_y=2 --steps",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("solver", metavar="SOLVER", nargs="?", help="a solver name (see --list)")
    p.add_argument("assignments", metavar="NAME=VALUE", nargs="*")
    p.add_argument("--params", metavar="FILE", help="read parameters from a YAML file (NAME=VALUE wins)")
    p.add_argument("--list", action="store_true", help="list the solvers and their parameters")
    p.add_argument("--steps", action="store_true", help="print the worked derivation")
    p.add_argument("--json", action="store_true", help="print every named quantity as a JSON object "
                   "{name: value}; with --steps also \"steps\" and \"notes\"")
    p.set_defaults(handler=cmd_solve)

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
    p.set_defaults(handler=cmd_grade)
    from grader.sessions.review import LIMIT_DEFAULT

    attempts_db = argparse.ArgumentParser(add_help=False)
    attempts_db.add_argument("--db", metavar="PATH", help="the attempts database (default: $RNNQUIZ_DB, else "
                             "$XDG_DATA_HOME/rnnquiz/attempts.db, else ~/.local/share/rnnquiz/attempts.db)")
    attempts_db.add_argument("--student", metavar="NAME", help="whose attempts (default: $RNNQUIZ_STUDENT, "
                             "else your user name)")

    p = sub.add_parser("take", parents=[attempts_db], help="take a quiz interactively (saved as you go)",
                       description="Ask the questions of BANK(s) one by one. Every answer is saved as soon as it "
                       "is graded; :quit, Ctrl-C or a lost connection can be resumed with --resume. At the "
                       "prompt: :hint, :skip, :quit, :help. With no BANK, choose from a list.")
    p.add_argument("banks", metavar="BANK", nargs="*", help="bank ids (see `rnnquiz list`)")
    p.add_argument("--tag", metavar="T", action="append", default=[],
                   help="only questions tagged T (repeat for several)")
    p.add_argument("--shuffle", action="store_true", help="ask the questions in random order")
    p.add_argument("--exam", action="store_true", help="no feedback until the end")
    p.add_argument("--seed", metavar="N", type=int, help="seed for --shuffle (stored with the session)")
    p.add_argument("--resume", action="store_true", help="continue the latest unfinished session")
    p.set_defaults(handler=cmd_take)

    p = sub.add_parser("review", parents=[attempts_db], help="re-ask what you got wrong, when it is due",
                       description="Re-ask missed questions that are due: a miss comes back at once, a "
                       "success moves the question to a later box (Leitner, 2^(box-1) days). Questions "
                       "whose misses show a repeated misconception come first.")
    p.add_argument("--limit", metavar="N", type=int, default=LIMIT_DEFAULT,
                   help=f"at most N questions (default {LIMIT_DEFAULT})")
    p.set_defaults(handler=cmd_review)

    p = sub.add_parser("history", parents=[attempts_db], help="past sessions",
                       description="List past sessions with their scores.")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.set_defaults(handler=cmd_history)

    p = sub.add_parser("stats", parents=[attempts_db], help="mastery by topic and misconception",
                       description="Mastery by topic (latest attempt at each question) and the "
                       "misconceptions your answers have shown.")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.set_defaults(handler=cmd_stats)
    return parser


def main(argv: list[str] | None = None, *, stdin: TextIO | None = None, console: Console | None = None) -> int:
    """Run one command; return its exit code."""
    console = console or Console()
    errors = console if console.file is not sys.stdout else Console(stderr=True)
    parser = build_parser()
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:  # --help and --version exit through argparse
        return int(exc.code or 0)
    except UsageError as exc:
        errors.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
        return 2
    if not getattr(args, "handler", None):
        parser.print_help(console.file)
        return 2
    ctx = Context(args, console, stdin or sys.stdin, errors)
    try:
        return args.handler(ctx)
    except QuizError as exc:
        for line in str(exc).splitlines():
            errors.print(f"error: {line}", markup=False, highlight=False, soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        errors.print("interrupted", markup=False)
        return 130
    except Exception as exc:  # the one boundary that turns a bug into a message
        if args.debug:
            raise
        errors.print(f"error: could not complete '{args.command}': {type(exc).__name__}: {exc} "
                     "(run with --debug for the traceback)", markup=False, highlight=False, soft_wrap=True)
        return 2


def main_entry() -> None:
    """Console-script entry point: run and exit with the command's code."""
    sys.exit(main())

