"""Determinism: a fresh run of every chapter must print what the committed notebook printed.

The check itself is nbval's: ``make test`` runs each chapter's ``.ipynb`` in a fresh kernel
(``tests/colab.py``, alone in a fresh environment) and nbval compares every printed output with
the committed one, after ``tests/sanitize.cfg`` has replaced what varies by run (progress bars,
timings, addresses). That comparison only means something when there is something to compare
and nothing switches it off, which these tests check on the committed notebooks:

- every chapter's notebook prints results (stdout or a text/plain result), all of them produced
  by the same executed run (execution counts 1, 2, 3, … in order);
- no cell tells nbval to skip it or to ignore its output.

``tests/test_sanitize.py`` checks that the sanitisers leave printed numbers to be compared.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "book").glob("[0-9]*.ipynb"))
SWITCHES = {"nbval-skip", "nbval-ignore-output", "nbval-check-output", "nbval-raise"}


def printed(nb: nbformat.NotebookNode) -> list[str]:
    """The text of every stdout stream and text/plain result or display, in order."""
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if o.output_type == "stream" and o.name == "stdout":
                out.append(o.text)
            elif o.output_type in ("execute_result", "display_data") and "text/plain" in o.get("data", {}):
                out.append(o.data["text/plain"])
    return out


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_gives_nbval_numbers_to_compare(path):
    nb = nbformat.read(path, as_version=4)
    assert printed(nb), f"{path.name} prints nothing: a fresh run has nothing to be compared with"
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts} are not one run from a fresh kernel: run `make notebooks`"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_nothing_switches_the_comparison_off(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [(i, sorted(SWITCHES & set(c.metadata.get("tags", [])))) for i, c in enumerate(nb.cells)]
    tagged = [t for t in tagged if t[1]]
    marked = [
        (i, c.source.splitlines()[0])
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and c.source.lstrip().upper().startswith("# NBVAL_")
    ]
    assert not tagged and not marked, f"{path.name}: cells exempt from nbval: {tagged + marked}"
