"""Property-based tests (hypothesis) of the closed forms in :mod:`ttsbook.theory` and :mod:`ttsbook.cot`.

Each property is checked against an independent NumPy re-derivation on random spectra,
rotations and sizes; the tolerances are stated next to each assertion.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from ttsbook import cot, tasks, theory

SETTINGS = settings(deadline=None, max_examples=40, derandomize=True)

dims = st.integers(min_value=1, max_value=6)
lengths = st.integers(min_value=1, max_value=200)
seeds = st.integers(min_value=0, max_value=2**31 - 1)


@st.composite
def spectra(draw, d=None, low=1e-2, high=10.0):
    """A dimension and a positive spectrum (eigenvalues in [low, high], condition number <= 1000)."""
    d = draw(dims) if d is None else d
    evals = draw(st.lists(st.floats(low, high), min_size=d, max_size=d))
    return np.array(evals)


@st.composite
def covariances(draw):
    """A symmetric positive definite Λ = Q diag(λ) Qᵀ with a Haar-random rotation Q."""
    evals = draw(spectra())
    Q = tasks.random_rotation(evals.size, seed=draw(seeds))
    L = Q @ np.diag(evals) @ Q.T
    return (L + L.T) / 2


@SETTINGS
@given(Lambda=covariances(), n=lengths)
def test_gamma_is_spd_commutes_with_lambda_and_has_the_predicted_spectrum(Lambda, n):
    G = theory.gamma(Lambda, n)
    d = Lambda.shape[0]
    scale = np.linalg.norm(Lambda, 2) * np.linalg.norm(G, 2)
    # symmetric to rounding (exact formula of symmetric terms)
    np.testing.assert_allclose(G, G.T, rtol=0, atol=1e-12 * np.abs(G).max())
    # positive definite: its smallest eigenvalue is at least (1 + 1/n) λ_min + tr(Λ)/n > 0
    lam = np.linalg.eigvalsh(Lambda)
    g = np.linalg.eigvalsh(G)
    assert g[0] > 0
    # commutes with Λ: ‖ΓΛ − ΛΓ‖ is rounding only (relative 1e-12 of ‖Γ‖‖Λ‖)
    assert np.linalg.norm(G @ Lambda - Lambda @ G, 2) <= 1e-12 * scale
    # its eigenvalues are γ_j = (1 + 1/n) λ_j + tr(Λ)/n, in the same order as the λ_j
    expected = (1 + 1 / n) * lam + lam.sum() / n
    np.testing.assert_allclose(g, expected, rtol=1e-10, atol=0)
    # and E[S²] = ΓΛ (second_moment with Σ = Λ, m = n)
    np.testing.assert_allclose(theory.second_moment(Lambda, n), G @ Lambda, rtol=1e-10, atol=1e-12 * scale)
    assert d == G.shape[0]


@SETTINGS
@given(
    Lambda=covariances(),
    n=lengths,
    m=st.integers(1, 40),
    batch=st.integers(1, 4),
    k=st.integers(0, 8),
    seed=seeds,
    shift=st.floats(0.0, 2.0),
)
def test_pseudo_newton_iteration_equals_its_closed_form_in_float64(Lambda, n, m, batch, k, seed, shift):
    """cot.pseudo_newton (k explicit steps) equals cot.closed_form (I − (I − Γ⁻¹Ŝ)^k) w.

    Γ is the trained one, Γ(Λ, n), plus ``shift``·I so that both contracting and diverging chains
    occur. Tolerance: 1e-9 relative to the size of the iterates and of the powers of
    I − Γ⁻¹Ŝ (k float64 matrix products, each with relative rounding ~d·1e-16).
    """
    d = Lambda.shape[0]
    G = theory.gamma(Lambda, n) + shift * np.eye(d)
    X, y, w = tasks.sample_prompts(Lambda, m, batch, seed=seed, dtype=torch.float64)
    it = cot.pseudo_newton(G, X, y, k)
    assert it.shape == (k + 1, batch, d) and it.dtype == torch.float64
    closed = cot.closed_form(G, X, w, k)
    # independent NumPy re-derivation of the closed form, prompt by prompt
    A = np.linalg.inv(G)
    Xn, wn = X.numpy(), w.numpy()
    ref = np.stack(
        [wn[b] - np.linalg.matrix_power(np.eye(d) - A @ Xn[b] @ Xn[b].T / m, k) @ wn[b] for b in range(batch)]
    )
    size = 1.0 + max(np.abs(ref).max(), np.abs(wn).max())
    M = np.stack([np.eye(d) - A @ Xn[b] @ Xn[b].T / m for b in range(batch)])
    growth = max(1.0, max(np.linalg.norm(Mb, 2) for Mb in M)) ** k
    tol = 1e-9 * size * growth * max(1.0, np.abs(wn).max())
    np.testing.assert_allclose(it[-1].numpy(), closed.numpy(), rtol=0, atol=tol)
    np.testing.assert_allclose(closed.numpy(), ref, rtol=0, atol=tol)


@st.composite
def commuting_pair(draw, overthink: bool):
    """Commuting Γ = Q diag(γ) Qᵀ and Σ = Q diag(r γ) Qᵀ with chosen ratios r_j = σ_j/γ_j.

    ``overthink=False``: every r_j in (0, 2). ``overthink=True``: one r_j in [2.05, 4].
    """
    gam = draw(spectra(low=0.1, high=10.0))
    d = gam.size
    if overthink:
        ratios = draw(st.lists(st.floats(0.01, 1.99), min_size=d - 1, max_size=d - 1))
        ratios.insert(draw(st.integers(0, d - 1)), draw(st.floats(2.05, 4.0)))
    else:
        ratios = draw(st.lists(st.floats(0.01, 1.99), min_size=d, max_size=d))
    r = np.array(ratios)
    Q = tasks.random_rotation(d, seed=draw(seeds))
    G = Q @ np.diag(gam) @ Q.T
    S = Q @ np.diag(r * gam) @ Q.T
    return (G + G.T) / 2, (S + S.T) / 2, r


@SETTINGS
@given(pair=commuting_pair(overthink=False))
def test_cot_error_limit_is_non_increasing_when_every_ratio_is_below_two(pair):
    """Every skill contracts by |1 − r_j| < 1 per step, so ‖(I − Γ⁻¹Σ)^k‖_F² never grows.

    The error equals Σ_j (1 − r_j)^(2k) (re-derived here); tolerances 1e-8 relative, as the
    matrix powers carry the rounding of the rotations (~1e-15 per product).
    """
    G, S, r = pair
    ks = np.arange(0, 31)
    err = theory.cot_error_limit(G, S, ks)
    expected = np.array([np.sum((1 - r) ** (2 * k)) for k in ks])
    np.testing.assert_allclose(err, expected, rtol=1e-8, atol=1e-12)
    assert np.all(np.diff(err) <= 1e-9 * err[:-1]), f"error grows with k: {err}"
    np.testing.assert_allclose(theory.skill_ratios(G, S), np.sort(r), rtol=1e-9)
    assert not theory.overthinking_skills(G, S).any()
    assert theory.optimal_cot_steps(G, S, 30) >= theory.optimal_cot_steps(G, S, 10)


@SETTINGS
@given(pair=commuting_pair(overthink=True))
def test_cot_error_limit_eventually_increases_when_one_ratio_exceeds_two(pair):
    """A skill with r > 2 is multiplied by |1 − r| = q > 1 at each step: its term q^(2k) grows and
    eventually outweighs the decrease of all others (at most d in total). So from
    k0 = ⌈log(d/(q² − 1)) / (2 log q)⌉ on, the error increases strictly, and once q^(2k) ≥ 2d it
    exceeds the error at k = 0 (which is d). Both are checked up to that k plus 5 steps.
    """
    G, S, r = pair
    d = r.size
    q = np.abs(1 - r).max()
    k0 = max(0, math.ceil(math.log(max(d / (q**2 - 1), 1.0)) / (2 * math.log(q))))
    k_big = max(k0, math.ceil(math.log(2 * d) / (2 * math.log(q)))) + 5
    ks = np.arange(0, k_big + 1)
    err = theory.cot_error_limit(G, S, ks)
    assert np.all(np.diff(err[k0:]) > 0), f"error not increasing from k0={k0}: {err}"
    assert err[-1] > err[0], f"error at k={k_big} is not above d: {err}"
    assert theory.overthinking_skills(G, S).sum() == 1
    assert theory.optimal_cot_steps(G, S, int(k_big)) < k_big
