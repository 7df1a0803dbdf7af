"""Task selection: training on a mixture of tasks, and which mixture to choose (chapter 7,
:doc:`/book/07_selection`).

Training mixes tasks ℓ = 1, …, L, each a covariance Λ_ℓ with its own prompt length n_ℓ, drawn
with probabilities π on the simplex. With A = −c V_wx the LSA predicts ŵ = A S w from a prompt
with sample covariance S = XXᵀ/n_ℓ, and the population loss of the mixture is

    ½ Σ_ℓ π_ℓ E‖w − A S_ℓ w‖² = ½ [d − 2 tr(A Λ̄_π) + tr(A M̄_π Aᵀ)],
    Λ̄_π = Σ_ℓ π_ℓ Λ_ℓ,   M̄_π = Σ_ℓ π_ℓ E[S_ℓ²] = Σ_ℓ π_ℓ [(1 + 1/n_ℓ) Λ_ℓ² + tr(Λ_ℓ) Λ_ℓ / n_ℓ].

Setting the gradient −2 Λ̄_π + 2 A M̄_π to zero gives the multi-task optimum
A_π = Λ̄_π M̄_π⁻¹ (in this order: the two factors need not commute), V_wx = −A_π/c. One task
gives back A = Γ⁻¹ of Theorem 3.1. Test-time CoT on a target Σ then iterates I − A_π Σ̂, and as
m → ∞ its k-step error is ‖(I − A_π Σ)^k‖_F².

Two ways to choose π are offered by :func:`select_tasks`: the paper's simplified convex QP
min_π ‖I − Σ⁻¹ Λ̄_π‖_F², and the exact m → ∞ k-step CoT error of A_π. Both are solved on the
simplex with SciPy's SLSQP.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from . import tasks, theory
from ._checks import as_covariance, as_matrix, steps

__all__ = [
    "iteration_error",
    "qp_objective",
    "cot_objective",
    "select_tasks",
    "closest_task",
]


# Aliases of :func:`ttsbook.theory.mixture_moments`, …, and (``cot_error_limit``) of
# :func:`iteration_error`.
mixture_moments = theory.mixture_moments
mixture_optimum = theory.mixture_optimum
mixture_optimal_v = theory.mixture_optimal_v
mixture_optimal_loss = theory.mixture_optimal_loss


def iteration_error(A: np.ndarray, Sigma: np.ndarray, k):
    """Exact m → ∞ error ‖(I − A Σ)^k‖_F² of k CoT steps w_{i+1} = w_i − A Σ̂ (w_i − w).

    Chapter 7, :doc:`/book/07_selection`. ``A`` is any d × d matrix (for example
    :func:`mixture_optimum`, or −c V_wx read from a trained model); with A = Γ⁻¹ this is
    :func:`ttsbook.theory.cot_error_limit`. ``k`` may be an int (returns a float) or an array of
    ints (returns an array). A diverging chain gives large values or ``inf``, never clipped ones.
    """
    A = as_matrix("A", A)
    Sigma = as_covariance("Sigma", Sigma, A.shape[0])
    return theory.power_norms(np.eye(A.shape[0]) - A @ Sigma, k)


cot_error_limit = iteration_error


def qp_objective(weights, Lambdas, Sigma) -> float:
    """The paper's simplified task-selection objective ‖I − Σ⁻¹ Σ_ℓ π_ℓ Λ_ℓ‖_F² (chapter 7).

    It is a convex quadratic in π and does not depend on the prompt lengths n_ℓ.
    """
    mix = tasks.mixture(Lambdas, None, weights)
    Sigma = as_covariance("Sigma", Sigma, mix.Lambdas.shape[1])
    Lbar = np.einsum("l,lij->ij", mix.weights, mix.Lambdas)
    R = np.eye(Sigma.shape[0]) - np.linalg.solve(Sigma, Lbar)
    return float(np.sum(R**2))


def cot_objective(weights, Lambdas, ns, Sigma, k: int) -> float:
    """The exact objective: the m → ∞ k-step CoT error ‖(I − A_π Σ)^k‖_F² of the mixture π."""
    k = steps("k", k)
    A = mixture_optimum(Lambdas, ns, weights)
    return iteration_error(A, Sigma, k)


def _log_power_norm(M: np.ndarray, k: int) -> float:
    """log ‖M^k‖_F², by repeated squaring with the scale kept apart, so that it neither
    underflows nor overflows (−1e300 for an exactly nilpotent power)."""
    result, log_result = np.eye(M.shape[0]), 0.0
    base, log_base = M.copy(), 0.0
    while k:
        if k & 1:
            result, log_result = result @ base, log_result + log_base
            s = np.linalg.norm(result)
            if s == 0:
                return -1e300
            result, log_result = result / s, log_result + np.log(s)
        k >>= 1
        if k:
            base, log_base = base @ base, 2 * log_base
            s = np.linalg.norm(base)
            if s == 0:
                return -1e300
            base, log_base = base / s, log_base + np.log(s)
    return float(2 * (log_result + np.log(np.linalg.norm(result))))


def _qp_terms(Lambdas: np.ndarray, Sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """vec(I − Σ⁻¹Λ̄_π) = b − B π with b = vec(I) and column ℓ of B = vec(Σ⁻¹Λ_ℓ)."""
    d = Sigma.shape[0]
    B = np.stack([np.linalg.solve(Sigma, Lam).ravel() for Lam in Lambdas], axis=1)
    return np.eye(d).ravel(), B


ZERO_WEIGHT = 1e-9  # weights the optimiser leaves below this are set to 0 (its rounding, not a choice)


def _simplex_minimize(fun, jac, L: int, starts: list[np.ndarray], tol: float) -> np.ndarray:
    cons = ({"type": "eq", "fun": lambda p: np.sum(p) - 1.0, "jac": lambda p: np.ones_like(p)},)
    best, best_val = None, np.inf
    for p0 in starts:
        res = minimize(
            fun,
            p0,
            jac=jac,
            method="SLSQP",
            bounds=[(0.0, 1.0)] * L,
            constraints=cons,
            options={"ftol": tol, "maxiter": 500},
        )
        # SLSQP leaves a task it dropped at rounding level (1e-16 or 0, by CPU) instead of 0; a weight
        # that small is no weight, and as one it would still draw a prompt in lsa.train's batch
        p = np.where(res.x > ZERO_WEIGHT, res.x, 0.0)
        p = p / p.sum()
        val = fun(p)
        if val < best_val:
            best, best_val = p, val
    return best


def select_tasks(
    Lambdas,
    ns,
    Sigma: np.ndarray,
    objective: str = "qp",
    k: int | None = None,
) -> np.ndarray:
    """Choose the task-selection probabilities π on the simplex for a target Σ (chapter 7).

    Parameters
    ----------
    Lambdas : sequence of (d, d) arrays, or an (L, d, d) array
        The candidate training tasks (symmetric positive definite).
    ns : sequence of int
        Their prompt lengths n_ℓ (used by ``objective="cot"``; checked in both cases).
    Sigma : np.ndarray, shape (d, d)
        The downstream target covariance.
    objective : {"qp", "cot"}
        ``"qp"`` (default): the paper's convex QP min_π ‖I − Σ⁻¹ Σ π_ℓ Λ_ℓ‖_F², solved with
        SciPy SLSQP and an exact gradient. It ignores the n_ℓ, so tasks that differ only in their
        prompt length are interchangeable for it (ties are split as the solver finds them).
        ``"cot"``: the exact m → ∞ error of k CoT steps of the trained mixture optimum,
        ‖(I − A_π Σ)^k‖_F², minimised with SLSQP from the uniform mixture and every vertex (it
        is not convex in π); its logarithm is minimised, computed by repeated squaring with the
        scale kept apart, so that errors far below the smallest float (large k) still compare.
    k : int, optional
        The number of CoT steps, required for ``objective="cot"``.

    Returns
    -------
    pi : np.ndarray, shape (L,)
        Non-negative weights summing to one; a weight the optimiser leaves below
        ``ZERO_WEIGHT`` = 10⁻⁹ is exactly 0 (a dropped task, the same on every CPU).
    """
    mix = tasks.mixture(Lambdas, ns, None)
    L, d = mix.Lambdas.shape[0], mix.Lambdas.shape[1]
    Sigma = as_covariance("Sigma", Sigma, d)
    uniform = np.full(L, 1.0 / L)
    if objective == "qp":
        if k is not None:
            raise ValueError("k is only used with objective='cot'")
        b, B = _qp_terms(mix.Lambdas, Sigma)
        scale = max(float(b @ b), 1.0)

        def fun(p):
            r = b - B @ p
            return float(r @ r) / scale

        def jac(p):
            return -2.0 * (B.T @ (b - B @ p)) / scale

        return _simplex_minimize(fun, jac, L, [uniform], tol=1e-14)
    if objective == "cot":
        if k is None:
            raise ValueError("k (the number of CoT steps) is required for objective='cot'")
        k = steps("k", k)

        moments = np.stack([theory.second_moment(Lam, n) for Lam, n in zip(mix.Lambdas, mix.ns, strict=True)])
        eye = np.eye(d)

        def fun(p):
            p = np.clip(p, 0.0, None)
            p = p / p.sum()
            Lbar = np.einsum("l,lij->ij", p, mix.Lambdas)
            Mbar = np.einsum("l,lij->ij", p, moments)
            A = np.linalg.solve(Mbar, Lbar).T
            return _log_power_norm(eye - A @ Sigma, k)

        starts = [uniform] + [np.eye(L)[i] * (1 - 1e-3) + 1e-3 / L for i in range(L)]
        return _simplex_minimize(fun, None, L, starts, tol=1e-12)
    raise ValueError(f"objective must be 'qp' or 'cot', got {objective!r}")


def closest_task(Lambdas, Sigma: np.ndarray) -> int:
    """Index of the task whose covariance is closest to Σ in Frobenius norm, ‖Λ_ℓ − Σ‖_F.

    The "relevant-only" choice of chapter 7 (ties go to the first such task).
    """
    mix = tasks.mixture(Lambdas, None, None)
    Sigma = as_covariance("Sigma", Sigma, mix.Lambdas.shape[1])
    dist = [np.linalg.norm(Lam - Sigma) for Lam in mix.Lambdas]
    return int(np.argmin(np.round(dist, 12)))
