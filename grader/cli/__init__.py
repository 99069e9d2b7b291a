"""The `rnnquiz` command line: a thin layer of argparse and rich over the grader.

Every command returns an exit code: 0 when it did its job (whatever it found), 1 when
`verify` found a problem, 2 for a usage or input-file error, which is printed as one
line (or one line per bank problem) and never as a traceback, unless --debug is given.
Each group of commands lives in its own module and registers its own sub-parsers.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from rich.console import Console

from grader.cli import browse, export, instruct, solve, study
from grader.cli.context import ArgumentParser, Context
from grader.errors import QuizError, UsageError

EPILOG = """\
Examples:
  rnnquiz list                                  banks and question ids
  rnnquiz show nptel/q7 --key                   a question, with its key
  rnnquiz check nptel/q7 B                      grade one answer
  rnnquiz check in5400/task1 "a=6; b=2; c=0; d=8"
  echo "3(n^2+nm+n)" | rnnquiz check nptel/q7 -   read the answer from stdin
"""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # at first use: only --help and --version

    try:
        return version("rnnquiz")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "(not installed)"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command and its help."""
    parser = ArgumentParser(
        prog="rnnquiz",
        description="Quizzes and exercises on recurrent neural networks, graded in the terminal. "
        "Answer keys are recomputed by solvers, not trusted.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--bank-dir", metavar="DIR", help="read banks from DIR instead of the built-in ones "
                        "(also $RNNQUIZ_BANK_DIR)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for internal errors")
    parser.add_argument("--version", action="version", version=f"rnnquiz {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgumentParser)
    for group in (browse, solve, instruct, export, study):
        group.register(sub)
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
