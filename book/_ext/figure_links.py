"""Sphinx extension: every figure a chapter's code draws opens at full size when tapped.

A figure is drawn for the 672 px content column at 1280 px; on a 390 px phone it is shown at
about half that size, its tick labels with it. Each image of a cell's output (a matplotlib
SVG) is wrapped in a link to the image file itself, which a phone's browser shows at its
natural size, to be zoomed and scrolled. ``tests/test_figures.py`` checks the links on a phone.
"""

from __future__ import annotations

import re

from docutils import nodes

CLASS = "ttsbook-figure"
# A figure's <img>, with the <picture> that holds it and its <source>s, if any (a <source>
# applies only to the <img> inside the same <picture>, so the link holds the whole <picture>).
_IMG = re.compile(
    r"(?:<picture\b[^>]*>\s*(?:<source\b[^>]*>\s*)*)?"
    r'<img\b(?=[^>]*\bclass="[^"]*\b' + CLASS + r"\b)[^>]*>"
    r"(?:\s*</picture>)?"
)
_SRC = re.compile(r'\bsrc="([^"]+)"')


def mark(app, doctree, docname):
    """Mark the images inside cell outputs (myst-nb's ``cell_output`` containers)."""
    for image in doctree.findall(nodes.image):
        parent, inside_output = image.parent, False
        while parent is not None:
            if isinstance(parent, nodes.reference):
                break
            if "cell_output" in parent.get("classes", []):
                inside_output = True
                break
            parent = parent.parent
        if inside_output:
            image["classes"].append(CLASS)


def link(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if not body or CLASS not in body:
        return

    def wrap(found: re.Match) -> str:
        src = _SRC.search(found.group(0))
        if src is None:
            return found.group(0)
        return (
            f'<a class="reference internal image-reference {CLASS}-link" href="{src.group(1)}" '
            f'title="Open the figure at full size">{found.group(0)}</a>'
        )

    context["body"] = _IMG.sub(wrap, body)


def setup(app):
    app.connect("doctree-resolved", mark)
    app.connect("html-page-context", link)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
