"""What every command gets: its parsed arguments, the banks, and where to read and write."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any, Callable, TextIO

from rich.console import Console

from grader.errors import UsageError

if TYPE_CHECKING:
    from grader.banks.catalog import Catalog

MAX_STDIN_BYTES = 1_000_000
"""Longest answer read from standard input (`-`)."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse that reports usage errors as UsageError instead of exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message} (try --help)")


class Context:
    """What a command needs: parsed arguments, the banks, and where to read and write."""

    def __init__(self, args: argparse.Namespace, console: Console, stdin: TextIO, errors: Console) -> None:
        self.args = args
        self.console = console
        self.errors = errors
        self.stdin = stdin
        self._catalog: Catalog | None = None

    @property
    def catalog(self) -> Catalog:
        """The banks named by --bank-dir (or the built-in ones)."""
        if self._catalog is None:
            from grader.banks.catalog import Catalog  # at first use: `compare` needs no banks

            self._catalog = Catalog.from_dir(self.args.bank_dir)
        return self._catalog

    def answer(self, text: str) -> str:
        """An answer argument, where '-' means: read it from standard input."""
        if text != "-":
            return text
        # Read one character past the cap and no more: an over-long answer is then judged (and
        # refused) by its kind like any other input, without reading an unbounded stream.
        return self.stdin.read(MAX_STDIN_BYTES + 1).rstrip("\n")

    def emit_json(self, data: Any) -> None:
        """Print JSON to the output, unwrapped and uncoloured, for scripts."""
        self.console.file.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


Command = Callable[[Context], int]
