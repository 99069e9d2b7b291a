"""Chain-rule formulas that bank options state over an unrolled RNN.

An option such as `Σ_t ∂L_t/∂ŷ_t · ∂ŷ_t/∂h_t · Σ_k (Π_i ∂h_i/∂h_{i−1}) ∂h_k/∂b_h` is
written in a bank as nested `sum`/`prod` mappings over factors `dA/dB` (see
quizzes/README.md). This module reads that structure into a small tree and evaluates it
from local derivatives; it never evaluates text as code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Union

_NODE = re.compile(r"^(L|yhat|h)_(?:\{([^{}]+)\}|([A-Za-z0-9]+))$")
_PARAM = re.compile(r"^(W_h|W_x|W_y|b_h|b_y)$")
_INDEX = re.compile(r"^\s*([A-Za-z]|\d+)\s*(?:([+-])\s*(\d+))?\s*$")
_RANGE = re.compile(r"^\s*([a-z])\s*=\s*([^.]+?)\s*\.\.\s*(.+?)\s*$")
PARAMS = ("W_h", "W_x", "W_y", "b_h", "b_y")


@dataclass(frozen=True)
class Index:
    """An index expression: a name or integer plus an offset (`k+1`, `i-1`, `0`, `T`)."""

    base: str | int
    offset: int = 0

    def value(self, env: dict[str, int]) -> int:
        """The integer this index has under the bound indices `env`."""
        base = self.base if isinstance(self.base, int) else env[self.base]
        return base + self.offset


@dataclass(frozen=True)
class Node:
    """A node of the unrolled graph: `h`, `yhat` or `L` at an index, or a parameter."""

    name: str
    index: Index | None = None

    def at(self, env: dict[str, int]) -> str:
        """The concrete node name under `env`, as the rnn solver spells it (`h2`, `yhat1`, `b_h`)."""
        return self.name if self.index is None else f"{self.name}{self.index.value(env)}"


@dataclass(frozen=True)
class Factor:
    """A local partial derivative ∂of/∂wrt."""

    of: Node
    wrt: Node


@dataclass(frozen=True)
class Loop:
    """A sum or product of a list of factors over an index range."""

    op: str
    index: str
    start: Index
    stop: Index
    body: tuple["Term", ...]


Term = Union[Factor, Loop]


class ChainError(ValueError):
    """A chain formula in a bank is malformed; the message says how."""


def parse_chain(data: Any) -> Term:
    """Read a bank's `chain:` value into a tree, or raise ChainError."""
    if isinstance(data, str):
        return _factor(data)
    if not isinstance(data, dict):
        raise ChainError("a chain is a factor 'dA/dB' or a mapping with 'sum' or 'prod' and 'of'")
    ops = [op for op in ("sum", "prod") if op in data]
    extra = set(data) - {"sum", "prod", "of"}
    if len(ops) != 1 or extra or "of" not in data:
        raise ChainError("a chain mapping has exactly one of 'sum'/'prod' (like 't=0..T') and an 'of' list")
    match = _RANGE.match(str(data[ops[0]]))
    if not match:
        raise ChainError(f"range '{data[ops[0]]}' should look like 't=0..T' or 'i=k+1..t'")
    body = data["of"] if isinstance(data["of"], list) else [data["of"]]
    if not body:
        raise ChainError("'of' lists at least one factor")
    return Loop(ops[0], match.group(1), _index(match.group(2)), _index(match.group(3)), tuple(parse_chain(b) for b in body))


def _factor(text: str) -> Factor:
    parts = text.replace(" ", "").split("/")
    if len(parts) != 2 or not parts[0].startswith("d") or not parts[1].startswith("d"):
        raise ChainError(f"factor '{text}' should look like 'dh_t/dh_{{t-1}}' or 'dyhat_t/db_y'")
    return Factor(_node(parts[0][1:]), _node(parts[1][1:]))


def _node(text: str) -> Node:
    if _PARAM.match(text):
        return Node(text)
    match = _NODE.match(text)
    if not match:
        raise ChainError(f"'{text}' is not a node; use L_t, yhat_t, h_t (any index) or one of {', '.join(PARAMS)}")
    return Node(match.group(1), _index(match.group(2) or match.group(3)))


def _index(text: str) -> Index:
    match = _INDEX.match(text)
    if not match:
        raise ChainError(f"index '{text}' should be a letter or integer with an optional +n/-n")
    base: str | int = int(match.group(1)) if match.group(1).isdigit() else match.group(1)
    offset = int(match.group(3) or 0) * (-1 if match.group(2) == "-" else 1)
    return Index(base, offset)


def evaluate(term: Term, local: Callable[[str, str], Any], env: dict[str, int], one: Any) -> Any:
    """Evaluate a chain under bound indices.

    `local(of, wrt)` gives the local derivative as a numerator-layout matrix (zeros for no
    direct edge, or for nodes outside the sequence); factors multiply left to right and
    `one` is the identity the first factor multiplies into.
    """
    if isinstance(term, Factor):
        return local(term.of.at(env), term.wrt.at(env))
    start, stop = term.start.value(env), term.stop.value(env)
    values = range(start, stop + 1)
    total = None
    # Jacobians compose with the latest step on the left: Π_i ∂h_i/∂h_{i-1} = ∂h_t/∂h_{t-1} ⋯ ∂h_{k+1}/∂h_k.
    for value in reversed(values) if term.op == "prod" else values:
        inner = dict(env, **{term.index: value})
        product = one
        for factor in term.body:
            product = _mul(product, evaluate(factor, local, inner, one))
        if term.op == "prod":
            total = product if total is None else _mul(total, product)
        else:
            total = product if total is None else total + product
    if total is None:
        return one if term.op == "prod" else 0
    return total


def _mul(a: Any, b: Any) -> Any:
    return a @ b if hasattr(a, "__matmul__") and hasattr(b, "__matmul__") else a * b
