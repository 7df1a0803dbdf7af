"""Citations: one style in the text ({cite:t} / {cite:p}) and in the list (author–year), every
entry of book/references.bib cited somewhere and every citation in it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pybtex.database import parse_file

import by_path

ROOT = Path(__file__).resolve().parents[1]
BIB = parse_file(str(ROOT / "book" / "references.bib"))
PAGES = sorted((ROOT / "book").glob("*.md"))
ROLE = re.compile(r"\{cite(?::(\w+))?\}`([^`]*)`")
HAND_TYPED = re.compile(r"\bet al\.|\\cite\w*\{|\([A-Z][\w-]+,? (?:19|20)\d\d[a-z]?\)")


def prose(md: Path) -> str:
    """The page without its code cells and code blocks."""
    return re.sub(r"^```.*?^```", "", md.read_text(), flags=re.S | re.M)


def citations() -> list[tuple[str, str, str]]:
    """(page, role, key) for every citation in the book's pages."""
    return [
        (md.name, role or "", key.strip())
        for md in PAGES
        for role, keys in ROLE.findall(prose(md))
        for key in keys.split(",")
    ]


def test_citations_use_cite_t_or_cite_p():
    other = [(page, role) for page, role, _ in citations() if role not in ("t", "p")]
    assert not other, f"use {{cite:t}} or {{cite:p}}, not: {other}"


def test_no_citation_is_typed_by_hand():
    typed = [(md.name, m.group()) for md in PAGES for m in HAND_TYPED.finditer(prose(md))]
    assert not typed, f"cite with {{cite:t}} / {{cite:p}} from book/references.bib: {typed}"


def test_every_citation_is_in_the_bibliography():
    unknown = sorted({(page, key) for page, _, key in citations() if key not in BIB.entries})
    assert not unknown, f"keys missing from book/references.bib: {unknown}"


def test_every_bibliography_entry_is_cited():
    cited = {key for _, _, key in citations()}
    uncited = sorted(set(BIB.entries) - cited)
    assert not uncited, f"entries of book/references.bib cited nowhere (cite or remove them): {uncited}"


@pytest.fixture
def style():
    return by_path.load(ROOT / "book" / "_ext" / "bibliography_style.py")


@pytest.mark.parametrize(
    "key, label",
    [
        ("bishop2006pattern", "Bishop, 2006"),
        ("marchenko1967distribution", "Marčenko and Pastur, 1967"),
        ("javanmard2026training", "Javanmard et al., 2026"),
        ("vonoswald2023transformers", "von Oswald et al., 2023"),
        ("openai2024o1", "OpenAI, 2024"),
    ],
)
def test_the_list_is_labelled_as_the_text_cites(style, key, label):
    assert style.author_year(BIB.entries[key]) == label


def test_equal_labels_get_suffixes(style):
    entry = BIB.entries["bishop2006pattern"]
    labels = list(style.AuthorYearLabels().format_labels([entry, entry, BIB.entries["openai2024o1"]]))
    assert labels == ["Bishop, 2006a", "Bishop, 2006b", "OpenAI, 2024"]


def test_papers_of_the_same_authors_and_year_are_lettered_in_order_of_publication(style):
    """The paper (arXiv 2510.03605) is "2026a", its companion (arXiv 2603.01293) "2026b"."""
    labels = {e.key: e.label for e in style.AuthorYearStyle().format_entries(BIB.entries.values())}
    assert labels["javanmard2026training"] == "Javanmard et al., 2026a"
    assert labels["javanmard2026companion"] == "Javanmard et al., 2026b"


def test_the_text_cites_the_lettered_year(tmp_path):
    """A citation in the text shows the list's letter: [Javanmard et al., 2026b] for the companion."""
    from sphinx.application import Sphinx

    src = tmp_path / "src"
    src.mkdir()
    (src / "refs.bib").write_text((ROOT / "book" / "references.bib").read_text())
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
        "extensions = ['sphinxcontrib.bibtex', 'bibliography_style']\nbibtex_bibfiles = ['refs.bib']\n"
        "bibtex_reference_style = 'author_year'\nbibtex_default_style = 'authoryear'\n"
    )
    (src / "index.rst").write_text(
        "Text\n====\n\n:cite:p:`javanmard2026training` and :cite:t:`javanmard2026companion`.\n\n.. bibliography::\n"
    )
    app = Sphinx(str(src), str(src), str(tmp_path / "out"), str(tmp_path / "doctrees"), "html", status=None)
    app.build()
    text = re.sub(r"<[^>]+>", "", (tmp_path / "out" / "index.html").read_text())
    assert "[Javanmard et al., 2026a] and Javanmard et al. [2026b]." in " ".join(text.split()), text[:2000]
