"""Choice kinds: exactly one right option (`choice`), or tick every right one (`multi`)."""

from __future__ import annotations

import re
from typing import Any

from grader.errors import ResponseError
from grader.marking.compare import option_value, same_value
from grader.marking.diagnose import with_diagnosis
from grader.marking.kinds.base import MAX_CHOICE_CHARS, Examples, bounded, fold
from grader.model import Question, Verdict, status_for


def _letters_hint(question: Question) -> str:
    letters = [o.letter for o in question.options]
    return f"a letter {letters[0]}–{letters[-1]} or a number 1–{len(letters)}"


def _read_option(question: Question, token: str, *, whole_text: bool) -> str:
    """The letter a token names: a letter, a position, or (for whole answers) the option's text."""
    cleaned = token.strip().strip("().:").strip()
    upper = cleaned.upper()
    letters = [o.letter for o in question.options]
    if upper in letters:
        return upper
    if cleaned.isdigit() and 1 <= int(cleaned) <= len(letters):
        return letters[int(cleaned) - 1]
    if whole_text:
        folded = fold(token)
        for option in question.options:
            if folded == fold(option.text):
                return option.letter
    raise ResponseError(f"'{token.strip()[:40]}' is not one of the options. Type {_letters_hint(question)}.")


class ChoiceKind:
    """Exactly one option is right."""

    name = "choice"
    fields = frozenset({"options", "answer", "variables", "functions"})
    needs_key = True

    def key(self, question: Question, value: Any) -> str:
        return str(value)

    def parse(self, question: Question, text: str) -> str:
        text = bounded(text, MAX_CHOICE_CHARS)
        if not text:
            raise ResponseError(f"Type {_letters_hint(question)}.")
        try:
            return _read_option(question, text, whole_text=True)
        except ResponseError:
            if not any(o.expr is not None for o in question.options):
                raise
        return _option_by_formula(question, text)

    def check(self, question: Question, response: str, key: str) -> Verdict:
        option = question.option(response)
        shown = self.format(question, response)
        if response == key:
            return Verdict("correct", 1.0, "Correct.", interpreted_as=shown)
        verdict = Verdict("incorrect", 0.0, option.feedback or f"{response} is not the right option.",
                          interpreted_as=shown, misconception=option.misconception)
        if option.misconception or not (option.expr or option.value is not None):
            return verdict
        return with_diagnosis(question, option_value(question, option), verdict)

    def format(self, question: Question, response: str) -> str:
        text = question.option(response).text
        text = text if len(text) <= 60 else text[:57] + "…"
        return f"{response}: {text}"

    def examples(self, question: Question, key: str) -> Examples:
        letters = [o.letter for o in question.options]
        position = str(letters.index(key) + 1)
        return Examples(
            right=(key, key.lower(), position, question.option(key).text),
            wrong=tuple(letter for letter in letters if letter != key),
            invalid=("", "%%", chr(ord(letters[-1]) + 1)),
        )


_MULTI_SPLIT = re.compile(r"[\s,;/&+]+|\band\b", re.IGNORECASE)
_NONE_WORDS = frozenset({"none", "-", "nothing", "no option", "no options"})


def _option_by_formula(question: Question, text: str) -> str:
    """The option whose formula equals a typed formula (`3(n^2+nm+n)` picks B of nptel/q7)."""
    from grader.mathinput import mathparse  # at first use: keeps start-up fast

    try:
        typed = mathparse.parse(text, variables=list(question.variables), functions=question.functions)
    except ResponseError as exc:
        raise ResponseError(f"'{text[:40]}' is neither an option nor a formula I can read ({exc}) "
                            f"Type {_letters_hint(question)}, or the formula.") from None
    for option in question.options:
        if option.expr is not None and same_value(question, option_value(question, option), typed).equivalent:
            return option.letter
    raise ResponseError(f"{typed.interpreted_as()} equals none of the options. Type {_letters_hint(question)}.")


class MultiKind:
    """Tick every right option; scored all-or-nothing or per option."""

    name = "multi"
    fields = frozenset({"options", "answer", "scoring", "variables", "functions"})
    needs_key = True

    def key(self, question: Question, value: Any) -> frozenset[str]:
        return frozenset(str(v) for v in value)

    def parse(self, question: Question, text: str) -> frozenset[str]:
        text = bounded(text, MAX_CHOICE_CHARS)
        if fold(text) in _NONE_WORDS:
            return frozenset()
        if not text:
            raise ResponseError(f"Type the options you tick, e.g. 'A,C' or '1 3', or 'none'. Use {_letters_hint(question)}.")
        try:
            return frozenset({_read_option(question, text, whole_text=True)})
        except ResponseError:
            pass
        tokens = [t for t in _MULTI_SPLIT.split(text) if t and t.strip()]
        return frozenset(_read_option(question, t, whole_text=False) for t in tokens)

    def check(self, question: Question, response: frozenset[str], key: frozenset[str]) -> Verdict:
        shown = self.format(question, response)
        wrongly_ticked = sorted(response - key)
        missed = sorted(key - response)
        if question.scoring == "all_or_nothing":
            score = 1.0 if response == key else 0.0
        else:
            judged_right = sum(1 for o in question.options if (o.letter in response) == (o.letter in key))
            score = judged_right / len(question.options)
        if response == key:
            return Verdict("correct", 1.0, "Correct: exactly the right options.", interpreted_as=shown)
        pieces = []
        if wrongly_ticked:
            for letter in wrongly_ticked:
                feedback = question.option(letter).feedback
                pieces.append(f"{letter} should not be ticked" + (f": {feedback}" if feedback else "."))
        if missed:
            pieces.append(f"You left out {_listed(missed)}, which {'is' if len(missed) == 1 else 'are'} also right.")
        return Verdict(status_for(score), score, " ".join(pieces), interpreted_as=shown)

    def format(self, question: Question, response: frozenset[str]) -> str:
        return ", ".join(sorted(response)) if response else "no options ticked"

    def examples(self, question: Question, key: frozenset[str]) -> Examples:
        letters = [o.letter for o in question.options]
        as_letters = ",".join(sorted(key)) or "none"
        as_numbers = " ".join(str(letters.index(k) + 1) for k in sorted(key)) or "none"
        flips = tuple(",".join(sorted(key ^ {letter})) or "none" for letter in letters)
        return Examples(right=(as_letters, as_letters.lower().replace(",", " "), as_numbers),
                        wrong=flips, invalid=("", f"A,{chr(ord(letters[-1]) + 1)}", "%%"))


def _listed(letters: list[str]) -> str:
    """`C`, `A and C`, `A, C and D`."""
    return letters[0] if len(letters) == 1 else f"{', '.join(letters[:-1])} and {letters[-1]}"
