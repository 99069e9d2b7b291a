"""The LaTeX subset is read into the same tree, and "read as" shows the plain form (issue 18)."""

from __future__ import annotations

import pytest

from grader.errors import ResponseError
from grader.mathinput.equivalence import compare
from grader.mathinput.mathparse import parse

VARIABLES = ["a", "b", "x", "z", "h", "W_hh", "alpha", "n"]


@pytest.mark.parametrize(
    ("latex", "plain", "read_as"),
    [
        (r"\frac{a}{b}", "a/b", "a/b"),
        (r"\frac12 + x^{2}", "1/2 + x^2", "1/2 + x²"),
        (r"\sqrt{x^2+1}", "sqrt(x^2+1)", "√(x² + 1)"),
        (r"\sigma(z)\cdot(1-\sigma(z))", "sigmoid(z)*(1-sigmoid(z))", "σ(z)·(1 − σ(z))"),
        (r"1 - \tanh^2(z)", "1 - tanh(z)^2", "1 − tanh(z)²"),
        (r"\left(x+1\right)^{-2}", "(x+1)^(-2)", "(x + 1)⁻²"),
        (r"W_{hh}\times h", "W_hh*h", "W_hh·h"),
        (r"\alpha x", "alpha*x", "α·x"),
        (r"2\pi n", "2*pi*n", "2·π·n"),
        (r"e^{-\frac{x}{2}}", "exp(-x/2)", "e^(−(x/2))"),
        (r"\exp(x)\,\ln(x)", "exp(x)*log(x)", "exp(x)·log(x)"),
        ("x^{-1/2} + W_{hh}^{2}", "x^(-1/2) + W_hh^2", "x^(−1/2) + W_hh²"),  # braced exponents without any backslash
    ],
)
def test_latex_reads_like_the_plain_form(latex: str, plain: str, read_as: str) -> None:
    typed = parse(latex, variables=VARIABLES)
    assert typed.interpreted_as() == read_as
    assert compare(parse(plain, variables=VARIABLES), typed).equivalent is True


@pytest.mark.parametrize(
    ("latex", "phrase"),
    [
        ("\\", "must begin a LaTeX command"),
        (r"x + \foo", r"'\\foo' is not supported"),
        (r"\sqrt[3]{x}", "x\\^\\(1/3\\)"),
        (r"\frac{1}{x", "Missing '}'"),
        (r"\frac{1}}{x}", "Unmatched '}'"),
        (r"\frac{1}{0}", "divides by zero"),
        (r"\infty", "not a finite number"),
        (r"\frac", "needs its argument"),
        ("\\frac{" * 60 + "1", "Too deeply nested"),
    ],
)
def test_latex_outside_the_subset_is_refused_with_a_reason(latex: str, phrase: str) -> None:
    with pytest.raises(ResponseError, match=phrase):
        parse(latex, variables=VARIABLES)
