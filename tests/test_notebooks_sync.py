"""Every executed page (the chapters and the introduction) exists as a jupytext MyST source and
as the .ipynb that Colab opens, in sync."""

from pathlib import Path

import jupytext
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.md"))
INTRO = ROOT / "book" / "intro.md"
# Pages the book executes: a MyST source whose front matter names a kernel.
EXECUTED = sorted(md for md in (ROOT / "book").glob("*.md") if "kernelspec:" in md.read_text().split("\n---", 1)[0])


def _cells(nb):
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


def test_there_are_chapters():
    assert len(CHAPTERS) >= 2


def test_the_executed_pages_are_the_chapters_and_the_introduction():
    """`make notebooks`, tools/colab.py and nbval handle exactly these pages."""
    assert sorted(CHAPTERS + [INTRO]) == EXECUTED


@pytest.mark.parametrize("md", EXECUTED, ids=lambda p: p.name)
def test_ipynb_in_sync_with_markdown(md):
    ipynb = md.with_suffix(".ipynb")
    assert ipynb.exists(), f"{ipynb.name} is missing: run `make notebooks`"
    source, paired = jupytext.read(md), jupytext.read(ipynb)
    assert _cells(source) == _cells(paired), f"{ipynb.name} is out of sync with {md.name}: run `make notebooks`"
    code = [c for c in paired.cells if c.cell_type == "code"]
    assert code and all(c.get("outputs") is not None for c in code)
    assert all(c.execution_count is not None for c in code), f"{ipynb.name} is not executed: run `make notebooks`"


def _first_code_cell(md):
    return next(c for c in jupytext.read(md).cells if c.cell_type == "code")


@pytest.mark.parametrize("md", EXECUTED, ids=lambda p: p.name)
def test_first_code_cell_installs_package_when_missing(md):
    """On Colab the chapter's first cell installs ttsbook: from the repository, or TTSBOOK_PIP_SPEC."""
    first = _first_code_cell(md)
    assert "import ttsbook" in first.source and '"-m", "pip", "install"' in first.source
    repo = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    default = f'os.environ.get("TTSBOOK_PIP_SPEC", "ttsbook @ git+{repo["url"]}@{repo["branch"]}")'
    assert default in first.source, f"{md.name}: the first cell does not install from {repo}"
    assert "hide-cell" in first.metadata.get("tags", [])


def test_every_chapter_has_the_same_first_cell():
    first = {md.name: _first_code_cell(md).source for md in EXECUTED}
    assert len(set(first.values())) == 1, f"chapters whose first cell differs: {first}"


def test_every_chapter_is_in_the_toc():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = {ch["file"] for part in toc["parts"] for ch in part["chapters"]} | {toc["root"]}
    assert {f"book/{md.stem}" for md in EXECUTED} <= files
