"""Text to tokens: Unicode normalised to the grammar's ASCII, every other character refused by name."""

from __future__ import annotations

import functools
import re
import unicodedata

from grader.errors import ResponseError
from grader.mathinput.mathparse.lexicon import (
    ALNUM,
    ASCII_CONTROL,
    BUILTINS,
    CHAR_HINTS,
    CONST,
    CONSTANTS,
    END,
    FUNC,
    FUNCTION_LIST,
    GREEK,
    LB,
    LP,
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_NAME_LENGTH,
    MAX_NUMBER,
    MAX_NUMBER_DIGITS,
    MIN_NUMBER,
    NAME_HEAD,
    NAME_PATTERN,
    NOT_FINITE,
    NUM,
    QUOTE_LIMIT,
    RB,
    RP,
    SINGLE,
    SUBSCRIPT_PART,
    SUBSCRIPTS,
    SUP,
    SUPERSCRIPTS,
    SYMBOLS,
    UFUNC,
    VAR,
    WORD,
)


def normalise(text: str) -> str:
    """Length cap, trim, and map the allowed Unicode to ASCII (plus superscripts and √)."""
    if not isinstance(text, str):
        raise ResponseError("Type the answer as text.")
    if len(text) > MAX_LENGTH:
        raise ResponseError(f"Answer too long ({len(text)} characters); at most {MAX_LENGTH} are accepted. Type a shorter formula.")
    text = text.strip()
    if not text:
        raise ResponseError("Empty answer. Type a formula, such as 2*x + 1.")
    if text.isascii():
        bad = ASCII_CONTROL.search(text)
        if bad:
            raise ResponseError(_bad_character(bad.group()))
        return text
    out: list[str] = []
    subscript: list[str] = []
    for ch in text:
        if ch in SUBSCRIPTS:
            subscript.append(SUBSCRIPTS[ch])
            continue
        if subscript:
            out.append("_{" + "".join(subscript) + "}")
            subscript.clear()
        if ch.isascii():
            if ASCII_CONTROL.match(ch):
                raise ResponseError(_bad_character(ch))
            out.append(ch)
        elif ch in SYMBOLS:
            out.append(SYMBOLS[ch])
        elif ch in GREEK:
            out.append(GREEK[ch])
        elif ch in SUPERSCRIPTS:
            out.append(ch)
        elif ch == "∞":
            raise ResponseError(_not_finite_message("∞"))
        else:
            folded = unicodedata.normalize("NFKC", ch)
            if not folded.isascii() or not folded.isprintable():
                raise ResponseError(_bad_character(ch))
            out.append(folded)
    if subscript:
        out.append("_{" + "".join(subscript) + "}")
    return "".join(out)


def _bad_character(ch: str) -> str:
    code = f"U+{ord(ch):04X}"
    name = unicodedata.name(ch, "")
    label = f"{code} {name}".strip()
    category = unicodedata.category(ch)
    if category[0] in "CZM" or not ch.isprintable():
        return f"Invisible, control or combining character {label} is not allowed. Delete it and retype the formula."
    if category[0] == "L":
        return f"Character '{ch}' ({label}) is not allowed; it may look like a Latin letter. Retype it on a plain keyboard."
    return f"Character '{ch}' ({label}) is not allowed in a formula. Use + - * / ^ and ( )."


def _not_finite_message(word: str) -> str:
    return f"'{word}' is not a finite number. Type a number or a formula instead."


def quoted(text: str) -> str:
    # Tabs are the only control character that reaches here; echo them as spaces so a message stays one clean line.
    text = text.replace("\t", " ")
    return text if len(text) <= QUOTE_LIMIT else "…" + text[-QUOTE_LIMIT:]


@functools.lru_cache(maxsize=4096)
def canonical(raw: str) -> str:
    head = NAME_HEAD.match(raw)
    assert head is not None
    parts = [head.group(1)] + ([head.group(2)] if head.group(2) else [])
    parts += [m.group(1) if m.group(1) is not None else m.group(2) for m in SUBSCRIPT_PART.finditer(raw, head.end())]
    return "_".join(parts)


class Tokeniser:
    """Turns normalised text into tokens, resolving and splitting names."""

    def __init__(self, text: str, declared: frozenset[str] | None, undefined: frozenset[str], numeric: bool) -> None:
        self.text = text
        self.declared = declared
        self.undefined = undefined
        self.numeric = numeric
        self.tokens: list[tuple[str, str, int, int]] = []

    def run(self) -> list[tuple[str, str, int, int]]:
        text, tokens, pos, depth, size = self.text, self.tokens, 0, 0, len(self.text)
        while pos < size:
            ch = text[pos]
            if ch == " " or ch == "\t":
                pos += 1
                continue
            kind = SINGLE.get(ch)
            if kind is not None:
                end = pos + 2 if text.startswith("**", pos) else pos + 1
                if kind is LP or kind is LB:
                    depth += 1
                    if depth > MAX_DEPTH:
                        raise ResponseError(f"Too deeply nested: more than {MAX_DEPTH} levels of brackets. Simplify the formula.")
                elif kind is RP or kind is RB:
                    depth -= 1
                tokens.append((kind, text[pos:end], pos, end))
                pos = end
                continue
            match = WORD.match(text, pos)
            if match is None:
                raise ResponseError(CHAR_HINTS.get(ch) or _bad_character(ch))
            word, end = match.group(), match.end()
            if match.lastgroup == "num":
                tokens.append((NUM, number_text(word), pos, end))
            elif match.lastgroup == "name":
                self._name(word, pos, end)
            else:
                tokens.append((SUP, "".join(SUPERSCRIPTS[c] for c in word).lstrip("+"), pos, end))
            pos = end
        tokens.append((END, "", size, size))
        return tokens

    def _name(self, raw: str, start: int, end: int) -> None:
        if len(raw) > MAX_NAME_LENGTH:
            raise ResponseError(f"Name '{quoted(raw)}' is too long ({len(raw)} characters; at most {MAX_NAME_LENGTH}). Put * between names, as in n*m.")
        for sub in SUBSCRIPT_PART.finditer(raw) if "{" in raw else ():
            if sub.group(1) is not None and not ALNUM.fullmatch(sub.group(1)):
                raise ResponseError(f"Subscript '{{{quoted(sub.group(1))}}}' may hold only letters and digits, as in W_{{hh}} or s_{{4}}.")
        name = canonical(raw)
        whole = self._resolve(name)
        if whole is not None:
            self.tokens.append((whole, name, start, end))
            return
        # Refused before splitting: a student typing "nan" means the number, not n·a·n.
        if name in NOT_FINITE:
            raise ResponseError(_not_finite_message(name))
        if name == "factorial":
            raise ResponseError("factorial is not supported. Write the product out, e.g. 3*2*1.")
        pieces = None if self.declared is None else _split(name, self.declared, self.undefined)
        if pieces is None:
            if self.declared is None:
                self.tokens.append((VAR, name, start, end))
                return
            raise ResponseError(self._unknown(raw, name))
        for piece in pieces:
            kind = self._resolve(piece)
            assert kind is not None
            self.tokens.append((kind, piece, start, end))

    def _resolve(self, name: str) -> str | None:
        """The kind of a name known as a whole, or None."""
        if self.declared is not None and name in self.declared:
            return VAR
        if name in self.undefined:
            return UFUNC
        if name in BUILTINS:
            return FUNC
        if name in CONSTANTS:
            return CONST
        return None

    def _unknown(self, raw: str, name: str) -> str:
        assert self.declared is not None
        shown = quoted(raw)
        if self.numeric:
            return f"'{shown}' is not a number. Type a number, such as -4, 0.25, 2.5e-3 or 1/3, or arithmetic such as 2*(4-5)."
        if self.declared:
            where = f"This question's variables are {', '.join(sorted(self.declared))}."
        else:
            where = "This question has no variables."
        if self.undefined:
            where += f" Its functions: {', '.join(sorted(self.undefined))} (with ' for the derivative)."
        hint = ""
        squeezed = {v.replace("_", ""): v for v in self.declared}
        head = NAME_HEAD.match(raw)
        if name.replace("_", "") in squeezed:
            hint = f" Did you mean {squeezed[name.replace('_', '')]}?"
        elif head and head.group(2) and head.group(1) in self.declared:
            hint = f" A digit right after a name is a subscript ({raw} is {name}); for a product type {head.group(1)}*{head.group(2)}."
        return f"Unknown name '{shown}'.{hint} {where} Functions: {FUNCTION_LIST}."


@functools.lru_cache(maxsize=4096)
def _split(name: str, declared: frozenset[str], undefined: frozenset[str]) -> tuple[str, ...] | None:
    """Longest-match-first split of ``name`` into known names; a function may only come last."""
    lasts, candidates = _split_table(declared, undefined)
    # best[i]: the split of name[i:], filled from the right so no recursion is needed.
    best: list[tuple[str, ...] | None] = [None] * len(name) + [()]
    for i in range(len(name) - 1, -1, -1):
        for cand in candidates:
            if not name.startswith(cand, i):
                continue
            after = i + len(cand)
            if cand in lasts and after != len(name):
                continue
            rest = best[after]
            if rest is not None:
                best[i] = (cand,) + rest
                break
    return best[0]


@functools.lru_cache(maxsize=256)
def _split_table(declared: frozenset[str], undefined: frozenset[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """Names that may only end a split (functions), and every candidate, longest first."""
    lasts = (undefined | frozenset(BUILTINS)) - declared
    candidates = declared | CONSTANTS | lasts
    return lasts, tuple(sorted(candidates, key=lambda c: (-len(c), c)))


@functools.lru_cache(maxsize=4096)
def number_text(text: str) -> str:
    mantissa, _, exponent = text.lower().partition("e")
    digits = sum(c.isdigit() for c in mantissa)
    if digits > MAX_NUMBER_DIGITS:
        raise ResponseError(f"Number '{quoted(text)}' has {digits} digits; at most {MAX_NUMBER_DIGITS} are accepted.")
    if len(exponent.lstrip("+-")) > 3:
        raise ResponseError(f"Number '{quoted(text)}' is out of range. Use numbers between {MIN_NUMBER:g} and {MAX_NUMBER:g} in size.")
    if mantissa.startswith("."):
        mantissa = "0" + mantissa
    mantissa = mantissa.rstrip(".")
    return mantissa + ("e" + exponent.lstrip("+") if exponent else "")


@functools.lru_cache(maxsize=4096)
def canonical_name(name: str) -> str:
    """Canonical spelling of a declared name; ``ValueError`` if it is not a valid name."""
    try:
        normal = normalise(name)
    except ResponseError as error:
        raise ValueError(f"invalid name {name!r}: {error}") from None
    braced = [m.group(1) for m in SUBSCRIPT_PART.finditer(normal) if m.group(1) is not None]
    if not re.fullmatch(NAME_PATTERN, normal) or not all(ALNUM.fullmatch(b) for b in braced) or len(normal) > MAX_NAME_LENGTH:
        raise ValueError(f"invalid name {name!r}: use letters, then digits or _subscripts, at most {MAX_NAME_LENGTH} characters")
    return canonical(normal)


@functools.lru_cache(maxsize=1024)
def canonical_set(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(canonical_name(name) for name in names)
