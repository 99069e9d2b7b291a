"""`python -m grader.cli`: the same entry point as the `rnnquiz` console script."""

from grader.cli import main_entry

main_entry()
