"""Sphinx extension: a chapter that imports the package depends on every file of the package.

Sphinx re-reads a document only when its source, or a file declared as its dependency, changed
since the last build; myst-nb executes each document it reads (``execute_notebooks: force``).
Without this, a change to ``ttsbook/theory.py`` re-reads only the API page and the HTML keeps the
outputs of the old package. Here, every document whose source imports the package
(``import ttsbook`` or ``from ttsbook``) declares every package file (modules and checkpoints)
as a dependency, so a change to the package re-executes those chapters, and a change elsewhere
(``tests/``) none.

Configuration: ``package_dependencies_name`` (default ``"ttsbook"``) and
``package_dependencies_files`` (globs relative to the source directory; default
``["ttsbook/**/*.py", "ttsbook/checkpoints/*.pt"]``).
"""

from __future__ import annotations

import re
from pathlib import Path


def package_files(srcdir: str | Path, patterns: list[str]) -> list[Path]:
    """The files matching ``patterns`` under ``srcdir``, sorted."""
    root = Path(srcdir)
    return sorted({p for pattern in patterns for p in root.glob(pattern) if p.is_file()})


def imports_package(source: str, name: str) -> bool:
    return re.search(rf"^\s*(import|from)\s+{re.escape(name)}\b", source, re.MULTILINE) is not None


def note_package_dependencies(app, docname, source):
    if not imports_package(source[0], app.config.package_dependencies_name):
        return
    for path in package_files(app.srcdir, app.config.package_dependencies_files):
        app.env.note_dependency(str(path))


def setup(app):
    app.add_config_value("package_dependencies_name", "ttsbook", "env")
    app.add_config_value("package_dependencies_files", ["ttsbook/**/*.py", "ttsbook/checkpoints/*.pt"], "env")
    app.connect("source-read", note_package_dependencies)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
