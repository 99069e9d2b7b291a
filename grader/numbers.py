"""How a number is shown to people: the one formatter for verdicts, keys and solver values."""

from __future__ import annotations


def format_number(value: float) -> str:
    """Compact display of a number: 2 not 2.0, 0.1 not 0.1000000001."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


def format_rounded(value: float, decimals: int) -> str:
    """A score or a number of points to at most `decimals` decimals, no trailing zeros: 2, 0.75, 0.67."""
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
