"""The built book as a reader meets it: every page in a real browser (headless Chromium).

Drives the HTML in ``_build/html`` (``make book`` writes it) with Playwright and Debian's
Chromium, served from a local HTTP server on 127.0.0.1; no request may leave the machine.
For every page listed in ``_toc.yml`` the tests fail when

- the page is missing, answers with an HTTP error, logs a console error, raises a JavaScript
  error, or a resource it loads fails or would be fetched from another host;
- math is left unrendered: MathJax did not load or did not typeset a formula, a formula
  rendered as a TeX error or with an undefined macro, or raw TeX (``$…$``, ``\\(…\\)``,
  ``\\[…\\]``, ``\\macro``) is left in the text outside code;
- an image (a figure) fails to load (``naturalWidth == 0``);
- a same-site link points to a missing file or to an anchor the target page does not have;
- at a phone's width (390 px) the page scrolls sideways or cuts a display equation off;
- a chapter lacks its Binder or Colab button, or the button opens a file that is not tracked
  in this git checkout (Colab must open an ``.ipynb``), or another repository or branch.

The API page must document every public name (``__all__``) of every public module, each with
a link to a chapter, and the execution-time page must list every chapter.

Environment: ``CHROMIUM`` (default ``/usr/bin/chromium``) and ``BOOK_HTML`` (default
``_build/html``). Without a built book, Chromium or Playwright every test here is skipped, with
the reason; ``make test`` builds the book, installs Chromium and Playwright, and fails on a skip.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import importlib
import importlib.util
import os
import pkgutil
import re
import subprocess
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, unquote, urldefrag, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html")).resolve()
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
MATHJAX_TIMEOUT_MS = 20_000
PHONE_WIDTH = 390  # CSS pixels, a common phone


def toc_pages(toc: dict) -> list[str]:
    """Docnames listed in ``_toc.yml`` (root, parts, chapters and nested sections), in order."""
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                pages.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    walk(toc.get("parts"))
    walk(toc.get("chapters"))
    walk(toc.get("sections"))
    return [str(Path(p).with_suffix("")) if Path(p).suffix in {".md", ".ipynb"} else p for p in pages]


PAGES = toc_pages(TOC)


def missing_requirement() -> str | None:
    """Why the browser test cannot run here (no built book, no Chromium, no Playwright), or None."""
    if not (HTML / "index.html").exists():
        return f"no built book in {HTML}: run `make book` (`make test` builds it)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM}: `sudo apt-get install -y chromium`, or set CHROMIUM"
    if importlib.util.find_spec("playwright") is None:
        return "Playwright is not installed: `make test` installs it into .venv"
    return None


# `make test` provides all three and fails on any skip (--no-skips).
pytestmark = pytest.mark.skipif(missing_requirement() is not None, reason=str(missing_requirement()))


def source_of(docname: str) -> Path | None:
    for suffix in (".md", ".ipynb", ".rst"):
        path = ROOT / f"{docname}{suffix}"
        if path.exists():
            return path
    return None


def is_notebook(docname: str) -> bool:
    """A page executed as a notebook (jupytext MyST or .ipynb) gets launch buttons."""
    src = source_of(docname)
    if src is None:
        return False
    return src.suffix == ".ipynb" or "kernelspec:" in src.read_text().split("\n---", 1)[0]


def tracked_files() -> set[str] | None:
    """Paths tracked by git in this checkout, or None outside a git checkout."""
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "ls-files", "-z"], check=True, capture_output=True, text=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return {p for p in out.split("\0") if p}


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value or "")


@functools.cache
def ids_in(path: Path) -> frozenset[str]:
    parser = _Ids()
    parser.feed(path.read_text(errors="replace"))
    return frozenset(parser.ids)


# --- what the browser sees on one page -----------------------------------------------------


@dataclass
class PageReport:
    docname: str
    url: str
    status: int | None = None
    problems: list[str] = field(default_factory=list)  # load errors, console, requests
    math: dict = field(default_factory=dict)
    images: list[dict] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    dom_ids: set[str] = field(default_factory=set)
    phone: dict = field(default_factory=dict)  # layout at a phone's width
    layout: dict = field(default_factory=dict)  # the layout checks (measure_layout)


JS_WAIT_MATHJAX = """async (timeout) => {
  const t0 = Date.now();
  while (window.MathJax && !(MathJax.startup && MathJax.startup.promise)) {
    if (Date.now() - t0 > timeout) return 'MathJax was configured but never started';
    await new Promise(r => setTimeout(r, 50));
  }
  if (!window.MathJax) return null;
  await MathJax.startup.promise;
  return null;
}"""

JS_MATH = r"""() => {
  const out = {has_mathjax: !!(window.MathJax && MathJax.startup && MathJax.startup.document),
               n_math: 0, unrendered: [], errors: [], raw_tex: []};
  const mathEls = [...document.querySelectorAll('span.math, div.math')];
  out.n_math = mathEls.length;
  for (const el of mathEls) {
    if (!el.querySelector('mjx-container')) out.unrendered.push(el.textContent.slice(0, 120));
  }
  if (out.has_mathjax) {
    for (const item of MathJax.startup.document.math) {
      const mml = MathJax.startup.toMML(item.root);
      if (/<merror/.test(mml) || /mathcolor="red"/.test(mml)) out.errors.push(item.math.slice(0, 120));
    }
  }
  for (const el of document.querySelectorAll('mjx-merror')) {
    out.errors.push('mjx-merror: ' + el.textContent.slice(0, 120));
  }
  // Not code, not rendered math, and not Python signatures on the API page (string defaults).
  const skip = 'pre, code, script, style, textarea, mjx-container, .highlight, .math, .sig';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const tex = /\$\$|\$[^$\s][^$]*\$|\\\(|\\\[|\\begin\{|\\[A-Za-z]{2,}/;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentElement && n.parentElement.closest(skip)) continue;
    const m = n.textContent.match(tex);
    if (m) out.raw_tex.push(n.textContent.trim().slice(0, 120));
  }
  if (tex.test(document.title)) out.raw_tex.push('page title: ' + document.title);
  return out;
}"""

JS_IMAGES = """async () => {
  const imgs = [...document.images];
  for (const img of imgs) img.loading = 'eager';
  await Promise.all(imgs.map(img => img.complete ? null : new Promise(done => {
    img.addEventListener('load', done); img.addEventListener('error', done);
    setTimeout(done, 10000);
  })));
  return imgs.map(img => ({src: img.getAttribute('src'), url: img.currentSrc || img.src,
                           naturalWidth: img.naturalWidth}));
}"""

# Wide tables and display equations that scroll without a visible cue (the book's CSS draws a
# shadow at an edge with more content: a gradient background), numbers broken over two lines
# (a glued number, or a cell of a result table), and punctuation after an inline formula that a
# line break may leave alone at the start of a line (book/_static/ttsbook.js keeps them together,
# unless the formula is wider than half its paragraph and may need a line to itself).
JS_READING = """() => ({
  loose: [...document.querySelectorAll("mjx-container:not([display='true'])")]
    .map(m => m.parentElement && m.parentElement.matches('span.math') ? m.parentElement : m)
    .filter(m => m.nextSibling && m.nextSibling.nodeType === 3 && /^[.,;:!?)\\]]/.test(m.nextSibling.data)
                 && !m.closest('span.ttsbook-math-punct')
                 && m.getBoundingClientRect().width
                    <= 0.5 * (m.closest('p, li, figcaption, td, th, dd, div') || document.body).clientWidth)
    .map(m => (m.textContent || '').slice(0, 20) + m.nextSibling.data.slice(0, 5)),
  uncued: [...document.querySelectorAll(
      'div.cell_output table, .bd-article table.table, mjx-container[display="true"]')]
    .filter(e => e.scrollWidth > e.clientWidth + 1 && !getComputedStyle(e).backgroundImage.includes('gradient'))
    .map(e => e.tagName.toLowerCase() + ': ' + (e.textContent || '').trim().slice(0, 50)),
  wrapped: [...document.querySelectorAll('span.ttsbook-number, div.cell_output table td')]
    .filter(e => {
      const range = document.createRange();
      range.selectNodeContents(e);
      const tops = new Set([...range.getClientRects()].filter(b => b.width > 0).map(b => Math.round(b.top)));
      return tops.size > 1;
    })
    .map(e => (e.textContent || '').trim().slice(0, 40)),
})"""

JS_PHONE = (
    """() => ({
  width: document.documentElement.clientWidth,
  scrollWidth: document.documentElement.scrollWidth,
  clipped: [...document.querySelectorAll('mjx-container[display="true"]')]
    .filter(e => e.scrollWidth > e.clientWidth + 1
            && !['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
    .map(e => (e.textContent || '').slice(0, 60)),
  ...("""
    + JS_READING
    + """)(),
})"""
)

JS_LINKS = """() => ({
  links: [...document.querySelectorAll('a[href]')].map(a => a.href),
  ids: [...document.querySelectorAll('[id]')].map(e => e.id)
      .concat([...document.querySelectorAll('a[name]')].map(a => a.name)),
})"""


def _serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _visit_phone(context, report: PageReport) -> None:
    page = context.new_page()
    try:
        page.goto(report.url, wait_until="load", timeout=30_000)
        page.evaluate(JS_WAIT_MATHJAX, MATHJAX_TIMEOUT_MS)
        report.phone = page.evaluate(JS_PHONE)
        report.layout.update(_phone_layout(page))
    except Exception as exc:
        report.phone = {"error": str(exc)}
    finally:
        page.close()


def _visit(context, base: str, docname: str) -> PageReport:
    report = PageReport(docname, f"{base}/{docname}.html")
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and report.problems.append(f"console error: {m.text}"))
    page.on("pageerror", lambda e: report.problems.append(f"JavaScript error: {e}"))
    page.on(
        "requestfailed",
        lambda r: urlsplit(r.url).scheme != "data" and report.problems.append(f"request failed: {r.url} ({r.failure})"),
    )
    page.on("response", lambda r: r.status >= 400 and report.problems.append(f"HTTP {r.status}: {r.url}"))
    try:
        response = page.goto(report.url, wait_until="load", timeout=30_000)
        report.status = response.status if response else None
        waited = page.evaluate(JS_WAIT_MATHJAX, MATHJAX_TIMEOUT_MS)
        if waited:
            report.problems.append(waited)
        report.math = page.evaluate(JS_MATH)
        report.images = page.evaluate(JS_IMAGES)
        found = page.evaluate(JS_LINKS)
        report.links, report.dom_ids = found["links"], set(found["ids"])
        report.layout.update(_desktop_layout(page))  # last: it opens every dropdown
    except Exception as exc:  # a page that cannot be driven is a failure of that page
        report.problems.append(f"could not load the page: {exc}")
    finally:
        page.close()
    return report


@pytest.fixture(scope="module")
def crawl() -> dict[str, PageReport]:
    """Visit every page of the table of contents once; the tests below read the reports."""
    from playwright import sync_api

    server, base = _serve(HTML)
    external: list[str] = []

    def only_local(route):
        if route.request.url.startswith(base + "/"):
            route.continue_()
        else:  # the book must work offline: record and block anything from elsewhere
            external.append(route.request.url)
            route.abort()

    reports = {}
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": DESKTOP_WIDTH, "height": 900}, service_workers="block")
        context.route("**/*", only_local)
        phone = browser.new_context(
            viewport={"width": PHONE_WIDTH, "height": 844}, is_mobile=True, has_touch=True, service_workers="block"
        )
        phone.route("**/*", only_local)
        try:
            for docname in PAGES:
                n_external = len(external)
                reports[docname] = _visit(context, base, docname)
                reports[docname].problems += [
                    f"request to another host (the book must be self-contained): {u}" for u in external[n_external:]
                ]
                _visit_phone(phone, reports[docname])
        finally:
            browser.close()
            server.shutdown()
    reports["_base"] = base
    return reports


# --- the checks ----------------------------------------------------------------------------


@pytest.mark.parametrize("docname", PAGES)
def test_page_loads_without_errors(crawl, docname):
    report = crawl[docname]
    assert (HTML / f"{docname}.html").exists(), f"{docname} is in _toc.yml but was not built"
    assert report.status == 200, f"{report.url} answered HTTP {report.status}"
    assert not report.problems, f"{docname}:\n  " + "\n  ".join(report.problems)


@pytest.mark.parametrize("docname", PAGES)
def test_math_is_rendered(crawl, docname):
    math = crawl[docname].math
    assert math, f"{docname}: the page could not be inspected"
    problems = []
    if math["n_math"] and not math["has_mathjax"]:
        problems.append(f"{math['n_math']} formulas but MathJax did not load")
    problems += [f"not typeset by MathJax: {t}" for t in math["unrendered"]]
    problems += [f"renders as a TeX error: {t}" for t in math["errors"]]
    problems += [f"raw TeX in the text: {t}" for t in math["raw_tex"]]
    assert not problems, f"{docname}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("docname", PAGES)
def test_images_load(crawl, docname):
    broken = [img["src"] for img in crawl[docname].images if img["naturalWidth"] == 0]
    assert not broken, f"{docname}: images that did not load: {broken}"


@pytest.mark.parametrize("docname", PAGES)
def test_internal_links_resolve(crawl, docname):
    report, base = crawl[docname], crawl["_base"]
    broken = []
    for href in sorted(set(report.links)):
        if not href.startswith(base + "/"):
            continue  # another site (launch buttons are checked below) or mailto:, javascript:
        url, fragment = urldefrag(href)
        path = HTML / unquote(urlsplit(url).path).lstrip("/")
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            broken.append(f"{href} (no file {path.relative_to(HTML)})")
            continue
        fragment = unquote(fragment)
        if fragment and path.suffix == ".html":
            ids = report.dom_ids if url == report.url else ids_in(path)
            if fragment not in ids:
                broken.append(f"{href} (no anchor #{fragment} in {path.relative_to(HTML)})")
    assert not broken, f"{docname}: broken internal links:\n  " + "\n  ".join(broken)


@pytest.mark.parametrize("docname", PAGES)
def test_page_fits_a_phone_screen(crawl, docname):
    """At a phone's width the page does not scroll sideways and no equation is cut off."""
    phone = crawl[docname].phone
    assert "error" not in phone, f"{docname}: could not load at phone width: {phone.get('error')}"
    assert phone["scrollWidth"] <= phone["width"], (
        f"{docname}: at {PHONE_WIDTH} px the page is {phone['scrollWidth']} px wide"
    )
    assert not phone["clipped"], f"{docname}: display equations cut off: {phone['clipped']}"


@pytest.mark.parametrize("docname", PAGES)
def test_on_a_phone_what_scrolls_shows_it_and_numbers_stay_whole(crawl, docname):
    """At a phone's width every table or display equation wider than the column shows a shadow
    where it scrolls, and no number breaks over two lines ("2.78 ×" / "10⁻⁶")."""
    phone = crawl[docname].phone
    assert "error" not in phone, f"{docname}: could not load at phone width: {phone.get('error')}"
    assert not phone["uncued"], f"{docname}: scrolls with no visible cue: {phone['uncued']}"
    assert not phone["wrapped"], f"{docname}: numbers broken over two lines: {phone['wrapped']}"
    assert not phone["loose"], f"{docname}: punctuation that may start a line alone: {phone['loose']}"


READING_FIXTURE = """<!doctype html><html><head><style>:root {{ --pst-color-background: #fff; }}
{css}</style></head><body style="width: 300px">
<article class="bd-article"><div class="cell_output"><table><tr><td>first column</td><td>a long cell of words</td>
<td>2.78 × 10⁻⁶</td><td>and another cell</td><td>1.5 × 10¹²</td><td>theory.cot_error_limit_general</td></tr>
</table></div>
<p style="width: 120px">the error is <span class="pasted-text ttsbook-number">2.04 × 10¹³</span> at the end</p>
<p>the step <span class="math"><mjx-container>k</mjx-container></span>, then (<span class="math"><mjx-container>n
</mjx-container></span>).</p>
</article></body></html>"""


def test_the_phone_reading_check_sees_a_silent_scroll_and_a_broken_number():
    """Without the book's CSS and script the wide table scrolls with no cue, numbers break and
    punctuation may start a line alone; with them, none of these."""
    from playwright import sync_api

    css = (ROOT / "book" / "_static" / "ttsbook.css").read_text()
    bare = "div.cell_output table { display: block; max-width: 100%; overflow-x: auto; }"
    found = {}
    with sync_api.sync_playwright() as pw:
        browser = _launch(pw)
        try:
            page = browser.new_page(viewport={"width": PHONE_WIDTH, "height": 844})
            for name, style in (("bare", bare), ("book", css)):
                page.set_content(READING_FIXTURE.format(css=style))
                if name == "book":  # the book's script, once MathJax (here a stand-in) has typeset
                    page.evaluate("window.MathJax = {startup: {promise: Promise.resolve()}}")
                    page.add_script_tag(content=(ROOT / "book" / "_static" / "ttsbook.js").read_text())
                    page.wait_for_timeout(300)
                found[name] = page.evaluate(JS_READING)
        finally:
            browser.close()
    assert found["bare"]["uncued"] and found["bare"]["wrapped"] and len(found["bare"]["loose"]) == 2, found["bare"]
    assert not (found["book"]["uncued"] or found["book"]["wrapped"] or found["book"]["loose"]), found["book"]


def _repository() -> tuple[str, str, str]:
    parts = urlsplit(CONFIG["repository"]["url"]).path.strip("/").split("/")
    return parts[0], parts[1], CONFIG["repository"].get("branch", "main")


def launch_targets(links: list[str]) -> dict[str, list[tuple[str, str, str, str]]]:
    """(org, repo, branch, path) for each Binder and Colab link among ``links``."""
    buttons = CONFIG.get("launch_buttons", {})
    binder = buttons.get("binderhub_url", "").rstrip("/")
    colab = buttons.get("colab_url", "").rstrip("/")
    found = {"Binder": [], "Colab": []}
    for href in links:
        if binder and href.startswith(binder + "/v2/gh/"):
            head, _, query = href[len(binder + "/v2/gh/") :].partition("?")
            org, repo, branch = head.split("/", 2)
            urlpath = parse_qs(query).get("urlpath", [""])[0]
            path = re.sub(r"^(lab/tree|tree|notebooks)/", "", urlpath)
            found["Binder"].append((org, repo, branch, unquote(path)))
        elif colab and href.startswith(colab + "/github/"):
            org, repo, blob, branch, path = href[len(colab + "/github/") :].split("/", 4)
            assert blob == "blob", f"unexpected Colab URL {href}"
            found["Colab"].append((org, repo, branch, unquote(path)))
    return found


@pytest.mark.parametrize("docname", PAGES)
def test_launch_buttons_open_files_in_the_repository(crawl, docname):
    targets = launch_targets(crawl[docname].links)
    if not is_notebook(docname):
        return  # a page without code has no launch buttons
    tracked = tracked_files()
    org, repo, branch = _repository()
    problems = []
    for service in ("Binder", "Colab"):
        if not targets[service]:
            problems.append(f"the chapter has no {service} button")
        for t_org, t_repo, t_branch, path in sorted(set(targets[service])):
            if (t_org, t_repo, t_branch) != (org, repo, branch):
                problems.append(
                    f"{service} opens {t_org}/{t_repo}@{t_branch}, not this book's repository {org}/{repo}@{branch}"
                )
            if not (ROOT / path).is_file():
                problems.append(f"{service} opens {path}, which does not exist")
            elif tracked is not None and path not in tracked:
                problems.append(f"{service} opens {path}, which is not committed to the repository")
            if Path(path).with_suffix("").as_posix() != docname:
                problems.append(f"{service} opens {path}, not this chapter's notebook")
            if service == "Colab" and not path.endswith(".ipynb"):
                problems.append(f"Colab can only open a notebook (.ipynb), but opens {path}")
    assert not problems, f"{docname}:\n  " + "\n  ".join(problems)


def public_modules() -> list[str]:
    import ttsbook

    return sorted(m.name for m in pkgutil.iter_modules(ttsbook.__path__) if not m.name.startswith("_"))


def _entry(html: str, name: str) -> str:
    """The ``<dd>`` that documents ``name`` on an autodoc page (nested lists included)."""
    start = html.index("<dd", html.index(f'id="{name}"'))
    depth = 0
    for tag in re.finditer(r"<dd\b|</dd>", html[start:]):
        depth += 1 if tag.group() != "</dd>" else -1
        if depth == 0:
            return html[start : start + tag.end()]
    return html[start:]


def test_api_page_documents_every_public_name():
    """Every name in a public module's ``__all__`` has an entry that links a chapter."""
    import ttsbook

    api = HTML / "book" / "api.html"
    assert api.exists(), "the API reference page book/api.html was not built"
    html = api.read_text()
    ids = ids_in(api)
    names = [f"ttsbook.{n}" for n in ttsbook.__all__ if n not in public_modules()]  # glue
    missing, unexplained = [], []
    for name in public_modules():
        module = importlib.import_module(f"ttsbook.{name}")
        if f"module-ttsbook.{name}" not in ids:
            missing.append(f"module ttsbook.{name}")
        names += [f"ttsbook.{name}.{member}" for member in getattr(module, "__all__", [])]
    for name in names:
        if name not in ids:
            missing.append(name)
        elif not re.search(r'href="\d\d_[\w-]+\.html', _entry(html, name)):
            unexplained.append(name)
    assert not missing, "not documented on the API page (book/api.md):\n  " + "\n  ".join(missing)
    assert not unexplained, "no chapter linked from the API entry of:\n  " + "\n  ".join(unexplained)


def test_execution_page_lists_every_chapter():
    """The execution-time page (``{nb-exec-table}``) has a row for every executed chapter."""
    page = HTML / "book" / "execution.html"
    assert page.exists(), "the execution-time page book/execution.html was not built"
    html = page.read_text()
    table = html[html.find("<table") : html.rfind("</table>")]
    missing = [
        d for d in PAGES if is_notebook(d) and not re.search(rf'href="[^"]*{re.escape(Path(d).name)}\.html"', table)
    ]
    assert not missing, f"chapters missing from the execution-time table: {missing}"


# --- layout and figure quality: the checks, and the same checks on deliberately broken pages ---
#
# Each check is a JavaScript function run in the page; the tests below run it on every page of
# the book and, once, on small pages written to fail it (so a check that cannot fail shows).

DESKTOP_WIDTH = 1280
MIN_FONT_PT = 9.0  # the smallest font of a figure at its rendered size
MIN_DENSITY = 2.0  # a bitmap's natural width over its rendered width
MIN_PHONE_FONT_PX = 9.0  # the smallest text of a figure as drawn at 390 px, in CSS pixels

JS_OPEN_ALL = """() => { document.querySelectorAll('details').forEach(d => { d.open = true; }); }"""

# Code, printed output, tables and display equations that reach past the content column or
# hide part of their content behind a scroll (collapsed cells are opened first).
JS_COLUMN_OVERFLOW = """() => {
  const col = document.querySelector('article.bd-article') || document.querySelector('main') || document.body;
  const r = col.getBoundingClientRect(), cs = getComputedStyle(col);
  const left = r.left + parseFloat(cs.paddingLeft), right = r.right - parseFloat(cs.paddingRight);
  const kinds = [['code', 'div.cell_input pre, div.highlight pre, pre.literal-block'],
                 ['output', 'div.cell_output pre, div.cell_output div.output'],
                 ['table', 'table'],
                 ['equation', 'mjx-container[display="true"]']];
  const out = [];
  for (const [kind, selector] of kinds) {
    for (const e of col.querySelectorAll(selector)) {
      const b = e.getBoundingClientRect();
      if (b.width === 0 || b.height === 0) continue;
      const hidden = e.scrollWidth - e.clientWidth;
      if (b.right > right + 1 || b.left < left - 1 || hidden > 1) {
        out.push({kind, width: Math.round(Math.max(b.width, e.scrollWidth)),
                  column: Math.round(right - left), text: (e.textContent || '').trim().slice(0, 70)});
      }
    }
  }
  return out;
}"""

# Figures (images and inline SVG) wider than the screen, and how wide the page scrolls.
JS_PHONE_FIGURES = """() => {
  const vw = document.documentElement.clientWidth;
  const figs = [...document.querySelectorAll('article img, article svg.ttsbook-curves-svg, main img')];
  return {
    width: vw,
    scrollWidth: (document.scrollingElement || document.documentElement).scrollWidth,
    wide: [...new Set(figs)].filter(e => {
      const b = e.getBoundingClientRect();
      return b.width > 0 && (b.right > vw + 1 || b.left < -1);
    }).map(e => ({src: e.getAttribute('src') || 'inline svg', width: Math.round(e.getBoundingClientRect().width)})),
  };
}"""

# Every figure: SVG, or a bitmap of at least MIN_DENSITY; for SVG files made by matplotlib the
# smallest font at its rendered size (glyph groups carry `scale(s -s)` with s = size in pt / 100).
# The file measured is the one the browser shows (`currentSrc`: a <picture>'s phone variant on a phone).
JS_FIGURE_QUALITY = """async () => {
  const out = [];
  for (const img of [...document.querySelectorAll('article img, main img')]) {
    const b = img.getBoundingClientRect();
    if (b.width === 0) continue;
    const src = img.currentSrc || img.src;
    const row = {src: img.getAttribute('src'), shown: src, rendered: b.width, natural: img.naturalWidth,
                 svg: /\\.svg($|[?#])|^data:image\\/svg/.test(src), min_font_pt: null};
    if (row.svg) {
      try {
        const doc = new DOMParser().parseFromString(await (await fetch(src)).text(), 'image/svg+xml');
        const root = doc.documentElement;
        const wpt = parseFloat(root.getAttribute('width'));
        const unit = (root.getAttribute('width') || '').replace(/[\\d.\\s]/g, '') || 'px';
        const widthPt = unit === 'pt' ? wpt : wpt * 0.75;
        let smallest = Infinity;
        for (const g of doc.querySelectorAll('g[id^="text_"], g[id^="legend"] g[id^="text_"]')) {
          let size = 0;
          for (const t of g.querySelectorAll('[transform]')) {
            const m = /scale\\(([\\d.]+) -[\\d.]+\\)/.exec(t.getAttribute('transform'));
            if (m) size = Math.max(size, 100 * parseFloat(m[1]));
          }
          if (size > 0) smallest = Math.min(smallest, size);
        }
        if (isFinite(smallest) && widthPt > 0) row.min_font_pt = smallest * b.width / (widthPt * 4 / 3);
      } catch (e) { row.error = String(e); }
    }
    out.push(row);
  }
  return out;
}"""

# For each slider: whether moving it changes the curves and, when the figure has a note, whether
# the note says something new (its text with the sliders' shown values taken out changes).
JS_SLIDER_CHANGES = """() => {
  const figs = [...document.querySelectorAll('.ttsbook-curves')];
  return figs.map(fig => {
    const paths = () => [...fig.querySelectorAll('path.ttsbook-curve')].map(p => p.getAttribute('d'));
    const noteEl = fig.querySelector('.ttsbook-curves-note');
    const note = () => {
      let text = noteEl ? noteEl.textContent : '';
      for (const o of fig.querySelectorAll('output')) text = text.split(o.textContent).join('#');
      return text;
    };
    const before = paths(), noteBefore = note();
    const changed = [], notes = [];
    for (const input of fig.querySelectorAll('input[type=range]')) {
      const old = input.value;
      input.value = String(+old === +input.max ? +input.min : +input.max);
      input.dispatchEvent(new Event('input', {bubbles: true}));
      changed.push(JSON.stringify(paths()) !== JSON.stringify(before));
      notes.push(note() !== noteBefore);
      input.value = old;
      input.dispatchEvent(new Event('input', {bubbles: true}));
    }
    return {id: fig.id, n_paths: before.length, drawn: before.every(d => d && d.length > 10), changed,
            has_note: !!noteBefore, notes_changed: notes,
            labels: [...fig.querySelectorAll('.ttsbook-curves-xlabel, .ttsbook-curves-ylabel')].map(
              e => ({math: !!e.querySelector('mjx-container'), text: e.textContent.slice(0, 60)}))};
  });
}"""

# The interactive figures' text at its rendered size (SVG font size times the drawing's scale).
JS_CURVES_TEXT = """() => [...document.querySelectorAll('svg.ttsbook-curves-svg')].map(svg => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const sizes = [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
  return {min_px: sizes.length ? Math.min(...sizes) : null};
})"""
MIN_CURVES_PX = 12.0  # 9 pt, as MIN_FONT_PT


def column_overflow_problems(found: list[dict]) -> list[str]:
    return [f"{f['kind']} {f['width']} px wide in a {f['column']} px column: {f['text']!r}" for f in found]


def phone_figure_problems(found: dict) -> list[str]:
    problems = [f"figure {f['src']} is {f['width']} px wide on a {found['width']} px screen" for f in found["wide"]]
    if found["scrollWidth"] > found["width"]:
        problems.append(f"the page scrolls sideways: {found['scrollWidth']} px on a {found['width']} px screen")
    return problems


def figure_quality_problems(found: list[dict]) -> list[str]:
    problems = []
    for f in found:
        if f.get("error"):
            problems.append(f"{f['src']}: could not read the SVG ({f['error']})")
        elif not f["svg"] and f["natural"] < MIN_DENSITY * f["rendered"] - 0.5:
            problems.append(
                f"{f['src']}: a bitmap {f['natural']} px wide shown {f['rendered']:.0f} px wide "
                f"({f['natural'] / f['rendered']:.2f}x, needs {MIN_DENSITY:g}x): blurry"
            )
        elif f["svg"] and f["min_font_pt"] is not None and f["min_font_pt"] < MIN_FONT_PT - 0.05:
            problems.append(f"{f['src']}: smallest text {f['min_font_pt']:.1f} pt as shown (needs {MIN_FONT_PT:g} pt)")
    return problems


def phone_figure_text_problems(found: list[dict]) -> list[str]:
    """Figures whose smallest text is drawn under MIN_PHONE_FONT_PX CSS pixels (1 pt = 4/3 px)."""
    problems = []
    for f in found:
        if f.get("error"):
            problems.append(f"{f['src']}: could not read the SVG ({f['error']})")
        elif f["svg"] and f["min_font_pt"] is not None and f["min_font_pt"] * 4 / 3 < MIN_PHONE_FONT_PX - 0.05:
            shown = f.get("shown", "").rsplit("/", 1)[-1]
            problems.append(
                f"{f['src']} (showing {shown}, {f['rendered']:.0f} px wide): smallest text "
                f"{f['min_font_pt'] * 4 / 3:.1f} px (needs {MIN_PHONE_FONT_PX:g} px)"
            )
    return problems


def _launch(pw):
    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


@contextlib.contextmanager
def _page(docname: str, width: int, height: int = 900):
    """A page of the built book in headless Chromium at ``width`` × ``height`` CSS pixels."""
    from playwright import sync_api

    server, base = _serve(HTML)
    try:
        with sync_api.sync_playwright() as pw:
            browser = _launch(pw)
            try:
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(f"{base}/{docname}.html", wait_until="load", timeout=90_000)
                yield page
            finally:
                browser.close()
    finally:
        server.shutdown()


def _desktop_layout(page) -> dict:
    """Column overflow, figure quality and the sliders of a loaded page at 1280 px, with every
    dropdown opened (so hidden code and outputs are measured too)."""
    page.evaluate(JS_OPEN_ALL)
    page.evaluate(JS_IMAGES)  # every image loaded
    return {
        "overflow": page.evaluate(JS_COLUMN_OVERFLOW),
        "quality": page.evaluate(JS_FIGURE_QUALITY),
        "sliders": page.evaluate(JS_SLIDER_CHANGES),
    }


def _phone_layout(page) -> dict:
    """Figures, their text and sideways scrolling of a loaded page at 390 px, every dropdown opened."""
    page.evaluate(JS_OPEN_ALL)
    page.evaluate(JS_IMAGES)
    return {
        "phone": page.evaluate(JS_PHONE_FIGURES),
        "curves_text": page.evaluate(JS_CURVES_TEXT),
        "phone_quality": page.evaluate(JS_FIGURE_QUALITY),
    }


def measure_layout(url: str, pw_browser) -> dict:
    """The four layout checks on one page: column overflow and figure quality at 1280 px,
    figures and sideways scrolling at 390 px, and the interactive figures' sliders. The book's
    pages get them during the crawl (:func:`crawl`); this measures any other page."""
    desktop = pw_browser.new_context(viewport={"width": DESKTOP_WIDTH, "height": 900})
    phone = pw_browser.new_context(viewport={"width": PHONE_WIDTH, "height": 844}, is_mobile=True, has_touch=True)
    try:
        out = {}
        for context, measure in ((desktop, _desktop_layout), (phone, _phone_layout)):
            page = context.new_page()
            page.goto(url, wait_until="load", timeout=30_000)
            page.evaluate(JS_WAIT_MATHJAX, MATHJAX_TIMEOUT_MS)
            out.update(measure(page))
    finally:
        desktop.close()
        phone.close()
    return out


@pytest.fixture(scope="module")
def layout(crawl) -> dict[str, dict]:
    """The layout checks on every page of the table of contents, measured during the crawl."""
    return {d: crawl[d].layout for d in PAGES}


@pytest.mark.parametrize("docname", PAGES)
def test_nothing_overflows_the_column_at_1280(layout, docname):
    """Code, output, tables and display equations fit the content column (code wraps)."""
    problems = column_overflow_problems(layout[docname]["overflow"])
    assert not problems, f"{docname} at {DESKTOP_WIDTH} px:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("docname", PAGES)
def test_figures_fit_a_phone_screen(layout, docname):
    problems = phone_figure_problems(layout[docname]["phone"])
    assert not problems, f"{docname} at {PHONE_WIDTH} px:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("docname", PAGES)
def test_figures_are_sharp_and_readable(layout, docname):
    """SVG, or bitmaps of at least 2x density; SVG text at least 9 pt as shown at 1280 px."""
    problems = figure_quality_problems(layout[docname]["quality"])
    assert not problems, f"{docname}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("docname", PAGES)
def test_figures_are_legible_on_a_phone(layout, docname):
    """At 390 px every static figure's smallest text is at least 9 CSS px as drawn: a figure shows
    its phone variant there (its panels in one column, book/_ext/phone_figures.py)."""
    problems = phone_figure_text_problems(layout[docname]["phone_quality"])
    assert not problems, f"{docname} at {PHONE_WIDTH} px:\n  " + "\n  ".join(problems)


def test_interactive_figures_respond_to_their_sliders(layout):
    """Each chapter's interactive figures are drawn and every slider changes the curves."""
    found = {d: layout[d]["sliders"] for d in PAGES if layout[d]["sliders"]}
    assert found, "no interactive figure (.ttsbook-curves) in the book"
    problems = [
        f"{d}: {f['id']}: drawn={f['drawn']}, sliders that change it: {f['changed']}"
        for d, figs in found.items()
        for f in figs
        if not f["drawn"] or not f["n_paths"] or not all(f["changed"])
    ]
    assert not problems, "\n  ".join(problems)


def test_interactive_figures_notes_follow_their_sliders_and_labels_are_mathematics(layout):
    """A note under an interactive figure says something new for every slider (not only the
    slider's value), and the axis labels are typeset by MathJax."""
    problems = []
    for d in PAGES:
        for f in layout[d]["sliders"]:
            if f["has_note"] and not all(f["notes_changed"]):
                problems.append(f"{d}: {f['id']}: the note does not change with sliders {f['notes_changed']}")
            if len(f["labels"]) != 2 or not all(label["math"] for label in f["labels"]):
                problems.append(f"{d}: {f['id']}: axis labels not typeset as mathematics: {f['labels']}")
    assert not problems, "\n  ".join(problems)


@pytest.mark.parametrize("docname", PAGES)
def test_interactive_figures_are_legible_on_a_phone(layout, docname):
    small = [
        f
        for f in layout[docname].get("curves_text", [])
        if f["min_px"] is not None and f["min_px"] < MIN_CURVES_PX - 0.05
    ]
    assert not small, (
        f"{docname} at {PHONE_WIDTH} px: interactive figures with text of "
        f"{[round(f['min_px'], 1) for f in small]} px (needs {MIN_CURVES_PX:g} px)"
    )


# --- the two sidebars, the search page ------------------------------------------------------

SIDEBARS = """(which) => {
  const shown = e => { if (!e) return false; const r = e.getBoundingClientRect();
    return r.width > 50 && r.height > 50 && r.right > 0 && r.left < innerWidth
           && getComputedStyle(e).visibility !== 'hidden'; };
  const sidebar = document.getElementById(`pst-${which}-sidebar`);
  const dialog = document.getElementById(`pst-${which}-sidebar-modal`);
  const links = e => !!e && [...e.querySelectorAll('a')].some(shown);
  return {inline: shown(sidebar) && links(sidebar), dialog: !!(dialog && dialog.open && links(dialog))};
}"""
TOGGLE_PAGE = "book/03_cot"  # a chapter: both sidebars have content


def _click_visible(page, selector: str) -> int:
    visible = [b for b in page.query_selector_all(selector) if b.is_visible()]
    if visible:
        visible[0].click()
        page.wait_for_timeout(300)
    return len(visible)


@pytest.fixture(scope="module")
def toggles() -> dict:
    """At 390 and 1280 px, each sidebar's state before and after clicking its visible button."""
    from playwright import sync_api

    server, base = _serve(HTML)
    out = {}
    try:
        with sync_api.sync_playwright() as pw:
            browser = _launch(pw)
            try:
                for width in (PHONE_WIDTH, DESKTOP_WIDTH):
                    for which in ("primary", "secondary"):
                        context = browser.new_context(viewport={"width": width, "height": 844})
                        page = context.new_page()
                        page.goto(f"{base}/{TOGGLE_PAGE}.html", wait_until="load", timeout=90_000)
                        page.wait_for_timeout(200)
                        states = [page.evaluate(SIDEBARS, which)]
                        n_buttons = _click_visible(page, f".{which}-toggle")
                        states.append(page.evaluate(SIDEBARS, which))
                        page.keyboard.press("Escape")  # closes a dialog
                        page.wait_for_timeout(200)
                        if states[0]["inline"]:  # a shown sidebar: collapse, restore
                            _click_visible(page, f".{which}-toggle")
                        states.append(page.evaluate(SIDEBARS, which))
                        out[width, which] = {"buttons": n_buttons, "states": states}
                        context.close()
            finally:
                browser.close()
    finally:
        server.shutdown()
    return out


@pytest.mark.parametrize("which", ["primary", "secondary"])
@pytest.mark.parametrize("width", [PHONE_WIDTH, DESKTOP_WIDTH])
def test_sidebar_buttons_open_their_sidebars(toggles, width, which):
    """The site menu (primary) and the page contents (secondary): on a phone the visible button
    opens the sidebar; at 1280 px a sidebar shown beside the text is collapsed by its button and
    shown again by a second click, or, hidden, opened by it."""
    found = toggles[width, which]
    before, after, restored = found["states"]
    shown = lambda s: s["inline"] or s["dialog"]  # noqa: E731
    if width == PHONE_WIDTH or not shown(before):
        assert found["buttons"] >= 1, f"{which} sidebar at {width} px: no visible button"
        assert not shown(before) and shown(after), (
            f"{which} sidebar at {width} px: clicking its button did not open it ({found})"
        )
    elif found["buttons"]:
        assert not shown(after) and shown(restored), (
            f"{which} sidebar at {width} px: its button does not collapse and restore it ({found})"
        )


# After a tap on an entry of the page contents (a dialog on a phone): whether the dialog is open
# and where the chosen section's heading sits in the window.
CHOSEN = """(id) => {
  const dialog = document.querySelector("#pst-secondary-sidebar-modal");
  const heading = document.getElementById(id);
  return {open: !!(dialog && dialog.open), top: heading ? heading.getBoundingClientRect().top : null,
          height: window.innerHeight};
}"""


def test_choosing_an_entry_of_the_page_contents_closes_them_on_a_phone():
    """On a phone "On this page" opens over the text; choosing a section closes it and shows the
    section (book/_static/ttsbook.js)."""
    with _page(TOGGLE_PAGE, PHONE_WIDTH, 844) as page:
        assert _click_visible(page, ".secondary-toggle"), "no visible page-contents button on a phone"
        links = page.locator("#pst-secondary-sidebar-modal a[href^='#']")
        assert links.count() >= 3, "the page-contents dialog lists fewer than three sections"
        entry = links.nth(links.count() // 2)
        target = entry.get_attribute("href")[1:]
        entry.click()
        page.wait_for_timeout(600)
        state = page.evaluate(CHOSEN, target)
    assert not state["open"], "the page contents stay open over the text after choosing a section"
    assert state["top"] is not None and 0 <= state["top"] < state["height"] / 2, (
        f"section #{target} is not shown after choosing it: its heading is at {state['top']} px"
    )


def test_one_search_box_at_1280():
    """The site menu's search field is the only search box on a wide screen."""
    with _page(TOGGLE_PAGE, DESKTOP_WIDTH) as page:
        boxes = [b for b in page.query_selector_all(".search-button-field, form.bd-search") if b.is_visible()]
        header = page.evaluate(
            "() => { const h = document.querySelector('.bd-header'); return h ? h.getBoundingClientRect().height : 0; }"
        )
    assert len(boxes) == 1, f"{len(boxes)} search boxes at {DESKTOP_WIDTH} px"
    assert header == 0, f"an empty {header:.0f} px bar above the page at {DESKTOP_WIDTH} px"


def test_verdict_boxes_differ_by_verdict():
    """Chapter 5 has all three verdicts: each in its own box, in three different colours."""
    with _page("book/05_overthinking", DESKTOP_WIDTH) as page:
        colours = page.evaluate("""() => Object.fromEntries(
          ['reproduced', 'regime', 'not-reproduced'].map(v => {
            const box = document.querySelector(`div.admonition.ttsbook-verdict-${v}`);
            return [v, box ? getComputedStyle(box).borderLeftColor : null];
          }))""")
    assert all(colours.values()), f"chapter 5 lacks a verdict box: {colours}"
    assert len(set(colours.values())) == 3, f"verdict boxes share a colour: {colours}"


# Words searched for, and the stem a quote must show (the search matches "overthinks" too).
SEARCH_WORDS = {"overthinking": "overthink", "Hessian": "hessian", "mixture": "mixtur"}
# Text of the page's buttons and navigation, which a quote of the page's text never holds.
NOT_TEXT = (".pdf", ".ipynb", "Repository", "Open issue", "Contents ", "Show code cell")


def test_search_results_quote_the_page_text():
    """Each result of the search page quotes the page's text around the word searched for,
    not its header's buttons, its table of contents or its code cells' toggles."""
    from playwright import sync_api

    server, base = _serve(HTML)
    problems, seen = [], 0
    try:
        with sync_api.sync_playwright() as pw:
            browser = _launch(pw)
            try:
                page = browser.new_page(viewport={"width": DESKTOP_WIDTH, "height": 900})
                for word, stem in SEARCH_WORDS.items():
                    page.goto(f"{base}/search.html?q={word}", wait_until="load", timeout=90_000)
                    page.wait_for_function(
                        "() => document.querySelector('#search-results p.search-summary')", timeout=90_000
                    )
                    page.wait_for_timeout(1500)  # the quotes are fetched page by page
                    for item in page.query_selector_all("#search-results li"):
                        quote = item.query_selector("p.context")  # pages have one, API entries none
                        if quote is None:
                            continue
                        text = quote.inner_text()
                        seen += 1
                        if stem not in text.lower() or any(t in text for t in NOT_TEXT):
                            title = item.query_selector("a").inner_text()
                            problems.append(f"{word!r} in {title!r}: the quote reads {text[:100]!r}")
            finally:
                browser.close()
    finally:
        server.shutdown()
    assert seen, f"no search results quoting a page for {list(SEARCH_WORDS)}"
    assert not problems, "\n  ".join(problems)


# --- the checks on pages written to fail them (and on the same content laid out right) ---


def _fixture_svg(path: Path, width_in: float, font_pt: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width_in, width_in * 0.6))
    ax.plot([0, 1, 2], [1, 4, 9], label="series")
    ax.tick_params(labelsize=font_pt)
    ax.legend(fontsize=font_pt)
    fig.savefig(path, format="svg", metadata={"Date": None})
    plt.close(fig)


def _fixture_png(path: Path, width_px: int, dpi: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width_px / dpi, 0.6 * width_px / dpi), dpi=dpi)
    ax.plot([0, 1], [0, 1])
    fig.savefig(path, dpi=dpi)
    plt.close(fig)


FIXTURE_PAGE = """<!doctype html><html><head><meta name="viewport" content="width=device-width">
<style>body {{ margin: 0; }} article.bd-article {{ width: min(700px, 100%); padding: 0 10px; box-sizing: border-box; }}
pre {{ font: 14px monospace; }}</style>{css}</head><body><main><article class="bd-article">
<div class="cell"><div class="cell_input"><div class="highlight"><pre>{long_code}</pre></div></div>
<div class="cell_output"><div class="output text_plain"><pre>{long_code}</pre></div>
<img src="wide.svg" alt="wide figure"><img src="tiny.svg" alt="small fonts">
<picture><source media="screen and (max-width: 600px)" srcset="phone.svg"><img src="desk.svg"
 alt="a figure with a phone variant"></picture>
<img src="blurry.png" alt="1x bitmap" style="width: 400px">
<img src="sharp.png" alt="2x bitmap" style="width: 400px"></div></div>
<table class="table"><tr>{cells}</tr></table>
<mjx-container display="true" style="display: block"><span
 style="display: inline-block; width: 1200px">x = 1</span></mjx-container>
</article></main></body></html>"""


def _write_fixture(directory: Path, with_css: bool) -> None:
    css = f"<style>{(ROOT / 'book' / '_static' / 'ttsbook.css').read_text()}</style>" if with_css else ""
    long_code = "values = [" + ", ".join(str(i) for i in range(200)) + "]"
    cells = "".join(f"<td>column_{i}</td>" for i in range(60))
    (directory / "page.html").write_text(FIXTURE_PAGE.format(css=css, long_code=long_code, cells=cells))
    _fixture_svg(directory / "wide.svg", 12.0, 10.0)  # 1152 px natural, shrunk to the column
    _fixture_svg(directory / "tiny.svg", 6.0, 6.0)  # fonts of 6 pt at natural size
    _fixture_svg(directory / "desk.svg", 6.4, 9.5)  # a book figure: legible at 1280 px, not at 390
    _fixture_svg(directory / "phone.svg", 4.5, 9.5)  # its phone variant: 9.5 pt on 432 px
    _fixture_png(directory / "blurry.png", 400, 100)  # 400 px shown at 400 px: 1x
    _fixture_png(directory / "sharp.png", 800, 200)  # 800 px shown at 400 px: 2x


@pytest.fixture(scope="module")
def fixture_layouts(tmp_path_factory) -> dict[str, dict]:
    """The layout checks on a deliberately broken page, without and with the book's CSS."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `apt-get install chromium`, or set CHROMIUM")
    from playwright import sync_api

    out = {}
    with sync_api.sync_playwright() as pw:
        browser = _launch(pw)
        try:
            for name, with_css in (("broken", False), ("styled", True)):
                directory = tmp_path_factory.mktemp(name)
                _write_fixture(directory, with_css)
                server, base = _serve(directory)
                try:
                    out[name] = measure_layout(f"{base}/page.html", browser)
                finally:
                    server.shutdown()
        finally:
            browser.close()
    return out


def test_overflow_check_fails_on_a_broken_page(fixture_layouts):
    kinds = sorted({f["kind"] for f in fixture_layouts["broken"]["overflow"]})
    assert kinds == ["code", "equation", "output", "table"], fixture_layouts["broken"]["overflow"]


def test_book_css_wraps_code_and_output_but_wide_tables_and_equations_still_fail(fixture_layouts):
    """The CSS wraps code and output; a table or an equation wider than the column scrolls in
    its own box, which the 1280 px check still reports (its content is hidden)."""
    kinds = sorted({f["kind"] for f in fixture_layouts["styled"]["overflow"]})
    assert kinds == ["equation", "table"], fixture_layouts["styled"]["overflow"]


def test_phone_check_fails_on_a_broken_page(fixture_layouts):
    broken = phone_figure_problems(fixture_layouts["broken"]["phone"])
    assert any("wide.svg" in p for p in broken) and any("scrolls sideways" in p for p in broken), broken
    styled = fixture_layouts["styled"]["phone"]
    assert not styled["wide"], styled  # the CSS fits every figure to the screen


def test_figure_quality_check_fails_on_a_broken_page(fixture_layouts):
    problems = figure_quality_problems(fixture_layouts["broken"]["quality"])
    assert any("blurry.png" in p for p in problems), problems
    assert any("tiny.svg" in p and "6.0 pt" in p for p in problems), problems
    assert not any("sharp.png" in p for p in problems), problems
    styled = figure_quality_problems(fixture_layouts["styled"]["quality"])
    # shrunk to the 680 px column, the 12-inch figure's 10 pt labels become 10 * 680/1152 pt
    assert any("wide.svg" in p and "5.9 pt" in p for p in styled), styled


def test_phone_text_check_fails_on_a_too_small_figure(fixture_layouts):
    """At 390 px (the page's column 370 px wide): the 12-inch figure's 10 pt labels are drawn at
    10 * 4/3 * 370/1152 = 4.3 px and the 6-inch figure's 6 pt ones at 5.1 px; a <picture> shows its
    phone variant, 4.5 in wide, whose 9.5 pt labels are drawn at 10.8 px, not the desktop figure
    (6.4 in: 7.6 px)."""
    problems = phone_figure_text_problems(fixture_layouts["styled"]["phone_quality"])
    assert any("wide.svg" in p and "4.3 px" in p for p in problems), problems
    assert any("tiny.svg" in p and "5.1 px" in p for p in problems), problems
    assert not any("desk.svg" in p for p in problems), problems
    (shown,) = [f for f in fixture_layouts["styled"]["phone_quality"] if f["src"] == "desk.svg"]
    assert shown["shown"].endswith("/phone.svg") and round(shown["min_font_pt"] * 4 / 3, 1) == 10.8, shown
    (desktop,) = [f for f in fixture_layouts["styled"]["quality"] if f["src"] == "desk.svg"]
    assert desktop["shown"].endswith("/desk.svg"), desktop


def test_slider_check_sees_an_interactive_figure_change(tmp_path):
    """An interactive figure from ttsbook.plots.interactive_curves, alone on a page."""
    import numpy as np
    from playwright import sync_api

    from ttsbook import plots

    ks = np.arange(11)
    curves = lambda a: {"decay": a**ks, "flat": np.full(ks.size, 0.5)}  # noqa: E731
    fig = plots.interactive_curves(
        curves,
        ks,
        {"a": [0.2, 0.5, 0.9]},
        xlabel="$k$",
        ylabel="error",
        note=lambda a: f"a = {a}: the error after 10 steps is {a**10:.2g}",
    )
    echo = plots.interactive_curves(
        curves,
        ks,
        {"a": [0.2, 0.5, 0.9]},
        xlabel="$k$",
        ylabel="error",
        note=lambda a: f"a = {a}: the same words at every a",
    )
    (tmp_path / "page.html").write_text(
        f"<!doctype html><html><body><main><article>{fig.data}{echo.data}</article></main></body></html>"
    )
    server, base = _serve(tmp_path)
    try:
        with sync_api.sync_playwright() as pw:
            browser = _launch(pw)
            try:
                page = browser.new_page()
                errors = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(f"{base}/page.html", wait_until="load")
                found = page.evaluate(JS_SLIDER_CHANGES)
            finally:
                browser.close()
    finally:
        server.shutdown()
    assert not errors, errors
    assert len(found) == 2 and found[0]["n_paths"] == 2 and found[0]["drawn"], found
    assert found[0]["changed"] == [True], found
    assert found[0]["notes_changed"] == [True] and found[1]["notes_changed"] == [False], found
    assert not any(label["math"] for label in found[0]["labels"]), found  # no MathJax on this page
