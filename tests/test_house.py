"""The house keeps its shape: imports in grader/ run one way, never in a circle, and solvers/
never imports grader/. ARCHITECTURE.md draws the same floors."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Each room of grader/ and its floor: a module may import from its own room or from a lower
# floor. Rooms on one floor (verify, sessions, batch) are siblings that never import
# each other. Top-level modules not listed as rooms of their own live in the room named here.
FLOORS = {
    "base": 0,  # errors, model, numbers: words every room uses
    "mathinput": 1,  # the one door for student math
    "marking": 2,  # kinds, keys, options, diagnosis, follow-through, variants
    "banks": 3,  # safe YAML, loading and validating banks (by the kinds' own rules), catalog
    "views": 4,  # render, charts: how verdicts, keys and values are shown
    "verify": 5, "sessions": 5, "batch": 5,
    "export": 6,  # exports only what verify has proved
    "cli": 7,
}
TOP_LEVEL_ROOMS = {"errors": "base", "model": "base", "numbers": "base", "textsafe": "base", "render": "views", "charts": "views",
                   "verify": "verify"}
LONGEST_MODULE = 420


def modules(package: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module of a package tree."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of `known` that a file imports anywhere (top level, functions, TYPE_CHECKING)."""
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from grader.marking import keys` imports the module grader.marking.keys.
            names = [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in known else node.module
                     for alias in node.names]
        else:
            continue
        targets.update(name for name in names if name in known)
    return targets


def room(module: str) -> str:
    """The room of a grader module: its sub-package, or the room a top-level module belongs to."""
    parts = module.split(".")
    if len(parts) == 1:
        return "base"  # grader/__init__.py
    if len(parts) == 2 and parts[1] in TOP_LEVEL_ROOMS:
        return TOP_LEVEL_ROOMS[parts[1]]
    return parts[1]


def house_problems(grader: Path) -> list[str]:
    """Every import against the floors, every circle, every unknown room, naming the files."""
    known = modules(grader)
    graph = {name: imports(path, known) for name, path in known.items()}
    problems = []
    for name, targets in graph.items():
        here = room(name)
        if here not in FLOORS:
            problems.append(f"{known[name]}: room '{here}' is not on a floor (add it to FLOORS and ARCHITECTURE.md)")
            continue
        for target in sorted(targets):
            there = room(target)
            if there != here and FLOORS.get(there, 99) >= FLOORS[here]:
                problems.append(f"{known[name].relative_to(grader.parent)} imports "
                                f"{known[target].relative_to(grader.parent)}: {here} may not import {there}")
    problems += [f"import circle: {' -> '.join(cycle)}" for cycle in circles(graph)]
    return problems


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected group of modules that import each other."""
    found, state = [], {}

    def visit(name: str, path: list[str]) -> None:
        state[name] = "open"
        path.append(name)
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                found.append(path[path.index(target):] + [target])
            elif target not in state:
                visit(target, path)
        path.pop()
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    return found


def test_grader_imports_run_down_the_floors_without_circles() -> None:
    assert house_problems(ROOT / "grader") == []


def test_a_planted_back_import_is_named(tmp_path: Path) -> None:
    grader = shutil.copytree(ROOT / "grader", tmp_path / "grader")
    model = grader / "model.py"
    model.write_text(model.read_text(encoding="utf-8") + "\nfrom grader.cli import main_entry\n", encoding="utf-8")
    problems = house_problems(grader)
    assert any("grader/model.py imports grader/cli/__init__.py" in p for p in problems), problems
    assert any(p.startswith("import circle:") and "grader.model" in p for p in problems), problems


def test_a_planted_circle_within_a_room_is_named(tmp_path: Path) -> None:
    grader = shutil.copytree(ROOT / "grader", tmp_path / "grader")
    memo = grader / "marking" / "memo.py"
    memo.write_text(memo.read_text(encoding="utf-8") + "\n\ndef _late():\n    from grader.marking import keys\n",
                    encoding="utf-8")
    problems = house_problems(grader)
    assert any(p.startswith("import circle:") and "grader.marking.memo" in p and "grader.marking.keys" in p
               for p in problems), problems


def test_solvers_never_import_grader() -> None:
    known = modules(ROOT / "grader")
    offenders = [str(path.relative_to(ROOT)) for path in sorted((ROOT / "solvers").rglob("*.py"))
                 if any(node.module.split(".")[0] == "grader" if isinstance(node, ast.ImportFrom) and node.module
                        else any(a.name.split(".")[0] == "grader" for a in getattr(node, "names", []))
                        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                        if isinstance(node, (ast.Import, ast.ImportFrom)))]
    assert known and offenders == []


@pytest.mark.parametrize("package", ["grader", "solvers"])
def test_no_module_is_longer_than_one_idea(package: str) -> None:
    long = {str(p.relative_to(ROOT)): n for p in sorted((ROOT / package).rglob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > LONGEST_MODULE}
    assert long == {}


def test_solvers_import_each_other_without_circles() -> None:
    known = modules(ROOT / "solvers")
    assert circles({name: imports(path, known) for name, path in known.items()}) == []
