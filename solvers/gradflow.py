"""The `gradflow` solver: do gradients vanish or explode through h_t = f(W_hh h_(t−1) + W_xh x_t + b)?

∂h_T/∂h_k = Π_(s=k+1..T) diag(f′(z_s))·W_hh, so ‖∂h_T/∂h_k‖₂ ≤ (‖W_hh‖₂·max|f′|)^(T−k).
The classification uses the norms actually computed on the sequence (their geometric mean
per step); the bounds give the reason: ‖W_hh‖₂·max|f′| < 1 is sufficient for vanishing,
and > 1 is necessary for exploding. Clipping is shown on a gradient vector `grad`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from solvers import names
from solvers.backend import ACTIVATIONS, MAX_DERIVATIVE, NUMERIC
from solvers.checks import choice, is_sequence
from solvers.errors import SolverError
from solvers.format import number, sub, value
from solvers.solution import Solution
from solvers.values import array, matrix, sized_vector

STABLE_BAND = 0.01
"""A per-step factor within 1 ± STABLE_BAND counts as stable."""
_WORDS = ("classification", "reason")


def _positive(name: str, raw: object) -> float | None:
    if raw is None:
        return None
    v = float(array(name, raw, exact=False))
    if v <= 0:
        raise SolverError(f"{name} must be > 0, got {number(v)}")
    return v


def classify(factor: float) -> str:
    """vanishing, exploding or stable, from the geometric-mean per-step factor."""
    if factor < 1 - STABLE_BAND:
        return "vanishing"
    if factor > 1 + STABLE_BAND:
        return "exploding"
    return "stable"


def _reason(act: str, norm_W: float, max_f: float, rho: float, factor: float, verdict: str, T: int) -> str:
    """One sentence citing the bound and the computed per-step factor behind `verdict`."""
    bound = norm_W * max_f
    compared = "< 1" if bound < 1 else "> 1" if bound > 1 else "= 1"
    head = f"‖W_hh‖₂·max|{act}′| = {number(norm_W)}·{number(max_f)} = {number(bound)} {compared}"
    seen = f"the computed per-step factor ‖∂h_T/∂h_0‖₂^(1/T) is {number(factor)}"
    if verdict == "vanishing" and bound < 1:
        return f"{head}, so ‖∂h_T/∂h_k‖₂ ≤ {number(bound)}^(T−k): vanishing ({seen})"
    if verdict == "vanishing":
        return f"{head} guarantees nothing, but {seen} < 1 over T = {T} steps (ρ(W_hh) = {number(rho)}): vanishing"
    if verdict == "exploding":
        return f"{head} (> 1 is necessary for exploding), ρ(W_hh) = {number(rho)}, and {seen} > 1: exploding"
    return f"{head} and {seen} ≈ 1 (within {number(STABLE_BAND)}): stable"


def solve(params: Mapping[str, object], given: Mapping[str, object]) -> Solution:
    """Norms of ∂h_T/∂h_k, bounds, a classification with its reason, and clipping."""
    return prepare(params)(given)


def prepare(params: Mapping[str, object]) -> Callable[[Mapping[str, object]], Solution]:
    """`solve` for one problem under many overrides: the sequence, its Jacobians and their norms
    do not depend on any override, so they are computed once per problem."""
    T = names.gradflow_length(params)
    act = choice("activation", params["activation"], ACTIVATIONS)
    W_raw = array("W_hh", params["W_hh"], exact=False)
    if W_raw.ndim == 1 or (W_raw.ndim == 2 and W_raw.shape[0] != W_raw.shape[1]):
        raise SolverError(f"W_hh must be a scalar or a square matrix (a list of rows), got shape {W_raw.shape}")
    n = 1 if W_raw.ndim == 0 else W_raw.shape[0]
    W = W_raw.reshape(n, n)
    if params["x"] is None:
        xs = np.zeros((T, 1))
    else:
        raw = list(params["x"]) if is_sequence(params["x"]) else [params["x"]]
        xs = np.array([array(f"x[{i}]", e, exact=False) for i, e in enumerate(raw)])
        if xs.ndim > 2:
            raise SolverError("x must hold scalars or vectors, one per step")
        xs = xs.reshape(T, -1)
    m = xs.shape[1]
    why = f"W_hh ({n}×{n}) and x_t of length {m}"
    U = np.zeros((n, m))
    if params["W_xh"] is not None:
        U = matrix("W_xh", "n×m", array("W_xh", params["W_xh"], exact=False), n, m, why)
    h0, b = (
        np.zeros(n) if params[p] is None else sized_vector(p, array(p, params[p], exact=False), n, f"W_hh ({n}×{n})")
        for p in ("h0", "b")
    )
    scalar = W_raw.ndim == 0

    h, fprimes, jacobians = h0, [], []
    for t in range(T):
        z = W @ h + U @ xs[t] + b
        fprimes.append(NUMERIC.act_prime(act, z))
        jacobians.append(fprimes[-1][:, None] * W)
        h = NUMERIC.act(act, z)
    product, norms = np.eye(n), [1.0]
    for J in reversed(jacobians):  # k = T−1 down to 0
        product = product @ J
        norms.append(spectral_norm(product))
    computed_norm_W = spectral_norm(W)
    computed_rho = spectral_radius(W)
    clip_norm, clip_value = _positive("clip_norm", params["clip_norm"]), _positive("clip_value", params["clip_value"])
    order = names.gradflow(params)
    notes = _notes(act)
    computed_norms, computed_log10 = _with_logs(np.array(norms[::-1]))  # read-only: shared by every solve

    def solve_given(given: Mapping[str, object]) -> Solution:
        fixed = {
            name: str(v) if name in _WORDS else np.asarray(array(f"given {name}", v, exact=False))
            for name, v in given.items()
        }
        over = fixed.get
        norms_arr, log10 = _with_logs(fixed["norms"]) if "norms" in fixed else (computed_norms, computed_log10)
        norm_h0 = float(over("norm_h0", norms_arr[0]))
        factor = float(over("per_step_factor", norm_h0 ** (1 / T)))
        norm_W = float(over("norm_W", computed_norm_W))
        rho = float(over("spectral_radius", computed_rho))
        max_f = float(over("max_act_derivative", MAX_DERIVATIVE[act]))
        bound = float(over("bound_per_step", norm_W * max_f))
        verdict = str(over("classification", classify(factor)))
        out: dict[str, object] = {
            "norms": norms_arr,
            "norm_h0": norm_h0,
            "log10_norms": log10,
            "per_step_factor": factor,
            "spectral_radius": rho,
            "norm_W": norm_W,
            "max_act_derivative": max_f,
            "bound_per_step": bound,
            "classification": verdict,
            "reason": str(over("reason", _reason(act, norm_W, max_f, rho, factor, verdict, T))),
        }
        # The worked steps are written when read: grading solves many times and never reads them.
        steps: list[Callable[[], str]] = [  # after the head and one line per step (see `written`)
            lambda: f"‖∂h_T/∂h_k‖₂ for k = 0..{T}: {value(norms_arr)}",
            lambda: f"‖W_hh‖₂ = {number(norm_W)}, ρ(W_hh) = {number(rho)}, "
                    f"bound per step ‖W_hh‖₂·max|f′| = {number(bound)}",
            lambda: f"per-step factor (‖∂h_T/∂h_0‖₂)^(1/T) = {number(factor)}",
            lambda: str(out["reason"]),
        ]
        if clip_norm is not None or clip_value is not None:
            default = np.ones(n) @ product  # ∂(Σᵢ h_T,i)/∂h_0
            if params["grad"] is not None:
                default = array("grad", params["grad"], exact=False)
            grad = np.asarray(over("grad", default), dtype=float)
            if grad.ndim > 1:
                raise SolverError(f"grad must be a scalar or a vector, got shape {grad.shape}")
            size = float(np.linalg.norm(grad))
            out["grad"] = _result(grad, scalar)
            out["grad_norm"] = float(over("grad_norm", size))
            steps.append(lambda: f"gradient g = {value(out['grad'])}, ‖g‖₂ = {number(size)}")
            if clip_norm is not None:
                clipped = grad * min(1.0, clip_norm / size) if size > 0 else grad
                out["clipped_by_norm"] = _result(over("clipped_by_norm", clipped), scalar)
                steps.append(lambda c=clipped: f"clip by norm: g·min(1, {number(clip_norm)}/‖g‖₂) = {value(c)} "
                                               "(same direction)")
            if clip_value is not None:
                clipped = np.clip(grad, -clip_value, clip_value)
                denom = size * float(np.linalg.norm(clipped))
                cosine = float(grad.reshape(-1) @ clipped.reshape(-1)) / denom if denom > 0 else 1.0
                out["clipped_by_value"] = _result(over("clipped_by_value", clipped), scalar)
                out["direction_change_by_value"] = float(over("direction_change_by_value", cosine))
                steps.append(lambda c=clipped: f"clip by value: each entry into [−{number(clip_value)}, "
                                               f"{number(clip_value)}] = {value(c)}; cosine with g = {number(cosine)}")

        def written() -> tuple[str, ...]:
            # the line per step t is made here rather than as a closure per step in every solve
            head = (f"h_t = {act}(W_hh·h_(t−1) + W_xh·x_t + b), n = {n}, T = {T}; "
                    f"∂h_t/∂h_(t−1) = diag({act}′(z_t))·W_hh")
            per_step = (f"{act}′(z{sub(t + 1)}) = {value(fp if not scalar else fp[0])}" for t, fp in enumerate(fprimes))
            return (head, *per_step, *(line() for line in steps))

        return Solution.ordered(order, out, written, notes)

    return solve_given


def spectral_norm(A: np.ndarray) -> float:
    """‖A‖₂, the largest singular value (|a| for a 1×1 matrix: see `_magnitude`)."""
    found = _magnitude(A)
    return float(np.linalg.norm(A, 2)) if found is None else found


def spectral_radius(A: np.ndarray) -> float:
    """ρ(A), the largest |eigenvalue| (|a| for a 1×1 matrix: see `_magnitude`)."""
    found = _magnitude(A)
    return float(np.max(np.abs(np.linalg.eigvals(A)))) if found is None else found


def _magnitude(A: np.ndarray) -> float | None:
    """|a| for a 1×1 matrix, the bits LAPACK gives for its norm and radius (every scalar problem
    asks T + 1 of them); None for a larger matrix, and outside 1e±100, where LAPACK rescales
    and so rounds."""
    if A.shape == (1, 1) and 1e-100 <= abs(A[0, 0]) <= 1e100:
        return abs(float(A[0, 0]))
    return None


def _with_logs(norms: object) -> tuple[np.ndarray, np.ndarray]:
    """The norms and their log10 (−inf for a norm of 0), as read-only float arrays."""
    values = np.asarray(norms, dtype=float)
    with np.errstate(divide="ignore"):
        return _frozen(values), _frozen(np.log10(values))


def _frozen(a: np.ndarray) -> np.ndarray:
    out = np.array(a, dtype=np.float64)
    out.flags.writeable = False
    return out


def _result(a: object, scalar: bool) -> float | np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    return float(a.reshape(-1)[0]) if scalar and a.size == 1 else _frozen(a)


def _notes(act: str) -> tuple[str, ...]:
    return (
        f"Norms are spectral norms (largest singular value); max|{act}′| = {number(MAX_DERIVATIVE[act])}.",
        f"A per-step factor within 1 ± {number(STABLE_BAND)} is classified as stable.",
    )
