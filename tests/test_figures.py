"""Figures that hide nothing and can be read on a phone.

* No legend covers data: every SVG figure of the built book (``_build/html/_images``) is read by
  ``tests/figure_svg.py``, which finds each legend's frame and the data drawn under it (line
  vertices, the lines between them, markers, error bars). ``plots.place_legends``, which the
  book's SVG output calls for every figure, moves a covering legend; the tests below also check
  the reader and the mover on figures made to fail.
* No figure shows a defect a program can see in its SVG (``tests/figure_svg.py`` reads panels,
  ticks and tick labels): tick labels such as 2 × 10⁰, a logarithmic axis with fewer than three
  labelled ticks, tick labels of neighbouring panels that touch or run together, a panel
  narrower than a quarter of its figure, a panel lower than a legend above or below it. Each
  check is shown to fire on a figure made with the defect and to pass on its fixed version.
* Legible on a phone: a figure is drawn for the 672 px column and shown at about half that
  width on a 390 px phone, so each figure of a cell's output is a link to the figure file,
  which the phone's browser shows at its natural size (``book/_ext/figure_links.py``). The
  browser check opens every chapter at 390 px, and one figure file at 390 px.

The tests of the built book need ``make book`` (``make test`` builds it) and, for the phone,
Debian's Chromium and Playwright, as ``tests/test_browser.py``.
"""

from __future__ import annotations

import functools
import html as _html
import importlib.util
import io
import os
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib import ticker  # noqa: E402

from figure_svg import (  # noqa: E402
    crowded_tick_labels,
    legend_coverage,
    logarithmic,
    narrow_panels,
    notebook_figures,
    notebook_svgs,
    panels,
    panels_lower_than_their_legends,
    short_log_axes,
)
from ttsbook import plots  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html")).resolve()
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PHONE_WIDTH = 390
CHAPTERS = sorted(p.stem for p in (ROOT / "book").glob("[0-9][0-9]_*.md"))


@pytest.fixture(autouse=True)
def _style():
    plots.set_style()
    yield
    plt.close("all")


def svg_of(fig) -> str:
    out = io.StringIO()
    fig.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    return out.getvalue()


def crowded(n_series: int = 5, loc: str = "lower right"):
    """A panel whose curves pass through every corner but one, with its legend on them."""
    fig, ax = plots.subplots()
    x = np.linspace(0, 1, 60)
    for i in range(n_series):
        ax.plot(x, np.sin(6 * x + i) + 0.3 * i, "o-", ms=3, label=f"curve {i}")
    ax.set_xlabel("x")
    ax.legend(loc=loc)
    return fig, ax


# --- the reader of SVG files and the legend mover, on figures made to fail -----------------------


def test_reader_finds_a_legend_over_data():
    fig, _ = crowded()
    found = legend_coverage(svg_of(fig))
    assert len(found) == 1 and found[0]["covered"] > 0, found


def test_reader_ignores_a_legend_beside_the_data():
    fig, ax = plots.subplots()
    ax.plot([0, 1, 2], [0.0, 0.1, 0.2], "o-", label="low line")
    ax.set_ylim(0, 2)
    ax.legend(loc="upper left")
    assert [f["covered"] for f in legend_coverage(svg_of(fig))] == [0]


def test_reader_sees_a_line_crossing_the_frame_between_vertices():
    """Two vertices far apart, left and right of the legend: the segment between them counts."""
    fig, ax = plots.subplots()
    ax.plot([0, 1], [0.5, 0.5], "-", label="a long straight line")
    ax.set_ylim(0, 1)
    ax.legend(loc="center")
    assert legend_coverage(svg_of(fig))[0]["covered"] > 0
    assert plots.covered_points(fig)


def test_place_legends_moves_a_covering_legend_to_a_free_corner():
    fig, ax = plots.subplots()
    x = np.linspace(0, 1, 60)
    for p in (1, 1.5, 2):  # from the lower left to the upper right corner
        ax.plot(x, x**p, "o-", ms=3, label=f"$x^{{{p}}}$")
    ax.legend(loc="center")
    assert plots.covered_points(fig)
    plots.place_legends(fig)
    assert plots.covered_points(fig) == {}
    assert [f["covered"] for f in legend_coverage(svg_of(fig))] == [0]
    legend_box = ax.get_legend().get_window_extent()
    assert ax.get_window_extent().contains(legend_box.x0 + 1, legend_box.y0 + 1), "a free corner exists"


def test_place_legends_keeps_a_legend_that_hides_nothing():
    fig, ax = plots.subplots()
    ax.plot([0, 1, 2], [0.0, 0.1, 0.2], "o-", label="low line")
    ax.set_ylim(0, 2)
    ax.legend(loc="upper left")
    before = ax.get_legend()._loc
    plots.place_legends(fig)
    assert ax.get_legend()._loc == before


def test_place_legends_puts_the_legend_below_when_no_spot_is_free():
    fig, axes = plots.subplots(1, 2)
    rng = np.random.default_rng(0)
    for ax in axes:
        for i in range(4):
            ax.plot(rng.random(300), rng.random(300), ".", label=f"cloud {i}")
        ax.set_xlabel("x label")
    axes[0].legend()
    plots.place_legends(fig)
    assert [f["covered"] for f in legend_coverage(svg_of(fig))] == [0]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend = axes[0].get_legend().get_window_extent(renderer)
    label = axes[0].xaxis.label.get_window_extent(renderer)
    assert legend.y1 <= label.y0 + 0.5, "the legend sits under the x label"


def test_place_legends_moves_a_figure_legend_outside():
    fig, ax = crowded()
    handles, labels = ax.get_legend_handles_labels()
    ax.get_legend().remove()
    fig.legend(handles, labels, loc="center")
    assert plots.covered_points(fig)
    plots.place_legends(fig)
    assert plots.covered_points(fig) == {}


def test_the_book_svg_output_places_legends():
    """What a chapter shows: ``set_style`` registers ``plots._svg``, which moves legends."""
    fig, _ = crowded()
    svg = plots._svg(fig)
    assert [f["covered"] for f in legend_coverage(svg)] == [0]


def bar_chart():
    """Tall bars everywhere except the upper left corner, with the legend on the bars."""
    fig, ax = plots.subplots()
    xs = np.arange(8)
    ax.bar(xs - 0.2, [0.2, 0.2, 0.2, 0.9, 0.9, 0.9, 0.9, 0.9], width=0.4, label="first")
    ax.bar(xs + 0.2, [0.2, 0.2, 0.2, 0.8, 0.8, 0.8, 0.8, 0.8], width=0.4, label="second")
    ax.set_ylim(0, 1)
    ax.legend(loc="lower right")
    return fig, ax


def test_a_legend_on_bars_covers_them_and_is_moved_off_them():
    """A bar's whole area is data: a legend inside a bar, touching none of its edges, covers it."""
    fig, ax = bar_chart()
    assert plots.covered_points(fig), "the legend sits on the bars"
    svg = plots._svg(fig)  # moves the legend and names the bars' groups bar_N
    assert svg.count('id="bar_') == 16
    assert [f["covered"] for f in legend_coverage(svg)] == [0]
    assert plots.covered_points(fig) == {}
    legend_box = ax.get_legend().get_window_extent()
    assert ax.get_window_extent().contains(legend_box.x0 + 1, legend_box.y1 - 1), "the free upper left corner"


def test_the_svg_reader_sees_a_legend_inside_one_wide_bar():
    fig, ax = plots.subplots()
    ax.bar([0], [1.0], width=2.0, label="one wide bar")
    ax.set_xlim(-1, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="center")
    for bar in ax.containers[0].patches:
        bar.set_gid("bar_0")
    assert legend_coverage(svg_of(fig))[0]["covered"] > 0


def test_place_legends_refuses_a_non_figure():
    with pytest.raises(TypeError, match="fig"):
        plots.place_legends("not a figure")


# --- the figures of the book --------------------------------------------------------------------


def built_svgs() -> list[Path]:
    return sorted((HTML / "_images").glob("*.svg"))


@pytest.mark.skipif(not built_svgs(), reason=f"no built book in {HTML}: run `make book` (`make test` builds it)")
def test_no_legend_covers_data_in_the_built_book():
    flagged = {}
    for path in built_svgs():
        text = path.read_text()
        if '<g id="legend_' not in text:
            continue
        covering = [f"{f['id']} covers {f['covered']} points" for f in legend_coverage(text) if f["covered"]]
        if covering:
            flagged[path.name] = covering
    assert not flagged, f"legends covering data in {len(flagged)} figures: {flagged}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_legend_covers_data_in_the_chapter_notebooks(chapter):
    """The figures of every chapter as its executed notebook shows them (what Colab opens)."""
    flagged = [
        f"{label}: {f['id']} covers {f['covered']} points"
        for label, svg in notebook_svgs(ROOT / "book" / f"{chapter}.ipynb")
        for f in legend_coverage(svg)
        if f["covered"]
    ]
    assert not flagged, flagged


# --- figures on a phone ---------------------------------------------------------------------------


def _browser_missing() -> str | None:
    if not (HTML / "index.html").exists():
        return f"no built book in {HTML}: run `make book` (`make test` builds it)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM}: `sudo apt-get install -y chromium`, or set CHROMIUM"
    if importlib.util.find_spec("playwright") is None:
        return "Playwright is not installed: `make test` installs it into .venv"
    return None


# Open every collapsed cell and wait for every image.
JS_OPEN_AND_LOAD = """async () => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const imgs = [...document.images];
  imgs.forEach(img => { img.loading = 'eager'; });
  await Promise.all(imgs.map(img => img.complete ? null : new Promise(done => {
    img.addEventListener('load', done); img.addEventListener('error', done); })));
}"""

# Every figure of a cell's output, with the link around it, and its size on the page.
JS_FIGURE_LINKS = """() => [...document.querySelectorAll('div.cell_output img')].map(img => {
  const a = img.closest('a');
  return {src: img.getAttribute('src'), href: a ? a.getAttribute('href') : null,
          width: Math.round(img.getBoundingClientRect().width), natural: img.naturalWidth};
})"""


# matplotlib writes each text of an SVG figure as a comment before its glyphs; a logarithmic
# axis labels its minor ticks like this when it has too few decades to label
UNIT_POWER = re.compile(r"<!-- \$\\mathdefault\{[0-9.]+\\times10\^\{0\}\}\$ -->")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_tick_label_reads_like_2_times_10_to_the_0(chapter):
    """Tick labels are numbers a reader reads at a glance: 2, 3, 5, never 2 × 10⁰ (give a short
    logarithmic axis plain ticks with plots.log_ticks)."""
    typed = [label for label, svg in notebook_svgs(ROOT / "book" / f"{chapter}.ipynb") if UNIT_POWER.search(svg)]
    assert not typed, f"figures with tick labels such as 2 × 10⁰: {typed}"


def test_the_tick_label_check_sees_a_short_log_axis():
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3, 4], [2.0, 3.0, 4.0, 5.0])
    ax.set_yscale("log")
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    plt.close(fig)
    assert UNIT_POWER.search(buffer.getvalue())
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3, 4], [2.0, 3.0, 4.0, 5.0])
    ax.set_yscale("log")
    plots.log_ticks(ax, [2, 3, 5])
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    plt.close(fig)
    assert not UNIT_POWER.search(buffer.getvalue())


# --- defects of layout and ticks a program can see, on every figure of the book -----------------


def _book_figures() -> list:
    return [
        pytest.param(chapter, number, id=f"Fig{number}-{name}" if name else f"Fig{number}")
        for chapter in CHAPTERS
        if (ROOT / "book" / f"{chapter}.ipynb").exists()
        for number, name, _ in notebook_figures(ROOT / "book" / f"{chapter}.ipynb")
    ]


BOOK_FIGURES = _book_figures()


@functools.cache
def _chapter_svgs(chapter: str) -> dict[str, str]:
    return {number: svg for number, _, svg in notebook_figures(ROOT / "book" / f"{chapter}.ipynb")}


def figure_svg_text(chapter: str, number: str) -> str:
    return _chapter_svgs(chapter)[number]


def test_every_chapter_figure_is_checked():
    assert {p.values[0] for p in BOOK_FIGURES} == set(CHAPTERS), "a chapter without figures, or without its notebook"


@pytest.mark.parametrize(("chapter", "number"), BOOK_FIGURES)
def test_no_log_axis_has_fewer_than_three_labels(chapter, number):
    """A logarithmic axis labelled only 10¹ and 10² reads like a linear one: label three ticks or
    more (plots.log_ticks with plain numbers, or more decades)."""
    found = short_log_axes(figure_svg_text(chapter, number))
    assert not found, f"Fig {number} ({chapter}): {found}"


@pytest.mark.parametrize(("chapter", "number"), BOOK_FIGURES)
def test_no_tick_labels_of_neighbouring_panels_run_together(chapter, number):
    """Tick labels of two panels neither touch nor continue each other's spacing across the gap
    between the panels (fewer ticks, or more space between the panels)."""
    found = crowded_tick_labels(figure_svg_text(chapter, number))
    assert not found, f"Fig {number} ({chapter}): {found}"


@pytest.mark.parametrize(("chapter", "number"), BOOK_FIGURES)
def test_no_panel_is_narrower_than_a_quarter_of_its_figure(chapter, number):
    found = narrow_panels(figure_svg_text(chapter, number))
    assert not found, f"Fig {number} ({chapter}): {found}"


@pytest.mark.parametrize(("chapter", "number"), BOOK_FIGURES)
def test_no_panel_is_lower_than_a_legend_above_or_below_it(chapter, number):
    """A panel squashed under its legends: a wider legend (more columns), or one legend for all
    panels, gives the data its height back."""
    found = panels_lower_than_their_legends(figure_svg_text(chapter, number))
    assert not found, f"Fig {number} ({chapter}): {found}"


def log_figure(ticks=None, scale: str = "log") -> str:
    """One panel whose y values run from 10 to 150, on a logarithmic (or linear) axis."""
    fig, ax = plots.subplots()
    x = np.linspace(10, 150, 30)
    ax.plot(x, x)
    ax.set_yscale(scale)
    if ticks is not None:
        plots.log_ticks(ax, ticks) if scale == "log" else ax.set_yticks(ticks)
    return plots._svg(fig)


def test_the_log_axis_check_sees_two_decades_labelled_10_and_100():
    found = short_log_axes(log_figure())
    assert len(found) == 1 and "2 labels" in found[0] and "10^{2}" in found[0], found
    fixed = log_figure([10, 20, 50, 100])
    assert short_log_axes(fixed) == []
    assert logarithmic(panels(fixed)["axes"][0]["y"]), "plain labels at logarithmic places: a log axis"


def test_the_log_axis_check_sees_two_plain_labels_and_spares_a_linear_axis():
    assert short_log_axes(log_figure([10, 100])), "two plain labels and the minor ticks of a log axis"
    assert short_log_axes(log_figure([10, 100], scale="linear")) == []
    assert not logarithmic(panels(log_figure(scale="linear"))["axes"][0]["y"])


def three_panels(step: int) -> str:
    """Three panels side by side, x from 0 to 20, a tick every ``step``."""
    fig, axes = plots.subplots(1, 3, sharey=True)
    k = np.arange(21)
    for ax in axes:
        ax.plot(k, np.exp(-k))
        ax.set_yscale("log")
        ax.xaxis.set_major_locator(ticker.MultipleLocator(step))
    return plots._svg(fig)


def test_the_tick_label_check_sees_neighbouring_panels_run_together():
    """0 3 6 … 18 21 0 3 …: the gap between the panels' labels is the gap within them."""
    found = crowded_tick_labels(three_panels(3))
    assert len(found) == 2 and all("'21'" in f and "'0'" in f for f in found), found
    assert crowded_tick_labels(three_panels(5)) == []


def two_panels_apart(wspace: float) -> str:
    """Two panels labelled 0, 50, 100 on x, ``wspace`` (a fraction of a panel's width) apart."""
    fig, axes = plt.subplots(1, 2, layout="none", figsize=(4, 2))
    fig.subplots_adjust(wspace=wspace)
    for ax in axes:
        ax.plot([0, 100], [0, 1])
        ax.set_xticks([0, 50, 100])
    return plots._svg(fig)


def test_the_tick_label_check_sees_labels_of_two_panels_overlap():
    found = crowded_tick_labels(two_panels_apart(0.0))
    assert len(found) == 1 and "'100'" in found[0] and "'0'" in found[0], found
    assert crowded_tick_labels(two_panels_apart(0.6)) == []


def panel_row(n: int, width_ratios=None) -> str:
    fig, axes = plots.subplots(1, n, gridspec_kw={"width_ratios": width_ratios} if width_ratios else {})
    for ax in axes:
        ax.plot([0, 1], [0, 1])
    return plots._svg(fig)


def test_the_panel_width_check_sees_a_row_of_five_and_a_narrow_panel():
    assert len(narrow_panels(panel_row(5))) == 5
    assert [f.split()[0] for f in narrow_panels(panel_row(2, [1, 4]))] == ["axes_1"]
    assert narrow_panels(panel_row(3)) == []
    assert narrow_panels(panel_row(2, [1, 1])) == []


def test_the_panel_width_check_spares_colorbars_insets_and_twins():
    fig, ax = plots.subplots()
    points = ax.scatter([1, 2, 3], [1, 2, 3], c=[1, 2, 3])
    fig.colorbar(points, ax=ax)
    ax.plot([1, 2, 3], [1, 3, 2])
    plots.zoom(ax, (1, 2))
    ax.twinx().plot([1, 2, 3], [5, 6, 7])
    svg = plots._svg(fig)
    assert len(panels(svg)["axes"]) == 4, "the panel, its inset, the colorbar and the twin"
    assert narrow_panels(svg) == []


def legend_below(ncol: int) -> str:
    """Two panels, nine curves in the right one with their legend below it in ``ncol`` columns."""
    fig, axes = plots.subplots(1, 2)
    axes[0].plot([0, 1], [0, 1])
    for i in range(9):
        axes[1].plot([0, 1], [i, i + 1], label=f"curve number {i}")
    axes[1].legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=ncol)
    return plots._svg(fig)


def test_the_panel_height_check_sees_a_panel_squashed_by_its_legend():
    found = panels_lower_than_their_legends(legend_below(1))
    assert len(found) == 1 and found[0].startswith("axes_2"), found
    assert panels_lower_than_their_legends(legend_below(3)) == []


@pytest.mark.skipif(_browser_missing() is not None, reason=str(_browser_missing()))
def test_every_figure_opens_at_full_size_on_a_phone():
    """At 390 px each chapter figure is shown shrunk; a tap opens the figure file, which the
    phone shows at its natural width (so its fonts at their drawn size, at least 9 pt)."""
    import http.server
    import threading
    from functools import partial

    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(HTML)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    problems, seen = [], 0
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": PHONE_WIDTH, "height": 844})
            page.set_default_timeout(120_000)
            first = None
            for chapter in CHAPTERS:
                page.goto(f"{base}/book/{chapter}.html", wait_until="domcontentloaded")
                page.evaluate(JS_OPEN_AND_LOAD)
                for fig in page.evaluate(JS_FIGURE_LINKS):
                    seen += 1
                    if fig["href"] is None or fig["href"] != fig["src"]:
                        problems.append(f"{chapter}: figure {fig['src']} is not a link to itself ({fig['href']})")
                    elif first is None and fig["src"].endswith(".svg") and fig["width"] < fig["natural"]:
                        first = (chapter, fig)
            assert first is not None, "no figure is shrunk on a phone: the check would test nothing"
            chapter, fig = first
            page.goto(f"{base}/book/{chapter}.html", wait_until="domcontentloaded")
            page.evaluate(JS_OPEN_AND_LOAD)
            with page.expect_navigation():
                page.click(f"a[href='{fig['href']}'] img")
            shown = page.evaluate(
                "() => { const e = document.querySelector('svg'); return e ? e.getBoundingClientRect().width : 0; }"
            )
            if shown < fig["natural"] - 1:
                problems.append(
                    f"the opened figure {fig['href']} is {shown:.0f} px wide, not its natural {fig['natural']} px"
                )
            browser.close()
    finally:
        server.shutdown()
    assert seen, "no figure found in the chapters"
    assert not problems, problems


# --- alt text ---------------------------------------------------------------------------------------
_FIGURE = re.compile(r"<figure\b[^>]*>(.*?)</figure>", re.S)
_ALT = re.compile(r'<img\b[^>]*\balt="([^"]*)"')
_CAPTION = re.compile(r"<figcaption>(.*?)</figcaption>", re.S)


def figure_alts(html: str) -> list[tuple[str, str]]:
    """(alt text of the image, caption text) for every figure of a page with an image."""
    found = []
    for body in _FIGURE.findall(html):
        alt, caption = _ALT.search(body), _CAPTION.search(body)
        if alt and caption:
            text = " ".join(_html.unescape(re.sub(r"<[^>]+>", " ", caption.group(1))).split())
            found.append((_html.unescape(alt.group(1)), text))
    return found


def test_the_alt_check_sees_a_file_name():
    page = (
        '<figure><img alt="../_images/ab12.svg" src="../_images/ab12.svg"/>'
        "<figcaption><p>Errors.</p></figcaption></figure>"
    )
    assert figure_alts(page) == [("../_images/ab12.svg", "Errors.")]


@pytest.mark.skipif(not (HTML / "index.html").exists(), reason=f"no built book in {HTML}: run `make book`")
def test_every_figure_image_is_described_by_its_caption():
    """A figure's image has the first sentence of its caption as alt text, never a file name
    (book/_ext/figure_alt.py)."""
    found = {p.stem: figure_alts(p.read_text()) for p in sorted((HTML / "book").glob("[0-9]*.html"))}
    assert sum(len(f) for f in found.values()) >= 30, "fewer than 30 captioned figures in the built chapters"
    wrong = [
        (page, alt[:60])
        for page, figures in found.items()
        for alt, caption in figures
        if re.search(r"\.(svg|png|jpe?g)$|^$", alt) or alt.split()[0] not in caption.split()[:5]
    ]
    assert not wrong, f"figures whose image is not described by its caption: {wrong}"
