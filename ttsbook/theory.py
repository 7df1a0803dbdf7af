"""Closed forms of the paper, and the ones the book derives from its setup.

Notation (the same in prose, code and plots): Λ training covariance, Σ test covariance,
n training prompt length, m test prompt length, k chain-of-thought steps, d dimension.

* Γ = (1 + 1/n) Λ + tr(Λ)/n · I (Theorem 3.1) and the optimal LSA block V_wx = −Γ⁻¹/c
  (chapter 2, :doc:`/book/02_training`).
* Aliases: ``optimal_cot_steps`` (of :func:`best_cot_steps` with ``k_max``),
  ``direct_error_general`` (of :func:`direct_error`), ``cot_error_limit_general`` (of
  :func:`cot_error_limit`).
* The exact one-step (direct ICL) error and the Theorem 3.3 bound; the Corollary 3.5
  scaling law; the exact m → ∞ error of k pseudo-Newton steps (chapters 3–5).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
from scipy.optimize import brentq

from . import tasks
from ._checks import (
    as_covariance,
    as_matrix,
    invertible,
    positive_float,
    positive_int,
    steps,
    steps_array,
)

__all__ = [
    "gamma",
    "hardness",
    "optimal_v",
    "optimal_loss",
    "second_moment",
    "direct_error",
    "direct_error_bound",
    "cot_error_bound",
    "cot_error_limit",
    "cot_error_limit_per_skill",
    "skill_ratios",
    "condition_number",
    "overthinking_skills",
    "power_norms",
    "best_cot_steps",
    "critical_train_length",
    "spectrum_edges",
    "critical_prompt_ratio",
    "mixture_moments",
    "mixture_optimum",
    "mixture_optimal_v",
    "mixture_optimal_loss",
    "stable_step_size",
]


def gamma(Lambda: np.ndarray, n: int) -> np.ndarray:
    """Γ = (1 + 1/n) Λ + tr(Λ)/n · I, the matrix the trained LSA inverts (Theorem 3.1).

    It satisfies E[S²] = ΓΛ for the sample covariance S = XXᵀ/n of a training prompt.
    """
    Lambda = as_covariance("Lambda", Lambda)
    n = positive_int("n", n)
    d = Lambda.shape[0]
    return (1 + 1 / n) * Lambda + np.trace(Lambda) / n * np.eye(d)


def hardness(Lambda: np.ndarray) -> float:
    """Hard(Λ) = tr(Λ) / λ_min(Λ): large when the task has a long tail of rare skills."""
    Lambda = as_covariance("Lambda", Lambda)
    return float(np.trace(Lambda) / np.linalg.eigvalsh(Lambda)[0])


def optimal_v(Lambda: np.ndarray, n: int, c: float = 1.0) -> np.ndarray:
    """The optimal block V_wx = −Γ⁻¹/c of the LSA value matrix (Theorem 3.1)."""
    c = positive_float("c", c)
    return -np.linalg.inv(gamma(Lambda, n)) / c


def optimal_loss(Lambda: np.ndarray, n: int) -> float:
    """The optimal training loss L* = ½ (d − tr(Γ⁻¹Λ)) of the LSA (½ E‖ŵ − w‖² at the optimum)."""
    Lambda = as_covariance("Lambda", Lambda)
    G = gamma(Lambda, n)
    return float(0.5 * (Lambda.shape[0] - np.trace(np.linalg.solve(G, Lambda))))


def second_moment(Sigma: np.ndarray, m: int) -> np.ndarray:
    """E[Ŝ²] = (1 + 1/m) Σ² + tr(Σ)/m · Σ for Ŝ = XXᵀ/m with m columns x_i ~ N(0, Σ).

    With Σ = Λ and m = n this is ΓΛ.
    """
    Sigma, m = as_covariance("Sigma", Sigma), positive_int("m", m)
    return _moments(Sigma[None], (m,), np.ones(1))[1]


def _moments(Lambdas: np.ndarray, ns, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Λ̄ = Σ π_ℓ Λ_ℓ and M̄ = Σ π_ℓ [(1 + 1/n_ℓ) Λ_ℓ² + tr(Λ_ℓ)/n_ℓ · Λ_ℓ], the formulas alone."""
    Lbar = np.einsum("l,lij->ij", weights, Lambdas)
    Mbar = np.zeros_like(Lbar)
    for p, Lam, n in zip(weights, Lambdas, ns, strict=True):
        Mbar += p * ((1 + 1 / n) * Lam @ Lam + np.trace(Lam) / n * Lam)
    return Lbar, (Mbar + Mbar.T) / 2


def direct_error(Gamma: np.ndarray, Sigma: np.ndarray, m: int) -> float:
    """Exact E‖ŵ − w‖² of one step ŵ = Γ⁻¹Ŝw on a test prompt of length m with covariance Σ.

    ‖I − Γ⁻¹Σ‖_F² + (1/m) [tr(Γ⁻¹Σ²Γ⁻ᵀ) + tr(Σ) tr(Γ⁻¹ΣΓ⁻ᵀ)], for w ~ N(0, I) and x_i ~ N(0, Σ).
    ``Gamma`` may be any invertible matrix: :func:`gamma`, or the Γ̂ = −(c V_wx)⁻¹ read back from
    a trained model (``LSA.gamma``), which mini-batch gradient descent leaves symmetric only up
    to its sampling noise (chapter 4, :doc:`/book/04_hardness`).
    """
    Gamma = invertible("Gamma", Gamma)
    Sigma = as_covariance("Sigma", Sigma, Gamma.shape[0])
    m = positive_int("m", m)
    A = np.linalg.inv(Gamma)
    R = np.eye(Gamma.shape[0]) - A @ Sigma
    variance = (np.trace(A @ Sigma @ Sigma @ A.T) + np.trace(Sigma) * np.trace(A @ Sigma @ A.T)) / m
    return float(np.sum(R**2) + variance)


def direct_error_bound(Lambda: np.ndarray, n: int, m: int) -> float:
    """Theorem 3.3: E‖ŵ − w‖² ≤ d/n² (1 + Hard(Λ))² + d/m (1 + Hard(Λ)) for test covariance Λ."""
    Lambda = as_covariance("Lambda", Lambda)
    n = positive_int("n", n)
    m = positive_int("m", m)
    d = Lambda.shape[0]
    h = hardness(Lambda)
    return float(d / n**2 * (1 + h) ** 2 + d / m * (1 + h))


def cot_error_bound(Lambda: np.ndarray, n: int, k):
    """Corollary 3.5, leading term: d (1 + n/(1 + Hard(Λ)))^(−2k). ``k`` may be an array."""
    Lambda = as_covariance("Lambda", Lambda)
    n = positive_int("n", n)
    ks, scalar = steps_array("k", k)
    d = Lambda.shape[0]
    out = d * (1 + n / (1 + hardness(Lambda))) ** (-2.0 * ks)
    return float(out) if scalar else out


def cot_error_limit(Gamma: np.ndarray, Sigma: np.ndarray, k):
    """Exact E‖w_k − w‖² = ‖(I − Γ⁻¹Σ)^k‖_F² of k pseudo-Newton steps as m → ∞ (w ~ N(0, I)).

    ``Gamma`` may be any invertible matrix (a trained model's Γ̂ is not exactly symmetric, see
    :func:`direct_error`). ``k`` may be an int (returns a float) or an array of ints (returns an
    array). A diverging iteration returns large values or ``inf``, never clipped ones.
    """
    Gamma = invertible("Gamma", Gamma)
    Sigma = as_covariance("Sigma", Sigma, Gamma.shape[0])
    return _power_norms(np.eye(Gamma.shape[0]) - np.linalg.solve(Gamma, Sigma), k)


def power_norms(M: np.ndarray, k):
    """‖M^k‖_F² for the iteration matrix M of a linear chain; ``k`` an int or an array of ints.

    The m → ∞ error of a chain w_{i+1} − w = M (w_i − w) from w_0 = 0 with w ~ N(0, I).
    Overflow gives ``inf``, never a clipped value.
    """
    return _power_norms(as_matrix("M", M), k)


def _power_norms(M: np.ndarray, k):
    ks, scalar = steps_array("k", k)
    out = np.empty(ks.size)
    with np.errstate(over="ignore", invalid="ignore"):
        for idx, kk in enumerate(ks.ravel()):
            val = np.sum(np.linalg.matrix_power(M, int(kk)) ** 2)
            out[idx] = val if np.isfinite(val) else np.inf
    out = out.reshape(ks.shape)
    return float(out) if scalar else out


def skill_ratios(Gamma: np.ndarray, Sigma: np.ndarray) -> np.ndarray:
    """The eigenvalues of Γ^{-1/2} Σ Γ^{-1/2}, ascending.

    When Γ and Σ share eigenvectors these are σ_j/γ_j, one per skill. The m → ∞ iteration
    contracts skill j when its ratio is in (0, 2) and blows it up when the ratio exceeds 2.
    """
    Gamma = as_covariance("Gamma", Gamma)
    return _skill_ratios(Gamma, as_covariance("Sigma", Sigma, Gamma.shape[0]))


def _skill_ratios(Gamma: np.ndarray, Sigma: np.ndarray) -> np.ndarray:
    evals, U = np.linalg.eigh(Gamma)
    Gih = U @ np.diag(evals**-0.5) @ U.T
    B = Gih @ Sigma @ Gih
    return np.linalg.eigvalsh((B + B.T) / 2)


def overthinking_skills(Gamma: np.ndarray, Sigma: np.ndarray) -> np.ndarray:
    """Boolean mask over :func:`skill_ratios`: the directions with ratio > 2, which diverge under CoT."""
    return skill_ratios(Gamma, Sigma) > 2


def cot_error_limit_per_skill(Gamma: np.ndarray, Sigma: np.ndarray, k) -> np.ndarray:
    """Per-skill m → ∞ error (1 − σ_j/γ_j)^(2k) for commuting Γ and Σ.

    Shape (len(k), d) for an array ``k``, (d,) for an int ``k``.

    The skills are the common eigenvectors, ordered by the eigenvalues σ_j of Σ (descending);
    skills with equal σ_j (to a relative 1e-10) are ordered by γ_j ascending, that is by the
    ratio σ_j/γ_j descending, so the order is defined for any input (Σ = I included).
    Raises ``ValueError`` if Γ and Σ do not commute (their skills are then not shared).
    """
    Gamma = as_covariance("Gamma", Gamma)
    Sigma = as_covariance("Sigma", Sigma, Gamma.shape[0])
    ks, scalar = steps_array("k", k)
    gam, sig = _joint_eigen(Gamma, Sigma, "Gamma and Sigma")
    key = np.round(sig / np.max(sig), 10)
    order = np.lexsort((np.round(gam / np.max(gam), 10), -key))
    r = 1 - sig[order] / gam[order]
    with np.errstate(over="ignore"):
        out = r[None, :] ** (2.0 * ks.ravel()[:, None])
    return out[0] if scalar else out.reshape(ks.shape + (r.size,))


def optimal_cot_steps(Gamma: np.ndarray, Sigma: np.ndarray, k_max: int) -> int:
    """Alias of ``best_cot_steps(Gamma, Sigma, k_max=k_max)``: the best k in {0, …, k_max}."""
    return best_cot_steps(Gamma, Sigma, k_max=k_max)


#: Aliases: :func:`direct_error` and :func:`cot_error_limit` accept any invertible Γ.
direct_error_general = direct_error
cot_error_limit_general = cot_error_limit


def _joint_eigen(A: np.ndarray, B: np.ndarray, name: str, rtol: float = 1e-8) -> tuple[np.ndarray, np.ndarray]:
    """Diagonal entries of two commuting symmetric matrices in a shared eigenbasis (same order).

    Scale-free: commutation is tested as ‖AB − BA‖_F ≤ rtol ‖A‖_F ‖B‖_F. A is diagonalised, its
    eigenvalues are grouped into clusters (gaps ≤ rtol ‖A‖_2), B is diagonalised inside each
    cluster's eigenspace, and the basis found is checked to diagonalise both matrices (relative
    off-diagonal mass ≤ 1e-6), else ``ValueError``.
    """
    nA, nB = np.linalg.norm(A), np.linalg.norm(B)
    if np.linalg.norm(A @ B - B @ A) > rtol * nA * nB:
        raise ValueError(f"{name} must commute for a per-skill formula")
    evals, U = np.linalg.eigh(A)
    cuts = np.flatnonzero(np.diff(evals) > rtol * np.max(np.abs(evals))) + 1
    for block in np.split(np.arange(evals.size), cuts):
        if block.size > 1:
            Ub = U[:, block]
            _, W = np.linalg.eigh(Ub.T @ B @ Ub)
            U[:, block] = Ub @ W
    DA, DB = U.T @ A @ U, U.T @ B @ U
    for D, norm in ((DA, nA), (DB, nB)):
        if np.linalg.norm(D - np.diag(np.diag(D))) > 1e-6 * norm:
            raise ValueError(f"{name} must commute for a per-skill formula (no shared eigenbasis found)")
    return np.diag(DA).copy(), np.diag(DB).copy()


def best_cot_steps(Gamma: np.ndarray, Sigma: np.ndarray, k_max: int | None = None, k_cap: int = 10**7):
    """The number of CoT steps k ≥ 0 that minimises the m → ∞ error :func:`cot_error_limit`.

    With ``k_max`` given: the k in {0, …, k_max} with the smallest error (the smallest on ties),
    an ``int``. Without (the default), k has no upper limit:

    Returns ``inf`` (a float) when no skill overthinks (every ratio of :func:`skill_ratios`
    is at most 2, so the spectral radius of I − Γ⁻¹Σ is at most 1): no finite k is then
    best, since the error tends to its infimum as k → ∞. For commuting Γ and Σ it never turns
    up on the way (chapter 5, :doc:`/book/05_overthinking`); for non-commuting ones it can rise at
    some steps, since I − Γ⁻¹Σ is then not normal (already at d = 2 with the largest ratio 1.98
    the error can rise at every other step before it decays, ``tests/test_overthinking.py``), and
    ``inf`` then means only that the error's limit is its infimum. Otherwise returns the smallest
    minimising k as an ``int`` (0 when one step already hurts).

    For commuting Γ and Σ the error f(k) = Σ_j a_j^k, a_j = (1 − σ_j/γ_j)², is convex in k and
    its increment Σ_j a_j^k (a_j − 1) increases with k, so the minimiser is found by bisection.
    Otherwise f(k) = ‖(I − Γ⁻¹Σ)^k‖_F² is evaluated step by step until the lower bound
    f(k) ≥ ρ^{2k}/κ(Γ) (ρ the spectral radius of I − Γ⁻¹Σ, κ the condition number of Γ) exceeds
    the best value seen, which proves that no later k can do better. ``k_cap`` bounds the search
    and a ``ValueError`` is raised if the minimiser lies beyond it.
    """
    Gamma = as_covariance("Gamma", Gamma)
    Sigma = as_covariance("Sigma", Sigma, Gamma.shape[0])
    k_cap = positive_int("k_cap", k_cap)
    if k_max is not None:
        k_max = steps("k_max", k_max)
        errs = _power_norms(np.eye(Gamma.shape[0]) - np.linalg.solve(Gamma, Sigma), np.arange(k_max + 1))
        return int(np.argmin(errs))
    r = _skill_ratios(Gamma, Sigma)
    rho = float(np.max(np.abs(1 - r)))
    if rho <= 1 + 1e-9:  # a ratio of 2 up to rounding: that skill's error stays constant
        return float("inf")
    try:
        gam, sig = _joint_eigen(Gamma, Sigma, "Gamma and Sigma")
        a = (1 - sig / gam) ** 2
        a[np.abs(a - 1) <= 1e-9] = 1.0  # ratio 2 up to rounding: a constant term
        commuting = True
    except ValueError:
        commuting = False
    if commuting:

        def increment(k: int) -> float:
            with np.errstate(over="ignore", invalid="ignore"):
                terms = a**k * (a - 1)
            return float("inf") if np.any(np.isinf(terms)) else float(np.sum(terms))

        if increment(0) >= 0:
            return 0
        lo, hi = 0, 1  # increment(lo) < 0; look for hi with increment(hi) >= 0
        while increment(hi) < 0:
            if hi >= k_cap:
                raise ValueError(f"the best k exceeds k_cap = {k_cap}")
            lo, hi = hi, min(2 * hi, k_cap)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if increment(mid) < 0:
                lo = mid
            else:
                hi = mid
        return hi
    M = np.eye(Gamma.shape[0]) - np.linalg.solve(Gamma, Sigma)
    ev = np.linalg.eigvalsh(Gamma)
    kappa = ev[-1] / ev[0]
    P = np.eye(Gamma.shape[0])
    best_k, best = 0, float(np.sum(P**2))
    for k in range(1, k_cap + 1):
        P = M @ P
        val = float(np.sum(P**2))
        if val < best:
            best_k, best = k, val
        if 2 * k * np.log(rho) - np.log(kappa) > np.log(best):
            return best_k
    raise ValueError(f"the best k exceeds k_cap = {k_cap}")


def critical_train_length(Lambda: np.ndarray, Sigma: np.ndarray) -> float:
    """The training length n_c above which a model trained on Λ overthinks on Σ (m → ∞).

    For commuting Λ and Σ (shared skills), skill j has ratio σ_j/γ_j with
    γ_j = λ_j + (λ_j + tr Λ)/n, so the ratio grows with n; it exceeds 2 exactly when σ_j > 2λ_j and
    n > (λ_j + tr Λ)/(σ_j/2 − λ_j). So n_c is the smallest of these, and the model overthinks
    (:func:`best_cot_steps` is finite) if and only if n > n_c. Returns ``inf`` when no skill has
    σ_j > 2λ_j: then no training length overthinks. Chapter 5, :doc:`/book/05_overthinking`.
    """
    Lambda = as_covariance("Lambda", Lambda)
    Sigma = as_covariance("Sigma", Sigma, Lambda.shape[0])
    lam, sig = _joint_eigen(Lambda, Sigma, "Lambda and Sigma")
    T = float(np.trace(Lambda))
    under = sig > 2 * lam
    if not np.any(under):
        return float("inf")
    return float(np.min((lam[under] + T) / (sig[under] / 2 - lam[under])))


def spectrum_edges(Gamma: np.ndarray, Sigma: np.ndarray, m: int) -> tuple[float, float]:
    """Edges (s₋, s₊) of the deterministic-equivalent spectrum of B = Γ^{-1/2} Ŝ Γ^{-1/2}.

    Ŝ = XXᵀ/m is the sample covariance of a test prompt of m examples x_i ~ N(0, Σ). As d, m → ∞
    at a fixed ratio γ = d/m, the spectrum of B tends to the Marchenko–Pastur law with population
    values t_i = eig(Γ^{-1/2}ΣΓ^{-1/2}) (= eig(Γ⁻¹Σ)). By Silverstein's equation the Stieltjes
    transform b of the companion matrix XᵀΓ⁻¹X/m inverts to

        z(b) = −1/b + γ · mean_i t_i / (1 + t_i b),

    and the edges of the support are the values of z at its critical points, z'(b) = 0, i.e.
    h(b) = γ · mean_i (t_i b / (1 + t_i b))² = 1 (chapter 6, :doc:`/book/06_finite_m`):

    * s₊: the one root in (−1/t_max, 0), where h rises monotonically from 0 to ∞; z is
      smallest there, and z increases to +∞ on either side of it;
    * s₋ for γ < 1: the one root in (−∞, −1/t_min), where h falls from ∞ to γ < 1; z is largest
      there and the spectrum has no mass in (0, s₋);
    * s₋ for γ > 1 (m < d): the one root in (0, ∞), where h rises from 0 to γ > 1. B then has
      d − m zero eigenvalues, which this deterministic equivalent leaves out: s₋ is the lower
      edge of the non-zero bulk. The zero directions are the null space of Ŝ, along which the
      chain of thought never moves (its error there stays at its starting value);
    * s₋ = 0 for γ = 1.

    Each root is found by ``scipy.optimize.brentq`` on a bracket where h − 1 changes sign (see
    the source). With one population value t_i = c the edges are c(1 ± √γ)². The chain
    w_{i+1} − w = (I − Γ⁻¹Ŝ)(w_i − w) has the eigenvalues 1 − s of I − B, so in the limit
    d, m → ∞ at fixed d/m a typical prompt's chain diverges when s₊ > 2 and otherwise contracts
    by ``max(|1 − s₋|, |1 − s₊|)`` per step.

    The criterion s₊ > 2 is a limit statement. At finite d the largest eigenvalue of B fluctuates
    about a value below s₊, and most when the top population values t_i stand apart from the rest
    (a power law): at d = 100, m = 2d the mean λ_max(B) sits about 12 % below s₊ for t_i ∝ i^{-1.5}
    (3 % for equal t_i), and still 5–8 % at d = 400. So a setting with s₊ a little above 2 can have
    fewer than half of its prompts diverging, and the switch from "most prompts diverge" to "none
    does" is a ramp around s₊ = 2 that sharpens only as d grows (``tests/test_finite_m.py``).

    Parameters
    ----------
    Gamma : np.ndarray, shape (d, d)
        Symmetric positive definite. A Γ̂ read back from a trained model (``LSA.gamma``) is
        symmetric only up to training noise: pass its symmetric part (Γ̂ + Γ̂ᵀ)/2. The eigenvalues
        of Γ̂⁻¹Ŝ differ from those for the symmetric part only at second order in the skew part
        (a skew-symmetric perturbation of a symmetric matrix has no first-order effect).
    Sigma : np.ndarray, shape (d, d)
        The test covariance, symmetric positive definite.
    m : int
        The test prompt length, m >= 1.

    Returns
    -------
    (float, float)
        s₋ and s₊, with 0 <= s₋ <= s₊.
    """
    Gamma = as_covariance("Gamma", Gamma)
    Sigma = as_covariance("Sigma", Sigma, Gamma.shape[0])
    m = positive_int("m", m)
    Li = scipy.linalg.solve_triangular(np.linalg.cholesky(Gamma), np.eye(Gamma.shape[0]), lower=True)
    t = np.linalg.eigvalsh(Li @ Sigma @ Li.T)  # eig(Γ⁻¹Σ) = eig(L⁻¹ΣL⁻ᵀ) for Γ = LLᵀ, ascending
    t = np.clip(t, np.finfo(float).tiny, None)
    d = t.size
    g = d / m

    def h_minus_1(u: np.ndarray) -> float:
        return g * float(np.mean(u**2)) - 1.0

    # s₊: b = −s/t_max with s in (0, 1); u_i = −r_i s/(1 − r_i s), r_i = t_i/t_max. At s = 0,
    # h − 1 = −1; at s = 2√m/(1 + 2√m) the t_max term alone is γ/d · 4m = 4, so h − 1 >= 3.
    r = t / t[-1]
    s_star = brentq(lambda s: h_minus_1(r * s / (1 - r * s)), 0.0, 2 * np.sqrt(m) / (1 + 2 * np.sqrt(m)))
    s_plus = t[-1] / s_star + g * float(np.mean(t / (1 - r * s_star)))
    if d < m:
        # s₋: b = −1/(t_min v), v in (0, 1); u_i = ρ_i/(ρ_i − v), ρ_i = t_i/t_min >= 1. At v = 0,
        # h − 1 = γ − 1 < 0; at v = 1 − 1/(2√m) the t_min term alone is 4, so h − 1 >= 3.
        rho = t / t[0]
        v = brentq(lambda v: h_minus_1(rho / (rho - v)), 0.0, 1 - 1 / (2 * np.sqrt(m)))
        s_minus = t[0] * v + g * float(np.mean(t * v / (v - rho)))
    elif d > m:
        # s₋: b > 0, x = t_min b; u_i >= x/(1 + x), so h − 1 >= γ (x/(1 + x))² − 1 > 0 once
        # x/(1 + x) > γ^{-1/2}; x = 2a/(1 − a) with a = γ^{-1/2} gives x/(1 + x) = 2a/(1 + a) > a.
        a = 1 / np.sqrt(g)
        x_hi = 2 * a / (1 - a)
        x = brentq(lambda x: h_minus_1((t / t[0]) * x / (1 + (t / t[0]) * x)), 0.0, x_hi)
        b = x / t[0]
        s_minus = -1 / b + g * float(np.mean(t / (1 + t * b)))
    else:
        s_minus = 0.0
    return float(max(s_minus, 0.0)), float(s_plus)


def critical_prompt_ratio(Gamma: np.ndarray, Sigma: np.ndarray, s: float = 2.0) -> float:
    """The test prompt length m/d at which the upper edge s₊ of :func:`spectrum_edges` equals ``s``.

    In the continuum of the deterministic equivalent (γ = d/m any positive real): s₊ falls as m
    grows, from ∞ at m → 0 to t_max = λ_max(Γ⁻¹Σ) as m → ∞, so a prompt longer than this
    m/d has s₊ < s. Returns ``inf`` when t_max >= s (then s₊ > s at every m); raises
    ``ValueError`` when t_max is below s by less than rounding can resolve. For s = 2 this is the
    m/d below which a typical chain diverges, in the limit of large d (see :func:`spectrum_edges`
    for what finite d changes).

    On the critical curve of Silverstein's equation, b = −σ/t_max with σ in (0, 1), the condition
    h(b) = 1 gives γ(σ) = 1 / mean_i(u_i²), u_i = r_i σ/(1 − r_i σ), r_i = t_i/t_max, and the
    edge is s₊(σ) = t_max/σ + γ(σ) mean_i t_i/(1 − r_i σ), which runs from ∞ (σ → 0) to t_max
    (σ → 1); ``scipy.optimize.brentq`` finds the σ with s₊(σ) = s and the function returns 1/γ(σ).
    """
    Gamma = as_covariance("Gamma", Gamma)
    Sigma = as_covariance("Sigma", Sigma, Gamma.shape[0])
    s = positive_float("s", s)
    Li = scipy.linalg.solve_triangular(np.linalg.cholesky(Gamma), np.eye(Gamma.shape[0]), lower=True)
    t = np.clip(np.linalg.eigvalsh(Li @ Sigma @ Li.T), np.finfo(float).tiny, None)
    if t[-1] >= s:
        return float("inf")
    r = t / t[-1]

    def gamma_of(sig: float) -> float:
        return 1.0 / float(np.mean((r * sig / (1 - r * sig)) ** 2))

    def edge_minus_s(sig: float) -> float:
        return t[-1] / sig + gamma_of(sig) * float(np.mean(t / (1 - r * sig))) - s

    lo = min(0.5, t[-1] / (2 * s))  # s₊(σ) > t_max/σ >= 2s there
    hi = 1 - 1e-6
    while edge_minus_s(hi) >= 0:  # s₊ → t_max < s as σ → 1
        if 1 - hi < 1e-13:
            raise ValueError(
                f"s = {s!r} is within rounding of λ_max(Γ⁻¹Σ) = {t[-1]!r}: the ratio is too large to resolve"
            )
        hi = 1 - (1 - hi) / 100
    sig = brentq(edge_minus_s, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps)
    return 1.0 / gamma_of(sig)


def mixture_moments(Lambdas, ns, weights) -> tuple[np.ndarray, np.ndarray]:
    """The mixture moments Λ̄_π = Σ π_ℓ Λ_ℓ and M̄_π = Σ π_ℓ E[S_ℓ²].

    E[S_ℓ²] = (1 + 1/n_ℓ) Λ_ℓ² + tr(Λ_ℓ) Λ_ℓ / n_ℓ is the second moment of the sample
    covariance of a prompt of n_ℓ examples from task ℓ (it equals Γ_ℓ Λ_ℓ). M̄_π is the
    curvature of the training loss in A = −c V_wx (chapter 7, :doc:`/book/07_selection`).

    Parameters
    ----------
    Lambdas : sequence of (d, d) arrays, an (L, d, d) array, or one (d, d) array
        The task covariances, each symmetric positive definite.
    ns : int or sequence of int
        The prompt length of each task.
    weights : sequence of float
        The mixture probabilities π (on the simplex).

    Returns
    -------
    Lbar, Mbar : np.ndarray, shape (d, d)
    """
    mix = tasks.mixture(Lambdas, ns, weights)
    if mix.ns is None or mix.weights is None:
        raise ValueError("ns and weights must be given for the mixture moments")
    return _moments(mix.Lambdas, mix.ns, mix.weights)


def mixture_optimum(Lambdas, ns, weights) -> np.ndarray:
    """A_π = Λ̄_π M̄_π⁻¹, the matrix A = −c V_wx that minimises the mixture's training loss.

    Chapter 7, :doc:`/book/07_selection`. For a single task it is Γ⁻¹ (Theorem 3.1). A_π is
    not symmetric in general when the Λ_ℓ do not commute.
    """
    return _optimum(*mixture_moments(Lambdas, ns, weights))


def _optimum(Lbar: np.ndarray, Mbar: np.ndarray) -> np.ndarray:
    """A = Λ̄ M̄⁻¹ from the moments: A M̄ = Λ̄  ⇔  M̄ Aᵀ = Λ̄ (M̄, Λ̄ symmetric)."""
    return np.linalg.solve(Mbar, Lbar).T


def mixture_optimal_v(Lambdas, ns, weights, c: float = 1.0) -> np.ndarray:
    """The optimal LSA block V_wx = −A_π / c for a task mixture (chapter 7)."""
    c = positive_float("c", c)
    return -mixture_optimum(Lambdas, ns, weights) / c


def mixture_optimal_loss(Lambdas, ns, weights) -> float:
    """The optimal mixture training loss ½ (d − tr(A_π Λ̄_π)) (chapter 7)."""
    Lbar, Mbar = mixture_moments(Lambdas, ns, weights)
    return float(0.5 * (Lbar.shape[0] - np.trace(_optimum(Lbar, Mbar) @ Lbar)))


def stable_step_size(Lambda, n, c: float = 1.0, weights=None) -> float:
    """The largest stable constant step of gradient descent on V_wx: 2 / (c² λ_max(M̄_π)).

    With A = −c V_wx the population training loss is ½ [d − 2 tr(A Λ̄_π) + tr(A M̄_π Aᵀ)],
    whose gradient in V_wx is −c (A M̄_π − Λ̄_π). A step of size η maps the error
    V_wx − V* to (V_wx − V*)(I − η c² M̄_π), which contracts if and only if
    η < 2 / (c² λ_max(M̄_π)). For one task M̄ = E[S²] = ΓΛ (Theorem 3.1).

    Parameters
    ----------
    Lambda : (d, d) array, or a sequence of them for a task mixture
        The training covariance(s).
    n : int or sequence of int
        The prompt length(s).
    c : float
        The fixed key-query scale of the LSA.
    weights : sequence of float, optional
        The mixture probabilities (default uniform; ignored for one task).

    Returns
    -------
    float
    """
    c = positive_float("c", c)
    _, Mbar = _moments(*tasks.training_tasks(Lambda, n, weights))  # checked there
    return float(2.0 / (c**2 * np.linalg.eigvalsh(Mbar)[-1]))


def condition_number(Lambda, n, weights=None) -> float:
    """κ = μ_max/μ_min of the curvature M̄_π of the training loss (E[S²] = ΓΛ for one task).

    At half the stable step (:func:`stable_step_size`) gradient descent shrinks the slowest
    direction of the loss by 1 − 1/κ a step, so the steps a training budget needs grow with κ
    (chapter 2, :doc:`/book/02_training`). Arguments as in :func:`stable_step_size`.
    """
    _, Mbar = _moments(*tasks.training_tasks(Lambda, n, weights))  # checked there
    mu = np.linalg.eigvalsh(Mbar)
    return float(mu[-1] / mu[0])
