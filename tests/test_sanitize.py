"""The nbval sanitisers in tests/sanitize.cfg replace only what varies by run.

Progress bars, wall-clock timings, the kernel's process id in warning locations, memory
addresses and the text of SVG figures (coordinates printed to six decimals, which round-off
in the simulations can move; nbval does not compare bitmaps either) are replaced; a printed result (numbers,
percentages, arrays, figure sizes) passes through unchanged, so nbval compares it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from nbval.plugin import get_sanitize_patterns

CFG = Path(__file__).with_name("sanitize.cfg")
PATTERNS = get_sanitize_patterns(CFG.read_text())


def sanitize(text: str) -> str:
    for regex, replace in PATTERNS:
        text = re.sub(regex, replace, text)
    return text


def test_config_is_read():
    assert len(PATTERNS) == 7, PATTERNS


@pytest.mark.parametrize(
    "varies, expected",
    [
        ("LSA d=10 n=20: 100%|##########| 601/601 [00:05<00:00, 110.23it/s]\n", "PROGRESS-BAR\n"),
        ("LSA d=10 n=20:  37%|███▋      | 222/601 [00:02<00:04, 91.2it/s]", "PROGRESS-BAR"),
        ("rollouts: 1234it [00:03, 411.07it/s]\n", "PROGRESS-BAR\n"),
        ("done in 3.21 s wall\n", "done in TIME\n"),
        ("<Foo object at 0x7f3a2c1b9e50>", "<Foo object at 0xADDRESS>"),
        # a warning raised in a cell names the kernel's process id in its location
        (
            "/tmp/ipykernel_12635/2488540779.py:4: UserWarning: large step\n",
            "/tmp/ipykernel_PID/CELL.py:4: UserWarning: large step\n",
        ),
        # pandas' Styler draws a random id for every table it renders
        (
            '<style type="text/css">\n#T_f2a53_row0_col1 {\n}\n</style>\n<table id="T_f2a53">',
            '<style type="text/css">\n#T_STYLER_row0_col1 {\n}\n</style>\n<table id="T_STYLER">',
        ),
    ],
)
def test_what_varies_by_run_is_replaced(varies, expected):
    assert sanitize(varies) == expected


@pytest.mark.parametrize(
    "printed",
    [
        "relative error 0.01834 after 600 steps\n",
        "accuracy 97.5% of prompts, best k = 7\n",
        "errors [0.5, 0.25, 0.125]\n",
        "array([1.        , 0.5       , 0.33333333])",
        "<Figure size 640x400 with 1 Axes>",
        "trained for 12 s of simulated time, 3 ms per step (theory)\n",
        "k | error\n3 | 0.41\n",
    ],
)
def test_printed_results_pass_through(printed):
    assert sanitize(printed) == printed


def test_svg_figures_are_replaced_whole():
    """A matplotlib SVG (XML declaration, doctype and all) becomes one placeholder."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0.1234567, 0.7654321])
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    assert sanitize(buf.getvalue()) == "SVG-FIGURE"
    assert sanitize("before " + buf.getvalue() + "after") == "before SVG-FIGUREafter"


def test_linear_time_on_long_lines():
    """Every rule runs in time linear in a line's length.

    An interactive figure's HTML holds its data on one line of hundreds of kB, and nbval sanitises
    every output of both the fresh and the committed notebook. A rule that can start a match
    anywhere in a line (``[^\\n]*…`` without ``^``) rescans the rest of the line from every
    position: about 10⁸ steps at 20 kB, 10¹⁰ at 200 kB: minutes per chapter.
    """
    import time

    line = "x1 " * 7_000 + "\n"  # 21 kB on one line, no progress bar in it
    start = time.perf_counter()
    assert sanitize(line) == line
    assert time.perf_counter() - start < 0.5
