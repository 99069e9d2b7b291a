"""The only door through which typed math enters rnnquiz.

Text is tokenised and parsed by hand into a small immutable tree of whitelisted node
types. Nothing here hands text to Python or sympy for interpretation: sympy objects
are built node by node from the tree (`Formula.to_sympy`), and numbers come from our
own evaluator (`Formula.evaluate`). Every problem with what a student typed raises
`ResponseError` whose message says what was wrong and what to type instead.

Public API
----------
``parse(text, *, variables=(), functions=(), allow_matrix=False) -> Formula | MatrixFormula``
    Read a student's formula. ``variables`` are the names the question declares
    (``None`` is free mode for instructor-typed keys: any name is a variable);
    ``functions`` are undefined one-argument functions such as ``O`` (and ``O'``).
    With ``allow_matrix`` a leading ``[`` reads a vector ``[a, b]`` or matrix ``[[a, b], [c, d]]``.
``parse_number(text) -> float``
    A number or plain arithmetic without names: ``-4``, ``1/3``, ``2.5e-3``, ``2·(4−5)``.
``from_sympy(expr) -> Formula | MatrixFormula``
    Trusted sympy output (from solvers) into the same tree; ``Subs(Derivative(O(x), x), x, u)``
    becomes ``O′(u)`` and a sympy ``Matrix`` a ``MatrixFormula``.
``canonical_name(name) -> str``
    The canonical spelling of a declared name (``s4`` → ``s_4``, ``W_{hh}`` → ``W_hh``, ``α`` → ``alpha``).
``Formula(tree, names, functions)``
    ``interpreted_as()`` echoes the reading (``3·(n² + n·m + n)``), ``to_sympy()``, and
    ``evaluate(env, functions)`` which returns a numpy array.
``MatrixFormula(rows, vector)``
    ``shape`` is ``(r, c)``, or ``(n,)`` for a vector; ``entries()``, ``interpreted_as()``, ``to_sympy()``.
Node types ``Num Const Var Neg Add Mul Pow Call Apply`` make up ``Formula.tree``;
``children(node)`` lists a node's subtrees.

Grammar
-------
Numbers ``2``, ``0.5``, ``.5``, ``2.5e-3``, ``1E4``; operators ``+ - * / ^ **``; unary ``-`` and ``+``;
``( )`` for grouping. Precedence: ``^`` (right-associative, so ``2^3^2`` is ``2^(3^2)``) binds
tighter than unary minus (``-x^2`` is ``-(x^2)``), which binds tighter than ``* /`` and
implicit multiplication (all left-associative, so ``1/2n`` is ``n/2``), then ``+ -``.
Implicit multiplication: ``3(n+1)``, ``2n``, ``(a+b)(a-b)``, ``2 tanh(z)``, ``x y``. A number
may not follow another operand (``x 2``, ``(a)2``): that is rejected rather than guessed.
Functions (natural ``log``): exp, log = ln, sqrt, abs, sin, cos, tan, sinh, cosh, tanh,
sigmoid = σ, relu, max and min (two or more arguments). ``tanh^2(z)`` and ``tanh²(z)`` mean
``tanh(z)^2``. ``√x`` takes one operand (number, name, call or bracket): ``√x²`` is ``(√x)²``.
Constants ``pi``/``π`` and ``e``. Unicode ``× · ⋅ − – ÷``, superscripts ``² ³ ⁻¹``, primes ``′``.

Names
-----
A name is letters, then optional digits, then optional ``_`` subscripts. Its canonical
form joins the parts with ``_`` and drops braces: ``s4``, ``s₄``, ``s_{4}`` → ``s_4``;
``W_{hh}``, ``W_hh`` → ``W_hh``; Unicode Greek is spelled: ``α`` → ``alpha``, ``Γ_u`` → ``Gamma_u``.
So a digit right after letters is a subscript: ``n2`` is ``n_2``, never ``n·2``.
Resolution, first match wins: a declared variable, a declared function, a built-in
function, a constant. So a declared ``e`` is a variable, and ``sigma`` is the sigmoid
function unless the question declares a variable ``sigma``. A name that matches none of
these is split into known names by longest match first (backtracking when a longer
piece leaves a remainder that cannot be split), so ``nm`` is ``n·m`` when ``n`` and ``m`` are
declared; a function may only be the last piece. Otherwise the name is unknown.
Greek capitals and ``ο`` that look like Latin letters are refused as homoglyphs.

Caps (checked before any expensive work)
----------------------------------------
- ``MAX_LENGTH`` characters, checked with ``len`` before the text is scanned;
- ``MAX_NAME_LENGTH`` characters per name, before any splitting;
- ``MAX_DEPTH`` levels of brackets, checked while tokenising, so even 100,000 nested
  parentheses fail at the 51st; nested operators (``---x``, ``x^x^x``) and tree height are
  capped at twice that, which keeps every recursion far below Python's limit;
- ``MAX_NODES`` tree nodes; ``MAX_MATRIX_SIDE`` rows and columns; ``MAX_PRIMES`` primes;
- ``MAX_NUMBER_DIGITS`` digits per number, magnitudes between ``MIN_NUMBER`` and ``MAX_NUMBER``;
- constant exponents within ±``MAX_EXPONENT`` unless the base is 0, 1 or -1, so
  ``9**9**9**9`` is refused at ``9^(9^9)``; ``x^1000`` is refused too.
Constant subexpressions are computed (as floats) while parsing, so ``1/0``, ``0^-1``,
``log(-1)`` and ``exp(1000)`` are refused with a message. ``!``, ``factorial``, ``inf``,
``nan`` and ``∞`` are refused with a message (before any name splitting). Control,
invisible and combining characters are refused; other non-ASCII characters not listed
above are NFKC-normalised one at a time and must become plain ASCII (full-width ``ｘ`` →
``x``), or they are refused, naming the character, so homoglyphs cannot pass.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Union

from grader.errors import ResponseError

if TYPE_CHECKING:
    import numpy

MAX_LENGTH = 2000
MAX_DEPTH = 50
MAX_NODES = 500
MAX_NAME_LENGTH = 64
MAX_NUMBER_DIGITS = 30
MAX_EXPONENT = 100
MAX_NUMBER = 1e300
MIN_NUMBER = 1e-300
MAX_PRIMES = 2
MAX_MATRIX_SIDE = 10

# Longest name or number quoted back in a message; keeps messages one short line.
_QUOTE_LIMIT = 30


# ---------------------------------------------------------------------------- tree


@dataclass(frozen=True, slots=True)
class Num:
    """A non-negative number literal in its normalised spelling (``2.5e-3``, ``0.5``, ``12``)."""

    text: str


@dataclass(frozen=True, slots=True)
class Const:
    """``pi`` or ``e``."""

    name: str


@dataclass(frozen=True, slots=True)
class Var:
    """A variable, by canonical name."""

    name: str


@dataclass(frozen=True, slots=True)
class Neg:
    """Unary minus; inside ``Add`` it is subtraction."""

    arg: Node


@dataclass(frozen=True, slots=True)
class Add:
    """A sum of two or more terms; never directly contains another ``Add``."""

    terms: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Mul:
    """``num[0]·num[1]·…/(den[0]·den[1]·…)``; ``num`` is never empty."""

    num: tuple[Node, ...]
    den: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Pow:
    """``base^exp``."""

    base: Node
    exp: Node


@dataclass(frozen=True, slots=True)
class Call:
    """A built-in function applied to its arguments, by canonical name (``log``, ``sigmoid``)."""

    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Apply:
    """A question's undefined function, or its ``order``-th derivative, applied to ``arg``."""

    name: str
    order: int
    arg: Node


Node = Union[Num, Const, Var, Neg, Add, Mul, Pow, Call, Apply]

# Built-in functions: typed name -> (canonical name, fewest arguments, most arguments).
_BUILTINS: dict[str, tuple[str, int, int | None]] = {
    "exp": ("exp", 1, 1),
    "log": ("log", 1, 1),
    "ln": ("log", 1, 1),
    "sqrt": ("sqrt", 1, 1),
    "abs": ("abs", 1, 1),
    "sin": ("sin", 1, 1),
    "cos": ("cos", 1, 1),
    "tan": ("tan", 1, 1),
    "sinh": ("sinh", 1, 1),
    "cosh": ("cosh", 1, 1),
    "tanh": ("tanh", 1, 1),
    "sigmoid": ("sigmoid", 1, 1),
    "sigma": ("sigmoid", 1, 1),
    "relu": ("relu", 1, 1),
    "max": ("max", 2, None),
    "min": ("min", 2, None),
}
_FUNCTION_LIST = "exp, log (natural, also ln), sqrt, abs, sin, cos, tan, sinh, cosh, tanh, sigmoid (σ), relu, max, min"
_CONSTANTS = frozenset({"pi", "e"})
_NOT_FINITE = frozenset({"inf", "infinity", "Inf", "Infinity", "oo", "nan", "NaN", "NAN", "INF"})

# Greek letters that do not look like Latin ones, spelled as names.
_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "ϑ": "theta", "ι": "iota", "κ": "kappa",
    "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi", "π": "pi", "ρ": "rho", "σ": "sigma",
    "ς": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi", "ϕ": "phi", "χ": "chi", "ψ": "psi",
    "ω": "omega", "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi",
    "Π": "Pi", "Σ": "Sigma", "Υ": "Upsilon", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
}
# Echo uses one letter per spelled name (the first in the table above).
_GREEK_ECHO = {name: letter for letter, name in reversed(_GREEK.items())}
_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼᵣᵤᵥ", "0123456789aeoxhklmnpstijruv"))
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻", "0123456789+-"))
_SUPERSCRIPT_OF = {v: k for k, v in _SUPERSCRIPTS.items()}
_SYMBOLS = {
    "×": "*", "·": "*", "⋅": "*", "∙": "*", "∗": "*", "•": "*",
    "−": "-", "–": "-", "—": "-", "‐": "-", "‑": "-", "÷": "/", "∕": "/", "⁄": "/",
    "′": "'", "’": "'", "″": "''", "√": "√",
}
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")

_NAME = r"[A-Za-z]+[0-9]*(?:_(?:\{[^{}]*\}|[A-Za-z0-9]+))*"
# Tokens of more than one character; the rest are single characters (see _SINGLE).
_WORD = re.compile(
    r"(?P<num>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
    rf"|(?P<name>{_NAME})"
    r"|(?P<sup>[⁺⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)"
)
_NAME_HEAD = re.compile(r"([A-Za-z]+)([0-9]*)")
_SUBSCRIPT_PART = re.compile(r"_(?:\{([^{}]*)\}|([A-Za-z0-9]+))")
_ALNUM = re.compile(r"[A-Za-z0-9]+")

# Messages for ASCII characters that are not part of the grammar.
_CHAR_HINTS = {
    "!": "'!' (factorial) is not supported. Write the product out, e.g. 3*2*1.",
    "=": "Type only the expression itself, without '='.",
    "<": "Type only the expression itself, without '<'.",
    ">": "Type only the expression itself, without '>'.",
    ";": "';' is not allowed. Write a matrix as rows in brackets, e.g. [[1, 2], [3, 4]].",
    "|": "'|' is not allowed. Write absolute values as abs(x).",
    "{": "Braces are only for subscripts such as W_{hh}. Use ( ) for grouping.",
    "}": "Braces are only for subscripts such as W_{hh}. Use ( ) for grouping.",
    "_": "'_' must follow a name and come before its subscript, as in W_h or s_4.",
    ".": "A '.' may only appear inside a number such as 0.5.",
    '"': "Quotes are not allowed. Type the formula without quotes.",
    "`": "Backticks are not allowed. Type the formula without them.",
    ":": "':' is not allowed in a formula.",
}

# Token kinds.
_NUM, _VAR, _CONST, _FUNC, _UFUNC, _OP, _LP, _RP, _LB, _RB = "num var const func ufunc op ( ) [ ]".split()
_COMMA, _PRIME, _SUP, _SQRT, _END = ", prime sup sqrt end".split()
_SINGLE = {
    "(": _LP, ")": _RP, "[": _LB, "]": _RB, ",": _COMMA, "'": _PRIME, "√": _SQRT,
    "+": _OP, "-": _OP, "*": _OP, "/": _OP, "^": _OP,
}
_OPERAND_START = frozenset({_VAR, _CONST, _FUNC, _UFUNC, _LP, _SQRT})
_VALUE_START = _OPERAND_START | {_NUM}
_INFIX_POWER = {"+": 10, "-": 10, "*": 20, "/": 20, "^": 40, "**": 40}
_SUP_POWER = 45  # postfix superscripts bind like a right operand of ^
_PREFIX_POWER = 30  # unary minus: below ^ so -x^2 = -(x^2), above * so -x*y = (-x)*y
_IMPLICIT_POWER = 20  # implicit multiplication binds like '*'
_SQRT_POWER = 50  # above everything: √ takes a single operand


# ---------------------------------------------------------------------------- formulas


@dataclass(frozen=True)
class Formula:
    """A parsed scalar formula: the tree, its variables and its undefined functions."""

    tree: Node
    names: frozenset[str]
    functions: frozenset[str]

    def interpreted_as(self) -> str:
        """The canonical readable echo, e.g. ``3·(n² + n·m + n)`` or ``O′(V·s_4 + c)``."""
        return _render(self.tree)

    def to_sympy(self) -> Any:
        """The formula as a sympy expression, built node by node."""
        import sympy

        return _to_sympy(self.tree, sympy)

    def evaluate(
        self,
        env: Mapping[str, numpy.ndarray | float],
        functions: Mapping[str, tuple[Callable, ...]] = MappingProxyType({}),
    ) -> numpy.ndarray:
        """Values at the points in ``env``; undefined points come out as nan or inf.

        ``functions`` maps each undefined function name to ``(f, f′, f″, …)``, callables on arrays.
        """
        import numpy as np

        with np.errstate(all="ignore"):
            return np.asarray(_evaluate(self.tree, env, functions, np), dtype=float)

    def value(self, env: Mapping[str, float]) -> float:
        """The value at one point in plain floats, without numpy (for templates and conditions).

        Raises ValueError or ArithmeticError where the formula is undefined there.
        """
        return float(_evaluate(self.tree, env, {}, _Scalar))


@dataclass(frozen=True)
class MatrixFormula:
    """A vector (``vector=True``, one row) or a matrix of formulas."""

    rows: tuple[tuple[Formula, ...], ...]
    vector: bool = False

    @property
    def shape(self) -> tuple[int, ...]:
        """``(n,)`` for a vector, ``(rows, cols)`` for a matrix."""
        return (len(self.rows[0]),) if self.vector else (len(self.rows), len(self.rows[0]))

    @property
    def names(self) -> frozenset[str]:
        """Every variable used in any entry."""
        return frozenset().union(*(f.names for row in self.rows for f in row))

    @property
    def functions(self) -> frozenset[str]:
        """Every undefined function used in any entry."""
        return frozenset().union(*(f.functions for row in self.rows for f in row))

    def entries(self) -> Iterator[tuple[tuple[int, ...], Formula]]:
        """Each entry with its 0-based index: ``(i,)`` for vectors, ``(i, j)`` for matrices."""
        for i, row in enumerate(self.rows):
            for j, entry in enumerate(row):
                yield ((j,) if self.vector else (i, j)), entry

    def interpreted_as(self) -> str:
        """``[a, b]`` for a vector, ``[[a, b], [c, d]]`` for a matrix."""
        rows = ["[" + ", ".join(f.interpreted_as() for f in row) + "]" for row in self.rows]
        return rows[0] if self.vector else "[" + ", ".join(rows) + "]"

    def to_sympy(self) -> Any:
        """A sympy ``Matrix``; a vector becomes a column."""
        import sympy

        cells = [[_to_sympy(f.tree, sympy) for f in row] for row in self.rows]
        return sympy.Matrix(cells[0]) if self.vector else sympy.Matrix(cells)


# ---------------------------------------------------------------------------- public functions


def parse(
    text: str,
    *,
    variables: Iterable[str] | None = (),
    functions: Iterable[str] = (),
    allow_matrix: bool = False,
) -> Formula | MatrixFormula:
    """Read a formula (or, with ``allow_matrix``, a vector or matrix) typed by a student.

    ``variables=None`` is free mode: every name that is not a function or constant is a variable.
    Raises ``ResponseError`` with a message saying what to type instead.
    """
    declared = None if variables is None else _canonical_set(tuple(variables))
    undefined = _canonical_set(tuple(functions))
    if declared is not None and declared & undefined:
        raise ValueError(f"names declared both as variables and functions: {sorted(declared & undefined)}")
    return _parse(text, declared, undefined, allow_matrix, numeric=False)[0]


def parse_number(text: str) -> float:
    """A number or plain arithmetic without names (``1/3``, ``−4``, ``2.5e-3``, ``2·(4−5)``)."""
    parser = _parse(text, frozenset(), frozenset(), False, numeric=True)[1]
    assert parser.value is not None  # without names every subexpression has a value
    return parser.value


@functools.lru_cache(maxsize=4096)
def canonical_name(name: str) -> str:
    """Canonical spelling of a declared name; ``ValueError`` if it is not a valid name."""
    try:
        normal = _normalise(name)
    except ResponseError as error:
        raise ValueError(f"invalid name {name!r}: {error}") from None
    braced = [m.group(1) for m in _SUBSCRIPT_PART.finditer(normal) if m.group(1) is not None]
    if not re.fullmatch(_NAME, normal) or not all(_ALNUM.fullmatch(b) for b in braced) or len(normal) > MAX_NAME_LENGTH:
        raise ValueError(f"invalid name {name!r}: use letters, then digits or _subscripts, at most {MAX_NAME_LENGTH} characters")
    return _canonical(normal)


def from_sympy(expr: Any) -> Formula | MatrixFormula:
    """Trusted sympy output (or a plain number) as a ``Formula``, or a ``MatrixFormula`` for a Matrix."""
    import sympy

    if isinstance(expr, sympy.MatrixBase):
        rows = tuple(tuple(_formula_of(_from_sympy(expr[i, j], sympy)) for j in range(expr.cols)) for i in range(expr.rows))
        if not rows or not rows[0]:
            raise ValueError("cannot convert an empty matrix")
        return MatrixFormula(rows)
    if isinstance(expr, bool):
        raise ValueError("cannot convert a bool")
    if isinstance(expr, int):
        expr = sympy.Integer(expr)
    elif isinstance(expr, float):
        expr = sympy.Float(expr)
    elif isinstance(expr, Fraction):
        expr = sympy.Rational(expr.numerator, expr.denominator)
    return _formula_of(_from_sympy(expr, sympy))


@functools.lru_cache(maxsize=1024)
def _canonical_set(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(canonical_name(name) for name in names)


def _parse(text: str, declared: frozenset[str] | None, undefined: frozenset[str], allow_matrix: bool, *, numeric: bool) -> tuple[Formula | MatrixFormula, _Parser]:
    normal = _normalise(text)
    tokens = _Tokeniser(normal, declared, undefined, numeric).run()
    parser = _Parser(normal, tokens, undefined)
    return parser.top(allow_matrix), parser


# ---------------------------------------------------------------------------- text to tokens


def _normalise(text: str) -> str:
    """Length cap, trim, and map the allowed Unicode to ASCII (plus superscripts and √)."""
    if not isinstance(text, str):
        raise ResponseError("Type the answer as text.")
    if len(text) > MAX_LENGTH:
        raise ResponseError(f"Answer too long ({len(text)} characters); at most {MAX_LENGTH} are accepted. Type a shorter formula.")
    text = text.strip()
    if not text:
        raise ResponseError("Empty answer. Type a formula, such as 2*x + 1.")
    if text.isascii():
        bad = _ASCII_CONTROL.search(text)
        if bad:
            raise ResponseError(_bad_character(bad.group()))
        return text
    out: list[str] = []
    subscript: list[str] = []
    for ch in text:
        if ch in _SUBSCRIPTS:
            subscript.append(_SUBSCRIPTS[ch])
            continue
        if subscript:
            out.append("_{" + "".join(subscript) + "}")
            subscript.clear()
        if ch.isascii():
            if _ASCII_CONTROL.match(ch):
                raise ResponseError(_bad_character(ch))
            out.append(ch)
        elif ch in _SYMBOLS:
            out.append(_SYMBOLS[ch])
        elif ch in _GREEK:
            out.append(_GREEK[ch])
        elif ch in _SUPERSCRIPTS:
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


def _quote(text: str) -> str:
    # Tabs are the only control character that reaches here; echo them as spaces so a message stays one clean line.
    text = text.replace("\t", " ")
    return text if len(text) <= _QUOTE_LIMIT else "…" + text[-_QUOTE_LIMIT:]


@functools.lru_cache(maxsize=4096)
def _canonical(raw: str) -> str:
    head = _NAME_HEAD.match(raw)
    assert head is not None
    parts = [head.group(1)] + ([head.group(2)] if head.group(2) else [])
    parts += [m.group(1) if m.group(1) is not None else m.group(2) for m in _SUBSCRIPT_PART.finditer(raw, head.end())]
    return "_".join(parts)


class _Tokeniser:
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
            kind = _SINGLE.get(ch)
            if kind is not None:
                end = pos + 2 if text.startswith("**", pos) else pos + 1
                if kind is _LP or kind is _LB:
                    depth += 1
                    if depth > MAX_DEPTH:
                        raise ResponseError(f"Too deeply nested: more than {MAX_DEPTH} levels of brackets. Simplify the formula.")
                elif kind is _RP or kind is _RB:
                    depth -= 1
                tokens.append((kind, text[pos:end], pos, end))
                pos = end
                continue
            match = _WORD.match(text, pos)
            if match is None:
                raise ResponseError(_CHAR_HINTS.get(ch) or _bad_character(ch))
            word, end = match.group(), match.end()
            if match.lastgroup == "num":
                tokens.append((_NUM, _number_text(word), pos, end))
            elif match.lastgroup == "name":
                self._name(word, pos, end)
            else:
                tokens.append((_SUP, "".join(_SUPERSCRIPTS[c] for c in word).lstrip("+"), pos, end))
            pos = end
        tokens.append((_END, "", size, size))
        return tokens

    def _name(self, raw: str, start: int, end: int) -> None:
        if len(raw) > MAX_NAME_LENGTH:
            raise ResponseError(f"Name '{_quote(raw)}' is too long ({len(raw)} characters; at most {MAX_NAME_LENGTH}). Put * between names, as in n*m.")
        for sub in _SUBSCRIPT_PART.finditer(raw) if "{" in raw else ():
            if sub.group(1) is not None and not _ALNUM.fullmatch(sub.group(1)):
                raise ResponseError(f"Subscript '{{{_quote(sub.group(1))}}}' may hold only letters and digits, as in W_{{hh}} or s_{{4}}.")
        name = _canonical(raw)
        whole = self._resolve(name)
        if whole is not None:
            self.tokens.append((whole, name, start, end))
            return
        # Refused before splitting: a student typing "nan" means the number, not n·a·n.
        if name in _NOT_FINITE:
            raise ResponseError(_not_finite_message(name))
        if name == "factorial":
            raise ResponseError("factorial is not supported. Write the product out, e.g. 3*2*1.")
        pieces = None if self.declared is None else _split(name, self.declared, self.undefined)
        if pieces is None:
            if self.declared is None:
                self.tokens.append((_VAR, name, start, end))
                return
            raise ResponseError(self._unknown(raw, name))
        for piece in pieces:
            kind = self._resolve(piece)
            assert kind is not None
            self.tokens.append((kind, piece, start, end))

    def _resolve(self, name: str) -> str | None:
        """The kind of a name known as a whole, or None."""
        if self.declared is not None and name in self.declared:
            return _VAR
        if name in self.undefined:
            return _UFUNC
        if name in _BUILTINS:
            return _FUNC
        if name in _CONSTANTS:
            return _CONST
        return None

    def _unknown(self, raw: str, name: str) -> str:
        assert self.declared is not None
        shown = _quote(raw)
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
        head = _NAME_HEAD.match(raw)
        if name.replace("_", "") in squeezed:
            hint = f" Did you mean {squeezed[name.replace('_', '')]}?"
        elif head and head.group(2) and head.group(1) in self.declared:
            hint = f" A digit right after a name is a subscript ({raw} is {name}); for a product type {head.group(1)}*{head.group(2)}."
        return f"Unknown name '{shown}'.{hint} {where} Functions: {_FUNCTION_LIST}."


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
    lasts = (undefined | frozenset(_BUILTINS)) - declared
    candidates = declared | _CONSTANTS | lasts
    return lasts, tuple(sorted(candidates, key=lambda c: (-len(c), c)))


@functools.lru_cache(maxsize=4096)
def _number_text(text: str) -> str:
    mantissa, _, exponent = text.lower().partition("e")
    digits = sum(c.isdigit() for c in mantissa)
    if digits > MAX_NUMBER_DIGITS:
        raise ResponseError(f"Number '{_quote(text)}' has {digits} digits; at most {MAX_NUMBER_DIGITS} are accepted.")
    if len(exponent.lstrip("+-")) > 3:
        raise ResponseError(f"Number '{_quote(text)}' is out of range. Use numbers between {MIN_NUMBER:g} and {MAX_NUMBER:g} in size.")
    if mantissa.startswith("."):
        mantissa = "0" + mantissa
    mantissa = mantissa.rstrip(".")
    return mantissa + ("e" + exponent.lstrip("+") if exponent else "")


# ---------------------------------------------------------------------------- tokens to tree

_ONE = Num("1")
_Part = tuple  # (node, tree height, value or None); see _Parser


class _Parser:
    """Pratt parser over the token list.

    Every method returns a part ``(node, height, value)``: the node, the height of its
    tree, and its value when it has no variables (else None). Parts are built only by
    the checked constructors at the end, which enforce the caps and refuse constants
    that divide by zero, overflow or have no real value.
    """

    def __init__(self, text: str, tokens: list[tuple[str, str, int, int]], undefined: frozenset[str]) -> None:
        self.text = text
        self.tokens = tokens
        self.undefined = undefined
        self.i = 0
        self.frames = 0
        self.nodes = 0
        self.names: set[str] = set()
        self.functions: set[str] = set()
        self.value: float | None = None  # of the last formula read, for parse_number

    # -- entry points

    def top(self, allow_matrix: bool) -> Formula | MatrixFormula:
        if self.tokens[0][0] == _LB:
            if not allow_matrix:
                raise ResponseError("This question expects a single formula, not a vector or matrix. Type it without [ ].")
            return self._matrix()
        formula = self._formula()
        self._expect_end()
        return formula

    def _formula(self) -> Formula:
        self.names, self.functions = set(), set()
        tree, _, self.value = self._expression(0)
        return Formula(tree, frozenset(self.names), frozenset(self.functions))

    def _expect_end(self) -> None:
        kind, value = self.tokens[self.i][:2]
        if kind == _END:
            return
        before = self._before()
        if kind == _RP:
            raise ResponseError(f"Unmatched ')' after '{before}'. Remove it or add the missing '('.")
        if kind == _RB:
            raise ResponseError(f"Unmatched ']' after '{before}'. Remove it or add the missing '['.")
        if kind == _COMMA:
            raise ResponseError(f"Unexpected ',' after '{before}'. Commas only separate function arguments or matrix entries.")
        if kind == _LB:
            raise ResponseError("Square brackets '[ ]' only write vectors and matrices; use '( )' for grouping.")
        raise ResponseError(f"Unexpected '{value}' after '{before}'.")

    def _before(self) -> str:
        end = self.tokens[self.i - 1][3] if self.i else 0
        return _quote(self.text[:end].strip())

    def _where(self) -> str:
        return f"after '{self._before()}'" if self.i else "at the start"

    # -- expressions

    def _expression(self, min_power: int) -> _Part:
        self.frames += 1
        if self.frames > 2 * MAX_DEPTH:
            raise ResponseError(f"Too deeply nested (more than {2 * MAX_DEPTH} levels of operators). Simplify the formula.")
        left = self._prefix()
        tokens = self.tokens
        while True:
            kind, value, _, _ = tokens[self.i]
            if kind == _OP:
                power = _INFIX_POWER[value]
                if power <= min_power:
                    break
                self.i += 1
                if value in ("^", "**"):
                    left = self._pow(left, self._operand_after(value, power - 1))  # right-associative
                elif value == "+":
                    left = self._add(left, self._operand_after(value, power))
                elif value == "-":
                    left = self._add(left, self._neg(self._operand_after(value, power)))
                else:
                    left = self._mul(left, self._operand_after(value, power), value == "/")
            elif kind == _SUP:
                if _SUP_POWER <= min_power:
                    break
                self.i += 1
                left = self._pow(left, self._superscript(value))
            elif kind in _OPERAND_START:
                if _IMPLICIT_POWER <= min_power:
                    break
                left = self._mul(left, self._expression(_IMPLICIT_POWER), False)
            elif kind == _NUM:
                raise ResponseError(f"Put an operator between '{self._before()}' and '{_quote(value)}', e.g. '*'.")
            elif kind == _PRIME:
                raise ResponseError(self._prime_message())
            else:
                break
        self.frames -= 1
        return left

    def _operand_after(self, op: str, power: int) -> _Part:
        kind, value, _, _ = self.tokens[self.i]
        if kind in _VALUE_START or (kind == _OP and value in "+-"):
            return self._expression(power)
        if kind == _LB:
            raise ResponseError("Square brackets '[ ]' only write vectors and matrices; use '( )' for grouping.")
        raise ResponseError(f"Expected an expression after '{op}'. Type a number, a name or '(' after it, or remove it.")

    def _prefix(self) -> _Part:
        kind, value, _, _ = self.tokens[self.i]
        self.i += 1
        if kind == _VAR:
            self.names.add(value)
            self.nodes += 1  # a leaf needs only the node count of _part's checks
            if self.nodes > MAX_NODES:
                raise ResponseError(_too_many_nodes())
            return Var(value), 1, None
        if kind == _NUM:
            return self._number(value)
        if kind == _CONST:
            return self._part(Const(value), 1, _CONSTANT_VALUES[value])
        if kind == _OP and value in "+-":
            operand = self._operand_after(value, _PREFIX_POWER)
            return self._neg(operand) if value == "-" else operand
        if kind == _LP:
            if self.tokens[self.i][0] == _RP:
                raise ResponseError("Empty parentheses '()'. Put an expression inside them.")
            inner = self._expression(0)
            self._close(_RP, ")")
            return inner
        if kind == _FUNC:
            return self._call(value)
        if kind == _UFUNC:
            return self._apply(value)
        if kind == _SQRT:
            nxt = self.tokens[self.i][0]
            if nxt not in _VALUE_START:
                raise ResponseError("Put what √ applies to right after it, in parentheses if it is more than one symbol: √(x + 1).")
            return self._call_node("sqrt", [self._expression(_SQRT_POWER)])
        self.i -= 1
        if kind == _END:
            raise ResponseError(f"Expected an expression after '{self._before()}'. Finish the formula.")
        if kind == _RP:
            raise ResponseError(f"Unmatched ')' {self._where()}. Remove it or add the missing '('.")
        if kind == _RB:
            raise ResponseError(f"Unexpected ']' {self._where()}. Remove it, or put an entry before it.")
        if kind == _LB:
            raise ResponseError("Square brackets '[ ]' only write vectors and matrices; use '( )' for grouping.")
        if kind == _COMMA:
            raise ResponseError(f"Unexpected ',' after '{self._before()}'. Commas only separate function arguments or matrix entries.")
        if kind == _PRIME:
            raise ResponseError(self._prime_message())
        if kind == _SUP:
            raise ResponseError("A superscript must follow what it raises to a power, as in x².")
        raise ResponseError(f"Expected an expression before '{value}'. Type something before it or remove it.")

    def _prime_message(self) -> str:
        if self.undefined:
            return f"A prime (′) may only follow one of this question's functions ({', '.join(sorted(self.undefined))}), as in {min(self.undefined)}'(x)."
        return "Primes (′) are not allowed here. Write the derivative out, e.g. 1 - tanh(z)^2."

    def _close(self, kind: str, char: str) -> None:
        found, value = self.tokens[self.i][:2]
        if found == kind:
            self.i += 1
            return
        if found == _END:
            raise ResponseError(f"Missing '{char}' after '{self._before()}'. Close every {'parenthesis' if char == ')' else 'bracket'}.")
        if found == _COMMA:
            raise ResponseError(f"Unexpected ',' after '{self._before()}'. Commas only separate function arguments or matrix entries.")
        raise ResponseError(f"Missing '{char}' after '{self._before()}'; found '{value}' instead. Close every bracket with its own kind.")

    def _superscript(self, digits: str) -> _Part:
        magnitude = self._number(digits.lstrip("-"))
        return self._neg(magnitude) if digits.startswith("-") else magnitude

    # -- function calls

    def _function_power(self, shown: str) -> int | None:
        """``tanh^2(`` or ``tanh²(``: the power, consuming it; None when there is none."""
        kind, value = self.tokens[self.i][:2]
        if kind == _SUP:
            power_text, skip = value, 1
        elif kind == _OP and value in ("^", "**"):
            nxt = self.tokens[self.i + 1]
            power_text, skip = (nxt[1] if nxt[0] == _NUM else ""), 2
        else:
            return None
        if not power_text.isdigit() or int(power_text) == 0 or self.tokens[self.i + skip][0] != _LP:
            raise ResponseError(f"Write powers of {shown} after its argument, e.g. {shown}(z)^2.")
        if int(power_text) > MAX_EXPONENT:
            raise ResponseError(f"Exponent {power_text} is too large; exponents must be between -{MAX_EXPONENT} and {MAX_EXPONENT}.")
        self.i += skip
        return int(power_text)

    def _arguments(self, shown: str) -> list[_Part]:
        if self.tokens[self.i][0] != _LP:
            raise ResponseError(f"Put the argument of {shown} in parentheses: {shown}(z).")
        self.i += 1
        if self.tokens[self.i][0] == _RP:
            raise ResponseError(f"Empty parentheses after {shown}. Put the argument inside: {shown}(z).")
        args = [self._expression(0)]
        while self.tokens[self.i][0] == _COMMA:
            self.i += 1
            args.append(self._expression(0))
        self._close(_RP, ")")
        return args

    def _call(self, typed: str) -> _Part:
        name, fewest, most = _BUILTINS[typed]
        power = self._function_power(typed)
        args = self._arguments(typed)
        if len(args) < fewest:
            raise ResponseError(f"{typed} needs at least {fewest} arguments, e.g. {typed}(a, b).")
        if most is not None and len(args) > most:
            raise ResponseError(f"{typed} takes one argument, e.g. {typed}(z).")
        call = self._call_node(name, args)
        return call if power is None else self._pow(call, self._number(str(power)))

    def _apply(self, name: str) -> _Part:
        order = 0
        while self.tokens[self.i][0] == _PRIME:
            order += 1
            self.i += 1
        if order > MAX_PRIMES:
            raise ResponseError(f"At most {MAX_PRIMES} primes are allowed, as in {name}''(x).")
        shown = name + "'" * order
        power = self._function_power(shown)
        args = self._arguments(shown)
        if len(args) != 1:
            raise ResponseError(f"{shown} takes one argument, e.g. {shown}(x).")
        self.functions.add(name)
        arg, height, _ = args[0]
        applied = self._part(Apply(name, order, arg), height + 1, None)
        return applied if power is None else self._pow(applied, self._number(str(power)))

    # -- matrices

    def _matrix(self) -> MatrixFormula:
        self.i += 1  # the '['
        if self.tokens[self.i][0] == _LB:
            rows = self._sequence(self._row, "rows")
            width = len(rows[0])
            for number, row in enumerate(rows, 1):
                if len(row) != width:
                    raise ResponseError(f"Row {number} has {_count(len(row), 'entry', 'entries')} but row 1 has {width}. Every row needs the same number of entries.")
            result = MatrixFormula(tuple(rows))
        else:
            result = MatrixFormula((tuple(self._sequence(self._entry, "entries")),), vector=True)
        if self.tokens[self.i][0] != _END:
            raise ResponseError("Nothing may follow the closing ']' of a matrix. Type only the matrix.")
        return result

    def _sequence(self, item: Callable[[], Any], what: str) -> list:
        if self.tokens[self.i][0] == _RB:
            raise ResponseError("Empty brackets '[]'. Type the entries, e.g. [1, 2] or [[1, 0], [0, 1]].")
        items = [item()]
        while self.tokens[self.i][0] == _COMMA:
            self.i += 1
            items.append(item())
            if len(items) > MAX_MATRIX_SIDE:
                raise ResponseError(f"Too many {what}: at most {MAX_MATRIX_SIDE} are accepted.")
        self._close(_RB, "]")
        return items

    def _row(self) -> tuple[Formula, ...]:
        if self.tokens[self.i][0] != _LB:
            raise ResponseError("Write every row of a matrix in its own brackets, e.g. [[1, 2], [3, 4]].")
        self.i += 1
        return tuple(self._sequence(self._entry, "entries in a row"))

    def _entry(self) -> Formula:
        if self.tokens[self.i][0] == _LB:
            raise ResponseError("Too many levels of brackets: a matrix is [[a, b], [c, d]] and a vector [a, b].")
        return self._formula()

    # -- checked constructors

    def _part(self, node: Node, height: int, value: float | None) -> _Part:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ResponseError(_too_many_nodes())
        if height > 2 * MAX_DEPTH:
            raise ResponseError(f"Too deeply nested (more than {2 * MAX_DEPTH} levels of operators). Simplify the formula.")
        if value is not None and not math.isfinite(value):
            raise ResponseError(f"'{_quote(_render(node))}' is too large to compute. Keep numbers below {MAX_NUMBER:g}.")
        return node, height, value

    def _number(self, text: str) -> _Part:
        value = float(text)
        nonzero = value or re.search("[1-9]", text.partition("e")[0])  # 1e-400 underflows to 0.0
        if nonzero and not MIN_NUMBER <= value <= MAX_NUMBER:
            raise ResponseError(f"Number '{_quote(text)}' is out of range. Use numbers between {MIN_NUMBER:g} and {MAX_NUMBER:g} in size.")
        return self._part(Num(text), 1, value)

    def _checked(self, node: Node, compute: Callable[[], float]) -> float:
        try:
            return compute()
        except ZeroDivisionError:
            raise ResponseError(f"'{_quote(_render(node))}' divides by zero. Change the divisor.") from None
        except OverflowError:
            raise ResponseError(f"'{_quote(_render(node))}' is too large to compute. Keep numbers below {MAX_NUMBER:g}.") from None
        except ValueError:
            raise ResponseError(f"'{_quote(_render(node))}' has no real value (e.g. the log or square root of a negative number).") from None

    def _neg(self, arg: _Part) -> _Part:
        node, height, value = arg
        return self._part(Neg(node), height + 1, None if value is None else -value)

    def _add(self, left: _Part, right: _Part) -> _Part:
        # Sums are flattened; a flattened sum's terms sit one level below it.
        (lnode, lheight, lvalue), (rnode, rheight, rvalue) = left, right
        lterms, lheight = (lnode.terms, lheight - 1) if type(lnode) is Add else ((lnode,), lheight)
        rterms, rheight = (rnode.terms, rheight - 1) if type(rnode) is Add else ((rnode,), rheight)
        value = None if lvalue is None or rvalue is None else lvalue + rvalue
        return self._part(Add(lterms + rterms), 1 + max(lheight, rheight), value)

    def _mul(self, left: _Part, right: _Part, divide: bool) -> _Part:
        (lnode, lheight, lvalue), (rnode, rheight, rvalue) = left, right
        num, den = (lnode.num, lnode.den) if type(lnode) is Mul else ((lnode,), ())
        lheight -= type(lnode) is Mul
        flatten = type(rnode) is Mul and (not divide or not rnode.den)
        rheight -= flatten
        if divide:
            # a/(b·c) joins the denominator; a/(b/c) keeps its own fraction.
            den += rnode.num if flatten else (rnode,)
            if rvalue == 0:
                raise ResponseError(f"'{_quote(_render(Mul(num, den)))}' divides by zero. Change the divisor.")
        elif flatten:
            num, den = num + rnode.num, den + rnode.den
        else:
            num += (rnode,)
        value = None
        if lvalue is not None and rvalue is not None:
            value = lvalue / rvalue if divide else lvalue * rvalue
        return self._part(Mul(num, den), 1 + max(lheight, rheight), value)

    def _pow(self, base: _Part, exp: _Part) -> _Part:
        (bnode, bheight, bvalue), (enode, eheight, evalue) = base, exp
        node = Pow(bnode, enode)
        if evalue is not None and abs(evalue) > MAX_EXPONENT and bvalue not in (0.0, 1.0, -1.0):
            raise ResponseError(f"Exponent {evalue:.6g} in '{_quote(_render(node))}' is too large; exponents must be between -{MAX_EXPONENT} and {MAX_EXPONENT}.")
        value = None
        if bvalue is not None and evalue is not None:
            value = self._checked(node, lambda: _power(bvalue, evalue))
        return self._part(node, 1 + max(bheight, eheight), value)

    def _call_node(self, name: str, args: list[_Part]) -> _Part:
        node = Call(name, tuple(a[0] for a in args))
        values = [a[2] for a in args]
        value = None if None in values else self._checked(node, lambda: _MATH[name](*values))
        return self._part(node, 1 + max(a[1] for a in args), value)


def _too_many_nodes() -> str:
    return f"Formula too large (more than {MAX_NODES} parts). Simplify it before typing it."


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _power(base: float, exp: float) -> float:
    if base == 0 and exp < 0:
        raise ZeroDivisionError
    return math.pow(base, exp)


def _sigmoid(x: float) -> float:
    return 0.5 * (1.0 + math.tanh(0.5 * x))  # never overflows, unlike 1/(1+exp(-x))


_CONSTANT_VALUES = {"pi": math.pi, "e": math.e}
# Scalar versions of the built-ins, for computing constant subexpressions while parsing.
_MATH: dict[str, Callable[..., float]] = {
    "exp": math.exp, "log": math.log, "sqrt": math.sqrt, "abs": abs, "sin": math.sin,
    "cos": math.cos, "tan": math.tan, "sinh": math.sinh, "cosh": math.cosh, "tanh": math.tanh,
    "sigmoid": _sigmoid, "relu": lambda x: max(x, 0.0), "max": max, "min": min,
}


def _formula_of(tree: Node) -> Formula:
    names: set[str] = set()
    functions: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Var):
            names.add(node.name)
        elif isinstance(node, Apply):
            functions.add(node.name)
        stack.extend(children(node))
    return Formula(tree, frozenset(names), frozenset(functions))


def children(node: Node) -> tuple[Node, ...]:
    """The direct subtrees of a node, in order."""
    if isinstance(node, Neg):
        return (node.arg,)
    if isinstance(node, Add):
        return node.terms
    if isinstance(node, Mul):
        return node.num + node.den
    if isinstance(node, Pow):
        return (node.base, node.exp)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Apply):
        return (node.arg,)
    return ()


# ---------------------------------------------------------------------------- echo

_ATOMS = (Var, Const, Call, Apply)


def _render(node: Node) -> str:
    t = type(node)
    if t is Num:
        return node.text
    if t is Var:
        head, sep, rest = node.name.partition("_")
        return _GREEK_ECHO.get(head, head) + sep + rest
    if t is Const:
        return "π" if node.name == "pi" else "e"
    if t is Neg:
        return "−" + _wrap(node.arg, (Add, Mul, Neg))
    if t is Add:
        parts = [_render(node.terms[0])]
        for term in node.terms[1:]:
            if isinstance(term, Neg):
                parts.append(" − " + _wrap(term.arg, (Add, Neg)))
            else:
                parts.append(" + " + _render(term))
        return "".join(parts)
    if t is Mul:
        text = "·".join(_factor(f, first=k == 0) for k, f in enumerate(node.num))
        if node.den:
            if len(node.den) == 1:
                text += "/" + _wrap(node.den[0], (Add, Mul, Neg))
            else:
                text += "/(" + "·".join(_factor(f, first=k == 0) for k, f in enumerate(node.den)) + ")"
        return text
    if t is Pow:
        # √x² would read as √(x²), and 1e-3² as 1e(-3²): bracket such bases.
        bare = isinstance(node.base, _ATOMS) and not _is_root(node.base) or isinstance(node.base, Num) and "e" not in node.base.text
        base = _render(node.base) if bare else "(" + _render(node.base) + ")"
        exp = _integer_literal(node.exp)
        if exp is not None:
            return base + "".join(_SUPERSCRIPT_OF[c] for c in exp)
        return base + "^" + _wrap(node.exp, (Add, Mul, Neg, Pow))
    if t is Call:
        if node.name == "sqrt":
            arg = node.args[0]
            return "√" + (_render(arg) if isinstance(arg, (Var, Const, Num)) else "(" + _render(arg) + ")")
        shown = "σ" if node.name == "sigmoid" else node.name
        return shown + "(" + ", ".join(_render(a) for a in node.args) + ")"
    assert t is Apply
    return node.name + "′" * node.order + "(" + _render(node.arg) + ")"


def _wrap(node: Node, kinds: tuple[type, ...]) -> str:
    text = _render(node)
    return "(" + text + ")" if isinstance(node, kinds) else text


def _factor(node: Node, *, first: bool) -> str:
    return _wrap(node, (Add, Mul) if first else (Add, Mul, Neg))


def _is_root(node: Node) -> bool:
    return isinstance(node, Call) and node.name == "sqrt"


def _integer_literal(node: Node) -> str | None:
    if isinstance(node, Num) and node.text.isdigit():
        return node.text
    if isinstance(node, Neg) and isinstance(node.arg, Num) and node.arg.text.isdigit():
        return "-" + node.arg.text
    return None


# ---------------------------------------------------------------------------- numbers


def _evaluate(node: Node, env: Mapping[str, Any], functions: Mapping[str, tuple[Callable, ...]], np: Any) -> Any:
    t = type(node)
    if t is Var:
        try:
            return env[node.name]
        except KeyError:
            raise ValueError(f"no value given for variable {node.name!r}") from None
    if t is Num:
        return float(node.text)
    if t is Mul:
        result = _evaluate(node.num[0], env, functions, np)
        for f in node.num[1:]:
            result = result * _evaluate(f, env, functions, np)
        for f in node.den:
            result = result / _evaluate(f, env, functions, np)
        return result
    if t is Add:
        result = _evaluate(node.terms[0], env, functions, np)
        for term in node.terms[1:]:
            result = result + _evaluate(term, env, functions, np)
        return result
    if t is Pow:
        if type(node.base) is Const and node.base.name == "e":
            return np.exp(_evaluate(node.exp, env, functions, np))
        base = np.asarray(_evaluate(node.base, env, functions, np), dtype=float)
        return np.power(base, _evaluate(node.exp, env, functions, np))
    if t is Neg:
        return -_evaluate(node.arg, env, functions, np)
    if t is Call:
        args = [_evaluate(a, env, functions, np) for a in node.args]
        return _NUMPY[node.name](np, *args)
    if t is Const:
        return _CONSTANT_VALUES[node.name]
    assert t is Apply
    try:
        derivatives = functions[node.name]
    except KeyError:
        raise ValueError(f"no callables given for function {node.name!r}") from None
    if node.order >= len(derivatives):
        raise ValueError(f"no derivative of order {node.order} given for function {node.name!r}")
    return derivatives[node.order](_evaluate(node.arg, env, functions, np))


class _Scalar:
    """The numpy functions `_evaluate` uses, on plain floats: one point needs no numpy import."""

    exp, log, sqrt, sin, cos, tan = math.exp, math.log, math.sqrt, math.sin, math.cos, math.tan
    sinh, cosh, tanh, abs, power = math.sinh, math.cosh, math.tanh, abs, math.pow
    maximum, minimum = max, min

    @staticmethod
    def asarray(value: Any, dtype: Any = None) -> float:
        return float(value)


_NUMPY: dict[str, Callable[..., Any]] = {
    "exp": lambda np, x: np.exp(x),
    "log": lambda np, x: np.log(x),
    "sqrt": lambda np, x: np.sqrt(x),
    "abs": lambda np, x: np.abs(x),
    "sin": lambda np, x: np.sin(x),
    "cos": lambda np, x: np.cos(x),
    "tan": lambda np, x: np.tan(x),
    "sinh": lambda np, x: np.sinh(x),
    "cosh": lambda np, x: np.cosh(x),
    "tanh": lambda np, x: np.tanh(x),
    "sigmoid": lambda np, x: 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float))),
    "relu": lambda np, x: np.maximum(x, 0.0),
    "max": lambda np, *xs: _reduce(np.maximum, xs),
    "min": lambda np, *xs: _reduce(np.minimum, xs),
}


def _reduce(op: Callable[[Any, Any], Any], values: tuple[Any, ...]) -> Any:
    result = values[0]
    for v in values[1:]:
        result = op(result, v)
    return result


# ---------------------------------------------------------------------------- sympy


def _to_sympy(node: Node, sympy: Any) -> Any:
    t = type(node)
    if t is Num:
        value = Fraction(node.text)  # exact: 2.5e-3 becomes 1/400, not a float
        return sympy.Rational(value.numerator, value.denominator)
    if t is Var:
        return sympy.Symbol(node.name)
    if t is Const:
        return sympy.pi if node.name == "pi" else sympy.E
    if t is Neg:
        return -_to_sympy(node.arg, sympy)
    if t is Add:
        return sympy.Add(*(_to_sympy(term, sympy) for term in node.terms))
    if t is Mul:
        num = [_to_sympy(f, sympy) for f in node.num]
        den = [sympy.Pow(_to_sympy(f, sympy), -1) for f in node.den]
        return sympy.Mul(*num, *den)
    if t is Pow:
        return sympy.Pow(_to_sympy(node.base, sympy), _to_sympy(node.exp, sympy))
    if t is Call:
        args = [_to_sympy(a, sympy) for a in node.args]
        name = node.name
        if name == "sigmoid":
            return 1 / (1 + sympy.exp(-args[0]))
        if name == "relu":
            return sympy.Max(args[0], 0)
        builder = {"abs": sympy.Abs, "max": sympy.Max, "min": sympy.Min}.get(name) or getattr(sympy, name)
        return builder(*args)
    assert t is Apply
    function = sympy.Function(node.name)
    arg = _to_sympy(node.arg, sympy)
    if node.order == 0:
        return function(arg)
    dummy = sympy.Dummy("x")
    # subs turns this into Derivative(O(u), u) for a symbol u and Subs(...) otherwise.
    return sympy.Derivative(function(dummy), (dummy, node.order)).subs(dummy, arg)


_SYMPY_FUNCTIONS = {
    "exp": "exp", "log": "log", "sin": "sin", "cos": "cos", "tan": "tan", "sinh": "sinh",
    "cosh": "cosh", "tanh": "tanh", "Abs": "abs", "Max": "max", "Min": "min",
}


def _from_sympy(expr: Any, sympy: Any) -> Node:
    if expr.is_Integer:
        return _signed(int(expr), Num(str(abs(int(expr)))))
    if expr.is_Rational:
        p, q = int(expr.p), int(expr.q)
        return _signed(p, Mul((Num(str(abs(p))),), (Num(str(q)),)))
    if expr.is_Float:
        value = float(expr)
        if not math.isfinite(value):
            raise ValueError(f"cannot convert non-finite {expr!r}")
        text = _number_text(repr(abs(value)))
        return _signed(value, Num(text))
    if expr is sympy.pi:
        return Const("pi")
    if expr is sympy.E:
        return Const("e")
    if expr.is_Symbol:
        return Var(canonical_name(expr.name))
    if expr.is_Add:
        terms = [_from_sympy(term, sympy) for term in expr.as_ordered_terms()]
        # Subtracted terms last, so n - m reads "n − m" rather than "−m + n".
        return Add(tuple(sorted(terms, key=lambda term: isinstance(term, Neg))))
    if expr.is_Mul:
        return _from_sympy_mul(expr, sympy)
    if expr.is_Pow:
        return _from_sympy_pow(expr, sympy)
    if isinstance(expr, sympy.core.function.AppliedUndef):
        if len(expr.args) != 1:
            raise ValueError(f"undefined functions take one argument: {expr}")
        return Apply(canonical_name(type(expr).__name__), 0, _from_sympy(expr.args[0], sympy))
    if isinstance(expr, sympy.Derivative):
        return _from_derivative(expr, None, sympy)
    if isinstance(expr, sympy.Subs):
        derivative, (variable,), (point,) = expr.args
        if not isinstance(derivative, sympy.Derivative):
            raise ValueError(f"cannot convert {expr}")
        return _from_derivative(derivative, (variable, point), sympy)
    name = _SYMPY_FUNCTIONS.get(type(expr).__name__)
    if name is not None:
        return Call(name, tuple(_from_sympy(a, sympy) for a in expr.args))
    raise ValueError(f"cannot convert {type(expr).__name__}: {expr}")


def _signed(value: float, magnitude: Node) -> Node:
    return Neg(magnitude) if value < 0 else magnitude


def _from_sympy_mul(expr: Any, sympy: Any) -> Node:
    coefficient, factors = expr.as_coeff_mul()
    num: list[Node] = []
    den: list[Node] = []
    if coefficient.is_Rational and not coefficient.is_Integer:
        if abs(coefficient.p) != 1 or not factors:
            num.append(Num(str(abs(int(coefficient.p)))))
        den.append(Num(str(int(coefficient.q))))
    elif abs(coefficient) != 1 or not factors:
        num.append(_from_sympy(abs(coefficient), sympy))
    for factor in factors:
        if factor.is_Pow and factor.exp.is_number and factor.exp.is_negative:
            den.append(_from_sympy(sympy.Pow(factor.base, -factor.exp), sympy))
        else:
            num.append(_from_sympy(factor, sympy))
    if not num:
        num.append(_ONE)
    if coefficient < 0:
        num[0] = Neg(num[0])  # -n/2 reads "−n/2", not "−(n/2)"
    return num[0] if len(num) == 1 and not den else Mul(tuple(num), tuple(den))


def _from_sympy_pow(expr: Any, sympy: Any) -> Node:
    base, exp = expr.args
    if exp == sympy.Rational(1, 2):
        return Call("sqrt", (_from_sympy(base, sympy),))
    if exp.is_number and exp.is_negative:
        return Mul((_ONE,), (_from_sympy(sympy.Pow(base, -exp), sympy),))
    return Pow(_from_sympy(base, sympy), _from_sympy(exp, sympy))


def _from_derivative(derivative: Any, substitution: tuple[Any, Any] | None, sympy: Any) -> Node:
    function = derivative.expr
    variables = derivative.variables
    if not isinstance(function, sympy.core.function.AppliedUndef) or len(function.args) != 1 or set(variables) != {function.args[0]}:
        raise ValueError(f"only derivatives of one-argument undefined functions convert: {derivative}")
    argument = function.args[0]
    if substitution is not None:
        if substitution[0] != argument:
            raise ValueError(f"cannot convert {derivative} at {substitution}")
        argument = substitution[1]
    return Apply(canonical_name(type(function).__name__), len(variables), _from_sympy(argument, sympy))
