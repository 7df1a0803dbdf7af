"""Sphinx extension: drop repeated inline scripts from every page.

With Jupyter Book 1.0 and Sphinx 7, the inline configuration scripts of sphinx-thebe and
sphinx-togglebutton are added to each page twice, and the second ``const THEBE_JS_URL``
raises "Identifier 'THEBE_JS_URL' has already been declared" in the reader's browser.
(Sphinx keeps both: one copy has filename None, the other "".) Scripts that repeat an earlier
one (same file, same attributes, same body) are removed.
"""

from __future__ import annotations


def _key(script) -> tuple:
    attributes = getattr(script, "attributes", {}) or {}
    filename = getattr(script, "filename", script) or ""  # inline scripts: None or ""
    return (str(filename), tuple(sorted((k, str(v)) for k, v in attributes.items())))


def dedupe(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        key = _key(script)
        if key not in seen:
            seen.add(key)
            kept.append(script)
    scripts[:] = kept


def setup(app):
    # Early: html-page-context stops at the first handler that returns a template name.
    app.connect("html-page-context", dedupe, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
