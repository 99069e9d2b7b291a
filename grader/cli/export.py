"""`rnnquiz export`: the verified banks as Moodle XML, GIFT, a QTI 2.1 package or a Canvas package."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from grader.cli.context import Context
from grader.errors import UsageError

FORMATS = ("moodle", "gift", "qti", "canvas")
EPILOG = """\
Examples:
  rnnquiz export --format moodle --out all.xml --variants 20
      every bank as Moodle XML; 20 verified variants of each randomised question, in a category of their own
  rnnquiz export hse nptel --format gift --out quiz.gift.txt
      two banks as GIFT (exercises become one question per part; formulas are left out and listed)
  rnnquiz export in5400 practice/bptt --format qti --out in5400-qti.zip
      a bank and one question as an IMS QTI 2.1 content package
  rnnquiz export practice --format canvas --out practice-canvas.zip --variants 10 --seed 100
      Canvas's classic-quiz QTI 1.2: the variants of seeds 100-109 as pick-one question groups

What a format cannot hold is listed on stderr, one line per question, never dropped silently.
Exit status: 0 exported, 1 a question or variant was left out because its key failed
verification, 2 usage or bank errors.
"""


def cmd_export(ctx: Context) -> int:
    """Export the selected questions, verified, in one LMS format; notes go to stderr."""
    from grader.export import canvas, gift, moodle, qti, shared  # at first use: keeps start-up fast

    writer = {"moodle": moodle, "gift": gift, "qti": qti, "canvas": canvas}[ctx.args.format]
    out = Path(ctx.args.out)
    if not out.parent.is_dir():
        raise UsageError(f"cannot write '{out}': the folder '{out.parent}' does not exist")
    questions, parts = shared.select(ctx.args.selectors, ctx.args.bank_dir)
    notes = shared.Notes()
    items = shared.collect(questions, notes, variants=ctx.args.variants, seed=ctx.args.seed)
    items = shared.only_parts(items, parts)
    data = writer.write(items, notes)
    temporary = out.with_name(out.name + ".part")
    temporary.write_bytes(data)
    os.replace(temporary, out)  # a failed export never leaves half a file under the real name
    for line in notes.lines:
        ctx.errors.print(f"note: {line}", markup=False, highlight=False, soft_wrap=True)
    variants = sum(1 for item in items if item.category != item.question.bank)
    ctx.console.print(f"wrote {out} ({ctx.args.format}): {len(items)} bank questions, {variants} of them variants; "
                      f"{len(notes.lines)} notes", markup=False, highlight=False, soft_wrap=True)
    return 1 if notes.left_out else 0


def register(sub: Any) -> None:
    """Add the `export` command to the `rnnquiz` sub-command parser."""
    p = sub.add_parser("export", help="export verified banks to Moodle, GIFT, QTI 2.1 or Canvas",
                       description="Write the selected banks and questions for a learning-management system.\n"
                       "Every key is verified first (a question whose key fails is left out, exit 1); numeric\n"
                       "tolerances become one absolute error per answer; a randomised question is written as\n"
                       "N verified variants in a category (or question group) of its own.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("selectors", metavar="BANK|QUESTION_ID", nargs="*",
                   help="bank ids, bank files, or question, exercise or part ids (default: every bank)")
    p.add_argument("--format", required=True, choices=FORMATS, help="moodle (XML), gift, qti (2.1 zip) or canvas (zip)")
    p.add_argument("--out", metavar="PATH", required=True, help="the file to write (.xml, .txt or .zip)")
    p.add_argument("--variants", metavar="N", type=int, default=1,
                   help="verified variants per randomised question (default 1)")
    p.add_argument("--seed", metavar="S", type=int, default=0, help="first variant seed (default 0)")
    p.set_defaults(handler=cmd_export)
