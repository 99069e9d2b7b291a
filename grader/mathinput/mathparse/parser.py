"""Tokens to tree: a Pratt parser with implicit multiplication, caps on depth and size, and
constant subexpressions computed as it goes."""

from __future__ import annotations

import math
import re
from typing import Any, Callable

from grader.errors import ResponseError
from grader.mathinput.mathparse.echo import render
from grader.mathinput.mathparse.evaluate import CONSTANT_VALUES, SCALAR_MATH, safe_power
from grader.mathinput.mathparse.formula import Formula, MatrixFormula
from grader.mathinput.mathparse.lexicon import (
    BUILTINS,
    COMMA,
    CONST,
    END,
    FUNC,
    IMPLICIT_POWER,
    INFIX_POWER,
    LB,
    LP,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_MATRIX_SIDE,
    MAX_NODES,
    MAX_NUMBER,
    MAX_PRIMES,
    MIN_NUMBER,
    NUM,
    OP,
    OPERAND_START,
    PREFIX_POWER,
    PRIME,
    RB,
    RP,
    SQRT,
    SQRT_POWER,
    SUP,
    SUP_POWER,
    UFUNC,
    VALUE_START,
    VAR,
)
from grader.mathinput.mathparse.tokens import quoted
from grader.mathinput.mathparse.tree import Add, Apply, Call, Const, Mul, Neg, Node, Num, Pow, Var

_Part = tuple  # (node, tree height, value or None); see Parser


class Parser:
    """Pratt parser over the token list.

    Every method returns a part ``(node, height, value)``: the node, the height of its
    tree, and its value when it has no variables (else None). Parts are built only by
    the checked constructors at the end, which enforce the caps and refuse constants
    that divide by zero, overflow or have no real value.
    """

    def __init__(self, text: str, tokens: list[tuple[str, str, int, int]], undefined: frozenset[str]) -> None:
        self.text = text
        self.tokens = tokens
        self.undefined = undefined
        self.i = 0
        self.frames = 0
        self.nodes = 0
        self.names: set[str] = set()
        self.functions: set[str] = set()
        self.value: float | None = None  # of the last formula read, for parse_number

    # -- entry points

    def top(self, allow_matrix: bool) -> Formula | MatrixFormula:
        if self.tokens[0][0] == LB:
            if not allow_matrix:
                raise ResponseError("This question expects a single formula, not a vector or matrix. Type it without [ ].")
            return self._matrix()
        formula = self._formula()
        self._expect_end()
        return formula

    def _formula(self) -> Formula:
        self.names, self.functions = set(), set()
        tree, _, self.value = self._expression(0)
        return Formula(tree, frozenset(self.names), frozenset(self.functions))

    def _expect_end(self) -> None:
        kind, value = self.tokens[self.i][:2]
        if kind == END:
            return
        before = self._before()
        if kind == RP:
            raise ResponseError(f"Unmatched ')' after '{before}'. Remove it or add the missing '('.")
        if kind == RB:
            raise ResponseError(f"Unmatched ']' after '{before}'. Remove it or add the missing '['.")
        if kind == COMMA:
            raise ResponseError(f"Unexpected ',' after '{before}'. Commas only separate function arguments or matrix entries.")
        if kind == LB:
            raise ResponseError("Square brackets '[ ]' only write vectors and matrices; use '( )' for grouping.")
        raise ResponseError(f"Unexpected '{value}' after '{before}'.")

    def _before(self) -> str:
        end = self.tokens[self.i - 1][3] if self.i else 0
        return quoted(self.text[:end].strip())

    def _where(self) -> str:
        return f"after '{self._before()}'" if self.i else "at the start"

    # -- expressions

    def _expression(self, min_power: int) -> _Part:
        self.frames += 1
        if self.frames > 2 * MAX_DEPTH:
            raise ResponseError(f"Too deeply nested (more than {2 * MAX_DEPTH} levels of operators). Simplify the formula.")
        left = self._prefix()
        tokens = self.tokens
        while True:
            kind, value, _, _ = tokens[self.i]
            if kind == OP:
                power = INFIX_POWER[value]
                if power <= min_power:
                    break
                self.i += 1
                if value in ("^", "**"):
                    left = self._pow(left, self._operand_after(value, power - 1))  # right-associative
                elif value == "+":
                    left = self._add(left, self._operand_after(value, power))
                elif value == "-":
                    left = self._add(left, self._neg(self._operand_after(value, power)))
                else:
                    left = self._mul(left, self._operand_after(value, power), value == "/")
            elif kind == SUP:
                if SUP_POWER <= min_power:
                    break
                self.i += 1
                left = self._pow(left, self._superscript(value))
            elif kind in OPERAND_START:
                if IMPLICIT_POWER <= min_power:
                    break
                left = self._mul(left, self._expression(IMPLICIT_POWER), False)
            elif kind == NUM:
                raise ResponseError(f"Put an operator between '{self._before()}' and '{quoted(value)}', e.g. '*'.")
            elif kind == PRIME:
                raise ResponseError(self._prime_message())
            else:
                break
        self.frames -= 1
        return left

    def _operand_after(self, op: str, power: int) -> _Part:
        kind, value, _, _ = self.tokens[self.i]
        if kind in VALUE_START or (kind == OP and value in "+-"):
            return self._expression(power)
        if kind == LB:
            raise ResponseError("Square brackets '[ ]' only write vectors and matrices; use '( )' for grouping.")
        raise ResponseError(f"Expected an expression after '{op}'. Type a number, a name or '(' after it, or remove it.")

    def _prefix(self) -> _Part:
        kind, value, _, _ = self.tokens[self.i]
        self.i += 1
        if kind == VAR:
            self.names.add(value)
            self.nodes += 1  # a leaf needs only the node count of _part's checks
            if self.nodes > MAX_NODES:
                raise ResponseError(_too_many_nodes())
            return Var(value), 1, None
        if kind == NUM:
            return self._number(value)
        if kind == CONST:
            return self._part(Const(value), 1, CONSTANT_VALUES[value])
        if kind == OP and value in "+-":
            operand = self._operand_after(value, PREFIX_POWER)
            return self._neg(operand) if value == "-" else operand
        if kind == LP:
            if self.tokens[self.i][0] == RP:
                raise ResponseError("Empty parentheses '()'. Put an expression inside them.")
            inner = self._expression(0)
            self._close(RP, ")")
            return inner
        if kind == FUNC:
            return self._call(value)
        if kind == UFUNC:
            return self._apply(value)
        if kind == SQRT:
            nxt = self.tokens[self.i][0]
            if nxt not in VALUE_START:
                raise ResponseError("Put what √ applies to right after it, in parentheses if it is more than one symbol: √(x + 1).")
            return self._call_node("sqrt", [self._expression(SQRT_POWER)])
        self.i -= 1
        if kind == END:
            raise ResponseError(f"Expected an expression after '{self._before()}'. Finish the formula.")
        if kind == RP:
            raise ResponseError(f"Unmatched ')' {self._where()}. Remove it or add the missing '('.")
        if kind == RB:
            raise ResponseError(f"Unexpected ']' {self._where()}. Remove it, or put an entry before it.")
        if kind == LB:
            raise ResponseError("Square brackets '[ ]' only write vectors and matrices; use '( )' for grouping.")
        if kind == COMMA:
            raise ResponseError(f"Unexpected ',' after '{self._before()}'. Commas only separate function arguments or matrix entries.")
        if kind == PRIME:
            raise ResponseError(self._prime_message())
        if kind == SUP:
            raise ResponseError("A superscript must follow what it raises to a power, as in x².")
        raise ResponseError(f"Expected an expression before '{value}'. Type something before it or remove it.")

    def _prime_message(self) -> str:
        if self.undefined:
            return f"A prime (′) may only follow one of this question's functions ({', '.join(sorted(self.undefined))}), as in {min(self.undefined)}'(x)."
        return "Primes (′) are not allowed here. Write the derivative out, e.g. 1 - tanh(z)^2."

    def _close(self, kind: str, char: str) -> None:
        found, value = self.tokens[self.i][:2]
        if found == kind:
            self.i += 1
            return
        if found == END:
            raise ResponseError(f"Missing '{char}' after '{self._before()}'. Close every {'parenthesis' if char == ')' else 'bracket'}.")
        if found == COMMA:
            raise ResponseError(f"Unexpected ',' after '{self._before()}'. Commas only separate function arguments or matrix entries.")
        raise ResponseError(f"Missing '{char}' after '{self._before()}'; found '{value}' instead. Close every bracket with its own kind.")

    def _superscript(self, digits: str) -> _Part:
        magnitude = self._number(digits.lstrip("-"))
        return self._neg(magnitude) if digits.startswith("-") else magnitude

    # -- function calls

    def _function_power(self, shown: str) -> int | None:
        """``tanh^2(`` or ``tanh²(``: the power, consuming it; None when there is none."""
        kind, value = self.tokens[self.i][:2]
        if kind == SUP:
            power_text, skip = value, 1
        elif kind == OP and value in ("^", "**"):
            nxt = self.tokens[self.i + 1]
            power_text, skip = (nxt[1] if nxt[0] == NUM else ""), 2
        else:
            return None
        if not power_text.isdigit() or int(power_text) == 0 or self.tokens[self.i + skip][0] != LP:
            raise ResponseError(f"Write powers of {shown} after its argument, e.g. {shown}(z)^2.")
        if int(power_text) > MAX_EXPONENT:
            raise ResponseError(f"Exponent {power_text} is too large; exponents must be between -{MAX_EXPONENT} and {MAX_EXPONENT}.")
        self.i += skip
        return int(power_text)

    def _arguments(self, shown: str) -> list[_Part]:
        if self.tokens[self.i][0] != LP:
            raise ResponseError(f"Put the argument of {shown} in parentheses: {shown}(z).")
        self.i += 1
        if self.tokens[self.i][0] == RP:
            raise ResponseError(f"Empty parentheses after {shown}. Put the argument inside: {shown}(z).")
        args = [self._expression(0)]
        while self.tokens[self.i][0] == COMMA:
            self.i += 1
            args.append(self._expression(0))
        self._close(RP, ")")
        return args

    def _call(self, typed: str) -> _Part:
        name, fewest, most = BUILTINS[typed]
        power = self._function_power(typed)
        args = self._arguments(typed)
        if len(args) < fewest:
            raise ResponseError(f"{typed} needs at least {fewest} arguments, e.g. {typed}(a, b).")
        if most is not None and len(args) > most:
            raise ResponseError(f"{typed} takes one argument, e.g. {typed}(z).")
        call = self._call_node(name, args)
        return call if power is None else self._pow(call, self._number(str(power)))

    def _apply(self, name: str) -> _Part:
        order = 0
        while self.tokens[self.i][0] == PRIME:
            order += 1
            self.i += 1
        if order > MAX_PRIMES:
            raise ResponseError(f"At most {MAX_PRIMES} primes are allowed, as in {name}''(x).")
        shown = name + "'" * order
        power = self._function_power(shown)
        args = self._arguments(shown)
        if len(args) != 1:
            raise ResponseError(f"{shown} takes one argument, e.g. {shown}(x).")
        self.functions.add(name)
        arg, height, _ = args[0]
        applied = self._part(Apply(name, order, arg), height + 1, None)
        return applied if power is None else self._pow(applied, self._number(str(power)))

    # -- matrices

    def _matrix(self) -> MatrixFormula:
        self.i += 1  # the '['
        if self.tokens[self.i][0] == LB:
            rows = self._sequence(self._row, "rows")
            width = len(rows[0])
            for number, row in enumerate(rows, 1):
                if len(row) != width:
                    raise ResponseError(f"Row {number} has {_count(len(row), 'entry', 'entries')} but row 1 has {width}. Every row needs the same number of entries.")
            result = MatrixFormula(tuple(rows))
        else:
            result = MatrixFormula((tuple(self._sequence(self._entry, "entries")),), vector=True)
        if self.tokens[self.i][0] != END:
            raise ResponseError("Nothing may follow the closing ']' of a matrix. Type only the matrix.")
        return result

    def _sequence(self, item: Callable[[], Any], what: str) -> list:
        if self.tokens[self.i][0] == RB:
            raise ResponseError("Empty brackets '[]'. Type the entries, e.g. [1, 2] or [[1, 0], [0, 1]].")
        items = [item()]
        while self.tokens[self.i][0] == COMMA:
            self.i += 1
            items.append(item())
            if len(items) > MAX_MATRIX_SIDE:
                raise ResponseError(f"Too many {what}: at most {MAX_MATRIX_SIDE} are accepted.")
        self._close(RB, "]")
        return items

    def _row(self) -> tuple[Formula, ...]:
        if self.tokens[self.i][0] != LB:
            raise ResponseError("Write every row of a matrix in its own brackets, e.g. [[1, 2], [3, 4]].")
        self.i += 1
        return tuple(self._sequence(self._entry, "entries in a row"))

    def _entry(self) -> Formula:
        if self.tokens[self.i][0] == LB:
            raise ResponseError("Too many levels of brackets: a matrix is [[a, b], [c, d]] and a vector [a, b].")
        return self._formula()

    # -- checked constructors

    def _part(self, node: Node, height: int, value: float | None) -> _Part:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ResponseError(_too_many_nodes())
        if height > 2 * MAX_DEPTH:
            raise ResponseError(f"Too deeply nested (more than {2 * MAX_DEPTH} levels of operators). Simplify the formula.")
        if value is not None and not math.isfinite(value):
            raise ResponseError(f"'{quoted(render(node))}' is too large to compute. Keep numbers below {MAX_NUMBER:g}.")
        return node, height, value

    def _number(self, text: str) -> _Part:
        value = float(text)
        nonzero = value or re.search("[1-9]", text.partition("e")[0])  # 1e-400 underflows to 0.0
        if nonzero and not MIN_NUMBER <= value <= MAX_NUMBER:
            raise ResponseError(f"Number '{quoted(text)}' is out of range. Use numbers between {MIN_NUMBER:g} and {MAX_NUMBER:g} in size.")
        return self._part(Num(text), 1, value)

    def _checked(self, node: Node, compute: Callable[[], float]) -> float:
        try:
            return compute()
        except ZeroDivisionError:
            raise ResponseError(f"'{quoted(render(node))}' divides by zero. Change the divisor.") from None
        except OverflowError:
            raise ResponseError(f"'{quoted(render(node))}' is too large to compute. Keep numbers below {MAX_NUMBER:g}.") from None
        except ValueError:
            raise ResponseError(f"'{quoted(render(node))}' has no real value (e.g. the log or square root of a negative number).") from None

    def _neg(self, arg: _Part) -> _Part:
        node, height, value = arg
        return self._part(Neg(node), height + 1, None if value is None else -value)

    def _add(self, left: _Part, right: _Part) -> _Part:
        # Sums are flattened; a flattened sum's terms sit one level below it.
        (lnode, lheight, lvalue), (rnode, rheight, rvalue) = left, right
        lterms, lheight = (lnode.terms, lheight - 1) if type(lnode) is Add else ((lnode,), lheight)
        rterms, rheight = (rnode.terms, rheight - 1) if type(rnode) is Add else ((rnode,), rheight)
        value = None if lvalue is None or rvalue is None else lvalue + rvalue
        return self._part(Add(lterms + rterms), 1 + max(lheight, rheight), value)

    def _mul(self, left: _Part, right: _Part, divide: bool) -> _Part:
        (lnode, lheight, lvalue), (rnode, rheight, rvalue) = left, right
        num, den = (lnode.num, lnode.den) if type(lnode) is Mul else ((lnode,), ())
        lheight -= type(lnode) is Mul
        flatten = type(rnode) is Mul and (not divide or not rnode.den)
        rheight -= flatten
        if divide:
            # a/(b·c) joins the denominator; a/(b/c) keeps its own fraction.
            den += rnode.num if flatten else (rnode,)
            if rvalue == 0:
                raise ResponseError(f"'{quoted(render(Mul(num, den)))}' divides by zero. Change the divisor.")
        elif flatten:
            num, den = num + rnode.num, den + rnode.den
        else:
            num += (rnode,)
        value = None
        if lvalue is not None and rvalue is not None:
            value = lvalue / rvalue if divide else lvalue * rvalue
        return self._part(Mul(num, den), 1 + max(lheight, rheight), value)

    def _pow(self, base: _Part, exp: _Part) -> _Part:
        (bnode, bheight, bvalue), (enode, eheight, evalue) = base, exp
        node = Pow(bnode, enode)
        if evalue is not None and abs(evalue) > MAX_EXPONENT and bvalue not in (0.0, 1.0, -1.0):
            raise ResponseError(f"Exponent {evalue:.6g} in '{quoted(render(node))}' is too large; exponents must be between -{MAX_EXPONENT} and {MAX_EXPONENT}.")
        value = None
        if bvalue is not None and evalue is not None:
            value = self._checked(node, lambda: safe_power(bvalue, evalue))
        return self._part(node, 1 + max(bheight, eheight), value)

    def _call_node(self, name: str, args: list[_Part]) -> _Part:
        node = Call(name, tuple(a[0] for a in args))
        values = [a[2] for a in args]
        value = None if None in values else self._checked(node, lambda: SCALAR_MATH[name](*values))
        return self._part(node, 1 + max(a[1] for a in args), value)


def _too_many_nodes() -> str:
    return f"Formula too large (more than {MAX_NODES} parts). Simplify it before typing it."


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
