"""What every command gets: its parsed arguments, the banks, and where to read and write."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any, Callable, TextIO

from rich.console import Console

from grader.errors import UsageError
from grader.textsafe import json_escapes, one_line

if TYPE_CHECKING:
    from grader.banks.catalog import Catalog

MAX_STDIN_BYTES = 1_000_000
"""Longest answer read from standard input (`-`)."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse that reports usage errors as UsageError instead of exiting, and takes answers
    that start with '-' (``-sin(x)``, ``-4+4``, ``-h*W``) as values rather than unknown options."""

    def _parse_optional(self, arg_string: str) -> Any:
        # One dash and not exactly one of our options: a negative answer, not an option. (Only the
        # top level has a single-dash option, -h; options spelled --name are left to argparse.)
        if arg_string.startswith("-") and not arg_string.startswith("--") and arg_string not in self._option_string_actions:
            return None
        return super()._parse_optional(arg_string)

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message} (try --help)")


class CommandParser(ArgumentParser):
    """A sub-command's parser: its help is --help only, so that -h is free to be an answer (-h, −h·W)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **{**kwargs, "add_help": False})
        self.add_argument("--help", action="help", help="show this help message and exit")


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
        self.console.file.write(json_escapes(json.dumps(data, ensure_ascii=False, indent=2)) + "\n")


Command = Callable[[Context], int]


def print_error(console: Console, message: str) -> None:
    """One error line as plain text: no markup, no emoji codes (`:100:` stays), no control characters."""
    console.print(f"error: {one_line(message)}", markup=False, highlight=False, emoji=False, soft_wrap=True)
