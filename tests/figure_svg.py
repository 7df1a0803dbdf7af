"""Reading the book's matplotlib SVGs: where each legend's frame lies and which data it covers;
where each panel, tick and tick label lies, and the defects of layout a program can see there.

A matplotlib SVG names its groups: ``axes_N`` holds a panel; in it ``line2d_N`` (lines and
markers), ``PathCollection_N`` (scatters), ``LineCollection_N`` (error bars) and
``PolyCollection_N`` (bands) and ``bar_N`` (the rectangles of ``ax.bar``, named so by the book's
SVG output, ``plots._svg``; their whole area counts) are the data, except those under ``matplotlib.axis_N`` (ticks,
grid lines) or ``legend_N`` (the legend's own samples). A legend's frame is the first patch of
its ``legend_N`` group. Coordinates are absolute (points, y downwards); a drawn element may be
clipped to its axes by a ``clip-path`` rectangle, and only what is inside it is drawn.

:func:`panels` reads each axes' rectangle, ticks and tick labels (the boxes of their glyphs);
:func:`short_log_axes`, :func:`crowded_tick_labels`, :func:`narrow_panels` and
:func:`panels_lower_than_their_legends` name what a reader would stumble on.

Used by ``tests/test_figures.py`` and ``tools/bookkeeping_counts.py``.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from ttsbook.plots import _fill as fill_rectangle  # a grid of points over a rectangle

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
DATA = re.compile(r"^(line2d|PathCollection|LineCollection|PolyCollection|bar)_\d+$")
NOT_DATA = re.compile(r"^(matplotlib\.axis|legend)_\d+$")
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
STEP = 1.5  # points: a drawn line is sampled this often between its vertices
BAR_STEP = 3.0  # points: a bar's area is covered by a grid this fine


def _clip_rects(root) -> dict:
    rects = {}
    for clip in root.iter(f"{SVG}clipPath"):
        rect = clip.find(f"{SVG}rect")
        if rect is not None:
            x, y = float(rect.get("x", 0)), float(rect.get("y", 0))
            rects[clip.get("id")] = (x, y, x + float(rect.get("width")), y + float(rect.get("height")))
    return rects


def _path_points(d: str) -> list[np.ndarray]:
    """The subpaths of an SVG path made of M, L and z commands (what matplotlib writes for
    lines), each as an array of vertices."""
    subpaths, current = [], []
    for cmd, args in re.findall(r"([MLHVCSQTAZmlhvcsqtaz])([^MLHVCSQTAZmlhvcsqtaz]*)", d):
        nums = [float(v) for v in NUMBER.findall(args)]
        if cmd == "M":
            if current:
                subpaths.append(np.array(current))
            current = [nums[i : i + 2] for i in range(0, len(nums) - 1, 2)]
        elif cmd in "LCQ":
            current.extend(nums[i : i + 2] for i in range(0, len(nums) - 1, 2))
        elif cmd in "zZ" and current:
            current.append(current[0])
    if current:
        subpaths.append(np.array(current))
    return subpaths


def _sample(vertices: np.ndarray) -> np.ndarray:
    if len(vertices) < 2:
        return vertices.reshape(-1, 2)
    seg = np.diff(vertices, axis=0)
    n = np.minimum(np.maximum(1, np.ceil(np.hypot(*seg.T) / STEP)), 4000).astype(int)
    parts = [a + np.outer(np.arange(k) / k, s) for a, s, k in zip(vertices[:-1], seg, n, strict=True)]
    return np.vstack(parts + [vertices[-1:]])


def _bbox(points: np.ndarray) -> tuple[float, float, float, float]:
    return points[:, 0].min(), points[:, 1].min(), points[:, 0].max(), points[:, 1].max()


def legend_coverage(svg_text: str) -> list[dict]:
    """Every legend of a matplotlib SVG: its id, its frame (x0, y0, x1, y1) and ``covered``, the
    number of drawn data points (line vertices and the lines between them sampled every
    :data:`STEP` points, markers, error bars, a grid over each bar) strictly inside the frame."""
    root = ET.fromstring(svg_text)
    rects = _clip_rects(root)
    parent = {child: node for node in root.iter() for child in node}

    def ancestors(node):
        while node in parent:
            node = parent[node]
            yield node

    def clip_of(node):
        for n in [node, *ancestors(node)]:
            ref = n.get("clip-path")
            if ref:
                return rects.get(ref[5:-1])
        return None

    points = []
    for group in root.iter(f"{SVG}g"):
        if not DATA.match(group.get("id", "")):
            continue
        if any(NOT_DATA.match(a.get("id", "")) for a in ancestors(group)):
            continue
        for node in group.iter():
            if node.tag == f"{SVG}path" and group.get("id").startswith("bar_"):
                x0, y0, x1, y1 = _bbox(np.vstack(_path_points(node.get("d", ""))))
                cx0, cy0, cx1, cy1 = clip_of(node) or (x0, y0, x1, y1)  # only the drawn part, a bar may be huge
                x0, y0, x1, y1 = max(x0, cx0), max(y0, cy0), min(x1, cx1), min(y1, cy1)
                found = [fill_rectangle(x0, y0, x1, y1, BAR_STEP)] if x1 >= x0 and y1 >= y0 else []
            elif node.tag == f"{SVG}path":
                found = [_sample(p) for p in _path_points(node.get("d", "")) if len(p)]
            elif node.tag == f"{SVG}use" and node.get("x") is not None:
                found = [np.array([[float(node.get("x")), float(node.get("y"))]])]
            else:
                continue
            if not found:
                continue
            pts = np.vstack(found)
            clip = clip_of(node)
            if clip is not None:
                x0, y0, x1, y1 = clip
                pts = pts[
                    (pts[:, 0] >= x0 - 0.5)
                    & (pts[:, 0] <= x1 + 0.5)
                    & (pts[:, 1] >= y0 - 0.5)
                    & (pts[:, 1] <= y1 + 0.5)
                ]
            points.append(pts)
    points = np.vstack(points) if points else np.empty((0, 2))
    legends = []
    for group in root.iter(f"{SVG}g"):
        if not re.match(r"^legend_\d+$", group.get("id", "")):
            continue
        frame = next((p for p in group.iter(f"{SVG}path")), None)
        if frame is None:
            continue
        x0, y0, x1, y1 = _bbox(np.vstack(_path_points(frame.get("d", ""))))
        inside = (points[:, 0] > x0) & (points[:, 0] < x1) & (points[:, 1] > y0) & (points[:, 1] < y1)
        legends.append({"id": group.get("id"), "frame": (x0, y0, x1, y1), "covered": int(inside.sum())})
    return legends


def notebook_svgs(path: Path) -> list[tuple[str, str]]:
    """The SVG figures a chapter's executed notebook shows: (label, SVG text), labelled
    ``file#n`` in the order they appear."""
    nb = json.loads(Path(path).read_text())
    found = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            svg = output.get("data", {}).get("image/svg+xml")
            if svg is not None:
                found.append((f"{Path(path).name}#{len(found) + 1}", svg if isinstance(svg, str) else "".join(svg)))
    return found


def notebook_figures(path: Path) -> list[tuple[str, str, str]]:
    """The figures of a chapter's executed notebook as the book numbers them: (number, name,
    SVG text), the number "3.4" for the fourth figure of ``03_*.ipynb``, the name its cell's
    ``mystnb.figure.name`` (empty if it has none)."""
    nb = json.loads(Path(path).read_text())
    chapter = int(Path(path).name[:2])
    found = []
    for cell in nb["cells"]:
        name = cell.get("metadata", {}).get("mystnb", {}).get("figure", {}).get("name", "")
        for output in cell.get("outputs", []):
            svg = output.get("data", {}).get("image/svg+xml")
            if svg is not None:
                text = svg if isinstance(svg, str) else "".join(svg)
                found.append((f"{chapter}.{len(found) + 1}", name, text))
    return found


# --- panels, their ticks and tick labels -----------------------------------------------------------
#
# An ``axes_N`` group holds a panel (a colorbar, a twin axes or an inset is an axes too; an inset
# made with ``ax.inset_axes`` is nested in its parent's group). Its first patch is the panel's
# background, the rectangle data is drawn in. Its axes are its own ``matplotlib.axis_N`` groups,
# each a list of ``xtick_N`` or ``ytick_N`` groups: a tick's grid line or mark (``line2d_N``), then
# its label (``text_N``). With ``svg.fonttype`` "path" a label is its text as a comment, then its
# glyphs, ``<use>`` of glyph outlines defined once in the file; the label's box is the box of
# those outlines (the ink, not the advance widths). A tick with nothing visible (a minor tick: the
# book's style gives tick marks no length and minor ticks no grid line) is an empty group.

TRANSFORM = re.compile(r"(matrix|translate|scale|rotate)\s*\(([^)]*)\)")
TEXT_GROUP = re.compile(r"^text_\d+$")
TICK = re.compile(r"^([xy])tick_\d+$")
# A tick label as matplotlib writes it: plain ("20", "0.5", "−3") or, on a logarithmic axis,
# "$\mathdefault{10^{-2}}$" and "$\mathdefault{2\times10^{0}}$".
POWER = re.compile(r"^(?:(?P<mantissa>[0-9.]+)\\times\s*)?10\^\{?(?P<exponent>[-−]?[0-9]+)\}?$")


def _matrix(transform: str | None) -> np.ndarray:
    """The 3 × 3 matrix of an SVG ``transform`` attribute."""
    m = np.eye(3)
    for name, args in TRANSFORM.findall(transform or ""):
        v = [float(a) for a in NUMBER.findall(args)]
        if name == "translate":
            t = np.array([[1.0, 0.0, v[0]], [0.0, 1.0, v[1] if len(v) > 1 else 0.0], [0.0, 0.0, 1.0]])
        elif name == "scale":
            t = np.diag([v[0], v[1] if len(v) > 1 else v[0], 1.0])
        elif name == "rotate":
            c, s = np.cos(np.radians(v[0])), np.sin(np.radians(v[0]))
            t = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
            if len(v) == 3:
                t = _matrix(f"translate({v[1]} {v[2]})") @ t @ _matrix(f"translate({-v[1]} {-v[2]})")
        else:
            t = np.array([[v[0], v[2], v[4]], [v[1], v[3], v[5]], [0.0, 0.0, 1.0]])
        m = m @ t
    return m


def _apply(m: np.ndarray, points) -> np.ndarray:
    return np.asarray(points, dtype=float).reshape(-1, 2) @ m[:2, :2].T + m[:2, 2]


class _Drawing:
    """The elements of an SVG with their absolute transforms, and the points each one draws."""

    def __init__(self, svg_text: str):
        self.root = ET.fromstring(svg_text, parser=ET.XMLParser(target=ET.TreeBuilder(insert_comments=True)))
        self.defined = {p.get("id"): p for p in self.root.iter(f"{SVG}path") if p.get("id")}
        self.matrix = {}
        self._walk(self.root, np.eye(3))

    def _walk(self, node, m):
        if node.tag == f"{SVG}defs":
            return
        m = m @ _matrix(node.get("transform"))
        self.matrix[node] = m
        for child in node:
            if isinstance(child.tag, str):
                self._walk(child, m)

    def points(self, node) -> np.ndarray:
        """Every point ``node`` and what is inside it draw, absolute: vertices and control points
        of paths, glyph outlines, rectangle corners, the place of a marker."""
        found = []
        for n in node.iter():
            m = self.matrix.get(n)
            if m is None:
                continue
            if n.tag == f"{SVG}path" and n.get("d"):
                found += [_apply(m, p) for p in _path_points(n.get("d"))]
            elif n.tag == f"{SVG}rect" and n.get("width") is not None:
                x, y = float(n.get("x", 0)), float(n.get("y", 0))
                w, h = float(n.get("width")), float(n.get("height"))
                found.append(_apply(m, [[x, y], [x + w, y], [x, y + h], [x + w, y + h]]))
            elif n.tag == f"{SVG}use":
                at = m @ _matrix(f"translate({n.get('x', 0)} {n.get('y', 0)})")
                shape = self.defined.get((n.get(f"{XLINK}href") or "#")[1:])
                if shape is None or not shape.get("d"):
                    continue
                if n.get("x") is not None:  # a marker: the point it marks
                    found.append(_apply(at, [[0.0, 0.0]]))
                else:  # a glyph
                    inner = at @ _matrix(shape.get("transform"))
                    found += [_apply(inner, p) for p in _path_points(shape.get("d"))]
        return np.vstack(found) if found else np.empty((0, 2))

    def box(self, node) -> tuple[float, float, float, float] | None:
        pts = self.points(node)
        return tuple(float(v) for v in _bbox(pts)) if len(pts) else None


def _comment(node) -> str:
    return next(((n.text or "").strip() for n in node.iter() if n.tag is ET.Comment), "")


def panels(svg_text: str) -> dict:
    """The figure's size and every axes of it, in points (y downwards).

    Returns ``{"width", "height", "axes": [...], "legends": [...]}``; each legend is its frame's
    box; each axes is a dict: ``id``, ``box`` (x0, y0,
    x1, y1 of the rectangle its data is drawn in, or None), ``parent`` (the id of the axes it is
    nested in, or None) and ``x``, ``y``: its ticks, each ``{"at": the position along the axis or
    None, "label": the text or None, "box": the label's ink box or None}``; a tick whose three are
    None draws nothing (a minor tick)."""
    drawing = _Drawing(svg_text)
    view = [float(v) for v in NUMBER.findall(drawing.root.get("viewBox", ""))]
    found = []

    def visit(node, parent_id):
        for child in node:
            if child.tag != f"{SVG}g":
                continue
            gid = child.get("id", "")
            if re.match(r"^axes_\d+$", gid):
                found.append(_read_axes(drawing, child, parent_id))
                visit(child, gid)
            elif not NOT_DATA.match(gid):
                visit(child, parent_id)

    visit(drawing.root, None)
    legends = [
        drawing.box(next(g.iter(f"{SVG}path")))
        for g in drawing.root.iter(f"{SVG}g")
        if re.match(r"^legend_\d+$", g.get("id", "")) and next(g.iter(f"{SVG}path"), None) is not None
    ]
    return {"width": view[2], "height": view[3], "axes": found, "legends": [b for b in legends if b is not None]}


def _read_axes(drawing: _Drawing, group, parent_id) -> dict:
    ticks = {"x": [], "y": []}
    for axis in group:
        if not re.match(r"^matplotlib\.axis_\d+$", axis.get("id", "")):
            continue
        for tick in axis:
            kind = TICK.match(tick.get("id", ""))
            if kind is None:
                continue
            xy = 0 if kind.group(1) == "x" else 1
            mark = next((g for g in tick if g.get("id", "").startswith("line2d_")), None)
            text = next((g for g in tick if TEXT_GROUP.match(g.get("id", ""))), None)
            at = drawing.points(mark)[:1, xy] if mark is not None else []
            box = drawing.box(text) if text is not None else None
            if not len(at) and box is not None:  # no mark, no grid line (an image): the label's middle
                at = [(box[xy] + box[xy + 2]) / 2]
            ticks[kind.group(1)].append(
                {
                    "at": float(at[0]) if len(at) else None,
                    "label": _comment(text) if text is not None else None,
                    "box": box,
                }
            )
    return {"id": group.get("id"), "box": _axes_box(drawing, group), "parent": parent_id, **ticks}


def _axes_box(drawing: _Drawing, group) -> tuple[float, float, float, float] | None:
    """The rectangle of an axes: its background (its first patch, a filled rectangle), else, for
    an axes drawn without one (a twin axes), the box of its spines (its patches that are single
    straight segments)."""
    spines = []
    for i, patch in enumerate(g for g in group if re.match(r"^patch_\d+$", g.get("id", ""))):
        path = patch.find(f"{SVG}path")
        if path is None:
            continue
        pts = drawing.points(path)
        if i == 0 and len(pts) >= 4 and "fill: none" not in (path.get("style") or ""):
            x0, y0, x1, y1 = _bbox(pts)
            if x1 > x0 and y1 > y0:
                return float(x0), float(y0), float(x1), float(y1)
        if len(pts) == 2:
            spines.append(pts)
    return tuple(float(v) for v in _bbox(np.vstack(spines))) if spines else None


def tick_value(label: str) -> tuple[float, bool] | None:
    """The number a tick label shows and whether it is written as a power of ten (10ⁿ, a × 10ⁿ),
    or None for a label that is not a number."""
    text = label.strip().strip("$").replace("\u2212", "-")
    text = re.sub(r"^\\mathdefault\{(.*)\}$", r"\1", text).strip()
    power = POWER.match(text)
    if power:
        mantissa = float(power["mantissa"]) if power["mantissa"] else 1.0
        return mantissa * 10.0 ** int(power["exponent"].replace("\u2212", "-")), True
    try:
        return float(text), False
    except ValueError:
        return None


# --- three defects a program can see ------------------------------------------------------------

#: Fewest labelled ticks a logarithmic axis needs: with two (10¹ and 10²) a reader cannot tell
#: a logarithmic axis from a linear one, nor read a value between them.
LOG_LABELS = 3
#: Points: two tick labels of different panels closer than this read as one. It is the width of a
#: space in the book's tick labels (DejaVu Sans at 9.5 pt: 0.318 em = 3.0 pt).
MIN_GAP = 3.0
#: Two tick labels of neighbouring panels side by side in a row, closer than
#: :data:`RHYTHM_WITHIN` and with a gap within a factor :data:`RHYTHM` of the gap between
#: neighbouring labels of either panel, continue the row's rhythm: the two axes read as one
#: ("… 18 21 0 3 …"). A factor 1.5 flags the gaps that ran together in the book (Fig 7.4 as first
#: drawn: 10.8 pt between the panels against 8.1 and 14.1 pt within them; Fig 8.3: 19.6 pt against
#: 14.7 and 20.5 pt) and spares a boundary that is a clear break, narrower or wider (Fig 6.1:
#: 11.5 pt against 33 to 37 pt within). Labels 3 em apart or more (28.5 pt in the 9.5 pt tick font)
#: are read one by one, each under its panel (Fig 4.3: 70 pt against 44 and 64 pt within).
RHYTHM = 1.5
RHYTHM_WITHIN = 28.5
#: A panel narrower than this fraction of its figure's width is squashed (a figure is at most
#: 7 in wide; at a quarter its panel is shrunk below 90 px on a 390 px phone).
MIN_PANEL_WIDTH = 0.25
#: An axes at least this many times as long as it is wide, with no ticks along its short side,
#: is a colorbar (matplotlib draws them 20 times as long as wide), not a panel.
COLORBAR_ASPECT = 10.0


def logarithmic(ticks: list[dict]) -> bool:
    """Whether an axis (a list of :func:`panels` ticks) is logarithmic, as a reader sees it: a
    label written as a power of ten; or three labels or more, of distinct positive values, placed
    evenly in the logarithms of their values and not in the values (within 1 % of the axis); or,
    with one or two plain labels, minor ticks (a logarithmic axis has them, the book's linear axes
    have none). A logarithmic axis with fewer than three plain labels and no minor ticks cannot
    be told from a linear one."""
    read = [(tick_value(t["label"]), t["at"]) for t in ticks if t["label"]]
    numbers = [(number, at) for number, at in read if number is not None and at is not None]
    if any(power for (_, power), _ in numbers):
        return True
    values = np.array([value for (value, _), _ in numbers])
    if not len(values) or np.any(values <= 0):
        return False
    if len(values) >= 3:
        if len(np.unique(values)) < 2:
            return False
        at = np.array([at for _, at in numbers])
        return _misfit(np.log10(values), at) < 0.01 < _misfit(values, at)
    return any(t["at"] is None and t["label"] is None for t in ticks)


def _misfit(x: np.ndarray, y: np.ndarray) -> float:
    """How far ``y`` is from a straight line in ``x``, at most, relative to its spread."""
    fit = np.polyval(np.polyfit(x, y, 1), x)
    return float(np.max(np.abs(y - fit)) / max(np.ptp(y), 1e-9))


def short_log_axes(svg_text: str) -> list[str]:
    """Every logarithmic axis with one or two labelled ticks (an axis with none, its labels
    hidden next to a panel that shows them, is not counted)."""
    found = []
    for axes in panels(svg_text)["axes"]:
        for name in ("x", "y"):
            labels = [t["label"] for t in axes[name] if t["label"]]
            if 0 < len(labels) < LOG_LABELS and logarithmic(axes[name]):
                found.append(f"{axes['id']} {name} axis is logarithmic with {len(labels)} labels: {labels}")
    return found


def _gap(a, b, k: int) -> float:
    """The gap between boxes ``a`` and ``b`` along coordinate ``k`` (negative: they overlap)."""
    return max(b[k] - a[k + 2], a[k] - b[k + 2])


def crowded_tick_labels(svg_text: str) -> list[str]:
    """Tick labels of different axes that touch (closer than :data:`MIN_GAP`), and neighbouring
    labels of two panels side by side in a row whose gap continues the row's rhythm
    (:data:`RHYTHM`)."""
    labels = [
        {"axes": axes["id"], "axis": name, "label": t["label"], "box": t["box"]}
        for axes in panels(svg_text)["axes"]
        for name in ("x", "y")
        for t in axes[name]
        if t["box"] is not None and t["label"]
    ]

    def in_row(a, b):
        return _gap(a["box"], b["box"], 1) < 0

    def own_gaps(a):
        return [
            _gap(a["box"], c["box"], 0)
            for c in labels
            if c is not a and (c["axes"], c["axis"]) == (a["axes"], a["axis"]) and in_row(a, c)
        ]

    found = []
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            if a["axes"] == b["axes"]:
                continue
            dx, dy = _gap(a["box"], b["box"], 0), _gap(a["box"], b["box"], 1)
            gap = max(dx, dy) if min(dx, dy) < 0 else float(np.hypot(dx, dy))
            pair = f"{a['axes']} {a['label']!r} and {b['axes']} {b['label']!r}"
            if gap < MIN_GAP:
                found.append(f"{pair} are {gap:.1f} pt apart")
                continue
            if gap >= RHYTHM_WITHIN or not in_row(a, b):
                continue
            left, right = sorted((a, b), key=lambda t: t["box"][0])
            if any(
                c is not a
                and c is not b
                and in_row(c, a)
                and c["box"][0] >= left["box"][2]
                and c["box"][2] <= right["box"][0]
                for c in labels
            ):
                continue  # not neighbours
            spacing = [min(g) for g in (own_gaps(a), own_gaps(b)) if g]
            if any(s / RHYTHM <= gap <= s * RHYTHM for s in spacing):
                within = " and ".join(f"{s:.1f}" for s in spacing)
                found.append(f"{pair} are {gap:.1f} pt apart, against {within} pt within their panels")
    return found


def data_panels(figure: dict) -> list[dict]:
    """The axes of a :func:`panels` figure that are panels: not a colorbar
    (:data:`COLORBAR_ASPECT`), not an inset (nested in, or inside, another axes), not a twin axes
    (on the rectangle of an axes before it)."""
    axes = [a for a in figure["axes"] if a["box"] is not None]

    def same(a, b):
        return bool(np.allclose(a, b, atol=0.5))

    def inside(box, other):
        return all(other[k] <= box[k] + 0.5 and other[k + 2] >= box[k + 2] - 0.5 for k in (0, 1))

    found = []
    for i, a in enumerate(axes):
        box = a["box"]
        width, height = box[2] - box[0], box[3] - box[1]
        short = "x" if width < height else "y"
        colorbar = not a[short] and max(width, height) >= COLORBAR_ASPECT * min(width, height)
        twin = any(same(b["box"], box) for b in axes[:i])
        inset = a["parent"] is not None or any(inside(box, b["box"]) and not same(b["box"], box) for b in axes)
        if not (colorbar or twin or inset):
            found.append(a)
    return found


def narrow_panels(svg_text: str) -> list[str]:
    """Every panel (:func:`data_panels`) narrower than :data:`MIN_PANEL_WIDTH` of the figure's
    width."""
    figure = panels(svg_text)
    found = []
    for a in data_panels(figure):
        width = a["box"][2] - a["box"][0]
        if width < MIN_PANEL_WIDTH * figure["width"]:
            share = width / figure["width"]
            found.append(f"{a['id']} is {width:.0f} pt wide, {share:.0%} of the figure's {figure['width']:.0f} pt")
    return found


def panels_lower_than_their_legends(svg_text: str) -> list[str]:
    """Every panel (:func:`data_panels`) lower than a legend laid above or below it, outside
    every axes: the layout has given the legend more height than the data."""
    figure = panels(svg_text)
    boxes = [a["box"] for a in figure["axes"] if a["box"] is not None]
    outside = [
        frame
        for frame in figure["legends"]
        if not any(all(b[k] <= frame[k] + 0.5 and b[k + 2] >= frame[k + 2] - 0.5 for k in (0, 1)) for b in boxes)
    ]
    found = []
    for a in data_panels(figure):
        box = a["box"]
        for frame in outside:
            beside = _gap(box, frame, 0) < 0 and _gap(box, frame, 1) >= 0  # above or below, not aside
            if beside and box[3] - box[1] < frame[3] - frame[1]:
                high, legend = box[3] - box[1], frame[3] - frame[1]
                found.append(f"{a['id']} is {high:.0f} pt high, with a legend {legend:.0f} pt high above or below")
    return found
