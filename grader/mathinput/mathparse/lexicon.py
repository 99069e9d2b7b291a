"""What may be typed: the caps on size, the built-in functions and constants, Greek letters,
sub- and superscripts, token kinds and binding powers."""

from __future__ import annotations

import re

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
QUOTE_LIMIT = 30

# Built-in functions: typed name -> (canonical name, fewest arguments, most arguments).
BUILTINS: dict[str, tuple[str, int, int | None]] = {
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
FUNCTION_LIST = "exp, log (natural, also ln), sqrt, abs, sin, cos, tan, sinh, cosh, tanh, sigmoid (σ), relu, max, min"
CONSTANTS = frozenset({"pi", "e"})
NOT_FINITE = frozenset({"inf", "infinity", "Inf", "Infinity", "oo", "nan", "NaN", "NAN", "INF"})

# Greek letters that do not look like Latin ones, spelled as names.
GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "ϑ": "theta", "ι": "iota", "κ": "kappa",
    "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi", "π": "pi", "ρ": "rho", "σ": "sigma",
    "ς": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi", "ϕ": "phi", "χ": "chi", "ψ": "psi",
    "ω": "omega", "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi",
    "Π": "Pi", "Σ": "Sigma", "Υ": "Upsilon", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
}
# Echo uses one letter per spelled name (the first in the table above).
GREEK_ECHO = {name: letter for letter, name in reversed(GREEK.items())}
SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼᵣᵤᵥ", "0123456789aeoxhklmnpstijruv"))
SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻", "0123456789+-"))
SUPERSCRIPT_OF = {v: k for k, v in SUPERSCRIPTS.items()}
SYMBOLS = {
    "×": "*", "·": "*", "⋅": "*", "∙": "*", "∗": "*", "•": "*",
    "−": "-", "–": "-", "—": "-", "‐": "-", "‑": "-", "÷": "/", "∕": "/", "⁄": "/",
    "′": "'", "’": "'", "″": "''", "√": "√",
}
ASCII_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")

NAME_PATTERN = r"[A-Za-z]+[0-9]*(?:_(?:\{[^{}]*\}|[A-Za-z0-9]+))*"
# Tokens of more than one character; the rest are single characters (see SINGLE).
WORD = re.compile(
    r"(?P<num>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
    rf"|(?P<name>{NAME_PATTERN})"
    r"|(?P<sup>[⁺⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)"
)
NAME_HEAD = re.compile(r"([A-Za-z]+)([0-9]*)")
SUBSCRIPT_PART = re.compile(r"_(?:\{([^{}]*)\}|([A-Za-z0-9]+))")
ALNUM = re.compile(r"[A-Za-z0-9]+")

# Messages for ASCII characters that are not part of the grammar.
CHAR_HINTS = {
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
NUM, VAR, CONST, FUNC, UFUNC, OP, LP, RP, LB, RB = "num var const func ufunc op ( ) [ ]".split()
COMMA, PRIME, SUP, SQRT, END = ", prime sup sqrt end".split()
SINGLE = {
    "(": LP, ")": RP, "[": LB, "]": RB, ",": COMMA, "'": PRIME, "√": SQRT,
    "+": OP, "-": OP, "*": OP, "/": OP, "^": OP,
}
OPERAND_START = frozenset({VAR, CONST, FUNC, UFUNC, LP, SQRT})
VALUE_START = OPERAND_START | {NUM}
INFIX_POWER = {"+": 10, "-": 10, "*": 20, "/": 20, "^": 40, "**": 40}
SUP_POWER = 45  # postfix superscripts bind like a right operand of ^
PREFIX_POWER = 30  # unary minus: below ^ so -x^2 = -(x^2), above * so -x*y = (-x)*y
IMPLICIT_POWER = 20  # implicit multiplication binds like '*'
SQRT_POWER = 50  # above everything: √ takes a single operand
