"""sympy, imported on first use, so a numeric solve never pays for it.

The CLI's fast commands (checking a number answer, say) run the numeric solvers; loading
sympy would triple their start-up time. `is_sympy` answers "is this a sympy object?"
without importing sympy: if sympy has not been imported, nothing can be one.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any


class _LazyModule:
    """A stand-in that imports the named module when an attribute is first asked for."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)


sympy: Any = _LazyModule("sympy")


def is_sympy(value: object, kind: str = "Basic") -> bool:
    """Whether `value` is a sympy object of `kind` (Basic, MatrixBase, …), importing nothing."""
    module = sys.modules.get("sympy")
    return module is not None and isinstance(value, getattr(module, kind))
