"""Load a bank file: safe YAML, full validation, then the immutable model.

Validation collects every problem before reporting, so an author fixes a file in one
pass. Each problem names the file, the line and the path inside the document
(`questions[6].options.B`), says what is wrong and what is allowed.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from grader.banks import safeyaml
from grader.errors import BankError, Problem, QuizError
from grader.marking.kinds import KINDS
from grader.model import (
    FOLLOWTHROUGH_DEFAULT,
    Bank,
    KnownWrong,
    Option,
    Question,
    RubricPoint,
    Source,
    Tolerance,
)

MAX_BANK_BYTES = 1_000_000
"""Largest bank file read; the biggest real bank is a few tens of kilobytes."""

BANK_FIELDS = ("bank", "title", "source", "notes", "questions")
COMMON_FIELDS = ("id", "kind", "prompt", "explanation", "source", "notes", "tags", "hints", "solver", "params", "quantity",
                 "randomise")
PART_FIELDS = ("id", "kind", "prompt", "explanation", "source", "notes", "hints", "solver", "params", "quantity", "points")
SCORINGS = ("all_or_nothing", "per_option")
FORMS = ("expanded",)

_ID = re.compile(r"^[a-z0-9_]+$")
_TAG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

Where = tuple[Any, ...]


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
    checker = _Checker(name, parsed)
    for issue in parsed.duplicates:
        checker.problem(issue.path, issue.message)
    bank = checker.bank(parsed.data, path.stem)
    if checker.problems:
        raise BankError(sorted(checker.problems, key=lambda p: p.line))
    assert bank is not None
    return bank


def format_path(path: Where) -> str:
    """`('questions', 6, 'options', 'B')` as `questions[6].options.B`."""
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


class _Checker:
    """Walks the raw data, builds the model and records every problem on the way."""

    def __init__(self, file: str, parsed: safeyaml.Parsed) -> None:
        self.file = file
        self.parsed = parsed
        self.problems: list[Problem] = []

    def problem(self, path: Where, message: str) -> None:
        self.problems.append(Problem(self.file, self.parsed.line(path), format_path(path), message))

    # -- generic field readers -------------------------------------------------------

    def mapping(self, value: Any, path: Where, what: str) -> dict | None:
        if isinstance(value, dict):
            return value
        self.problem(path, f"expected {what} (a mapping of 'field: value' lines), got {_describe(value)}")
        return None

    def fields(self, data: dict, path: Where, allowed: tuple[str, ...] | frozenset[str], where: str) -> None:
        for key in data:
            if key not in allowed:
                hint = difflib.get_close_matches(str(key), [str(a) for a in allowed], n=1)
                suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
                self.problem(path + (key,), f"unknown field '{key}' in {where}{suggestion} Allowed: {', '.join(sorted(allowed))}")

    def text(self, data: dict, key: str, path: Where, *, required: bool = False) -> str | None:
        if key not in data or data[key] is None:
            if required:
                self.problem(path, f"missing required field '{key}' (text)")
            return None
        value = data[key]
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, bool):
            self.problem(path + (key,), f"expected text, got the boolean {value}; quote it: '{'Yes' if value else 'No'}'")
        else:
            self.problem(path + (key,), f"expected non-empty text, got {_describe(value)}")
        return None

    def number(self, data: dict, key: str, path: Where, low: float, high: float | None, default: float) -> float:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(path + (key,), f"expected a number, got {_describe(value)}")
            return default
        if value < low or (high is not None and value > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            self.problem(path + (key,), f"{key} must be {bounds}, got {value}")
            return default
        return float(value)

    def text_list(self, data: dict, key: str, path: Where, pattern: re.Pattern | None = None) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.problem(path + (key,), f"expected a list of text, got {_describe(value)}")
            return ()
        for index, item in enumerate(value):
            if pattern and not pattern.match(item):
                self.problem(path + (key, index), f"'{item}' is not allowed here; use lower-case letters, digits and '-'")
        return tuple(v.strip() for v in value)

    # -- the bank ---------------------------------------------------------------------

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
        return Bank(bank_id, title, self.file, document, tuple(questions), self.text(top, "notes", ()))

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

    def randomise(self, data: dict, path: Where) -> Any:
        """`randomise: {draw: {name: {choice: [...]} | {range: [low, high], step: s}}, require: [...], nonzero: [...]}`."""
        from grader.marking.variants import Draw, Randomise

        where = path + ("randomise",)
        raw = self.mapping(data["randomise"], where, "a randomisation {draw: ..., require: [...], nonzero: [...]}")
        if raw is None:
            return None
        self.fields(raw, where, ("draw", "require", "nonzero", "unambiguous"), "a randomisation")
        unambiguous = raw.get("unambiguous", False)
        if not isinstance(unambiguous, bool):
            self.problem(where + ("unambiguous",), f"expected true or false, got {_describe(unambiguous)}")
        draws_raw = self.mapping(raw.get("draw"), where + ("draw",), "the values to draw, name: {choice: [...]}")
        draws = []
        for name, spec in (draws_raw or {}).items():
            at = where + ("draw", name)
            if not isinstance(name, str) or not _NAME.match(name):
                self.problem(at, f"'{name}' is not a name; use letters, digits and '_'")
                continue
            if isinstance(spec, dict) and set(spec) == {"choice"} and isinstance(spec["choice"], list) \
                    and spec["choice"] and all(isinstance(v, (int, float, str)) and not isinstance(v, bool)
                                               for v in spec["choice"]):
                draws.append(Draw(name, choice=tuple(spec["choice"])))
            elif isinstance(spec, dict) and set(spec) <= {"range", "step"} and _is_range(spec.get("range")) \
                    and _positive(spec.get("step", 1)):
                low, high = spec["range"]
                draws.append(Draw(name, low=float(low), high=float(high), step=float(spec.get("step", 1))))
            else:
                self.problem(at, "draw a value as {choice: [a, b, ...]} or {range: [low, high], step: s} "
                                 "(low < high, step > 0; integers by default)")
        return Randomise(tuple(draws), self.text_list(raw, "require", where), self.text_list(raw, "nonzero", where),
                         unambiguous is True)

    def variant_zero(self, question: Question, data: dict, path: Where) -> None:
        """Fill a randomised question once, so template and parameter mistakes show at load."""
        from grader.marking.variants import instantiate

        try:
            concrete = instantiate(question, 0, check_solver=False)
        except QuizError as exc:
            self.problem(path + ("randomise",), f"cannot make a variant: {exc}")
            return
        except ValueError as exc:
            self.problem(path + ("params",), f"the solver rejects the drawn params: {exc}")
            return
        for item in (concrete, *concrete.parts):
            self.solver_key(item, data if item is concrete else {}, path)

    def source(self, data: dict, path: Where, parent: Question | None) -> Source:
        raw = data.get("source")
        if raw is None:
            if parent is None:
                self.problem(path, "missing required field 'source' ({document: \"002\", question: \"7\"})")
            return parent.source if parent else Source("", "")
        src = self.mapping(raw, path + ("source",), "a source")
        if src is None:
            return Source("", "")
        self.fields(src, path + ("source",), ("document", "question"), "a source")
        values = []
        for key in ("document", "question"):
            value = src.get(key)
            if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
                values.append(str(value).strip())
            else:
                self.problem(path + ("source", key) if key in src else path + ("source",),
                             f"source needs '{key}' as text (e.g. document: \"002\", question: \"7\")")
                values.append("")
        return Source(*values)

    def choice_of(self, data: dict, key: str, path: Where, allowed: tuple[str, ...], default: Any) -> Any:
        if key not in data:
            return default
        if data[key] in allowed:
            return data[key]
        self.problem(path + (key,), f"{key} must be one of {', '.join(allowed)}, got {_describe(data[key])}")
        return default

    def options(self, data: dict, path: Where) -> tuple[Option, ...]:
        raw = data.get("options")
        if raw is None:
            if data.get("kind") in ("choice", "multi"):
                self.problem(path, "missing required field 'options' (a mapping A: ..., B: ...)")
            return ()
        mapping = self.mapping(raw, path + ("options",), "options lettered A, B, C, …")
        if mapping is None:
            return ()
        letters = [str(k) for k in mapping]
        expected = [chr(ord("A") + i) for i in range(len(letters))]
        if letters != expected:
            self.problem(path + ("options",), f"options must be lettered {', '.join(expected)} in order; got {', '.join(letters)}")
        if len(letters) < 2:
            self.problem(path + ("options",), "a question needs at least two options")
        out = []
        for letter, value in mapping.items():
            option = self.option(str(letter), value, path + ("options", letter))
            if option:
                out.append(option)
        return tuple(out)

    def option(self, letter: str, value: Any, path: Where) -> Option | None:
        if isinstance(value, str) and value.strip():
            return Option(letter, value.strip())
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return Option(letter, str(value), value=value)
        if not isinstance(value, dict):
            quote = " (quote Yes/No/On/Off, which YAML reads as booleans)" if isinstance(value, bool) else ""
            self.problem(path, f"an option is its text or a mapping with 'text'; got {_describe(value)}{quote}")
            return None
        self.fields(value, path, ("text", "feedback", "value", "expr", "chain", "misconception"), "an option")
        text = self.text(value, "text", path, required=True) or ""
        chain = None
        if "chain" in value:
            from grader.marking import chains  # only banks with chain-rule options pay for it

            try:
                chain = chains.parse_chain(value["chain"])
            except chains.ChainError as exc:
                self.problem(path + ("chain",), str(exc))
        expr = value.get("expr")
        if expr is not None and not isinstance(expr, (str, int, float)):
            self.problem(path + ("expr",), f"expected a formula as text, got {_describe(expr)}")
            expr = None
        return Option(letter, text, self.text(value, "feedback", path), value.get("value"),
                      str(expr) if expr is not None else None, chain, self.text(value, "misconception", path))

    def tolerance(self, data: dict, path: Where) -> Tolerance | None:
        raw = data.get("tolerance")
        if raw is None:
            return None
        mapping = self.mapping(raw, path + ("tolerance",), "a tolerance {rel: ..., abs: ...}")
        if mapping is None:
            return None
        self.fields(mapping, path + ("tolerance",), ("rel", "abs"), "a tolerance")
        default = Tolerance()
        return Tolerance(
            self.number(mapping, "rel", path + ("tolerance",), 0.0, 1.0, default.rel),
            self.number(mapping, "abs", path + ("tolerance",), 0.0, None, default.abs),
        )

    def variables(self, data: dict, path: Where) -> dict[str, tuple[float, float] | None]:
        raw = data["variables"]
        where = path + ("variables",)
        if isinstance(raw, list):
            raw = {name: None for name in raw}
        if not isinstance(raw, dict):
            self.problem(where, f"expected a list of names or a mapping name: [low, high], got {_describe(raw)}")
            return {}
        out: dict[str, tuple[float, float] | None] = {}
        for name, domain in raw.items():
            if not isinstance(name, str) or not _NAME.match(name):
                self.problem(where, f"'{name}' is not a variable name; use letters, digits and '_' (W_h, s_4)")
                continue
            if domain is None:
                out[name] = None
            elif (isinstance(domain, list) and len(domain) == 2
                  and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in domain)
                  and domain[0] < domain[1]):
                out[name] = (float(domain[0]), float(domain[1]))
            else:
                self.problem(where + (name,), f"a sampling range is [low, high] with low < high, got {_describe(domain)}")
        return out

    def rubric(self, data: dict, path: Where) -> tuple[RubricPoint, ...]:
        raw = data.get("rubric")
        if raw is None:
            if data.get("kind") == "text":
                self.problem(path, "missing required field 'rubric' (a list of points with 'point' and 'any')")
            return ()
        if not isinstance(raw, list) or not raw:
            self.problem(path + ("rubric",), f"expected a non-empty list of rubric points, got {_describe(raw)}")
            return ()
        out = []
        for index, item in enumerate(raw):
            where = path + ("rubric", index)
            mapping = self.mapping(item, where, "a rubric point {point: ..., any: [...]}")
            if mapping is None:
                continue
            self.fields(mapping, where, ("point", "weight", "any"), "a rubric point")
            patterns = self.text_list(mapping, "any", where)
            if not patterns:
                self.problem(where, "a rubric point needs 'any': a list of fragments or 're:' patterns")
            for pattern in patterns:
                if pattern.startswith("re:"):
                    try:
                        re.compile(pattern[3:])
                    except re.error as exc:
                        self.problem(where + ("any",), f"invalid regular expression '{pattern[3:]}': {exc}")
            out.append(RubricPoint(self.text(mapping, "point", where, required=True) or "",
                                   self.number(mapping, "weight", where, 0.0, None, 1.0), patterns))
        return tuple(out)

    def known_wrong(self, data: dict, path: Where) -> tuple[KnownWrong, ...]:
        raw = data.get("misconceptions")
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.problem(path + ("misconceptions",), f"expected a list of {{answer, feedback}}, got {_describe(raw)}")
            return ()
        out = []
        seen: set[str] = set()
        for index, item in enumerate(raw):
            where = path + ("misconceptions", index)
            mapping = self.mapping(item, where, "a known wrong answer {answer: ..., feedback: ...}")
            if mapping is None:
                continue
            self.fields(mapping, where, ("answer", "feedback", "id"), "a known wrong answer")
            if "answer" not in mapping:
                self.problem(where, "missing required field 'answer'")
            elif repr(mapping["answer"]) in seen:
                self.problem(where + ("answer",), f"answer {mapping['answer']!r} is listed twice; merge the feedback into one entry")
            seen.add(repr(mapping.get("answer")))
            out.append(KnownWrong(mapping.get("answer"), self.text(mapping, "feedback", where, required=True) or "",
                                  self.text(mapping, "id", where)))
        return tuple(out)

    # -- keys ------------------------------------------------------------------------

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
            self.problem(path + ("params",), f"expected params as a mapping name: value, got {_describe(data.get('params'))}")
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
                self.problem(where, f"a multi answer is a list of letters like [A, C], got {_describe(answer)}")
            else:
                for letter in answer:
                    if letter not in letters:
                        self.problem(where, f"answer {letter!r} names no option; the options are {', '.join(letters)}")
                if len(set(answer)) != len(answer):
                    self.problem(where, "a letter is listed twice in the answer")
        elif kind.name == "number" and "answer" in data:
            if isinstance(answer, bool) or not isinstance(answer, (int, float)):
                self.problem(where, f"expected a number, got {_describe(answer)}")
        elif kind.name == "expression" and "answer" in data:
            if isinstance(answer, bool) or not isinstance(answer, (str, int, float)):
                self.problem(where, f"expected a formula as text, got {_describe(answer)}")
        elif kind.name == "matrix" and "answer" in data:
            if not _is_matrix(answer) and not isinstance(answer, str):
                self.problem(where, f"expected a matrix as a list of equal-length rows, got {_describe(answer)}")
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


def _is_range(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value) and value[0] < value[1])


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def _is_matrix(value: Any) -> bool:
    if not isinstance(value, list) or not value:
        return False
    if all(not isinstance(v, list) for v in value):
        return True
    return all(isinstance(row, list) and len(row) == len(value[0]) and row for row in value)


def _describe(value: Any) -> str:
    kinds: dict[type, str] = {bool: "a boolean", int: "a number", float: "a number", str: "text",
                              list: "a list", dict: "a mapping", type(None): "nothing"}
    kind = kinds.get(type(value), type(value).__name__)
    if isinstance(value, (bool, int, float)) or (isinstance(value, str) and len(value) < 30):
        return f"{kind} ({value!r})"
    return kind

