"""Where a session reads its input: a line editor at a terminal, plain lines from a pipe.

At a terminal, lines are read with prompt_toolkit: the prompt is part of the edited
line, so backspace, Ctrl-A and friends never garble it, and the up arrow recalls the
session's earlier answers. Anything else (a pipe, a file, a test's StringIO) is read
line by line and each line is echoed, so a scripted session reads as a transcript.
End of input means `:quit`.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from rich.console import Console
from rich.text import Text

PROMPT_STYLE = "bold cyan"


class Terminal:
    """Reads answers and writes output for a session."""

    def __init__(self, console: Console, stdin: TextIO) -> None:
        self.console = console
        self.stdin = stdin
        self.interactive = stdin is sys.stdin and stdin.isatty() and sys.stdout.isatty()
        self._answers: Any = None
        self._edits: Any = None
        if self.interactive:
            # Imported only at a terminal: piped sessions and every other command start without it.
            from prompt_toolkit import PromptSession
            from prompt_toolkit.history import InMemoryHistory
            from prompt_toolkit.styles import Style

            style = Style.from_dict({"prompt": "bold ansicyan"})
            self._answers = PromptSession(history=InMemoryHistory(), style=style)
            # Previews and yes/no questions get their own session, so they do not fill the answers' history.
            self._edits = PromptSession(style=style)

    def ask(self, prompt: str) -> str | None:
        """One answer line without its newline, or None at end of input."""
        return self._read(self._answers, prompt, "")

    def edit(self, prompt: str, text: str) -> str | None:
        """A line that starts as `text` for the student to submit (Enter) or change; None at end of input."""
        return self._read(self._edits, prompt, text)

    def _read(self, session: Any, prompt: str, default: str) -> str | None:
        if session is not None:
            try:
                return session.prompt([("class:prompt", prompt)], default=default)
            except EOFError:
                self.console.print()
                return None
        self.console.print(Text(prompt, style=PROMPT_STYLE), end="")
        line = self.stdin.readline()
        if not line:
            self.console.print()
            return None
        line = line.rstrip("\r\n")
        self.console.print(line, markup=False, highlight=False)
        return line

    def confirm(self, question: str) -> bool | None:
        """A yes/no question (Enter = yes); None at end of input."""
        while True:
            answer = self._read(self._edits, f"{question} [Y/n] ", "")
            if answer is None:
                return None
            if answer.strip().lower() in ("", "y", "yes"):
                return True
            if answer.strip().lower() in ("n", "no"):
                return False
            self.console.print("Type y or n.")
