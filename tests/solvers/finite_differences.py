"""Central finite differences: the independent check every solver's gradients are held to."""

from __future__ import annotations

import numpy as np

EPS = 1e-6


def central(fn, x):
    """Central finite differences of a scalar fn at array x, with x's shape."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += EPS
        down[i] -= EPS
        grad[i] = (fn(up) - fn(down)) / (2 * EPS)
    return grad
