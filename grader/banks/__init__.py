"""Banks: safe YAML, loading and validating bank files (by the kinds' own rules), and the catalog of banks."""
