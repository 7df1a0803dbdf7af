"""Test-time chain of thought (CoT): rolling a trained LSA forward k steps.

After step i the estimate ŵ_i is appended to the prompt as a new column [0_d; 0; ŵ_i; 1] and
the model is applied again, with ρ kept at m, the number of examples. For the LSA this is the
pseudo-Newton iteration w_{i+1} = w_i − (1/m) Γ⁻¹ X Xᵀ (w_i − w) (Proposition 3.2, chapter 3,
:doc:`/book/03_cot`), whose closed form from w_0 = 0 is w_k = (I − (I − Γ⁻¹Ŝ)^k) w.
"""

from __future__ import annotations

import numpy as np
import torch

from ._checks import float_tensor, invertible, nonnegative_int
from .lsa import LSA, _check_prompts, embed

__all__ = ["rollout", "pseudo_newton", "closed_form", "squared_error"]


def rollout(model: LSA, X: torch.Tensor, y: torch.Tensor, k: int, method: str = "append") -> torch.Tensor:
    """Roll ``model`` forward k steps on the prompts (X, y) by appending estimate columns.

    After step i the column [0_d; 0; ŵ_i; 1] is appended to the prompt's embedding E and the
    model is applied again with ρ = m, the number of examples; ŵ_{i+1} is the w-rows of the
    new last column of f(E) (Proposition 3.2, chapter 3, :doc:`/book/03_cot`).

    Parameters
    ----------
    model : LSA
        The model to roll forward (its dtype is used throughout).
    X, y : torch.Tensor
        Test prompts, shapes (batch, d, m) and (batch, m).
    k : int
        Number of CoT steps, k >= 0.
    method : {"cache", "append"}
        ``"append"`` keeps the whole growing embedding E and applies the model's own
        :meth:`LSA.last_column` to it at every step: the literal definition, O(d (m + k)) work
        per prompt and step. ``"cache"`` uses that linear attention reads the prompt only
        through G = E₀E₀ᵀ, since V E (Eᵀ W e) = V G W e + V C (Cᵀ W e) for the prompt's columns
        E₀ and the appended columns C. G is computed once (O(d² m)); each step then costs
        O(d (d + k)), independent of m: use it for long test prompts. Both are exact and differ
        only by rounding; on a diverging chain in float32 the rounding of ``"cache"`` grows
        faster (about 3e-4 relative after 50 steps at d = 10, where ``"append"`` stays at the
        2e-5 of the pseudo-Newton recursion itself), so ``"append"`` is the default.

    Returns
    -------
    torch.Tensor, shape (k+1, batch, d)
        The iterates w_0 = 0, w_1, …, w_k in the model's dtype. All prompts are processed
        together as batched tensor operations. A diverging chain gives inf/nan honestly
        (nothing is clipped).
    """
    if not isinstance(model, LSA):
        raise ValueError(f"model must be a ttsbook.lsa.LSA, got {type(model).__name__}")
    batch, d, m = _check_prompts(X, y)
    if d != model.d:
        raise ValueError(f"X has dimension d = {d} but the model was built for d = {model.d}")
    k = nonnegative_int("k", k)
    if method not in ("cache", "append"):
        raise ValueError(f"method must be 'cache' or 'append', got {method!r}")
    dtype = model.W.dtype
    b = model.blocks
    E0 = embed(X.to(dtype), y.to(dtype))  # (batch, 2d+2, m+1); its last column carries w_0 = 0
    iterates = [E0.new_zeros(batch, d)]
    with torch.no_grad():
        if method == "append":
            # The k estimate columns are preallocated; the model sees a growing view of E.
            E = E0.new_zeros(batch, b.size, m + 1 + k)
            E[:, :, : m + 1] = E0
            for i in range(k):
                w_next = model.last_column(E[:, :, : m + 1 + i], rho=m)[:, b.w]
                iterates.append(w_next)
                E[:, b.w, m + 1 + i] = w_next
                E[:, b.one, m + 1 + i] = 1
        else:
            V, W = model.V, model.W
            G = E0 @ E0.transpose(1, 2)  # the prompt's part of E Eᵀ, (batch, 2d+2, 2d+2)
            C = E0.new_zeros(batch, b.size, k)  # the appended estimate columns
            last = E0[:, :, -1]
            for i in range(k):
                q = last @ W.T  # W e for the last column e
                attn = torch.einsum("bij,bj->bi", G, q)
                if i > 0:
                    Ci = C[:, :, :i]
                    attn = attn + torch.einsum("bdi,bi->bd", Ci, torch.einsum("bdi,bd->bi", Ci, q))
                w_next = (last + attn @ V.T / m)[:, b.w]
                iterates.append(w_next)
                C[:, b.w, i] = w_next
                C[:, b.one, i] = 1
                last = C[:, :, i]
    return torch.stack(iterates)


def _gamma_inverse(Gamma, d: int, dtype) -> torch.Tensor:
    """Γ⁻¹ for any invertible Γ: the theory's Γ is SPD, but one read back from a model trained by
    stochastic gradient descent (:meth:`LSA.gamma`) is only approximately symmetric."""
    return torch.as_tensor(np.linalg.inv(invertible("Gamma", Gamma, d)), dtype=dtype)


def pseudo_newton(Gamma: np.ndarray, X: torch.Tensor, y: torch.Tensor, k: int) -> torch.Tensor:
    """The pseudo-Newton recursion w_{i+1} = w_i − (1/m) Γ⁻¹ X (Xᵀ w_i − y), w_0 = 0.

    Newton's method on ℓ(w) = (1/2m)‖y − Xᵀw‖² with Γ⁻¹ in place of the inverse Hessian.
    ``Gamma`` is any invertible d × d matrix: :func:`ttsbook.theory.gamma`, or the one a trained
    model implements (:meth:`ttsbook.lsa.LSA.gamma`, not exactly symmetric after SGD).
    Returns shape (k+1, batch, d) in the dtype of X.
    """
    batch, d, m = _check_prompts(X, y)
    k = nonnegative_int("k", k)
    A = _gamma_inverse(Gamma, d, X.dtype)
    y = y.to(X.dtype)
    w = X.new_zeros(batch, d)
    iterates = [w]
    for _ in range(k):
        residual = torch.einsum("bdn,bd->bn", X, w) - y
        w = w - torch.einsum("bdn,bn->bd", X, residual) @ A.T / m
        iterates.append(w)
    return torch.stack(iterates)


def closed_form(Gamma: np.ndarray, X: torch.Tensor, w: torch.Tensor, k: int) -> torch.Tensor:
    """w_k = (I − (I − Γ⁻¹Ŝ)^k) w with Ŝ = XXᵀ/m, the closed form of k pseudo-Newton steps."""
    float_tensor("X", X, ndim=3)
    batch, d, m = X.shape
    if batch < 1 or d < 1 or m < 1:
        raise ValueError(f"X must have at least one prompt, one dimension and one example, got shape {tuple(X.shape)}")
    float_tensor("w", w, shape=(batch, d))
    w = w.to(X.dtype)
    k = nonnegative_int("k", k)
    A = _gamma_inverse(Gamma, d, X.dtype)
    eye = torch.eye(d, dtype=X.dtype)
    M = eye - A @ (X @ X.transpose(1, 2)) / m
    return w - torch.einsum("bij,bj->bi", torch.linalg.matrix_power(M, k), w)


def squared_error(iterates: torch.Tensor, w: torch.Tensor, per_prompt: bool = False) -> np.ndarray:
    """Mean over the batch of ‖w_i − w‖² for each step i, shape (k+1,), in float64.

    With ``per_prompt=True`` the errors are not averaged: shape (k+1, batch), for example to
    attach a Monte Carlo standard error to the mean. Diverged iterates give inf (an overflowed
    or nan error is reported as inf, never clipped).
    """
    float_tensor("iterates", iterates, ndim=3, finite=False)
    float_tensor("w", w, shape=tuple(iterates.shape[1:]))
    diff = iterates.to(torch.float64) - w.to(torch.float64)[None]
    err = (diff**2).sum(dim=2)
    if not per_prompt:
        err = err.mean(dim=1)
    err = err.numpy()
    return np.where(np.isfinite(err), err, np.inf)
