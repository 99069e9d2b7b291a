"""The built-in question banks, installed as package data beside this file."""

from __future__ import annotations

from pathlib import Path

BANK_DIR = Path(__file__).resolve().parent
"""Where the built-in `*.yaml` banks live, in a checkout or an installed wheel alike."""


def bank_paths(directory: Path = BANK_DIR) -> list[Path]:
    """The bank files in `directory`, in name order."""
    return sorted(directory.glob("*.yaml"))
