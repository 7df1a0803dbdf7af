"""Every internal link with an anchor (page.html#name) in a built HTML book names an element that
exists: an ``id`` (or an ``<a name>``) of the target page. ``make linkcheck`` runs it beside
LinkChecker, which checks that the linked files exist.

Usage: python .github/anchors.py [_build/html]  (exit status 1 and the broken links listed)
"""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(key):
                self.ids.add(attrs[key])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def broken_anchors(root: Path) -> tuple[list[str], int]:
    """``"page.html: href"`` for each internal link whose anchor its target page lacks, and how
    many internal links with an anchor there are."""
    root = Path(root)
    if not (root / "index.html").is_file():
        raise ValueError(f"root must be a built HTML folder with an index.html, got {root}")
    pages = {}
    for path in sorted(root.rglob("*.html")):
        parser = _Page()
        parser.feed(path.read_text(encoding="utf-8", errors="replace"))
        pages[path.resolve()] = parser
    broken, checked = [], 0
    for path, page in pages.items():
        for href in page.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.fragment:
                continue  # external, or no anchor
            checked += 1
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            ids = pages[target].ids if target in pages else None
            if ids is None or unquote(parts.fragment) not in ids:
                broken.append(f"{path.relative_to(root.resolve())}: {href}")
    return broken, checked


if __name__ == "__main__":
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "_build/html")
    found, checked = broken_anchors(root)
    for line in found:
        print(f"broken anchor: {line}")
    print(f"{checked} internal links with an anchor in {root}: {len(found)} broken")
    sys.exit(1 if found else 0)
