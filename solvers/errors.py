"""The one exception the solvers raise on purpose."""

from __future__ import annotations


class SolverError(ValueError):
    """A bad solver parameter or `given` value; the message is one line saying what is allowed."""
