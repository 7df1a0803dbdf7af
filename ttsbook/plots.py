"""One figure style for the whole book, and helpers for the figures that recur.

Errors are drawn on a log scale; simulation as markers, closed forms as lines, bounds dashed.

Sizes. Inline figures are SVG, drawn at 72 pt per inch, and a browser shows 1 pt as 4/3 CSS
pixels, so a figure ``w`` inches wide is ``96 w`` pixels wide at its natural size. The book's
content column shows figures up to 672 px wide at a 1280 px window: a figure up to :data:`COLUMN_WIDTH`
inches is shown at its natural size there, and its fonts keep the sizes set here (tick labels
and legends 9.5 pt, axis labels 10.5 pt). A wider figure is scaled down to the column, and
its fonts with it by ``COLUMN_WIDTH / width``: make multi-panel figures with :func:`subplots`,
which keeps them within the column, rather than with a wide ``figsize``. :doc:`/book/01_setup` shows the style.
"""

from __future__ import annotations

import hashlib

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

from ._checks import as_covariance, positive_int, steps_array
from ._glue import number
from ._interactive import interactive_curves

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
    constrained layout, and SVG for figures shown inline in a notebook or in the book."""
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

        shell.display_formatter.formatters["image/svg+xml"].for_type(Figure, _svg)


RASTER_ABOVE = 2000  # a mesh or collection with more elements is embedded as a bitmap in the SVG


def _svg(fig) -> str:
    """The figure as SVG text; dense meshes and scatters are embedded as bitmaps at
    ``savefig.dpi`` (axes, text and lines stay vector), so the file stays small."""
    from IPython.core.pylabtools import print_figure
    from matplotlib.collections import Collection, QuadMesh

    place_legends(fig)
    bars = [bar for ax in fig.axes for bar in _bars(ax)]
    for i, bar in enumerate(bars):  # the SVG names each bar's group, for tests/figure_svg.py
        bar.set_gid(f"bar_{i}")
    for ax in fig.axes:
        for artist in ax.collections:
            size = (
                artist.get_array().size
                if isinstance(artist, QuadMesh) and artist.get_array() is not None
                else len(artist.get_paths())
                if isinstance(artist, Collection)
                else 0
            )
            if size > RASTER_ABOVE:
                artist.set_rasterized(True)
    return print_figure(fig, "svg", bbox_inches="tight", metadata={"Date": None})


# --- legends that hide nothing ---------------------------------------------------------------

#: The places tried inside the axes, in order, before a legend goes below them.
INSIDE = (
    "upper right",
    "upper left",
    "lower left",
    "lower right",
    "center right",
    "center left",
    "upper center",
    "lower center",
)
_STEP_PX = 2.0  # data lines are sampled every 2 display pixels between their vertices
_BAR_STEP_PX = 4.0  # bars (``ax.bar``) are filled areas: a grid of points this far apart


def _bars(ax) -> list:
    """The visible rectangles that ``ax.bar`` / ``ax.barh`` drew on ``ax``."""
    from matplotlib.container import BarContainer

    return [p for c in ax.containers if isinstance(c, BarContainer) for p in c.patches if p.get_visible()]


def _fill(x0: float, y0: float, x1: float, y1: float, step: float) -> np.ndarray:
    """A grid of points covering the rectangle [x0, x1] × [y0, y1], edges included."""
    xs = np.linspace(x0, x1, int(np.ceil((x1 - x0) / step)) + 1)
    ys = np.linspace(y0, y1, int(np.ceil((y1 - y0) / step)) + 1)
    return np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)


def _drawn_points(ax) -> np.ndarray:
    """Display coordinates (pixels) of what ``ax`` draws as data: line vertices and the line
    between them sampled every couple of pixels, scatter markers, error bars, band edges and the
    area of bars; only what lies inside the axes (what is clipped is not drawn)."""
    from matplotlib.collections import LineCollection, PathCollection, PolyCollection

    paths = []
    for line in ax.get_lines():
        if not line.get_visible():
            continue
        x, y = (np.asarray(v, dtype=float) for v in line.get_data())
        xy = line.get_transform().transform(np.column_stack([x, y])) if x.size else np.empty((0, 2))
        if line.get_linestyle() in ("None", "", " ", "none"):
            paths.extend(p[None, :] for p in xy)  # markers only: points, not a line
        else:
            paths.append(xy)
    for coll in ax.collections:
        if not coll.get_visible():
            continue
        if isinstance(coll, PathCollection) and len(coll.get_offsets()):
            offsets = coll.get_offset_transform().transform(np.asarray(coll.get_offsets(), dtype=float))
            paths.extend(p[None, :] for p in offsets)
        elif isinstance(coll, (LineCollection, PolyCollection)):
            transform = coll.get_transform()
            paths.extend(transform.transform(p.vertices) for p in coll.get_paths() if len(p.vertices))
    points = [np.empty((0, 2))]
    for xy in paths:
        xy = xy[np.all(np.isfinite(xy), axis=1)] if xy.ndim == 2 else xy
        if len(xy) > 1:
            seg = np.diff(xy, axis=0)
            n = np.maximum(1, np.ceil(np.hypot(*seg.T) / _STEP_PX)).astype(int)
            n = np.minimum(n, 2000)
            parts = [a + np.outer(np.arange(k) / k, d) for a, d, k in zip(xy[:-1], seg, n, strict=True)]
            points.append(np.vstack(parts + [xy[-1:]]))
        else:
            points.append(xy.reshape(-1, 2))
    box = ax.get_window_extent()
    for bar in _bars(ax):
        b = bar.get_window_extent()
        x0, y0, x1, y1 = max(b.x0, box.x0), max(b.y0, box.y0), min(b.x1, box.x1), min(b.y1, box.y1)
        if x1 >= x0 and y1 >= y0:
            points.append(_fill(x0, y0, x1, y1, _BAR_STEP_PX))
    pts = np.vstack(points)
    inside = (pts[:, 0] >= box.x0) & (pts[:, 0] <= box.x1) & (pts[:, 1] >= box.y0) & (pts[:, 1] <= box.y1)
    return pts[inside]


def covered_points(fig) -> dict:
    """For each legend of ``fig`` (``ax.legend`` or ``fig.legend``) that covers data, the number of
    drawn data points (see :func:`place_legends`) under its frame, keyed by the legend's title or
    first label. An empty dict: no legend hides anything."""
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        raise ValueError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    points = np.vstack([np.empty((0, 2))] + [_drawn_points(ax) for ax in _all_axes(fig)])
    found = {}
    for legend in _legends(fig):
        n = _count_inside(points, legend.get_window_extent(renderer))
        if n:
            texts = [t.get_text() for t in legend.get_texts()]
            found[legend.get_title().get_text() or (texts[0] if texts else "legend")] = n
    return found


def place_legends(fig) -> None:
    """Move every legend of ``fig`` that covers a drawn data point or line to a free spot.

    A legend that covers nothing stays where it is. Otherwise the places of :data:`INSIDE` are
    tried in turn, and the first that covers nothing is kept; when every one covers something,
    the legend goes below its axes, under the x label, in as many columns as fit the axes'
    width. A figure legend (``fig.legend``) that covers something goes below the whole figure.
    The book's SVG output calls this for every figure (:func:`set_style`), so a chapter's
    ``ax.legend()`` never hides data; ``tests/test_figures.py`` checks the built book.
    """
    from matplotlib.figure import Figure
    from matplotlib.legend import Legend

    if not isinstance(fig, Figure):
        raise ValueError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    if not _legends(fig):
        return
    below = set()
    for _ in range(3 * len(_legends(fig)) + 1):  # a move can change the layout: check all again
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        points = np.vstack([np.empty((0, 2))] + [_drawn_points(ax) for ax in _all_axes(fig)])
        moved = False
        for legend in _legends(fig):
            if not _count_inside(points, legend.get_window_extent(renderer)):
                continue
            moved = True
            if legend.parent is fig:
                legend.set_loc("outside lower center")
                legend.set_bbox_to_anchor(None)
                continue
            ax = legend.axes
            if ax not in below:
                legend.set_bbox_to_anchor(None)
                for loc in INSIDE:
                    legend._loc = Legend.codes[loc]
                    if not _count_inside(points, legend.get_window_extent(renderer)):
                        break
                else:
                    _below(ax, legend, renderer)
                    below.add(ax)
            else:  # already below: the layout moved the x label, so again
                _below(ax, legend, renderer)
            break  # redraw before checking the next legend
        if not moved:
            return


def _below(ax, legend, renderer) -> None:
    """Put ``legend`` under ``ax``'s x tick labels and x label, centred, with as many columns as
    fit the axes' width."""
    import matplotlib.transforms as mtransforms

    fig = ax.figure
    box = ax.get_window_extent(renderer)
    tight = ax.get_tightbbox(renderer, bbox_extra_artists=[])
    drop = (box.y0 - tight.y0) * 72 / fig.dpi + 4  # points from the axes' bottom
    handles, labels = legend.legend_handles, [t.get_text() for t in legend.get_texts()]
    spacing = (legend.handlelength + legend.handletextpad + legend.columnspacing) * legend._fontsize
    entry = max(t.get_window_extent(renderer).width for t in legend.get_texts()) + spacing * fig.dpi / 72
    ncol = int(max(1, min(len(labels), box.width // entry)))
    props = dict(
        fontsize=legend._fontsize,
        framealpha=legend.get_frame().get_alpha(),
        title=legend.get_title().get_text() or None,
    )
    new = ax.legend(
        handles,
        labels,
        loc="upper center",
        ncol=ncol,
        bbox_to_anchor=(0.5, 0.0),
        bbox_transform=mtransforms.offset_copy(ax.transAxes, fig=fig, y=-drop, units="points"),
        **{k: v for k, v in props.items() if v is not None},
    )
    new.set_in_layout(True)


def _all_axes(fig) -> list:
    found, stack = [], list(fig.axes)
    while stack:
        ax = stack.pop(0)
        if ax not in found:
            found.append(ax)
            stack.extend(getattr(ax, "child_axes", []))
    return found


def _legends(fig) -> list:
    return [ax.get_legend() for ax in _all_axes(fig) if ax.get_legend() is not None] + list(fig.legends)


def _count_inside(points: np.ndarray, box) -> int:
    return int(
        np.sum((points[:, 0] > box.x0) & (points[:, 0] < box.x1) & (points[:, 1] > box.y0) & (points[:, 1] < box.y1))
    )


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
    if isinstance(height, bool) or not isinstance(height, (int, float)) or not 0 < height < 50:
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
        raise ValueError(f"name must be the name of a colour palette, got {name!r}")
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


def table_number(value, digits: int = 3, *, infinite: str = "∞") -> str:
    """One cell of a result table, as a paper prints it.

    A real number gets ``digits`` significant digits, with a power of ten where Python would
    write e-notation (``1.23e-05`` → ``1.23 × 10⁻⁵``; from 10⁶ up and below 10⁻⁴), thousands
    separators and a true minus sign (:func:`ttsbook.number`); a real number from 1 to 10⁶ whose
    digits end at the units or above is written whole (``20,000``, not ``2 × 10⁴``); an integer
    is printed whole (``152,202``); ±∞ (a diverged
    error, an unbounded step count) is ``infinite``; NaN and ``None`` (no value) are "—";
    a string or a boolean is shown as it is.

    >>> table_number(1.23e-5), table_number(-1.45e17), table_number(2000), \
    ...     table_number(float("inf"), infinite="diverged")
    ('1.23 × 10⁻⁵', '−1.45 × 10¹⁷', '2000', 'diverged')
    """

    digits = positive_int("digits", digits)
    if not isinstance(infinite, str):
        raise ValueError(f"infinite must be the text shown for an infinite value, got {infinite!r}")
    if value is None:
        return "—"
    if isinstance(value, (str, bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return number(int(value))
    try:
        value = float(value)
    except (TypeError, ValueError) as err:
        raise ValueError(f"value must be a number, a string or None, got {value!r}") from err
    if np.isnan(value):
        return "—"
    if np.isinf(value):
        return infinite if value > 0 else "−" + infinite
    if 1 <= abs(value) < 1e6:
        exponent = int(np.floor(np.log10(abs(value))))
        if exponent >= digits - 1:  # the digits end at the units or above: a whole number
            return number(int(round(value, digits - 1 - exponent)))
    return number(value, f".{digits}g")


def paper_table(frame, digits: int = 3, *, formats: dict | None = None, index: bool = True, infinite: str = "∞"):
    """A DataFrame shown as a paper's table: every number through :func:`table_number`.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table; its column names are the headers (name a unit in them: "time (s)", "error (%)").
    digits : int
        Significant digits of every real number, unless ``formats`` says otherwise.
    formats : dict, optional
        Column name → significant digits (int) or a function of the value returning its text, for
        the columns that differ from ``digits``.
    index : bool
        Whether to show the index (its name is the header of the first column).
    infinite : str
        The text of an infinite value (``"∞"``; ``"diverged"`` for an error).

    Returns
    -------
    pandas.io.formats.style.Styler
        Its HTML id is derived from the headers and the row labels that are names (not their
        order, not real-valued labels), so the same table has the same HTML on every run and
        every CPU.
    """
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    digits = positive_int("digits", digits)
    formats = {} if formats is None else formats
    if not isinstance(formats, dict) or any(c not in frame.columns for c in formats):
        raise ValueError(f"formats must map columns of the table to digits or a function, got {formats!r}")
    table_number(1.0, digits, infinite=infinite)  # checks infinite
    per_column = {}
    for column in frame.columns:
        spec = formats.get(column, digits)
        if callable(spec):
            per_column[column] = spec
        else:
            spec = positive_int(f"formats[{column!r}]", spec)
            per_column[column] = lambda v, spec=spec: table_number(v, spec, infinite=infinite)
    # The id names the table by its headers and its row names, never by computed numbers: not the
    # order of the rows (a sort with ties), nor labels that are real numbers (a last digit differs
    # from CPU to CPU), so the same table has the same id on every machine.
    names = [
        sorted(map(str, set(frame.index.get_level_values(i))))
        for i in range(frame.index.nlevels)
        if not pd.api.types.is_float_dtype(frame.index.get_level_values(i))
    ]
    uuid = hashlib.sha1(repr(([str(c) for c in frame.columns], names, frame.index.names)).encode()).hexdigest()[:10]
    styler = frame.style.set_uuid(f"table_{uuid}").format(per_column)
    styler = styler.format_index(lambda v: table_number(v, digits, infinite=infinite), axis=0)
    return styler if index else styler.hide(axis="index")


def errors_at(columns: dict, ks, digits: int = 3):
    """The errors of several curves at a few CoT steps k: one row per k, one column per curve.

    Parameters
    ----------
    columns : dict of str to array_like
        Curve name → its errors at k = 0, 1, …, K (every curve of the same length K + 1), in
        the order the columns are shown. An infinite error is shown as "diverged".
    ks : sequence of int
        The steps shown, each in 0, …, K, in the order given.
    digits : int
        Significant digits shown (:func:`table_number`).

    Returns
    -------
    pandas.io.formats.style.Styler
        The table (its ``.data`` is the DataFrame, index named ``"k"``). Its HTML id is derived
        from the column names and the ks, so the same table has the same HTML on every run.
    """
    if not isinstance(columns, dict) or not columns or not all(isinstance(c, str) for c in columns):
        raise ValueError(f"columns must be a non-empty dict of curve name -> errors, got {type(columns).__name__}")
    curves = {name: _curve(f"columns[{name!r}]", e) for name, e in columns.items()}
    size = next(iter(curves.values())).size
    if any(c.size != size for c in curves.values()):
        raise ValueError(f"columns must all have the same length, got {[c.size for c in curves.values()]}")
    ks, _ = steps_array("ks", ks)
    ks = ks.ravel()
    if ks.max() >= size:
        raise ValueError(f"ks must be at most K = {size - 1} (the curves' last step), got {ks.tolist()}")
    digits = positive_int("digits", digits)
    table = pd.DataFrame({name: c[ks] for name, c in curves.items()}, index=pd.Index(ks, name="k"))
    uuid = hashlib.sha1(repr((list(curves), ks.tolist())).encode()).hexdigest()[:10]
    return table.style.set_uuid(f"errors_at_{uuid}").format(lambda v: table_number(v, digits, infinite="diverged"))


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
        raise ValueError(f"{name} must be a 1-d array of real numbers") from err
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-d array, got shape {arr.shape}")
    if size is not None and arr.size != size:
        raise ValueError(f"{name} must have {size} entries, got {arr.size}")
    return arr
