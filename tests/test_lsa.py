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
    Lam = {"isotropic": tasks.isotropic(d), "skewed": tasks.skewed(d),
           "rotated": tasks.rotate(tasks.skewed(d), seed=1)}[name]
    model, hist = lsa.train(Lam, n, seed=0, progress=False)
    target = theory.optimal_v(Lam, n)
    rel = np.linalg.norm(model.V_wx.detach().double().numpy() - target) / np.linalg.norm(target)
    assert rel <= 0.02
    assert hist.rel_error[-1] == pytest.approx(rel, rel=1e-6)
    assert hist.rel_error[0] == pytest.approx(1.0)  # starts at V = 0
    # The final mini-batch loss is within Monte Carlo error of L* (here: 5%).
    assert abs(hist.loss[-1] - theory.optimal_loss(Lam, n)) <= 0.05 * theory.optimal_loss(Lam, n)


def test_training_is_deterministic():
    a, ha = lsa.train(tasks.skewed(4), 6, steps=30, batch=64, seed=7, progress=False)
    b, hb = lsa.train(tasks.skewed(4), 6, steps=30, batch=64, seed=7, progress=False)
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
