"""Sphinx extension: glued numbers read as a paper prints them.

``{glue:text}`name:.3g``` normally shows Python's text of the number (``2.04e+13``,
``152202``). This role, registered in its place, formats a glued real number with
``ttsbook.number`` (``2.04 × 10¹³``, ``152,202``, a true minus sign); a glued string (for
example a ``ttsbook.count``) and a reference to another page are pasted as before. A number is
marked ``ttsbook-number``: the book's CSS keeps it on one line.
"""

from __future__ import annotations

from ast import literal_eval
from numbers import Real

from docutils import nodes
from myst_nb.ext.glue.roles import PasteTextRole
from myst_nb.ext.glue.utils import glue_warning, retrieve_glue_data

from ttsbook import number


class PaperNumberRole(PasteTextRole):
    def run(self):
        key, _, spec = self.text.rpartition(":")
        if not key:  # no format spec
            key, spec = spec, ""
        if "::" in key:  # glued on another page: resolved later, as before
            return super().run()
        try:
            result = retrieve_glue_data(self.document, key)
            value = literal_eval(result.data["text/plain"])
        except Exception:  # missing key, no text/plain, not a literal
            return super().run()
        if isinstance(value, bool) or not isinstance(value, Real):
            return super().run()
        try:
            text = number(value, spec)
        except (TypeError, ValueError) as exc:
            return [], [glue_warning(f"cannot format {key!r}: {exc}", self.document, self.line)]
        node = nodes.inline(text, text, classes=["pasted-text", "ttsbook-number"])
        self.set_source_info(node)
        return [node], []


def setup(app):
    app.setup_extension("myst_nb")
    app.add_role_to_domain("glue", "text", PaperNumberRole(), override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
