"""`rnnquiz take` and `rnnquiz review`: choose, start or resume a session, run it, sum it up.

The questions themselves are asked by `sessions.runner`; input and output are injected
(`sessions.terminal.Terminal`), so whole sessions run in tests and scripts. The choices
that need no I/O (`plan`, `parse_bank_choice`) are plain functions.
"""

from __future__ import annotations

import getpass
import os
import random
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Sequence

from rich.console import Group
from rich.table import Table
from rich.text import Text

from grader.banks.catalog import Catalog
from grader.errors import QuizError, ResponseError, UsageError
from grader.marking import variants
from grader.model import Bank, Question
from grader.sessions import history, review
from grader.sessions.runner import Runner, exam_answers, parse_command
from grader.sessions.store import MODES, SessionRow, Store, fold_tags
from grader.sessions.terminal import Terminal

STUDENT_ENV = "RNNQUIZ_STUDENT"
STUDENT_FALLBACK = "student"
BANKS_PROMPT = "banks> "
INTERRUPTED = 130
"""Exit code after Ctrl-C, as a shell reports a process ended by SIGINT."""
SEED_RANGE = 2**31
"""A drawn --shuffle seed is below this, so it fits SQLite's INTEGER and is easy to retype."""

def resolve_student(name: str | None, environ: dict[str, str] | None = None) -> str:
    """--student, else $RNNQUIZ_STUDENT, else the OS user name."""
    environ = os.environ if environ is None else environ
    if name:
        return name
    if environ.get(STUDENT_ENV):
        return environ[STUDENT_ENV]
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. an arbitrary uid in a container
        return STUDENT_FALLBACK


@dataclass(frozen=True)
class TakeOptions:
    """What `rnnquiz take` was asked for."""

    student: str
    banks: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    shuffle: bool = False
    exam: bool = False
    seed: int | None = None
    resume: bool = False
    preview: bool = True
    again: str = ""
    """Options to repeat in the resume hint (`--db PATH --student NAME`), already quoted."""


def plan(banks: Sequence[Bank], tags: Sequence[str] = (), shuffle: bool = False,
         seed: int | None = None) -> list[Question]:
    """The questions to ask: every question of `banks` carrying any of `tags` (any case), shuffled by `seed`."""
    wanted = set(fold_tags(tags))
    questions = [q for bank in banks for q in bank.questions if not wanted or wanted & set(fold_tags(q.tags))]
    if shuffle:
        random.Random(seed).shuffle(questions)
    return questions


_BANK_SPLIT = re.compile(r"[\s,]+")


def parse_bank_choice(text: str, ids: Sequence[str]) -> list[str]:
    """Banks chosen by number or id (several at once); empty means all."""
    tokens = [t for t in _BANK_SPLIT.split(text.strip()) if t]
    if not tokens:
        return list(ids)
    chosen = []
    for token in tokens:
        if token.isdigit() and 1 <= int(token) <= len(ids):
            chosen.append(ids[int(token) - 1])
        elif token in ids:
            chosen.append(token)
        else:
            raise ResponseError(f"'{token}' is not one of the banks; type numbers 1–{len(ids)} or ids, "
                                "or press Enter for all.")
    return list(dict.fromkeys(chosen))


def take(catalog: Catalog, store: Store, terminal: Terminal, options: TakeOptions,
         clock: Callable[[], float] = time.monotonic) -> int:
    """`rnnquiz take`: start, offer to resume, or resume a session, run it; return the exit code."""
    session = _find_or_start(catalog, store, terminal, options)
    if session is None:
        return 0
    return _run(catalog, store, terminal, session, clock, options)


def _find_or_start(catalog: Catalog, store: Store, terminal: Terminal, options: TakeOptions) -> SessionRow | None:
    tags = options.tags or None
    if options.resume and not options.banks:
        # Every unfinished session `history` lists can be resumed here, a review one included.
        waiting = store.unfinished(options.student, tags=tags, modes=MODES)
        if not waiting:
            tagged = f" tagged {', '.join(options.tags)}" if options.tags else ""
            raise UsageError(f"no unfinished session{tagged} to resume for student '{options.student}'")
        return waiting[0]
    banks = list(dict.fromkeys(options.banks)) or choose_banks(catalog, terminal)
    if banks is None:
        return None
    waiting = store.unfinished(options.student, banks, tags)
    if options.resume:
        if not waiting:
            raise UsageError(f"no unfinished session of {', '.join(banks)} for student '{options.student}'")
        return waiting[0]
    if waiting:
        offer = _describe(waiting[0])
        answer = terminal.confirm(f"You have an unfinished session ({offer}). Resume it?")
        if answer is None:
            return None
        if answer:
            return waiting[0]
    seed = options.seed
    if seed is None and options.shuffle:
        # Drawn once and stored, so even an unseeded shuffle can be replayed.
        seed = random.SystemRandom().randrange(SEED_RANGE)
    loaded = [catalog.bank(b) for b in banks]
    questions = plan(loaded, options.tags, options.shuffle, seed)
    if not questions:
        known = sorted({t for bank in loaded for q in bank.questions for t in q.tags})
        raise UsageError(f"no questions tagged {', '.join(options.tags)} in {', '.join(banks)}; "
                         f"their tags: {', '.join(known)}")
    mode = "exam" if options.exam else "practice"
    return store.start_session(options.student, banks, mode, [q.id for q in questions], seed, tags=options.tags)


def _describe(session: SessionRow) -> str:
    return (f"#{session.id}, {session.mode}, {session.position}/{len(session.plan)} done, "
            f"started {history.local_time(session.started_at)}")


def count(number: int, noun: str) -> str:
    """`1 question`, `7 questions`."""
    return f"{number} {noun}" + ("" if number == 1 else "s")


def choose_banks(catalog: Catalog, terminal: Terminal) -> list[str] | None:
    """Offer the banks as a numbered list; None when input ends first or the student types :quit."""
    ids = catalog.ids()
    table = Table.grid(padding=(0, 1))
    table.add_column(justify="right", style="bold cyan")
    table.add_column(style="bold")
    table.add_column()
    for number, bank_id in enumerate(ids, 1):
        try:
            bank = catalog.bank(bank_id)
            about = f"{bank.title} ({count(bank.size, 'question')})"
        except QuizError:  # a broken bank should not keep a student from the others
            about = "(cannot be loaded; `rnnquiz verify` shows why)"
        table.add_row(str(number), bank_id, Text(about))
    terminal.console.print(Group(Text("Question banks:", style="bold"), table,
                                 Text("Choose by number or id (several separated by spaces); Enter for all; "
                                      ":quit to leave.", style="dim")))
    while True:
        text = terminal.ask(BANKS_PROMPT)
        if text is None or parse_command(text) == "quit":
            return None
        try:
            return parse_bank_choice(text, ids)
        except ResponseError as exc:
            terminal.console.print(str(exc), markup=False, highlight=False)


def schedule(catalog: Catalog, store: Store, student: str) -> tuple[list[review.Card], dict[str, Question]]:
    """The student's cards, replayed from every stored attempt, and the questions they stand for."""
    attempts = store.attempts(student=student)
    questions = history.resolve(catalog, (review.card_id(a.question_id) for a in attempts))
    items = {cid: frozenset(p.id for p in q.parts) or frozenset({q.id}) for cid, q in questions.items()}
    asked = {s.id: s.items for s in store.sessions(student) if s.items}
    return review.schedule(review.outcomes(attempts, items, asked)), questions


def review_due(catalog: Catalog, store: Store, terminal: Terminal, student: str,
               limit: int = review.LIMIT_DEFAULT, now: datetime | None = None,
               clock: Callable[[], float] = time.monotonic, options: TakeOptions | None = None) -> int:
    """`rnnquiz review`: continue an unfinished review, or re-ask the student's due misses; return the exit code."""
    options = options or TakeOptions(student)
    waiting = store.unfinished(student, modes=("review",))
    if waiting:
        return _run(catalog, store, terminal, waiting[0], clock, options)
    cards, questions = schedule(catalog, store, student)
    chosen = review.due(cards, now or datetime.now(timezone.utc), limit)
    if not chosen:
        upcoming = review.next_due(cards)
        when = f"; the next is due {history.local_time(upcoming.isoformat())}" if upcoming else ""
        terminal.console.print(f"Nothing to review for {student} now{when}.", markup=False, highlight=False)
        return 0
    terminal.console.print(history.due_view(chosen, terminal.console.width))
    terminal.console.print(Text("Scheduled by FSRS: a miss comes back within minutes; each right answer "
                                "makes a question come back later than the last time. Only the parts you "
                                "missed are asked, with new numbers where a question draws them.", style="dim"))
    # A fresh seed: a randomised question comes back with new numbers, the same on a resume.
    seed = random.SystemRandom().randrange(SEED_RANGE)
    session = store.start_session(student, sorted({questions[c.id].bank for c in chosen}), "review",
                                  [c.id for c in chosen], seed,
                                  items={c.id: sorted(c.wrong) for c in chosen if c.wrong})
    return _run(catalog, store, terminal, session, clock, options)


def again_hint(mode: str, options: str) -> str:
    """How to continue a stopped session, repeating the --db and --student it ran with."""
    if mode == "review":
        return f"saved; continue with rnnquiz review{options}"
    return f"saved; resume with rnnquiz take --resume{options}"


def _run(catalog: Catalog, store: Store, terminal: Terminal, session: SessionRow,
         clock: Callable[[], float], options: TakeOptions) -> int:
    """Run a session to its end, a :quit or Ctrl-C; summarise it when it ends."""
    console = terminal.console
    # Without --seed a student gets numbers derived from their id: the same on every resume.
    seed = session.seed if session.seed is not None else variants.seed_for_student(session.student)
    questions = [variants.instantiate(catalog.question(qid), seed) for qid in session.plan]
    resumed = session.position > 0 or bool(store.attempts(session_id=session.id))
    verb = "Resuming session" if resumed else "Session"
    console.print(Text.assemble((f"{verb} #{session.id}", "bold"),
                                f" · {session.mode} · {session.student} · {count(len(questions), 'question')}"),
                  Text("Type your answer at the prompt, or :help for commands.", style="dim"), sep="\n")
    again = again_hint(session.mode, options.again)
    banks = {b: catalog.bank(b) for b in {q.bank for q in questions}}
    try:
        finished = Runner(store, terminal, banks, clock, options.preview).run(session, questions)
    except KeyboardInterrupt:
        console.print()
        console.print(again, markup=False, highlight=False)
        return INTERRUPTED
    if not finished:
        console.print(again, markup=False, highlight=False)
        return 0
    attempts = store.attempts(session_id=session.id)
    console.print()
    if session.mode == "exam":
        console.print(history.feedback_view(questions, attempts))
        console.print(exam_answers(questions, attempts))
    console.print(history.summary_view(history.summarise(questions, attempts, session.items), console.width))
    return 0
