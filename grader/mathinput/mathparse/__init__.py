"""The only door through which typed math enters rnnquiz.

Text is tokenised and parsed by hand into a small immutable tree of whitelisted node
types. Nothing here hands text to Python or sympy for interpretation: sympy objects
are built node by node from the tree (`Formula.to_sympy`), and numbers come from our
own evaluator (`Formula.evaluate`). Every problem with what a student typed raises
`ResponseError` whose message says what was wrong and what to type instead.

The package, in reading order: `lexicon` (what may be typed, the caps), `tokens` (text to
tokens), `tree` (node types), `parser` (tokens to tree), `formula` (the parsed result),
`echo` (tree to "read as" text), `evaluate` (numbers) and `sympy_bridge`. This module is
the public face: `parse`, `parse_number`, `canonical_name`, `from_sympy` and the types.

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
Numbers ``2``, ``0.5``, ``.5``, ``2.5e-3``, ``1E4`` (``1e`` and ``1e--1`` are refused as broken
numbers; ``2e^x`` and ``2e-x`` are 2·e…); operators ``+ - * / ^ **``; unary ``-`` and ``+``;
``( )`` for grouping. Precedence: ``^`` (right-associative, so ``2^3^2`` is ``2^(3^2)``) binds
tighter than unary minus (``-x^2`` is ``-(x^2)``), which binds tighter than ``* /`` and
implicit multiplication (all left-associative, so ``1/2n`` is ``n/2``), then ``+ -``.
Implicit multiplication: ``3(n+1)``, ``2n``, ``(a+b)(a-b)``, ``2 tanh(z)``, ``x y``. A number
may not follow another operand (``x 2``, ``(a)2``): that is rejected rather than guessed.
Functions (natural ``log``): exp, log = ln, sqrt, abs, sin, cos, tan, sec, csc = cosec, cot,
asin = arcsin, acos = arccos, atan = arctan, sinh, cosh, tanh, sech, csch = cosech, coth,
asinh = arcsinh = arsinh (and likewise acosh, atanh), sigmoid = σ, relu, max and min (two or
more arguments). A constant is never called: ``pi(3)`` is refused, not read as 3π. A declared
variable before ``(`` is a product, and ``Formula.notes`` says so (``W(x)`` is W·x), as it
says that ``σ(z)`` is the sigmoid. A LaTeX subset (``\\frac``, ``\\sqrt``, ``\\cdot``, ``^{…}``,
Greek letters, ``\\left( \\right)`` …) is rewritten into this syntax first (``latex``). ``tanh^2(z)`` and ``tanh²(z)`` mean
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
- constant exponents within ±``MAX_EXPONENT`` (10,000) unless the base is 0, 1 or -1, so
  ``9**9**9**9`` is refused at ``9^(9^9)``; ``(x − a)^6000`` is read (and compared exactly).
Constant subexpressions are computed (as floats) while parsing, so ``1/0``, ``0^-1``,
``log(-1)`` and ``exp(1000)`` are refused with a message. ``!``, ``factorial``, ``inf``,
``nan`` and ``∞`` are refused with a message (before any name splitting). Control,
invisible and combining characters are refused; other non-ASCII characters not listed
above are NFKC-normalised one at a time and must become plain ASCII (full-width ``ｘ`` →
``x``), or they are refused, naming the character, so homoglyphs cannot pass.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any, Iterable

from grader.mathinput.mathparse.formula import Formula, MatrixFormula, formula_of
from grader.mathinput.mathparse.lexicon import (
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_LENGTH,
    MAX_MATRIX_SIDE,
    MAX_NAME_LENGTH,
    MAX_NODES,
    MAX_NUMBER,
    MAX_NUMBER_DIGITS,
    MAX_PRIMES,
    MIN_NUMBER,
)
from grader.mathinput.mathparse.parser import Parser
from grader.mathinput.mathparse.sympy_bridge import node_from_sympy
from grader.mathinput.mathparse.tokens import Tokeniser, canonical_name, canonical_set, normalise
from grader.mathinput.mathparse.tree import Add, Apply, Call, Const, Mul, Neg, Node, Num, Pow, Var, children

__all__ = [
    "parse", "parse_number", "canonical_name", "from_sympy", "Formula", "MatrixFormula", "children",
    "Node", "Num", "Const", "Var", "Neg", "Add", "Mul", "Pow", "Call", "Apply",
    "MAX_LENGTH", "MAX_DEPTH", "MAX_NODES", "MAX_NAME_LENGTH", "MAX_NUMBER_DIGITS", "MAX_EXPONENT", "MAX_NUMBER",
    "MIN_NUMBER", "MAX_PRIMES", "MAX_MATRIX_SIDE",
]




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
    declared = None if variables is None else canonical_set(tuple(variables))
    undefined = canonical_set(tuple(functions))
    if declared is not None and declared & undefined:
        raise ValueError(f"names declared both as variables and functions: {sorted(declared & undefined)}")
    return _parse(text, declared, undefined, allow_matrix, numeric=False)[0]


_PLAIN_DECIMAL = re.compile(r"[ \t]*([+-]?)([0-9]{1,20}(?:\.[0-9]{0,20})?|\.[0-9]{1,20})[ \t]*")
"""An ASCII decimal without an exponent, short enough to be inside the parser's range."""


def parse_number(text: str) -> float:
    """A number or plain arithmetic without names (``1/3``, ``−4``, ``2.5e-3``, ``2·(4−5)``)."""
    plain = _PLAIN_DECIMAL.fullmatch(text)
    if plain:  # most answers are plain decimals: the value the parser gives them, without parsing
        value = float(plain[2])
        return -value if plain[1] == "-" else value
    parser = _parse(text, frozenset(), frozenset(), False, numeric=True)[1]
    assert parser.value is not None  # without names every subexpression has a value
    return parser.value


def from_sympy(expr: Any) -> Formula | MatrixFormula:
    """Trusted sympy output (or a plain number) as a ``Formula``, or a ``MatrixFormula`` for a Matrix."""
    import sympy

    if isinstance(expr, sympy.MatrixBase):
        rows = tuple(tuple(formula_of(node_from_sympy(expr[i, j], sympy)) for j in range(expr.cols)) for i in range(expr.rows))
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
    return formula_of(node_from_sympy(expr, sympy))


def _parse(text: str, declared: frozenset[str] | None, undefined: frozenset[str], allow_matrix: bool, *, numeric: bool) -> tuple[Formula | MatrixFormula, Parser]:
    normal = normalise(text)
    tokens = Tokeniser(normal, declared, undefined, numeric).run()
    parser = Parser(normal, tokens, undefined)
    return parser.top(allow_matrix), parser
