"""Playing whole CLI runs with piped input and a plain console."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from rich.console import Console

from grader import cli


@dataclass(frozen=True)
class Run:
    """What one CLI run printed and returned."""

    code: int
    out: str


def play(argv: list[str], lines: list[str] | str = (), width: int = 100) -> Run:
    """Run the CLI with `lines` as piped input and a plain console of `width`."""
    text = lines if isinstance(lines, str) else "".join(line + "\n" for line in lines)
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=False, color_system=None)
    code = cli.main(argv, stdin=io.StringIO(text), console=console)
    return Run(code, out.getvalue())


def squash(text: str) -> str:
    """Whitespace collapsed, so a check does not depend on where rich wrapped a line."""
    return re.sub(r"\s+", " ", text)
