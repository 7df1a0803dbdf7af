"""One PDF of the whole book, printed from the built HTML by headless Chromium.

Run by ``make pdf``: every page of ``_toc.yml``, in its order, is opened in the built book
(``_build/html``, served on 127.0.0.1), its formulas typeset by MathJax and its figures loaded,
and printed as the browser prints it (the theme's print style: no sidebars, no buttons) with a
print style of its own added here (``PRINT_CSS``): the exercise solutions and the other dropdowns
printed open, hidden code cells left out without their "Show code cell" labels, a figure never
parted from its caption, no in-page contents list (the bookmarks take its place), and a display
equation wider than the column set smaller until it fits. A title page comes first: the book's
title, the paper it reproduces (from ``book/references.bib``), the verdicts counted from the
chapters' claims (``ttsbook.claims``) and the date of the build. The pages are joined into one
file with a bookmark per page and, under it, one per section (from Chromium's outline of the
page's headings), the links between pages made links inside the PDF, and written to
``_build/pdf/ttsbook.pdf`` and copied next to the HTML (``_build/html/ttsbook.pdf``), where the
introduction links it. Uses the Chromium and Playwright of the browser test (``CHROMIUM``,
default ``/usr/bin/chromium``).

    python tools/book_pdf.py [--html _build/html] [--out _build/pdf/ttsbook.pdf] [--toc _toc.yml]
"""

from __future__ import annotations

import argparse
import datetime
import functools
import html as htmllib
import http.server
import io
import os
import re
import shutil
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SUFFIX = " — Training data and test-time scaling"
PAPER = "javanmard2026training"  # the key of the reproduced paper in book/references.bib
CHAPTER = re.compile(r"^book/\d+_[\w-]+$")  # the numbered chapters, which state the claims
MARGIN = {"top": "15mm", "bottom": "15mm", "left": "14mm", "right": "14mm"}
# The column an A4 page leaves between those margins, in CSS pixels (96 per inch): the width at
# which the page is laid out before printing, to measure what does not fit.
COLUMN_PX = round((210 - 14 - 14) / 25.4 * 96)

WAIT = """async () => {
  const t0 = Date.now();
  while (window.MathJax && !(MathJax.startup && MathJax.startup.promise)) {
    if (Date.now() - t0 > 20000) throw new Error('MathJax never started');
    await new Promise(r => setTimeout(r, 50));
  }
  if (window.MathJax) await MathJax.startup.promise;
  document.body.getBoundingClientRect();  // lay the typeset page out, so that its fonts are requested
  await document.fonts.ready;  // MathJax's web fonts load after typesetting: print with them
  const imgs = [...document.images];
  for (const img of imgs) img.loading = 'eager';
  await Promise.all(imgs.map(img => img.complete ? null : new Promise(done => {
    img.addEventListener('load', done); img.addEventListener('error', done);
  })));
  return document.title;
}"""

PRINT_CSS = """@media print {
  /* The page's own contents list: the PDF's bookmarks list the sections. */
  #jb-print-toc { display: none !important; }
  /* Hidden code cells stay hidden, and so do their labels ("Show code cell source"); a hidden
     output is printed, without its label. */
  details.hide.above-input { display: none !important; }
  details.hide.below-input > summary { display: none !important; }
  /* Nothing fades in (opened dropdowns would print at the start of their animation, blank). */
  *, *::before, *::after { animation: none !important; transition: none !important; }
  /* Dropdowns (the exercises' solutions, the asides) print open under their title. */
  details.sd-dropdown > summary .sd-summary-state-marker { display: none !important; }
  details.sd-dropdown > summary { list-style: none; }
  details.sd-dropdown > summary::-webkit-details-marker { display: none; }
  .toggle-button, .toggle-details__summary, button.toggle-button { display: none !important; }
  .toggle-hidden, .toggle-details__container { display: block !important; visibility: visible !important; }
  /* A figure stays on one page with its caption; a tall one is scaled to leave room for it. */
  figure, div.figure, div.cell_output:has(figcaption) { break-inside: avoid; }
  figcaption { break-before: avoid; }
  figure img { max-height: 175mm; width: auto; object-fit: contain; }
  /* The claims tables use the page's width: the verdict wraps, and a word is broken only
     where it is wider than its column. */
  table.ttsbook-claims td { overflow-wrap: break-word; }
  table.ttsbook-claims td:first-child { white-space: normal; }
  /* Paper does not scroll: no shadow at a scrolling edge (a wide table is set smaller instead). */
  div.cell_output table, .bd-article table.table, mjx-container[display="true"] { background: none !important; }
  /* A heading stays with what follows it, a solution's title with the solution, and a code
     cell that fits on a page is not cut. */
  h1, h2, h3, h4 { break-inside: avoid; break-after: avoid; }
  details > summary { break-after: avoid; }
  div.cell div.cell_input { break-inside: avoid; }
}"""

# Before printing: dropdowns opened, wide display equations and tables set smaller until they fit
# the page (paper does not scroll), and a hidden link to
# every element of the article with an id (not table cells), so that Chromium writes each as a
# named destination for the links from other pages.
OPEN = """() => {
  const targets = document.createElement('nav');
  targets.style.display = 'none';
  for (const e of document.querySelectorAll('article.bd-article [id]:not(td, th, tr)')) {
    const a = document.createElement('a');
    a.href = '#' + encodeURIComponent(e.id);
    targets.append(a);
  }
  document.body.append(targets);
  for (const d of document.querySelectorAll('details')) {
    if (!d.matches('.hide.above-input')) d.open = true;
  }
  for (const m of document.querySelectorAll('mjx-container[display="true"]')) {
    const over = m.scrollWidth / m.clientWidth;
    if (m.clientWidth && over > 1.01) m.style.fontSize = `${Math.floor(96 / over)}%`;
  }
  for (const t of document.querySelectorAll('div.cell_output table, .bd-article table.table')) {
    for (let i = 0; i < 4 && t.clientWidth && t.scrollWidth > t.clientWidth + 1; i++) {
      const over = t.scrollWidth / t.clientWidth;
      t.style.fontSize = `${parseFloat(getComputedStyle(t).fontSize) * 0.97 / over}px`;
    }
  }
}"""

# What is still wider than the page after OPEN: a table, a display equation or code that paper
# would cut at the margin.
CUT = """() => [...document.querySelectorAll(
    'article.bd-article table, article.bd-article mjx-container[display="true"], article.bd-article pre')]
  .filter(e => e.getClientRects().length > 0 && e.scrollWidth > e.clientWidth + 1)
  .map(e => e.tagName.toLowerCase() + ': ' + (e.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60))"""

# Every heading the printed page shows, in its order, as Chromium's outline lists them: the
# article's sections (h2, h3) marked, with their titles as the reader sees them (formulas from
# MathJax's MathML) and without formulas (``plain``, as Chromium names them).
HEADINGS = """() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
  .filter(h => h.getClientRects().length > 0)
  .map(h => {
    const shown = h.cloneNode(true), plain = h.cloneNode(true);
    for (const n of [shown, plain]) n.querySelectorAll('.headerlink').forEach(e => e.remove());
    plain.querySelectorAll('mjx-container').forEach(e => e.remove());
    shown.querySelectorAll('mjx-container').forEach(m => {
      const mml = m.querySelector('mjx-assistive-mml');
      m.replaceWith(mml ? mml.textContent : '');
    });
    const text = n => n.textContent.replace(/\\s+/g, ' ').trim();
    const level = Number(h.tagName[1]);
    const section = level <= 3 && level >= 2 && h.closest('article.bd-article') !== null;
    return {level, section, title: text(shown), plain: text(plain)};
  })"""

FOOTER = (
    '<div style="font-size:8px; width:100%; text-align:center; color:#555;">'
    '<span class="title"></span> · <span class="pageNumber"></span></div>'
)

TITLE_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title><style>
body {{ font-family: "DejaVu Sans", "Liberation Sans", sans-serif; color: #222; margin: 0; }}
main {{ display: flex; flex-direction: column; height: 255mm; text-align: center; }}
h1 {{ font-size: 30pt; font-weight: 500; margin: 35mm 0 6mm; }}
.sub {{ font-size: 13pt; margin: 0 0 2mm; }}
.paper {{ font-size: 15pt; font-style: italic; margin: 0 0 3mm; }}
.authors {{ font-size: 12pt; margin: 0 0 1mm; }}
.venue {{ font-size: 10pt; color: #555; margin: 0; }}
.verdicts {{ margin: 22mm auto 0; border-top: 1px solid #999; border-bottom: 1px solid #999;
  padding: 6mm 10mm; font-size: 12pt; }}
.verdicts h2 {{ font-size: 12pt; font-weight: 600; margin: 0 0 3mm; }}
.verdicts table {{ margin: 0 auto; border-collapse: collapse; }}
.verdicts td {{ padding: 0.6mm 3mm; text-align: left; }}
.verdicts td.n {{ text-align: right; font-weight: 600; }}
.verdicts p {{ font-size: 10pt; color: #444; margin: 3mm 0 0; }}
.foot {{ margin-top: auto; font-size: 10pt; color: #444; }}
</style></head><body><main>
<h1>{title}</h1>
<p class="sub">An executable reproduction of</p>
<p class="paper">“{paper}”</p>
<p class="authors">{authors}</p>
<p class="venue">{venue}</p>
<section class="verdicts">
<h2>{total} claims tested</h2>
<table>{rows}</table>
<p>{split}</p>
</section>
<div class="foot"><p>{author}</p><p>Built on {date}</p></div>
</main></body></html>"""


def toc_pages(toc: dict) -> list[str]:
    """Docnames of ``_toc.yml`` in reading order (the root first)."""
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                pages.append(
                    str(Path(entry["file"]).with_suffix(""))
                    if Path(entry["file"]).suffix in {".md", ".ipynb"}
                    else entry["file"]
                )
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    walk(toc.get("parts"))
    walk(toc.get("chapters"))
    return pages


def bib_entry(key: str, bib: Path = ROOT / "book" / "references.bib") -> dict[str, str]:
    """The fields of one entry of a BibTeX file (braces and line breaks removed)."""
    text = bib.read_text()
    found = re.search(r"@\w+\{" + re.escape(key) + r",(.*?)\n\}", text, re.S)
    if not found:
        raise SystemExit(f"no entry {key} in {bib}")
    fields = re.findall(r"(\w+)\s*=\s*\{(.*?)\},?\s*$", found.group(1), re.S | re.M)
    return {name.lower(): re.sub(r"\s+", " ", value.replace("{", "").replace("}", "")) for name, value in fields}


def verdict_counts(docnames: list[str], root: Path = ROOT) -> dict:
    """The verdicts of the chapters' claims, counted as the claims page counts them."""
    from ttsbook import claims

    found = claims.collect([root / f"{d}.md" for d in docnames if CHAPTER.match(d)])
    return {
        "all": claims.counts(found),
        "paper": claims.counts([c for c in found if c.kind == "paper"]),
        "extension": claims.counts([c for c in found if c.kind == "extension"]),
    }


def title_page(config: dict, paper: dict, counts: dict, built: datetime.datetime) -> str:
    """The title page as HTML."""
    esc = htmllib.escape
    names = [" ".join(reversed(a.split(", ", 1))) for a in paper["author"].split(" and ")]
    authors = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
    venue = ", ".join(x for x in (paper.get("booktitle") or paper.get("journal"), paper.get("year")) if x)
    if paper.get("note"):
        venue += f" ({paper['note']})"
    rows = "".join(f'<tr><td class="n">{n}</td><td>{esc(v)}</td></tr>' for v, n in counts["all"].items())

    def tally(c):
        return ", ".join(f"{n} {v}" for v, n in c.items())

    split = (
        f"Of them, {sum(counts['paper'].values())} are claims of the paper ({tally(counts['paper'])}) and "
        f"{sum(counts['extension'].values())} the book’s own extensions ({tally(counts['extension'])})."
    )
    return TITLE_PAGE.format(
        title=esc(config["title"]),
        paper=esc(paper["title"]),
        authors=esc(authors),
        venue=esc(venue),
        total=sum(counts["all"].values()),
        rows=rows,
        split=esc(split),
        author=esc(config.get("author", "")),
        date=f"{built.day} {built:%B %Y}",
    )


def _serve(directory: Path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _same_heading(outline_title: str, plain: str) -> bool:
    """Whether Chromium's outline entry can name the heading: the same letters and digits (its
    titles drop the spaces at line breaks and repeat the words of some headings in pieces)."""
    return bool(_key(plain)) and set(_key(outline_title)) == set(_key(plain))


def _flat_outline(reader) -> list[tuple[str, int, float | None]]:
    """Chromium's outline of one printed page: (title, page index, top) in document order."""
    out = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                out.append((item.title, reader.get_destination_page_number(item), item.get("/Top")))

    walk(reader.outline)
    return out


def sections(headings: list[dict], outline: list[tuple[str, int, float | None]]) -> list[dict]:
    """The article's section headings with the page and height Chromium printed each at: its
    outline lists the page's headings in their order; where it lists more or fewer, each section
    is looked up in it by its letters, in order."""
    if len(headings) == len(outline) and all(
        _same_heading(o[0], h["plain"]) for h, o in zip(headings, outline, strict=True)
    ):
        return [
            {**h, "page": page, "top": top} for h, (_, page, top) in zip(headings, outline, strict=True) if h["section"]
        ]
    found, start = [], 0
    for heading in headings:
        for i in range(start, len(outline)):
            title, page, top = outline[i]
            if _same_heading(title, heading["plain"]):
                if heading["section"]:
                    found.append({**heading, "page": page, "top": top})
                start = i + 1
                break
        else:
            if heading["section"]:
                print(f"  no place in the printed page for the heading {heading['title']!r}", file=sys.stderr)
    return found


def _relink(writer, first: int, count: int, docname: str, dests: dict, base: str) -> None:
    """Links of the pages ``first`` … ``first + count - 1`` (one printed page of the book): within
    the book they become links inside the PDF (named destinations ``docname#id``), other files of
    the built site links relative to it, where the PDF's copy sits."""
    from pypdf.generic import NameObject, TextStringObject

    for page in writer.pages[first : first + count]:
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            if "/Dest" in annot and isinstance(annot["/Dest"], str):
                name = f"{docname}#{annot['/Dest'].lstrip('/')}"
                annot[NameObject("/Dest")] = TextStringObject(name if name in dests else f"{docname}#")
                continue
            uri = (annot.get("/A") or {}).get("/URI")
            if not uri or not str(uri).startswith(base + "/"):
                continue
            parts = urlsplit(str(uri))
            path = unquote(parts.path).lstrip("/")
            target = path.removesuffix(".html")
            if f"{target}#" in dests:
                name = f"{target}#{parts.fragment}"
                del annot["/A"]
                annot[NameObject("/Dest")] = TextStringObject(name if name in dests else f"{target}#")
            else:
                annot["/A"][NameObject("/URI")] = TextStringObject(
                    path + (f"#{parts.fragment}" if parts.fragment else "")
                )


def build(html: Path, out: Path, toc: Path = ROOT / "_toc.yml") -> dict:
    """Print the title page and every page of the book and join them; returns the titles, page
    counts and sections."""
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import Fit

    if not (html / "index.html").exists():
        raise SystemExit(f"no built book in {html}: run `make book` first")
    docnames = toc_pages(yaml.safe_load(toc.read_text()))
    config = yaml.safe_load((toc.parent / "_config.yml").read_text())
    counts = verdict_counts(docnames, toc.parent)
    built = datetime.datetime.now(datetime.UTC)
    writer, parts, dests, cut = PdfWriter(), [], {}, []
    server, base = _serve(html)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            page = browser.new_page(viewport={"width": COLUMN_PX, "height": 900})
            page.set_default_timeout(300_000)  # a busy machine loads a long chapter slowly
            page.route(
                "**/*", lambda r: r.continue_() if r.request.url.startswith(base + "/") else r.abort()
            )  # the book is self-contained; nothing from elsewhere
            page.emulate_media(media="print")
            page.set_content(
                title_page(config, bib_entry(PAPER, toc.parent / "book" / "references.bib"), counts, built)
            )
            for p in PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True, margin=MARGIN))).pages:
                writer.add_page(p)
            cover = len(writer.pages)
            for docname in docnames:
                page.goto(f"{base}/{docname}.html", wait_until="load")
                title = page.evaluate(WAIT).removesuffix(SUFFIX)
                page.add_style_tag(content=PRINT_CSS)
                page.evaluate(OPEN)
                cut += [f"{docname}: {e}" for e in page.evaluate(CUT)]
                page.evaluate("t => { document.title = t; }", title)  # the footer's title
                headings = page.evaluate(HEADINGS)
                data = page.pdf(
                    format="A4",
                    print_background=True,
                    display_header_footer=True,
                    header_template="<span></span>",
                    footer_template=FOOTER,
                    margin=MARGIN,
                    outline=True,
                    tagged=True,  # Chromium's outline of the headings comes with a tagged PDF
                )
                reader = PdfReader(io.BytesIO(data))
                first = len(writer.pages)
                for p in reader.pages:
                    writer.add_page(p)
                for name, dest in reader.named_destinations.items():
                    dests[f"{docname}#{name.lstrip('/')}"] = (first + reader.get_destination_page_number(dest), dest)
                dests[f"{docname}#"] = (first, None)
                found = sections(headings, _flat_outline(reader))
                parts.append(
                    {"docname": docname, "title": title, "first": first, "pages": len(reader.pages), "sections": found}
                )
            browser.close()
    finally:
        server.shutdown()
    if cut:
        raise SystemExit("wider than the printed page (paper does not scroll):\n  " + "\n  ".join(cut))
    for part in parts:
        _relink(writer, part["first"], part["pages"], part["docname"], dests, base)
        chapter = writer.add_outline_item(title=part["title"], page_number=part["first"], is_open=False)
        parent = chapter
        for s in part["sections"]:
            fit = Fit.xyz(top=s["top"]) if s["top"] is not None else Fit.fit()
            item = writer.add_outline_item(
                title=s["title"],
                page_number=part["first"] + s["page"],
                parent=chapter if s["level"] == 2 else parent,
                fit=fit,
                is_open=False,
            )
            if s["level"] == 2:
                parent = item
    for name, (index, dest) in dests.items():
        top = dest.get("/Top") if dest is not None else None
        writer.add_named_destination(name, index, Fit.xyz(top=top) if top is not None else None)
    for p in writer.pages:
        p.pop("/StructParents", None)  # the tags of each printed page are not carried over
    writer.add_metadata(
        {
            "/Title": config["title"],
            "/Author": config.get("author", ""),
            "/CreationDate": built.strftime("D:%Y%m%d%H%M%SZ"),
        }
    )
    writer.page_mode = "/UseOutlines"
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as f:
        writer.write(f)
    shutil.copyfile(out, html / "ttsbook.pdf")
    return {"cover": cover, "parts": parts, "pages": len(writer.pages)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "pdf" / "ttsbook.pdf")
    parser.add_argument("--toc", type=Path, default=ROOT / "_toc.yml")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    result = build(args.html.resolve(), args.out.resolve(), args.toc.resolve())
    print(f"{result['cover']:4d} pages  title page")
    for part in result["parts"]:
        print(f"{part['pages']:4d} pages  {part['title']} ({len(part['sections'])} sections)")
    print(f"{result['pages']} pages in {args.out} ({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
