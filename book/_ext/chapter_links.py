"""Sphinx extension: under every public name on the API page, link the chapters that use it.

A chapter uses ``theory.gamma`` when its MyST source (``book/NN_*.md``) mentions
``theory.gamma`` or ``ttsbook.theory.gamma``. The chapters are found again at every build,
so the API page follows the book as chapters are added; a name no chapter mentions is linked
to the chapters its module's docstring names.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

CHAPTER = re.compile(r"^book/(\d+)_[\w-]+$")
DOC_ROLE = re.compile(r":doc:`(/book/\d+_[\w-]+)`")


def _chapters(app) -> dict[str, str]:
    """docname -> MyST source text, for the numbered chapters in the build."""
    out = {}
    for docname in sorted(app.env.found_docs):
        if CHAPTER.match(docname):
            path = Path(app.srcdir, docname + ".md")
            if path.exists():
                out[docname] = path.read_text()
    return out


def _links(app, docnames) -> str:
    """``chapter 1, chapter 3``, each a link (the link text never holds a title's math)."""
    return ", ".join(f":doc:`chapter {int(CHAPTER.match(d).group(1))} </{d}>`" for d in docnames)


def add_chapters(app, what, name, obj, options, lines):
    parts = name.split(".")
    if parts[0] != "ttsbook" or len(parts) not in (2, 3) or what not in {"function", "class", "exception", "data"}:
        return
    module_name, member = ".".join(parts[:-1]), parts[-1]
    module = sys.modules.get(module_name)
    if module is None or member not in getattr(module, "__all__", []):
        return
    if not hasattr(app, "_chapter_sources"):
        app._chapter_sources = _chapters(app)
    if len(parts) == 3:  # ttsbook.theory.gamma: written theory.gamma in the chapters
        pattern = re.compile(rf"\b(?:ttsbook\.)?{parts[1]}\.{re.escape(member)}\b")
    else:  # ttsbook.glue: imported by name from the package
        pattern = re.compile(rf"\bttsbook\.{member}\b|from ttsbook import [^\n]*\b{member}\b")
    using = [d for d, text in app._chapter_sources.items() if pattern.search(text)]
    if using:
        lines += ["", f"*Used in* {_links(app, using)}."]
        return
    named = [d.lstrip("/") for d in DOC_ROLE.findall(module.__doc__ or "")]
    named = [d for d in dict.fromkeys(named) if d in app.env.found_docs]
    if named:
        lines += ["", f"*Explained with its module in* {_links(app, named)}."]


def setup(app):
    app.connect("autodoc-process-docstring", add_chapters)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
