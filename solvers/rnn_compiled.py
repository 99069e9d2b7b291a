"""The all-scalar rnn problem as straight-line Python, written once per problem shape.

Follow-through and diagnosis solve one small problem under dozens of overrides, and every
randomised student poses a new one. On floats (`SCALAR`) most of a solve is the general
code's bookkeeping: lists indexed by step, dicts of contributions, the choices made again
each time. So `evaluate` is run once per shape (steps, activation, output, loss, truncation)
on `Traced` values, which write down each operation it does on a number, and the record is
compiled into one function of the problem's numbers and the overrides. It does the same
float operations in the same order, so each result has the bits `evaluate` on floats gives
it (tested against it on random problems).

The source is made only from this module's templates, the solver's quantity names (checked
to be plain names, and quoted) and `repr` of constants the solver itself uses; a student's
value only ever reaches the compiled function as an argument.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence

from solvers.backend import SCALAR, Scalar
from solvers.rnn_model import Model

_NAME = re.compile(r"[A-Za-z][\w/]*")


class Untraceable(Exception):
    """The general code decided something on a value, which one record cannot follow."""


class _Tape:
    """The lines of the function being written, and how many variables it has named."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.count = 0
        self.calls = False
        """Whether any line calls a numpy function (whose warnings are to be silenced)."""

    def new(self, expression: str) -> Traced:
        """A fresh variable holding `expression`."""
        self.count += 1
        name = f"v{self.count}"
        self.lines.append(f"    {name} = {expression}")
        return Traced(self, name)


def _operand(value: object) -> str:
    if isinstance(value, Traced):
        return value.name
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return repr(value)
    raise Untraceable(f"a constant {value!r}")


def _written(op: str, reflected: bool = False) -> Callable[[Traced, object], Traced]:
    """The method of `Traced` for a binary operator: it writes the operation down."""

    def method(self: Traced, other: object) -> Traced:
        left, right = (_operand(other), self.name) if reflected else (self.name, _operand(other))
        return self.tape.new(f"{left} {op} {right}")

    return method


class Traced:
    """A number `evaluate` computes, standing for the variable that will hold it."""

    __slots__ = ("tape", "name")

    def __init__(self, tape: _Tape, name: str) -> None:
        self.tape, self.name = tape, name

    __add__, __radd__ = _written("+"), _written("+", True)
    __sub__, __rsub__ = _written("-"), _written("-", True)
    __mul__, __rmul__ = _written("*"), _written("*", True)
    __truediv__ = _written("/")

    def __neg__(self) -> Traced:
        return self.tape.new(f"-{self.name}")

    def __bool__(self) -> bool:
        raise Untraceable("a decision on a value")

    def __float__(self) -> float:
        raise Untraceable("a conversion of a value")


class _Tracing(Scalar):
    """`Scalar` on `Traced` values: arithmetic is recorded by the values themselves, and every
    function Scalar computes with numpy is recorded as a call of Scalar's own."""

    def _call(self, method: str, *args: object) -> Traced:
        tape = next(a.tape for a in args if isinstance(a, Traced))
        tape.calls = True
        shown = ", ".join(repr(a) if isinstance(a, str) else _operand(a) for a in args)
        return tape.new(f"{method}({shown})")

    def act(self, name: str, z: object) -> object:
        return z if name == "identity" else self._call("act", name, z)

    def act_prime(self, name: str, z: object) -> object:
        return 1.0 if name == "identity" else self._call("act_prime", name, z)

    def out(self, name: str, a: object) -> object:
        return a if name == "identity" else self._call("out", name, a)

    def log_out(self, name: str, a: object) -> object:
        return self._call("log_out", name, a)

    def log(self, v: object) -> object:
        return self._call("log", v)

    def divide(self, num: object, den: object) -> object:
        return self._call("divide", num, den)

    def weighted_total(self, w: object, v: object) -> object:
        return self._call("weighted_total", w, v)

    def where(self, cond: object, a: object, b: object) -> object:
        if not isinstance(cond, Traced):
            return Scalar.where(self, cond, a, b)
        return cond.tape.new(f"{_operand(a)} if {cond.name} else {_operand(b)}")

    def scalar(self, v: object) -> object:
        return v if isinstance(v, Traced) else Scalar.scalar(self, v)


_TRACING = _Tracing()


class _TracedGiven(Mapping[str, object]):
    """Every quantity as possibly given: `get(name, computed)` becomes a lookup in the
    compiled function's overrides, and `giving` a test of which names they hold."""

    def __init__(self, tape: _Tape, names: Sequence[str]) -> None:
        self.tape, self.names = tape, tuple(names)

    def get(self, name: str, default: object = None) -> object:
        return self.tape.new(f"get({_quoted(name)}, {_operand(default)})")

    def giving(self, names: Sequence[str]) -> Traced:
        """Whether the overrides give any of `names` (a choice `evaluate` makes on them)."""
        return self.tape.new(" or ".join(f"{_quoted(name)} in g" for name in names))

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def __getitem__(self, name: str) -> object:
        raise Untraceable(f"{name} read without its computed value")

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


def _quoted(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise Untraceable(f"a quantity named {name!r}")
    return repr(name)


def numbers(m: Model) -> tuple[float, ...]:
    """The problem's numbers, in the order a compiled function takes them."""
    return (m.h0, m.W_h, m.W_x, m.b_h, m.W_y, m.b_y, *m.xs[1:], *m.ys[1:])


Compiled = Callable[[tuple[float, ...], Mapping[str, float]], list[float]]
Solve = Callable[[Model, Mapping[str, object]], Sequence[object]]
_COMPILED: dict[tuple[object, ...], Compiled | None] = {}
MAX_SHAPES = 256
"""Compiled shapes kept (a bank poses a handful; the table is emptied when full)."""


def compiled(m: Model, order: Sequence[str], solve: Solve) -> Compiled | None:
    """The function giving `solve(m, given)` (a float model's results in `order`) for every
    problem of `m`'s shape, from its `numbers` and float overrides; None when `solve` cannot
    be recorded (it decides something on a value, or the loss is cross-entropy, whose course
    depends on which outputs are given)."""
    if m.back is not SCALAR or m.loss == "cross_entropy":
        return None
    key = (m.T, m.activation, m.output, m.loss, m.truncate, m.scalars, m.ro.scalars, tuple(order), solve)
    if key not in _COMPILED:
        if len(_COMPILED) >= MAX_SHAPES:
            _COMPILED.clear()
        _COMPILED[key] = _write(tuple(order), solve, m)
    return _COMPILED[key]


def _write(order: tuple[str, ...], solve: Solve, m: Model) -> Compiled | None:
    tape = _Tape()
    T = m.T
    inputs = ["h0", "W_h", "W_x", "b_h", "W_y", "b_y", *(f"x{t}" for t in range(1, T + 1)),
              *(f"y{t}" for t in range(1, T + 1))]
    held = {name: Traced(tape, name) for name in inputs}
    ro = dataclasses.replace(m.ro, W_y=held["W_y"], b_y=held["b_y"],
                             ys=(None, *(held[f"y{t}"] for t in range(1, T + 1))))
    traced = dataclasses.replace(m, back=_TRACING, h0=held["h0"], W_h=held["W_h"], W_x=held["W_x"],
                                 b_h=held["b_h"], xs=(None, *(held[f"x{t}"] for t in range(1, T + 1))), ro=ro)
    try:
        results = solve(traced, _TracedGiven(tape, order))
        returned = ", ".join(_operand(r) for r in results)
    except Untraceable:
        return None
    source = "\n".join(["def run(v, g):", f"    {', '.join(inputs)}, = v", "    get = g.get",
                        *tape.lines, f"    return [{returned}]"])
    namespace = {"act": SCALAR.act, "act_prime": SCALAR.act_prime, "out": SCALAR.out,
                 "log_out": SCALAR.log_out, "log": SCALAR.log, "divide": SCALAR.divide,
                 "weighted_total": SCALAR.weighted_total}
    # Only this module's own text is compiled (see the module docstring): from a bank, only
    # activation and output names that `choice` validated; from a student, nothing.
    exec(compile(source, f"<rnn, {T} steps, {m.activation}, {m.output}, {m.loss}>", "exec"), namespace)  # noqa: S102
    run = namespace["run"]
    if not tape.calls:
        return run
    return functools.partial(_quietly, run)


def _quietly(run: Compiled, v: tuple[float, ...], g: Mapping[str, float]) -> list[float]:
    import numpy as np

    # as `rnn._evaluate`: a huge carried value gives inf or nan, which callers judge
    with np.errstate(over="ignore", invalid="ignore"):
        return run(v, g)

