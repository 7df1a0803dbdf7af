"""Statistics of chains of thought over test prompts and training seeds.

Every chapter averages errors over test prompts: :func:`mean_and_sem` gives the Monte Carlo
mean with its standard error, :func:`median_and_interval` the median with a distribution-free
interval (CoT errors are heavy-tailed).

Chapter 9 (:doc:`/book/09_controls`) compares chains across models and data. A chain's errors
are kept per prompt and per coordinate, ``(k+1, B, d)``: the squared error of each coordinate
of ŵ_k (:func:`direction_errors`). Everything else is computed from them, the same way for the
LSA and for the transformer, with the mean or the median over prompts:

* :func:`curve` — the error curve over k (along all coordinates or a set of them);
* :func:`k_star` and :func:`rise` — where a curve is smallest, and by what factor it rises from
  there (or from a fixed step) to a later step;
* :func:`interaction` — the two-by-two interaction of training × test data: a quantity on the
  mismatched cells minus the same on the matched ones, on a log or an absolute scale;
* :func:`bootstrap` — a statistic's replicates over resampled test prompts, the same resamples
  for every model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import torch

from ._checks import finite_float, float_tensor, nonnegative_int, positive_int
from ._checks import seed as check_seed
from .cot import rollout

__all__ = [
    "mean_and_sem",
    "median_and_interval",
    "direction_errors",
    "curve",
    "k_star",
    "rise",
    "interaction",
    "bootstrap",
    "STATISTICS",
]

#: The statistics over test prompts that :func:`curve` computes: the mean and the median.
STATISTICS = ("mean", "median")
SCALES = ("log", "absolute")  # the scales of :func:`rise` and :func:`interaction`


def _per_prompt(per_prompt, axis: int) -> tuple[np.ndarray, int, int]:
    """Errors as float64 with one prompt per entry along ``axis``: (array, axis, number of prompts)."""
    arr = np.asarray(per_prompt, dtype=np.float64)
    if arr.ndim == 0:
        raise ValueError("per_prompt must have at least one axis of prompts")
    axis = int(axis)
    if not -arr.ndim <= axis < arr.ndim:
        raise ValueError(f"axis must be in [{-arr.ndim}, {arr.ndim - 1}] for per_prompt of shape {arr.shape}")
    if np.any(np.isnan(arr)):
        raise ValueError("per_prompt has nan entries (report a diverged chain as inf)")
    return arr, axis, arr.shape[axis]


def mean_and_sem(per_prompt, axis: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """Monte Carlo mean over prompts and its standard error s/√B (s with ddof = 1), in float64.

    ``per_prompt`` holds one error per prompt along ``axis`` (for example the (k+1, batch) output
    of :func:`squared_error` with ``per_prompt=True``); at least two prompts are needed for a
    standard error. An infinite error (a diverged chain) makes the mean and its error inf.
    """
    arr, axis, batch = _per_prompt(per_prompt, axis)
    if batch < 2:
        raise ValueError(f"per_prompt must hold at least two prompts along axis {axis}, got {batch}")
    mean = arr.mean(axis=axis)
    with np.errstate(invalid="ignore"):
        sem = arr.std(axis=axis, ddof=1) / np.sqrt(batch)
    return mean, np.where(np.isfinite(mean), sem, np.inf)


def median_and_interval(per_prompt, axis: int = -1, z: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median over prompts with a distribution-free interval from order statistics, in float64.

    For B prompts, the number of errors below the true median is Binomial(B, ½); the sorted
    errors at ranks B/2 ∓ z√B/2 (rounded outwards) bracket it with the normal approximation's
    coverage for ``z`` (z = 1: about 68 %, the analogue of ± one standard error). It needs no
    assumption on the errors' distribution, which for CoT errors is heavy-tailed, and an
    infinite error (a diverged chain) is just the largest. Returns (median, low, high), each
    with ``axis`` removed.
    """
    arr, axis, batch = _per_prompt(per_prompt, axis)
    z = finite_float("z", z)
    if z <= 0:
        raise ValueError(f"z must be > 0, got {z!r}")
    half = z * np.sqrt(batch) / 2
    lo, hi = int(np.floor(batch / 2 - half)), int(np.ceil(batch / 2 + half)) - 1
    if lo < 0 or hi > batch - 1:
        raise ValueError(f"per_prompt must hold more prompts along axis {axis} for z = {z}: got {batch}")
    ordered = np.sort(arr, axis=axis)
    return (np.median(arr, axis=axis), np.take(ordered, lo, axis=axis), np.take(ordered, hi, axis=axis))


def direction_errors(model, X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, k: int, window=None) -> np.ndarray:
    """Squared error of each coordinate of the chain's iterates, shape (k+1, B, d), float64.

    The chain is :func:`ttsbook.cot.rollout` (``window`` as there). With a diagonal covariance,
    coordinate i is the i-th eigendirection. An overflowed error is inf (never clipped).
    """
    iterates = rollout(model, X, y, k, window=window).to(torch.float64)  # checks model, X, y, k, window
    float_tensor("w", w, shape=tuple(iterates.shape[1:]))
    err = ((iterates - w.to(torch.float64)[None]) ** 2).numpy()
    return np.where(np.isfinite(err), err, np.inf)


def _statistic(stat: str) -> str:
    if stat not in STATISTICS:
        raise ValueError(f"stat must be one of {STATISTICS}, got {stat!r}")
    return stat


def curve(errors: np.ndarray, stat: str = "mean", directions=None) -> np.ndarray:
    """The error curve over k of per-coordinate errors ``(..., k+1, B, d)``: shape ``(..., k+1)``.

    ``"mean"``: the mean over prompts of the squared error along ``directions`` (indices into the
    last axis; default all, ‖ŵ_k − w‖²). ``"median"``: the median over prompts of the same sum.
    """
    stat = _statistic(stat)
    e = np.asarray(errors, dtype=np.float64)
    if e.ndim < 3:
        raise ValueError(f"errors must have shape (..., k+1, B, d), got {e.shape}")
    if directions is not None:
        e = e[..., np.asarray(directions)]
    total = e.sum(axis=-1)
    return total.mean(axis=-1) if stat == "mean" else np.median(total, axis=-1)


def _error_curve(c) -> np.ndarray:
    """``c`` as float64 curves over k = 0, 1, … (last axis), errors >= 0 (inf for a diverged chain)."""
    c = np.asarray(c, dtype=np.float64)
    if c.ndim == 0 or c.shape[-1] < 2:
        raise ValueError(f"c must hold curves over k = 0, 1, … along its last axis, got shape {c.shape}")
    if np.isnan(c).any():
        raise ValueError("c has nan entries (report a diverged chain as inf)")
    if (c < 0).any():
        raise ValueError("c must be >= 0 (errors)")
    return c


def _last_step(c: np.ndarray, step, name: str) -> int:
    """The curve's last step, or ``step`` (argument ``name``) if it is within the curve."""
    last = c.shape[-1] - 1
    if step is None:
        return last
    step = positive_int(name, step)
    if step > last:
        raise ValueError(f"{name} must be at most the curve's last step {last}, got {step}")
    return step


def k_star(c: np.ndarray, upto: int | None = None) -> np.ndarray:
    """The step k ≥ 1 at which a curve (last axis: k = 0, 1, …) is smallest, up to ``upto``."""
    c = _error_curve(c)
    last = _last_step(c, upto, "upto")
    return np.argmin(c[..., 1 : last + 1], axis=-1) + 1


def rise(c: np.ndarray, to: int | None = None, start: int | None = None, scale: str = "log") -> np.ndarray:
    """How much a curve rises to step ``to`` (default its last): from its minimum over 1..``to``
    (``start=None``) or from step ``start``.

    ``scale="log"``: the factor curve[to] / curve[from] (1 where it does not rise);
    ``"absolute"``: the difference curve[to] − curve[from].
    """
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, got {scale!r}")
    c = _error_curve(c)
    to = _last_step(c, to, "to")
    if start is None:
        base = c[..., 1 : to + 1].min(axis=-1)
    else:
        start = nonnegative_int("start", start)
        if start > to:
            raise ValueError(f"start must be at most to = {to}, got {start}")
        base = c[..., start]
    return c[..., to] / base if scale == "log" else c[..., to] - base


CELLS = {  # (training data, test data): +1 mismatched, −1 matched
    ("skewed", "isotropic"): +1,
    ("isotropic", "skewed"): +1,
    ("skewed", "skewed"): -1,
    ("isotropic", "isotropic"): -1,
}


def interaction(values: Mapping | Callable, scale: str = "log"):
    """Mismatched minus matched cells of a two-by-two of training × test data.

    ``values`` maps (training data, test data), each ``"skewed"`` or ``"isotropic"``, to a
    positive quantity (or arrays of them, e.g. bootstrap replicates), or is a function of the
    two. On the log scale the interaction is Σ_mismatched log v − Σ_matched log v, on the
    absolute scale Σ_mismatched v − Σ_matched v: it removes what a test distribution does to any
    model and what a training distribution does on any test.
    """
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, got {scale!r}")
    if not callable(values) and not isinstance(values, Mapping):
        raise TypeError(f"values must be a mapping or a function of two, got {type(values).__name__}")
    if not callable(values) and not set(CELLS) <= set(values):
        raise ValueError(f"values must map every cell {sorted(CELLS)} to a quantity, or be a function of two")
    get = values if callable(values) else (lambda train, test: values[train, test])
    f = np.log if scale == "log" else np.asarray
    return sum(sign * f(np.asarray(get(*cell), dtype=np.float64)) for cell, sign in CELLS.items())


def bootstrap(statistic: Callable, errors: Mapping, n_boot: int, seed: int) -> np.ndarray:
    """Bootstrap replicates of ``statistic`` over the test prompts, shape (n_boot, ...).

    ``errors`` maps keys to per-coordinate errors ``(k+1, B, d)`` of chains run on test sets of B
    prompts each; every replicate draws B prompt indices with replacement (``seed`` fixes them)
    and calls ``statistic`` with the same keys mapped to the resampled errors. Errors of chains
    run on the same prompts are resampled alike, so a difference between models keeps its
    pairing. (Sum the coordinates first, keeping the axis, when only totals are needed: it is
    d times cheaper.)
    """
    if not callable(statistic):
        raise TypeError(f"statistic must be a function of a mapping of errors, got {type(statistic).__name__}")
    arrays = {key: np.asarray(e, dtype=np.float64) for key, e in errors.items()}
    sizes = {e.shape[1] for e in arrays.values() if e.ndim == 3}
    if not arrays or len(sizes) != 1 or any(e.ndim != 3 for e in arrays.values()):
        raise ValueError("errors must map keys to arrays of shape (k+1, B, d) with one B")
    prompts = sizes.pop()
    rng = np.random.default_rng(check_seed("seed", seed))
    index = rng.integers(0, prompts, size=(positive_int("n_boot", n_boot), prompts))
    return np.stack([np.asarray(statistic({key: e[:, i] for key, e in arrays.items()})) for i in index])
