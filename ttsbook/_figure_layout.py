"""What the book does to every figure it shows: legends moved off the data, then SVG.

:func:`place_legends` finds what an axes draws as data, in display pixels (line vertices and the
line between them, scatter markers, error bars, band edges, the area of bars), and moves every
legend that covers one of those points to a free place: the corners and edges of the axes in the
order of :data:`INSIDE`, else below the axes. :func:`covered_points` counts what a legend still
covers. :func:`figure_svg` is the display hook :func:`ttsbook.plots.set_style` registers: it places
the legends, embeds dense meshes and scatters as bitmaps and returns the figure as SVG text.

Phones. A figure drawn for the 672 px column is shown about 358 px wide on a 390 px phone, its text
at 4 to 5 CSS px. When the book is built (the Sphinx extension ``book/_ext/phone_figures.py`` sets
:data:`NARROW_ENV`), :func:`figure_display`, the display hook :func:`ttsbook.plots.set_style`
registers, also draws each figure's phone variant (:func:`narrow_svg`: the panels restacked into one
column :data:`NARROW_WIDTH` inches wide by :func:`restack`) into the output's metadata; the myst-nb
plugin :class:`PhoneFigures` writes it beside the figure, and the extension shows it below 600 px
(``<picture>``). Notebooks run anywhere else (Jupyter, Colab, nbval) get the plain SVG.
"""

from __future__ import annotations

import os
import warnings

import numpy as np

__all__ = [
    "figure_svg",
    "figure_display",
    "narrow_svg",
    "restack",
    "place_legends",
    "covered_points",
    "fill_rectangle",
    "PhoneFigures",
    "INSIDE",
    "RASTER_ABOVE",
    "NARROW_WIDTH",
    "NARROW_ENV",
    "NARROW_KEY",
    "NARROW_CLASS",
]

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


#: Inches: the width of a figure's phone variant. A 390 px phone shows it about 358 px wide, so a
#: 9 pt font (12 px at the natural 432 px) is drawn at about 9.9 CSS px.
NARROW_WIDTH = 4.5
#: Set to "1" (by the book's Sphinx extension) to add the phone variant to every figure's display.
NARROW_ENV = "TTSBOOK_NARROW_FIGURES"
#: The key of the image/svg+xml output metadata that holds the phone variant.
NARROW_KEY = "ttsbook/narrow"
#: The class of the phone variant's image node (the book's extension pairs it with the figure).
NARROW_CLASS = "ttsbook-narrow"
# A restacked panel's height over its width, clipped to this range: (0.5, 0.75) for up to three
# panels, (0.5, 0.6) for more; a panel of fixed aspect (an image) keeps its shape up to 1.5.
_PANEL_ASPECT = (0.5, 0.75)
_MANY_PANELS_ASPECT = 0.6
_FIXED_ASPECT = 1.5


def figure_display(fig):
    """The display hook: the figure as SVG text (:func:`figure_svg`) and, when :data:`NARROW_ENV`
    is "1", its phone variant (:func:`narrow_svg`) in the output's metadata under :data:`NARROW_KEY`."""
    svg = figure_svg(fig)
    if os.environ.get(NARROW_ENV) != "1":
        return svg
    try:
        narrow = narrow_svg(fig)
    except Exception as exc:  # the figure alone, as on a desktop; tests/test_browser.py reports it
        warnings.warn(f"no phone layout for this figure: {exc!r}", stacklevel=2)
        return svg
    return svg if narrow is None else (svg, {NARROW_KEY: narrow})


def narrow_svg(fig, width: float = NARROW_WIDTH) -> str | None:
    """The figure laid out for a phone (:func:`restack`) as SVG text, or None when it needs no other
    layout (one column, at most ``width`` inches) or cannot be restacked. ``fig`` is left as it was."""
    state = _layout_state(fig)
    try:
        with warnings.catch_warnings():  # a legend too wide for its panel collapses it until it has fewer columns
            warnings.filterwarnings("ignore", "constrained_layout not applied", UserWarning)
            if not restack(fig, width):
                return None
            _keep_panel_heights(fig)
            return figure_svg(fig)
    finally:
        _restore_layout(fig, state)


def _place_name(key: tuple, nrows: int, ncols: int) -> str:
    """Where a panel spanning rows key[0]:key[2] and columns key[1]:key[3] sits in an nrows × ncols
    grid, as a caption says it: "left", "top right", "middle", "row 3, column 2"."""
    words = {1: [""], 2: ["top", "bottom"], 3: ["top", "middle", "bottom"]}
    across = {1: [""], 2: ["left", "right"], 3: ["left", "middle", "right"]}
    r0, c0, r1, c1 = key
    row = "" if r1 - r0 == nrows else words.get(nrows, [f"row {i + 1}" for i in range(nrows)])[r0]
    col = "" if c1 - c0 == ncols else across.get(ncols, [f"column {c + 1}" for c in range(ncols)])[c0]
    return ", ".join(w for w in (row, col) if w) if nrows > 3 or ncols > 3 else " ".join(w for w in (row, col) if w)


def _panel_heights(fig) -> list[float]:
    """Heights in inches of the figure's panels (its axes in a grid: no colorbar, no inset)."""
    fig.draw_without_rendering()
    height = fig.get_size_inches()[1]
    return [ax.get_position().height * height for ax in fig.axes if ax.get_subplotspec() is not None]


def _keep_panel_heights(fig, tries: int = 3) -> None:
    """Place the legends (:func:`place_legends`), then make the figure taller by what the legends
    placed below a panel took from it, so that every panel keeps the height the layout gave it."""
    planned = _panel_heights(fig)
    for _ in range(tries):
        place_legends(fig)
        short = sum(max(0.0, want - got) for want, got in zip(planned, _panel_heights(fig), strict=True))
        if short < 0.05:
            return
        width, height = fig.get_size_inches()
        fig.set_size_inches(width, height + short, forward=False)


def restack(fig, width: float = NARROW_WIDTH) -> bool:
    """Lay ``fig`` out for a narrow column, in place: every panel (an axes with its twins, insets
    and colorbars) in one column ``width`` inches wide, in reading order; each panel's height from
    its shape in the figure, clipped to half and three quarters of its width (0.6 for four panels
    or more, 1.5 for an image that keeps its aspect); figure legends in as
    many columns as fit the width; shared axes labelled on every panel. False, with ``fig``
    unchanged, when there is nothing to do (one column no wider than ``width``) or the layout is not
    one grid of subplots (axes placed by hand, nested grids, subfigures)."""
    from matplotlib.figure import Figure
    from matplotlib.gridspec import GridSpec
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    if fig.subfigs:
        return False
    main = [ax for ax in fig.axes if not hasattr(ax, "_colorbar")]
    specs = [ax.get_subplotspec() for ax in main]
    if not main or any(s is None for s in specs):
        return False
    grid = specs[0].get_gridspec()
    if any(s.get_gridspec() is not grid or type(s.get_gridspec()) is not GridSpec for s in specs):
        return False
    if any(ax.get_subplotspec() is not None for ax in fig.axes if hasattr(ax, "_colorbar")):
        return False  # a colorbar in a grid cell of its own: its parent is not known
    old_width, old_height = fig.get_size_inches()
    if grid.ncols == 1 and old_width <= width + 0.05:
        return False
    engine = fig.get_layout_engine()
    if not isinstance(engine, ConstrainedLayoutEngine):
        try:
            fig.set_layout_engine("constrained")
        except RuntimeError:
            return False
    fig.draw_without_rendering()
    panels: dict[tuple, list] = {}
    for ax, s in zip(main, specs, strict=True):
        panels.setdefault((s.rowspan.start, s.colspan.start, s.rowspan.stop, s.colspan.stop), []).append(ax)
    order = sorted(panels)
    aspect = []
    for key in order:
        box = panels[key][0].get_position()
        shape = (box.height * old_height) / max(box.width * old_width, 1e-6)
        low, high = _PANEL_ASPECT[0], _PANEL_ASPECT[1] if len(order) <= 3 else _MANY_PANELS_ASPECT
        if any(ax.get_aspect() != "auto" for ax in panels[key]):
            high = _FIXED_ASPECT
        aspect.append(float(np.clip(shape, low, high)))
    for ax in main:  # a shared axis labelled on the outer panels only: label it on every panel
        if len(ax.get_shared_x_axes().get_siblings(ax)) > 1 and ax.xaxis.get_label_position() == "bottom":
            ax.xaxis.set_tick_params(which="both", labelbottom=True)
        if len(ax.get_shared_y_axes().get_siblings(ax)) > 1 and ax.yaxis.get_label_position() == "left":
            ax.yaxis.set_tick_params(which="both", labelleft=True)
    column = GridSpec(len(order), 1, figure=fig, height_ratios=aspect)
    for i, key in enumerate(order):
        for ax in panels[key]:
            ax.set_subplotspec(column[i, 0])
        if len(order) > 1:  # the captions name panels by their place on a wide screen
            first = panels[key][0]
            where = _place_name(key, grid.nrows, grid.ncols)
            first.set_title(f"({where}) {first.get_title()}".strip())
    fig.set_size_inches(width, sum(0.6 * width * a for a in aspect) + 1.0, forward=False)
    fig.draw_without_rendering()
    for title in _titles(fig):  # a title longer than the column breaks into lines
        title.set_wrap(True)
    for legend in _legends(fig):  # fewer columns until a legend fits its figure or its axes
        room = 0.98 * (width * fig.dpi if legend.parent is fig else legend.axes.get_window_extent().width)
        while legend._ncols > 1 and legend.get_window_extent(fig.canvas.get_renderer()).width > room:
            legend = _in_columns(legend, legend._ncols - 1)
            fig.draw_without_rendering()
    # the height: what the layout puts around the panels, and each panel as tall as its aspect asks
    boxes = [panels[key][0].get_position(original=True) for key in order]  # the grid's cells
    _, height = fig.get_size_inches()
    around = height * (1 - sum(b.height for b in boxes))
    heights = [b.width * width * a for b, a in zip(boxes, aspect, strict=True)]
    column.set_height_ratios(heights)
    fig.set_size_inches(width, around + sum(heights), forward=False)
    return True


def _titles(fig) -> list:
    """The figure's title and the titles of its axes."""
    found = [fig._suptitle] if fig._suptitle is not None else []
    return found + [t for ax in _all_axes(fig) for t in (ax.title, ax._left_title, ax._right_title)]


def _in_columns(legend, ncols: int):
    """``legend`` made again in ``ncols`` columns, in its place (a legend's columns are fixed when it
    is made): same entries, place, font size, title and frame."""
    from matplotlib.legend import Legend

    handles, labels = legend.legend_handles, [t.get_text() for t in legend.get_texts()]
    style = dict(
        ncols=ncols,
        fontsize=legend._fontsize,
        title=legend.get_title().get_text() or None,
        framealpha=legend.get_frame().get_alpha(),
    )
    place = {code: name for name, code in Legend.codes.items()}.get(legend._loc, "best")
    if legend.parent is legend.figure:
        fig = legend.figure
        fig.legends.remove(legend)
        outside = getattr(legend, "_outside_loc", None)
        return fig.legend(handles, labels, loc=f"outside {place}" if outside else place, **style)
    return legend.axes.legend(handles, labels, loc=place, **style)


def _layout_state(fig) -> dict:
    """What :func:`restack` and :func:`place_legends` change, to put back."""
    axes = _all_axes(fig)
    return {
        "size": tuple(fig.get_size_inches()),
        "engine": fig.get_layout_engine(),
        "specs": [(ax, ax.get_subplotspec()) for ax in fig.axes if hasattr(ax, "get_subplotspec")],
        "ticks": [
            (axis, which, dict(getattr(axis, f"_{which}_tick_kw")))
            for ax in axes
            for axis in (ax.xaxis, ax.yaxis)
            for which in ("major", "minor")
        ],
        "legends": [(ax, ax.get_legend()) for ax in axes],
        "fig_legends": list(fig.legends),
        "titles": [(t, t.get_wrap(), t.get_text()) for t in _titles(fig)],
        "legend_places": [
            (legend, legend._loc, legend._bbox_to_anchor, legend._ncols, getattr(legend, "_outside_loc", None))
            for legend in _legends(fig)
        ],
    }


def _restore_layout(fig, state: dict) -> None:
    fig.set_size_inches(*state["size"], forward=False)
    if fig.get_layout_engine() is not state["engine"]:
        fig.set_layout_engine(state["engine"] if state["engine"] is not None else "none")
    for ax, spec in state["specs"]:
        if spec is not None:
            ax.set_subplotspec(spec)
    for axis, which, kw in state["ticks"]:
        if getattr(axis, f"_{which}_tick_kw").get("label1On") != kw.get("label1On"):
            first = "labelbottom" if axis.axis_name == "x" else "labelleft"
            axis.set_tick_params(which=which, **{first: kw.get("label1On", True)})
            setattr(axis, f"_{which}_tick_kw", kw)
    for ax, legend in state["legends"]:
        ax.legend_ = legend
    fig.legends[:] = state["fig_legends"]
    for title, wrap, text in state["titles"]:
        title.set_wrap(wrap)
        title.set_text(text)
    for legend, loc, anchor, ncols, outside in state["legend_places"]:
        legend._loc, legend._bbox_to_anchor, legend._ncols = loc, anchor, ncols
        if outside is not None:
            legend._outside_loc = outside
    fig.stale = True


class PhoneFigures:
    """myst-nb mime renderer (entry point ``myst_nb.mime_renderers``): an SVG figure whose output
    metadata holds a phone variant (:data:`NARROW_KEY`) becomes two image nodes, the figure and the
    variant (class :data:`NARROW_CLASS`); the book's extension ``book/_ext/phone_figures.py`` shows
    them as one ``<picture>``. Every other output is left to myst-nb."""

    mime_priority_overrides = ()

    @staticmethod
    def handle_mime(renderer, data, inline: bool):
        import dataclasses

        if inline or data.mime_type != "image/svg+xml":
            return None
        narrow = (data.output_metadata.get(data.mime_type) or {}).get(NARROW_KEY)
        if not isinstance(narrow, str):
            return None
        wide = renderer.render_image(data)
        variant = renderer.render_image(dataclasses.replace(data, content=narrow, output_metadata={}))
        for node in variant:
            node["classes"].append(NARROW_CLASS)
        return wide + variant


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
