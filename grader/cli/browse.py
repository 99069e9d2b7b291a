"""Commands that look at the banks: `list`, `show`, `check` and `compare`."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.text import Text

from grader.cli.context import Context
from grader.errors import ResponseError, UsageError
from grader.model import Question

def cmd_list(ctx: Context) -> int:
    """List banks and question ids."""
    banks = ctx.catalog.banks()
    if ctx.args.tags:
        return _list_tags(ctx, banks)
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


def _list_tags(ctx: Context, banks: list) -> int:
    """The tags `take --tag` accepts (in any case), with how many questions carry each."""
    counts = Counter(tag for bank in banks for question in bank.questions for tag in question.tags)
    if ctx.args.json:
        ctx.emit_json({"tags": dict(sorted(counts.items()))})
        return 0
    width = max((len(tag) for tag in counts), default=0) + 2
    for tag, number in sorted(counts.items()):
        ctx.console.print(f"  {tag:<{width}}{number}", markup=False, highlight=False)
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
                   "questions": b.size} for b in banks],
        "questions": questions,
        "exercises": exercises,
    }


def _first_line(text: str, width: int = 70) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= width else line[: width - 1] + "…"


def _item_json(item: Question) -> dict[str, Any]:
    """A question or part as `show --json` gives it: its prompt, options and (for a number) tolerance."""
    from grader import render  # at first use, as the marking rooms

    data: dict[str, Any] = {"id": item.id, "kind": item.kind, "prompt": item.prompt,
                            "options": {o.letter: o.text for o in item.options}}
    if item.kind == "number":
        data["accepted"] = render.tolerance_text(item.number_tolerance)
    return data


def cmd_show(ctx: Context) -> int:
    """Render a question as a student sees it; --key adds the key and explanation."""
    from grader import render  # at first use, as the marking rooms: `compare` needs none of them
    from grader.marking import keys

    question = ctx.catalog.variant(ctx.args.question, ctx.args.seed)
    key = keys.expected(question) if ctx.args.key else None
    if ctx.args.json:
        data: dict[str, Any] = {**_item_json(question), "parts": [_item_json(p) for p in question.parts]}
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
    from grader import render  # at first use, as the marking rooms: `compare` needs none of them
    from grader.marking import keys, kinds

    question = ctx.catalog.variant(ctx.args.question, ctx.args.seed)
    verdict = kinds.grade(question, ctx.answer(ctx.args.answer), keys.expected(question))
    if ctx.args.json:
        ctx.emit_json({"question": question.id, **verdict.to_json()})
    else:
        ctx.console.print(render.verdict_text(verdict))
    return 0


STATUS_OF = {True: "equivalent", False: "not_equivalent", None: "undecided"}
"""compare's JSON status for each Decision.equivalent."""


def cmd_compare(ctx: Context) -> int:
    """Report whether two expressions are equal."""
    from grader.mathinput import equivalence, mathparse  # at first use: keeps the other commands' start-up fast

    key_text, answer_text = ctx.answer(ctx.args.key), ctx.answer(ctx.args.answer)
    variables = [v.strip() for v in ctx.args.vars.split(",") if v.strip()] if ctx.args.vars else None
    functions = [f.strip() for f in ctx.args.functions.split(",") if f.strip()] if ctx.args.functions else []
    try:
        key = mathparse.parse(key_text, variables=variables, functions=functions, allow_matrix=True)
    except ResponseError as exc:
        if not ctx.args.json:
            raise UsageError(f"could not read KEY: {exc}") from None
        ctx.emit_json({"key_interpreted_as": None, "status": "invalid", "method": "parse", "interpreted_as": None,
                       "detail": f"could not read KEY: {exc}"})
        return 2
    names = variables if variables is not None else sorted(key.names)
    result: dict[str, Any] = {"key_interpreted_as": key.interpreted_as()}
    try:
        answer = mathparse.parse(answer_text, variables=names, functions=functions or sorted(key.functions),
                                 allow_matrix=True)
    except ResponseError as exc:
        result.update(status="invalid", method="parse", interpreted_as=None, detail=str(exc))
    else:
        decision = equivalence.compare(key, answer, seed=ctx.args.seed)
        status = "invalid" if decision.invalid else STATUS_OF[decision.equivalent]
        result.update(status=status, method=decision.method, interpreted_as=answer.interpreted_as(),
                      detail=decision.detail)
        if status == "undecided":
            result["needs_review"] = True
        if key.notes or answer.notes:
            result["notes"] = list(dict.fromkeys(key.notes + answer.notes))
    if ctx.args.json:
        ctx.emit_json(result)
    else:
        style = {"equivalent": "green", "not_equivalent": "red", "undecided": "yellow"}.get(result["status"], "magenta")
        ctx.console.print(f"[bold {style}]{result['status']}[/]  (decided by {result['method']})", highlight=False)
        ctx.console.print(f"key read as:    {result['key_interpreted_as']}", markup=False, highlight=False)
        if result["interpreted_as"]:
            ctx.console.print(f"answer read as: {result['interpreted_as']}", markup=False, highlight=False)
        if result.get("detail"):
            ctx.console.print(result["detail"], markup=False, highlight=False)
        for note in result.get("notes", ()):
            ctx.console.print(f"note: {note}", markup=False, highlight=False)
        if result["status"] == "undecided":
            ctx.console.print("Could not be decided automatically: a grader routes this to review.", highlight=False)
    return 0


def register(sub: Any) -> None:
    """Add these commands to the `rnnquiz` sub-command parser."""
    p = sub.add_parser("list", help="list banks and question ids", description="List every bank and question id.")
    p.add_argument("--tags", action="store_true", help="list the tags instead, with how many questions carry each "
                   "(take --tag matches them in any case)")
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
                       "to the names in KEY. '-' reads an argument from standard input; KEY and ANSWER may start with "
                       "'-' (rnnquiz compare '-V*x' '-x*V'). The status is equivalent, not_equivalent, invalid (with "
                       "the reason) or undecided (neither sampling nor sympy could tell: route it to review).")
    p.add_argument("key", metavar="KEY", help="e.g. '3*(n^2+n*m+n)'")
    p.add_argument("answer", metavar="ANSWER", help="e.g. '3n(n+m+1)'")
    p.add_argument("--vars", metavar="n,m", help="the variables a student may use (default: the names in KEY)")
    p.add_argument("--functions", metavar="O", help="undefined one-argument functions, e.g. O (then O' is its derivative)")
    p.add_argument("--seed", type=int, default=0, help="seed of the sampling points (default 0)")
    p.add_argument("--json", action="store_true", help="print JSON: status, method, interpreted_as")
    p.set_defaults(handler=cmd_compare)
