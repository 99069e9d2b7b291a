"""Finding banks and questions by id.

Banks are loaded lazily: `rnnquiz check hse/q1 A` reads one file, not all of them.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

from grader.banks import loader as bank_loader
from grader.errors import BankError, UsageError
from grader.model import Bank, Question
from quizzes import BANK_DIR, bank_paths

BANK_DIR_ENV = "RNNQUIZ_BANK_DIR"


class Catalog:
    """The banks of one directory (or explicit files), loaded on first use."""

    def __init__(self, paths: list[Path]) -> None:
        self._paths = {path.stem: path for path in paths}
        self._loaded: dict[str, Bank] = {}
        self._items: dict[str, dict[str, Question]] = {}

    @classmethod
    def from_dir(cls, directory: str | Path | None = None) -> "Catalog":
        """The banks in `directory`, else $RNNQUIZ_BANK_DIR, else the built-in ones."""
        chosen = Path(directory or os.environ.get(BANK_DIR_ENV) or BANK_DIR)
        if not chosen.is_dir():
            raise UsageError(f"bank directory '{chosen}' does not exist")
        return cls(bank_paths(chosen))

    @classmethod
    def from_args(cls, names: list[str], directory: str | Path | None = None) -> "Catalog":
        """Banks named on a command line: bank ids from the directory, or paths to files."""
        base = cls.from_dir(directory)
        if not names:
            return base
        paths: list[Path] = []
        for name in names:
            if name.endswith((".yaml", ".yml")) or os.sep in name:
                path = Path(name)
                if not path.is_file():
                    raise UsageError(f"no bank file '{name}'")
                paths.append(path)
            else:
                paths.append(base.path(name))
        return cls(paths)

    def ids(self) -> list[str]:
        """Bank ids, in name order."""
        return list(self._paths)

    def path(self, bank_id: str) -> Path:
        """The file of a bank id (UsageError naming the known ids if there is none)."""
        if bank_id not in self._paths:
            close = difflib.get_close_matches(bank_id, self._paths, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise UsageError(f"unknown bank '{bank_id}'{hint}; known banks: {', '.join(self._paths) or 'none'}")
        return self._paths[bank_id]

    def bank(self, bank_id: str) -> Bank:
        """One bank, loaded and validated on first use."""
        if bank_id not in self._loaded:
            self._loaded[bank_id] = bank_loader.load(self.path(bank_id))
        return self._loaded[bank_id]

    def banks(self) -> list[Bank]:
        """Every bank; problems in all of them are reported together."""
        problems = []
        out = []
        for bank_id in self._paths:
            try:
                out.append(self.bank(bank_id))
            except BankError as exc:
                problems.extend(exc.problems)
        if problems:
            raise BankError(problems)
        return out

    def question(self, question_id: str) -> Question:
        """A question or part by its full id (`nptel/q7`, `in5400/task1.a`)."""
        bank_id, _, rest = question_id.partition("/")
        if not rest:
            raise UsageError(f"'{question_id}' is not a question id; ids look like 'nptel/q7' or 'in5400/task1.a' (see `rnnquiz list`)")
        if bank_id not in self._items:
            self._items[bank_id] = {q.id: q for q in self.bank(bank_id).items()}
        items = self._items[bank_id]
        if question_id not in items:
            close = difflib.get_close_matches(question_id, items, n=3)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise UsageError(f"no question '{question_id}' in bank '{bank_id}'.{hint} `rnnquiz list` shows every id")
        return items[question_id]
