"""Test-time chain of thought (CoT): rolling a trained LSA forward k steps.

After step i the estimate ŵ_i is appended to the prompt as a new column [0_d; 0; ŵ_i; 1] and
the model is applied again, with ρ kept at m, the number of examples. For the LSA this is the
pseudo-Newton iteration w_{i+1} = w_i − (1/m) Γ⁻¹ X Xᵀ (w_i − w) (Proposition 3.2, chapter 3,
:doc:`/book/03_cot`), whose closed form from w_0 = 0 is w_k = (I − (I − Γ⁻¹Ŝ)^k) w.
"""

from __future__ import annotations

import numpy as np
import torch

from ._checks import as_covariance, float_tensor, nonnegative_int
from .lsa import LSA, _check_prompts, embed, estimate_column

__all__ = ["rollout", "pseudo_newton", "closed_form", "squared_error"]


def rollout(model: LSA, X: torch.Tensor, y: torch.Tensor, k: int) -> torch.Tensor:
    """Roll ``model`` forward k steps on the prompts (X, y) by appending estimate columns.

    Returns the iterates w_0 = 0, w_1, …, w_k, shape (k+1, batch, d), in the model's dtype.
    All prompts are processed together as batched tensor operations. A diverging chain gives
    inf/nan honestly (nothing is clipped).
    """
    if not isinstance(model, LSA):
        raise ValueError(f"model must be a ttsbook.lsa.LSA, got {type(model).__name__}")
    batch, d, m = _check_prompts(X, y)
    if d != model.d:
        raise ValueError(f"X has dimension d = {d} but the model was built for d = {model.d}")
    k = nonnegative_int("k", k)
    dtype = model.W.dtype
    E = embed(X.to(dtype), y.to(dtype))
    iterates = [E.new_zeros(batch, d)]
    with torch.no_grad():
        for _ in range(k):
            w_next = model.last_column(E, rho=m)[:, model.blocks.w]
            iterates.append(w_next)
            E = torch.cat([E, estimate_column(w_next)], dim=2)
    return torch.stack(iterates)


def _gamma_inverse(Gamma, d: int, dtype) -> torch.Tensor:
    G = as_covariance("Gamma", Gamma, d)
    return torch.as_tensor(np.linalg.inv(G), dtype=dtype)


def pseudo_newton(Gamma: np.ndarray, X: torch.Tensor, y: torch.Tensor, k: int) -> torch.Tensor:
    """The pseudo-Newton recursion w_{i+1} = w_i − (1/m) Γ⁻¹ X (Xᵀ w_i − y), w_0 = 0.

    Newton's method on ℓ(w) = (1/2m)‖y − Xᵀw‖² with Γ⁻¹ in place of the inverse Hessian.
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


def squared_error(iterates: torch.Tensor, w: torch.Tensor) -> np.ndarray:
    """Mean over the batch of ‖w_i − w‖² for each step i, shape (k+1,), in float64.

    Diverged iterates give inf (an overflowed or nan error is reported as inf, never clipped).
    """
    float_tensor("iterates", iterates, ndim=3, finite=False)
    float_tensor("w", w, shape=tuple(iterates.shape[1:]))
    diff = iterates.to(torch.float64) - w.to(torch.float64)[None]
    err = (diff**2).sum(dim=2).mean(dim=1).numpy()
    return np.where(np.isfinite(err), err, np.inf)
