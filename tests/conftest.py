"""Suite-wide settings."""

from hypothesis import settings

# CI must be reproducible: the fuzz tests draw the same examples on every run
# (explore more locally with --hypothesis-seed=random).
settings.register_profile("reproducible", derandomize=True, deadline=None)
settings.load_profile("reproducible")
