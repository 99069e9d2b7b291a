"""What an option of a choice or multi question states, and whether that is the truth.

Options may state a value (`100`, `matrix`), a formula in the question's variables, or a
chain-rule product over an unrolled RNN. A formula is compared with the solver's value
after substituting the solver's numeric parameters; a chain is evaluated from the rnn
solver's local derivatives on the bank's network and on random networks of the same
shape, and compared with the true gradient. Both `verify` and the keys of randomised
questions (whose right letter can change from variant to variant) use this.
"""

from __future__ import annotations

import functools
from typing import Any, Mapping

from grader.errors import QuizError, ResponseError
from grader.marking import chains, solutions
from grader.marking.compare import option_value, same_answer, same_value
from grader.model import Option, Question, Tolerance

CHAIN_DRAWS = 2
"""Random RNNs each chain-rule option is evaluated on (besides the bank's own)."""
CHAIN_TOLERANCE = Tolerance(rel=1e-7, abs=1e-9)


def keyed(question: Question) -> Any:
    """The letters whose options equal the solver's truth: a choice's letter or a multi's set."""
    truth = solutions.solution(question.solver, question.params)[question.quantity]
    letters = [o.letter for o in question.options if stated(o) and equals_truth(question, o, truth)]
    if question.kind == "multi":
        return frozenset(letters)
    if len(letters) != 1:
        shown = ", ".join(letters) or "none"
        raise QuizError(f"{question.id}: exactly one option must equal the solver's {question.quantity}; "
                        f"options equal to it: {shown}")
    return letters[0]


def stated(option: Option) -> bool:
    """Whether an option says what it means as a value, formula or chain."""
    return option.value is not None or option.expr is not None or option.chain is not None


def equals_truth(question: Question, option: Option, truth: Any) -> bool:
    """Whether an option states the solver's value of the question's quantity."""
    if option.chain is not None:
        return _chain_equals(question, option.chain)
    if option.expr is not None:
        return _formulas_equal(question, formula(question, option), truth)
    return same_answer(question, option.value, truth)


def formula(question: Question, option: Option) -> Any:
    """An option's formula, read by the project parser (a bank problem if it cannot be read)."""
    try:
        return option_value(question, option)
    except ResponseError as exc:
        raise QuizError(f"cannot read formula {option.expr!r} of option {option.letter}: {exc}") from None


def _formulas_equal(question: Question, formula: Any, truth: Any) -> bool:
    """A formula option against the truth; numeric solver params are substituted first."""
    from grader.mathinput import mathparse  # at first use: keeps start-up fast

    if isinstance(truth, (int, float)) and not isinstance(truth, bool):
        env = {name: float(value) for name, value in question.params.items()
               if isinstance(value, (int, float)) and not isinstance(value, bool)}
        missing = formula.names - set(env)
        if missing:
            return False
        value = float(formula.evaluate(env))
        return same_answer(question, value, truth)
    return bool(same_value(question, mathparse.from_sympy(truth), formula).equivalent)


def _chain_equals(question: Question, chain: chains.Term) -> bool:
    """A chain-rule option against the true gradient, on the bank's RNN and random ones."""
    truths = [_as_vector(solutions.solution(question.solver, params)[question.quantity]) for params in _draws(question)]
    return all_close(chain_values(question, chain), truths)


def _draws(question: Question) -> list[Mapping[str, Any]]:
    return [question.params] + [_random_like(question.params, seed) for seed in range(1, CHAIN_DRAWS + 1)]


def chain_values(question: Question, chain: chains.Term) -> list[Any]:
    """A chain-rule option's value on the bank's RNN and on random ones of the same shape."""
    return [_as_vector(evaluate_chain(chain, params)) for params in _draws(question)]


def _as_vector(value: Any) -> Any:
    import numpy as np

    return np.asarray(value, dtype=float).ravel()


def all_close(xs: list[Any], ys: list[Any]) -> bool:
    """Pairwise equal arrays, to the chain tolerance."""
    import numpy as np

    return all(x.shape == y.shape and np.allclose(x, y, rtol=CHAIN_TOLERANCE.rel, atol=CHAIN_TOLERANCE.abs)
               for x, y in zip(xs, ys))


def evaluate_chain(chain: chains.Term, params: Mapping[str, Any]) -> Any:
    """A chain formula on one RNN, from the solver's local derivatives."""
    from solvers.rnn_local import local_derivative  # at first use: the rnn solver imports numpy
    from solvers.names import sequence_length

    @functools.lru_cache(maxsize=None)
    def local(of: str, wrt: str) -> Any:
        return local_derivative(params, of, wrt)

    return chains.evaluate(chain, local, {"T": sequence_length("x", params["x"])}, 1)


def _random_like(params: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """The same RNN with every weight, bias, state and input redrawn; targets and functions kept."""
    import numpy as np

    rng = np.random.default_rng(seed)

    def redraw(value: Any) -> Any:
        if isinstance(value, list):
            return [redraw(v) for v in value]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(rng.normal(0.0, 0.8))
        return value

    return {name: redraw(value) if name in ("h0", "x", "W_h", "W_x", "W_y", "b_h", "b_y") else value
            for name, value in params.items()}
