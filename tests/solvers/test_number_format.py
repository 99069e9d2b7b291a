"""Compact Unicode formatting used in worked steps."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from solvers.format import factor, number, product, sub, terms, value

x = sympy.Symbol("x")

CASES = [
    (number, 2.0, "2"),
    (number, 0.1, "0.1"),
    (number, -4.0, "−4"),
    (number, 0.1 + 0.2, "0.3"),
    (number, 1e-7, "1e−7"),
    (number, 2.5e10, "25000000000"),
    (number, 1.23456789e20, "1.23457e20"),
    (number, -0.0, "0"),
    (number, float("inf"), "∞"),
    (number, float("nan"), "nan"),
    (number, 7, "7"),
    (number, np.float64(0.25), "0.25"),
    (number, sympy.Rational(1, 10), "1/10"),
    (number, x**2 - 1, "x^2 − 1"),
    (number, True, "true"),
    (value, np.array([[1.0, 2.0], [3.0, -4.0]]), "[[1, 2], [3, −4]]"),
    (value, [0.5, 1], "[0.5, 1]"),
    (value, sympy.Matrix([1, x]), "[1, x]"),
    (value, np.float64(3.0), "3"),
    (factor, -2, "(−2)"),
    (factor, x + 1, "(x + 1)"),
    (factor, 2 * x, "2·x"),
    (factor, np.array([1.0]), "[1]"),
    (sub, 12, "₁₂"),
    (terms, ["−4", "12", "−2"], "−4 + 12 − 2"),
]


@pytest.mark.parametrize("fn,arg,expected", CASES)
def test_formatting(fn, arg, expected):
    assert fn(arg) == expected


def test_products_parenthesise_only_where_needed():
    assert product(-2, 2) == "−2·2"
    assert product(2, -2) == "2·(−2)"
    assert product(x - 1, 3) == "(x − 1)·3"
