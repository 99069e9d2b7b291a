"""The one door for student math: the whitelisting parser, its tree and echo, evaluation, and equivalence."""
