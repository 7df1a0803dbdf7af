"""Reading the book's matplotlib SVGs: where each legend's frame lies and which data it covers.

A matplotlib SVG names its groups: ``axes_N`` holds a panel; in it ``line2d_N`` (lines and
markers), ``PathCollection_N`` (scatters), ``LineCollection_N`` (error bars) and
``PolyCollection_N`` (bands) and ``bar_N`` (the rectangles of ``ax.bar``, named so by the book's
SVG output, ``plots._svg``; their whole area counts) are the data, except those under ``matplotlib.axis_N`` (ticks,
grid lines) or ``legend_N`` (the legend's own samples). A legend's frame is the first patch of
its ``legend_N`` group. Coordinates are absolute (points, y downwards); a drawn element may be
clipped to its axes by a ``clip-path`` rectangle, and only what is inside it is drawn.

Used by ``tests/test_figures.py`` and ``tests/count_html.py``.
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
