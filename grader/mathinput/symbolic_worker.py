"""Run sympy where it cannot hang or exhaust the grader.

sympy may run for minutes or eat memory on an unlucky expression, so every symbolic
check runs in a child process with an address-space limit (``RLIMIT_AS``, the child's
size at start plus ``SYMBOLIC_MEMORY_BYTES``) and a wall-clock limit, and is killed when
it overruns. The child receives parsed ``Formula`` trees, never text, and builds sympy
objects from them node by node.

``run_limited(fn, args, *, timeout)`` runs any picklable call that way and returns an
``Outcome``; ``confirm_equal(key, answer, *, positive, timeout)`` asks whether two formulas
are equal for real variables (``positive`` names are positive), answering True, False or
None (sympy could not decide).
"""

from __future__ import annotations

import math
import multiprocessing
import os
import resource
import time
from dataclasses import dataclass
from typing import Any, Callable

from grader.mathinput.mathparse import Formula

SYMBOLIC_MEMORY_BYTES = 1 << 30
# A nonzero number left after simplification proves inequality only above rounding noise.
NONZERO_THRESHOLD = 1e-12


@dataclass(frozen=True)
class Outcome:
    """How a limited call ended: status "done" (with value), "timeout", "memory" or "error"."""

    status: str
    value: Any = None
    detail: str = ""
    seconds: float = 0.0


def run_limited(fn: Callable[..., Any], args: tuple, *, timeout: float, memory_bytes: int = SYMBOLIC_MEMORY_BYTES) -> Outcome:
    """Call ``fn(*args)`` in a child process; kill it after ``timeout`` seconds."""
    # fork lets the child reuse modules the parent already imported (sympy takes ~0.5 s to import).
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, fn, args, memory_bytes, math.ceil(timeout) + 1), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            return Outcome("timeout")
        status, value, detail, seconds = receiver.recv()
        return Outcome(status, value, detail, seconds)
    except EOFError:
        process.join(1)
        return Outcome("error", detail=f"the worker died (exit code {process.exitcode})")
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()


def confirm_equal(key: Formula, answer: Formula, *, positive: frozenset[str], timeout: float) -> Outcome:
    """Ask sympy, within limits, whether ``key`` and ``answer`` are equal."""
    import sympy  # noqa: F401  (imported before forking so the child need not import it)

    return run_limited(symbolic_equal, (key, answer, positive), timeout=timeout)


def symbolic_equal(key: Formula, answer: Formula, positive: frozenset[str]) -> bool | None:
    """True if sympy proves ``key - answer`` is zero, False if it is a nonzero number, else None."""
    import sympy

    difference = key.to_sympy() - answer.to_sympy()
    # Sampling draws real values, so sympy must reason about real (or positive) symbols too.
    real = {s: sympy.Symbol(s.name, positive=True) if s.name in positive else sympy.Symbol(s.name, real=True) for s in difference.free_symbols}
    difference = difference.xreplace(real)
    if difference == 0:
        return True
    simplified = sympy.simplify(difference)
    if simplified == 0 or sympy.simplify(simplified.rewrite(sympy.exp)) == 0:
        return True
    if simplified.is_number:
        value = complex(sympy.N(simplified))
        if abs(value) > NONZERO_THRESHOLD:
            return False
    return None


def _child(sender: Any, fn: Callable[..., Any], args: tuple, memory_bytes: int, cpu_seconds: int) -> None:
    try:
        _limit_resources(memory_bytes, cpu_seconds)
        start = time.perf_counter()
        value = fn(*args)
        sender.send(("done", value, "", time.perf_counter() - start))
    except MemoryError:
        sender.send(("memory", None, "", 0.0))
    except Exception as error:  # reported to the parent, which decides what it means
        sender.send(("error", None, f"{type(error).__name__}: {error}"[:200], 0.0))
    finally:
        sender.close()


def _limit_resources(memory_bytes: int, cpu_seconds: int) -> None:
    # RLIMIT_AS counts what the child inherited from the parent, so the cap is relative to it.
    try:
        with open("/proc/self/statm") as statm:
            current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        current = 0
    _lower(resource.RLIMIT_AS, current + memory_bytes)
    _lower(resource.RLIMIT_CPU, cpu_seconds)  # a backstop if the parent cannot kill us


def _lower(which: int, soft: int) -> None:
    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(which, (soft, hard))
