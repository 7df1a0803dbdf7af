"""Count what a reader should not have to read: e-notation in table cells, in printed output and
on the claims page, assert lines in visible code, and figures whose legend covers data.

    python tools/bookkeeping_counts.py                  # the built book, _build/html
    python tools/bookkeeping_counts.py --notebooks      # the executed notebooks book/*.ipynb
    python tools/bookkeeping_counts.py --notebooks --rev main   # ... as committed at a git revision

In the HTML a code cell is visible unless its input is collapsed or removed (tags
``hide-input``, ``hide-cell``, ``remove-input``, ``remove-cell``); in a notebook the same tags
are read from the cell's metadata. An assert counts with its continuation lines. A table cell is
in e-notation when its text holds a number such as ``1.2e-05`` or ``3E+4``; printed output
counts by lines (a chapter's stdout, or a text result that is not a table or a figure).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

from by_path import load

ROOT = Path(__file__).resolve().parents[1]
legend_coverage = load(ROOT / "tests" / "figure_svg.py").legend_coverage
E_NOTATION = re.compile(r"\d[eE][-+]?\d")
HIDDEN = {"hide-input", "hide-cell", "remove-input", "remove-cell"}


#: What is counted, in the built book and in the notebooks.
COUNTED = (
    "e-notation table cells",
    "e-notation printed lines",
    "e-notation on the claims page",
    "visible assert lines",
    "figures",
    "figures with a legend over data",
)
PRINTED = re.compile(r'class="output stream[^"]*"><div class="highlight"><pre>(.*?)</pre>', re.S)
TAG = re.compile(r"<[^>]+>")


def e_lines(text: str) -> int:
    """Lines of ``text`` with a number in e-notation."""
    return sum(bool(E_NOTATION.search(line)) for line in text.splitlines())


def assert_lines(source: str) -> int:
    """Lines of ``assert`` statements in code: the ``assert`` line and its continuation lines
    (indented deeper than it)."""
    count, depth = 0, None
    for line in source.splitlines():
        indent = len(line) - len(line.lstrip())
        if line.strip().startswith("assert"):
            count, depth = count + 1, indent
        elif depth is not None and line.strip() and indent > depth:
            count += 1
        else:
            depth = None if line.strip() else depth
    return count


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def table_cells(html: str) -> list[str]:
    return [
        _text(c)
        for table in re.findall(r"<table.*?</table>", html, re.S)
        for c in re.findall(r"<t[dh]\b[^>]*>(.*?)</t[dh]>", table, re.S)
    ]


def count_html(directory: Path) -> dict:
    from html.parser import HTMLParser

    class Cells(HTMLParser):
        """The input text of each code cell, with whether it is shown."""

        def __init__(self):
            super().__init__()
            self.stack, self.cells, self.current = [], [], None

        def handle_starttag(self, tag, attrs):
            classes = (dict(attrs).get("class") or "").split()
            if tag == "div" and "cell" in classes and "docutils" in classes:
                tags = {c[4:] for c in classes if c.startswith("tag_")}
                self.current = {"visible": not (tags & HIDDEN), "text": ""}
                self.cells.append(self.current)
            if tag not in ("br", "img", "input", "meta", "link", "hr"):
                self.stack.append((tag, "cell_input" in classes))

        def handle_endtag(self, tag):
            while self.stack:
                if self.stack.pop()[0] == tag:
                    break

        def handle_data(self, data):
            if self.current is not None and any(inp for _, inp in self.stack):
                self.current["text"] += data

    counts = dict.fromkeys(COUNTED, 0)
    pages = {}
    for page in sorted((directory / "book").glob("*.html")):
        html = page.read_text()
        parser = Cells()
        parser.feed(html)
        e_cells = sum(bool(E_NOTATION.search(c)) for c in table_cells(html))
        counts["e-notation printed lines"] += sum(e_lines(TAG.sub("", pre)) for pre in PRINTED.findall(html))
        asserts = sum(assert_lines(cell["text"]) for cell in parser.cells if cell["visible"])
        pages[page.stem] = (e_cells, asserts)
        counts["e-notation table cells"] += e_cells
        counts["visible assert lines"] += asserts
    claims_page = directory / "book" / "claims.html"
    if claims_page.exists():
        counts["e-notation on the claims page"] = e_lines(TAG.sub("", claims_page.read_text()))
    for svg in sorted((directory / "_images").glob("*.svg")):
        text = svg.read_text()
        if 'id="figure_1"' not in text:
            continue
        counts["figures"] += 1
        counts["figures with a legend over data"] += any(f["covered"] for f in legend_coverage(text))
    return {"total": counts, "by page (e-notation cells, visible assert lines)": pages}


def count_notebooks(rev: str | None) -> dict:
    if rev is None:
        files = {p.name: p.read_text() for p in sorted((ROOT / "book").glob("*.ipynb"))}
    else:
        names = subprocess.run(
            ["git", "-C", str(ROOT), "ls-tree", "--name-only", rev, "book/"], check=True, capture_output=True, text=True
        ).stdout.split()
        files = {
            Path(n).name: subprocess.run(
                ["git", "-C", str(ROOT), "show", f"{rev}:{n}"], check=True, capture_output=True, text=True
            ).stdout
            for n in names
            if n.endswith(".ipynb")
        }
    counts = dict.fromkeys(COUNTED, 0)
    pages = {}
    for name, text in files.items():
        nb = json.loads(text)
        e_cells = asserts = 0
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                continue
            tags = set(cell.get("metadata", {}).get("tags", []))
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            if not tags & HIDDEN:
                asserts += assert_lines(source)
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if output.get("name") == "stdout":
                    text = output["text"] if isinstance(output["text"], str) else "".join(output["text"])
                    counts["e-notation printed lines"] += e_lines(text)
                elif "text/plain" in data and not {"text/html", "image/svg+xml", "text/markdown"} & set(data):
                    plain = data["text/plain"] if isinstance(data["text/plain"], str) else "".join(data["text/plain"])
                    counts["e-notation printed lines"] += e_lines(plain)
                html = data.get("text/html")
                if html is not None:
                    html = html if isinstance(html, str) else "".join(html)
                    e_cells += sum(bool(E_NOTATION.search(c)) for c in table_cells(html))
                svg = data.get("image/svg+xml")
                if svg is not None:
                    counts["figures"] += 1
                    svg = svg if isinstance(svg, str) else "".join(svg)
                    counts["figures with a legend over data"] += any(f["covered"] for f in legend_coverage(svg))
        pages[name] = (e_cells, asserts)
        counts["e-notation table cells"] += e_cells
        counts["visible assert lines"] += asserts
    del counts["e-notation on the claims page"]  # a page of the built book only
    return {"total": counts, "by page (e-notation cells, visible assert lines)": pages}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html", nargs="?", default=str(ROOT / "_build" / "html"), help="the built HTML")
    parser.add_argument("--notebooks", action="store_true", help="count the executed notebooks instead")
    parser.add_argument("--rev", default=None, help="with --notebooks: a git revision (default: the files)")
    args = parser.parse_args(argv)
    result = count_notebooks(args.rev) if args.notebooks else count_html(Path(args.html))
    for key, value in result["total"].items():
        print(f"{key}: {value}")
    for page, (e_cells, asserts) in result["by page (e-notation cells, visible assert lines)"].items():
        print(f"  {page}: {e_cells} e-notation table cells, {asserts} visible assert lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
