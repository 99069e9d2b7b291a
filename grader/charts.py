"""Small terminal charts: people would rather look than read a column of numbers."""

from __future__ import annotations

import math
from typing import Sequence

from rich.table import Table
from rich.text import Text

BAR_WIDTH = 40


def bar_chart(rows: Sequence[tuple[str, float]], *, title: str, value_format: str = "{:.2f}",
              style: str = "cyan") -> Table:
    """Horizontal bars scaled between the smallest and largest value (non-finite values are marked)."""
    finite = [v for _, v in rows if math.isfinite(v)]
    low = min(finite + [0.0]) if finite else 0.0
    high = max(finite) if finite else 1.0
    span = (high - low) or 1.0
    table = Table(title=title, title_justify="left", show_header=False, box=None, pad_edge=False)
    table.add_column(justify="right", style="bold", no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    table.add_column(no_wrap=True)
    for label, value in rows:
        if not math.isfinite(value):
            table.add_row(label, str(value), Text("(not finite)", style="red"))
            continue
        length = round((value - low) / span * BAR_WIDTH)
        table.add_row(label, value_format.format(value), Text("█" * length or "▏", style=style))
    return table


def log_norm_chart(log10_norms: Sequence[float]) -> Table:
    """log₁₀‖∂h_T/∂h_k‖ against k: a falling bar is a vanishing gradient, a rising one exploding."""
    rows = [(f"k={k}", float(v)) for k, v in enumerate(log10_norms)]
    return bar_chart(rows, title="log₁₀‖∂h_T/∂h_k‖ by k (shorter bar = smaller gradient)")
