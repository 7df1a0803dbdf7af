"""Sphinx extension: the claims page and the introduction's verdicts are generated from the
chapters' ``claim(...)`` calls.

- The page ``book/claims`` holds a ``{claims-table}`` line (alone on its line); at every build it
  is replaced by ``ttsbook.claims.page``: the counts by verdict, then the paper's claims and the
  book's extensions in two tables, read from the numbered chapters' MyST sources with
  ``ttsbook.claims.collect``, so the page cannot drift from the chapters. The page is rebuilt at
  every build, as any chapter may have changed.
- The directive ``{claims-summary}`` writes the counts by verdict (``ttsbook.claims.summary``).
- The directive ``{claims-overview}`` writes the introduction's short table of the claims: one
  row per verdict of the paper's claims and one for the book's extensions, each claim named in a
  few words and linked to the figure that tests it (``ttsbook.claims.overview``).
- The directive ``{claims-list}`` lists claims as the chapters state them, verdict first: the
  ids given as its content, one a line, or with ``:chapter: book/08_gpt2`` every claim of that
  chapter. A page using any of these directives is re-read when a chapter changes.
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from ttsbook import claims

PAGE = "book/claims"
MARKER = re.compile(r"^\{claims-table\}\s*$", re.M)
CHAPTER = re.compile(r"^book/\d+_[\w-]+$")
NUMBER = re.compile(r"(\d+)_")
logger = logging.getLogger(__name__)


def chapter_sources(env) -> list[Path]:
    """The MyST sources of the numbered chapters in the build."""
    paths = [Path(env.doc2path(d)) for d in sorted(env.found_docs) if CHAPTER.match(d)]
    return [p for p in paths if p.suffix in (".md", ".ipynb")]


def fill(app, docname, source):
    if docname != PAGE:
        return
    try:
        text = claims.page(claims.collect(chapter_sources(app.env)))
    except (TypeError, ValueError) as exc:
        logger.warning(f"claims page: {exc}", location=docname)
        text = "No claims could be read from the chapters.\n"
    source[0] = MARKER.sub(lambda _: text, source[0])


def always_outdated(app, env, added, changed, removed):
    return [PAGE] if PAGE in env.found_docs else []


class _ClaimsDirective(SphinxDirective):
    """Collects the chapters' claims and parses generated MyST in place."""

    def claims(self) -> list[claims.Claim]:
        paths = chapter_sources(self.env)
        for path in paths:
            self.env.note_dependency(str(path))
        return claims.collect(paths)

    def parse(self, text: str) -> list[nodes.Node]:
        container = nodes.container(classes=["ttsbook-claims-generated"])
        self.state.nested_parse(StringList(text.splitlines(), source=self.env.docname), self.content_offset, container)
        return container.children


class ClaimsSummary(_ClaimsDirective):
    """``{claims-summary}``: the counts by verdict, all claims, then the paper's and the book's."""

    has_content = False

    def run(self):
        return self.parse(claims.summary(self.claims()))


class ClaimsOverview(_ClaimsDirective):
    """``{claims-overview}``: the claims by verdict in one short table, the extensions apart."""

    has_content = False

    def run(self):
        return self.parse(claims.overview(self.claims()))


class ClaimsList(_ClaimsDirective):
    """``{claims-list}``: the claims named in the content (one id a line), or those of
    ``:chapter:``, each as its chapter's verdict box states it, with a link to the chapter."""

    has_content = True
    option_spec = {"chapter": directives.unchanged_required}

    def run(self):
        found = self.claims()
        by_id = {c.id: c for c in found}
        chapter = self.options.get("chapter")
        if chapter:
            chosen = [c for c in found if c.chapter == chapter]
            if not chosen:
                raise self.error(f"claims-list: chapter {chapter!r} states no claim")
        else:
            ids = [line.strip() for line in self.content if line.strip()]
            unknown = [i for i in ids if i not in by_id]
            if unknown or not ids:
                raise self.error(f"claims-list: no chapter states the claims {unknown or '(none given)'}")
            chosen = [by_id[i] for i in ids]
        lines = []
        for c in chosen:
            number = NUMBER.match(c.chapter.rsplit("/", 1)[-1])
            link = f"{{doc}}`chapter {int(number.group(1))} </{c.chapter}>`" if number else f"{{doc}}`/{c.chapter}`"
            text = f"{claims.ICON[c.verdict]} **{c.verdict.capitalize()}**: {c.claim.rstrip('.')}"
            text += f", when {c.regime}" if c.regime else ""
            text += f" ({{numref}}`{c.figure}`)" if c.figure else ""
            lines.append(f"- {text}; {link}.")
        return self.parse("\n".join(lines))


def setup(app):
    app.connect("source-read", fill)
    app.connect("env-get-outdated", always_outdated)
    app.add_directive("claims-summary", ClaimsSummary)
    app.add_directive("claims-overview", ClaimsOverview)
    app.add_directive("claims-list", ClaimsList)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
