"""What the book does to every figure it shows: legends moved off the data, then SVG.

:func:`place_legends` finds what an axes draws as data, in display pixels (line vertices and the
line between them, scatter markers, error bars, band edges, the area of bars), and moves every
legend that covers one of those points to a free place: the corners and edges of the axes in the
order of :data:`INSIDE`, else below the axes. :func:`covered_points` counts what a legend still
covers. :func:`figure_svg` is the display hook :func:`ttsbook.plots.set_style` registers: it places
the legends, embeds dense meshes and scatters as bitmaps and returns the figure as SVG text.
"""

from __future__ import annotations

import numpy as np

__all__ = ["figure_svg", "place_legends", "covered_points", "fill_rectangle", "INSIDE", "RASTER_ABOVE"]

RASTER_ABOVE = 2000  # a mesh or collection with more elements is embedded as a bitmap in the SVG


def figure_svg(fig) -> str:
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


def fill_rectangle(x0: float, y0: float, x1: float, y1: float, step: float) -> np.ndarray:
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
            points.append(fill_rectangle(x0, y0, x1, y1, _BAR_STEP_PX))
    pts = np.vstack(points)
    inside = (pts[:, 0] >= box.x0) & (pts[:, 0] <= box.x1) & (pts[:, 1] >= box.y0) & (pts[:, 1] <= box.y1)
    return pts[inside]


def covered_points(fig) -> dict:
    """For each legend of ``fig`` (``ax.legend`` or ``fig.legend``) that covers data, the number of
    drawn data points (see :func:`place_legends`) under its frame, keyed by the legend's title or
    first label. An empty dict: no legend hides anything."""
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
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
    The book's SVG output calls this for every figure (:func:`ttsbook.plots.set_style`), so a chapter's
    ``ax.legend()`` never hides data; ``tests/test_figures.py`` checks the built book.
    """
    from matplotlib.figure import Figure
    from matplotlib.legend import Legend

    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
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
