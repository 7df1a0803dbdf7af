"""A chapter's visible code is the idea: no code cell a reader sees is over 20 non-blank lines, and
no hidden one (input collapsed or removed) over 40. What is longer is bookkeeping that belongs in
the package, or two ideas that belong in two cells."""

from __future__ import annotations

from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.md")) + [ROOT / "book" / "intro.md"]
HIDDEN = {"hide-input", "hide-cell", "remove-input", "remove-cell"}
LIMITS = {"visible": 20, "hidden": 40}


def oversized(path: Path) -> list[str]:
    """The code cells of a MyST chapter over their limit, as 'kind cell N: lines'."""
    found = []
    for i, cell in enumerate(c for c in jupytext.read(path).cells if c.cell_type == "code"):
        kind = "hidden" if HIDDEN & set(cell.metadata.get("tags", [])) else "visible"
        lines = sum(1 for line in cell.source.splitlines() if line.strip())
        if lines > LIMITS[kind]:
            found.append(f"{kind} cell {i + 1}: {lines} lines, starting {cell.source.lstrip()[:50]!r}")
    return found


def test_the_check_finds_a_long_cell(tmp_path):
    body = "\n".join(f"x{i} = {i}" for i in range(21))
    hidden = "\n".join(f"y{i} = {i}" for i in range(41))
    path = tmp_path / "01_x.md"
    path.write_text(
        "---\njupytext:\n  text_representation: {extension: .md, format_name: myst}\n"
        "kernelspec: {display_name: Python 3, language: python, name: python3}\n---\n\n"
        f"```{{code-cell}} ipython3\n{body}\n```\n\n```{{code-cell}} ipython3\n:tags: [hide-input]\n\n{hidden}\n```\n\n"
        "```{code-cell} ipython3\n:tags: [remove-input]\n\nz = 1\n```\n"
    )
    found = oversized(path)
    assert [f.split(":")[0] for f in found] == ["visible cell 1", "hidden cell 2"], found


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_code_cells_are_short(path):
    assert not oversized(path), f"{path.name}: cells over {LIMITS} non-blank lines: {oversized(path)}"
