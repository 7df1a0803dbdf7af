"""The LSA model: embedding, forward pass against the matrix formula, training to −Γ⁻¹/c."""

import numpy as np
import pytest
import torch

from ttsbook import lsa, tasks, theory


def _hand_forward(E, V, W, rho):
    """f(E) = E + V E (Eᵀ W E)/ρ, written out literally in NumPy for one prompt."""
    return E + V @ E @ (E.T @ W @ E) / rho


def test_embedding_layout():
    X, y, w = tasks.sample_prompts(np.eye(3), 4, 2, seed=0, dtype=torch.float64)
    w0 = torch.randn(2, 3, dtype=torch.float64)
    E = lsa.embed(X, y, w0)
    assert E.shape == (2, 8, 5)
    torch.testing.assert_close(E[:, :3, :4], X)
    torch.testing.assert_close(E[:, 3, :4], y)
    assert torch.all(E[:, 4:, :4] == 0) and torch.all(E[:, :4, 4] == 0)
    torch.testing.assert_close(E[:, 4:7, 4], w0)
    assert torch.all(E[:, 7, 4] == 1)


def test_forward_matches_hand_formula_with_random_weights():
    """The full f(E) with a random block V_wx, against the literal formula for every column."""
    d, n = 3, 6
    model = lsa.LSA(d, c=1.5, dtype=torch.float64)
    rng = np.random.default_rng(0)
    V = rng.standard_normal((2 * d + 2, 2 * d + 2))
    with torch.no_grad():
        model.V_wx.copy_(torch.as_tensor(V[d + 1 : 2 * d + 1, :d]))
    X, y, _ = tasks.sample_prompts(tasks.skewed(d), n, 3, seed=1, dtype=torch.float64)
    w0 = torch.randn(3, d, dtype=torch.float64)
    E = lsa.embed(X, y, w0)
    with torch.no_grad():
        out = model(E, rho=n)
        last, pred = model.last_column(E, rho=n), model.predict(X, y, w0)
    Vfull = model.V.detach().numpy()
    assert np.count_nonzero(Vfull) == d * d  # only the block V_{w,x}
    for b in range(3):
        expected = _hand_forward(E[b].numpy(), Vfull, model.W.numpy(), n)
        np.testing.assert_allclose(out[b].numpy(), expected, rtol=1e-12, atol=1e-12)
    # The cheap last column and predict agree with the full forward.
    torch.testing.assert_close(last, out[:, :, -1], rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(pred, out[:, d + 1 : 2 * d + 1, -1], rtol=1e-12, atol=1e-12)


def test_sparse_W_structure():
    d, c = 4, 0.5
    W = lsa.LSA(d, c=c).W.numpy()
    expected = np.zeros((2 * d + 2, 2 * d + 2))
    expected[:d, d + 1 : 2 * d + 1] = c * np.eye(d)
    expected[d, 2 * d + 1] = -c
    np.testing.assert_array_equal(W, expected)


def test_optimal_model_predicts_gamma_inverse_S_w():
    d, n = 5, 8
    Lam = tasks.rotate(tasks.skewed(d), seed=2)
    model = lsa.optimal(Lam, n, c=2.0)
    X, y, w = tasks.sample_prompts(Lam, n, 16, seed=3, dtype=torch.float64)
    S = X @ X.transpose(1, 2) / n
    expected = torch.einsum("ij,bjk,bk->bi", torch.as_tensor(np.linalg.inv(theory.gamma(Lam, n))), S, w)
    torch.testing.assert_close(model.predict(X, y), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(model.gamma(), theory.gamma(Lam, n), rtol=1e-12)


@pytest.mark.parametrize("name", ["isotropic", "skewed", "rotated"])
def test_training_reaches_closed_form(name):
    """Gradient descent from V = 0 reaches V_wx = −Γ⁻¹/c within 2% (relative Frobenius)."""
    d, n = 10, 20
    Lam = {
        "isotropic": tasks.isotropic(d),
        "skewed": tasks.skewed(d),
        "rotated": tasks.rotate(tasks.skewed(d), seed=1),
    }[name]
    model, hist = lsa.train(Lam, n, seed=0, progress=False)
    target = theory.optimal_v(Lam, n)
    rel = np.linalg.norm(model.V_wx.detach().double().numpy() - target) / np.linalg.norm(target)
    assert rel <= 0.02
    assert hist.rel_error[-1] == pytest.approx(rel, rel=1e-6)
    assert hist.rel_error[0] == pytest.approx(1.0)  # starts at V = 0
    # The final mini-batch loss is within Monte Carlo error of L* (here: 5%).
    assert abs(hist.loss[-1] - theory.optimal_loss(Lam, n)) <= 0.05 * theory.optimal_loss(Lam, n)


def test_training_is_deterministic():
    a, ha = lsa.train(tasks.skewed(4), 6, steps=30, batch=64, seed=7, progress=False, tol=None)
    b, hb = lsa.train(tasks.skewed(4), 6, steps=30, batch=64, seed=7, progress=False, tol=None)
    torch.testing.assert_close(a.V_wx, b.V_wx, rtol=0, atol=0)
    np.testing.assert_array_equal(ha.loss, hb.loss)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: lsa.LSA(0), "d"),
        (lambda: lsa.LSA(3, c=-1.0), "c"),
        (lambda: lsa.LSA(3)(torch.zeros(1, 5, 2), rho=1), "E"),
        (lambda: lsa.LSA(3)(torch.zeros(1, 8, 2), rho=0), "rho"),
        (lambda: lsa.embed(torch.zeros(2, 3, 4), torch.zeros(2, 5)), "y"),
        (lambda: lsa.embed(torch.zeros(3, 4), torch.zeros(3)), "X"),
        (lambda: lsa.embed(torch.zeros(2, 3, 4), torch.zeros(2, 4), torch.zeros(2, 2)), "w0"),
        (lambda: lsa.LSA(2).predict(torch.zeros(1, 3, 4), torch.zeros(1, 4)), "d"),
        (lambda: lsa.train(np.diag([1.0, 0.0]), 3), "Lambda"),
        (lambda: lsa.train(np.eye(2), 0), "n"),
        (lambda: lsa.train(np.eye(2), 3, lr=float("nan")), "lr"),
        (lambda: lsa.train(np.eye(2), 3, batch=0), "batch"),
    ],
)
def test_bad_input_raises_naming_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# ----------------------------------------------------------------------------- training defaults


def _rel(model, target):
    return np.linalg.norm(model.V_wx.detach().double().numpy() - target) / np.linalg.norm(target)


def test_stable_step_size_is_two_over_the_curvature():
    """2/(c² λ_max(ΓΛ)) for one task; a constant step just above it diverges, just below converges."""
    d, n, c = 6, 9, 1.5
    Lam = tasks.rotate(tasks.with_trace(tasks.skewed(d), d), seed=3)
    bound = theory.stable_step_size(Lam, n, c)
    assert bound == pytest.approx(2 / (c**2 * np.linalg.eigvalsh(theory.gamma(Lam, n) @ Lam).max()), rel=1e-12)
    with pytest.raises(lsa.TrainingDiverged, match=r"lr = .*stable bound"):
        lsa.train(
            Lam, n, c=c, lr=1.02 * bound, steps=3000, mode="population", dtype=torch.float64, progress=False, tol=None
        )
    model, _ = lsa.train(
        Lam, n, c=c, lr=0.98 * bound, mode="population", dtype=torch.float64, progress=False, steps=20000
    )
    assert _rel(model, theory.optimal_v(Lam, n, c)) < 1e-6


def test_default_run_on_trace_normalised_skewed_task_converges():
    """tr Λ = d makes λ_max(ΓΛ) large: the default step must follow it (no NaN, within 2%)."""
    d, n = 10, 20
    Lam = tasks.with_trace(tasks.skewed(d), d)
    model, hist = lsa.train(Lam, n, progress=False)
    assert np.all(np.isfinite(hist.rel_error))
    assert _rel(model, theory.optimal_v(Lam, n)) <= 0.02


@pytest.mark.parametrize("d, n, spectrum", [(5, 3, "power"), (10, 80, "skewed"), (20, 10, "trace"), (40, 80, "power")])
def test_population_mode_reaches_closed_form(d, n, spectrum):
    Lam = {"power": tasks.power_law(d, 1.5), "skewed": tasks.skewed(d), "trace": tasks.with_trace(tasks.skewed(d), d)}[
        spectrum
    ]
    model, hist = lsa.train(Lam, n, mode="population", progress=False)
    assert _rel(model, theory.optimal_v(Lam, n)) <= 0.02
    # the recorded loss is the exact population loss: it ends at L*
    assert hist.loss[-1] == pytest.approx(theory.optimal_loss(Lam, n), rel=1e-3, abs=1e-6)


def test_sampled_mode_at_d20():
    d, n = 20, 40
    Lam = tasks.skewed(d)
    model, _ = lsa.train(Lam, n, progress=False)
    assert _rel(model, theory.optimal_v(Lam, n)) <= 0.02


def test_sampled_statistics_have_the_prompt_moments():
    """u = S w drawn by the training sampler: E[u wᵀ] = Λ and E[u uᵀ] = E[S²] = ΓΛ, and
    E‖u‖⁴ agrees with u = X y / n computed from real prompts."""
    d, n, B = 4, 5, 400_000
    Lam = tasks.rotate(tasks.skewed(d), seed=0)
    chol = torch.as_tensor(np.linalg.cholesky(Lam), dtype=torch.float64)
    u, w = lsa._sample_statistics(chol, n, B, torch.Generator().manual_seed(1), torch.float64)
    u, w = u.numpy(), w.numpy()
    M = theory.second_moment(Lam, n)
    np.testing.assert_allclose(u.T @ w / B, Lam, atol=0.02)
    np.testing.assert_allclose(u.T @ u / B, M, atol=0.03 * np.abs(M).max())
    X, y, _ = tasks.sample_prompts(Lam, n, B, seed=2, dtype=torch.float64)
    u_ref = torch.einsum("bdn,bn->bd", X, y).numpy() / n
    fourth, ref = np.mean(np.sum(u**2, 1) ** 2), np.mean(np.sum(u_ref**2, 1) ** 2)
    assert fourth == pytest.approx(ref, rel=0.05)


def test_statistics_loss_is_the_model_loss_on_prompts():
    """The loss from u = X y / n equals ½ mean ‖LSA.predict − w‖², value and gradient."""
    d, n = 4, 6
    model = lsa.LSA(d, c=1.3, dtype=torch.float64)
    with torch.no_grad():
        model.V_wx.copy_(torch.randn(d, d, generator=torch.Generator().manual_seed(0), dtype=torch.float64))
    X, y, w = tasks.sample_prompts(tasks.skewed(d), n, 32, seed=4, dtype=torch.float64)
    direct = 0.5 * ((model.predict(X, y) - w) ** 2).sum(1).mean()
    (g_direct,) = torch.autograd.grad(direct, model.V_wx)
    stat = lsa._statistics_loss(model, torch.einsum("bdn,bn->bd", X, y) / n, w)
    (g_stat,) = torch.autograd.grad(stat, model.V_wx)
    torch.testing.assert_close(stat, direct, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(g_stat, g_direct, rtol=1e-12, atol=1e-12)


def test_short_run_warns_with_error_reached():
    with pytest.warns(UserWarning, match=r"relative error .* > tol = 0.02 after 5 steps"):
        lsa.train(tasks.skewed(6), 12, steps=5, progress=False)


def test_sampled_divergence_raises_naming_the_bound():
    Lam = tasks.with_trace(tasks.skewed(10), 10)
    bound = theory.stable_step_size(Lam, 20)
    with pytest.raises(lsa.TrainingDiverged, match=f"stable bound .* = {bound:.4g}"):
        lsa.train(Lam, 20, lr=0.5, steps=400, batch=256, progress=False)


def test_mixture_uses_the_theory_target():
    Ls = [tasks.skewed(3), tasks.isotropic(3)]
    model, hist = lsa.train(Ls, [4, 8], weights=[0.3, 0.7], mode="population", progress=False)
    target = theory.mixture_optimal_v(Ls, [4, 8], [0.3, 0.7])
    assert _rel(model, target) <= 0.02
    assert hist.optimal_loss == pytest.approx(theory.mixture_optimal_loss(Ls, [4, 8], [0.3, 0.7]))
    # a single task is the mixture of one
    a, _ = lsa.train(tasks.skewed(3), 4, mode="population", progress=False, dtype=torch.float64)
    b, _ = lsa.train([tasks.skewed(3)], [4], mode="population", progress=False, dtype=torch.float64)
    torch.testing.assert_close(a.V_wx, b.V_wx, rtol=0, atol=0)


def test_gpt2_training_refuses_a_non_finite_loss():
    """An absurd learning rate makes the GPT-2 loss NaN at the second step: training stops there."""
    from ttsbook import gpt2

    cfg = gpt2.GPT2Config(d=3, n_layer=1, n_head=1, n_embd=8)
    with pytest.raises(lsa.TrainingDiverged, match=r"loss is nan at step 1 with peak lr = 1e\+37"):
        gpt2.train(cfg, np.eye(3), n=4, steps=6, batch=4, lr=1e37, warmup=0, progress=False)
