"""Commands for students: `take`, `review`, `history` and `stats`."""

from __future__ import annotations

import argparse
import shlex
from typing import Any

from grader.cli.context import Context
from grader.errors import UsageError
from grader.sessions.review import LIMIT_DEFAULT


def cmd_take(ctx: Context) -> int:
    """Run an interactive session; every answer is saved as it is given."""
    from grader.sessions import session, store  # at first use: other commands need not open the store

    args = ctx.args
    options = session.TakeOptions(
        student=session.resolve_student(args.student), banks=tuple(args.banks), tags=tuple(args.tag),
        shuffle=args.shuffle, exam=args.exam, seed=args.seed, resume=args.resume,
        preview=not args.no_preview, again=_again(args),
    )
    with store.Store(args.db or store.default_path()) as db:
        return session.take(ctx.catalog, db, session.Terminal(ctx.console, ctx.stdin), options)


def _again(args: argparse.Namespace) -> str:
    """The --db and --student options a resume hint must repeat to find the same session."""
    given = [("--db", args.db), ("--student", args.student)]
    return "".join(f" {flag} {shlex.quote(value)}" for flag, value in given if value)


def cmd_review(ctx: Context) -> int:
    """Re-ask the student's misses that are due (FSRS)."""
    from grader.sessions import session, store  # at first use: other commands need not open the store

    if ctx.args.limit < 1:
        raise UsageError("--limit must be at least 1")
    student = session.resolve_student(ctx.args.student)
    options = session.TakeOptions(student, preview=not ctx.args.no_preview, again=_again(ctx.args))
    with store.Store(ctx.args.db or store.default_path()) as db:
        return session.review_due(ctx.catalog, db, session.Terminal(ctx.console, ctx.stdin), student,
                                  ctx.args.limit, options=options)


def cmd_history(ctx: Context) -> int:
    """List the student's past sessions."""
    from grader.sessions import history, session, store  # at first use: other commands need not open the store

    student = session.resolve_student(ctx.args.student)
    if ctx.args.submission is not None:
        return _write_submission(ctx, student)
    if ctx.args.out:
        raise UsageError("--out writes a session given by --submission ID; add --submission")
    with store.Store(ctx.args.db or store.default_path()) as db:
        sessions, attempts = db.sessions(student), db.attempts(student=student)
    rows = history.history(sessions, attempts, history.resolve(ctx.catalog, (q for s in sessions for q in s.plan)))
    if ctx.args.json:
        ctx.emit_json({"student": student, "sessions": history.to_json(rows)})
    else:
        ctx.console.print(history.history_view(rows, student, ctx.console.width))
    return 0


def _write_submission(ctx: Context, student: str) -> int:
    """Print (or write to --out) a session of the student's as a submission file for `rnnquiz grade`."""
    import yaml

    from grader.sessions import store, submission

    with store.Store(ctx.args.db or store.default_path()) as db:
        row = db.session(ctx.args.submission)
        if row.student != student:
            raise UsageError(f"session {row.id} is {row.student}'s, not {student}'s; pass --student {row.student}")
        # ASCII only: a student's text reaches the terminal with every control or bidi character escaped
        text = yaml.safe_dump(submission.submission(row, db.attempts(session_id=row.id)),
                              allow_unicode=False, sort_keys=False, width=1_000)
    if ctx.args.out:
        try:
            with open(ctx.args.out, "x", encoding="utf-8") as out:  # never overwrite: it may be the only copy
                out.write(text)
        except FileExistsError:
            raise UsageError(f"{ctx.args.out} exists; give --out a new file name") from None
        except OSError as exc:
            raise UsageError(f"cannot write {ctx.args.out}: {exc.strerror or exc}") from None
        ctx.console.print(f"session {row.id} written to {ctx.args.out}", markup=False, highlight=False)
    else:
        ctx.console.file.write(text)
    return 0


def cmd_stats(ctx: Context) -> int:
    """Show the student's mastery by topic and by misconception."""
    from grader.sessions import history, review, session, store  # at first use: other commands need not open the store

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


def register(sub: Any) -> None:
    """Add these commands to the `rnnquiz` sub-command parser."""
    attempts_db = argparse.ArgumentParser(add_help=False)
    attempts_db.add_argument("--db", metavar="PATH", help="the attempts database (default: $RNNQUIZ_DB, else "
                             "$XDG_DATA_HOME/rnnquiz/attempts.db, else ~/.local/share/rnnquiz/attempts.db)")
    attempts_db.add_argument("--student", metavar="NAME", help="whose attempts (default: $RNNQUIZ_STUDENT, "
                             "else your user name)")
    answering = argparse.ArgumentParser(add_help=False)
    answering.add_argument("--no-preview", action="store_true", help="grade a typed number, formula or matrix "
                           "at once, without first reading it back for Enter or an edit")

    p = sub.add_parser("take", parents=[attempts_db, answering], help="take a quiz interactively (saved as you go)",
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

    p = sub.add_parser("review", parents=[attempts_db, answering], help="re-ask what you got wrong, when it is due",
                       description="Re-ask missed questions when they are due, scheduled by FSRS (default "
                       "parameters): a full score rates Good, a partial one Hard, a miss Again. Only the parts "
                       "missed are asked, with new numbers for randomised questions. Questions whose misses "
                       "show a repeated misconception come first; an unfinished review is continued first.")
    p.add_argument("--limit", metavar="N", type=int, default=LIMIT_DEFAULT,
                   help=f"at most N questions (default {LIMIT_DEFAULT})")
    p.set_defaults(handler=cmd_review)

    p = sub.add_parser("history", parents=[attempts_db], help="past sessions",
                       description="List past sessions with their scores.")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.add_argument("--submission", metavar="ID", type=int,
                   help="print session ID as a submission file for `rnnquiz grade` (answers, seed, drawn numbers)")
    p.add_argument("--out", metavar="FILE", help="with --submission: write it to FILE (a new file)")
    p.set_defaults(handler=cmd_history)

    p = sub.add_parser("stats", parents=[attempts_db], help="mastery by topic and misconception",
                       description="Mastery by topic (latest attempt at each question) and the "
                       "misconceptions your answers have shown.")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.set_defaults(handler=cmd_stats)
