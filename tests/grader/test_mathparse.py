"""Tests of grader.mathparse: what students may type, how it is read, and every refusal."""

from __future__ import annotations

import ast
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.mathinput import mathparse
from grader.errors import ResponseError
from grader.mathinput.mathparse import Formula, MatrixFormula, canonical_name, from_sympy, parse, parse_number

ROOT = Path(__file__).resolve().parents[2]
NM = ["n", "m"]
RNN = ["V", "s_4", "c", "W", "W_h", "U", "h", "x", "z"]


def echo(text: str, variables=NM, functions=(), allow_matrix=False) -> str:
    return parse(text, variables=variables, functions=functions, allow_matrix=allow_matrix).interpreted_as()


# ---------------------------------------------------------------------------- accepted input

ACCEPTED = [
    # numbers and operators
    ("2", (), "2"),
    ("0.25", (), "0.25"),
    (".5", (), "0.5"),
    ("2.5e-3", (), "2.5e-3"),
    ("1E4", (), "1e4"),
    ("1e+4", (), "1e4"),
    ("2 + 3*4", (), "2 + 3·4"),
    ("2**3", (), "2³"),
    ("2^3^2", (), "2^(3²)"),
    ("-x^2", ["x"], "−x²"),
    ("+x", ["x"], "x"),
    ("--x", ["x"], "−(−x)"),
    ("2*-x", ["x"], "2·(−x)"),
    ("x^-1", ["x"], "x⁻¹"),
    ("x^(1/2)", ["x"], "x^(1/2)"),
    ("a - (b + c)", ["a", "b", "c"], "a − (b + c)"),
    ("a - b*c", ["a", "b", "c"], "a − b·c"),
    ("-(a*b)", ["a", "b"], "−(a·b)"),
    ("a/b/c", ["a", "b", "c"], "a/(b·c)"),
    ("a/(b/c)", ["a", "b", "c"], "a/(b/c)"),
    ("a/b*c", ["a", "b", "c"], "a·c/b"),
    ("(a + b)/(a - b)", ["a", "b"], "(a + b)/(a − b)"),
    # implicit multiplication
    ("3(n^2 + nm + n)", NM, "3·(n² + n·m + n)"),
    ("2n", NM, "2·n"),
    ("nm", NM, "n·m"),
    ("mn", NM, "m·n"),
    ("2nm^2", NM, "2·n·m²"),
    ("(n + 1)(n - 1)", NM, "(n + 1)·(n − 1)"),
    ("n(m + 1)", NM, "n·(m + 1)"),
    ("n m", NM, "n·m"),
    ("1/2n", NM, "1·n/2"),
    ("2 tanh(z)", ["z"], "2·tanh(z)"),
    ("ztanh(z)", ["z"], "z·tanh(z)"),
    ("pi r^2", ["r"], "π·r²"),
    # functions
    ("1 - tanh(z)^2", ["z"], "1 − tanh(z)²"),
    ("tanh^2(z)", ["z"], "tanh(z)²"),
    ("tanh²(z)", ["z"], "tanh(z)²"),
    ("tanh(z)²", ["z"], "tanh(z)²"),
    ("exp(-z)", ["z"], "exp(−z)"),
    ("ln(x)", ["x"], "log(x)"),
    ("log(x)", ["x"], "log(x)"),
    ("sqrt(x)", ["x"], "√x"),
    ("sqrt(x + 1)", ["x"], "√(x + 1)"),
    ("√x", ["x"], "√x"),
    ("√(x+1)", ["x"], "√(x + 1)"),
    ("√x²", ["x"], "(√x)²"),
    ("abs(x)", ["x"], "abs(x)"),
    ("sin(x) cos(x) tan(x)", ["x"], "sin(x)·cos(x)·tan(x)"),
    ("sinh(x) + cosh(x)", ["x"], "sinh(x) + cosh(x)"),
    ("sigmoid(z)(1 - sigmoid(z))", ["z"], "σ(z)·(1 − σ(z))"),
    ("σ(z)", ["z"], "σ(z)"),
    ("sigma(z)", ["z"], "σ(z)"),
    ("relu(x)", ["x"], "relu(x)"),
    ("max(a, b)", ["a", "b"], "max(a, b)"),
    ("min(a, b, 0)", ["a", "b"], "min(a, b, 0)"),
    # constants
    ("pi", (), "π"),
    ("π/2", (), "π/2"),
    ("e^x", ["x"], "e^x"),
    ("e", ["e"], "e"),
    # names: subscripts, digits, Greek
    ("W_h(1 - tanh(z)^2)", ["W_h", "z"], "W_h·(1 − tanh(z)²)"),
    ("W_{hh} h", ["W_hh", "h"], "W_hh·h"),
    ("s_4", ["s_4"], "s_4"),
    ("s4", ["s_4"], "s_4"),
    ("s₄", ["s_4"], "s_4"),
    ("s_{4}", ["s_4"], "s_4"),
    ("Vs_4", ["V", "s_4"], "V·s_4"),
    ("alpha + Gamma_u", ["alpha", "Gamma_u"], "α + Γ_u"),
    ("α + Γ_u", ["alpha", "Gamma_u"], "α + Γ_u"),
    ("sigma", ["sigma"], "σ"),
    ("sigma(z)", ["sigma", "z"], "σ·z"),
    # Unicode operators
    ("2×3", (), "2·3"),
    ("2·3", (), "2·3"),
    ("2⋅3", (), "2·3"),
    ("5−3", (), "5 − 3"),
    ("5–3", (), "5 − 3"),
    ("x³ + x⁻¹", ["x"], "x³ + x⁻¹"),
    ("x¹⁰", ["x"], "x¹⁰"),
    ("ｘ＋１", ["x"], "x + 1"),
    ("  x + 1\n", ["x"], "x + 1"),
    ("x\t+ 1", ["x"], "x + 1"),
]


@pytest.mark.parametrize(("text", "variables", "expected"), ACCEPTED)
def test_accepted_input_is_read_as_shown(text, variables, expected):
    assert echo(text, variables) == expected


@pytest.mark.parametrize(("text", "variables", "expected"), ACCEPTED)
def test_echo_reads_back_to_the_same_tree(text, variables, expected):
    formula = parse(text, variables=variables)
    assert parse(formula.interpreted_as(), variables=variables) == formula


UNDEFINED_FUNCTIONS = [
    ("O'(V*s_4 + c)", "O′(V·s_4 + c)"),
    ("O′(V s4 + c)", "O′(V·s_4 + c)"),
    ("O(V*s_4+c)", "O(V·s_4 + c)"),
    ("-V*O'(V*s_4+c)/O(V*s_4+c)", "−V·O′(V·s_4 + c)/O(V·s_4 + c)"),
    ("O''(x)", "O′′(x)"),
    ("O'^2(x)", "O′(x)²"),
    ("VO'(c)", "V·O′(c)"),
]


@pytest.mark.parametrize(("text", "expected"), UNDEFINED_FUNCTIONS)
def test_primes_on_declared_functions(text, expected):
    formula = parse(text, variables=RNN, functions=["O"])
    assert formula.interpreted_as() == expected
    assert formula.functions == {"O"}


@pytest.mark.parametrize(
    ("text", "variables", "names"),
    [("3(n^2 + nm + n)", NM, {"n", "m"}), ("2n", NM, {"n"}), ("7", NM, set()), ("pi e", NM, set()), ("pi e", ["e"], {"e"})],
)
def test_names_lists_the_variables_used(text, variables, names):
    formula = parse(text, variables=variables)
    assert formula.names == names
    assert formula.functions == frozenset()


def test_free_mode_reads_any_name_as_a_variable():
    formula = parse("alpha*nm + W_{hh}", variables=None)
    assert formula.names == {"alpha", "nm", "W_hh"}
    assert formula.interpreted_as() == "α·nm + W_hh"


def test_free_mode_still_knows_functions_and_constants():
    assert parse("sigma(z) + pi + e", variables=None).interpreted_as() == "σ(z) + π + e"


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("s4", "s_4"),
        ("s_4", "s_4"),
        ("s₄", "s_4"),
        ("s_{4}", "s_4"),
        ("W_{hh}", "W_hh"),
        ("W_hh", "W_hh"),
        ("x12_a", "x_12_a"),
        ("α", "alpha"),
        ("alpha1", "alpha_1"),
        ("Γ_u", "Gamma_u"),
        ("ｎ", "n"),
    ],
)
def test_canonical_names(name, canonical):
    assert canonical_name(name) == canonical


@pytest.mark.parametrize("name", ["2x", "x y", "_x", "W_{h-1}", "x+", "", "а"])
def test_invalid_declared_names_are_a_value_error(name):
    with pytest.raises(ValueError):
        canonical_name(name)


def test_a_name_declared_as_variable_and_function_is_a_value_error():
    with pytest.raises(ValueError, match="both"):
        parse("O", variables=["O"], functions=["O"])


def test_split_prefers_the_longest_known_name_and_backtracks():
    assert echo("abc", ["ab", "a", "bc"]) == "a·bc"
    assert echo("abx", ["ab", "a", "b", "x"]) == "ab·x"


# ---------------------------------------------------------------------------- matrices


@pytest.mark.parametrize(
    ("text", "shape", "expected"),
    [
        ("[[1, 0], [0, 1]]", (2, 2), "[[1, 0], [0, 1]]"),
        ("[1, 2, 3]", (3,), "[1, 2, 3]"),
        ("[[1, 2, 3]]", (1, 3), "[[1, 2, 3]]"),
        ("[[n], [m]]", (2, 1), "[[n], [m]]"),
        ("[[σ(n)(1-σ(n)), 0], [0, nm]]", (2, 2), "[[σ(n)·(1 − σ(n)), 0], [0, n·m]]"),
    ],
)
def test_matrices_and_vectors(text, shape, expected):
    matrix = parse(text, variables=NM, allow_matrix=True)
    assert isinstance(matrix, MatrixFormula)
    assert matrix.shape == shape
    assert matrix.interpreted_as() == expected


def test_matrix_entries_are_formulas_with_their_indices():
    matrix = parse("[[1, n], [m, 2]]", variables=NM, allow_matrix=True)
    assert [(index, entry.interpreted_as()) for index, entry in matrix.entries()] == [
        ((0, 0), "1"), ((0, 1), "n"), ((1, 0), "m"), ((1, 1), "2")
    ]
    assert matrix.names == {"n", "m"}


def test_matrix_to_sympy():
    assert parse("[[1, n], [m, 2]]", variables=NM, allow_matrix=True).to_sympy() == sympy.Matrix([[1, sympy.Symbol("n")], [sympy.Symbol("m"), 2]])
    assert parse("[n, m]", variables=NM, allow_matrix=True).to_sympy().shape == (2, 1)


# ---------------------------------------------------------------------------- refusals

# (text, variables, functions, allow_matrix, what the message must say)
ERRORS = [
    ("", NM, (), False, ["Empty answer", "Type a formula"]),
    ("   ", NM, (), False, ["Empty answer"]),
    ("tanh(z", ["z"], (), False, ["Missing ')' after 'tanh(z'", "Close every parenthesis"]),
    ("(n + m", NM, (), False, ["Missing ')' after '(n + m'"]),
    ("n)", NM, (), False, ["Unmatched ')' after 'n'", "Remove it"]),
    ("n *", NM, (), False, ["Expected an expression after '*'", "Type a number, a name or '('"]),
    ("n +", NM, (), False, ["Expected an expression after '+'"]),
    ("* n", NM, (), False, ["Expected an expression before '*'"]),
    ("n ^", NM, (), False, ["Expected an expression after '^'"]),
    ("()", NM, (), False, ["Empty parentheses", "Put an expression inside"]),
    ("q + n", NM, (), False, ["Unknown name 'q'", "This question's variables are m, n", "Functions: exp, log"]),
    ("x", (), (), False, ["Unknown name 'x'", "This question has no variables"]),
    ("n2", NM, (), False, ["Unknown name 'n2'", "n2 is n_2", "type n*2"]),
    ("Wh", ["W_h"], (), False, ["Unknown name 'Wh'", "Did you mean W_h?"]),
    ("O(x)", ["x"], (), False, ["Unknown name 'O'"]),
    ("2 3", NM, (), False, ["Put an operator between '2' and '3'"]),
    ("n 2", NM, (), False, ["Put an operator between 'n' and '2'"]),
    ("(n)2", NM, (), False, ["Put an operator between '(n)' and '2'"]),
    ("tanh z", ["z"], (), False, ["Put the argument of tanh in parentheses: tanh(z)"]),
    ("tanh()", ["z"], (), False, ["Empty parentheses after tanh"]),
    ("tanh(z, z)", ["z"], (), False, ["tanh takes one argument"]),
    ("max(n)", NM, (), False, ["max needs at least 2 arguments", "max(a, b)"]),
    ("sin^-1(n)", NM, (), False, ["Write powers of sin after its argument, e.g. sin(z)^2"]),
    ("sigma", ["z"], (), False, ["Put the argument of sigma in parentheses"]),
    ("n'", NM, (), False, ["Primes (′) are not allowed here", "Write the derivative out"]),
    ("x'", ["x"], ["O"], False, ["may only follow one of this question's functions (O)"]),
    ("O'''(x)", ["x"], ["O"], False, ["At most 2 primes"]),
    ("O(x, x)", ["x"], ["O"], False, ["O takes one argument"]),
    ("n!", NM, (), False, ["factorial", "Write the product out"]),
    ("factorial(3)", NM, (), False, ["factorial is not supported"]),
    ("inf", NM, (), False, ["'inf' is not a finite number"]),
    ("nan", NM, (), False, ["'nan' is not a finite number"]),
    ("∞", NM, (), False, ["'∞' is not a finite number"]),
    ("1/0", NM, (), False, ["'1/0' divides by zero", "Change the divisor"]),
    ("n/(2-2)", NM, (), False, ["divides by zero"]),
    ("0^-1", NM, (), False, ["'0⁻¹' divides by zero"]),
    ("log(-1)", NM, (), False, ["'log(−1)' has no real value"]),
    ("sqrt(-4)", NM, (), False, ["has no real value"]),
    ("(-8)^(1/3)", NM, (), False, ["has no real value"]),
    ("exp(1000)", NM, (), False, ["too large to compute"]),
    ("(1e200)^2", NM, (), False, ["too large to compute"]),
    ("n = 3", NM, (), False, ["without '='"]),
    ("|n|", NM, (), False, ["abs(x)"]),
    ("n; m", NM, (), False, ["';' is not allowed"]),
    ("n.m", NM, (), False, ["'.' may only appear inside a number"]),
    ("__import__", NM, (), False, ["'_' must follow a name"]),
    ("n_", NM, (), False, ["'_' must follow a name"]),
    ("{n}", NM, (), False, ["Braces are only for subscripts"]),
    ("W_{h-1}", NM, (), False, ["Subscript '{h-1}' may hold only letters and digits"]),
    ('"n"', NM, (), False, ["Quotes are not allowed"]),
    ("n # m", NM, (), False, ["Character '#'", "not allowed"]),
    ("n, m", NM, (), False, ["Unexpected ','", "Commas only separate"]),
    ("x²", NM, (), False, ["Unknown name 'x'"]),
    ("²", NM, (), False, ["A superscript must follow"]),
    ("√", NM, (), False, ["Put what √ applies to"]),
    ("√-n", NM, (), False, ["Put what √ applies to"]),
    ("[n]", NM, (), False, ["expects a single formula, not a vector or matrix"]),
    ("n + [m]", NM, (), True, ["Square brackets '[ ]' only write vectors and matrices"]),
    ("(n]", NM, (), False, ["Missing ')' after '(n'; found ']'"]),
    # homoglyphs and invisible characters
    ("а + 1", NM, (), False, ["U+0430 CYRILLIC SMALL LETTER A", "may look like a Latin letter"]),
    ("Α", NM, (), False, ["U+0391 GREEK CAPITAL LETTER ALPHA", "may look like a Latin letter"]),
    ("n\u200dm", NM, (), False, ["U+200D ZERO WIDTH JOINER", "Delete it"]),
    ("n\u202em", NM, (), False, ["U+202E", "Delete it"]),
    ("n\x00", NM, (), False, ["U+0000", "Delete it"]),
    ("n\nm", NM, (), False, ["U+000A", "Delete it"]),
    ("n ∫ m", NM, (), False, ["'∫' (U+222B INTEGRAL) is not allowed in a formula"]),
    # matrices
    ("[[1, 2], [3]]", NM, (), True, ["Row 2 has 1 entry but row 1 has 2"]),
    ("[[1, 2], 3]", NM, (), True, ["Write every row of a matrix in its own brackets"]),
    ("[[[1]]]", NM, (), True, ["Too many levels of brackets"]),
    ("[]", NM, (), True, ["Empty brackets"]),
    ("[1, 2", NM, (), True, ["Missing ']' after '[1, 2'"]),
    ("[1, 2] * 2", NM, (), True, ["Nothing may follow the closing ']'"]),
]


@pytest.mark.parametrize(("text", "variables", "functions", "allow_matrix", "phrases"), ERRORS)
def test_refusals_say_what_is_wrong_and_what_to_type(text, variables, functions, allow_matrix, phrases):
    with pytest.raises(ResponseError) as caught:
        parse(text, variables=variables, functions=functions, allow_matrix=allow_matrix)
    message = str(caught.value)
    for phrase in phrases:
        assert phrase in message
    assert message.isprintable()


# ---------------------------------------------------------------------------- caps


def test_length_cap_refuses_without_scanning():
    huge = "x" * (mathparse.MAX_LENGTH + 1)
    with pytest.raises(ResponseError, match=f"at most {mathparse.MAX_LENGTH}"):
        parse(huge, variables=["x"])


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("(" * (mathparse.MAX_DEPTH + 1) + "n" + ")" * (mathparse.MAX_DEPTH + 1), "more than 50 levels of brackets"),
        ("-" * 200 + "n", "Too deeply nested"),
        ("n" + "² " * 200, "Too deeply nested"),
        ("√" * 150 + "n", "Too deeply nested"),
        ("+".join(["n"] * (mathparse.MAX_NODES + 1)), f"more than {mathparse.MAX_NODES} parts"),
        ("nm " * 300, f"more than {mathparse.MAX_NODES} parts"),
        ("n" * (mathparse.MAX_NAME_LENGTH + 1), f"at most {mathparse.MAX_NAME_LENGTH}"),
        ("1" * (mathparse.MAX_NUMBER_DIGITS + 1), f"at most {mathparse.MAX_NUMBER_DIGITS} are accepted"),
        ("1e999999", "out of range"),
        ("1e301", "out of range"),
        ("1e-301", "out of range"),
        ("n^10001", "exponents must be between -10000 and 10000"),
        ("n^-10001", "exponents must be between -10000 and 10000"),
        ("2^1025", "too large to compute"),
        ("n^1000000", "exponents must be between"),
        ("9**9**9**9", "too large; exponents must be between"),
        ("10**10**10", "too large; exponents must be between"),
        ("tanh^10001(n)", "Exponent 10001 is too large"),
        ("[" + ", ".join(["1"] * (mathparse.MAX_MATRIX_SIDE + 1)) + "]", f"at most {mathparse.MAX_MATRIX_SIDE}"),
        ("[" + ", ".join(["[1]"] * (mathparse.MAX_MATRIX_SIDE + 1)) + "]", f"at most {mathparse.MAX_MATRIX_SIDE}"),
    ],
)
def test_caps(text, phrase):
    with pytest.raises(ResponseError, match=phrase.replace("(", r"\(").replace("*", r"\*")):
        parse(text, variables=NM, allow_matrix=True)


@pytest.mark.parametrize(
    "text",
    [
        "(" * mathparse.MAX_DEPTH + "n" + ")" * mathparse.MAX_DEPTH,
        "1" * mathparse.MAX_NUMBER_DIGITS,
        "n^100",
        "2^-100",
        "1^(10^100)",
        "(-1)^1000",
        "1e300",
        "[" + ", ".join(["1"] * mathparse.MAX_MATRIX_SIDE) + "]",
    ],
)
def test_just_inside_the_caps_is_accepted(text):
    parse(text, variables=NM, allow_matrix=True)


def test_hundred_thousand_deep_parentheses_fail_fast_without_recursion(monkeypatch):
    monkeypatch.setattr(mathparse.tokens, "MAX_LENGTH", 10**6)
    with pytest.raises(ResponseError, match="levels of brackets"):
        parse("(" * 100_000 + "n" + ")" * 100_000, variables=NM)


# ---------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("text", "value"),
    [("6", 6.0), ("-4", -4.0), ("−4", -4.0), ("0.25", 0.25), ("1/3", 1 / 3), ("2.5e-3", 0.0025), ("2·(4−5)", -2.0), ("2^-1", 0.5), ("sqrt(4)", 2.0), ("pi", math.pi)],
)
def test_parse_number(text, value):
    assert parse_number(text) == pytest.approx(value, rel=1e-15)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [("x", "'x' is not a number. Type a number, such as -4"), ("1/0", "divides by zero"), ("", "Empty answer"), ("1,5", "Unexpected ','"), ("[1]", "not a vector or matrix")],
)
def test_parse_number_refusals(text, phrase):
    with pytest.raises(ResponseError, match=phrase.replace("(", r"\(")):
        parse_number(text)


# ---------------------------------------------------------------------------- evaluation


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        ("3(n^2 + nm + n)", {"n": 2.0, "m": 5.0}, 48.0),
        ("1 - tanh(z)^2", {"z": 0.5}, 1 - math.tanh(0.5) ** 2),
        ("sigmoid(z)", {"z": -800.0}, 0.0),
        ("relu(z) + max(z, 1, 2) + min(z, 0)", {"z": -3.0}, 0.0 + 2.0 - 3.0),
        ("e^z + exp(z)", {"z": 1.0}, 2 * math.e),
        ("abs(z)·√4", {"z": -3.0}, 6.0),
    ],
)
def test_evaluate(text, env, expected):
    variables = sorted(env)
    assert float(parse(text, variables=variables).evaluate(env)) == pytest.approx(expected, rel=1e-12)


def test_evaluate_is_vectorised_and_reports_undefined_points_as_nan():
    values = parse("log(x)", variables=["x"]).evaluate({"x": np.array([1.0, -1.0])})
    assert values[0] == 0.0 and math.isnan(values[1])


def test_evaluate_applies_the_given_function_and_derivative():
    formula = parse("O(x) + O'(x)", variables=["x"], functions=["O"])
    assert float(formula.evaluate({"x": 0.0}, {"O": (np.exp, np.cos)})) == 2.0


def test_evaluate_without_a_variable_is_a_value_error():
    with pytest.raises(ValueError, match="'n'"):
        parse("n", variables=NM).evaluate({})


# ---------------------------------------------------------------------------- sympy both ways

n, m, z, u = sympy.symbols("n m z u")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3(n^2 + nm + n)", 3 * (n**2 + n * m + n)),
        ("2.5e-3 n", sympy.Rational(1, 400) * n),
        ("1 - tanh(z)^2", 1 - sympy.tanh(z) ** 2),
        ("sigmoid(z)", 1 / (1 + sympy.exp(-z))),
        ("relu(z) + abs(z)", sympy.Max(z, 0) + sympy.Abs(z)),
        ("e^z + pi", sympy.exp(z) + sympy.pi),
        ("sqrt(n)/m", sympy.sqrt(n) / m),
        ("O(u) + O'(u)", sympy.Function("O")(u) + sympy.Derivative(sympy.Function("O")(u), u)),
    ],
)
def test_to_sympy(text, expected):
    assert parse(text, variables=["n", "m", "z", "u"], functions=["O"]).to_sympy() == expected


def test_to_sympy_derivative_at_an_expression_is_a_subs():
    built = parse("O'(2u)", variables=["u"], functions=["O"]).to_sympy()
    assert isinstance(built, sympy.Subs)
    assert from_sympy(built).interpreted_as() == "O′(2·u)"


x_ = sympy.Dummy("x")
FROM_SYMPY = [
    (3 * (n**2 + n * m + n), "3·m·n + 3·n² + 3·n"),
    (sympy.Mul(3, n + 1, evaluate=False), "3·(n + 1)"),
    (n / 2, "n/2"),
    (-n / 2, "−n/2"),
    (1 / n, "1/n"),
    (n**-2, "1/n²"),
    (sympy.sqrt(n), "√n"),
    (1 / sympy.sqrt(n), "1/√n"),
    (n - m, "n − m"),
    (sympy.Rational(2, 3), "2/3"),
    (sympy.Integer(-4), "−4"),
    (sympy.Float(0.25), "0.25"),
    (1 - sympy.tanh(z) ** 2, "1 − tanh(z)²"),
    (sympy.pi * sympy.E, "e·π"),
    (sympy.exp(-z) + sympy.log(z), "log(z) + exp(−z)"),
    (sympy.Max(z, 0), "max(0, z)"),
    (sympy.Symbol("W_{hh}"), "W_hh"),
    (sympy.Subs(sympy.Derivative(sympy.Function("O")(x_), x_), x_, u + 1), "O′(u + 1)"),
    (sympy.Derivative(sympy.Function("O")(u), u), "O′(u)"),
    (sympy.Function("O")(u), "O(u)"),
]


@pytest.mark.parametrize(("expr", "expected"), FROM_SYMPY)
def test_from_sympy(expr, expected):
    assert from_sympy(expr).interpreted_as() == expected


@pytest.mark.parametrize(("expr", "_"), FROM_SYMPY)
def test_from_sympy_round_trips_to_an_equal_sympy_expression(expr, _):
    canonical = expr.xreplace({s: sympy.Symbol(canonical_name(s.name)) for s in expr.free_symbols})
    assert sympy.simplify(from_sympy(expr).to_sympy() - canonical) == 0


def test_from_sympy_matrix_and_numbers():
    matrix = from_sympy(sympy.Matrix([[1, n], [0, m]]))
    assert isinstance(matrix, MatrixFormula) and matrix.shape == (2, 2)
    assert from_sympy(3).interpreted_as() == "3"
    assert from_sympy(0.5).interpreted_as() == "0.5"


@pytest.mark.parametrize("expr", [sympy.oo, sympy.nan, sympy.Integral(n, n), sympy.Eq(n, 1), True])
def test_from_sympy_refuses_what_it_cannot_represent(expr):
    with pytest.raises(ValueError):
        from_sympy(expr)


# ---------------------------------------------------------------------------- module hygiene


def test_importing_mathparse_loads_neither_sympy_nor_numpy():
    code = "import sys, grader.mathinput.mathparse; print('sympy' in sys.modules, 'numpy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


# Functions that run text as code: by name, and as attributes (sympy.sympify, sympy.S(...)).
FORBIDDEN_NAMES = {"eval", "exec", "compile", "__import__", "sympify", "parse_expr", "lambdify"}
FORBIDDEN_ATTRIBUTES = {"eval", "exec", "sympify", "parse_expr", "lambdify", "S"}


@pytest.mark.parametrize("path", sorted((ROOT / "grader").glob("*.py")), ids=lambda p: p.name)
def test_grader_never_calls_code_evaluating_functions(path):
    calls = [node.func for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(node, ast.Call)]
    assert not {f.id for f in calls if isinstance(f, ast.Name)} & FORBIDDEN_NAMES
    assert not {f.attr for f in calls if isinstance(f, ast.Attribute)} & FORBIDDEN_ATTRIBUTES


# ---------------------------------------------------------------------------- generated formulas

NAMES = ["x", "n", "W_h", "s4", "α", "Γ_u"]
_atoms = st.sampled_from(NAMES + ["pi", "e", "2", "0.5", "3", "1e-3", "12"])


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, st.sampled_from([" + ", " - ", "*", "/", " ", "·", "×", " − "]), children).map(lambda t: f"({t[0]}){t[1]}({t[2]})"),
        st.tuples(children, st.sampled_from(["^2", "²", "^-1", "⁻¹", "^(1/2)"])).map(lambda t: f"({t[0]}){t[1]}"),
        st.tuples(st.sampled_from(["tanh", "exp", "sigmoid", "σ", "log", "sqrt", "abs", "relu", "tanh^2", "cosh"]), children).map(lambda t: f"{t[0]}({t[1]})"),
        children.map(lambda c: f"-({c})"),
        st.tuples(children, children).map(lambda t: f"max({t[0]}, {t[1]})"),
    )


FORMULAS = st.recursive(_atoms, _combine, max_leaves=12)
DECLARED = ["x", "n", "W_h", "s_4", "alpha", "Gamma_u"]


@settings(max_examples=150, deadline=None)
@given(FORMULAS)
def test_generated_formulas_echo_to_the_same_values(text):
    try:
        formula = parse(text, variables=DECLARED)
    except ResponseError:
        return  # constant parts may be refused (e.g. log(-1)); the refusal is the point
    again = parse(formula.interpreted_as(), variables=DECLARED)
    rng = np.random.default_rng(0)
    env = {name: rng.uniform(-2, 2, 8) for name in DECLARED}
    first, second = np.broadcast_arrays(formula.evaluate(env), again.evaluate(env))
    both = np.isfinite(first) & np.isfinite(second) & (np.abs(first) < 1e100)
    assert np.allclose(first[both], second[both], rtol=1e-9, atol=1e-12)
    assert isinstance(formula, Formula) and formula.names <= set(DECLARED)


def test_a_plain_decimal_reads_as_the_parser_reads_it():
    """parse_number takes plain decimals without parsing them: the same float as the parser's
    (sign of zero included), and everything else still goes through the parser."""
    import random

    from grader.mathinput.mathparse import _parse, parse_number

    def parsed(text: str) -> float:
        return _parse(text, frozenset(), frozenset(), False, numeric=True)[1].value

    rng = random.Random(5407)
    texts = ["0", "-0", "+0", "-0.0", ".5", "5.", "0012", " 7 ", "\t-3.25", "99999999999999999999.5"]
    for _ in range(3000):
        whole = "".join(rng.choice("0123456789") for _ in range(rng.randint(0, 8)))
        decimals = "".join(rng.choice("0123456789") for _ in range(rng.randint(0, 8)))
        text = rng.choice(["", "-", "+"]) + (whole or "0") + (("." + decimals) if rng.random() < 0.7 else "")
        texts.append(rng.choice(["", " "]) + text + rng.choice(["", " "]))
    for text in texts:
        assert repr(parse_number(text)) == repr(parsed(text)), text
    # not plain: left to the parser, with its messages
    assert parse_number("−4") == -4.0 and parse_number("1e3") == 1000.0 and parse_number("2*(4-5)") == -2.0
    for bad in ("1e400", "1_000", "٣", "1" * 400):
        with pytest.raises(ResponseError):
            parse_number(bad)
