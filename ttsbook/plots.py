"""One figure style for the whole book, and helpers for the figures that recur.

Errors are drawn on a log scale; simulation as markers, closed forms as lines, bounds dashed.

Sizes. Inline figures are SVG, drawn at 72 pt per inch, and a browser shows 1 pt as 4/3 CSS
pixels, so a figure ``w`` inches wide is ``96 w`` pixels wide at its natural size. The book's
content column shows figures up to 672 px wide at a 1280 px window: a figure up to :data:`COLUMN_WIDTH`
inches is shown at its natural size there, and its fonts keep the sizes set here (tick labels
and legends 9.5 pt, axis labels 10.5 pt). A wider figure is scaled down to the column, and
its fonts with it by ``COLUMN_WIDTH / width``: make multi-panel figures with :func:`subplots`,
which keeps them within the column, rather than with a wide ``figsize``. :doc:`/book/01_setup` shows the style.

What every figure and table goes through lives beside this module and is named from here: each
figure the book shows has its legends moved off the data (:func:`place_legends`,
:func:`covered_points`; ``ttsbook._figure_layout``, which also writes the SVG), and result tables
print their numbers as a paper does (:func:`paper_table`, :func:`table_number`, :func:`errors_at`;
``ttsbook._tables``).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import seaborn as sns
from matplotlib.axes import Axes

from ._checks import as_covariance, positive_int
from ._figure_layout import covered_points, place_legends
from ._figure_layout import figure_svg as _svg  # noqa: F401  (the tests draw a figure as a chapter shows it)
from ._figure_layout import fill_rectangle as _fill  # noqa: F401  (the SVG reader of tests/figure_svg.py fills bars with it)
from ._interactive import interactive_curves
from ._tables import errors_at, paper_table, table_number

__all__ = [
    "set_style",
    "palette",
    "error_vs_k",
    "errors_at",
    "spectrum",
    "subplots",
    "integer_ticks",
    "log_ticks",
    "zoom",
    "place_legends",
    "covered_points",
    "table_number",
    "paper_table",
    "interactive_curves",
    "COLUMN_WIDTH",
    "MIN_FONT_PT",
]

#: Inches: the widest figure shown at its natural size (672 px) in the content column at 1280 px.
COLUMN_WIDTH = 7.0
#: Points: the smallest font of a figure (tick labels, legends) at its natural size.
MIN_FONT_PT = 9.0

STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 200,  # bitmaps (savefig to PNG) at 2x density and more
    "figure.constrained_layout.use": True,
    "font.size": 10.5,
    "axes.labelsize": 10.5,
    "axes.titlesize": 11.0,
    "xtick.labelsize": 9.5,
    "ytick.labelsize": 9.5,
    "legend.fontsize": 9.5,
    "legend.title_fontsize": 9.5,
    "figure.titlesize": 11.0,
    "lines.linewidth": 1.8,
    "svg.fonttype": "path",  # the same glyphs in every browser, no font needed
    "svg.hashsalt": "ttsbook",  # the same SVG text on every run
}


def set_style() -> None:
    """Apply the book's style: seaborn whitegrid, fonts of at least :data:`MIN_FONT_PT` pt,
    constrained layout, and SVG for figures shown inline in a notebook or in the book, with their
    legends moved off the data (:func:`place_legends`)."""
    sns.set_theme(context="notebook", style="whitegrid")
    plt.rcParams.update(STYLE)
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # pragma: no cover - matplotlib outside IPython
        return
    shell = get_ipython()
    if shell is not None:
        set_matplotlib_formats("svg", metadata={"Date": None})
        from matplotlib.figure import Figure

        from ._figure_layout import figure_display  # _svg, and the phone variant while the book builds

        shell.display_formatter.formatters["image/svg+xml"].for_type(Figure, figure_display)


def subplots(nrows: int = 1, ncols: int = 1, *, height: float | None = None, **kwargs):
    """``plt.subplots`` with a size that fits the content column (fonts keep their size).

    One panel is 6.4 in wide; two panels or more share :data:`COLUMN_WIDTH` inches. ``height``
    (inches) defaults to 4.0 for one panel and to a panel aspect of 4:3 (width:height) otherwise,
    per row. Other keyword arguments go to ``plt.subplots`` (``figsize`` is refused).
    """
    nrows, ncols = positive_int("nrows", nrows), positive_int("ncols", ncols)
    if "figsize" in kwargs:
        raise ValueError("figsize is set by plots.subplots; pass height instead")
    width = 6.4 if ncols == 1 else COLUMN_WIDTH
    if height is None:
        height = 4.0 * nrows if ncols == 1 else nrows * (0.75 * width / ncols + 0.45)
    if isinstance(height, bool) or not isinstance(height, (int, float)):
        raise TypeError(f"height must be a number of inches in (0, 50), got {type(height).__name__}")
    if not 0 < height < 50:
        raise ValueError(f"height must be a number of inches in (0, 50), got {height!r}")
    return plt.subplots(nrows, ncols, figsize=(width, float(height)), **kwargs)


def integer_ticks(ax, axis: str = "x"):
    """Ticks only at integers on ``axis`` ("x", "y" or "both") of ``ax`` (a step count k)."""
    _check_axes(ax)
    if axis not in ("x", "y", "both"):
        raise ValueError(f"axis must be 'x', 'y' or 'both', got {axis!r}")
    for name in ("x", "y") if axis == "both" else (axis,):
        getattr(ax, f"{name}axis").set_major_locator(mticker.MaxNLocator(integer=True))
    return ax


def log_ticks(ax, ticks=None, axis: str = "y"):
    """Label a logarithmic ``axis`` of ``ax``: at ``ticks`` with plain numbers (1, 2, 5, 10 …),
    or, with ``ticks=None``, at the powers of ten (drawn 10ⁿ) with unlabelled minor ticks."""
    _check_axes(ax)
    if axis not in ("x", "y"):
        raise ValueError(f"axis must be 'x' or 'y', got {axis!r}")
    target = getattr(ax, f"{axis}axis")
    if ticks is None:
        target.set_major_locator(mticker.LogLocator(base=10, numticks=12))
        target.set_major_formatter(mticker.LogFormatterSciNotation(base=10))
        target.set_minor_locator(mticker.LogLocator(base=10, subs=np.arange(2, 10), numticks=12))
    else:
        ticks = _curve("ticks", ticks)
        if not np.all(np.isfinite(ticks) & (ticks > 0)):
            raise ValueError("ticks must be finite and > 0 on a logarithmic axis")
        target.set_major_locator(mticker.FixedLocator(ticks))
        target.set_major_formatter(mticker.FormatStrFormatter("%g"))
    target.set_minor_formatter(mticker.NullFormatter())
    return ax


def zoom(ax, xlim, ylim=None, *, bounds=(0.55, 0.5, 0.42, 0.45)):
    """A zoomed copy of ``ax`` inside it: the lines and markers of ``ax`` redrawn in an inset at
    ``bounds`` (x, y, width, height as fractions of ``ax``) over ``xlim`` (and ``ylim``, else
    fitted to the data in ``xlim``), with the zoomed region marked. Returns the inset axes."""
    _check_axes(ax)
    xlim = _limits("xlim", xlim)
    bounds = _curve("bounds", bounds, 4)
    inset = ax.inset_axes(bounds)
    shown = []
    for line in ax.get_lines():
        x, y = (np.asarray(v, dtype=float) for v in line.get_data())
        inset.plot(
            x,
            y,
            linestyle=line.get_linestyle(),
            marker=line.get_marker(),
            color=line.get_color(),
            ms=line.get_markersize(),
            lw=line.get_linewidth(),
            alpha=line.get_alpha(),
        )
        inside = (x >= xlim[0]) & (x <= xlim[1]) & np.isfinite(y)
        shown.append(y[inside])
    inset.set_xscale(ax.get_xscale())
    inset.set_yscale(ax.get_yscale())
    inset.set_xlim(*xlim)
    if ylim is None:
        values = np.concatenate(shown) if shown else np.array([])
        values = values[values > 0] if ax.get_yscale() == "log" else values
        if values.size == 0:
            raise ValueError("ylim must be given: no data lies in xlim")
        low, high = values.min(), values.max()
        pad = (high / low) ** 0.08 if ax.get_yscale() == "log" else None
        ylim = (low / pad, high * pad) if pad else (low - 0.08 * (high - low), high + 0.08 * (high - low))
    inset.set_ylim(*_limits("ylim", ylim))
    inset.tick_params(labelsize=plt.rcParams["xtick.labelsize"])
    ax.indicate_inset_zoom(inset, edgecolor="0.3")
    return inset


def palette(n: int, name: str = "viridis") -> list:
    """``n`` colours, one per value of the parameter being varied (n, k, a task family, …)."""
    n = positive_int("n", n)
    if not isinstance(name, str):
        raise TypeError(f"name must be the name of a colour palette, got {name!r}")
    return sns.color_palette(name, n)


def error_vs_k(
    ax,
    errors,
    *,
    label: str,
    color=None,
    theory=None,
    bound=None,
    ks=None,
    ylabel: str = r"$\mathbb{E}\,\|w_k - w\|^2$",
):
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
    line = ax.plot(
        ks, np.where(np.isfinite(errors), errors, np.nan), "o", ms=3.5, color=color, label=f"{label} (simulated)"
    )[0]
    color = line.get_color()
    if theory is not None:
        ax.plot(ks, theory, "-", color=color, alpha=0.8, label=f"{label} (theory)")
    if bound is not None:
        ax.plot(ks, bound, "--", color=color, alpha=0.6, label=f"{label} (bound)")
    ax.set_yscale("log")
    ax.set_xlabel("CoT steps $k$")
    ax.set_ylabel(ylabel)
    integer_ticks(ax, "x")
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
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")


def _limits(name: str, values) -> tuple[float, float]:
    low, high = _curve(name, values, 2)
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"{name} must be two finite numbers, low < high, got {values!r}")
    return float(low), float(high)


def _curve(name: str, values, size: int | None = None) -> np.ndarray:
    """A 1-d float curve (inf/nan allowed: they are left out of the drawing, not changed)."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a 1-d array of real numbers") from err
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-d array, got shape {arr.shape}")
    if size is not None and arr.size != size:
        raise ValueError(f"{name} must have {size} entries, got {arr.size}")
    return arr
