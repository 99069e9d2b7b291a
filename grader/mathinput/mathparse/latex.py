"""A small LaTeX subset, rewritten into the plain syntax before tokenising.

Students paste ``\\frac{a}{b}``, ``\\sigma(z)`` and ``W_{hh}\\cdot h``; each command of the subset
becomes plain text that the ordinary tokeniser then reads, so the caps, the whitelist and the
"read as" echo (which shows the plain form) apply unchanged. The subset: ``\\frac``
(``\\dfrac``, ``\\tfrac``), ``\\sqrt``, ``\\cdot``, ``\\times``, ``^{…}``, ``_{…}``, braces as
brackets, ``\\left( \\right)`` (and ``[ ]``), Greek letters (``\\alpha`` … ``\\Omega``), the built-in
functions (``\\sigma``, ``\\tanh``, ``\\exp``, ``\\ln``, ``\\sin``, ``\\arctan`` …), ``\\pi``,
``\\infty`` (then refused as not finite) and the spacing commands. Anything else is refused,
naming the command. Nesting is capped at MAX_DEPTH like brackets.
"""

from __future__ import annotations

import re

from grader.errors import ResponseError
from grader.mathinput.mathparse.lexicon import BUILTINS, GREEK, MAX_DEPTH

_COMMAND = re.compile(r"\\([A-Za-z]+|.?)")
_TIMES = frozenset({"cdot", "times", "ast"})
_SPACES = frozenset({",", ";", ":", "!", " ", "quad", "qquad", "left", "right", "big", "Big", "bigl", "bigr"})
_FRACTIONS = frozenset({"frac", "dfrac", "tfrac"})
# Spelled names a command may stand for: every Greek letter we accept, every built-in, pi.
_NAMES = frozenset(GREEK.values()) | frozenset(BUILTINS) | {"pi", "infty"}
SUPPORTED = "\\frac, \\sqrt, \\cdot, \\times, ^{…}, _{…}, \\left( \\right), Greek letters, \\sigma, \\tanh, \\exp, \\ln, \\pi"


def to_plain(text: str) -> str:
    """``text`` with the LaTeX subset rewritten into the plain syntax; ResponseError for the rest."""
    plain, end = _Reader(text).sequence(0, 0, closing="")
    assert end == len(text)
    return plain


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text

    def sequence(self, pos: int, depth: int, closing: str) -> tuple[str, int]:
        """Plain text from ``pos`` up to ``closing`` ('}' or the end); returns it and the position after."""
        if depth > MAX_DEPTH:
            raise ResponseError(f"Too deeply nested: more than {MAX_DEPTH} levels of braces. Simplify the formula.")
        out: list[str] = []
        text = self.text
        while pos < len(text):
            ch = text[pos]
            if ch == closing:
                return "".join(out), pos + 1
            if ch == "}":
                raise ResponseError("Unmatched '}'. Remove it or add the missing '{'.")
            if ch == "{":
                inner, pos = self.group(pos, depth)
                out.append(f"({inner})")
            elif ch == "_" and text.startswith("{", pos + 1):
                inner, pos = self.group(pos + 1, depth)
                out.append("_{" + inner + "}")  # a subscript keeps its braces: W_{hh}
            elif ch == "\\":
                piece, pos = self.command(pos, depth)
                if piece and out and out[-1][-1:].isalnum() and piece[0].isalpha():
                    out.append(" ")  # x\alpha is x·alpha, not the name xalpha
                out.append(piece)
            else:
                out.append(ch)
                pos += 1
        if closing:
            raise ResponseError("Missing '}'. Close every '{' of the LaTeX.")
        return "".join(out), pos

    def group(self, pos: int, depth: int) -> tuple[str, int]:
        """A braced group at ``pos`` (which holds '{')."""
        return self.sequence(pos + 1, depth + 1, closing="}")

    def argument(self, pos: int, depth: int, command: str) -> tuple[str, int]:
        """One argument: a braced group, or a single character as in \\frac12."""
        while pos < len(self.text) and self.text[pos] == " ":
            pos += 1
        if pos >= len(self.text):
            raise ResponseError(f"\\{command} needs its argument in braces, e.g. \\{command}{{x}}.")
        if self.text[pos] == "{":
            return self.group(pos, depth)
        if self.text[pos] == "}":
            raise ResponseError(f"Unmatched '}}' where \\{command} expects an argument. Remove it or add the missing '{{'.")
        if self.text[pos] == "\\":
            return self.command(pos, depth + 1)  # \frac\frac… nests like braces do
        return self.text[pos], pos + 1

    def command(self, pos: int, depth: int) -> tuple[str, int]:
        if depth > MAX_DEPTH:
            raise ResponseError(f"Too deeply nested: more than {MAX_DEPTH} levels of LaTeX commands. Simplify the formula.")
        match = _COMMAND.match(self.text, pos)
        assert match is not None
        name, pos = match.group(1), match.end()
        if name in _SPACES:
            return " ", pos
        if name in _TIMES:
            return "*", pos
        if name in ("{", "}"):
            return "(" if name == "{" else ")", pos
        if name in _FRACTIONS:
            top, pos = self.argument(pos, depth, name)
            bottom, pos = self.argument(pos, depth, name)
            return f"(({top})/({bottom}))", pos
        if name == "sqrt":
            if self.text.startswith("[", pos):
                raise ResponseError("Roots other than square roots: write x^(1/3) instead of \\sqrt[3]{x}.")
            inner, pos = self.argument(pos, depth, name)
            return f"sqrt({inner})", pos
        if name == "operatorname":
            inner, pos = self.argument(pos, depth, name)
            return inner, pos
        if name in _NAMES:
            return ("inf" if name == "infty" else name), pos
        if not name:
            raise ResponseError("A '\\' must begin a LaTeX command such as \\frac{a}{b}; otherwise remove it.")
        raise ResponseError(f"LaTeX command '\\{name[:20]}' is not supported. Supported: {SUPPORTED}.")
