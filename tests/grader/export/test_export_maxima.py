"""Our parsed formula tree in Maxima syntax: a table of tree → text, and every formula in the
banks read back from its Maxima text by our own parser, equal to the original."""

from __future__ import annotations

import pytest
from export_oracle import same_formula

from grader.marking import keys
from grader.banks.catalog import Catalog
from grader.export.maxima import maxima
from grader.marking.compare import option_value
from grader.mathinput.mathparse import parse
from grader.marking.variants import instantiate

TABLE = [
    # (typed formula, variables, functions, Maxima text)
    ("sigmoid(z)", ["z"], [], "1/(1+exp(-z))"),
    ("σ(a+b)", ["a", "b"], [], "1/(1+exp(-(a+b)))"),
    ("x*sigmoid(x)", ["x"], [], "x*1/(1+exp(-x))"),
    ("sigmoid(s)^2", ["s"], [], "(1/(1+exp(-s)))^2"),
    ("1/sigmoid(s)", ["s"], [], "1/(1/(1+exp(-s)))"),
    ("relu(x)", ["x"], [], "max(x,0)"),
    ("3*(n^2+n*m+n)", ["n", "m"], [], "3*(n^2+n*m+n)"),
    ("3n(n+m+1)", ["n", "m"], [], "3*n*(n+m+1)"),
    ("-x^2", ["x"], [], "-x^2"),
    ("-(a+b)", ["a", "b"], [], "-(a+b)"),
    ("a-(b-c)", ["a", "b", "c"], [], "a-(b-c)"),
    ("a*(-b)", ["a", "b"], [], "a*(-b)"),
    ("x/(2y)", ["x", "y"], [], "x/(2*y)"),
    ("0.5*x", ["x"], [], "1/2*x"),
    ("2.5e-3 + x", ["x"], [], "1/400+x"),
    ("e^x + pi", ["x"], [], "%e^x+%pi"),
    ("2^x^2", ["x"], [], "2^(x^2)"),
    ("(a*b)^c", ["a", "b", "c"], [], "(a*b)^c"),
    ("tanh²(z)", ["z"], [], "tanh(z)^2"),
    ("sqrt(x)/abs(y)", ["x", "y"], [], "sqrt(x)/abs(y)"),
    ("W_hh·h_1", ["W_hh", "h_1"], [], "W_hh*h_1"),
    ("O(V*s_4+c)", ["V", "s_4", "c"], ["O"], "O(V*s_4+c)"),
    ("-V*O'(V*s_4+c)/O(V*s_4+c)", ["V", "s_4", "c"], ["O"], "-V*at(diff(O(x),x,1),x=V*s_4+c)/O(V*s_4+c)"),
    ("[[o_1*σ(s_1), 0], [0, 1]]", ["o_1", "s_1"], [], "matrix([o_1*1/(1+exp(-s_1)),0],[0,1])"),
    ("[a, b]", ["a", "b"], [], "matrix([a],[b])"),
]


@pytest.mark.parametrize("typed, variables, functions, text", TABLE, ids=[row[0] for row in TABLE])
def test_tree_to_maxima(typed: str, variables: list[str], functions: list[str], text: str) -> None:
    formula = parse(typed, variables=variables, functions=functions, allow_matrix=typed.startswith("["))
    assert maxima(formula) == text


def test_every_bank_formula_reads_back_equal() -> None:
    checked = 0
    for bank in Catalog.from_dir().banks():
        for question in bank.questions:
            concrete = instantiate(question, 0)
            for item in concrete.parts or (concrete,):
                formulas = [option_value(item, o) for o in item.options if o.expr is not None]
                if item.kind in ("expression", "matrix"):
                    formulas.append(keys.expected(item))
                for formula in formulas:
                    assert same_formula(item, formula, maxima(formula)), (item.id, maxima(formula))
                    checked += 1
    assert checked >= 5
