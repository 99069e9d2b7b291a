"""The parsed tree: a small set of immutable, whitelisted node types."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True, slots=True)
class Num:
    """A non-negative number literal in its normalised spelling (``2.5e-3``, ``0.5``, ``12``)."""

    text: str


@dataclass(frozen=True, slots=True)
class Const:
    """``pi`` or ``e``."""

    name: str


@dataclass(frozen=True, slots=True)
class Var:
    """A variable, by canonical name."""

    name: str


@dataclass(frozen=True, slots=True)
class Neg:
    """Unary minus; inside ``Add`` it is subtraction."""

    arg: Node


@dataclass(frozen=True, slots=True)
class Add:
    """A sum of two or more terms; never directly contains another ``Add``."""

    terms: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Mul:
    """``num[0]·num[1]·…/(den[0]·den[1]·…)``; ``num`` is never empty."""

    num: tuple[Node, ...]
    den: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Pow:
    """``base^exp``."""

    base: Node
    exp: Node


@dataclass(frozen=True, slots=True)
class Call:
    """A built-in function applied to its arguments, by canonical name (``log``, ``sigmoid``)."""

    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Apply:
    """A question's undefined function, or its ``order``-th derivative, applied to ``arg``."""

    name: str
    order: int
    arg: Node


Node = Union[Num, Const, Var, Neg, Add, Mul, Pow, Call, Apply]

ONE = Num("1")



def children(node: Node) -> tuple[Node, ...]:
    """The direct subtrees of a node, in order."""
    if isinstance(node, Neg):
        return (node.arg,)
    if isinstance(node, Add):
        return node.terms
    if isinstance(node, Mul):
        return node.num + node.den
    if isinstance(node, Pow):
        return (node.base, node.exp)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Apply):
        return (node.arg,)
    return ()
