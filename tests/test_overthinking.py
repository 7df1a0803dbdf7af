"""Tests of the closed forms behind chapter 5 (overthinking): per-skill errors, skill ratios,
the best number of CoT steps and the critical training length.

Each test compares the package against an independent NumPy computation written here (an
explicit loop of matrix products, or the scalar formula of one skill), with a stated tolerance.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import wishart_spd
from ttsbook import tasks, theory

RTOL = 1e-10  # float64 round-off on sums of at most a few hundred terms of size <= 1e30


def _brute_error(Gamma, Sigma, k_max):
    """‖(I − Γ⁻¹Σ)^k‖_F² for k = 0..k_max by repeated multiplication (independent of theory)."""
    M = np.eye(Gamma.shape[0]) - np.linalg.inv(Gamma) @ Sigma
    P, out = np.eye(Gamma.shape[0]), []
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(k_max + 1):
            out.append(np.sum(P**2))
            P = M @ P
    out = np.array(out)
    return np.where(np.isfinite(out), out, np.inf)  # an overflowed error is +inf, never the minimum


def test_cot_error_limit_matches_repeated_multiplication():
    Gamma, Sigma = wishart_spd(6, 1), wishart_spd(6, 2)
    ks = np.arange(25)
    np.testing.assert_allclose(theory.cot_error_limit(Gamma, Sigma, ks), _brute_error(Gamma, Sigma, 24), rtol=RTOL)


@pytest.mark.parametrize("rotated", [False, True])
def test_per_skill_errors_sum_to_the_total_when_gamma_and_sigma_commute(rotated):
    d = 8
    Lam, Sig = tasks.with_trace(tasks.skewed(d), d), np.diag(np.linspace(0.5, 2.0, d))
    if rotated:  # the same rotation for both: they still commute, but their skills are not axes
        Q = tasks.random_rotation(d, seed=3)
        Lam, Sig = Q @ Lam @ Q.T, Q @ Sig @ Q.T
    Gamma = theory.gamma(Lam, 80)
    ks = np.arange(31)
    per = theory.cot_error_limit_per_skill(Gamma, Sig, ks)
    assert per.shape == (ks.size, d)
    np.testing.assert_allclose(per.sum(axis=1), theory.cot_error_limit(Gamma, Sig, ks), rtol=1e-8)


def test_per_skill_errors_refuse_non_commuting_matrices():
    with pytest.raises(ValueError, match="commute"):
        theory.cot_error_limit_per_skill(wishart_spd(5, 1), wishart_spd(5, 2), 3)


def test_skill_ratios_are_sigma_over_gamma_in_the_diagonal_case():
    d, n = 10, 30
    Lam = tasks.skewed(d)
    Sig = np.diag(np.linspace(2.0, 0.3, d))
    Gamma = theory.gamma(Lam, n)
    lam = np.diag(Lam)
    gam = (1 + 1 / n) * lam + lam.sum() / n  # γ_j written out from Theorem 3.1
    np.testing.assert_allclose(theory.skill_ratios(Gamma, Sig), np.sort(np.diag(Sig) / gam), rtol=1e-12)
    np.testing.assert_array_equal(theory.overthinking_skills(Gamma, Sig), np.sort(np.diag(Sig) / gam) > 2)


def test_skill_ratios_are_the_eigenvalues_of_gamma_inverse_sigma():
    Gamma, Sigma = wishart_spd(7, 4), wishart_spd(7, 5)
    ev = np.sort(np.linalg.eigvals(np.linalg.solve(Gamma, Sigma)).real)
    np.testing.assert_allclose(theory.skill_ratios(Gamma, Sigma), ev, rtol=1e-9)


def test_a_skill_with_ratio_above_two_grows_and_the_others_shrink():
    # Γ = I, Σ = diag(2.5, 1.5, 0.5): ratios 2.5 (diverges, factor (1.5)² a step), 1.5 and 0.5 (contract).
    Gamma, Sigma = np.eye(3), np.diag([2.5, 1.5, 0.5])
    ks = np.arange(15)
    per = theory.cot_error_limit_per_skill(Gamma, Sigma, ks)
    np.testing.assert_allclose(per[:, 0], 1.5 ** (2 * ks), rtol=RTOL)
    assert np.all(np.diff(per[:, 0]) > 0), "the skill with ratio 2.5 must grow at every step"
    assert np.all(np.diff(per[:, 1:], axis=0) < 0), "skills with ratio in (0, 2) must shrink"
    total = theory.cot_error_limit(Gamma, Sigma, ks)
    assert np.argmin(total) == 1 and total[-1] > total[0], "falls at k = 1, then rises past the start"


def test_error_is_non_increasing_when_every_ratio_is_below_two():
    # Commuting case: every term (1 − r_j)^{2k} is non-increasing when 0 < r_j < 2.
    for n in (5, 20, 200):
        Lam = tasks.skewed(12)
        Gamma = theory.gamma(Lam, n)
        # Testing on the training covariance: ratios λ_j/γ_j < 1 for every n (the chapter's control).
        assert np.all(theory.skill_ratios(Gamma, Lam) < 1)
        errs = theory.cot_error_limit(Gamma, Lam, np.arange(60))
        assert np.all(np.diff(errs) <= 1e-12 * errs[:-1]), f"error must not increase for n = {n}"


def test_non_commuting_error_is_sandwiched_by_the_symmetric_form():
    # ‖(I − Γ⁻¹Σ)^k‖_F² lies within a factor κ(Γ) of tr((I − Γ^{-1/2}ΣΓ^{-1/2})^{2k}).
    Gamma, Sigma = wishart_spd(6, 7, shift=0.3), 2.5 * wishart_spd(6, 8)
    r = theory.skill_ratios(Gamma, Sigma)
    ev = np.linalg.eigvalsh(Gamma)
    kappa = ev[-1] / ev[0]
    ks = np.arange(30)
    sym = np.array([np.sum((1 - r) ** (2 * k)) for k in ks])
    err = theory.cot_error_limit(Gamma, Sigma, ks)
    assert np.all(err <= kappa * sym * (1 + 1e-9)) and np.all(err >= sym / kappa * (1 - 1e-9))


@pytest.mark.parametrize("seed", range(6))
def test_optimal_cot_steps_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    Gamma, Sigma = wishart_spd(5, seed, shift=0.4), rng.uniform(1.0, 3.0) * wishart_spd(5, seed + 100)
    k_max = 40
    brute = _brute_error(Gamma, Sigma, k_max)
    assert theory.optimal_cot_steps(Gamma, Sigma, k_max) == int(np.argmin(brute))


@pytest.mark.parametrize("seed", range(8))
def test_best_cot_steps_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    d = 6
    if seed % 2:  # commuting: diagonal Γ and Σ (the bisection path)
        Gamma, Sigma = np.diag(rng.uniform(0.5, 2, d)), np.diag(rng.uniform(0.5, 3.5, d))
    else:  # non-commuting (the step-by-step path with the κ lower bound)
        Gamma, Sigma = wishart_spd(d, seed, shift=0.4), rng.uniform(1.0, 3.0) * wishart_spd(d, seed + 50)
    best = theory.best_cot_steps(Gamma, Sigma)
    if np.all(theory.skill_ratios(Gamma, Sigma) <= 2):
        assert best == np.inf
        return
    brute = _brute_error(Gamma, Sigma, 400)
    assert best == int(np.argmin(brute)), (best, int(np.argmin(brute)))


def test_best_cot_steps_is_unbounded_without_overthinking_and_zero_when_one_step_hurts():
    d = 10
    Lam = tasks.with_trace(tasks.skewed(d), d)
    assert theory.best_cot_steps(theory.gamma(Lam, 20), np.eye(d)) == np.inf
    # Unnormalised λ_i = 1/i: one step on Σ = I already raises the error above its k = 0 value d.
    G = theory.gamma(tasks.skewed(d), 20)
    assert theory.cot_error_limit(G, np.eye(d), 1) > d
    assert theory.best_cot_steps(G, np.eye(d)) == 0


def test_critical_train_length_separates_overthinking_from_convergence():
    d = 10
    for Lam in (tasks.skewed(d), tasks.with_trace(tasks.skewed(d), d), tasks.power_law(d, 2.0)):
        n_c = theory.critical_train_length(Lam, np.eye(d))
        for n in range(1, 300):
            over = bool(np.any(theory.overthinking_skills(theory.gamma(Lam, n), np.eye(d))))
            assert over == (n > n_c), (n, n_c)
    # Trained and tested on the same covariance: no training length overthinks.
    assert theory.critical_train_length(tasks.skewed(d), tasks.skewed(d)) == np.inf


def test_overthinking_functions_validate_their_arguments():
    with pytest.raises(ValueError, match="Sigma"):
        theory.best_cot_steps(np.eye(3), -np.eye(3))
    with pytest.raises(ValueError, match="k_cap"):
        theory.best_cot_steps(np.eye(3), np.eye(3), k_cap=0)
    with pytest.raises(ValueError, match="commute"):
        theory.critical_train_length(wishart_spd(4, 1), wishart_spd(4, 2))
    with pytest.raises(ValueError, match="k_max"):
        theory.optimal_cot_steps(np.eye(3), np.eye(3), -1)


@pytest.mark.parametrize("n", [70, 80, 100])
def test_best_cot_steps_with_cap_at_the_answer(n):
    """A k_cap equal to the minimiser is enough: the search must not overshoot the cap."""
    Lam = tasks.with_trace(tasks.skewed(10), 10.0)
    G, S = theory.gamma(Lam, n), np.eye(10)
    best = theory.optimal_cot_steps(G, S, 200)
    assert 1 < best < 200
    assert theory.best_cot_steps(G, S, k_cap=best) == best
    with pytest.raises(ValueError, match="k_cap"):
        theory.best_cot_steps(G, S, k_cap=best - 1)


def test_without_overthinking_a_non_commuting_error_can_rise_on_its_way_down():
    """Every ratio below 2 (spectral radius < 1), but Γ and Σ do not commute: I − Γ⁻¹Σ is not
    normal and ‖(I − Γ⁻¹Σ)^k‖_F² rises at some steps before it decays. best_cot_steps still returns
    inf (the limit, 0, is the infimum); for a commuting pair with the same ratios it never rises."""
    c, s = np.cos(0.15), np.sin(0.15)
    R = np.array([[c, -s], [s, c]])
    Gamma, Sigma = np.diag([1.0, 0.02]), R @ np.diag([1.0, 0.3]) @ R.T
    Sigma *= 1.98 / theory.skill_ratios(Gamma, Sigma).max()
    r = theory.skill_ratios(Gamma, Sigma)
    assert r.max() == pytest.approx(1.98) and np.max(np.abs(1 - r)) < 1
    errs = _brute_error(Gamma, Sigma, 400)
    assert np.sum(np.diff(errs[:12]) > 0.05) >= 3, errs[:12]  # rises at k = 1, 3, 5 here
    assert errs[400] < 1e-3 * errs[0]  # and decays
    assert theory.best_cot_steps(Gamma, Sigma) == np.inf
    commuting = theory.cot_error_limit(np.diag(1 / r), np.eye(2), np.arange(60))
    assert np.all(np.diff(commuting) <= 1e-12 * commuting[:-1])
