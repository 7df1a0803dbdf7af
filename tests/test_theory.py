"""Closed forms of ttsbook.theory against hand formulas and Monte Carlo: Γ, E[S²], the optimal
LSA, divergence, the joint eigenbasis. Hard(Λ), the exact errors and their bounds (chapter 4) are
in tests/test_hardness.py."""

import numpy as np
import pytest
import torch

from conftest import random_spd
from ttsbook import tasks, theory


def test_gamma_hand_formula_diagonal():
    # Λ = diag(1, 1/2, 1/3), n = 4: γ_i = (1 + 1/4) λ_i + tr(Λ)/4 with tr Λ = 11/6.
    Lam = tasks.skewed(3)
    expected = np.diag([1.25 * 1 + 11 / 24, 1.25 / 2 + 11 / 24, 1.25 / 3 + 11 / 24])
    np.testing.assert_allclose(theory.gamma(Lam, 4), expected, rtol=1e-15)


def test_gamma_rotation_equivariant():
    Lam = tasks.power_law(5, 0.7)
    Q = tasks.random_rotation(5, seed=3)
    np.testing.assert_allclose(theory.gamma(Q @ Lam @ Q.T, 7), Q @ theory.gamma(Lam, 7) @ Q.T, atol=1e-13)


def test_gamma_formula_on_random_spd():
    rng = np.random.default_rng(0)
    for d, n in [(1, 1), (4, 6), (9, 50)]:
        L = random_spd(rng, d, spread=2.0)
        np.testing.assert_allclose(theory.gamma(L, n), (1 + 1 / n) * L + np.trace(L) / n * np.eye(d), rtol=1e-14)


def test_second_moment_monte_carlo_equals_gamma_lambda():
    """E[S²] = ΓΛ for S = XXᵀ/n (Theorem 3.1's key identity), by Monte Carlo."""
    d, n, N = 4, 5, 200_000
    Lam = tasks.rotate(tasks.power_law(d, 0.8), seed=1)
    X, _, _ = tasks.sample_prompts(Lam, n, N, seed=0, dtype=torch.float64)
    S = X @ X.transpose(1, 2) / n
    S2 = (S @ S).numpy()
    mc = S2.mean(axis=0)
    se = S2.std(axis=0) / np.sqrt(N)
    target = theory.gamma(Lam, n) @ Lam
    np.testing.assert_allclose(theory.second_moment(Lam, n), target, rtol=1e-13)
    # 5 standard errors entrywise: a wrong coefficient (e.g. 1/n -> 1/(n+1)) fails.
    assert np.all(np.abs(mc - target) <= 5 * se + 1e-12), np.max(np.abs(mc - target) / se)


def test_direct_error_at_optimum_is_twice_optimal_loss():
    Lam = tasks.rotate(tasks.skewed(6), seed=0)
    n = 9
    assert theory.direct_error(theory.gamma(Lam, n), Lam, n) == pytest.approx(
        2 * theory.optimal_loss(Lam, n), rel=1e-12
    )


def test_optimal_v_and_loss_hand_isotropic():
    # Λ = I: Γ = (1 + (1 + d)/n) I, L* = d/2 (1 − 1/γ).
    d, n, c = 3, 6, 2.0
    g = 1 + (1 + d) / n
    np.testing.assert_allclose(theory.optimal_v(np.eye(d), n, c), -np.eye(d) / (g * c), rtol=1e-15)
    assert theory.optimal_loss(np.eye(d), n) == pytest.approx(d / 2 * (1 - 1 / g), rel=1e-14)


def test_cot_error_limit_reports_divergence_as_inf():
    G = np.eye(2)
    Sigma = np.diag([1.0, 1e6])  # ratio 1e6 > 2: |1 − 1e6|^(2k) overflows for large k
    errs = theory.cot_error_limit(G, Sigma, [1, 100])
    assert errs[0] == pytest.approx((1 - 1e6) ** 2)
    assert np.isinf(errs[1])


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: theory.gamma(np.array([[1.0, 2.0], [0.0, 1.0]]), 3), "Lambda"),
        (lambda: theory.gamma(np.diag([1.0, -1.0]), 3), "Lambda"),
        (lambda: theory.gamma(np.eye(2), 0), "n"),
        (lambda: theory.hardness(np.array([[np.nan, 0], [0, 1]])), "Lambda"),
        (lambda: theory.direct_error(np.eye(2), np.eye(3), 5), "Sigma"),
        (lambda: theory.direct_error(np.eye(2), np.eye(2), 0), "m"),
        (lambda: theory.cot_error_limit(np.eye(2), np.eye(2), -1), "k"),
        (lambda: theory.cot_error_bound(np.eye(2), 3, [1, -2]), "k"),
        (lambda: theory.optimal_cot_steps(np.eye(2), np.eye(2), -1), "k_max"),
        (lambda: theory.optimal_v(np.eye(2), 3, c=0.0), "c"),
        (lambda: tasks.power_law(3, -1.0), "alpha"),
        (lambda: tasks.sample_prompts(np.eye(2), 0, 4), "n"),
        (lambda: tasks.sample_prompts(np.eye(2), 3, 4, seed=-1), "seed"),
        (lambda: tasks.isotropic(0), "d"),
    ],
)
def test_bad_input_raises_naming_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_a_wrong_type_raises_type_error_naming_argument():
    with pytest.raises(TypeError, match=r"\bn must be an integer"):
        theory.gamma(np.eye(2), 2.5)


# ----------------------------------------------------------------------------- joint eigenbasis


def _rotated_noncommuting(d=10):
    return tasks.rotate(tasks.with_trace(tasks.skewed(d), d), seed=0), tasks.rotate(tasks.skewed(d), seed=1)


@pytest.mark.parametrize("scale", [1.0, 1e-5, 1e5])
def test_commutation_test_is_scale_free(scale):
    """Strongly non-commuting Λ, Σ are refused at every scale (the quantities are scale-free)."""
    Lam, Sig = _rotated_noncommuting()
    with pytest.raises(ValueError, match="must commute"):
        theory.critical_train_length(scale * Lam, scale * Sig)
    with pytest.raises(ValueError, match="must commute"):
        theory.cot_error_limit_per_skill(theory.gamma(scale * Lam, 80), scale * Sig, 3)


@pytest.mark.parametrize("scale", [1e-5, 1.0, 1e5])
def test_best_cot_steps_is_scale_free_without_commutation(scale):
    """best_cot_steps(sΓ, sΣ) is best_cot_steps(Γ, Σ), and equals a brute-force argmin."""
    Gam = tasks.rotate(np.diag([1.0, 0.5, 0.2]), seed=4)
    Sig = tasks.rotate(np.diag([1.2, 0.9, 0.6]), seed=5)
    errs = theory.cot_error_limit(Gam, Sig, np.arange(200))
    assert theory.best_cot_steps(scale * Gam, scale * Sig) == int(np.argmin(errs))


def test_shared_basis_under_an_eigenvalue_clash():
    """Γ = Q diag(2, 1) Qᵀ, Σ = Q diag(1, 1 + ε) Qᵀ with ε = π·10⁻³: Σ + εΓ has a double eigenvalue,
    yet the per-skill errors are (1 − σ_j/γ_j)² = (ε², 1/4) (σ descending)."""
    Q = tasks.random_rotation(2, seed=3)
    eps = np.pi * 1e-3
    Gam, Sig = Q @ np.diag([2.0, 1.0]) @ Q.T, Q @ np.diag([1.0, 1.0 + eps]) @ Q.T
    np.testing.assert_allclose(theory.cot_error_limit_per_skill(Gam, Sig, 1), [eps**2, 0.25], rtol=1e-6)
    # Λ = diag(1, 0.1), Σ = diag(1 − 0.9ε, 1): again Σ + εΛ is a multiple of I; n_c = 1.2/0.4 = 3
    Lam, Sig2 = Q @ np.diag([1.0, 0.1]) @ Q.T, Q @ np.diag([1 - 0.9 * eps, 1.0]) @ Q.T
    assert theory.critical_train_length(Lam, Sig2) == pytest.approx(3.0, rel=1e-9)


@pytest.mark.parametrize("seed", range(8))
def test_per_skill_order_breaks_ties_by_ratio(seed):
    """Σ = cI ties every σ_j: skills are then ordered by σ_j/γ_j descending (γ_j ascending).

    Σ = diag(2, 2, 1, 1, 1, 1) ties within two groups: σ first, then the ratio inside each group.
    Ordering by σ alone leaves the order to rounding noise (a different order per rotation).
    """
    Q = tasks.random_rotation(6, seed=seed)
    g = np.array([0.5, 2.0, 1.0, 3.0, 0.8, 1.5])
    Gam = Q @ np.diag(g) @ Q.T
    for c in [1.0, 2.5]:
        out = theory.cot_error_limit_per_skill(Gam, c * np.eye(6), 1)
        np.testing.assert_allclose(out, (1 - c / np.sort(g)) ** 2, rtol=1e-10, atol=1e-12)
    sig = np.array([2.0, 1.0, 1.0, 2.0, 1.0, 1.0])  # σ = 2 on γ = 0.5 and 3; σ = 1 on the rest
    out = theory.cot_error_limit_per_skill(Gam, Q @ np.diag(sig) @ Q.T, 1)
    want = [(1 - 2 / 0.5) ** 2, (1 - 2 / 3.0) ** 2] + [(1 - 1 / x) ** 2 for x in [0.8, 1.0, 1.5, 2.0]]
    np.testing.assert_allclose(out, want, rtol=1e-10, atol=1e-12)


def test_ratio_exactly_two_does_not_overthink():
    """Λ = diag(1, 1/4), Σ = I, n = n_c = 6: skill 2 has σ/γ = 2 exactly, its error stays constant."""
    Lam, Sig, n = np.diag([1.0, 0.25]), np.eye(2), 6
    assert theory.critical_train_length(Lam, Sig) == pytest.approx(6.0)
    assert theory.best_cot_steps(theory.gamma(Lam, n), Sig) == float("inf")
    assert theory.best_cot_steps(theory.gamma(Lam, 7), Sig) < float("inf")


def test_stable_step_size_of_a_mixture():
    Ls, ns, pi = [tasks.skewed(4), tasks.rotate(tasks.isotropic(4) * 2, seed=1)], [3, 9], [0.25, 0.75]
    M = sum(p * theory.second_moment(L, n) for p, L, n in zip(pi, Ls, ns, strict=True))
    assert theory.stable_step_size(Ls, ns, c=2.0, weights=pi) == pytest.approx(2 / (4 * np.linalg.eigvalsh(M)[-1]))


def test_condition_number_of_the_training_curvature():
    """For diagonal Λ the curvature E[S²] = (1 + 1/n) Λ² + tr(Λ) Λ / n is diagonal: κ is the ratio
    of its largest to smallest entry; for Λ ∝ I it is 1."""
    lam, n = np.array([2.0, 1.0, 0.25]), 7
    mu = (1 + 1 / n) * lam**2 + lam.sum() * lam / n
    assert theory.condition_number(np.diag(lam), n) == pytest.approx(mu.max() / mu.min(), rel=1e-12)
    assert theory.condition_number(3.0 * np.eye(4), 5) == pytest.approx(1.0, rel=1e-12)
    mixed = theory.condition_number([np.diag(lam), np.eye(3)], [n, 4], [0.5, 0.5])
    mu_mix = 0.5 * mu + 0.5 * (1 + 1 / 4 + 3 / 4) * np.ones(3)
    assert mixed == pytest.approx(mu_mix.max() / mu_mix.min(), rel=1e-12)
