"""Readers for the fields of a question: options, tolerance, variables, rubric, known wrong
answers, randomisation and source. Each checks what it reads and records every problem."""

from __future__ import annotations

import re
from typing import Any

from grader.banks.checker import Checker, Where, describe, is_range, positive
from grader.errors import QuizError
from grader.marking.variants import Draw, Randomise, instantiate
from grader.model import DEFAULT_TOLERANCE, KnownWrong, Option, Question, Source, Tolerance

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class FieldReader(Checker):
    """The field readers of a bank check (the bank and question structure is in `loader`)."""

    def randomise(self, data: dict, path: Where) -> Any:
        """`randomise: {draw: {name: {choice: [...]} | {range: [low, high], step: s}}, require: [...], nonzero: [...]}`."""
        where = path + ("randomise",)
        raw = self.mapping(data["randomise"], where, "a randomisation {draw: ..., require: [...], nonzero: [...]}")
        if raw is None:
            return None
        self.fields(raw, where, ("draw", "require", "nonzero", "unambiguous"), "a randomisation")
        unambiguous = raw.get("unambiguous", False)
        if not isinstance(unambiguous, bool):
            self.problem(where + ("unambiguous",), f"expected true or false, got {describe(unambiguous)}")
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
            elif isinstance(spec, dict) and set(spec) <= {"range", "step"} and is_range(spec.get("range")) \
                    and positive(spec.get("step", 1)):
                low, high = spec["range"]
                draws.append(Draw(name, low=float(low), high=float(high), step=float(spec.get("step", 1))))
            else:
                self.problem(at, "draw a value as {choice: [a, b, ...]} or {range: [low, high], step: s} "
                                 "(low < high, step > 0; integers by default)")
        return Randomise(tuple(draws), self.text_list(raw, "require", where), self.text_list(raw, "nonzero", where),
                         unambiguous is True)

    def variant_zero(self, question: Question, data: dict, path: Where) -> None:
        """Fill a randomised question once, so template and parameter mistakes show at load."""
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
        self.problem(path + (key,), f"{key} must be one of {', '.join(allowed)}, got {describe(data[key])}")
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
            self.problem(path, f"an option is its text or a mapping with 'text'; got {describe(value)}{quote}")
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
            self.problem(path + ("expr",), f"expected a formula as text, got {describe(expr)}")
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
        default = DEFAULT_TOLERANCE
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
            self.problem(where, f"expected a list of names or a mapping name: [low, high], got {describe(raw)}")
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
                self.problem(where + (name,), f"a sampling range is [low, high] with low < high, got {describe(domain)}")
        return out

    def known_wrong(self, data: dict, path: Where) -> tuple[KnownWrong, ...]:
        raw = data.get("misconceptions")
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.problem(path + ("misconceptions",), f"expected a list of {{answer, feedback}}, got {describe(raw)}")
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
            ids = self.text_list(mapping, "id", where) if isinstance(mapping.get("id"), list) else \
                tuple(filter(None, [self.text(mapping, "id", where)]))
            out.append(KnownWrong(mapping.get("answer"), self.text(mapping, "feedback", where, required=True) or "",
                                  ids[0] if ids else None, ids[1:]))
        return tuple(out)

    # -- keys ------------------------------------------------------------------------
