"""Tests for the closed forms of chapter 4 (hardness, Theorem 3.3, Corollary 3.5).

Every closed form is checked against something computed another way: a hand formula, a
plain NumPy re-derivation, or a Monte Carlo estimate with a tolerance of 4 standard errors
(a correct formula fails such a check with probability below 1e-4 per comparison).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from conftest import random_spd
from ttsbook import lsa, tasks, theory

K_SE = 4.0  # Monte Carlo tolerance, in standard errors of the mean


def mc_direct_errors(A: np.ndarray, Sigma: np.ndarray, m: int, batch: int, rng) -> np.ndarray:
    """Per-prompt ||A S w - w||^2 for S = X X^T / m, x_i ~ N(0, Sigma), w ~ N(0, I), in NumPy."""
    d = Sigma.shape[0]
    C = np.linalg.cholesky(Sigma)
    X = C @ rng.standard_normal((batch, d, m))
    w = rng.standard_normal((batch, d))
    y = np.einsum("bdm,bd->bm", X, w)
    w_hat = np.einsum("ij,bjm,bm->bi", A, X, y) / m
    return np.sum((w_hat - w) ** 2, axis=1)


# --- Hard(Λ) -------------------------------------------------------------------------------


def test_hardness_hand_values():
    d = 10
    assert theory.hardness(tasks.isotropic(d)) == pytest.approx(d, rel=1e-14)
    for alpha in (0.2, 0.5, 1.0, 2.0):
        i = np.arange(1, d + 1)
        expected = np.sum(i**-alpha) / d**-alpha  # tr Λ / λ_min, λ_min = d^-alpha
        assert theory.hardness(tasks.power_law(d, alpha)) == pytest.approx(expected, rel=1e-12)
    tail = np.diag([1.0] * 5 + [0.1] * 5)
    assert theory.hardness(tail) == pytest.approx(5.5 / 0.1, rel=1e-12)


def test_hardness_invariant_to_rotation_and_scale():
    L = tasks.power_law(8, 0.7)
    h = theory.hardness(L)
    assert theory.hardness(tasks.rotate(L, seed=3)) == pytest.approx(h, rel=1e-10)
    assert theory.hardness(tasks.with_trace(L, 123.0)) == pytest.approx(h, rel=1e-12)
    assert theory.hardness(L) >= L.shape[0]  # tr Λ ≥ d λ_min, equality only for Λ ∝ I


def test_skewed_is_power_law_one():
    assert np.array_equal(tasks.skewed(10), tasks.power_law(10, 1.0))


# --- the exact one-step error and Theorem 3.3 -----------------------------------------------


def test_direct_error_isotropic_hand_formula():
    d, m = 6, 9
    for gam, sig in [(1.3, 1.0), (2.0, 0.5), (0.7, 1.4)]:
        expected = d * (1 - sig / gam) ** 2 + (d * sig**2 + d * sig * d * sig) / (m * gam**2)
        got = theory.direct_error(gam * np.eye(d), sig * np.eye(d), m)
        assert got == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("m", [3, 12])
def test_direct_error_monte_carlo(m):
    rng = np.random.default_rng(m)
    d, batch = 4, 200_000
    Lambda, Sigma = random_spd(rng, d, 1.0), random_spd(rng, d, 1.0)
    G = theory.gamma(Lambda, 5)
    errs = mc_direct_errors(np.linalg.inv(G), Sigma, m, batch, rng)
    se = errs.std(ddof=1) / np.sqrt(batch)
    assert abs(errs.mean() - theory.direct_error(G, Sigma, m)) <= K_SE * se


def test_direct_error_bias_plus_variance_over_m():
    # direct_error(m) = ||I - Γ⁻¹Σ||_F² + c/m: the bias is the k = 1 limit, the rest scales as 1/m.
    rng = np.random.default_rng(1)
    G, S = random_spd(rng, 5), random_spd(rng, 5)
    bias = theory.cot_error_limit(G, S, 1)
    c = [m * (theory.direct_error(G, S, m) - bias) for m in (1, 7, 1000)]
    np.testing.assert_allclose(c, c[0], rtol=1e-9)
    A = np.linalg.inv(G)
    np.testing.assert_allclose(bias, np.linalg.norm(np.eye(5) - A @ S, "fro") ** 2, rtol=1e-12)


def test_direct_error_bound_hand_formula():
    L = tasks.power_law(7, 0.5)
    h = np.trace(L) / np.min(np.diag(L))
    for n, m in [(1, 1), (10, 50), (64, 7)]:
        expected = 7 / n**2 * (1 + h) ** 2 + 7 / m * (1 + h)
        assert theory.direct_error_bound(L, n, m) == pytest.approx(expected, rel=1e-12)


def test_direct_error_bound_dominates_exact_error():
    # Theorem 3.3 on random SPD Λ (test covariance Λ, the optimal Γ): exact ≤ bound.
    rng = np.random.default_rng(2)
    for _ in range(200):
        d = int(rng.integers(1, 12))
        L = random_spd(rng, d, spread=float(rng.uniform(0, 4)))
        n, m = int(rng.integers(1, 200)), int(rng.integers(1, 2000))
        exact = theory.direct_error(theory.gamma(L, n), L, m)
        assert exact <= theory.direct_error_bound(L, n, m) * (1 + 1e-12)


# --- Corollary 3.5 and the exact m → ∞ error -------------------------------------------------


def test_cot_error_limit_per_eigen_sum():
    rng = np.random.default_rng(3)
    ks = np.arange(0, 15)
    for _ in range(30):
        d = int(rng.integers(1, 10))
        L = random_spd(rng, d, spread=2.0)
        n = int(rng.integers(1, 100))
        lam = np.linalg.eigvalsh(L)
        expected = np.sum((1 + n / (1 + np.trace(L) / lam[None, :])) ** (-2.0 * ks[:, None]), axis=1)
        np.testing.assert_allclose(theory.cot_error_limit(theory.gamma(L, n), L, ks), expected, rtol=1e-9)
    assert theory.cot_error_limit(theory.gamma(L, n), L, 0) == pytest.approx(d, rel=1e-12)


def test_cot_error_limit_numpy_matrix_power():
    rng = np.random.default_rng(4)
    G, S = random_spd(rng, 6, 1.0), random_spd(rng, 6, 1.0)
    M = np.eye(6) - np.linalg.inv(G) @ S
    for k in (0, 1, 2, 5, 9):
        P = np.eye(6)
        for _ in range(k):
            P = P @ M
        assert theory.cot_error_limit(G, S, k) == pytest.approx(np.sum(P**2), rel=1e-10)


def test_cot_error_bound_hand_formula_and_isotropic_equality():
    d, n = 9, 13
    ks = np.arange(8)
    L = tasks.power_law(d, 0.8)
    h = theory.hardness(L)
    np.testing.assert_allclose(theory.cot_error_bound(L, n, ks), d * (1 + n / (1 + h)) ** (-2.0 * ks), rtol=1e-12)
    # A scalar k gives a Python float with the same value (k = 3 and 3.0 alike), to round-off.
    for k in (3, 3.0):
        bound = theory.cot_error_bound(L, n, k)
        assert type(bound) is float and bound == pytest.approx(d * (1 + n / (1 + h)) ** -6.0, rel=1e-12, abs=0)
    # For Λ ∝ I every skill has tr Λ / λ_j = Hard(Λ) = d: the bound is the exact limit.
    iso = 2.5 * np.eye(d)
    np.testing.assert_allclose(
        theory.cot_error_bound(iso, n, ks), theory.cot_error_limit(theory.gamma(iso, n), iso, ks), rtol=1e-10
    )


def test_cot_error_bound_dominates_limit():
    rng = np.random.default_rng(5)
    ks = np.arange(0, 30)
    for _ in range(200):
        d = int(rng.integers(1, 12))
        L = random_spd(rng, d, spread=float(rng.uniform(0, 4)))
        n = int(rng.integers(1, 300))
        limit = theory.cot_error_limit(theory.gamma(L, n), L, ks)
        assert np.all(limit <= theory.cot_error_bound(L, n, ks) * (1 + 1e-9))


# --- the general (non-symmetric Γ) versions used for trained models -------------------------


def test_general_versions_equal_symmetric_ones():
    rng = np.random.default_rng(6)
    G, S = random_spd(rng, 5, 1.0), random_spd(rng, 5, 1.0)
    assert theory.direct_error_general(G, S, 11) == pytest.approx(theory.direct_error(G, S, 11), rel=1e-12)
    ks = np.arange(6)
    np.testing.assert_allclose(theory.cot_error_limit_general(G, S, ks), theory.cot_error_limit(G, S, ks), rtol=1e-12)


def test_general_direct_error_monte_carlo_non_symmetric():
    rng = np.random.default_rng(7)
    d, m, batch = 4, 8, 200_000
    G = random_spd(rng, d, 1.0) + 0.2 * rng.standard_normal((d, d))  # not symmetric
    Sigma = random_spd(rng, d, 1.0)
    errs = mc_direct_errors(np.linalg.inv(G), Sigma, m, batch, rng)
    se = errs.std(ddof=1) / np.sqrt(batch)
    assert abs(errs.mean() - theory.direct_error_general(G, Sigma, m)) <= K_SE * se
    M = np.eye(d) - np.linalg.solve(G, Sigma)
    assert theory.cot_error_limit_general(G, Sigma, 3) == pytest.approx(
        np.sum(np.linalg.matrix_power(M, 3) ** 2), rel=1e-10
    )


def test_model_read_back_gamma_predicts_measured_error():
    # An LSA with a non-symmetric V_wx: its measured one-step error is direct_error_general of
    # its read-back Γ̂ = −(c V_wx)⁻¹ (the comparison chapter 4 makes for trained models).
    rng = np.random.default_rng(8)
    d, m, batch = 5, 10, 100_000
    Lambda = random_spd(rng, d, 1.0)
    model = lsa.optimal(Lambda, 8)
    with torch.no_grad():
        model.V_wx.add_(torch.as_tensor(0.05 * rng.standard_normal((d, d))))
    X, y, w = tasks.sample_prompts(Lambda, m, batch, seed=9, dtype=torch.float64)
    with torch.no_grad():
        errs = ((model.predict(X, y) - w) ** 2).sum(dim=1).numpy()
    se = errs.std(ddof=1) / np.sqrt(batch)
    assert abs(errs.mean() - theory.direct_error_general(model.gamma(), Lambda, m)) <= K_SE * se
