"""nbval still catches a change: a chapter whose seed is shifted fails it, the chapter as committed passes.

The printed numbers carry only the digits they keep across CPUs (and the glued ones are compared
as numbers, tests/test_glued_values.py), so the check could have lost its teeth. Here chapter 1
is copied with ``book/conftest.py`` (what ``pytest --nbval book/`` loads) into a fresh folder and
run under nbval twice: as committed, it passes; with every seed of its cell of changeable numbers
shifted by one (as ``benchmarks/variants.py`` shifts them), cells fail with differing outputs.
``python tools/cross_cpu.py --shift-seed 1`` runs the same check on every chapter.
"""

from __future__ import annotations

from pathlib import Path

from by_path import load
from cross_cpu import nbval_alone, shifted_copy

ROOT = Path(__file__).resolve().parents[1]


def test_shifted_seed_fails_nbval_and_the_committed_chapter_passes(tmp_path):
    chapter = ROOT / "book" / "01_setup.ipynb"
    same = nbval_alone(shifted_copy(chapter, tmp_path / "same", 0))
    assert same.returncode == 0, f"chapter 1 as committed must pass nbval:\n{same.stdout[-3000:]}"
    moved = nbval_alone(shifted_copy(chapter, tmp_path / "moved", 1))
    assert moved.returncode == 1, f"a shifted seed must fail nbval:\n{moved.stdout[-3000:]}"
    assert "Cell outputs differ" in moved.stdout and "execution caused an exception" not in moved.stdout


def test_the_shift_reaches_the_seed():
    import nbformat

    nb = nbformat.read(ROOT / "book" / "01_setup.ipynb", as_version=4)
    variants = load(ROOT / "benchmarks" / "variants.py")
    cell = nb.cells[variants._cell_index(nb)].source
    shifted = variants.rewrite_cell(nb, 1)
    assert "seed = 0" in cell and "seed = (0) + 1" in shifted, shifted
