"""Determinism: a chapter that trains a model, run twice in fresh kernels, prints the same numbers.

Each run executes the chapter's MyST source with jupytext + nbclient in a new Jupyter kernel (so nothing
is shared between the runs but the files) and collects what the reader sees as text: stdout and
the text/plain of results and displays. Progress bars go to stderr and are left out; the
convention is that nothing else printed may vary by run.

``CHAPTERS`` lists the sources to check (paths relative to the repository root); the
environment variable ``TTSBOOK_DETERMINISM_CHAPTERS`` (colon-separated paths) overrides it.
"""

from __future__ import annotations

import os
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ["book/02_training.md"]  # trains three LSA models
if os.environ.get("TTSBOOK_DETERMINISM_CHAPTERS"):
    CHAPTERS = os.environ["TTSBOOK_DETERMINISM_CHAPTERS"].split(":")


def printed_outputs(nb: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """(cell index, text) of every stdout stream and text/plain result or display, in order."""
    out = []
    for idx, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for o in cell.get("outputs", []):
            if o.output_type == "stream" and o.name == "stdout":
                out.append((idx, o.text))
            elif o.output_type in ("execute_result", "display_data") and "text/plain" in o.get("data", {}):
                out.append((idx, o.data["text/plain"]))
            elif o.output_type == "error":
                out.append((idx, f"{o.ename}: {o.evalue}"))
    return out


def execute(path: Path, timeout: int = 600) -> nbformat.NotebookNode:
    """Run the notebook in a fresh python3 kernel, in the notebook's own folder."""
    nb = jupytext.read(path)
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if str(ROOT) not in paths:  # the kernel imports this checkout's ttsbook
        os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), *paths])
    client = NotebookClient(nb, kernel_name="python3", timeout=timeout,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return nb


def first_difference(a: list[tuple[int, str]], b: list[tuple[int, str]]) -> str | None:
    for (ia, ta), (ib, tb) in zip(a, b):
        if (ia, ta) != (ib, tb):
            return f"cell {ia}: {ta!r}\n  vs cell {ib}: {tb!r}"
    if len(a) != len(b):
        return f"{len(a)} printed outputs vs {len(b)}"
    return None


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_prints_the_same_numbers_in_two_fresh_kernels(chapter):
    path = ROOT / chapter
    first = printed_outputs(execute(path))
    second = printed_outputs(execute(path))
    assert first, f"{chapter} printed nothing: there is nothing to compare"
    diff = first_difference(first, second)
    assert diff is None, f"{chapter} printed different outputs in two runs:\n  {diff}"


def test_a_changed_number_is_detected():
    """The comparison sees a change in the last printed digit, and ignores stderr (progress bars)."""
    def notebook(number: str, bar: str) -> nbformat.NotebookNode:
        nb = nbformat.v4.new_notebook()
        cell = nbformat.v4.new_code_cell("print(x)")
        cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text=bar),
                        nbformat.v4.new_output("stream", name="stdout", text=f"error {number}\n")]
        nb.cells.append(cell)
        return nb

    same = printed_outputs(notebook("0.1234567891", "10%|#  | 1/10 [00:01<00:09]"))
    assert first_difference(same, printed_outputs(notebook("0.1234567891", "100%|###| 10/10"))) is None
    assert first_difference(same, printed_outputs(notebook("0.1234567892", "10%|#  | 1/10"))) is not None
