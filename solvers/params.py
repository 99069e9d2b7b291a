"""The `param_count` solver: how many parameters an RNN, GRU or LSTM layer has.

Every gate or candidate block has W (n×n, on the state), U (n×m, on the input) and its bias
vectors. The bias convention is an explicit parameter: `biases: 1` is one vector per block
(NPTEL, Coursera, the textbook equations); `biases: 2` is two, b_ih and b_hh (PyTorch
nn.RNN/nn.GRU/nn.LSTM, Keras GRU with reset_after=True).
"""

from __future__ import annotations

from collections.abc import Mapping

from solvers.lazy import is_sympy

from solvers import names
from solvers.backend import tidy
from solvers.checks import choice, integer
from solvers.format import number
from solvers.solution import Solution
from solvers.values import array, int_or_symbol, is_symbolic

BLOCKS = {"rnn": 1, "gru": 3, "lstm": 4}
BLOCK_NAMES = {
    "rnn": "the state update h_t = tanh(W h_(t−1) + U x_t + b)",
    "gru": "update gate Γ_u, reset gate Γ_r, candidate c̃",
    "lstm": "input gate, forget gate, output gate, candidate cell",
}
CONVENTIONS = {
    1: "one bias vector per block (NPTEL, Coursera)",
    2: "two bias vectors per block, b_ih and b_hh (PyTorch; Keras GRU reset_after=True)",
}


def solve(params: Mapping[str, object], given: Mapping[str, object]) -> Solution:
    """Counts for bound params; a given count replaces the computed one (total follows
    from blocks, per_block and output_params)."""
    cell = choice("cell", str(params["cell"]).lower(), tuple(BLOCKS))
    n = int_or_symbol("n", params["n"], 1)
    m = int_or_symbol("m", params["m"], 1)
    biases = integer("biases", params["biases"], 1, 2)
    k = int_or_symbol("output", params["output"], 0)
    exact = any(is_sympy(v) for v in (n, m, k)) or any(is_symbolic(v) for v in given.values())
    fixed = {name: array(f"given {name}", v, exact)[()] for name, v in given.items()}
    over = fixed.get

    blocks = over("blocks", BLOCKS[cell])
    per_block = over("per_block", n * n + n * m + biases * n)
    output_params = over("output_params", k * n + k)
    values = {
        "blocks": blocks,
        "gate_size": over("gate_size", n),
        "per_block": per_block,
        "weights_hidden": over("weights_hidden", blocks * n * n),
        "weights_input": over("weights_input", blocks * n * m),
        "bias_count": over("bias_count", blocks * biases * n),
        "output_params": output_params,
        "total": over("total", blocks * per_block + output_params),
    }
    values = {name: tidy(v) if exact else _plain(v) for name, v in values.items()}
    # The worked steps are written when read: grading solves many times and never reads them.
    return Solution.ordered(names.param_count(params), values, lambda: _steps(cell, n, m, biases, k, values))


def _plain(v: object) -> int | float:
    """Counts are ints; a given non-integer count stays a float."""
    return int(v) if float(v).is_integer() else float(v)


def _steps(cell: str, n: object, m: object, biases: int, k: object, v: Mapping[str, object]) -> tuple[str, ...]:
    bias = "n" if biases == 1 else "2n"
    blocks, shown = v["blocks"], {name: number(value) for name, value in v.items()}
    sizes = "".join(f", {name} = {value}" for name, value in (("n", n), ("m", m)) if isinstance(value, int))
    steps = [
        f"{cell.upper()}: {blocks} block{'s' if blocks != 1 else ''} ({BLOCK_NAMES[cell]}){sizes}; "
        "every gate vector has the hidden size n",
        f"biases: {biases}, {CONVENTIONS[biases]}",
        f"one block: W (n×n) + U (n×m) + {biases} bias vector{'s' if biases == 2 else ''} "
        f"= {_equals(f'n² + nm + {bias}', shown['per_block'])}",
        f"weights: {_equals(f'{blocks}·n²', shown['weights_hidden'])} on the state, "
        f"{_equals(f'{blocks}·nm', shown['weights_input'])} on the input; "
        f"biases: {_equals(f'{blocks}·{bias}', shown['bias_count'])}",
    ]
    per = shown["per_block"]
    if blocks == 1:
        steps.append(f"layer: n·n + n·m + {bias} = {per}")
    else:
        steps.append(f"layer: {blocks} blocks × (n·n + n·m + {bias}) = {blocks}·{_paren(per)}")
    if k != 0:
        count = _equals("kn + k", shown["output_params"])
        steps.append(f"output layer ({_equals('k', number(k))}): W_y (k×n) + b_y (k) = {count}")
    steps.append(f"total = {shown['total']}")
    return tuple(steps)


def _equals(formula: str, value: str) -> str:
    """'formula = value', or just the formula when the value only restates it."""
    plain = formula.replace("·", "").replace("²", "^2").replace(" ", "")
    return formula if value.replace("·", "").replace(" ", "") in (plain, formula) else f"{formula} = {value}"


def _paren(text: str) -> str:
    return f"({text})" if " " in text else text
