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

import random

from grader.mathinput.mathparse import Add, Mul, Neg, Node, Num, Pow, Var, children

PRIME = (1 << 61) - 1
AGREEING_POINTS = 3
CANDIDATE_POINTS = 8


def is_rational(node: Node) -> bool:
    """Only integer literals, variables, sums, products, quotients and integer powers?"""
    t = type(node)
    if t is Num:
        return node.text.isdigit()
    if t is Var:
        return True
    if t is Pow:
        return _integer_exponent(node.exp) is not None and is_rational(node.base)
    return t in (Neg, Add, Mul) and all(is_rational(child) for child in children(node))


def agree(key: Node, answer: Node, names: frozenset[str], seed: int) -> bool | None:
    """Are two rational trees the same function? None when too few points are defined for both."""
    defined = 0
    for point in _points(names, seed):
        expected, got = _value(key, point), _value(answer, point)
        if expected is None or got is None:
            continue
        if expected != got:
            return False
        defined += 1
        if defined == AGREEING_POINTS:
            return True
    return None


def divides_by_zero_everywhere(node: Node, names: frozenset[str], seed: int) -> bool:
    """Is some denominator of a rational tree 0 at every point (identically zero)?"""
    return all(_value(node, point) is None for point in _points(names, seed))


def _points(names: frozenset[str], seed: int) -> list[dict[str, int]]:
    rng = random.Random(f"{seed}:" + ",".join(sorted(names)))
    return [{name: rng.randrange(2, PRIME) for name in sorted(names)} for _ in range(CANDIDATE_POINTS)]


def _integer_exponent(node: Node) -> int | None:
    if type(node) is Num and node.text.isdigit():
        return int(node.text)
    if type(node) is Neg and type(node.arg) is Num and node.arg.text.isdigit():
        return -int(node.arg.text)
    return None


def _value(node: Node, point: dict[str, int]) -> int | None:
    """The value modulo PRIME, or None where a denominator is 0."""
    t = type(node)
    if t is Num:
        return int(node.text) % PRIME
    if t is Var:
        return point[node.name]
    if t is Neg:
        inner = _value(node.arg, point)
        return None if inner is None else -inner % PRIME
    if t is Add:
        total = 0
        for term in node.terms:
            value = _value(term, point)
            if value is None:
                return None
            total += value
        return total % PRIME
    if t is Mul:
        numerator = _product(node.num, point)
        denominator = _product(node.den, point)
        if numerator is None or not denominator:
            return None
        return numerator * pow(denominator, PRIME - 2, PRIME) % PRIME
    assert t is Pow
    base, exponent = _value(node.base, point), _integer_exponent(node.exp)
    assert exponent is not None
    if base is None or (exponent < 0 and base == 0):
        return None
    return pow(base, exponent, PRIME) if exponent >= 0 else pow(pow(base, PRIME - 2, PRIME), -exponent, PRIME)


def _product(factors: tuple[Node, ...], point: dict[str, int]) -> int | None:
    result = 1
    for factor in factors:
        value = _value(factor, point)
        if value is None:
            return None
        result = result * value % PRIME
    return result
