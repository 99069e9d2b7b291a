"""Text from students and files, made safe to echo on a terminal or in a report.

A student's answer, a submission's file name or a bank's text can hold control characters:
an ESC starts a terminal escape sequence (clear the screen, set the window title, rewrite
what the instructor reads), a BEL rings, a bidi override reorders what follows. Whatever
we echo goes through `visible`, which spells every such character as an inert escape
(`\\x1b`), so the sequence shows as text and does nothing.
"""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls, and the bidi embeddings, overrides
# and isolates (U+202A–U+202E, U+2066–U+2069) that reorder the text after them.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every control character spelled as an escape; tab and newline kept."""
    return _UNSAFE.sub(_escape, text)


def one_line(text: str) -> str:
    """`visible(text)` on one line: newlines and tabs also spelled as escapes."""
    return visible(text).replace("\n", "\\n").replace("\t", "\\t")


def json_escapes(text: str) -> str:
    """JSON text with the controls `json.dumps` leaves raw (DEL, C1, bidi) written as `\\uXXXX`,
    so printing or `cat`-ing the JSON cannot drive a terminal either."""
    return _UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
