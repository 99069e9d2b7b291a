"""rnnquiz grader: banks, kinds, equivalence, sessions, reports and the CLI."""
