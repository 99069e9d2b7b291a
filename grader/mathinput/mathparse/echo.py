"""The tree back to text: the canonical readable echo a student sees as "read as"."""

from __future__ import annotations

from grader.mathinput.mathparse.lexicon import GREEK_ECHO, SUPERSCRIPT_OF
from grader.mathinput.mathparse.tree import Add, Apply, Call, Const, Mul, Neg, Node, Num, Pow, Var

_ATOMS = (Var, Const, Call, Apply)


def render(node: Node) -> str:
    t = type(node)
    if t is Num:
        return node.text
    if t is Var:
        head, sep, rest = node.name.partition("_")
        return GREEK_ECHO.get(head, head) + sep + rest
    if t is Const:
        return "π" if node.name == "pi" else "e"
    if t is Neg:
        return "−" + _wrap(node.arg, (Add, Mul, Neg))
    if t is Add:
        parts = [render(node.terms[0])]
        for term in node.terms[1:]:
            if isinstance(term, Neg):
                parts.append(" − " + _wrap(term.arg, (Add, Neg)))
            else:
                parts.append(" + " + render(term))
        return "".join(parts)
    if t is Mul:
        text = "·".join(_factor(f, first=k == 0) for k, f in enumerate(node.num))
        if node.den:
            if len(node.den) == 1:
                text += "/" + _wrap(node.den[0], (Add, Mul, Neg))
            else:
                text += "/(" + "·".join(_factor(f, first=k == 0) for k, f in enumerate(node.den)) + ")"
        return text
    if t is Pow:
        # √x² would read as √(x²), and 1e-3² as 1e(-3²): bracket such bases.
        bare = isinstance(node.base, _ATOMS) and not _is_root(node.base) or isinstance(node.base, Num) and "e" not in node.base.text
        base = render(node.base) if bare else "(" + render(node.base) + ")"
        exp = _integer_literal(node.exp)
        if exp is not None:
            return base + "".join(SUPERSCRIPT_OF[c] for c in exp)
        return base + "^" + _wrap(node.exp, (Add, Mul, Neg, Pow))
    if t is Call:
        if node.name == "sqrt":
            arg = node.args[0]
            return "√" + (render(arg) if isinstance(arg, (Var, Const, Num)) else "(" + render(arg) + ")")
        shown = "σ" if node.name == "sigmoid" else node.name
        return shown + "(" + ", ".join(render(a) for a in node.args) + ")"
    assert t is Apply
    return node.name + "′" * node.order + "(" + render(node.arg) + ")"


def _wrap(node: Node, kinds: tuple[type, ...]) -> str:
    text = render(node)
    return "(" + text + ")" if isinstance(node, kinds) else text


def _factor(node: Node, *, first: bool) -> str:
    return _wrap(node, (Add, Mul) if first else (Add, Mul, Neg))


def _is_root(node: Node) -> bool:
    return isinstance(node, Call) and node.name == "sqrt"


def _integer_literal(node: Node) -> str | None:
    if isinstance(node, Num) and node.text.isdigit():
        return node.text
    if isinstance(node, Neg) and isinstance(node.arg, Num) and node.arg.text.isdigit():
        return "-" + node.arg.text
    return None
