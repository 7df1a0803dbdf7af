"""The numbers the prose quotes reproduce: the book build's glued values against the committed ones.

``ttsbook.glue`` stores each number the prose quotes in the executed notebook. The book build
executes every chapter again, on this machine's CPU, and keeps the glued values in
``_build/jupyter_execute/book/NN.glue.json``; the committed ``book/*.ipynb`` hold the values the
book was published with. They are compared as
``pytest --nbval book/`` compares them (``book/conftest.py``): texts and integers equal, real
numbers within a relative tolerance that follows from what they measure. Without a built book
the comparison is skipped; ``make test`` builds it first and fails on a skip.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from by_path import load

ROOT = Path(__file__).resolve().parents[1]
BUILT = ROOT / "_build" / "jupyter_execute" / "book"
CHAPTERS = sorted(p.stem for p in (ROOT / "book").glob("*.ipynb"))


book = load(ROOT / "book" / "conftest.py", "book_conftest")  # how nbval compares glued values


def glued_in(path: Path) -> dict:
    """The glued values of a committed notebook (its glue records)."""
    return book.glued(out for cell in json.loads(path.read_text())["cells"] for out in cell.get("outputs", []))


def built_glue(chapter: str) -> dict:
    """The glued values of the book build, which myst-nb keeps beside the executed notebook in
    ``NN.glue.json`` (name → the record, its MIME prefix removed)."""
    records = json.loads((BUILT / f"{chapter}.glue.json").read_text())
    return {name: ast.literal_eval(rec["data"]["text/plain"]) for name, rec in records.items()}


@pytest.mark.skipif(not BUILT.is_dir(), reason="no built book (_build/jupyter_execute): run make book")
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_glued_values_reproduce(chapter):
    differ = book.differences(built_glue(chapter), glued_in(ROOT / "book" / f"{chapter}.ipynb"))
    assert not differ, (
        f"{len(differ)} glued values differ from the committed notebook (this build, committed; None: not "
        f"glued), beyond the tolerance of each (default {book.DEFAULT_RTOL:g} relative): {differ}"
    )


def test_tolerances_name_glued_values_and_give_reasons():
    names = set().union(*(glued_in(ROOT / "book" / f"{c}.ipynb") for c in CHAPTERS))
    for name, (rtol, why) in book.TOLERANCES.items():
        assert name in names, f"{name!r} is glued by no chapter"
        assert book.DEFAULT_RTOL < rtol < 1 and len(why) > 20, name


def test_a_moved_value_is_caught():
    assert book.agree("x", 0.123457, 0.123456) and book.agree("x", 3, 3) and book.agree("x", "1 %", "1 %")
    assert not book.agree("x", 0.1235, 0.1234) and not book.agree("x", 4, 3) and not book.agree("x", "2 %", "1 %")
    assert not book.agree("x", "0.1", 0.1)
    assert book.differences({"a": 1.0}, {"a": 1.0, "b": 2}) == {"b": (None, 2)}
