"""Sphinx extension: the claims page is generated from the chapters' ``claim(...)`` calls.

The page ``book/claims`` holds a ``{claims-table}`` line (alone on its line); at every build it
is replaced by the table of ``ttsbook.claims.table``, read from the numbered chapters' MyST
sources with ``ttsbook.claims.collect``, so the page cannot drift from the chapters. The page is
rebuilt at every build, as any chapter may have changed.
"""

from __future__ import annotations

import re
from pathlib import Path

from sphinx.util import logging

from ttsbook import claims

PAGE = "book/claims"
MARKER = re.compile(r"^\{claims-table\}\s*$", re.M)
CHAPTER = re.compile(r"^book/\d+_[\w-]+$")
logger = logging.getLogger(__name__)


def fill(app, docname, source):
    if docname != PAGE:
        return
    paths = [Path(app.env.doc2path(d)) for d in sorted(app.env.found_docs) if CHAPTER.match(d)]
    try:
        text = claims.table(claims.collect([p for p in paths if p.suffix in (".md", ".ipynb")]))
    except ValueError as exc:
        logger.warning(f"claims page: {exc}", location=docname)
        text = "No claims could be read from the chapters.\n"
    source[0] = MARKER.sub(lambda _: text, source[0])


def always_outdated(app, env, added, changed, removed):
    return [PAGE] if PAGE in env.found_docs else []


def setup(app):
    app.connect("source-read", fill)
    app.connect("env-get-outdated", always_outdated)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
