"""One figure style for the whole book, and helpers for the figures that recur.

Errors are drawn on a log scale; simulation as markers, closed forms as lines, bounds dashed.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib.axes import Axes

from ._checks import as_covariance, positive_int

__all__ = ["set_style", "palette", "error_vs_k", "spectrum"]


def set_style() -> None:
    """Apply the book's style (seaborn whitegrid, readable fonts, constrained layout)."""
    sns.set_theme(context="notebook", style="whitegrid", font_scale=0.95)
    plt.rcParams.update({
        "figure.figsize": (6.4, 4.0),
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "figure.constrained_layout.use": True,
        "axes.titlesize": "medium",
        "legend.fontsize": "small",
        "lines.linewidth": 1.8,
    })


def palette(n: int, name: str = "viridis") -> list:
    """``n`` colours, one per value of the parameter being varied (n, k, a task family, …)."""
    n = positive_int("n", n)
    if not isinstance(name, str):
        raise ValueError(f"name must be the name of a colour palette, got {name!r}")
    return sns.color_palette(name, n)


def error_vs_k(ax, errors, *, label: str, color=None, theory=None, bound=None, ks=None,
               ylabel: str = r"$\mathbb{E}\,\|w_k - w\|^2$"):
    """Plot a measured error curve against the CoT step k, with optional theory and bound.

    ``errors`` are drawn as markers, ``theory`` (same length) as a solid line and ``bound`` as a
    dashed line, all in one colour; the y axis is logarithmic. Non-finite values are left out of
    the drawing only (the data are not changed).
    """
    _check_axes(ax)
    errors = _curve("errors", errors)
    ks = np.arange(errors.size) if ks is None else _curve("ks", ks, errors.size)
    if not np.all(np.isfinite(ks)):
        raise ValueError("ks has non-finite entries")
    if theory is not None:
        theory = _curve("theory", theory, errors.size)
    if bound is not None:
        bound = _curve("bound", bound, errors.size)
    line = ax.plot(ks, np.where(np.isfinite(errors), errors, np.nan), "o", ms=3.5, color=color,
                   label=f"{label} (simulated)")[0]
    color = line.get_color()
    if theory is not None:
        ax.plot(ks, theory, "-", color=color, alpha=0.8, label=f"{label} (theory)")
    if bound is not None:
        ax.plot(ks, bound, "--", color=color, alpha=0.6, label=f"{label} (bound)")
    ax.set_yscale("log")
    ax.set_xlabel("CoT steps $k$")
    ax.set_ylabel(ylabel)
    return ax


def spectrum(ax, Lambda, *, label: str, color=None, marker: str = "o"):
    """Plot the eigenvalues of Λ in descending order (the skills and how often each is used)."""
    _check_axes(ax)
    evals = np.sort(np.linalg.eigvalsh(as_covariance("Lambda", Lambda)))[::-1]
    ax.plot(np.arange(1, evals.size + 1), evals, marker=marker, ms=4, color=color, label=label)
    ax.set_xlabel("skill $j$ (eigen-direction, by frequency)")
    ax.set_ylabel(r"eigenvalue $\lambda_j$")
    return ax


def _check_axes(ax) -> None:
    if not isinstance(ax, Axes):
        raise ValueError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")


def _curve(name: str, values, size: int | None = None) -> np.ndarray:
    """A 1-d float curve (inf/nan allowed: they are left out of the drawing, not changed)."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a 1-d array of real numbers") from err
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-d array, got shape {arr.shape}")
    if size is not None and arr.size != size:
        raise ValueError(f"{name} must have {size} entries (one per k, like errors), got {arr.size}")
    return arr
