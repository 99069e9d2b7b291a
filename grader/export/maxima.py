"""Our parsed formula tree printed in Maxima syntax, for STACK's teacher answers.

The printer walks the whitelisted tree from the math parser, so nothing a bank says is
evaluated or passed through as text. Decimals become exact rationals (STACK compares
floats loosely); σ(z) is written out as 1/(1+exp(-z)) and relu(z) as max(z,0), since
Maxima has neither; the k-th derivative of a question's undefined function O at u is
`at(diff(O(x),x,k),x=u)`; a matrix is `matrix([a,b],[c,d])` and a vector a column, as
our own comparison reads it. Maxima's `*` on two matrices is element-wise, so a ⊙ in a
bank's formula is the same `*`; our tree has no separate node for it.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from grader.mathinput.mathparse import Add, Apply, Call, Const, Mul, Neg, Node, Num, Pow, Var

_SUM, _PRODUCT, _POWER, _ATOM = 1, 2, 4, 5
"""Binding strength: Maxima's unary minus binds like a product, below ^."""


def maxima(formula: Any) -> str:
    """A `Formula` or `MatrixFormula` as Maxima text."""
    if hasattr(formula, "rows"):
        if formula.vector:
            return "matrix(" + ",".join(f"[{_print(entry.tree)}]" for entry in formula.rows[0]) + ")"
        return "matrix(" + ",".join("[" + ",".join(_print(e.tree) for e in row) + "]" for row in formula.rows) + ")"
    return _print(formula.tree)


def _strength(node: Node) -> int:
    if isinstance(node, Add):
        return _SUM
    if isinstance(node, (Neg, Mul)):
        return _PRODUCT
    if isinstance(node, Num):
        return _ATOM if Fraction(node.text).denominator == 1 else _PRODUCT
    if isinstance(node, Call) and node.name == "sigmoid":
        return _PRODUCT
    return _POWER if isinstance(node, Pow) else _ATOM


def _wrap(node: Node, at_least: int) -> str:
    text = _print(node)
    return f"({text})" if _strength(node) < at_least else text


def _operand(node: Node) -> str:
    """A term after a sign or a factor in a product: bracketed when it is a sum or has a sign."""
    text = _print(node)
    return f"({text})" if isinstance(node, (Add, Neg)) else text


def _print(node: Node) -> str:
    if isinstance(node, Num):
        value = Fraction(node.text)  # exact: 2.5e-3 is 1/400
        return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    if isinstance(node, Var):
        return node.name
    if isinstance(node, Const):
        return "%pi" if node.name == "pi" else "%e"
    if isinstance(node, Neg):
        return "-" + _operand(node.arg)
    if isinstance(node, Add):
        text = _print(node.terms[0])
        for term in node.terms[1:]:
            text += "-" + _operand(term.arg) if isinstance(term, Neg) else "+" + _print(term)
        return text
    if isinstance(node, Mul):
        # * and / are left-associative at one level, so only sums and signs need brackets in a numerator.
        text = "*".join(_print(f) if k == 0 and isinstance(f, Neg) else _operand(f) for k, f in enumerate(node.num))
        if len(node.den) == 1:
            return text + "/" + _wrap(node.den[0], _POWER)
        if node.den:
            return text + "/(" + "*".join(_wrap(f, _POWER) for f in node.den) + ")"
        return text
    if isinstance(node, Pow):
        return _wrap(node.base, _ATOM) + "^" + _wrap(node.exp, _ATOM)
    if isinstance(node, Call):
        return _call(node)
    assert isinstance(node, Apply)
    if node.order == 0:
        return f"{node.name}({_print(node.arg)})"
    return f"at(diff({node.name}(x),x,{node.order}),x={_print(node.arg)})"


def _call(node: Call) -> str:
    args = [_print(a) for a in node.args]
    if node.name == "sigmoid":
        return f"1/(1+exp(-{_operand(node.args[0])}))"
    if node.name == "relu":
        return f"max({args[0]},0)"
    return f"{node.name}({','.join(args)})"
