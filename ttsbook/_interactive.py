"""Interactive figures for the static book: curves precomputed in Python, drawn in the browser.

:func:`interactive_curves` evaluates a function of a few parameters on a grid of slider values,
embeds the curves as JSON in a piece of HTML together with a small self-contained script (no
library, no network), and returns it as an IPython ``HTML`` object. In the built book it is a
``text/html`` output that works with no kernel; in Jupyter or Colab it works the same way.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import math

import numpy as np

__all__ = ["interactive_curves"]

# Draws one figure: a log-y (or linear) SVG chart with one range input per parameter.
# window.ttsbookCurves is defined once per page and called once per figure.
SCRIPT = r"""
(function () {
  if (!window.ttsbookCurves) {
    const NS = 'http://www.w3.org/2000/svg';
    const el = (tag, attrs, parent) => {
      const e = document.createElementNS(NS, tag);
      for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
      if (parent) parent.appendChild(e);
      return e;
    };
    const niceStep = (span, target) => {
      const raw = span / target, p = Math.pow(10, Math.floor(Math.log10(raw)));
      for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
      return 10 * p;
    };
    const SUP = {'-': '\u207b', '0': '\u2070', '1': '\u00b9', '2': '\u00b2', '3': '\u00b3',
                 '4': '\u2074', '5': '\u2075', '6': '\u2076', '7': '\u2077', '8': '\u2078',
                 '9': '\u2079'};
    const pow10 = p => p === 0 ? '1' : p === 1 ? '10' : '10' + String(p).split('').map(c => SUP[c]).join('');
    window.ttsbookCurves = function (root, spec) {
      // Drawn at the width it is shown (at most 640 px), so that its text is 14 px on any screen.
      const plot = root.querySelector('.ttsbook-curves-plot');
      const W = Math.round(Math.min(640, Math.max(260, plot.clientWidth || 640)));
      const H = Math.round(Math.max(230, W * 0.6)), L = 50, R = 14, T = 12, B = 26;
      const svg = el('svg', {viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': spec.title || 'figure',
                              class: 'ttsbook-curves-svg'});
      plot.appendChild(svg);
      const x0 = Math.min(...spec.x), x1 = Math.max(...spec.x);
      const [ylo, yhi] = spec.ylim;
      const logy = spec.logy;
      const fy = v => logy ? Math.log10(v) : v;
      const sx = v => L + (v - x0) / (x1 - x0) * (W - L - R);
      const sy = v => T + (fy(yhi) - fy(v)) / (fy(yhi) - fy(ylo)) * (H - T - B);
      const clipId = root.id + '-clip';
      el('rect', {x: L, y: T, width: W - L - R, height: H - T - B}, el('clipPath', {id: clipId}, el('defs', {}, svg)));
      const grid = el('g', {class: 'grid', stroke: '#d9d9d9', 'stroke-width': 1}, svg);
      const labels = el('g', {'font-size': 14, fill: '#222', 'font-family': 'sans-serif'}, svg);
      const xstep = Math.max(1, niceStep(x1 - x0, W < 480 ? 4 : 6));
      for (let v = Math.ceil(x0 / xstep) * xstep; v <= x1 + 1e-9; v += xstep) {
        el('line', {x1: sx(v), x2: sx(v), y1: T, y2: H - B}, grid);
        el('text', {x: sx(v), y: H - B + 18, 'text-anchor': 'middle'}, labels).textContent = String(+v.toFixed(6));
      }
      if (logy) {
        const p0 = Math.ceil(Math.log10(ylo) - 1e-9), p1 = Math.floor(Math.log10(yhi) + 1e-9);
        const every = Math.max(1, Math.ceil((p1 - p0 + 1) / (H < 320 ? 5 : 7)));
        for (let p = p0; p <= p1; p += every) {
          el('line', {x1: L, x2: W - R, y1: sy(Math.pow(10, p)), y2: sy(Math.pow(10, p))}, grid);
          el('text', {x: L - 6, y: sy(Math.pow(10, p)) + 5, 'text-anchor': 'end'}, labels).textContent = pow10(p);
        }
      } else {
        const ystep = niceStep(yhi - ylo, 6);
        for (let v = Math.ceil(ylo / ystep) * ystep; v <= yhi + 1e-9; v += ystep) {
          el('line', {x1: L, x2: W - R, y1: sy(v), y2: sy(v)}, grid);
          el('text', {x: L - 6, y: sy(v) + 5, 'text-anchor': 'end'}, labels).textContent = String(+v.toFixed(6));
        }
      }
      el('rect', {x: L, y: T, width: W - L - R, height: H - T - B, fill: 'none', stroke: '#444'}, svg);
      const curves = el('g', {'clip-path': `url(#${clipId})`, fill: 'none', 'stroke-width': 2.2}, svg);
      const paths = spec.series.map(s => el('path', {stroke: s.color, 'stroke-dasharray': s.dash || 'none',
                                                     class: 'ttsbook-curve'}, curves));
      const legend = root.querySelector('.ttsbook-curves-legend');
      spec.series.forEach(s => {
        const item = document.createElement('span');
        item.className = 'ttsbook-curves-key';
        const sw = el('svg', {width: 28, height: 10, viewBox: '0 0 28 10'}, item);
        el('line', {x1: 1, x2: 27, y1: 5, y2: 5, stroke: s.color, 'stroke-width': 2.5,
                    'stroke-dasharray': s.dash || 'none'}, sw);
        item.insertAdjacentHTML('beforeend', ' ' + s.html);
        legend.appendChild(item);
      });
      const inputs = [...root.querySelectorAll('input[type=range]')];
      const lo = fy(ylo) - 2 * (fy(yhi) - fy(ylo)), hi = fy(yhi) + 2 * (fy(yhi) - fy(ylo));
      const draw = () => {
        let index = 0;
        inputs.forEach((input, i) => {
          index = index * spec.sliders[i].values.length + (+input.value);
          root.querySelector(`[data-value-of="${i}"]`).textContent = spec.sliders[i].labels[+input.value];
        });
        const ys = spec.y[index];
        paths.forEach((path, s) => {
          let d = '', pen = false;
          spec.x.forEach((xv, j) => {
            const v = ys[s][j];
            if (v === null || (logy && v <= 0)) { pen = false; return; }
            const f = Math.min(hi, Math.max(lo, fy(v)));
            const py = T + (fy(yhi) - f) / (fy(yhi) - fy(ylo)) * (H - T - B);
            d += (pen ? 'L' : 'M') + sx(xv).toFixed(2) + ',' + py.toFixed(2);
            pen = true;
          });
          path.setAttribute('d', d);
        });
        const note = root.querySelector('.ttsbook-curves-note');
        if (note) note.textContent = spec.notes ? spec.notes[index] : '';
      };
      inputs.forEach(input => input.addEventListener('input', draw));
      draw();
    };
  }
})();
"""

STYLE = """
.ttsbook-curves { max-width: 680px; margin: 0.5em 0 1em; font-size: 0.95rem; }
.ttsbook-curves-frame { display: grid; grid-template-columns: 1.9em minmax(0, 1fr); }
.ttsbook-curves-ylabel { position: relative; min-height: 8em; }
.ttsbook-curves-ylabel > span { position: absolute; left: 50%; top: 50%; white-space: nowrap;
  transform: translate(-50%, -50%) rotate(-90deg); }
.ttsbook-curves-xlabel { grid-column: 2; text-align: center; padding-left: 50px; }
.ttsbook-curves-svg { width: 100%; height: auto; display: block; }
.ttsbook-curves-controls { display: flex; flex-wrap: wrap; gap: 0.3em 1.5em; margin: 0.3em 0; }
.ttsbook-curves-controls label { display: flex; align-items: center; gap: 0.5em; }
.ttsbook-curves-controls input { width: 11em; max-width: 45vw; }
.ttsbook-curves-legend { display: flex; flex-wrap: wrap; gap: 0.2em 1.2em; }
.ttsbook-curves-key { white-space: nowrap; }
"""

COLORS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#b5a300", "#d6604d", "#777777"]


def interactive_curves(
    curves,
    x,
    sliders: dict,
    *,
    xlabel: str,
    ylabel: str,
    title: str = "",
    labels: dict | None = None,
    logy: bool = True,
    ylim=None,
    styles: dict | None = None,
    note=None,
):
    """An interactive figure of curves ``y(x)`` with one slider per parameter, for static HTML.

    Parameters
    ----------
    curves : callable
        ``curves(**params)`` returns ``{label: y}`` with each ``y`` the same length as ``x``
        (non-finite values are left out of the drawing). It is called once for every
        combination of slider values, so the page holds every curve it can show.
    x : array_like
        The shared abscissae (for example the CoT steps ``k``).
    sliders : dict
        ``{name: values}``: the keyword passed to ``curves`` and its values, in slider order.
    xlabel, ylabel : str
        The axis labels: text with mathematics between ``$…$`` (``"CoT steps $k$"``), typeset
        by the page's MathJax (in the book, in JupyterLab and on Colab).
    title : str
        Plain text over the figure.
    labels : dict, optional
        ``{name: text}``: the label shown next to a slider (default: its name), with
        mathematics between ``$…$`` as in ``xlabel``.
    logy : bool
        Logarithmic y axis (the default; values ≤ 0 are then left out).
    ylim : (float, float), optional
        The y range, fixed while the sliders move; by default it spans every curve.
    styles : dict, optional
        ``{label: {"color": css colour, "dash": "6 4"}}`` for some series.
    note : callable, optional
        ``note(**params)`` returns a short text shown under the figure, which changes with the
        sliders (for example the best k at these parameters).

    Returns
    -------
    IPython.display.HTML
        A ``text/html`` output; its script is inline, so the figure needs no file and no network.
    """
    if not callable(curves):
        raise TypeError("curves must be a callable returning {label: y}")
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size < 2 or not np.all(np.isfinite(x)):
        raise ValueError("x must be a finite 1-d array with at least 2 entries")
    if not isinstance(sliders, dict):
        raise TypeError("sliders must be a non-empty dict {name: values}")
    if not sliders:
        raise ValueError("sliders must be a non-empty dict {name: values}")
    names, grids = [], []
    for name, values in sliders.items():
        if not isinstance(name, str):
            raise TypeError(f"sliders must map names to non-empty lists of values, got {name!r}")
        values = list(values)
        if not name.strip() or not values:
            raise ValueError(f"sliders must map names to non-empty lists of values, got {name!r}")
        names.append(name)
        grids.append(values)
    for name, text in (("xlabel", xlabel), ("ylabel", ylabel)):
        if not isinstance(text, str):
            raise TypeError(f"{name} must be text whose mathematics is between pairs of $, got {text!r}")
        if text.count("$") % 2:
            raise ValueError(f"{name} must be text whose mathematics is between pairs of $, got {text!r}")
    if note is not None and not callable(note):
        raise TypeError("note must be a callable returning a string, or None")
    labels_of = labels or {}
    if not isinstance(labels_of, dict) or not all(isinstance(t, str) for t in labels_of.values()):
        raise TypeError(f"labels must map slider names to text, got {labels!r}")
    if set(labels_of) - set(names) or any(t.count("$") % 2 for t in labels_of.values()):
        raise ValueError(f"labels must map slider names to text, got {labels!r}")
    table, notes, names_of_series = [], [], None
    for combo in itertools.product(*grids):
        params = dict(zip(names, combo, strict=True))
        out = curves(**params)
        if not isinstance(out, dict) or not out:
            raise ValueError("curves must return a non-empty dict {label: y}")
        if names_of_series is None:
            names_of_series = list(out)
        if list(out) != names_of_series:
            raise ValueError("curves must return the same labels for every parameter value")
        rows = []
        for label in names_of_series:
            y = np.asarray(out[label], dtype=float)
            if y.shape != x.shape:
                raise ValueError(f"curves returned {label!r} with shape {y.shape}, x has {x.shape}")
            rows.append([_json_float(v, logy) for v in y])
        table.append(rows)
        if note is not None:
            notes.append(str(note(**params)))
    ylim = _auto_ylim(table, logy) if ylim is None else tuple(float(v) for v in ylim)
    if len(ylim) != 2 or not (ylim[0] < ylim[1]) or (logy and ylim[0] <= 0):
        raise ValueError(f"ylim must be (low, high) with low < high (and low > 0 on a log axis), got {ylim}")
    styles = styles or {}
    series = [
        {
            "label": lab,
            "html": _math(lab),
            "color": styles.get(lab, {}).get("color", COLORS[i % len(COLORS)]),
            "dash": styles.get(lab, {}).get("dash"),
        }
        for i, lab in enumerate(names_of_series)
    ]
    spec = {
        "x": [float(v) for v in x],
        "y": table,
        "series": series,
        "ylim": list(ylim),
        "logy": bool(logy),
        "xlabel": xlabel,
        "ylabel": ylabel,
        "title": title,
        "sliders": [
            {"name": labels_of.get(n, n), "values": [_plain(v) for v in g], "labels": [_label(v) for v in g]}
            for n, g in zip(names, grids, strict=True)
        ],
        "notes": notes or None,
    }
    return _html(spec)


def _json_float(v: float, logy: bool):
    if not math.isfinite(v) or (logy and v <= 0):
        return None
    return float(f"{v:.5g}")


def _plain(v):
    return v.item() if isinstance(v, np.generic) else v


def _label(v) -> str:
    v = _plain(v)
    return f"{v:g}" if isinstance(v, float) else str(v)


def _auto_ylim(table, logy: bool) -> tuple[float, float]:
    vals = np.array([v for combo in table for row in combo for v in row if v is not None])
    if vals.size == 0:
        raise ValueError("curves returned no finite value to draw")
    if logy:
        return 10.0 ** math.floor(math.log10(vals.min())), 10.0 ** math.ceil(math.log10(vals.max()))
    pad = 0.05 * (vals.max() - vals.min() or 1.0)
    return float(vals.min() - pad), float(vals.max() + pad)


def _math(text: str) -> str:
    """``text`` as HTML with each ``$…$`` as ``\\(…\\)`` in an element MathJax typesets (the
    class ``mathjax_process``: the book's MathJax processes only such elements in outputs)."""
    parts = text.split("$")
    return "".join(
        html.escape(p) if i % 2 == 0 else f'<span class="mathjax_process">\\({html.escape(p)}\\)</span>'
        for i, p in enumerate(parts)
    )


def _html(spec: dict):
    from IPython.display import HTML

    data = json.dumps(spec, separators=(",", ":"), allow_nan=False)
    uid = "ttsbook-fig-" + hashlib.sha1(data.encode()).hexdigest()[:10]  # the same on every run
    controls = "".join(
        f'<label><span>{_math(s["name"])}</span> <input type="range" min="0" max="{len(s["values"]) - 1}" '
        f'step="1" value="{len(s["values"]) // 2}" aria-label="{html.escape(s["name"].replace("$", ""))}"> '
        f'<output data-value-of="{i}"></output></label>'
        for i, s in enumerate(spec["sliders"])
    )
    title = f'<div class="ttsbook-curves-title">{html.escape(spec["title"])}</div>' if spec["title"] else ""
    body = (
        f'<style>{STYLE}</style><div class="ttsbook-curves" id="{uid}">{title}'
        f'<div class="ttsbook-curves-controls">{controls}</div>'
        f'<div class="ttsbook-curves-frame">'
        f'<div class="ttsbook-curves-ylabel"><span>{_math(spec["ylabel"])}</span></div>'
        f'<div class="ttsbook-curves-plot"></div>'
        f'<div class="ttsbook-curves-xlabel">{_math(spec["xlabel"])}</div></div>'
        f'<div class="ttsbook-curves-legend"></div>'
        f'<div class="ttsbook-curves-note" aria-live="polite"></div></div>'
        f'<script>{SCRIPT}\nwindow.ttsbookCurves(document.getElementById("{uid}"), {data});</script>'
    )
    return HTML(body)
