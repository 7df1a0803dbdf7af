"""Argument checks shared by the public API.

Every public function of :mod:`ttsbook` validates its inputs with these helpers so that a bad
argument raises an error that names it, instead of producing a wrong number: a :class:`TypeError`
for a value of the wrong type (a float where an integer is needed, a string where a number is, a
complex or boolean array, something that is not a tensor), as NumPy and PyTorch raise it, and a
:class:`ValueError` for a value of the right type out of its range (n < 1, a negative k, a
non-finite entry, a wrong shape, a covariance that is not positive definite). ``bool`` is not an
integer here, although Python counts it as one.
"""

from __future__ import annotations

import numbers

import numpy as np
import torch

__all__ = [
    "as_covariance",
    "as_matrix",
    "invertible",
    "positive_int",
    "nonnegative_int",
    "positive_float",
    "finite_float",
    "steps",
    "steps_array",
    "on_simplex",
    "seed",
    "float_tensor",
    "prompt_inputs",
    "prompts",
]


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def positive_int(name: str, value) -> int:
    """Return ``value`` as an ``int`` if it is an integer ≥ 1; raise ``TypeError`` for a value
    that is not an integer (``2.5``, ``True``, ``"3"``), ``ValueError`` for one below 1."""
    if not _is_int(value):
        raise TypeError(f"{name} must be an integer >= 1, got {value!r} ({type(value).__name__})")
    if value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def nonnegative_int(name: str, value) -> int:
    """Return ``value`` as an ``int`` if it is an integer ≥ 0; raise ``TypeError`` for a value
    that is not an integer, ``ValueError`` for a negative one."""
    if not _is_int(value):
        raise TypeError(f"{name} must be an integer >= 0, got {value!r} ({type(value).__name__})")
    if value < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
    return int(value)


def finite_float(name: str, value) -> float:
    """Return ``value`` as a finite ``float``; raise ``TypeError`` for a value that is not a real
    number (``"1"``, ``None``, ``True``), ``ValueError`` for nan or ±inf."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a finite real number, got {value!r} ({type(value).__name__})")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    return float(value)


def positive_float(name: str, value) -> float:
    """Return ``value`` as a finite ``float`` > 0, else raise (see :func:`finite_float`)."""
    value = finite_float(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return value


def steps_array(name: str, k) -> tuple[np.ndarray, bool]:
    """Validate a number of CoT steps, or an array of them (see :func:`steps`).

    Returns the steps as an int array and whether the input was a scalar.
    """
    try:
        arr = np.asarray(k) if not isinstance(k, (str, bytes)) else np.asarray(k, dtype=object)
    except ValueError as err:  # a ragged nested list
        raise TypeError(f"{name} must be an integer or an array of integers >= 0, got {k!r}") from err
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        if np.issubdtype(arr.dtype, np.floating) and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            raise TypeError(f"{name} must be an integer or an array of integers >= 0, got {k!r}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    if np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0, got {k!r}")
    return arr.astype(np.int64), arr.ndim == 0


def steps(name: str, k) -> int:
    """Return a number of CoT steps as an ``int``.

    The one rule for a number of steps everywhere: an integer >= 0, given as an int or as a
    float with an integer value (``3.0``). What is not an integer (``1.5``, ``True``, ``"3"``, an
    array) raises ``TypeError``, a negative integer ``ValueError``.
    """
    try:
        scalar = np.ndim(k) == 0
    except ValueError:  # a ragged nested list
        scalar = False
    if not scalar:
        raise TypeError(f"{name} must be an integer >= 0, got {k!r}")
    try:
        ks, _ = steps_array(name, k)
    except TypeError:
        raise TypeError(f"{name} must be an integer >= 0, got {k!r} ({type(k).__name__})") from None
    except ValueError:
        raise ValueError(f"{name} must be an integer >= 0, got {k!r}") from None
    return int(ks)


def _to_numpy(name: str, A) -> np.ndarray:
    """``A`` as a float64 array; ``TypeError`` for what is not a real (integer or floating) array."""
    if isinstance(A, torch.Tensor):
        if A.is_complex() or A.dtype == torch.bool:
            raise TypeError(f"{name} must be a real (integer or floating) array, got dtype {A.dtype}")
        A = A.detach().cpu().to(torch.float64).numpy()
    try:
        raw = np.asarray(A) if not isinstance(A, (str, bytes)) else np.asarray(A, dtype=object)
    except (TypeError, ValueError) as err:  # ragged nested lists, objects numpy cannot read
        raise TypeError(f"{name} must be a real array, got {type(A).__name__}") from err
    if raw.dtype == bool or raw.dtype.kind not in "iuf":
        raise TypeError(
            f"{name} must be a real (integer or floating) array, got dtype {raw.dtype} ({type(A).__name__})"
        )
    return raw.astype(np.float64)


def as_matrix(name: str, A, d: int | None = None) -> np.ndarray:
    """Return ``A`` as a finite, square float64 matrix (of size ``d`` if given)."""
    arr = _to_numpy(name, A)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must not be empty")
    if d is not None and arr.shape[0] != d:
        raise ValueError(f"{name} must be {d}x{d} to match the other arguments, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} has non-finite entries")
    return arr


def invertible(name: str, A, d: int | None = None) -> np.ndarray:
    """Return ``A`` as a finite, square, invertible float64 matrix (condition number ≤ 1e12)."""
    arr = as_matrix(name, A, d)
    cond = np.linalg.cond(arr)
    if cond > 1e12:
        raise ValueError(f"{name} must be invertible (its condition number is {cond:.3g})")
    return arr


def as_covariance(name: str, A, d: int | None = None) -> np.ndarray:
    """Return ``A`` as a symmetric positive definite float64 matrix, else raise ``ValueError``
    (``TypeError`` for what is not a real array).

    Symmetry is checked to a relative tolerance of 1e-8 and the result is symmetrised exactly.
    """
    arr = as_matrix(name, A, d)
    scale = max(np.max(np.abs(arr)), np.finfo(float).tiny)
    if np.max(np.abs(arr - arr.T)) > 1e-8 * scale:
        raise ValueError(f"{name} must be symmetric")
    arr = (arr + arr.T) / 2
    try:
        np.linalg.cholesky(arr)
    except np.linalg.LinAlgError:
        raise ValueError(
            f"{name} must be positive definite (its smallest eigenvalue is {np.linalg.eigvalsh(arr)[0]:.3g})"
        ) from None
    return arr


def on_simplex(name: str, p, size: int | None = None, atol: float = 1e-8) -> np.ndarray:
    """Return ``p`` as a float64 probability vector, else raise ``ValueError`` (``TypeError``
    for what is not a real array)."""
    arr = _to_numpy(name, p)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-d array of probabilities, got shape {arr.shape}")
    if size is not None and arr.size != size:
        raise ValueError(f"{name} must have {size} entries, got {arr.size}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} has non-finite entries")
    if np.any(arr < -atol) or abs(arr.sum() - 1) > max(atol, 1e-6):
        raise ValueError(
            f"{name} must lie on the probability simplex (entries >= 0 summing to 1), "
            f"got sum {arr.sum():.6g} and min {arr.min():.3g}"
        )
    return np.clip(arr, 0, None) / np.clip(arr, 0, None).sum()


def seed(name: str, value, allow_generator: type | tuple[type, ...] = ()):
    """Return a seed (``None`` or an integer ≥ 0, or an instance of ``allow_generator``); raise
    ``TypeError`` for anything else that is not an integer, ``ValueError`` for a negative one."""
    if value is None or (allow_generator and isinstance(value, allow_generator)):
        return value
    if not _is_int(value):
        raise TypeError(f"{name} must be a non-negative integer or None, got {value!r} ({type(value).__name__})")
    if value < 0:
        raise ValueError(f"{name} must be a non-negative integer or None, got {value!r}")
    return int(value)


def float_tensor(
    name: str, t, ndim: int | None = None, shape: tuple | None = None, finite: bool = True
) -> torch.Tensor:
    """Check that ``t`` is a floating-point torch tensor of the given ``ndim``/``shape``.

    Raises ``TypeError`` for what is not a tensor or a tensor of another dtype, ``ValueError`` for
    a wrong shape or non-finite entries; ``finite=False`` lets inf/nan through (a diverging chain
    of thought is reported honestly).
    """
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"{name} must be a torch tensor, got {type(t).__name__}")
    if not torch.is_floating_point(t):
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {t.dtype}")
    if ndim is not None and t.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {tuple(t.shape)}")
    if shape is not None and tuple(t.shape) != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got {tuple(t.shape)}")
    if finite and not bool(torch.isfinite(t).all()):
        raise ValueError(f"{name} has non-finite entries")
    return t


def prompt_inputs(X) -> tuple[int, int, int]:
    """Check the inputs of a batch of prompts: X of shape (batch, d, n), finite floats.

    Returns ``(batch, d, n)``, each at least 1.
    """
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"X must be a torch tensor of shape (batch, d, n), got {type(X).__name__}")
    if X.ndim != 3:
        raise ValueError(f"X must be a torch tensor of shape (batch, d, n), got {tuple(X.shape)}")
    batch, d, n = X.shape
    if batch < 1 or d < 1 or n < 1:
        raise ValueError(f"X must have at least one prompt, one dimension and one example, got shape {tuple(X.shape)}")
    float_tensor("X", X)
    return batch, d, n


def prompts(X, y) -> tuple[int, int, int]:
    """Check a batch of prompts: X of shape (batch, d, n) (:func:`prompt_inputs`) and y of shape
    (batch, n), finite floats.

    Returns ``(batch, d, n)``, each at least 1.
    """
    batch, d, n = prompt_inputs(X)
    if not isinstance(y, torch.Tensor):
        raise TypeError(f"y must be a torch tensor of shape (batch, n) = {(batch, n)}, got {type(y).__name__}")
    if tuple(y.shape) != (batch, n):
        raise ValueError(f"y must be a torch tensor of shape (batch, n) = {(batch, n)}, got {tuple(y.shape)}")
    float_tensor("y", y)
    return batch, d, n
