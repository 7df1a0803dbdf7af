"""Tests of test-time chain of thought (chapter 3): the LSA rollout is the pseudo-Newton method.

Agreement is measured as the largest relative error over steps and prompts,
max_{i>=1, b} ‖a_{i,b} − p_{i,b}‖ / ‖p_{i,b}‖, computed in float64, over the prompts whose
pseudo-Newton iterates stay finite up to step k. Tolerances: 1e-10 in float64 and 1e-4 in
float32 (the rounding of k = 50 steps, each a few d-term and m-term sums, is ~1e-14 and ~1e-6).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ttsbook import cot, lsa, tasks, theory

D = 6
M_TEST = 40
K = 50
TOL = {torch.float64: 1e-10, torch.float32: 1e-4}


def max_relative_error(a: torch.Tensor, p: torch.Tensor) -> tuple[float, int]:
    """Largest ‖a_i − p_i‖/‖p_i‖ over steps i >= 1 and prompts whose reference stays finite."""
    a, p = a[1:].to(torch.float64), p[1:].to(torch.float64)
    finite = torch.isfinite(p).all(dim=2).all(dim=0)  # per prompt, over all steps
    a, p = a[:, finite], p[:, finite]
    rel = (a - p).norm(dim=2) / p.norm(dim=2)
    return float(rel.max()), int(finite.sum())


def covariances():
    """(name, Λ, Σ): isotropic, skewed and rotated Λ, each with Σ = Λ and with Σ ≠ Λ."""
    iso, skew = tasks.isotropic(D), tasks.skewed(D)
    rot = tasks.rotate(skew, seed=3)
    return [
        ("isotropic", iso, iso),
        ("skewed", skew, skew),
        ("rotated", rot, rot),
        # Σ ≠ Λ: a steep test spectrum in other axes; and Σ = I under skewed training, where
        # rare skills have σ_j/γ_j > 2 and the chain diverges (overthinking, chapter 5).
        ("isotropic/Σ=rotated power law", iso, tasks.rotate(tasks.power_law(D, 2.0), seed=1)),
        ("skewed/Σ=I", skew, np.eye(D)),
        ("rotated/Σ=I", rot, np.eye(D)),
    ]


CASES = [(name, L, S, n, dt) for name, L, S in covariances() for n in (5, 40) for dt in (torch.float64, torch.float32)]


@pytest.mark.parametrize("method", ["cache", "append"])
@pytest.mark.parametrize("name,Lambda,Sigma,n,dtype", CASES, ids=[f"{c[0]}-n{c[3]}-{str(c[4])[6:]}" for c in CASES])
def test_rollout_of_optimal_lsa_is_pseudo_newton(name, Lambda, Sigma, n, dtype, method):
    model = lsa.optimal(Lambda, n, dtype=dtype)
    X, y, _ = tasks.sample_prompts(Sigma, M_TEST, 64, seed=7, dtype=dtype)
    iterates = cot.rollout(model, X, y, K, method=method)
    reference = cot.pseudo_newton(theory.gamma(Lambda, n), X, y, K)
    assert iterates.shape == (K + 1, 64, D) and iterates.dtype == dtype
    assert torch.all(iterates[0] == 0)
    rel, n_finite = max_relative_error(iterates, reference)
    assert n_finite >= 32, f"too few finite chains to compare ({n_finite})"
    assert rel <= TOL[dtype], f"{name}, n={n}, {dtype}: rollout vs pseudo-Newton rel. error {rel:.3g}"


def test_diverging_case_is_really_tested():
    """The Σ = I cases above include chains that grow by many orders of magnitude."""
    skew = tasks.skewed(D)
    X, y, _ = tasks.sample_prompts(np.eye(D), M_TEST, 64, seed=7, dtype=torch.float64)
    p = cot.pseudo_newton(theory.gamma(skew, 40), X, y, K)
    assert float(p[-1].norm(dim=1).min()) > 1e10
    assert theory.overthinking_skills(theory.gamma(skew, 40), np.eye(D)).any()


def test_rollout_reports_divergence_as_non_finite():
    """Far enough, a diverging float32 chain overflows; the rollout returns inf/nan, not clipped values."""
    skew = tasks.skewed(D)
    model = lsa.optimal(skew, 40, dtype=torch.float32)
    X, y, _ = tasks.sample_prompts(np.eye(D), M_TEST, 16, seed=7, dtype=torch.float32)
    iterates = cot.rollout(model, X, y, 200)
    assert not torch.isfinite(iterates[-1]).all()
    errors = cot.squared_error(iterates, torch.zeros(16, D))
    assert errors[-1] == np.inf


@pytest.mark.parametrize("name,Lambda,Sigma", covariances(), ids=[c[0] for c in covariances()])
def test_pseudo_newton_equals_closed_form(name, Lambda, Sigma):
    n = 10
    G = theory.gamma(Lambda, n)
    X, y, w = tasks.sample_prompts(Sigma, M_TEST, 32, seed=11, dtype=torch.float64)
    p = cot.pseudo_newton(G, X, y, 30)
    for k in (0, 1, 2, 7, 30):
        c = cot.closed_form(G, X, w, k)
        scale = p[k].norm(dim=1).clamp_min(1e-300)
        rel = float(((c - p[k]).norm(dim=1) / torch.where(p[k].norm(dim=1) > 0, scale, 1.0)).max())
        assert rel <= 1e-10, f"{name}, k={k}: closed form vs recursion rel. error {rel:.3g}"


def test_pseudo_newton_matches_numpy_rederivation():
    """w_{i+1} = w_i − Γ⁻¹ X (Xᵀ w_i − y)/m written out in NumPy, one prompt at a time."""
    Lambda = tasks.rotate(tasks.power_law(D, 1.5), seed=5)
    G = theory.gamma(Lambda, 8)
    X, y, _ = tasks.sample_prompts(Lambda, 25, 5, seed=2, dtype=torch.float64)
    p = cot.pseudo_newton(G, X, y, 12).numpy()
    A = np.linalg.inv(G)
    for b in range(5):
        Xb, yb = X[b].numpy(), y[b].numpy()
        wb = np.zeros(D)
        for i in range(12):
            wb = wb - A @ Xb @ (Xb.T @ wb - yb) / 25
            np.testing.assert_allclose(p[i + 1, b], wb, rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_trained_lsa_is_pseudo_newton_with_its_own_gamma(dtype):
    Lambda = tasks.rotate(tasks.skewed(D), seed=4)
    n = 10
    model, history = lsa.train(Lambda, n, steps=60, batch=256, lr=0.5, seed=1, dtype=dtype, progress=False)
    G_hat = model.gamma()
    G = theory.gamma(Lambda, n)
    X, y, _ = tasks.sample_prompts(Lambda, M_TEST, 64, seed=9, dtype=dtype)
    iterates = cot.rollout(model, X, y, K)
    rel, n_finite = max_relative_error(iterates, cot.pseudo_newton(G_hat, X, y, K))
    assert n_finite == 64
    assert rel <= TOL[dtype], f"trained LSA vs pseudo-Newton(Γ̂) rel. error {rel:.3g}"
    # The test can tell Γ̂ from Γ: the short training run leaves a visible training error, and
    # against the theoretical Γ the same rollout is off by far more than the tolerance.
    gap = np.linalg.norm(G_hat - G) / np.linalg.norm(G)
    assert 1e-3 < gap < 0.5, f"unexpected training error ‖Γ̂ − Γ‖/‖Γ‖ = {gap:.3g}"
    rel_theory, _ = max_relative_error(iterates, cot.pseudo_newton(G, X, y, K))
    assert rel_theory > 100 * TOL[dtype]


def test_squared_error_matches_numpy():
    rng = np.random.default_rng(0)
    it = rng.standard_normal((6, 9, D))
    w = rng.standard_normal((9, D))
    expected = np.mean(np.sum((it - w[None]) ** 2, axis=2), axis=1)
    got = cot.squared_error(torch.as_tensor(it), torch.as_tensor(w))
    np.testing.assert_allclose(got, expected, rtol=1e-13)
    it32 = torch.as_tensor(it, dtype=torch.float32)
    got32 = cot.squared_error(it32, torch.as_tensor(w, dtype=torch.float32))
    assert got32.dtype == np.float64
    np.testing.assert_allclose(got32, expected, rtol=1e-6)
    per = cot.squared_error(torch.as_tensor(it), torch.as_tensor(w), per_prompt=True)
    np.testing.assert_allclose(per, np.sum((it - w[None]) ** 2, axis=2), rtol=1e-13)
    it[3, 2, 0] = np.inf
    it[4, 5, 1] = np.nan
    got = cot.squared_error(torch.as_tensor(it), torch.as_tensor(w))
    assert got[3] == np.inf and got[4] == np.inf
    np.testing.assert_allclose(got[[0, 1, 2, 5]], expected[[0, 1, 2, 5]], rtol=1e-13)


def test_m_to_infinity_limit_against_large_m_simulation():
    """The simulated error tends to ‖(I − Γ⁻¹Σ)^k‖_F² as m → ∞, within Monte Carlo error.

    The finite-m error is E_m = L + b/m + O(1/m²), with a bias b/m that is not small at the
    m a simulation can afford (about 10% at k = 4, m = 2000 here). So the test simulates the
    same prompts truncated to m₁ = 2000 and m₂ = 8000 examples and extrapolates,
    L̂ = (m₂E_{m₂} − m₁E_{m₁})/(m₂ − m₁). The average over w ~ N(0, I) is taken exactly by
    running every prompt with w = e_1, …, e_d (E_w‖Mw‖² = Σ_j ‖Me_j‖²), so the Monte Carlo
    error comes from the 400 draws of X only. Tolerance: 4 standard errors of L̂ plus 1% of
    the limit for the O(1/m²) remainder. The limit for n + 2 lies outside it, so the test can fail.
    """
    Lambda, Sigma = tasks.skewed(D), tasks.rotate(tasks.power_law(D, 0.5), seed=8)
    n, ms, k = 10, (2000, 8000), 4
    G = theory.gamma(Lambda, n)
    gen = tasks.make_generator(123)
    per_prompt = {m: [] for m in ms}
    for _ in range(8):
        X, _, _ = tasks.sample_prompts(Sigma, ms[-1], 50, seed=gen, dtype=torch.float64)
        Xr = X.repeat_interleave(D, dim=0)  # each prompt once per basis vector w = e_j
        w = torch.eye(D, dtype=torch.float64).repeat(X.shape[0], 1)
        for m in ms:
            Xm = Xr[:, :, :m]
            y = torch.einsum("bdn,bd->bn", Xm, w)
            sq = ((cot.pseudo_newton(G, Xm, y, k) - w[None]) ** 2).sum(dim=2)  # (k+1, 50 d)
            per_prompt[m].append(sq.reshape(k + 1, -1, D).sum(dim=2).numpy())
    e1, e2 = (np.concatenate(per_prompt[m], axis=1) for m in ms)
    extrap = (ms[1] * e2 - ms[0] * e1) / (ms[1] - ms[0])  # per prompt, (k+1, 400)
    mean = extrap.mean(axis=1)
    se = extrap.std(axis=1, ddof=1) / np.sqrt(extrap.shape[1])
    limit = theory.cot_error_limit(G, Sigma, np.arange(k + 1))
    tol = 4 * se + 0.01 * limit
    assert np.all(np.abs(mean - limit) <= tol), (mean, limit, tol)
    # from k = 3 on, the uncorrected m₁ = 2000 errors lie above the limit by more than the tolerance
    assert np.all((e1.mean(axis=1) - limit)[3:] > tol[3:])
    wrong = theory.cot_error_limit(theory.gamma(Lambda, n + 2), Sigma, np.arange(k + 1))
    assert np.all(np.abs(wrong - limit)[1:] > tol[1:])


def test_one_step_error_at_finite_m_is_direct_error():
    """k = 1 at small m: the exact finite-m error (theory.direct_error) within 4 standard errors."""
    Lambda = tasks.skewed(D)
    Sigma = tasks.rotate(tasks.power_law(D, 0.5), seed=8)
    n, m = 10, 12
    G = theory.gamma(Lambda, n)
    X, y, w = tasks.sample_prompts(Sigma, m, 40000, seed=5, dtype=torch.float64)
    err = ((cot.pseudo_newton(G, X, y, 1)[1] - w) ** 2).sum(dim=1).numpy()
    expected = theory.direct_error(G, Sigma, m)
    assert abs(err.mean() - expected) <= 4 * err.std(ddof=1) / np.sqrt(err.size)
    assert abs(theory.cot_error_limit(G, Sigma, 1) - expected) > 8 * err.std(ddof=1) / np.sqrt(err.size)


def test_rollout_validates_its_arguments():
    model = lsa.optimal(tasks.isotropic(D), 5)
    X, y, _ = tasks.sample_prompts(tasks.isotropic(D), 10, 2, seed=0, dtype=torch.float64)
    with pytest.raises(ValueError, match="k"):
        cot.rollout(model, X, y, -1)
    with pytest.raises(ValueError, match="method"):
        cot.rollout(model, X, y, 2, method="loop")
    with pytest.raises(ValueError, match="dimension"):
        cot.rollout(lsa.optimal(tasks.isotropic(D + 1), 5), X, y, 2)
    with pytest.raises(TypeError, match="model must be a ttsbook.lsa.LSA"):
        cot.rollout(object(), X, y, 2)
    with pytest.raises(ValueError, match="Gamma"):
        cot.pseudo_newton(np.zeros((D, D)), X, y, 2)
    with pytest.raises(ValueError, match="Gamma"):
        cot.pseudo_newton(np.eye(D + 1), X, y, 2)


def test_steps_to_reach_first_crossing_and_interpolation():
    errors = np.array([10.0, 1.0, 0.1, 0.01, 0.02])
    assert cot.steps_to_reach(errors, 0.1) == 2.0
    assert cot.steps_to_reach(errors, 0.05) == 3.0
    assert cot.steps_to_reach(errors, 10.0) == 0.0
    assert np.isnan(cot.steps_to_reach(errors, 1e-3))
    # geometric interpolation: log-error is linear between k = 1 and k = 2
    assert cot.steps_to_reach(errors, 10**-0.5, interpolate=True) == pytest.approx(1.5, abs=1e-12)
    assert cot.steps_to_reach(errors, 0.1, interpolate=True) == pytest.approx(2.0, abs=1e-12)
    # an m → ∞ error curve against its exact crossing d·r^(2k) = target
    d, r, target = 10, 0.3, 1e-4
    curve = d * r ** (2.0 * np.arange(30))
    exact = np.log(d / target) / (-2 * np.log(r))
    assert cot.steps_to_reach(curve, target, interpolate=True) == pytest.approx(exact, rel=1e-12)
    assert cot.steps_to_reach(curve, target) == np.ceil(exact)


def test_both_models_implement_the_one_chain_protocol():
    """The LSA and the transformer are rolled out through the same method, ``chain``; the
    transformer's model file needs nothing of the package but the embedding it shares."""
    import ast
    from pathlib import Path

    from ttsbook import gpt2

    lsa_model, gpt = lsa.LSA(D), gpt2.GPT2(gpt2.GPT2Config(d=D))
    assert isinstance(lsa_model, cot.ChainModel) and isinstance(gpt, cot.ChainModel)
    assert not isinstance(object(), cot.ChainModel)
    assert (lsa_model.d, gpt.d) == (D, D)
    source = Path(gpt2.model.__file__).read_text()
    imported = [
        (node.level, node.module, [a.name for a in node.names])
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.level
    ]
    assert imported == [(2, "lsa", ["embed"])], imported


def test_lsa_window_needs_the_literal_chain():
    model = lsa.optimal(tasks.isotropic(D), 5)
    X, y, _ = tasks.sample_prompts(tasks.isotropic(D), 10, 2, seed=0, dtype=torch.float64)
    with pytest.raises(ValueError, match="window needs method='append'"):
        cot.rollout(model, X, y, 3, method="cache", window=2)
    # Estimate columns have no x-rows, and V reads only x-rows: for the LSA a window of the
    # literal chain (the examples and the last estimate column) gives the whole chain's iterates.
    whole = cot.rollout(model, X, y, 6)
    torch.testing.assert_close(cot.rollout(model, X, y, 6, window=1), whole, rtol=1e-12, atol=1e-14)
    assert torch.linalg.vector_norm(whole[6] - whole[1]) > 1e-3  # the chain moves
