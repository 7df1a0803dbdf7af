"""Sphinx extension: the execution table's status column in text glyphs every font has.

myst-nb's ``{nb-exec-table}`` marks each chapter with the emoji ✅ or ❌, which print as empty
boxes where no emoji font is installed (many Linux desktops, the PDF). After myst-nb has built
the table, they become ✓ ok and ✗ failed.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

STATUS = {"✅": "✓ ok", "❌": "✗ failed"}


class PlainStatus(SphinxPostTransform):
    default_priority = 9  # after myst-nb writes the table (8)

    def run(self, **kwargs) -> None:
        for text in list(self.document.findall(nodes.Text)):
            if str(text) in STATUS:
                text.parent.replace(text, nodes.Text(STATUS[str(text)]))


def setup(app):
    app.add_post_transform(PlainStatus)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
