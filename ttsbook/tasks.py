"""Tasks: covariance spectra ("skills") and prompts for in-context weight prediction.

A task is a feature covariance Λ. Its eigenvectors are the *skills* a task uses and its
eigenvalues how often each skill is exercised (chapter 1, :doc:`/book/01_setup`). A prompt
holds n examples ``x_i ~ N(0, Λ)`` with labels ``y_i = <w, x_i>`` for a hidden weight
``w ~ N(0, I_d)``; the model must output ``w`` itself.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
from scipy.stats import special_ortho_group

from ._checks import as_covariance, finite_float, on_simplex, positive_float, positive_int
from ._checks import seed as check_seed

__all__ = [
    "isotropic",
    "skewed",
    "power_law",
    "random_rotation",
    "rotate",
    "with_trace",
    "by_name",
    "sample_prompts",
    "make_generator",
    "TaskMixture",
    "mixture",
    "training_tasks",
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


SPECTRA = ("isotropic", "skewed", "skewed-trace-d")


def by_name(name: str, d: int) -> np.ndarray:
    """The covariance named ``name`` (one of :data:`SPECTRA`): ``isotropic`` (I), ``skewed``
    (λ_i = 1/i) or ``skewed-trace-d`` (λ_i ∝ 1/i rescaled to tr Λ = d, the one chapter 8 uses)."""
    d = positive_int("d", d)
    if name == "isotropic":
        return isotropic(d)
    if name == "skewed":
        return skewed(d)
    if name == "skewed-trace-d":
        return with_trace(skewed(d), d)
    raise ValueError(f"name must be one of the spectra {SPECTRA}, got {name!r}")


def make_generator(seed: int | torch.Generator | None) -> torch.Generator:
    """A CPU ``torch.Generator`` from a seed (``None`` draws a fresh seed); generators pass through."""
    if isinstance(seed, torch.Generator):
        return seed
    g = torch.Generator()
    if seed is None:
        g.seed()
    else:
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"seed must be a non-negative integer, a torch.Generator or None, got {seed!r}")
        if seed < 0:
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


class TaskMixture(NamedTuple):
    """A validated task mixture: covariances Λ_ℓ (L, d, d), prompt lengths n_ℓ, probabilities π.

    ``ns`` or ``weights`` is ``None`` when it was not given to :func:`mixture`.
    """

    Lambdas: np.ndarray
    ns: tuple[int, ...] | None
    weights: np.ndarray | None


def mixture(Lambdas, ns=None, weights=None) -> TaskMixture:
    """Check and pack a task mixture (chapter 7, :doc:`/book/07_selection`).

    Parameters
    ----------
    Lambdas : sequence of (d, d) arrays, or an (L, d, d) array
        The task covariances, each symmetric positive definite and all of the same size.
    ns : int or sequence of int, optional
        The prompt length n_ℓ of each task (one int is used for every task).
    weights : sequence of float, optional
        The mixture probabilities π_ℓ, on the simplex.

    Raises
    ------
    TypeError
        Naming the argument, when it is not a sequence (of matrices, of integers).
    ValueError
        Naming the argument, when a covariance is not SPD, the sizes disagree, a prompt length
        is < 1 or the weights are off the simplex.
    """
    if isinstance(Lambdas, (np.ndarray, torch.Tensor)) and Lambdas.ndim == 2:
        Lambdas = [Lambdas]
    try:
        items = list(Lambdas)
    except TypeError:
        raise TypeError(f"Lambdas must be a sequence of covariance matrices, got {type(Lambdas).__name__}") from None
    if not items:
        raise ValueError("Lambdas must hold at least one task")
    first = as_covariance("Lambdas[0]", items[0])
    d = first.shape[0]
    mats = np.stack([first] + [as_covariance(f"Lambdas[{i}]", A, d) for i, A in enumerate(items[1:], 1)])
    L = mats.shape[0]
    if ns is not None:
        if isinstance(ns, (int, np.integer)) and not isinstance(ns, bool):
            ns = [ns] * L
        try:
            ns_list = list(ns)
        except TypeError:
            raise TypeError(f"ns must be a sequence of prompt lengths, got {ns!r}") from None
        if len(ns_list) != L:
            raise ValueError(f"ns must have one prompt length per task ({L}), got {len(ns_list)}")
        ns = tuple(positive_int(f"ns[{i}]", int(v) if isinstance(v, np.integer) else v) for i, v in enumerate(ns_list))
    if weights is not None:
        weights = on_simplex("weights", weights, size=L)
    return TaskMixture(mats, ns, weights)


def training_tasks(Lambda, n, weights=None) -> tuple[np.ndarray, tuple[int, ...], np.ndarray]:
    """The training distribution as (Λ_ℓ stacked, n_ℓ, π): one task or a mixture of tasks.

    One task is a (d, d) covariance ``Lambda`` with an int ``n``: a mixture of one. A mixture is
    a sequence of covariances with their prompt lengths ``n`` (or one int for all), and
    ``weights`` (default uniform), checked by :func:`mixture`.
    """
    try:
        one_task = np.ndim(Lambda) == 2
    except ValueError:  # a ragged sequence of matrices
        one_task = False
    if one_task:
        Lambda, n = as_covariance("Lambda", Lambda), positive_int("n", n)
        mix = mixture([Lambda], [n], weights)
    else:
        mix = mixture(Lambda, n, weights)
    if mix.ns is None:
        raise ValueError("n must give the prompt length of every task")
    L = mix.Lambdas.shape[0]
    pis = mix.weights if mix.weights is not None else np.full(L, 1.0 / L)
    return mix.Lambdas, mix.ns, pis
