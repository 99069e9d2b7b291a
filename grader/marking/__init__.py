"""Marking: question kinds, keys, options, diagnosis, follow-through and randomised variants."""
