"""The interactive session behind `rnnquiz take` and `rnnquiz review`.

A session asks its planned questions in order. Each answer is graded by its kind,
committed to the store at once, and (in practice mode) answered with the verdict and
the explanation; an exam shows nothing until its end. Input that cannot be read is
explained and asked again without using up the attempt. Lines starting with ':' are
commands. Input and output are injected (`Terminal`), so whole sessions run in tests
and scripts; the choices that need no I/O (`plan`, `parse_command`, `parse_bank_choice`,
`resume_point`) are plain functions.
"""

from __future__ import annotations

import getpass
import os
import random
import re
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Sequence, TextIO

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from grader.sessions import history, review, selfcheck
from grader.marking import keys, variants
from grader.banks.catalog import Catalog
from grader.errors import QuizError, ResponseError, UsageError
from grader.marking.kinds import KINDS, grade
from grader.model import Bank, Question, Verdict
from grader.render import prose, question_panel, verdict_text
from grader.sessions.store import SessionRow, Store

STUDENT_ENV = "RNNQUIZ_STUDENT"
STUDENT_FALLBACK = "student"
PROMPT = "answer> "
BANKS_PROMPT = "banks> "
RESUME_HINT = "saved; resume with rnnquiz take --resume"
REVIEW_AGAIN_HINT = "saved; run rnnquiz review again for what is still due"
INTERRUPTED = 130
"""Exit code after Ctrl-C, as a shell reports a process ended by SIGINT."""
SEED_RANGE = 2**31
"""A drawn --shuffle seed is below this, so it fits SQLite's INTEGER and is easy to retype."""

COMMANDS = {
    "hint": "show the next hint",
    "skip": "skip this question (in an exercise: its remaining parts)",
    "quit": "stop here; everything answered is saved and the session can be resumed",
    "help": "show this help",
}
ANSWER_FORMATS = {
    "choice": "a letter (B), the option's number (2), its text, or its formula when it is one",
    "multi": "every option you tick: 'A,C', 'a c' or '1 3'; 'none' for no option",
    "number": "a number or plain arithmetic: 6, -4, 2.5e-3, 1/3",
    "expression": "a formula in the question's variables, e.g. 3*(n^2 + n*m + n)",
    "matrix": "a matrix as nested lists, e.g. [[1, 0], [0, 1]]",
    "text": "a short answer in words",
}


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


def plan(banks: Sequence[Bank], tags: Sequence[str] = (), shuffle: bool = False,
         seed: int | None = None) -> list[Question]:
    """The questions to ask: every question of `banks` carrying any of `tags`, shuffled by `seed`."""
    wanted = set(tags)
    questions = [q for bank in banks for q in bank.questions if not wanted or wanted & set(q.tags)]
    if shuffle:
        random.Random(seed).shuffle(questions)
    return questions


def parse_command(text: str) -> str | None:
    """The command a line names (`hint`, `skip`, ...), `""` for an unknown one, None for an answer."""
    stripped = text.strip()
    if not stripped.startswith(":"):
        return None
    name = stripped[1:].strip().lower()
    return name if name in COMMANDS else ""


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


def resume_point(questions: Sequence[Question], position: int, answered: set[str]) -> int:
    """Where to continue: the first question from `position` on with an item not yet answered.

    `position` is advanced after a question is done, so a kill between the last answer
    and that update still resumes after the question.
    """
    index = position
    while index < len(questions) and all(item.id in answered for item in questions[index].parts or
                                         (questions[index],)):
        index += 1
    return index


class Terminal:
    """Where a session reads answers and writes output.

    On a real terminal, lines are read with `input()` (line editing); otherwise from the
    injected stream, echoing each line so a piped or scripted session reads as a
    transcript. End of input means `:quit`.
    """

    def __init__(self, console: Console, stdin: TextIO) -> None:
        self.console = console
        self.stdin = stdin
        self.interactive = stdin is sys.stdin and stdin.isatty()
        if self.interactive:
            try:
                import readline  # noqa: F401  (imported for its effect: input() gains line editing)
            except ImportError:  # Windows: input() still works, without editing keys
                pass

    def ask(self, prompt: str) -> str | None:
        """One line of input without its newline, or None at end of input."""
        label = Text(prompt, style="bold cyan")
        if self.interactive:
            try:
                return self.console.input(label)
            except EOFError:
                self.console.print()
                return None
        self.console.print(label, end="")
        line = self.stdin.readline()
        if not line:
            self.console.print()
            return None
        line = line.rstrip("\r\n")
        self.console.print(line, markup=False, highlight=False)
        return line

    def confirm(self, question: str) -> bool | None:
        """A yes/no question (Enter = yes); None at end of input."""
        while True:
            answer = self.ask(f"{question} [Y/n] ")
            if answer is None:
                return None
            if answer.strip().lower() in ("", "y", "yes"):
                return True
            if answer.strip().lower() in ("n", "no"):
                return False
            self.console.print("Type y or n.")


class _Quit(Exception):
    """The student typed :quit or input ended: leave the session, resumable."""


class Runner:
    """Asks a stored session's questions, grading and storing every answer."""

    def __init__(self, store: Store, terminal: Terminal, clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.terminal = terminal
        self.console = terminal.console
        self.clock = clock

    def run(self, session: SessionRow, questions: Sequence[Question]) -> bool:
        """Ask from where the session stopped; True when it reached its end.

        Ctrl-C propagates as KeyboardInterrupt; nothing is lost, as every answer is
        already committed.
        """
        exam = session.mode == "exam"
        done = self.store.attempts(session_id=session.id)
        start = resume_point(questions, session.position, {a.question_id for a in done})
        for index in range(start, len(questions)):
            question = questions[index]
            self.console.print()
            self.console.print(question_panel(question, f"{index + 1}/{len(questions)}"))
            earlier = {a.question_id: a.answer for a in done if review.card_id(a.question_id) == question.id}
            try:
                if question.parts:
                    self._exercise(session.id, question, earlier, exam)
                else:
                    key = keys.expected(question)
                    self._answer(session.id, question, question.hints, exam,
                                 lambda text: grade(question, text, key))
            except _Quit:
                return False
            self.store.advance(session.id, index + 1)
        self.store.finish(session.id)
        return True

    def _exercise(self, session_id: int, question: Question, earlier: dict[str, str], exam: bool) -> None:
        """Ask each part in order; a part is graded given the answers to the parts before it."""
        key = keys.expected(question)
        answers = {part.part: earlier[part.id] for part in question.parts if part.id in earlier}
        for part in question.parts:
            if part.part in answers:
                self.console.print(Text(f"({part.part}) answered before: {answers[part.part]}", style="dim"))
                continue
            self.console.print(Text.assemble((f"({part.part}) ", "bold cyan"), prose(part.prompt)))

            def judge(text: str, part: Question = part) -> Verdict:
                verdict = KINDS["exercise"].check(question, {**answers, part.part: text}, key)
                return dict(verdict.parts)[part.part]

            text = self._answer(session_id, part, part.hints + question.hints, exam, judge)
            if text is None:
                return
            answers[part.part] = text

    def _answer(self, session_id: int, item: Question, hints: Sequence[str], exam: bool,
                judge: Callable[[str], Verdict]) -> str | None:
        """Read until a gradable answer, then store it; return it, or None when skipped."""
        started = self.clock()
        shown = 0
        while True:
            text = self.terminal.ask(PROMPT)
            if text is None:
                raise _Quit
            command = parse_command(text)
            if command == "quit":
                raise _Quit
            if command == "skip":
                self.console.print(Text("skipped", style="dim"))
                return None
            if command == "help":
                self.console.print(help_text(item))
            elif command == "hint":
                self.console.print(_hint(hints, shown, exam))
                if not exam and shown < len(hints):
                    shown += 1
            elif command == "":
                self.console.print(f"Unknown command '{text.strip()}'. Type :help for the commands.",
                                   markup=False, highlight=False)
            else:
                verdict = judge(text)
                if verdict.status == "invalid":
                    self.console.print(Text.assemble(("? could not read that: ", "bold magenta"), verdict.feedback,
                                                     ("\n  No attempt used; try again.", "dim")))
                    continue
                attempt = self.store.record(session_id, item.id, text, verdict, seconds=self.clock() - started,
                                            variant_seed=item.seed, variant_params=item.variant)
                self._show(verdict, item, exam)
                if item.kind == "text" and not exam and self.terminal.interactive:
                    # A person at the terminal ticks what they covered; piped scripts are not asked.
                    assessed = selfcheck.ask(item, verdict, self._checklist_line, self.console.print)
                    if assessed:
                        self.store.annotate(attempt, assessed)
                return text

    def _checklist_line(self, prompt: str) -> str | None:
        """A line for the checklist; `:quit` (or the end of input) leaves the session as anywhere else."""
        text = self.terminal.ask(prompt)
        if text is None or parse_command(text) == "quit":
            raise _Quit
        return text

    def _show(self, verdict: Verdict, item: Question, exam: bool) -> None:
        if exam:
            read = f"; read as: {verdict.interpreted_as}" if verdict.interpreted_as else ""
            self.console.print(Text(f"Answer recorded{read}.", style="dim"))
            return
        self.console.print(verdict_text(verdict))
        if item.explanation:
            self.console.print(Text.assemble(("Why: ", "bold"), prose(item.explanation.strip())))


def _hint(hints: Sequence[str], shown: int, exam: bool) -> Text:
    """The next hint after `shown` of them, or why there is none."""
    if exam:
        return Text("Hints are not available in exam mode.", style="dim")
    if not hints:
        return Text("No hints for this question.", style="dim")
    if shown >= len(hints):
        return Text("No more hints for this question.", style="dim")
    return Text.assemble((f"Hint {shown + 1}/{len(hints)}: ", "bold yellow"), prose(hints[shown]))


def help_text(item: Question) -> Text:
    """The commands, and how to type an answer to `item`."""
    out = Text.assemble(("Commands:", "bold"))
    for name, meaning in COMMANDS.items():
        out.append(f"\n  :{name:<5}", style="bold cyan")
        out.append(f" {meaning}")
    form = ANSWER_FORMATS.get(item.kind)
    if form:
        out.append(f"\nAnswer with {form}.")
    return out


def take(catalog: Catalog, store: Store, terminal: Terminal, options: TakeOptions,
         clock: Callable[[], float] = time.monotonic) -> int:
    """`rnnquiz take`: start, offer to resume, or resume a session, run it; return the exit code."""
    session = _find_or_start(catalog, store, terminal, options)
    if session is None:
        return 0
    return _run(catalog, store, terminal, session, clock)


def _find_or_start(catalog: Catalog, store: Store, terminal: Terminal, options: TakeOptions) -> SessionRow | None:
    if options.resume and not options.banks:
        waiting = store.unfinished(options.student)
        if not waiting:
            raise UsageError(f"no unfinished session to resume for student '{options.student}'")
        return waiting[0]
    banks = list(dict.fromkeys(options.banks)) or choose_banks(catalog, terminal)
    if banks is None:
        return None
    waiting = store.unfinished(options.student, banks)
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
    questions = plan([catalog.bank(b) for b in banks], options.tags, options.shuffle, seed)
    if not questions:
        raise UsageError(f"no questions tagged {', '.join(options.tags)} in {', '.join(banks)}")
    mode = "exam" if options.exam else "practice"
    return store.start_session(options.student, banks, mode, [q.id for q in questions], seed)


def _describe(session: SessionRow) -> str:
    return (f"#{session.id}, {session.mode}, {session.position}/{len(session.plan)} done, "
            f"started {history.local_time(session.started_at)}")


def choose_banks(catalog: Catalog, terminal: Terminal) -> list[str] | None:
    """Offer the banks as a numbered list; None when input ends first."""
    ids = catalog.ids()
    table = Table.grid(padding=(0, 1))
    table.add_column(justify="right", style="bold cyan")
    table.add_column(style="bold")
    table.add_column()
    for number, bank_id in enumerate(ids, 1):
        try:
            bank = catalog.bank(bank_id)
            about = f"{bank.title} ({len(bank.questions)} questions)"
        except QuizError:  # a broken bank should not keep a student from the others
            about = "(cannot be loaded; `rnnquiz verify` shows why)"
        table.add_row(str(number), bank_id, Text(about))
    terminal.console.print(Group(Text("Question banks:", style="bold"), table,
                                 Text("Choose by number or id (several separated by spaces); Enter for all.",
                                      style="dim")))
    while True:
        text = terminal.ask(BANKS_PROMPT)
        if text is None:
            return None
        try:
            return parse_bank_choice(text, ids)
        except ResponseError as exc:
            terminal.console.print(str(exc), markup=False, highlight=False)


def review_due(catalog: Catalog, store: Store, terminal: Terminal, student: str,
               limit: int = review.LIMIT_DEFAULT, now: datetime | None = None,
               clock: Callable[[], float] = time.monotonic) -> int:
    """`rnnquiz review`: re-ask the student's due misses as a review session; return the exit code."""
    now = now or datetime.now(timezone.utc)
    attempts = store.attempts(student=student)
    questions = history.resolve(catalog, (review.card_id(a.question_id) for a in attempts))
    items = {cid: frozenset(p.id for p in q.parts) or frozenset({q.id}) for cid, q in questions.items()}
    cards = review.schedule(review.outcomes(attempts, items))
    chosen = review.due(cards, now, limit)
    if not chosen:
        upcoming = review.next_due(cards)
        when = f"; the next is due {history.local_time(upcoming.isoformat())}" if upcoming else ""
        terminal.console.print(f"Nothing to review for {student} now{when}.", markup=False, highlight=False)
        return 0
    terminal.console.print(history.due_view(chosen, terminal.console.width))
    days = ", ".join(str(review.interval(box).days) for box in range(review.FIRST_BOX + 1, review.MAX_BOX + 1))
    terminal.console.print(Text(f"A miss comes back at once; each right answer moves a question up a box, "
                                f"due again after {days} days.", style="dim"))
    session = store.start_session(student, sorted({questions[c.id].bank for c in chosen}), "review",
                                  [c.id for c in chosen])
    return _run(catalog, store, terminal, session, clock)


def _run(catalog: Catalog, store: Store, terminal: Terminal, session: SessionRow,
         clock: Callable[[], float]) -> int:
    """Run a session to its end, a :quit or Ctrl-C; summarise it when it ends."""
    console = terminal.console
    # Without --seed a student gets numbers derived from their id: the same on every resume and review.
    seed = session.seed if session.seed is not None else variants.seed_for_student(session.student)
    questions = [variants.instantiate(catalog.question(qid), seed) for qid in session.plan]
    resumed = session.position > 0 or bool(store.attempts(session_id=session.id))
    verb = "Resuming session" if resumed else "Session"
    console.print(Text.assemble((f"{verb} #{session.id}", "bold"),
                                f" · {session.mode} · {session.student} · {len(questions)} questions"),
                  Text("Type your answer at the prompt, or :help for commands.", style="dim"), sep="\n")
    again = REVIEW_AGAIN_HINT if session.mode == "review" else RESUME_HINT
    try:
        finished = Runner(store, terminal, clock).run(session, questions)
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
    console.print(history.summary_view(history.summarise(questions, attempts), console.width))
    return 0
