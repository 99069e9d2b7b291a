"""A parsed formula (or matrix of formulas): its tree, names and functions, echo, sympy form and values."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping

if TYPE_CHECKING:
    import numpy

from grader.mathinput.mathparse.echo import render
from grader.mathinput.mathparse.evaluate import Scalar, evaluate_tree
from grader.mathinput.mathparse.sympy_bridge import node_to_sympy
from grader.mathinput.mathparse.tree import Apply, Node, Var, children


@dataclass(frozen=True)
class Formula:
    """A parsed scalar formula: the tree, its variables and its undefined functions."""

    tree: Node
    names: frozenset[str]
    functions: frozenset[str]

    def interpreted_as(self) -> str:
        """The canonical readable echo, e.g. ``3·(n² + n·m + n)`` or ``O′(V·s_4 + c)``."""
        return render(self.tree)

    def to_sympy(self) -> Any:
        """The formula as a sympy expression, built node by node."""
        import sympy

        return node_to_sympy(self.tree, sympy)

    def evaluate(
        self,
        env: Mapping[str, numpy.ndarray | float],
        functions: Mapping[str, tuple[Callable, ...]] = MappingProxyType({}),
    ) -> numpy.ndarray:
        """Values at the points in ``env``; undefined points come out as nan or inf.

        ``functions`` maps each undefined function name to ``(f, f′, f″, …)``, callables on arrays.
        """
        import numpy as np

        with np.errstate(all="ignore"):
            return np.asarray(evaluate_tree(self.tree, env, functions, np), dtype=float)

    def value(self, env: Mapping[str, float]) -> float:
        """The value at one point in plain floats, without numpy (for templates and conditions).

        Raises ValueError or ArithmeticError where the formula is undefined there.
        """
        return float(evaluate_tree(self.tree, env, {}, Scalar))


@dataclass(frozen=True)
class MatrixFormula:
    """A vector (``vector=True``, one row) or a matrix of formulas."""

    rows: tuple[tuple[Formula, ...], ...]
    vector: bool = False

    @property
    def shape(self) -> tuple[int, ...]:
        """``(n,)`` for a vector, ``(rows, cols)`` for a matrix."""
        return (len(self.rows[0]),) if self.vector else (len(self.rows), len(self.rows[0]))

    @property
    def names(self) -> frozenset[str]:
        """Every variable used in any entry."""
        return frozenset().union(*(f.names for row in self.rows for f in row))

    @property
    def functions(self) -> frozenset[str]:
        """Every undefined function used in any entry."""
        return frozenset().union(*(f.functions for row in self.rows for f in row))

    def entries(self) -> Iterator[tuple[tuple[int, ...], Formula]]:
        """Each entry with its 0-based index: ``(i,)`` for vectors, ``(i, j)`` for matrices."""
        for i, row in enumerate(self.rows):
            for j, entry in enumerate(row):
                yield ((j,) if self.vector else (i, j)), entry

    def interpreted_as(self) -> str:
        """``[a, b]`` for a vector, ``[[a, b], [c, d]]`` for a matrix."""
        rows = ["[" + ", ".join(f.interpreted_as() for f in row) + "]" for row in self.rows]
        return rows[0] if self.vector else "[" + ", ".join(rows) + "]"

    def to_sympy(self) -> Any:
        """A sympy ``Matrix``; a vector becomes a column."""
        import sympy

        cells = [[node_to_sympy(f.tree, sympy) for f in row] for row in self.rows]
        return sympy.Matrix(cells[0]) if self.vector else sympy.Matrix(cells)



def formula_of(tree: Node) -> Formula:
    names: set[str] = set()
    functions: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Var):
            names.add(node.name)
        elif isinstance(node, Apply):
            functions.add(node.name)
        stack.extend(children(node))
    return Formula(tree, frozenset(names), frozenset(functions))
