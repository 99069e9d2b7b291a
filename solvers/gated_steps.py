"""The worked derivation of the gated-cell solvers (placeholder)."""
def derivation(trace):
    return ()
