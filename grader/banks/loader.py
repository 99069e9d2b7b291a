"""Load a bank file: safe YAML, full validation, then the immutable model.

Validation collects every problem before reporting, so an author fixes a file in one
pass. Each problem names the file, the line and the path inside the document
(`questions[6].options.B`), says what is wrong and what is allowed.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from grader.banks import safeyaml
from grader.banks.checker import Where, describe, is_matrix
from grader.banks.fields import FieldReader
from grader.errors import BankError, Problem
from grader.marking.kinds import KINDS
from grader.model import FOLLOWTHROUGH_DEFAULT, Bank, Question

MAX_BANK_BYTES = 1_000_000
"""Largest bank file read; the biggest real bank is a few tens of kilobytes."""

BANK_FIELDS = ("bank", "title", "source", "notes", "questions", "attempts", "penalty")
COMMON_FIELDS = ("id", "kind", "prompt", "explanation", "source", "notes", "tags", "hints", "solver", "params", "quantity",
                 "randomise", "attempts", "penalty")
PART_FIELDS = ("id", "kind", "prompt", "explanation", "source", "notes", "hints", "solver", "params", "quantity", "points",
               "attempts", "penalty")
SCORINGS = ("all_or_nothing", "per_option")
FORMS = ("expanded",)

_ID = re.compile(r"^[a-z0-9_]+$")
_TAG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def load(path: str | Path) -> Bank:
    """Read and validate one bank file. Raises BankError listing every problem."""
    path = Path(path)
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BANK_BYTES:
            raise BankError([Problem(name, 0, "", f"file is {size:,} bytes; banks are limited to {MAX_BANK_BYTES:,} bytes")])
        raw = path.read_bytes()
    except OSError as exc:
        raise BankError([Problem(name, 0, "", f"cannot read the file: {exc.strerror or exc}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BankError([Problem(name, 0, "", f"not UTF-8 text (byte {exc.start}); save the bank as UTF-8")]) from None
    if not text.strip():
        raise BankError([Problem(name, 1, "", "file is empty; a bank needs 'bank', 'title', 'source' and 'questions'")])
    try:
        parsed = safeyaml.parse(text)
    except safeyaml.YamlRefused as exc:
        raise BankError([Problem(name, exc.issue.line, "", exc.issue.message)]) from None
    checker = _BankReader(name, parsed)
    for issue in parsed.duplicates:
        checker.problem(issue.path, issue.message)
    bank = checker.bank(parsed.data, path.stem)
    if checker.problems:
        raise BankError(sorted(checker.problems, key=lambda p: p.line))
    assert bank is not None
    return bank


class _BankReader(FieldReader):
    """Walks the raw data, builds the model and records every problem on the way."""

    def bank(self, data: Any, stem: str) -> Bank | None:
        top = self.mapping(data, (), "a bank")
        if top is None:
            return None
        self.fields(top, (), BANK_FIELDS, "a bank")
        bank_id = self.text(top, "bank", (), required=True) or stem
        if not _ID.match(bank_id):
            self.problem(("bank",), f"bank id '{bank_id}' must use lower-case letters, digits and '_'")
        elif bank_id != stem:
            self.problem(("bank",), f"bank id '{bank_id}' must match the file name '{stem}.yaml'")
        title = self.text(top, "title", (), required=True) or bank_id
        document = ""
        source = top.get("source")
        if source is None:
            self.problem((), "missing required field 'source' ({document: ..., title: ...})")
        elif (src := self.mapping(source, ("source",), "the bank's source")) is not None:
            self.fields(src, ("source",), ("document", "title", "url"), "the bank's source")
            document = self.text(src, "document", ("source",), required=True) or ""
            self.text(src, "title", ("source",))
            self.text(src, "url", ("source",))
        questions_raw = top.get("questions")
        questions: list[Question] = []
        if not isinstance(questions_raw, list) or not questions_raw:
            self.problem(("questions",) if "questions" in top else (), "expected 'questions': a non-empty list of questions")
        else:
            seen: dict[str, int] = {}
            for index, raw in enumerate(questions_raw):
                question = self.question(raw, ("questions", index), bank_id, None)
                if question is None:
                    continue
                if question.short_id in seen:
                    self.problem(("questions", index, "id"), f"duplicate id '{question.short_id}' (also questions[{seen[question.short_id]}]); ids are unique in a bank")
                else:
                    seen[question.short_id] = index
                questions.append(question)
        attempts, penalty = self.tries(top, (), (None, None))
        return Bank(bank_id, title, self.file, document, tuple(questions), self.text(top, "notes", ()), attempts, penalty)

    # -- questions and parts -----------------------------------------------------------

    def question(self, raw: Any, path: Where, bank_id: str, parent: Question | None) -> Question | None:
        data = self.mapping(raw, path, "a part" if parent else "a question")
        if data is None:
            return None
        qid = self.text(data, "id", path, required=True)
        if qid and not _ID.match(qid):
            self.problem(path + ("id",), f"id '{qid}' must use lower-case letters, digits and '_'")
        kind_name = self.text(data, "kind", path, required=True)
        kind = KINDS.get(kind_name or "")
        if kind_name and kind is None:
            self.problem(path + ("kind",), f"unknown kind '{kind_name}'; known kinds: {', '.join(KINDS)}")
        if parent and kind_name == "exercise":
            self.problem(path + ("kind",), "a part cannot itself be an exercise")
        base = PART_FIELDS if parent else COMMON_FIELDS
        allowed = frozenset(base) | (kind.fields if kind else frozenset())
        if parent:
            allowed -= {"parts"}
        if kind is not None:
            self.fields(data, path, allowed, f"a {kind_name} {'part' if parent else 'question'}")
        full_id = f"{parent.id}.{qid}" if parent else f"{bank_id}/{qid}"
        source = self.source(data, path, parent)
        solver = data.get("solver", parent.solver if parent else None)
        params = data.get("params", parent.params if parent else {})
        variables = self.variables(data, path) if "variables" in data else (parent.variables if parent else {})
        functions = self.text_list(data, "functions", path) if "functions" in data else (parent.functions if parent else ())
        attempts, penalty = self.tries(data, path, (parent.attempts, parent.penalty) if parent else (None, None))
        question = Question(
            id=full_id,
            kind=kind_name or "",
            prompt=self.text(data, "prompt", path, required=True) or "",
            explanation=self.text(data, "explanation", path, required=True) or "",
            source=source,
            line=self.parsed.line(path),
            parent=parent.id if parent else None,
            notes=self.text(data, "notes", path),
            tags=self.text_list(data, "tags", path, _TAG) if not parent else parent.tags,
            hints=self.text_list(data, "hints", path),
            options=self.options(data, path),
            answer=data.get("answer"),
            scoring=self.choice_of(data, "scoring", path, SCORINGS, "per_option"),
            tolerance=self.tolerance(data, path),
            variables=variables,
            functions=functions,
            form=self.choice_of(data, "form", path, FORMS, None),
            rubric=self.rubric(data, path),
            misconceptions=self.known_wrong(data, path),
            solver=solver,
            params=params if isinstance(params, dict) else {},
            quantity=data.get("quantity"),
            followthrough=self.number(data, "followthrough", path, 0.0, 1.0, FOLLOWTHROUGH_DEFAULT),
            points=self.number(data, "points", path, 0.0, None, 1.0),
            attempts=attempts,
            penalty=penalty,
            randomise=self.randomise(data, path) if "randomise" in data else (parent.randomise if parent else None),
        )
        if kind is not None and qid:
            if question.randomise is None:
                self.solver_key(question, data, path)
            self.key(question, data, path, kind)
        if kind_name == "exercise":
            question = self.with_parts(question, data, path, bank_id)
        if question.randomise is not None and parent is None and kind is not None:
            self.variant_zero(question, data, path)
        return question

    def solver_key(self, question: Question, data: dict, path: Where) -> None:
        """Check solver, params and quantity names against the solver registry."""
        if question.solver is None:
            if "quantity" in data or "params" in data:
                self.problem(path, "'quantity' and 'params' need a 'solver' (see `rnnquiz solve --list`)")
            return
        from solvers import SOLVERS

        solver = SOLVERS.get(question.solver) if isinstance(question.solver, str) else None
        where = path + ("solver",) if "solver" in data else path
        if solver is None:
            self.problem(where, f"unknown solver {question.solver!r}; known solvers: {', '.join(SOLVERS)}")
            return
        if not isinstance(data.get("params", question.params), dict):
            self.problem(path + ("params",), f"expected params as a mapping name: value, got {describe(data.get('params'))}")
            return
        known = [p.name for p in solver.params]
        for name in question.params:
            if name not in known:
                self.problem(path + ("params", name), f"unknown parameter '{name}' for solver {solver.name}; known: {', '.join(known)}")
        if question.kind == "exercise":
            return
        if question.quantity is None:
            self.problem(path, f"a question keyed by solver {solver.name} needs 'quantity'")
            return
        try:
            names = solver.quantities(question.params)
        except ValueError as exc:
            self.problem(path + ("params",), f"solver {solver.name} rejects these params: {exc}")
            return
        if question.quantity not in names:
            shown = ", ".join(names[:24]) + (", …" if len(names) > 24 else "")
            self.problem(path + ("quantity",), f"unknown quantity {question.quantity!r} for solver {solver.name}; known: {shown}")

    def key(self, question: Question, data: dict, path: Where, kind: Any) -> None:
        """Check that a key exists and fits the kind."""
        has_solver = question.solver is not None and question.quantity is not None
        answer = question.answer
        where = path + ("answer",)
        randomised = question.randomise is not None
        if kind.name in ("choice", "multi") and "answer" not in data:
            if not (randomised and has_solver):
                self.problem(path, "missing required field 'answer' (the letter of the right option)"
                             if kind.name == "choice" else "missing required field 'answer' (the list of right letters)")
            return
        if randomised and has_solver and "answer" in data and "{{" not in str(answer):
            self.problem(where, "a randomised question takes its key from the solver; a literal answer would be "
                                "the same for every variant (remove it, or write it as a {{template}})")
            return
        if kind.needs_key and kind.name not in ("choice", "multi") and "answer" not in data and not has_solver:
            self.problem(path, "missing key: give 'answer', or 'solver' with 'quantity'")
            return
        letters = [o.letter for o in question.options]
        if kind.name == "choice" and answer is not None:
            if not isinstance(answer, str) or answer not in letters:
                self.problem(where, f"answer {answer!r} names no option; the options are {', '.join(letters)}")
        elif kind.name == "multi" and answer is not None:
            if not isinstance(answer, list) or not all(isinstance(a, str) for a in answer):
                self.problem(where, f"a multi answer is a list of letters like [A, C], got {describe(answer)}")
            else:
                for letter in answer:
                    if letter not in letters:
                        self.problem(where, f"answer {letter!r} names no option; the options are {', '.join(letters)}")
                if len(set(answer)) != len(answer):
                    self.problem(where, "a letter is listed twice in the answer")
        elif kind.name == "number" and "answer" in data:
            if isinstance(answer, bool) or not isinstance(answer, (int, float)):
                self.problem(where, f"expected a number, got {describe(answer)}")
        elif kind.name == "expression" and "answer" in data:
            if isinstance(answer, bool) or not isinstance(answer, (str, int, float)):
                self.problem(where, f"expected a formula as text, got {describe(answer)}")
        elif kind.name == "matrix" and "answer" in data:
            if not is_matrix(answer) and not isinstance(answer, str):
                self.problem(where, f"expected a matrix as a list of equal-length rows, got {describe(answer)}")
        elif kind.name == "text":
            if not isinstance(answer, str) or not answer.strip():
                self.problem(where if "answer" in data else path, "a text question needs 'answer': a model answer that earns every rubric point")
        elif kind.name == "exercise" and "answer" in data:
            self.problem(where, "an exercise has no answer of its own; give each part its key")

    def with_parts(self, question: Question, data: dict, path: Where, bank_id: str) -> Question:
        raw = data.get("parts")
        if not isinstance(raw, list) or not raw:
            self.problem(path + ("parts",) if "parts" in data else path, "an exercise needs 'parts': a non-empty list")
            return question
        parts: list[Question] = []
        seen: set[str] = set()
        for index, item in enumerate(raw):
            part = self.question(item, path + ("parts", index), bank_id, question)
            if part is None:
                continue
            if part.part in seen:
                self.problem(path + ("parts", index, "id"), f"duplicate part id '{part.part}'")
            seen.add(part.part)
            parts.append(part)
        return replace(question, parts=tuple(parts))
