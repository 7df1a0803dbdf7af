"""The book's figure helpers: sizes and fonts that survive the content column, integer and log
ticks, zoomed insets, and the interactive figures' data."""

from __future__ import annotations

import json
import re
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from ttsbook import _figure_layout, plots  # noqa: E402


@pytest.fixture(autouse=True)
def _style():
    plots.set_style()
    yield
    plt.close("all")


def test_style_fonts_are_at_least_the_minimum():
    rc = plt.rcParams
    for key in ("xtick.labelsize", "ytick.labelsize", "legend.fontsize", "axes.labelsize"):
        size = matplotlib.font_manager.FontProperties(size=rc[key]).get_size_in_points()
        assert size >= plots.MIN_FONT_PT, key
    assert rc["savefig.dpi"] >= 2 * 96, "bitmaps must be at least 2x a 96 px/in screen"


def test_svg_text_is_drawn_at_the_style_size(tmp_path):
    """The SVG the book shows carries tick labels at 9.5 pt (glyph groups scaled by size/100)."""
    fig, ax = plots.subplots()
    ax.plot([0, 1, 2], [1, 2, 3], label="a")
    ax.legend()
    fig.savefig(tmp_path / "f.svg")
    svg = (tmp_path / "f.svg").read_text()
    sizes = {100 * float(s) for s in re.findall(r"scale\(([\d.]+) -[\d.]+\)", svg)}
    assert min(sizes) == pytest.approx(9.5)


@pytest.mark.parametrize("ncols", [1, 2, 3])
def test_subplots_fit_the_column(ncols):
    fig, _ = plots.subplots(1, ncols)
    width, height = fig.get_size_inches()
    assert width <= plots.COLUMN_WIDTH + 1e-12 and height > 0
    # shown in a 720 px column, a figure this wide keeps its fonts at their nominal size
    assert 96 * width <= 720


def test_subplots_refuses_figsize():
    with pytest.raises(ValueError, match=r"\bfigsize"):
        plots.subplots(figsize=(11, 4))


def test_integer_ticks_on_k_axes():
    fig, ax = plt.subplots()
    ax.plot(np.arange(4), [1.0, 0.5, 0.2, 0.1])
    plots.integer_ticks(ax)
    fig.canvas.draw()
    ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
    assert ticks and all(float(t).is_integer() for t in ticks)


def test_error_vs_k_puts_integer_ticks_on_k():
    fig, ax = plt.subplots()
    plots.error_vs_k(ax, [1.0, 0.5, 0.2], label="run")
    fig.canvas.draw()
    assert all(float(t).is_integer() for t in ax.get_xticks())


def test_log_ticks_plain_numbers():
    fig, ax = plt.subplots()
    ax.plot([1, 100], [1, 2])
    ax.set_xscale("log")
    plots.log_ticks(ax, [1, 2, 5, 10, 100], axis="x")
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["1", "2", "5", "10", "100"]
    assert not any(t.get_text() for t in ax.get_xticklabels(minor=True))


def test_log_ticks_refuses_non_positive():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"\bticks must be finite and > 0"):
        plots.log_ticks(ax, [0, 1])


def test_zoom_redraws_the_lines_in_an_inset():
    fig, ax = plt.subplots()
    ks = np.arange(31)
    ax.plot(ks, 10.0**-ks, "o-")
    inset = plots.zoom(ax, (20, 30))
    assert len(inset.get_lines()) == 1 and inset.get_xlim() == (20.0, 30.0)
    low, high = inset.get_ylim()
    assert low < 1e-30 < 1e-20 < high < 1e-10  # fitted to the data in the window, with a margin


def test_interactive_curves_embed_every_slider_position():
    ks = np.arange(5)
    fig = plots.interactive_curves(
        lambda a, b: {"y": (a * b) ** ks}, ks, {"a": [0.5, 1.0], "b": [0.1, 0.2, 0.3]}, xlabel="k", ylabel="y"
    )
    spec = json.loads(
        re.search(r"window\.ttsbookCurves\(document\.getElementById\(\"[\w-]+\"\), (.*)\);</script>", fig.data).group(1)
    )
    assert len(spec["y"]) == 6  # 2 x 3 positions, row-major as the page indexes them
    np.testing.assert_allclose(spec["y"][1 * 3 + 2][0], (1.0 * 0.3) ** ks, rtol=1e-4)
    assert spec["sliders"][1]["labels"] == ["0.1", "0.2", "0.3"]
    assert "http" not in fig.data.replace("http://www.w3.org/2000/svg", "")  # nothing from the network


def test_interactive_curves_are_the_same_on_every_run():
    def make():
        return plots.interactive_curves(
            lambda a: {"y": a ** np.arange(3)}, np.arange(3), {"a": [0.5]}, xlabel="k", ylabel="y"
        ).data

    assert make() == make()


def test_interactive_curves_refuse_mismatched_curves():
    with pytest.raises(ValueError, match=r"\bcurves returned 'y' with shape"):
        plots.interactive_curves(lambda a: {"y": np.ones(2)}, np.arange(3), {"a": [1]}, xlabel="k", ylabel="y")


def test_errors_at_picks_each_k_in_order_with_columns_in_order():
    ks_all = np.arange(12)
    columns = {"z slow": 0.9**ks_all, "a fast": 0.5**ks_all, "inf": np.where(ks_all > 4, np.inf, 1.0)}
    shown = [0, 1, 5, 11, 3]
    styler = plots.errors_at(columns, shown)
    table = styler.data
    assert table.index.name == "k" and table.index.tolist() == shown
    assert table.columns.tolist() == ["z slow", "a fast", "inf"]  # the dict's order, not sorted
    np.testing.assert_array_equal(table["z slow"], 0.9 ** np.array(shown))
    np.testing.assert_array_equal(table["a fast"], 0.5 ** np.array(shown))
    assert np.isposinf(table.loc[11, "inf"]) and table.loc[3, "inf"] == 1.0
    html = styler.to_html()
    assert ">0.314<" in html and ">0.0312<" in html and ">0.000488<" in html  # 3 digits
    assert html.count(">diverged<") == 2, "an infinite error reads 'diverged'"
    assert html == plots.errors_at(columns, shown).to_html(), "the same table must give the same HTML"
    other = plots.errors_at(columns, [0, 1]).to_html()
    assert re.search(r'id="(T_\w+?)"', html).group(1) != re.search(r'id="(T_\w+?)"', other).group(1)
    assert ">0.31<" in plots.errors_at(columns, [11], digits=2).to_html()


@pytest.mark.parametrize(
    "columns, ks, error, match",
    [
        ({"a": [1.0, 0.5]}, [2], ValueError, r"ks must be at most K = 1"),
        ({"a": [1.0, 0.5], "b": [1.0]}, [0], ValueError, r"columns must all have the same length"),
        ({}, [0], ValueError, r"columns must be a non-empty dict"),
        ([[1.0, 0.5]], [0], TypeError, r"columns must be a non-empty dict"),
        ({"a": [1.0, 0.5]}, [-1], ValueError, r"ks must be >= 0"),
        ({"a": [[1.0, 0.5]]}, [0], ValueError, r"columns must be non-empty 1-d arrays"),
        ({"a": []}, [0], ValueError, r"columns must be non-empty 1-d arrays"),
        ({"a": ["x", "y"]}, [0], TypeError, r"columns must map curve names to arrays of real numbers"),
    ],
)
def test_errors_at_refuses_what_it_cannot_show(columns, ks, error, match):
    with pytest.raises(error, match=match):
        plots.errors_at(columns, ks)


@pytest.mark.parametrize(
    "value, digits, text",
    [
        (1.2345e-3, 3, "0.00123"),
        (1.2345e-5, 2, "1.2 × 10⁻⁵"),  # never e-notation
        (-1.45e17, 3, "−1.45 × 10¹⁷"),  # a true minus sign
        (2.0e13, 3, "2 × 10¹³"),
        (100.0, 2, "100"),  # whole numbers below 10⁶ stay whole
        (20000.0, 3, "20,000"),
        (152202.0, 3, "152,000"),
        (2.5e6, 3, "2.5 × 10⁶"),
        (152202, 3, "152,202"),  # an integer whole, with separators
        (np.int64(2000), 3, "2000"),
        (0.5, 3, "0.5"),
        (float("nan"), 3, "—"),
        (None, 3, "—"),
        (float("inf"), 3, "∞"),
        (-float("inf"), 3, "−∞"),
        ("Σ = I", 3, "Σ = I"),
        (True, 3, "True"),
    ],
)
def test_table_number_reads_like_a_paper(value, digits, text):
    assert plots.table_number(value, digits) == text


def test_table_number_names_a_diverged_error():
    assert plots.table_number(np.inf, infinite="diverged") == "diverged"


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(value=1.0, digits=0), ValueError, r"\bdigits"),
        (dict(value=1.0, digits=2.5), TypeError, r"\bdigits"),
        (dict(value=[1.0]), TypeError, r"\bvalue"),
        (dict(value=1.0, infinite=None), TypeError, r"\binfinite"),
    ],
)
def test_table_number_refuses_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        plots.table_number(**kwargs)


def test_paper_table_formats_every_cell_and_the_index():
    import pandas as pd

    frame = pd.DataFrame(
        {
            "error": [1.5e-7, np.inf, 0.25],
            "steps": [3, 12, 152202],
            "share (%)": [12.345, np.nan, 100.0],
            "task": ["easy", "hard", "long"],
        },
        index=pd.Index([0.5, 1.5, 20000.0], name="m/d"),
    )
    html = plots.paper_table(frame, formats={"share (%)": 2}, infinite="diverged").to_html()
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", html, re.S)]
    for text in ("1.5 × 10⁻⁷", "diverged", "0.25", "3", "152,202", "12", "—", "100", "hard", "20,000", "1.5"):
        assert text in cells, (text, cells)
    assert not any(re.search(r"\d[eE][-+]?\d", c) for c in cells), "no e-notation"
    assert plots.paper_table(frame).to_html() == plots.paper_table(frame).to_html(), "same table, same HTML"
    assert "m/d" not in plots.paper_table(frame, index=False).to_html()
    custom = plots.paper_table(frame, formats={"task": str.upper}).to_html()
    assert ">HARD<" in custom


def test_paper_table_id_names_the_table_not_its_numbers():
    """The HTML id stays when a number changes in a last digit (a value or a real-valued row label)
    or tied rows come in another order; it changes with the headers or the row names."""
    import pandas as pd

    def table_id(frame):
        return re.search(r'<table id="(T_[^"]+)"', plots.paper_table(frame).to_html()).group(1)

    frame = pd.DataFrame({"error": [0.25, 0.5]}, index=pd.Index(["easy", "hard"], name="task"))
    moved = pd.DataFrame({"error": [0.2500001, 0.5]}, index=pd.Index(["easy", "hard"], name="task"))
    assert table_id(frame) == table_id(moved) == table_id(frame.iloc[::-1])
    levels = pd.DataFrame({"k": [3, 5]}, index=pd.Index([1.5e-3, 2.5e-2], name="ε"))
    assert table_id(levels) == table_id(levels.set_axis(pd.Index([1.5000001e-3, 2.5e-2], name="ε")))
    assert table_id(frame) != table_id(frame.rename(columns={"error": "loss"}))
    assert table_id(frame) != table_id(frame.set_axis(pd.Index(["easy", "long"], name="task")))


@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        (([1, 2],), {}, TypeError, r"\bframe"),
        ((None,), {}, TypeError, r"\bframe"),
        (("frame",), dict(formats=[2]), TypeError, r"\bformats"),
        (("frame",), dict(formats={"missing": 2}), ValueError, r"\bformats"),
        (("frame",), dict(formats={"a": 0}), ValueError, r"formats\['a'\]"),
        (("frame",), dict(digits=0), ValueError, r"\bdigits"),
        (("frame",), dict(infinite=3), TypeError, r"\binfinite"),
    ],
)
def test_paper_table_refuses_bad_arguments(args, kwargs, error, match):
    """A value of the wrong type raises TypeError, a value out of range ValueError."""
    import pandas as pd

    args = tuple(pd.DataFrame({"a": [1.0]}) if a == "frame" else a for a in args)
    with pytest.raises(error, match=match):
        plots.paper_table(*args, **kwargs)


# --- the figures' phone variant: panels restacked into one column (ttsbook._figure_layout) --------

PHONE_COLUMN_PX = 358  # a 390 px phone shows a figure this wide
MIN_PHONE_FONT_PX = 9.0


def _smallest_font_px(svg: str, shown_px: float) -> float:
    """The smallest text of a matplotlib SVG (its glyph groups, ``scale(s -s)`` with s = pt / 100),
    in CSS pixels when the image is drawn ``shown_px`` wide."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg)
    width_pt = float(root.get("width").removesuffix("pt"))
    sizes = []
    for group in root.iter("{http://www.w3.org/2000/svg}g"):
        if (group.get("id") or "").startswith("text_"):
            scales = [re.search(r"scale\(([\d.]+) -", e.get("transform") or "") for e in group.iter()]
            if any(scales):
                sizes.append(max(100 * float(m.group(1)) for m in scales if m))
    return min(sizes) * 4 / 3 * shown_px / (width_pt * 4 / 3)


def _three_panels_with_a_figure_legend():
    fig, axes = plots.subplots(1, 3, sharey=True, height=3.3)
    k = np.arange(1, 21)
    for i, ax in enumerate(axes):
        for n in (10, 20, 30):
            ax.semilogy(k, n * k ** (-1.0 - i / 3), label=f"$n = {n}$")
        ax.set_title(f"panel {i}")
        ax.set_xlabel("$k$")
    axes[0].set_ylabel("error")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=3)
    fig.suptitle("$d = 8$")
    return fig, axes


def _two_panels_with_a_colorbar():
    fig, (ax, ax_map) = plots.subplots(1, 2, height=3.6)
    ax.plot(np.arange(10.0), np.arange(10.0) ** 2, label="a")
    ax.legend()
    inset = plots.zoom(ax, (0, 3))
    mesh = ax_map.pcolormesh(np.random.default_rng(0).random((8, 10)))
    colorbar = fig.colorbar(mesh, ax=ax_map, label="value")
    return fig, (ax, ax_map), inset, colorbar


def _boxes(fig, axes) -> list:
    fig.draw_without_rendering()
    return [ax.get_position() for ax in axes]


@pytest.mark.parametrize("make", [_three_panels_with_a_figure_legend, _two_panels_with_a_colorbar])
def test_restack_puts_the_panels_in_one_column_legible_on_a_phone(make):
    from ttsbook import _figure_layout

    fig, axes, *_ = make()
    assert _figure_layout.restack(fig)
    assert fig.get_size_inches()[0] == pytest.approx(_figure_layout.NARROW_WIDTH)
    boxes = _boxes(fig, axes)
    for above, below in zip(boxes, boxes[1:], strict=False):
        assert above.y0 > below.y1, "panels one above the other, in reading order"
        assert max(above.x0, below.x0) < min(above.x1, below.x1), "in one column"
    for box in boxes:
        assert box.height * fig.get_size_inches()[1] > 0.45 * box.width * fig.get_size_inches()[0]
    plt.close(fig)
    fig, *_ = make()
    svg = _figure_layout.narrow_svg(fig)
    assert _smallest_font_px(svg, PHONE_COLUMN_PX) >= MIN_PHONE_FONT_PX
    wide = _figure_layout.figure_svg(fig)
    assert _smallest_font_px(wide, PHONE_COLUMN_PX) < MIN_PHONE_FONT_PX, "the check sees the desktop figure"


def test_restack_keeps_the_figure_legend_within_the_width_and_every_shared_axis_labelled():
    from ttsbook import _figure_layout

    fig, axes = _three_panels_with_a_figure_legend()
    _figure_layout.restack(fig)
    fig.draw_without_rendering()
    (legend,) = fig.legends
    assert legend.get_window_extent().width <= fig.bbox.width
    assert all(label.get_visible() and label.get_text() for ax in axes for label in ax.get_yticklabels()[1:-1])


def test_restack_keeps_colorbars_beside_and_insets_inside_their_axes():
    from ttsbook import _figure_layout

    fig, (ax, ax_map), inset, colorbar = _two_panels_with_a_colorbar()
    _figure_layout.restack(fig)
    box, map_box, inset_box, bar_box = _boxes(fig, [ax, ax_map, inset, colorbar.ax])
    assert bar_box.x0 >= map_box.x1 and map_box.y0 - 0.01 <= bar_box.y0 < bar_box.y1 <= map_box.y1 + 0.01
    assert box.x0 <= inset_box.x0 < inset_box.x1 <= box.x1 and box.y0 <= inset_box.y0 < inset_box.y1 <= box.y1


def test_narrow_svg_leaves_the_figure_as_it_was():
    from ttsbook import _figure_layout

    fig, axes, *_ = _two_panels_with_a_colorbar()
    _figure_layout.figure_svg(fig)  # as the display hook does: the figure, then its phone variant
    before = (tuple(fig.get_size_inches()), [tuple(b.bounds) for b in _boxes(fig, fig.axes)])
    _figure_layout.narrow_svg(fig)
    after = (tuple(fig.get_size_inches()), [tuple(b.bounds) for b in _boxes(fig, fig.axes)])
    assert after[0] == before[0]
    np.testing.assert_allclose(after[1], before[1], atol=1e-3)  # constrained layout converges to 0.1 px


def test_narrow_svg_is_none_for_a_figure_already_narrow():
    from ttsbook import _figure_layout

    fig, ax = plt.subplots(figsize=(4.0, 3.0))
    ax.plot([0, 1], [0, 1])
    assert _figure_layout.narrow_svg(fig) is None


def test_the_phone_variant_is_drawn_only_while_the_book_builds(monkeypatch):
    """Jupyter, Colab and nbval get the plain SVG; the book's build (book/_ext/phone_figures.py
    sets the variable) gets the phone variant in the output's metadata too."""
    from ttsbook import _figure_layout

    fig, *_ = _three_panels_with_a_figure_legend()
    monkeypatch.delenv(_figure_layout.NARROW_ENV, raising=False)
    assert isinstance(_figure_layout.figure_display(fig), str)
    monkeypatch.setenv(_figure_layout.NARROW_ENV, "1")
    svg, metadata = _figure_layout.figure_display(fig)
    assert svg.lstrip().startswith("<") and "<svg" in metadata[_figure_layout.NARROW_KEY]


def test_the_myst_nb_plugin_writes_the_phone_variant_beside_the_figure():
    from docutils import nodes
    from myst_nb.core.render import MimeData

    from ttsbook import _figure_layout

    class Renderer:  # myst-nb's renderer, as far as the plugin uses it
        @staticmethod
        def render_image(data):
            return [nodes.image(uri=f"{len(data.content)}.svg")]

    plain = MimeData("image/svg+xml", "<svg/>", output_metadata={})
    assert _figure_layout.PhoneFigures.handle_mime(Renderer, plain, False) is None
    both = MimeData("image/svg+xml", "<svg/>", output_metadata={"image/svg+xml": {"ttsbook/narrow": "<svg />"}})
    wide, narrow = _figure_layout.PhoneFigures.handle_mime(Renderer, both, False)
    assert (wide["uri"], narrow["uri"]) == ("6.svg", "7.svg")
    assert narrow["classes"] == [_figure_layout.NARROW_CLASS] and not wide["classes"]


def test_phone_panels_are_named_by_their_place_on_a_wide_screen():
    from ttsbook._figure_layout import _place_name

    assert [_place_name((0, c, 1, c + 1), 1, 3) for c in range(3)] == ["left", "middle", "right"]
    assert _place_name((1, 0, 2, 1), 2, 2) == "bottom left" and _place_name((0, 1, 2, 2), 2, 2) == "right"
    assert _place_name((3, 1, 4, 2), 4, 2) == "row 4, right"
    fig, axes = plots.subplots(1, 2)
    axes[0].set_title("mean")
    svg = _figure_layout.narrow_svg(fig)
    assert "(left) mean" in svg and "(right)" in svg  # text is drawn as paths: the titles' text is kept in comments
    assert [ax.get_title() for ax in axes] == ["mean", ""]  # the desktop figure keeps its titles
    plt.close(fig)


def test_phone_panel_keeps_its_height_under_a_long_legend():
    """A legend moved below a panel on a phone makes the figure taller, not the panel lower."""
    fig, ax = plots.subplots()
    k = np.arange(21)
    for i in range(10):
        ax.plot(k, np.exp(-k * (i + 1) / 5), label=f"a curve with a long name {i}")
    ax.set_yscale("log")
    ax.legend(ncol=3)
    with warnings.catch_warnings():  # the legend collapses the panel until it has fewer columns
        warnings.filterwarnings("ignore", "constrained_layout not applied", UserWarning)
        assert _figure_layout.restack(fig)
        planned = _figure_layout._panel_heights(fig)
        _figure_layout._keep_panel_heights(fig)
        kept = _figure_layout._panel_heights(fig)
    assert kept[0] >= planned[0] - 0.06, (planned, kept)
    plt.close(fig)
