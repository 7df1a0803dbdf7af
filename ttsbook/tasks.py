"""Tasks: covariance spectra ("skills") and prompts for in-context weight prediction.

A task is a feature covariance Λ. Its eigenvectors are the *skills* a task uses and its
eigenvalues how often each skill is exercised (chapter 1, :doc:`/book/01_setup`). A prompt
holds n examples ``x_i ~ N(0, Λ)`` with labels ``y_i = <w, x_i>`` for a hidden weight
``w ~ N(0, I_d)``; the model must output ``w`` itself.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.stats import special_ortho_group

from ._checks import as_covariance, finite_float, positive_float, positive_int
from ._checks import seed as check_seed

__all__ = [
    "isotropic",
    "skewed",
    "power_law",
    "random_rotation",
    "rotate",
    "with_trace",
    "sample_prompts",
    "make_generator",
]


def isotropic(d: int) -> np.ndarray:
    """The isotropic covariance Λ = I_d: every skill used equally often."""
    d = positive_int("d", d)
    return np.eye(d)


def skewed(d: int) -> np.ndarray:
    """The paper's skewed covariance, diagonal with λ_i = 1/i (so λ_1 = 1, tr Λ = H_d)."""
    d = positive_int("d", d)
    return np.diag(1.0 / np.arange(1, d + 1))


def power_law(d: int, alpha: float) -> np.ndarray:
    """Diagonal covariance with λ_i = i^(−alpha); alpha = 0 is isotropic, alpha = 1 is :func:`skewed`."""
    d = positive_int("d", d)
    alpha = finite_float("alpha", alpha)
    if alpha < 0:
        raise ValueError(f"alpha must be >= 0, got {alpha!r}")
    return np.diag(np.arange(1, d + 1, dtype=float) ** (-alpha))


def random_rotation(d: int, seed: int | None = None) -> np.ndarray:
    """A Haar-random rotation Q ∈ SO(d) (``scipy.stats.special_ortho_group``)."""
    d = positive_int("d", d)
    seed = check_seed("seed", seed, np.random.Generator)
    if d == 1:
        return np.eye(1)
    return special_ortho_group.rvs(d, random_state=np.random.default_rng(seed))


def rotate(Lambda: np.ndarray, seed: int | None = None) -> np.ndarray:
    """Return Q Λ Qᵀ for a Haar-random rotation Q: the same spectrum with skills that are not axes."""
    Lambda = as_covariance("Lambda", Lambda)
    seed = check_seed("seed", seed, np.random.Generator)
    Q = random_rotation(Lambda.shape[0], seed)
    out = Q @ Lambda @ Q.T
    return (out + out.T) / 2


def with_trace(Lambda: np.ndarray, trace: float) -> np.ndarray:
    """Rescale Λ so that tr(Λ) = ``trace`` (for example ``trace=d`` to compare with Λ = I)."""
    Lambda = as_covariance("Lambda", Lambda)
    trace = positive_float("trace", trace)
    return Lambda * (trace / np.trace(Lambda))


def make_generator(seed: int | torch.Generator | None) -> torch.Generator:
    """A CPU ``torch.Generator`` from a seed (``None`` draws a fresh seed); generators pass through."""
    if isinstance(seed, torch.Generator):
        return seed
    g = torch.Generator()
    if seed is None:
        g.seed()
    else:
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, a torch.Generator or None, got {seed!r}")
        g.manual_seed(int(seed))
    return g


def sample_prompts(
    Lambda: np.ndarray,
    n: int,
    batch: int,
    seed: int | torch.Generator | None = None,
    dtype: torch.dtype = torch.float32,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Sample ``batch`` prompts of ``n`` examples for the covariance Λ.

    Returns
    -------
    X : torch.Tensor, shape (batch, d, n)
        Columns ``x_i ~ N(0, Λ)``.
    y : torch.Tensor, shape (batch, n)
        Labels ``y_i = <w, x_i>``.
    w : torch.Tensor, shape (batch, d)
        The hidden weights, ``w ~ N(0, I_d)``.

    The same ``seed`` gives the same prompts. A ``torch.Generator`` may be passed instead of a
    seed to draw successive batches from one stream (the training loop does this).
    """
    Lambda = as_covariance("Lambda", Lambda)
    n = positive_int("n", n)
    batch = positive_int("batch", batch)
    if dtype not in (torch.float32, torch.float64):
        raise ValueError(f"dtype must be torch.float32 or torch.float64, got {dtype!r}")
    g = make_generator(seed)
    d = Lambda.shape[0]
    L = torch.as_tensor(np.linalg.cholesky(Lambda), dtype=dtype)
    Z = torch.randn(batch, d, n, generator=g, dtype=dtype)
    w = torch.randn(batch, d, generator=g, dtype=dtype)
    X = L @ Z
    y = torch.einsum("bdn,bd->bn", X, w)
    return X, y, w
