"""Determinism: a fresh run of every chapter must print what the committed notebook printed.

The check itself is nbval's: ``make test`` runs each chapter's ``.ipynb`` in a fresh kernel
(``tools/colab.py``, alone in a fresh environment) and nbval compares every printed output with
the committed one, after ``tests/sanitize.cfg`` has replaced what varies by run (progress bars,
timings, addresses). That comparison only means something when there is something to compare
and nothing switches it off, which these tests check on the committed notebooks:

- every chapter of ``_toc.yml`` has its committed notebook, and no other notebook is numbered as
  a chapter;
- every chapter's notebook prints numbers that are still there once nbval's own sanitisers have
  replaced what varies by run (read from ``tests/sanitize.cfg`` with nbval's parser), all of them
  produced by the same executed run (execution counts 1, 2, 3, … in order);
- no cell tells nbval to skip it or to ignore its output.

``tests/test_sanitize.py`` checks that the sanitisers leave printed numbers to be compared.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import yaml
from nbval.plugin import get_sanitize_patterns

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "book").glob("[0-9]*.ipynb"))
SWITCHES = {"nbval-skip", "nbval-ignore-output", "nbval-check-output", "nbval-raise"}
SANITIZE = get_sanitize_patterns((ROOT / "tests" / "sanitize.cfg").read_text())
NUMBER = re.compile(r"(?<![\w.])[-+−]?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?")


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


def sanitized(text: str) -> str:
    """``text`` as nbval compares it: every sanitiser of tests/sanitize.cfg applied in order."""
    for regex, replace in SANITIZE:
        text = re.sub(regex, replace, text)
    return text


def toc_chapters() -> list[str]:
    """The numbered chapters of _toc.yml (``book/NN_name``), in the order of the book."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    return [f for f in files if re.fullmatch(r"book/\d+_\w+", f)]


def test_the_notebooks_are_the_chapters_of_the_toc():
    chapters = toc_chapters()
    assert len(chapters) >= 2, chapters
    notebooks = [str(p.relative_to(ROOT).with_suffix("")) for p in NOTEBOOKS]
    assert notebooks == sorted(chapters), (
        f"chapters without a notebook: {sorted(set(chapters) - set(notebooks))}; "
        f"notebooks of no chapter: {sorted(set(notebooks) - set(chapters))}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_gives_nbval_numbers_to_compare(path):
    nb = nbformat.read(path, as_version=4)
    numbers = [n for text in printed(nb) for n in NUMBER.findall(sanitized(text))]
    assert numbers, f"{path.name} prints no number nbval compares (after its sanitisers): a fresh run is not checked"
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


def test_the_number_check_sees_through_the_sanitisers():
    """A chapter that prints only what varies by run gives nbval no number to compare."""
    varies = "train: 100%|##########| 601/601 [00:05<00:00, 110.23it/s]\ndone in 3.21 s wall\n<svg>1 2</svg>"
    assert not NUMBER.findall(sanitized(varies))
    assert NUMBER.findall(sanitized(varies + "relative error 0.018 after 600 steps")) == ["0.018", "600"]
