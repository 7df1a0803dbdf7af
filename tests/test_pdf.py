"""The whole book as one PDF (``make pdf``, ``tools/book_pdf.py``), a book to study from: a title
page (the book's title, the paper, the verdicts counted from the chapters' claims, the date of the
build), then every page of the table of contents in its order, each with its own bookmark and a
bookmark for each of its sections under it; the exercises' solutions printed open; no "Show code
cell" label and no in-page contents list; every figure on the page of its caption; the chapters
with their figures and their formulas; the links between pages links inside the PDF; and a page
count in the range a book of this length prints to.

Environment: ``BOOK_PDF`` (default ``_build/pdf/ttsbook.pdf``) and ``BOOK_HTML`` (default
``_build/html``, the built book the PDF was printed from: its titles, headings, solutions and
figures). Without the PDF every test here is skipped with the command that makes it; ``make test``
makes it and fails on a skip.
"""

from __future__ import annotations

import datetime
import html
import os
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

import by_path

ROOT = Path(__file__).resolve().parents[1]
PDF = Path(os.environ.get("BOOK_PDF", ROOT / "_build" / "pdf" / "ttsbook.pdf")).resolve()
HTML = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html")).resolve()
SUFFIX = " — Training data and test-time scaling"
PAGES_PER_CHAPTER = (3, 60)  # A4 pages a chapter prints to, at least and at most
PAGES_IN_ALL = (40, 600)
CHAPTER = re.compile(r"^book/\d\d_")
# The labels of collapsed cells and toggles in the HTML, which a printed page must not show.
TOGGLE_LABELS = re.compile(r"(Show|Hide) code cell (source|content|outputs?)|Click to (show|hide)", re.I)
VERDICT = re.compile(r"(\d+)\W*(reproduced in a stated regime|not reproduced|reproduced)")

pytestmark = pytest.mark.skipif(not PDF.exists(), reason=f"no PDF at {PDF}: run `make pdf`")


def book_pdf():
    return by_path.load(ROOT / "tools" / "book_pdf.py")


def toc_docnames() -> list[str]:
    return book_pdf().toc_pages(yaml.safe_load((ROOT / "_toc.yml").read_text()))


def html_page(docname: str) -> str:
    return (HTML / f"{docname}.html").read_text()


def html_title(docname: str) -> str:
    title = html.unescape(re.search(r"<title>(.*?)</title>", html_page(docname), re.S).group(1)).strip()
    return title.removesuffix(SUFFIX)


def squash(text: str) -> str:
    """Text to compare with the PDF's: compatibility forms (the ligature ﬁ as fi), no white space."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def letters(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", unicodedata.normalize("NFKC", text).lower())


def text_runs(fragment: str) -> list[str]:
    """The runs of text of an HTML fragment between its formulas (MathJax's, which the PDF's
    text leaves out or spells its own way), tags removed."""
    marked = re.sub(r'<(span|div) class="math[^"]*">.*?</\1>', "\x00", fragment, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", "", marked))
    return [re.sub(r"\s+", " ", run).strip() for run in text.split("\x00")]


def article(docname: str) -> str:
    page = html_page(docname)
    return page[page.index('<article class="bd-article">') : page.index("</article>")]


def is_subsequence(short: str, long: str) -> bool:
    rest = iter(long)
    return all(c in rest for c in short)


@pytest.fixture(scope="module")
def book():
    """The PDF's pages, their text, and its bookmarks: per page of the book its title, first
    page, end and sections (title, page)."""
    from pypdf import PdfReader

    reader = PdfReader(PDF)
    marks, current = [], None
    for item in reader.outline:
        if isinstance(item, list):
            assert current is not None, "a list of bookmarks before any page's bookmark"
            current[2].extend(
                (child.title, reader.get_destination_page_number(child))
                for child in item
                if not isinstance(child, list)
            )
        else:
            current = (item.title, reader.get_destination_page_number(item), [])
            marks.append(current)
    ends = [start for _, start, _ in marks[1:]] + [len(reader.pages)]
    parts = [(title, start, end, children) for (title, start, children), end in zip(marks, ends, strict=True)]
    texts = [p.extract_text() for p in reader.pages]
    return {"reader": reader, "parts": parts, "texts": texts}


def part(book, docname: str):
    return book["parts"][toc_docnames().index(docname)]


def test_every_page_of_the_book_in_order(book):
    """One bookmark per page of ``_toc.yml``, in its order, titled as the page, after the title
    page."""
    docnames = toc_docnames()
    titles = [title for title, _, _, _ in book["parts"]]
    assert titles == [html_title(d) for d in docnames]
    starts = [start for _, start, _, _ in book["parts"]]
    assert starts[0] == 1 and all(a < b for a, b in zip(starts, starts[1:], strict=False)), starts


def test_page_count(book):
    n = len(book["reader"].pages)
    assert PAGES_IN_ALL[0] <= n <= PAGES_IN_ALL[1], f"{n} pages"
    chapters = [
        (t, end - start)
        for (t, start, end, _), d in zip(book["parts"], toc_docnames(), strict=True)
        if CHAPTER.match(d)
    ]
    assert len(chapters) == len([d for d in toc_docnames() if CHAPTER.match(d)])
    short = [(t, n) for t, n in chapters if not PAGES_PER_CHAPTER[0] <= n <= PAGES_PER_CHAPTER[1]]
    assert not short, f"chapters of an unexpected length (pages): {short}"


@pytest.mark.parametrize("number", range(1, 10))
def test_chapter_has_its_figures_and_formulas(book, number):
    """Chapter N's pages hold its figure captions (``Fig. N.1``) and MathJax's typeset formulas
    (its fonts), not raw TeX."""
    docname = next(d for d in toc_docnames() if d.startswith(f"book/{number:02d}_"))
    _, start, end, _ = part(book, docname)
    pages = book["reader"].pages[start:end]
    text = "\n".join(book["texts"][start:end])
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


def test_title_page(book):
    """Page 1 is the title page: the book's title, the paper (title and authors, as the
    bibliography has them), the verdicts as the chapters' claims count them and as the claims
    page of the PDF prints them, and the date of the build (the PDF's creation date)."""
    from ttsbook import claims

    text = re.sub(r"\s+", " ", book["texts"][0])
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["title"] in text
    paper = book_pdf().bib_entry(book_pdf().PAPER)
    assert paper["title"] in text, f"the paper's title is not on the title page: {text!r}"
    for author in paper["author"].split(" and "):
        assert author.split(",")[0] in text, f"{author} is not on the title page"

    found = claims.collect([ROOT / f"{d}.md" for d in toc_docnames() if CHAPTER.match(d)])
    expected = claims.counts(found)
    total = re.search(r"(\d+) claims tested", text)
    assert total and int(total.group(1)) == len(found), (total and total.group(0), len(found))
    printed = {verdict: int(n) for n, verdict in VERDICT.findall(text[total.end() :])[:3]}
    assert printed == expected, f"title page {printed}, the chapters' claims {expected}"
    split = re.search(r"Of them, (\d+) are claims of the paper \((.*?)\) and (\d+) the book’s own extensions", text)
    assert split, text
    paper_claims = [c for c in found if c.kind == "paper"]
    assert int(split.group(1)) == len(paper_claims) and int(split.group(3)) == len(found) - len(paper_claims)
    assert {v: int(n) for n, v in VERDICT.findall(split.group(2))} == claims.counts(paper_claims)

    _, start, _, _ = part(book, "book/claims")
    claims_page = re.sub(r"\s+", " ", book["texts"][start])
    tally = re.search(r"(\d+) claims tested:(.*?)\.", claims_page)
    assert tally, f"no count of the claims on the claims page: {claims_page[:400]!r}"
    assert int(tally.group(1)) == len(found)
    assert {v: int(n) for n, v in VERDICT.findall(tally.group(2))} == expected

    built = re.search(r"Built on (\d{1,2} \w+ \d{4})", text)
    assert built, f"no date of the build on the title page: {text!r}"
    created = book["reader"].metadata["/CreationDate"]
    assert datetime.datetime.strptime(built.group(1), "%d %B %Y").strftime("D:%Y%m%d") == created[:10], (
        built.group(1),
        created,
    )
    assert not VERDICT.search(" ".join(book["texts"][0].split()[:4])), "counts before the title"


def solutions(docname: str) -> list[str]:
    """The longest run of text (between formulas) of each solution of the page's exercises."""
    out = []
    for block in re.findall(r'<details class="[^"]*sd-dropdown[^"]*">(.*?)</details>', article(docname), re.S):
        title = re.search(r'<span class="sd-summary-text">(.*?)</span>', block, re.S)
        if title and title.group(1).strip() == "Solution":
            body = block[block.index("sd-summary-content") :]
            out.append(max(text_runs(body[body.index(">") + 1 :]), key=len))
    return out


def test_solutions_printed_open(book):
    """Every exercise solution (a collapsed dropdown in the HTML) is printed: most stretches of
    five words of its text are in the pages of its chapter (a page break, or the order in which
    the PDF holds a page's text, may part the others)."""
    checked, missing = 0, []
    for docname in toc_docnames():
        _, start, end, _ = part(book, docname)
        pages = squash("".join(book["texts"][start:end]))
        for run in solutions(docname):
            words = run.split()
            assert len(words) >= 3, f"{docname}: a solution with too little text to find: {run!r}"
            stretches = [" ".join(words[i : i + 5]) for i in range(0, max(1, len(words) - 4), 2)]
            checked += 1
            if sum(squash(s) in pages for s in stretches) < len(stretches) / 2:
                missing.append((docname, run))
    assert checked >= 20, f"only {checked} solutions found in the HTML"
    assert not missing, f"solutions not printed: {missing}"


def test_no_toggle_labels(book):
    """No "Show code cell source" (or content, output) and no "Click to show": the hidden cells
    are left out of the print, and the dropdowns are open, without their labels."""
    assert sum(len(TOGGLE_LABELS.findall(html_page(d))) for d in toc_docnames()) > 0, "no label in the HTML"
    found = [
        (i + 1, m.group(0)) for i, t in enumerate(book["texts"]) for m in TOGGLE_LABELS.finditer(" ".join(t.split()))
    ]
    assert not found, f"{len(found)} toggle labels printed, (page, label): {found[:10]}"


def test_no_contents_list(book):
    """No page starts with an in-page contents list (the bookmarks list the sections)."""
    lists = [i + 1 for i, t in enumerate(book["texts"]) if "Contents" in [line.strip() for line in t.splitlines()]]
    assert not lists, f"an in-page contents list on pages {lists}"


def test_sections_have_bookmarks(book):
    """Under each page's bookmark, one bookmark per section (h2) of the page, in order, titled as
    the section (its formulas as characters) and leading to the page that starts the section."""
    for docname in toc_docnames():
        title, start, end, children = part(book, docname)
        headings = [text_runs(h) for h in re.findall(r"<h2>(.*?)<a class=\"headerlink\"", article(docname), re.S)]
        assert len(children) == len(headings), (title, [t for t, _ in children], headings)
        pages = [p for _, p in children]
        assert pages == sorted(pages) and all(start <= p < end for p in pages), (title, pages, start, end)
        for (mark, page), runs in zip(children, headings, strict=True):
            plain = " ".join(r for r in runs if r)
            assert is_subsequence(letters(plain), letters(mark)), (mark, plain)
            number = re.match(r"[\d.]+\s", plain)
            if number:
                assert mark.startswith(number.group(0)), (mark, plain)
            assert squash(runs[0]) in squash(book["texts"][page]), f"{mark!r} is not on page {page + 1}"
    chapters = [children for d in toc_docnames() if CHAPTER.match(d) for *_, children in [part(book, d)]]
    assert all(len(c) >= 2 for c in chapters), [len(c) for c in chapters]


def figures(docname: str) -> list[tuple[str, str, str]]:
    """Each figure of the page: its number (``Fig. 3.1``), its image file and the start of its
    caption's text (up to the first formula)."""
    out = []
    for body in re.findall(r"<figure[^>]*>(.*?)</figure>", article(docname), re.S):
        number = re.search(r'<span class="caption-number">(.*?)</span>', body, re.S)
        image = re.search(r'<img [^>]*src="([^"]+)"', body)
        caption = re.search(r'<span class="caption-text">(.*?)</span><a class="headerlink"', body, re.S)
        assert number and image and caption, body[:300]
        out.append((number.group(1).strip(), Path(image.group(1)).name, text_runs(caption.group(1))[0]))
    return out


def text_heights(page, needle: str) -> list[float]:
    """Heights (PDF units from the foot of the page) of the text pieces of a page that hold
    ``needle``."""
    found = []

    def visit(text, cm, tm, font, size):
        if needle in text:
            found.append(cm[1] * tm[4] + cm[3] * tm[5] + cm[5])

    page.extract_text(visitor_text=visit)
    return found


def test_figures_on_the_page_of_their_caption(book):
    """Every figure is drawn on the page that holds its caption, above it: the page whose text
    holds "Fig. N.M" and the caption's first words carries the figure (the link Chromium writes
    around its image, to that image's file), and the caption's number sits below it."""
    reader, checked, apart = book["reader"], 0, []
    for docname in toc_docnames():
        _, start, end, _ = part(book, docname)
        for number, image, words in figures(docname):
            key = squash(f"{number} {words}")[:24]
            pages = [i for i in range(start, end) if key in squash(book["texts"][i])]
            assert len(pages) == 1, f"{number} ({docname}): its caption {key!r} on pages {pages}"
            (page,) = pages
            links = [
                [float(x) for x in a.get_object()["/Rect"]]
                for a in reader.pages[page].get("/Annots") or []
                if str((a.get_object().get("/A") or {}).get("/URI", "")).endswith(image)
            ]
            captions = text_heights(reader.pages[page], number)
            if not links or not any(y < min(r[1], r[3]) for r in links for y in captions):
                apart.append((number, page + 1, links, captions))
            checked += 1
    assert checked >= 30, f"only {checked} figures found in the HTML"
    assert not apart, f"figures not on their caption's page, above it (figure, page, image, caption): {apart}"


def test_links_inside_the_book(book):
    """The links of the printed pages lead into the PDF (named destinations that exist), or to
    files of the built site relative to it, never to the server the pages were printed from."""
    reader = book["reader"]
    names = set(reader.named_destinations)
    to_server, dangling, inside = [], [], 0
    for i, p in enumerate(reader.pages):
        for a in p.get("/Annots") or []:
            a = a.get_object()
            uri = str((a.get("/A") or {}).get("/URI", ""))
            if re.match(r"https?://(127\.0\.0\.1|localhost)", uri):
                to_server.append((i + 1, uri))
            dest = a.get("/Dest")
            if isinstance(dest, str):
                inside += 1
                if dest not in names:
                    dangling.append((i + 1, dest))
    assert not to_server, f"links to the print server: {to_server[:5]}"
    assert not dangling, f"links to no destination: {dangling[:5]}"
    assert inside >= 100, f"only {inside} links inside the PDF"


def test_wide_tables_are_set_to_fit_the_page():
    """A table wider than the printed column is set smaller until it fits (``OPEN``); what still does
    not fit is reported (``CUT``) and stops ``make pdf``."""
    from playwright.sync_api import sync_playwright

    cells = "".join(f"<td>held-out, refit {i}: 2.74 × 10⁶</td>" for i in range(12))
    page_html = (
        '<html><body style="width: 600px"><article class="bd-article"><div class="cell_output">'
        f'<table style="display: block; overflow-x: auto; white-space: nowrap"><tr>{cells}</tr></table>'
        "</div></article></body></html>"
    )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=book_pdf().CHROMIUM, args=book_pdf().ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 700, "height": 900})
            page.set_content(page_html)
            before = page.evaluate(book_pdf().CUT)
            page.evaluate(book_pdf().OPEN)
            after = page.evaluate(book_pdf().CUT)
        finally:
            browser.close()
    assert len(before) == 1 and before[0].startswith("table: held-out"), before
    assert after == [], after
