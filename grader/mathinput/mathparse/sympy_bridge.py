"""Between trees and sympy, node by node: nothing is handed to sympy as text."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from grader.mathinput.mathparse.tokens import canonical_name, number_text
from grader.mathinput.mathparse.tree import ONE, Add, Apply, Call, Const, Mul, Neg, Node, Num, Pow, Var


def node_to_sympy(node: Node, sympy: Any) -> Any:
    t = type(node)
    if t is Num:
        value = Fraction(node.text)  # exact: 2.5e-3 becomes 1/400, not a float
        return sympy.Rational(value.numerator, value.denominator)
    if t is Var:
        return sympy.Symbol(node.name)
    if t is Const:
        return sympy.pi if node.name == "pi" else sympy.E
    if t is Neg:
        return -node_to_sympy(node.arg, sympy)
    if t is Add:
        return sympy.Add(*(node_to_sympy(term, sympy) for term in node.terms))
    if t is Mul:
        num = [node_to_sympy(f, sympy) for f in node.num]
        den = [sympy.Pow(node_to_sympy(f, sympy), -1) for f in node.den]
        return sympy.Mul(*num, *den)
    if t is Pow:
        return sympy.Pow(node_to_sympy(node.base, sympy), node_to_sympy(node.exp, sympy))
    if t is Call:
        args = [node_to_sympy(a, sympy) for a in node.args]
        name = node.name
        if name == "sigmoid":
            return 1 / (1 + sympy.exp(-args[0]))
        if name == "relu":
            return sympy.Max(args[0], 0)
        builder = {"abs": sympy.Abs, "max": sympy.Max, "min": sympy.Min}.get(name) or getattr(sympy, name)
        return builder(*args)
    assert t is Apply
    function = sympy.Function(node.name)
    arg = node_to_sympy(node.arg, sympy)
    if node.order == 0:
        return function(arg)
    dummy = sympy.Dummy("x")
    # subs turns this into Derivative(O(u), u) for a symbol u and Subs(...) otherwise.
    return sympy.Derivative(function(dummy), (dummy, node.order)).subs(dummy, arg)


_SYMPY_FUNCTIONS = {
    "exp": "exp", "log": "log", "sin": "sin", "cos": "cos", "tan": "tan", "sinh": "sinh",
    "cosh": "cosh", "tanh": "tanh", "Abs": "abs", "Max": "max", "Min": "min",
}


def node_from_sympy(expr: Any, sympy: Any) -> Node:
    if expr.is_Integer:
        return _signed(int(expr), Num(str(abs(int(expr)))))
    if expr.is_Rational:
        p, q = int(expr.p), int(expr.q)
        return _signed(p, Mul((Num(str(abs(p))),), (Num(str(q)),)))
    if expr.is_Float:
        value = float(expr)
        if not math.isfinite(value):
            raise ValueError(f"cannot convert non-finite {expr!r}")
        text = number_text(repr(abs(value)))
        return _signed(value, Num(text))
    if expr is sympy.pi:
        return Const("pi")
    if expr is sympy.E:
        return Const("e")
    if expr.is_Symbol:
        return Var(canonical_name(expr.name))
    if expr.is_Add:
        terms = [node_from_sympy(term, sympy) for term in expr.as_ordered_terms()]
        # Subtracted terms last, so n - m reads "n − m" rather than "−m + n".
        return Add(tuple(sorted(terms, key=lambda term: isinstance(term, Neg))))
    if expr.is_Mul:
        return _from_sympy_mul(expr, sympy)
    if expr.is_Pow:
        return _from_sympy_pow(expr, sympy)
    if isinstance(expr, sympy.core.function.AppliedUndef):
        if len(expr.args) != 1:
            raise ValueError(f"undefined functions take one argument: {expr}")
        return Apply(canonical_name(type(expr).__name__), 0, node_from_sympy(expr.args[0], sympy))
    if isinstance(expr, sympy.Derivative):
        return _from_derivative(expr, None, sympy)
    if isinstance(expr, sympy.Subs):
        derivative, (variable,), (point,) = expr.args
        if not isinstance(derivative, sympy.Derivative):
            raise ValueError(f"cannot convert {expr}")
        return _from_derivative(derivative, (variable, point), sympy)
    name = _SYMPY_FUNCTIONS.get(type(expr).__name__)
    if name is not None:
        return Call(name, tuple(node_from_sympy(a, sympy) for a in expr.args))
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
        num.append(node_from_sympy(abs(coefficient), sympy))
    for factor in factors:
        if factor.is_Pow and factor.exp.is_number and factor.exp.is_negative:
            den.append(node_from_sympy(sympy.Pow(factor.base, -factor.exp), sympy))
        else:
            num.append(node_from_sympy(factor, sympy))
    if not num:
        num.append(ONE)
    if coefficient < 0:
        num[0] = Neg(num[0])  # -n/2 reads "−n/2", not "−(n/2)"
    return num[0] if len(num) == 1 and not den else Mul(tuple(num), tuple(den))


def _from_sympy_pow(expr: Any, sympy: Any) -> Node:
    base, exp = expr.args
    if exp == sympy.Rational(1, 2):
        return Call("sqrt", (node_from_sympy(base, sympy),))
    if exp.is_number and exp.is_negative:
        return Mul((ONE,), (node_from_sympy(sympy.Pow(base, -exp), sympy),))
    return Pow(node_from_sympy(base, sympy), node_from_sympy(exp, sympy))


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
    return Apply(canonical_name(type(function).__name__), len(variables), node_from_sympy(argument, sympy))
