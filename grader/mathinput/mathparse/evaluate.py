"""Values of a tree: on numpy arrays at sample points, or in plain floats at one point."""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping

from grader.mathinput.mathparse.tree import Add, Apply, Call, Const, Mul, Neg, Node, Num, Pow, Var


def evaluate_tree(node: Node, env: Mapping[str, Any], functions: Mapping[str, tuple[Callable, ...]], np: Any) -> Any:
    t = type(node)
    if t is Var:
        try:
            return env[node.name]
        except KeyError:
            raise ValueError(f"no value given for variable {node.name!r}") from None
    if t is Num:
        return float(node.text)
    if t is Mul:
        result = evaluate_tree(node.num[0], env, functions, np)
        for f in node.num[1:]:
            result = result * evaluate_tree(f, env, functions, np)
        for f in node.den:
            result = result / evaluate_tree(f, env, functions, np)
        return result
    if t is Add:
        result = evaluate_tree(node.terms[0], env, functions, np)
        for term in node.terms[1:]:
            result = result + evaluate_tree(term, env, functions, np)
        return result
    if t is Pow:
        if type(node.base) is Const and node.base.name == "e":
            return np.exp(evaluate_tree(node.exp, env, functions, np))
        base = np.asarray(evaluate_tree(node.base, env, functions, np), dtype=float)
        return np.power(base, evaluate_tree(node.exp, env, functions, np))
    if t is Neg:
        return -evaluate_tree(node.arg, env, functions, np)
    if t is Call:
        args = [evaluate_tree(a, env, functions, np) for a in node.args]
        return _NUMPY[node.name](np, *args)
    if t is Const:
        return CONSTANT_VALUES[node.name]
    assert t is Apply
    try:
        derivatives = functions[node.name]
    except KeyError:
        raise ValueError(f"no callables given for function {node.name!r}") from None
    if node.order >= len(derivatives):
        raise ValueError(f"no derivative of order {node.order} given for function {node.name!r}")
    return derivatives[node.order](evaluate_tree(node.arg, env, functions, np))


class Scalar:
    """The numpy functions `evaluate_tree` uses, on plain floats: one point needs no numpy import."""

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




def safe_power(base: float, exp: float) -> float:
    if base == 0 and exp < 0:
        raise ZeroDivisionError
    return math.pow(base, exp)


def _sigmoid(x: float) -> float:
    return 0.5 * (1.0 + math.tanh(0.5 * x))  # never overflows, unlike 1/(1+exp(-x))


CONSTANT_VALUES = {"pi": math.pi, "e": math.e}
# Scalar versions of the built-ins, for computing constant subexpressions while parsing.
SCALAR_MATH: dict[str, Callable[..., float]] = {
    "exp": math.exp, "log": math.log, "sqrt": math.sqrt, "abs": abs, "sin": math.sin,
    "cos": math.cos, "tan": math.tan, "sinh": math.sinh, "cosh": math.cosh, "tanh": math.tanh,
    "sigmoid": _sigmoid, "relu": lambda x: max(x, 0.0), "max": max, "min": min,
}
