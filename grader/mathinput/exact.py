"""Exact comparison of formulas built only from integers, variables, + − · / and integer powers.

Floating point cannot compare ``(x − a)^6000`` with ``(a − x)^6000`` (the values overflow or
underflow) nor see a 13th-degree polynomial that is off by one in its constant term (rounding
hides the 1). Such formulas are rational functions with integer coefficients, so they are
evaluated exactly, in integers modulo the prime ``PRIME``, at seeded random points: two
different rational functions agree only where a nonzero polynomial vanishes, which a random
point of a field this large hits with probability below (degree / 2⁶¹). Powers cost a few
multiplications (square and multiply), so size is never a problem; the parser's caps on
exponents and tree size still hold. Points where a denominator is 0 are skipped, so a
removable singularity (``(x² − 1)/(x + 1)``) does not count against an answer.

``is_rational(node)`` says whether a tree qualifies (decimals do not: they keep the tolerance
rule); ``agree(key, answer, seed)`` answers True, False, or None when too few points are
defined for both; ``divides_by_zero_everywhere(node, seed)`` finds an identically zero
denominator such as ``n² + n·m + n − n·(n + m + 1)``.
"""

from __future__ import annotations

import functools
import random

from grader.mathinput.mathparse import Add, Mul, Neg, Node, Num, Pow, Var

PRIME = (1 << 61) - 1
AGREEING_POINTS = 2  # each false agreement has probability below degree/2^61
CANDIDATE_POINTS = 8


def is_rational(node: Node) -> bool:
    """Only integer literals, variables, sums, products, quotients and integer powers?"""
    stack = [node]  # a loop, not recursion: this runs on every comparison
    while stack:
        node = stack.pop()
        t = type(node)
        if t is Num:
            if not node.text.isdigit():
                return False
        elif t is Add:
            stack.extend(node.terms)
        elif t is Mul:
            stack.extend(node.num + node.den)
        elif t is Neg:
            stack.append(node.arg)
        elif t is Pow:
            if _integer_exponent(node.exp) is None:
                return False
            stack.append(node.base)
        elif t is not Var:
            return False
    return True


def agree(key: Node, answer: Node, names: frozenset[str], seed: int) -> bool | None:
    """Are two rational trees the same function? None when too few points are defined for both."""
    defined = 0
    for expected, point in zip(_values(key, names, seed), _points(names, seed)):
        got = None if expected is None else _value(answer, point)  # only as many points as needed
        if expected is None or got is None:
            continue
        if expected[0] * got[1] % PRIME != got[0] * expected[1] % PRIME:
            return False
        defined += 1
        if defined == AGREEING_POINTS:
            return True
    return None


def divides_by_zero_everywhere(node: Node, names: frozenset[str], seed: int) -> bool:
    """Is some denominator of a rational tree 0 at every point (identically zero)?"""
    return all(_value(node, point) is None for point in _points(names, seed))  # stops at a defined point


@functools.lru_cache(maxsize=1024)  # a key is evaluated once for all the answers compared with it
def _values(node: Node, names: frozenset[str], seed: int) -> tuple[tuple[int, int] | None, ...]:
    return tuple(_value(node, point) for point in _points(names, seed))


@functools.lru_cache(maxsize=256)
def _points(names: frozenset[str], seed: int) -> tuple[dict[str, int], ...]:
    rng = random.Random(f"{seed}:" + ",".join(sorted(names)))
    return tuple({name: rng.randrange(2, PRIME) for name in sorted(names)} for _ in range(CANDIDATE_POINTS))


def _integer_exponent(node: Node) -> int | None:
    if type(node) is Num and node.text.isdigit():
        return int(node.text)
    if type(node) is Neg and type(node.arg) is Num and node.arg.text.isdigit():
        return -int(node.arg.text)
    return None


def _value(node: Node, point: dict[str, int]) -> tuple[int, int] | None:
    """The value as a fraction (numerator, denominator) modulo PRIME, or None where a denominator is 0.

    Fractions rather than modular inverses: an inverse costs a 61-step power, a product one step.
    """
    t = type(node)
    if t is Num:
        return int(node.text) % PRIME, 1
    if t is Var:
        return point[node.name], 1
    if t is Neg:
        inner = _value(node.arg, point)
        return None if inner is None else (-inner[0] % PRIME, inner[1])
    if t is Add:
        top, bottom = 0, 1
        for term in node.terms:
            value = _value(term, point)
            if value is None:
                return None
            top, bottom = (top * value[1] + value[0] * bottom) % PRIME, bottom * value[1] % PRIME
        return top, bottom
    if t is Mul:
        top, bottom = 1, 1
        for factor in node.num:
            value = _value(factor, point)
            if value is None:
                return None
            top, bottom = top * value[0] % PRIME, bottom * value[1] % PRIME
        for factor in node.den:
            value = _value(factor, point)
            if value is None or value[0] == 0:
                return None
            top, bottom = top * value[1] % PRIME, bottom * value[0] % PRIME
        return top, bottom
    assert t is Pow
    base, exponent = _value(node.base, point), _integer_exponent(node.exp)
    assert exponent is not None
    if base is None or (exponent < 0 and base[0] == 0):
        return None
    top, bottom = base if exponent >= 0 else (base[1], base[0])
    return pow(top, abs(exponent), PRIME), pow(bottom, abs(exponent), PRIME)
