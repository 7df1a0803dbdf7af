"""The whole book as one PDF (``make pdf``, ``book/_ext/book_pdf.py``): every page of the table
of contents in its order, each with its own bookmark, the chapters with their figures and their
formulas, and a page count in the range a book of this length prints to.

Environment: ``BOOK_PDF`` (default ``_build/pdf/ttsbook.pdf``) and ``BOOK_HTML`` (default
``_build/html``, for the pages' titles). Without the PDF every test here is skipped with the
command that makes it; ``make test`` makes it and fails on a skip.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PDF = Path(os.environ.get("BOOK_PDF", ROOT / "_build" / "pdf" / "ttsbook.pdf")).resolve()
HTML = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html")).resolve()
SUFFIX = " — Training data and test-time scaling"
PAGES_PER_CHAPTER = (3, 60)  # A4 pages a chapter prints to, at least and at most
PAGES_IN_ALL = (40, 600)

pytestmark = pytest.mark.skipif(not PDF.exists(), reason=f"no PDF at {PDF}: run `make pdf`")


def toc_docnames() -> list[str]:
    import importlib.util

    spec = importlib.util.spec_from_file_location("book_pdf", ROOT / "book" / "_ext" / "book_pdf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.toc_pages(yaml.safe_load((ROOT / "_toc.yml").read_text()))


def html_title(docname: str) -> str:
    text = (HTML / f"{docname}.html").read_text()
    title = html.unescape(re.search(r"<title>(.*?)</title>", text, re.S).group(1)).strip()
    return title.removesuffix(SUFFIX)


@pytest.fixture(scope="module")
def book():
    from pypdf import PdfReader

    reader = PdfReader(PDF)
    marks = [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]
    ends = [start for _, start in marks[1:]] + [len(reader.pages)]
    return {"reader": reader, "parts": [(title, start, end) for (title, start), end in zip(marks, ends, strict=False)]}


def test_every_page_of_the_book_in_order(book):
    """One bookmark per page of ``_toc.yml``, in its order, titled as the page."""
    docnames = toc_docnames()
    titles = [title for title, _, _ in book["parts"]]
    assert titles == [html_title(d) for d in docnames]
    starts = [start for _, start, _ in book["parts"]]
    assert starts[0] == 0 and all(a < b for a, b in zip(starts, starts[1:], strict=False)), starts


def test_page_count(book):
    n = len(book["reader"].pages)
    assert PAGES_IN_ALL[0] <= n <= PAGES_IN_ALL[1], f"{n} pages"
    chapters = [
        (t, end - start)
        for (t, start, end), d in zip(book["parts"], toc_docnames(), strict=False)
        if re.match(r"book/\d\d_", d)
    ]
    assert len(chapters) == len([d for d in toc_docnames() if re.match(r"book/\d\d_", d)])
    short = [(t, n) for t, n in chapters if not PAGES_PER_CHAPTER[0] <= n <= PAGES_PER_CHAPTER[1]]
    assert not short, f"chapters of an unexpected length (pages): {short}"


@pytest.mark.parametrize("number", range(1, 10))
def test_chapter_has_its_figures_and_formulas(book, number):
    """Chapter N's pages hold its figure captions (``Fig. N.1``) and MathJax's typeset formulas
    (its fonts), not raw TeX."""
    docname = next(d for d in toc_docnames() if d.startswith(f"book/{number:02d}_"))
    index = toc_docnames().index(docname)
    _, start, end = book["parts"][index]
    pages = book["reader"].pages[start:end]
    text = "\n".join(p.extract_text() for p in pages)
    assert f"Fig. {number}.1" in text, f"chapter {number}: no figure caption in its pages"
    fonts = set()
    for p in pages:
        for font in (p.get("/Resources") or {}).get("/Font", {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            name = descriptor.get_object().get("/FontName") if descriptor else font.get("/BaseFont")
            fonts.add(str(name))
    # Chromium embeds MathJax's web fonts (as Type 3 fonts named MathJax_Main-Regular, …)
    assert any("MathJax" in f for f in fonts), f"chapter {number}: no MathJax font among {sorted(fonts)}"
    assert "\\frac" not in text and "$$" not in text, f"chapter {number}: raw TeX in the PDF"
