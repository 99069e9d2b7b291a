"""The loop of a session: ask each planned question, grade, store, answer back.

One item (a question, or a part of an exercise) goes through small steps, each a
method: read a line (`:commands` are handled there), validate it and, at a terminal,
preview how it was read (`_read`, `_preview`); grade it (`_grade`) and store the try with
its penalty (`_record`); show the verdict with the tries left (`_show`); and once the tries
are used up without full marks, show the answer and the way to it (`_reveal`). An exam shows nothing until
its end. Invalid input is explained and asked again; it never uses a try.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from rich.console import Group, RenderableType
from rich.text import Text

from grader.errors import ResponseError
from grader.marking import keys
from grader.marking.kinds import KINDS, grade
from grader.model import Bank, Question, Verdict
from grader.render import part_prompt, prose, question_panel, verdict_text
from grader.sessions import review, worked
from grader.sessions.store import AttemptRow, SessionRow, Store
from grader.sessions.terminal import Terminal
from grader.sessions.tries import Tries, left_text, tries_for

PROMPT = "answer> "
SUBMIT_PROMPT = "submit> "
PREVIEWED = ("number", "expression", "matrix")
"""Kinds whose typed answer is read back before it is graded: a typo in math is easy to miss."""

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


def parse_command(text: str) -> str | None:
    """The command a line names (`hint`, `skip`, ...), `""` for an unknown one, None for an answer."""
    stripped = text.strip()
    if not stripped.startswith(":"):
        return None
    name = stripped[1:].strip().lower()
    return name if name in COMMANDS else ""


class Quit(Exception):
    """The student typed :quit or input ended: leave the session, resumable."""


@dataclass
class Item:
    """One thing to answer in a session: a question or an exercise part, and how to judge it."""

    question: Question
    hints: Sequence[str]
    judge: Callable[[str], Verdict]
    tries: Tries
    key: Any
    earlier: list[AttemptRow] = field(default_factory=list)
    """This session's tries at the item so far (a resumed session continues after them)."""
    carried: Callable[[], Mapping[str, Any]] = dict
    """The wrong earlier values this item was worked from (exercise parts), for the reveal."""
    hints_shown: int = 0

    def done(self) -> bool:
        """Whether the item needs no more answers: right, or out of tries."""
        return finished(self.earlier, self.tries)


def finished(rows: Sequence[AttemptRow], tries: Tries) -> bool:
    """Whether an item's tries so far (oldest first) end it: the last was right, or was the last allowed."""
    return bool(rows) and (rows[-1].status == "correct" or not tries.left(len(rows)))


def done_items(questions: Sequence[Question], attempts: Sequence[AttemptRow],
               tries: Callable[[Question], Tries]) -> set[str]:
    """Ids of the items a session needs no more answers to."""
    by_item: dict[str, list[AttemptRow]] = {}
    for attempt in attempts:
        by_item.setdefault(attempt.question_id, []).append(attempt)
    return {item.id for question in questions for item in question.parts or (question,)
            if finished(by_item.get(item.id, []), tries(item))}


def resume_point(questions: Sequence[Question], position: int, answered: set[str],
                 asked: Mapping[str, Sequence[str]] | None = None) -> int:
    """Where to continue: the first question from `position` on with an item not yet done.

    `position` is advanced after a question is done, so a kill between the last answer
    and that update still resumes after the question. `asked` limits a review session's
    questions to the items it asks.
    """
    asked = asked or {}
    index = position
    while index < len(questions):
        question = questions[index]
        items = [item.id for item in question.parts or (question,)]
        if not all(i in answered for i in asked.get(question.id, items)):
            break
        index += 1
    return index


class Runner:
    """Asks a stored session's questions, grading and storing every try."""

    def __init__(self, store: Store, terminal: Terminal, banks: Mapping[str, Bank],
                 clock: Callable[[], float] = time.monotonic, preview: bool = True) -> None:
        self.store = store
        self.terminal = terminal
        self.console = terminal.console
        self.banks = banks
        self.clock = clock
        # Only a person at a terminal can look at the preview; piped input is graded as it comes.
        self.preview = preview and terminal.interactive
        self.session: SessionRow | None = None

    def tries(self, item: Question, mode: str) -> Tries:
        """The tries `item` gets in a session of `mode`."""
        return tries_for(item, self.banks.get(item.bank), mode)

    def run(self, session: SessionRow, questions: Sequence[Question]) -> bool:
        """Ask from where the session stopped; True when it reached its end.

        Ctrl-C propagates as KeyboardInterrupt; nothing is lost, as every try is
        already committed.
        """
        self.session = session
        done = self.store.attempts(session_id=session.id)
        finished = done_items(questions, done, lambda item: self.tries(item, session.mode))
        start = resume_point(questions, session.position, finished, session.items)
        for index in range(start, len(questions)):
            question = questions[index]
            self.console.print()
            self.console.print(question_panel(question, f"{index + 1}/{len(questions)}"))
            mine = [a for a in done if review.card_id(a.question_id) == question.id]
            try:
                if question.parts:
                    self._exercise(question, mine)
                else:
                    key = keys.expected(question)
                    self._item(Item(question, question.hints, lambda text, q=question, k=key: grade(q, text, k),
                                    self.tries(question, session.mode), key, mine))
            except Quit:
                return False
            self.store.advance(session.id, index + 1)
        self.store.finish(session.id)
        return True

    def _exercise(self, question: Question, earlier: list[AttemptRow]) -> None:
        """Ask each part in order (a review only the parts missed before); each is graded given the parts before it."""
        assert self.session is not None
        key = keys.expected(question)
        asked = (self.session.items or {}).get(question.id)
        answers: dict[str, str] = {}
        for part in question.parts:
            mine = [a for a in earlier if a.question_id == part.id]
            if mine:
                answers[part.part] = mine[-1].answer
            item = Item(part, part.hints + question.hints, self._part_judge(question, part, answers, key),
                        self.tries(part, self.session.mode), key[part.part], mine,
                        lambda part=part: worked.carried(question, part, answers))
            if asked is not None and part.id not in asked:
                self.console.print(Text(f"({part.part}) right last time; not asked again", style="dim"))
                continue
            if item.done():
                self.console.print(Text(f"({part.part}) answered before: {answers[part.part]}", style="dim"))
                continue
            self.console.print(part_prompt(part))
            text = self._item(item)
            if text is None:
                return
            answers[part.part] = text

    @staticmethod
    def _part_judge(question: Question, part: Question, answers: dict[str, str], key: Any) -> Callable[[str], Verdict]:
        def judge(text: str) -> Verdict:
            verdict = KINDS["exercise"].check(question, {**answers, part.part: text}, key)
            return dict(verdict.parts)[part.part]

        return judge

    def _item(self, item: Item) -> str | None:
        """Take tries at one item until it is right or the tries are used; return the last answer, None if skipped."""
        assert self.session is not None
        exam = self.session.mode == "exam"
        started = self.clock()
        text, verdict = None, None
        for number in range(len(item.earlier) + 1, item.tries.attempts + 1):
            verdict = None
            while verdict is None:  # unreadable input is asked again and uses no try
                text = self._read(item, exam)
                if text is None:
                    return None
                verdict = self._grade(item, text)
            verdict = self._record(item, text, item.tries.penalised(verdict, number), number, started)
            started = self.clock()  # each try stores its own time, so the session's total counts it once
            left = item.tries.left(number)
            self._show(verdict, item.question, exam, left)
            if verdict.status == "correct" or not left:
                break
        if verdict is not None and verdict.status != "correct" and not exam:
            self._reveal(item)
        return text

    def _read(self, item: Item, exam: bool) -> str | None:
        """Read lines until one is a readable answer (commands are handled here); None when skipped."""
        text = None
        while True:
            text = self.terminal.ask(PROMPT) if text is None else text
            if text is None:
                raise Quit
            command = parse_command(text)
            if command == "quit":
                raise Quit
            if command == "skip":
                self.console.print(Text("skipped", style="dim"))
                return None
            if command == "help":
                self.console.print(help_text(item.question))
            elif command == "hint":
                self.console.print(hint_text(item.hints, item.hints_shown, exam))
                if not exam and item.hints_shown < len(item.hints):
                    item.hints_shown += 1
            elif command == "":
                self.console.print(f"Unknown command '{text.strip()}'. Type :help for the commands.",
                                   markup=False, highlight=False)
            else:
                checked = self._preview(item.question, text) if self.preview else text
                if checked is not None and parse_command(checked) is not None:
                    text = checked  # a command typed over the preview line: handle it here
                    continue
                if checked is not None:
                    return checked
            text = None

    def _preview(self, item: Question, text: str) -> str | None:
        """Read the answer back ("read as …") until the student submits it unchanged.

        None when it cannot be read; a `:command` typed over the line is returned as it is.
        """
        while item.kind in PREVIEWED:
            kind = KINDS[item.kind]
            try:
                shown = kind.format(item, kind.parse(item, text))
            except ResponseError as exc:
                self._invalid(str(exc))
                return None
            self.console.print(Text.assemble((f"read as: {shown}", "cyan"),
                                             ("   Enter submits it; or edit the line", "dim")))
            edited = self.terminal.edit(SUBMIT_PROMPT, text)
            if edited is None:
                raise Quit
            if edited.strip() in ("", text.strip()):
                return text
            if parse_command(edited) is not None:
                return edited
            text = edited
        return text

    def _invalid(self, message: str) -> None:
        self.console.print(Text.assemble(("? could not read that: ", "bold magenta"), message,
                                         ("\n  No attempt used; try again.", "dim")))

    def _grade(self, item: Item, text: str) -> Verdict | None:
        """The verdict of a readable answer; None (and what to type) for unreadable input."""
        verdict = item.judge(text)
        if verdict.status == "invalid":
            self._invalid(verdict.feedback)
            return None
        return verdict

    def _record(self, item: Item, text: str, verdict: Verdict, number: int, started: float) -> Verdict:
        """Commit try `number` at the item in its own transaction."""
        assert self.session is not None
        question = item.question
        self.store.record(self.session.id, question.id, text, verdict, seconds=self.clock() - started,
                          variant_seed=question.seed, variant_params=question.variant, attempt_no=number)
        return verdict

    def _show(self, verdict: Verdict, item: Question, exam: bool, left: int) -> None:
        if exam:
            read = f"; read as: {verdict.interpreted_as}" if verdict.interpreted_as else ""
            self.console.print(Text(f"Answer recorded{read}.", style="dim"))
            return
        self.console.print(verdict_text(verdict, method=False))
        if verdict.status != "correct" and left:
            self.console.print(Text(f"{left_text(left)}: answer again, or :hint, :skip.", style="bold yellow"))
        elif item.explanation:
            self.console.print(Text.assemble(("Why: ", "bold"), prose(item.explanation.strip())))

    def _reveal(self, item: Item) -> None:
        self.console.print(worked.reveal(item.question, item.key, item.carried()))


def hint_text(hints: Sequence[str], shown: int, exam: bool) -> Text:
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


def exam_answers(questions: Sequence[Question], attempts: Sequence[AttemptRow]) -> RenderableType:
    """After an exam: the answer and the way to it for every item not answered right."""
    latest = {a.question_id: a for a in attempts}
    body: list[RenderableType] = []
    for question in questions:
        key = keys.expected(question)
        answers = {p.part: latest[p.id].answer for p in question.parts if p.id in latest}
        for item in question.parts or (question,):
            if item.id in latest and latest[item.id].status == "correct":
                continue
            given = worked.carried(question, item, answers) if item.parent else {}
            body += [Text(item.id, style="bold"), worked.reveal(item, key[item.part] if item.parent else key, given)]
    return Group(Text("Answers", style="bold underline"), *body) if body else Group()
