"""Shared pytest configuration and helpers for tests/ (import them with ``from conftest import …``)."""

import numpy as np

from noskips import pytest_addoption, pytest_sessionfinish  # noqa: F401  (--no-skips)


def random_spd(rng: np.random.Generator, d: int, spread: float = 3.0) -> np.ndarray:
    """An SPD matrix with log-uniform eigenvalues over ``spread`` decades and random eigenvectors."""
    evals = 10.0 ** rng.uniform(-spread, 0, size=d)
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    A = Q @ np.diag(evals) @ Q.T
    return (A + A.T) / 2


def wishart_spd(d: int, seed: int, shift: float = 1.0) -> np.ndarray:
    """G Gᵀ/d + shift · I for a standard normal d × d matrix G: SPD with eigenvalues >= shift."""
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((d, d))
    return A @ A.T / d + shift * np.eye(d)
