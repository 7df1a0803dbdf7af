"""Sphinx extension: a figure's image is described by its caption.

A figure that a chapter's code draws has no alt text of its own, so the HTML writer would use
the image's file name (a hash) for it. Each image inside a figure without alt text gets the
caption's text: its first sentence (a screen reader reads the whole caption below it anyway),
with the formulas as their TeX source.
"""

from __future__ import annotations

import re

from docutils import nodes

_SENTENCE = re.compile(r"^(.+?[.!?])(?=\s|$)")


def describe(app, doctree, docname):
    for figure in doctree.findall(nodes.figure):
        captions = [c for c in figure.children if isinstance(c, nodes.caption)]
        if not captions:
            continue
        text = " ".join(captions[0].astext().split())
        sentence = _SENTENCE.match(text)
        alt = sentence.group(1) if sentence else text
        for image in figure.findall(nodes.image):
            if not image.get("alt"):
                image["alt"] = alt


def setup(app):
    app.connect("doctree-resolved", describe)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
