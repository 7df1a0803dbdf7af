"""One PDF of the whole book, printed from the built HTML by headless Chromium.

Run by ``make pdf`` (not a Sphinx extension): every page of ``_toc.yml``, in its order, is
opened in the built book (``_build/html``, served on 127.0.0.1), its formulas typeset by MathJax
and its figures loaded, and printed as the browser prints it (the theme's print style: no
sidebars, no buttons); the pages are joined into one file with a bookmark per page, written to
``_build/pdf/ttsbook.pdf`` and copied next to the HTML (``_build/html/ttsbook.pdf``), where the
introduction links it. Uses the Chromium and Playwright of the browser test
(``CHROMIUM``, default ``/usr/bin/chromium``).

    python book/_ext/book_pdf.py [--html _build/html] [--out _build/pdf/ttsbook.pdf] [--toc _toc.yml]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import io
import os
import shutil
import sys
import threading
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
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

FOOTER = (
    '<div style="font-size:8px; width:100%; text-align:center; color:#555;">'
    '<span class="title"></span> · <span class="pageNumber"></span></div>'
)


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


def _serve(directory: Path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def build(html: Path, out: Path, toc: Path = ROOT / "_toc.yml") -> dict:
    """Print every page of the book and join them; returns the titles and page counts."""
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader, PdfWriter

    if not (html / "index.html").exists():
        raise SystemExit(f"no built book in {html}: run `make book` first")
    docnames = toc_pages(yaml.safe_load(toc.read_text()))
    writer, parts = PdfWriter(), []
    server, base = _serve(html)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(300_000)  # a busy machine loads a long chapter slowly
            page.route(
                "**/*", lambda r: r.continue_() if r.request.url.startswith(base + "/") else r.abort()
            )  # the book is self-contained; nothing from elsewhere
            for docname in docnames:
                page.goto(f"{base}/{docname}.html", wait_until="load")
                title = page.evaluate(WAIT).removesuffix(SUFFIX)
                data = page.pdf(
                    format="A4",
                    print_background=True,
                    display_header_footer=True,
                    header_template="<span></span>",
                    footer_template=FOOTER,
                    margin={"top": "15mm", "bottom": "15mm", "left": "14mm", "right": "14mm"},
                )
                reader = PdfReader(io.BytesIO(data))
                first = len(writer.pages)
                for p in reader.pages:
                    writer.add_page(p)
                writer.add_outline_item(title=title, page_number=first)
                parts.append({"docname": docname, "title": title, "pages": len(reader.pages)})
            browser.close()
    finally:
        server.shutdown()
    writer.add_metadata({"/Title": "Training data and test-time scaling", "/Author": "the ttsbook authors"})
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as f:
        writer.write(f)
    shutil.copyfile(out, html / "ttsbook.pdf")
    return {"parts": parts, "pages": len(writer.pages)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "pdf" / "ttsbook.pdf")
    parser.add_argument("--toc", type=Path, default=ROOT / "_toc.yml")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    result = build(args.html.resolve(), args.out.resolve(), args.toc.resolve())
    for part in result["parts"]:
        print(f"{part['pages']:4d} pages  {part['title']}")
    print(f"{result['pages']} pages in {args.out} ({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
