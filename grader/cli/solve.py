"""`rnnquiz solve`: read parameters safely, run a solver, show or serialise its quantities."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Callable, Mapping

from rich.console import Console
from rich.table import Table
from rich.text import Text

from grader.cli.context import Context
from grader.errors import UsageError
from grader.render import display, plain

MAX_PARAMS_BYTES = 100_000


def read_params(assignments: list[str], params_file: str | None) -> dict[str, Any]:
    """Parameters from a YAML file and NAME=VALUE words (each VALUE read as YAML)."""
    params: dict[str, Any] = {}
    if params_file:
        path = Path(params_file)
        if not path.is_file():
            raise UsageError(f"no params file '{params_file}'")
        if path.stat().st_size > MAX_PARAMS_BYTES:
            raise UsageError(f"params file '{params_file}' is larger than {MAX_PARAMS_BYTES:,} bytes")
        data = _yaml(path.read_text(encoding="utf-8", errors="replace"), params_file)
        if not isinstance(data, dict):
            raise UsageError(f"params file '{params_file}' must hold a mapping of name: value lines")
        params.update(data)
    for word in assignments:
        name, sep, value = word.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"'{word}' is not NAME=VALUE (e.g. x=[10,10] or W_h=1)")
        params[name.strip()] = _yaml(value, f"the value of {name.strip()}")
    return params


def _yaml(text: str, where: str) -> Any:
    from grader.banks import safeyaml  # at first use: only `solve` reads YAML values

    try:
        return safeyaml.parse(text, allow_aliases=False).data
    except safeyaml.YamlRefused as exc:
        raise UsageError(f"could not read {where}: {exc.issue.message}") from None


def run(solver_name: str, params: Mapping[str, Any]) -> Mapping[str, Any]:
    """Solve, turning an unknown solver or bad parameters into a one-line usage error."""
    from solvers import SOLVERS

    solver = SOLVERS.get(solver_name)
    if solver is None:
        raise UsageError(f"unknown solver '{solver_name}'; known solvers: {', '.join(SOLVERS)} (see `rnnquiz solve --list`)")
    try:
        return solver.solve(params)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def solution_json(solution: Mapping[str, Any], *, steps: bool = False) -> dict[str, Any]:
    """Every named quantity by name; with `steps`, also "steps" and "notes" (no quantity has those names)."""
    out = {name: plain(value) for name, value in solution.items()}
    if steps:
        out["steps"] = list(getattr(solution, "steps", ()))
        out["notes"] = list(getattr(solution, "notes", ()))
    return out


def print_solution(console: Console, name: str, solution: Mapping[str, Any], *, steps: bool) -> None:
    """A table of quantities, or the worked steps; then notes and any chart."""
    if steps:
        for line in getattr(solution, "steps", ()):
            console.print(line, markup=False, highlight=False)
    else:
        table = Table(title=f"solver {name}")
        table.add_column("quantity", style="bold", no_wrap=True)
        table.add_column("value", overflow="fold")
        for quantity, value in solution.items():
            table.add_row(Text(quantity), Text(display(value)))
        console.print(table)
    for note in getattr(solution, "notes", ()):
        console.print(f"note: {note}", markup=False, highlight=False, style="dim")
    if "log10_norms" in solution:
        from grader.charts import log_norm_chart

        console.print(log_norm_chart(solution["log10_norms"]))


def print_solver_list(console: Console, *, as_json: bool, emit_json: Callable[[Any], None]) -> None:
    """The solvers, their summaries, parameters and the quantities they compute (named for a
    small example problem: `yhat1..yhatT` stand for every step of a longer sequence)."""
    from solvers import SOLVERS, REQUIRED

    if as_json:
        emit_json({name: {"summary": s.summary, "params": {p.name: {"doc": p.doc, "required": p.default is REQUIRED,
                                                                    "default": None if p.default is REQUIRED else p.default}
                                                            for p in s.params},
                          "quantities": list(s.quantities(s.example))}
                   for name, s in SOLVERS.items()})
        return
    for name, solver in SOLVERS.items():
        # A Text title: a summary may hold '[' that rich would read as markup.
        table = Table(title=Text(f"{name}: {solver.summary}"), title_justify="left", show_header=True,
                      caption=Text("quantities: " + ", ".join(solver.quantities(solver.example))),
                      caption_justify="left")
        table.add_column("parameter", style="bold", no_wrap=True)
        table.add_column("meaning", overflow="fold")
        table.add_column("default")
        for param in solver.params:
            table.add_row(param.name, Text(param.doc), Text("required" if param.default is REQUIRED else repr(param.default)))
        console.print(table)


def cmd_solve(ctx: Context) -> int:
    """Run a solver on parameters and print its quantities or its worked steps."""
    if ctx.args.list or not ctx.args.solver:
        print_solver_list(ctx.console, as_json=ctx.args.json, emit_json=ctx.emit_json)
        return 0
    params = read_params(ctx.args.assignments, ctx.args.params)
    solution = run(ctx.args.solver, params)
    if ctx.args.json:
        ctx.emit_json(solution_json(solution, steps=ctx.args.steps))
    else:
        print_solution(ctx.console, ctx.args.solver, solution, steps=ctx.args.steps)
    return 0


def register(sub: Any) -> None:
    """Add `solve` to the `rnnquiz` sub-command parser."""
    p = sub.add_parser("solve", help="recompute quantities with a solver",
                       description="Run SOLVER on NAME=VALUE parameters (each VALUE read as YAML: x=[10,10], "
                       "W_h=1, activation=tanh; a name like W_h=w makes it symbolic).",
                       epilog="Example: rnnquiz solve rnn h0=1 x=[10,10] y=[5,5] W_h=1 W_x=0.1 W_y=2 --steps",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("solver", metavar="SOLVER", nargs="?", help="a solver name (see --list)")
    p.add_argument("assignments", metavar="NAME=VALUE", nargs="*")
    p.add_argument("--params", metavar="FILE", help="read parameters from a YAML file (NAME=VALUE wins)")
    p.add_argument("--list", action="store_true", help="list the solvers and their parameters")
    p.add_argument("--steps", action="store_true", help="print the worked derivation")
    p.add_argument("--json", action="store_true", help="print every named quantity as a JSON object "
                   "{name: value}; with --steps also \"steps\" and \"notes\"")
    p.set_defaults(handler=cmd_solve)
