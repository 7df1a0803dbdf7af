"""No page of the built book needs an emoji font: every character the reader sees is one that
the text fonts (DejaVu, the theme's) draw, so nothing prints as an empty box on a machine
without an emoji font or in the PDF. The execution table's status, emoji in myst-nb, is
rewritten by ``book/_ext/execution_status.py``.

Environment: ``BOOK_HTML`` (default ``_build/html``); without the built book the page test is
skipped with the command that builds it (``make test`` builds it and fails on a skip).
"""

from __future__ import annotations

import os
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html")).resolve()
# Emoji and pictographs, the dingbats that fonts draw only in colour (✅ ❌ ❎ ❓ ❗ ➕ …), the
# variation selector that asks for an emoji presentation.
EMOJI = re.compile("[\U0001f000-\U0001faff\u2705\u274c\u274e\u2753-\u2755\u2757\u2795-\u2797\ufe0f]")


class _Text(HTMLParser):
    """The text a reader sees: everything outside <script> and <style>."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def emoji_in(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return sorted(set(EMOJI.findall("".join(parser.parts))))


def test_the_check_sees_an_emoji_but_not_a_text_glyph():
    assert emoji_in("<p>Status ✅</p><script>'❌'</script>") == ["✅"]
    assert emoji_in("<p>✓ ok, ✗ failed, ◐ regime, → 10⁻⁶ ± 2</p>") == []


def test_execution_status_becomes_text():
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    from docutils import nodes
    from docutils.utils import new_document
    from execution_status import PlainStatus

    document = new_document("test")
    document += nodes.paragraph("", "", nodes.Text("✅"))
    document += nodes.paragraph("", "", nodes.Text("❌"))
    PlainStatus(document).run()
    assert [p.astext() for p in document.findall(nodes.paragraph)] == ["✓ ok", "✗ failed"]


@pytest.mark.skipif(not HTML.exists(), reason=f"no built book at {HTML}: run `make book`")
def test_no_page_needs_an_emoji_font():
    pages = sorted(p for p in HTML.rglob("*.html") if "_static" not in p.parts)
    assert len(pages) > 10, f"only {len(pages)} pages under {HTML}"
    found = {str(p.relative_to(HTML)): emoji_in(p.read_text(errors="replace")) for p in pages}
    found = {page: glyphs for page, glyphs in found.items() if glyphs}
    assert not found, f"characters that need an emoji font: {found}"
