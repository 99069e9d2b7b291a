"""The "expanded" form check of formula answers, on our own tree.

sympy automatically distributes numbers (``3*(n+1)`` becomes ``3n + 3`` on construction), so it
cannot see the unexpanded form; the tree can.
"""

from __future__ import annotations

from grader.mathinput.mathparse import Add, Mul, Neg, Node, Num, Pow, Var, children


def unexpanded(node: Node) -> Node | None:
    """The first subexpression that expanding would multiply out, or None."""
    if isinstance(node, Mul) and len(node.num) + len(node.den) > 1 and any(_is_sum(f) for f in node.num):
        return node
    if isinstance(node, Neg) and _is_sum(node.arg):
        return node
    if isinstance(node, Pow) and _is_sum(node.base) and isinstance(node.exp, Num) and node.exp.text.isdigit() and int(node.exp.text) > 1:
        return node
    for child in children(node):
        found = unexpanded(child)
        if found is not None:
            return found
    return None


def _is_sum(node: Node) -> bool:
    return isinstance(node, Add) and _has_variable(node) or isinstance(node, Neg) and _is_sum(node.arg)


def _has_variable(node: Node) -> bool:
    return isinstance(node, Var) or any(_has_variable(child) for child in children(node))
