"""How a number is shown to people: the one formatter for verdicts, keys and solver values."""

from __future__ import annotations


def format_number(value: float) -> str:
    """Compact display of a number: 2 not 2.0, 0.1 not 0.1000000001."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"
