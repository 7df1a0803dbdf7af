"""Sphinx extension: on a phone every figure is shown in its phone layout, its text legible.

A figure is drawn for the 672 px content column; a 390 px phone shows it about 358 px wide, its
text at 4 to 5 CSS px. While the book is built this extension sets ``TTSBOOK_NARROW_FIGURES``, so
the chapters' kernels also draw each figure with its panels in one column 4.5 in wide
(``ttsbook._figure_layout.narrow_svg``), which the myst-nb plugin ``PhoneFigures`` (an entry point
of the package) writes as a second image beside the figure. Here the two become one
``<picture>``: the phone variant below 600 px of screen width, the figure itself everywhere else
(the desktop, the PDF, which Chromium prints at A4 width, and every builder other than HTML).
Notebooks run anywhere else (Jupyter, Colab, nbval) show the plain SVG. ``tests/test_browser.py``
measures the smallest text of every figure at 390 px.
"""

from __future__ import annotations

import os
import posixpath
import urllib.parse
from html import escape

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from ttsbook._figure_layout import NARROW_CLASS, NARROW_ENV

MEDIA = "screen and (max-width: 600px)"
CLASS = "ttsbook-picture"


class picture(nodes.General, nodes.Element):  # noqa: N801 (docutils names nodes in lower case)
    """A figure and its phone variant: children ``[image, image]``."""


class PairPhoneFigures(SphinxPostTransform):
    """Each image of class ``ttsbook-narrow`` (the phone variant) with the figure before it: one
    :class:`picture` for HTML; for other builders the variant is dropped."""

    default_priority = 5  # after myst-nb chose the output to show (SelectMimeType, 4)

    def run(self, **kwargs) -> None:
        html = self.app.builder.format == "html"
        for narrow in list(self.document.findall(nodes.image)):
            if NARROW_CLASS not in narrow["classes"]:
                continue
            parent = narrow.parent
            i = parent.index(narrow)
            wide = parent[i - 1] if i > 0 else None
            parent.remove(narrow)
            if html and isinstance(wide, nodes.image):
                pair = picture()
                parent.replace(wide, pair)
                pair += [wide, narrow]


def visit_picture(self, node: picture) -> None:
    wide, narrow = node.children
    uri = narrow["uri"]
    if uri in self.builder.images:
        uri = posixpath.join(self.builder.imgpath, urllib.parse.quote(self.builder.images[uri]))
    self.body.append(f'<picture class="{CLASS}"><source media="{MEDIA}" srcset="{escape(uri)}">')
    wide.walkabout(self)
    self.body.append("</picture>")
    raise nodes.SkipNode


def setup(app):
    before = os.environ.get(NARROW_ENV)
    os.environ[NARROW_ENV] = "1"  # read by the display hook in the kernels the build starts

    def restore(app, exception) -> None:  # kernels started after the build (nbval) draw no variant
        if before is None:
            os.environ.pop(NARROW_ENV, None)
        else:
            os.environ[NARROW_ENV] = before

    app.connect("build-finished", restore)
    app.add_node(picture, html=(visit_picture, None))
    app.add_post_transform(PairPhoneFigures)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
