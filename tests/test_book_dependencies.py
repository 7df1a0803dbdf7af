"""The book is never stale: a change to the package re-executes the chapters that import it.

A tiny Sphinx project with myst-nb (``nb_execution_mode = "force"``, as the book) and
``book/_ext/package_dependencies.py`` holds a package ``pkg`` and two MyST notebooks, one that
imports ``pkg`` and prints ``pkg.VALUE``, one that does not. After a first build, a change to
a package module must make the next incremental build re-read and re-execute the first
notebook (its HTML shows the new value) and only it; a change to a file outside the package
(a test) must re-read nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

pytest.importorskip("myst_nb")
from sphinx.application import Sphinx  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXT = ROOT / "book" / "_ext"
HEADER = """---
jupytext:
  text_representation: {extension: .md, format_name: myst}
kernelspec: {display_name: Python 3, language: python, name: python3}
---
"""
USES = HEADER + "# Uses\n\n```{code-cell} ipython3\nimport pkg\nprint('value', pkg.VALUE)\n```\n"
OTHER = HEADER + "# Other\n\n```{code-cell} ipython3\nprint('value', 40 + 2)\n```\n"
CONF = f"""
import sys
sys.path.insert(0, {str(EXT)!r})
extensions = ["myst_nb", "package_dependencies"]
nb_execution_mode = "force"
package_dependencies_name = "pkg"
package_dependencies_files = ["pkg/**/*.py"]
exclude_patterns = ["_build", "pkg", "tests"]
"""


def _later(path: Path) -> None:
    """Move the file's mtime into the future: a change the next build must see."""
    t = path.stat().st_mtime + 10
    os.utime(path, (t, t))


def build(src: Path) -> list[str]:
    """Run an incremental HTML build; the documents it read."""
    read: list[str] = []
    app = Sphinx(
        str(src),
        str(src),
        str(src / "_build" / "html"),
        str(src / "_build" / "doctrees"),
        "html",
        status=None,
        warning=None,
        freshenv=False,
    )
    app.connect("env-before-read-docs", lambda app, env, docnames: read.extend(sorted(docnames)))
    app.build()
    return read


@pytest.fixture()
def project(tmp_path):
    (tmp_path / "conf.py").write_text(CONF)
    (tmp_path / "index.md").write_text("# Book\n\n```{toctree}\nuses\nother\n```\n")
    (tmp_path / "uses.md").write_text(USES)
    (tmp_path / "other.md").write_text(OTHER)
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "__init__.py").write_text("from .sub.values import VALUE\n")
    (tmp_path / "pkg" / "sub" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "sub" / "values.py").write_text("VALUE = 1\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_pkg.py").write_text("def test(): pass\n")
    return tmp_path


def test_a_package_change_re_executes_the_chapters_importing_it(project):
    assert build(project) == ["index", "other", "uses"]
    assert "value 1" in (project / "_build" / "html" / "uses.html").read_text()
    assert build(project) == []  # nothing changed: nothing re-read

    (project / "tests" / "test_pkg.py").write_text("def test(): assert True\n")
    _later(project / "tests" / "test_pkg.py")
    assert build(project) == [], "a change outside the package re-read the book"

    values = project / "pkg" / "sub" / "values.py"
    values.write_text("VALUE = 2\n")
    _later(values)
    assert build(project) == ["uses"], "the chapter importing the package was not re-read"
    html = (project / "_build" / "html" / "uses.html").read_text()
    assert "value 2" in html and "value 1" not in html, "the chapter shows the old package's output"


def test_the_book_declares_its_package_as_a_dependency():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["sphinx"]["local_extensions"].get("package_dependencies") == "book/_ext"
    assert config["execute"]["execute_notebooks"] == "force"
    import package_dependencies as ext  # noqa: PLC0415  (book/_ext is on sys.path below)

    files = ext.package_files(ROOT, ["ttsbook/**/*.py", "ttsbook/checkpoints/*.pt"])
    assert ROOT / "ttsbook" / "theory.py" in files
    assert any(f.suffix == ".pt" for f in files), "the checkpoints are not dependencies"
    chapters = sorted((ROOT / "book").glob("[0-9]*.md"))
    assert chapters and all(ext.imports_package(md.read_text(), "ttsbook") for md in chapters)


@pytest.fixture(autouse=True)
def _ext_on_path(monkeypatch):
    monkeypatch.syspath_prepend(str(EXT))
