"""Compact, Unicode formatting of numbers, arrays and expressions for worked steps."""

from __future__ import annotations

import functools
import math
import re

import numpy as np
from solvers.lazy import is_sympy, sympy

SIGNIFICANT = 6
_SUBSCRIPTS = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")


def sub(index: int | str) -> str:
    """Unicode subscript: sub(12) == '₁₂'."""
    return str(index).translate(_SUBSCRIPTS)


@functools.lru_cache(maxsize=4096)  # a solve's worked text repeats the same few numbers
def _float(v: float) -> str:
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v)).replace("-", "−")
    text = f"{v:.{SIGNIFICANT}g}"
    if "e" in text:  # most numbers have no exponent to tidy
        text = re.sub(r"e([+-])0*(\d)", lambda m: "e" + ("-" if m[1] == "-" else "") + m[2], text)
    return text.replace("-", "−")


def _sympy(expr: sympy.Basic) -> str:
    if expr.is_Float:
        return _float(float(expr))
    return str(expr).replace("**", "^").replace("*", "·").replace("-", "−")


def number(v: object) -> str:
    """A scalar, compactly: 2 not 2.0, 0.1 stays 0.1, six significant digits, Unicode minus."""
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v)).replace("-", "−")
    if isinstance(v, (float, np.floating)):
        return _float(float(v))
    if is_sympy(v):
        return _sympy(v)
    return str(v)


def value(v: object) -> str:
    """A scalar, vector or matrix: `[1, 2]`, `[[1, 0], [0, 1]]`; sympy vectors print flat."""
    if is_sympy(v, "MatrixBase"):
        rows = v.tolist()
        return value([r[0] for r in rows] if v.cols == 1 else rows)
    if isinstance(v, np.ndarray):
        return number(v[()]) if v.ndim == 0 else value(v.tolist())
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(value(e) for e in v) + "]"
    return number(v)


def factor(v: object, leading: bool = False) -> str:
    """`value(v)` parenthesised where it would misread inside a product: a sum, or a
    negative number after the first factor."""
    text = value(v)
    if text.startswith("["):
        return text
    compound = v.is_Add if is_sympy(v) else False
    if compound or (text.startswith("−") and not leading):
        return f"({text})"
    return text


def product(*factors: object) -> str:
    """'a·b·c' with each factor parenthesised as needed: product(-2, 2) == '−2·2'."""
    return "·".join(factor(f, leading=i == 0) for i, f in enumerate(factors))


def terms(parts: list[str]) -> str:
    """Join already formatted terms as a sum: ['−4', '12', '−2'] -> '−4 + 12 − 2'."""
    out = parts[0]
    for part in parts[1:]:
        out += f" − {part[1:]}" if part.startswith("−") else f" + {part}"
    return out


_QUANTITY = re.compile(r"^(?:d(L)(\d*)/d(\w+?)(\d*)|(yhat|h|L|x|s)(\d+))$")
_NODE_LABEL = {"yhat": "ŷ", "h": "h", "L": "L", "x": "x", "s": "s"}


def quantity_label(name: str) -> str:
    """A quantity name as people write it: yhat1 → ŷ₁, dL2/dW_h → ∂L₂/∂W_h, dL/dh1 → ∂L/∂h₁."""
    match = _QUANTITY.match(name)
    if not match:
        return name
    if match.group(5):
        return _NODE_LABEL[match.group(5)] + sub(match.group(6))
    wrt = _NODE_LABEL.get(match.group(3), match.group(3))
    return f"∂L{sub(match.group(2))}/∂{wrt}{sub(match.group(4))}"
