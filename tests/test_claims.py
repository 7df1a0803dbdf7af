"""The claims page is generated from the chapters' claim(...) calls: parsing, validation and the
exact text of a chapter's admonition and of the page's table."""

from __future__ import annotations

from pathlib import Path

import pytest

from ttsbook import claims

ROOT = Path(__file__).resolve().parents[1]

CHAPTER = """---
kernelspec:
  name: python3
---
# A chapter

```{code-cell} ipython3
:tags: [remove-input]

from ttsbook import claim, verdicts
verdicts(
    claim("prop-1", r"The error falls as $k$ grows.", "reproduced", figure="fig-a",
          source="Proposition 1", kind="paper",
          check="tests/test_cot.py::test_falls"),
    claim("remark-2", "Longer training hurts.", "reproduced in a stated regime",
          regime="n > n_c", source="Remark 2"),
    claim("ext-3", "Stopping early helps.", "not reproduced",
          source="Remark 2", kind="extension"),
)
```

```{code-cell} ipython3
x = 1  # claim("not-a-call", ...) in a comment is not a claim
```
"""


def test_collect_reads_the_calls_from_the_source(tmp_path):
    (tmp_path / "book").mkdir()
    path = tmp_path / "book" / "03_x.md"
    path.write_text(CHAPTER)
    found = claims.collect([path])
    assert [c.id for c in found] == ["prop-1", "remark-2", "ext-3"]
    assert found[0].chapter == "book/03_x" and found[0].figure == "fig-a"
    assert found[1].regime == "n > n_c"
    assert [(c.source, c.kind) for c in found] == [
        ("Proposition 1", "paper"),
        ("Remark 2", "paper"),
        ("Remark 2", "extension"),
    ]


HEADER = [":::{list-table}", ":header-rows: 1", ":widths: 14 44 16 26"]


def test_table_is_exact(tmp_path):
    (tmp_path / "book").mkdir()
    path = tmp_path / "book" / "03_x.md"
    path.write_text(CHAPTER)
    found = claims.collect([path])
    assert claims.table(found) == "\n".join(
        HEADER
        + [
            ":class: ttsbook-claims ttsbook-claims-paper",
            "",
            "* - Verdict",
            "  - Claim",
            "  - In the paper",
            "  - Chapter, figure and check",
            "* - ✓ reproduced",
            "  - The error falls as $k$ grows.",
            "  - Proposition 1",
            "  - {doc}`Chapter 3 </book/03_x>`, {numref}`fig-a`: `tests/test_cot.py::test_falls`",
            "* - ◐ in a stated regime",
            "  - Longer training hurts. *Where:* n > n_c.",
            "  - Remark 2",
            "  - {doc}`Chapter 3 </book/03_x>`",
            ":::",
            "",
        ]
    )
    assert claims.table(found, kind="extension") == "\n".join(
        HEADER
        + [
            ":class: ttsbook-claims ttsbook-claims-extension",
            "",
            "* - Verdict",
            "  - Claim",
            "  - Extends",
            "  - Chapter, figure and check",
            "* - ✗ not reproduced",
            "  - Stopping early helps.",
            "  - Remark 2",
            "  - {doc}`Chapter 3 </book/03_x>`",
            ":::",
            "",
        ]
    )


def test_counts_and_summary_are_exact(tmp_path):
    (tmp_path / "book").mkdir()
    path = tmp_path / "book" / "03_x.md"
    path.write_text(CHAPTER)
    found = claims.collect([path])
    assert claims.counts(found) == {"reproduced": 1, "reproduced in a stated regime": 1, "not reproduced": 1}
    assert claims.summary(found) == (
        "**3 claims tested: 1 ✓ reproduced, 1 ◐ reproduced in a stated regime, 1 ✗ not reproduced.** "
        "Of them, 2 are claims of the paper (1 ✓, 1 ◐, 0 ✗) and 1 the book's own extensions "
        "(0 ✓, 0 ◐, 1 ✗).\n"
    )
    page = claims.page(found)
    assert (
        page.index("**3 claims")
        < page.index("## Claims of the paper")
        < page.index("The error falls")
        < page.index("## The book's own extensions")
        < page.index("Stopping early")
    )


@pytest.mark.parametrize(
    "check, cell",
    [
        ("chapter 3: the error falls (assert)", "The error falls (assert)"),
        ("chapter 4: the bound holds (assert)", "chapter 4: the bound holds (assert)"),
        (
            "tests/test_cot.py::test_falls and the chapter's assert",
            "`tests/test_cot.py::test_falls` and the chapter's assert",
        ),
    ],
)
def test_table_sets_the_check_as_prose_with_tests_as_code(tmp_path, check, cell):
    (tmp_path / "book").mkdir()
    path = tmp_path / "book" / "03_x.md"
    path.write_text(CHAPTER.replace('"tests/test_cot.py::test_falls"', repr(check)))
    rows = claims.table(claims.collect([path])).splitlines()
    assert rows[rows.index("  - Proposition 1") + 1].endswith(f"{{numref}}`fig-a`: {cell}")


def test_verdicts_boxes_are_exact_and_styled_by_verdict():
    out = claims.verdicts(
        claims.claim("a", "It holds.", "reproduced", figure="fig-a"),
        claims.claim("c", "It does not hold.", "not reproduced"),
        claims.claim("b", "It holds there", "reproduced in a stated regime", regime="m ≫ d"),
        claims.claim("d", "It holds too.", "reproduced"),
    )
    assert out.data == (
        ":::{admonition} Verdicts: ✓ reproduced\n:class: tip ttsbook-verdict ttsbook-verdict-reproduced\n"
        "- ✓ It holds ({numref}`fig-a`).\n- ✓ It holds too.\n:::\n\n"
        ":::{admonition} Verdicts: ◐ reproduced in a stated regime\n"
        ":class: attention ttsbook-verdict ttsbook-verdict-regime\n"
        "- ◐ It holds there, when m ≫ d.\n:::\n\n"
        ":::{admonition} Verdicts: ✗ not reproduced\n"
        ":class: danger ttsbook-verdict ttsbook-verdict-not-reproduced\n"
        "- ✗ It does not hold.\n:::\n"
    )


def test_a_chapter_with_one_verdict_has_one_box():
    out = claims.verdicts(claims.claim("a", "It holds.", "reproduced"), title="Verdict")
    assert out.data.count(":::{admonition}") == 1 and "Verdict: ✓ reproduced" in out.data


def test_a_claim_must_have_literal_arguments(tmp_path):
    path = tmp_path / "01_x.md"
    path.write_text('```{code-cell} ipython3\ntext = "x"\nclaim("a", text, "reproduced")\n```\n')
    with pytest.raises(ValueError, match=r"\bpaths: .*literal string arguments"):
        claims.collect([path])


def test_the_same_id_twice_is_refused(tmp_path):
    for name in ("01_a.md", "02_b.md"):
        (tmp_path / name).write_text('```{code-cell} ipython3\nclaim("a", "x", "reproduced")\n```\n')
    with pytest.raises(ValueError, match=r"\bpaths state the same claim id twice: \['a'\]"):
        claims.collect(sorted(tmp_path.glob("*.md")))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(verdict="mostly"), r"\bverdict must be one of"),
        (dict(verdict="reproduced in a stated regime"), r"\bregime must say where"),
        (dict(id="Prop 1"), r"\bid must be lower case"),
        (dict(figure=""), r"\bfigure must be a non-empty string or None"),
        (dict(source=" "), r"\bsource must be a non-empty string or None"),
        (dict(kind="book"), r"\bkind must be one of"),
        (dict(title=" "), r"\btitle must be a non-empty string or None"),
    ],
)
def test_claim_refuses_bad_input(kwargs, match):
    args = dict(id="a", claim="It holds.", verdict="reproduced") | kwargs
    with pytest.raises(ValueError, match=match):
        claims.claim(**args)


def test_the_book_states_claims_the_page_can_read():
    """Every chapter's claim(...) calls parse (the claims page is built from them)."""
    found = claims.collect(sorted((ROOT / "book").glob("[0-9][0-9]_*.md")))
    assert found, "no chapter states a claim"
    assert all(c.verdict in claims.VERDICTS for c in found)
    assert {c.kind for c in found} == set(claims.KINDS), "the claims page lists both kinds"


def test_every_claim_of_the_chapters_says_where_the_paper_states_it():
    """The claims page gives each claim's place in the paper (for an extension, what it extends)."""
    chapters = sorted((ROOT / "book").glob("[0-9][0-9]_*.md"))
    found = claims.collect(chapters)
    assert len({c.chapter for c in found}) == len(chapters)
    missing = [f"{c.chapter}: {c.id}" for c in found if not c.source]
    assert not missing, "claims without source=...:\n  " + "\n  ".join(missing)


@pytest.mark.parametrize(
    "func, args, error, match",
    [
        (claims.counts, (["x"],), TypeError, r"\bclaims must be results of"),
        (claims.summary, ([],), ValueError, r"\bclaims must be one or more results"),
        (claims.table, ([], "book"), ValueError, r"\bkind must be one of"),
        (claims.overview, (["x"],), TypeError, r"\bclaims must be results of collect"),
        (claims.overview, ([],), ValueError, r"\bclaims must be one or more results of collect"),
        (
            claims.overview,
            ([claims.claim("a", "x", "reproduced")],),
            ValueError,
            r"\bclaims must be results of collect",
        ),
    ],
)
def test_counts_summary_and_table_refuse_bad_input(func, args, error, match):
    with pytest.raises(error, match=match):
        func(*args)


@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        ((), {}, ValueError, r"\bclaims must be one or more results"),
        (("a claim",), {}, TypeError, r"\bclaims must be one or more results"),
        ((claims.claim("a", "x", "reproduced"),), {"title": ""}, ValueError, r"\btitle must be a non-empty string"),
    ],
)
def test_verdicts_refuses_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        claims.verdicts(*args, **kwargs)


def test_overview_is_exact(tmp_path):
    """One row per verdict present, the extensions last with their signs; a claim is named by its
    title (else its source) and linked to its figure (else its chapter)."""
    source = CHAPTER.replace(
        'source="Proposition 1", kind="paper",',
        'source="Proposition 1", kind="paper", title=r"the error falls with $k$",',
    ).replace('source="Remark 2", kind="extension")', 'source="Remark 2", kind="extension", title="early stopping")')
    (tmp_path / "book").mkdir()
    path = tmp_path / "book" / "03_x.md"
    path.write_text(source)
    assert claims.overview(claims.collect([path])) == "\n".join(
        [
            ":::{list-table}",
            ":header-rows: 1",
            ":widths: 22 78",
            ":class: ttsbook-claims ttsbook-claims-overview",
            "",
            "* - Verdict",
            "  - Claims, each linked to the figure or chapter that tests it",
            "* - ✓ reproduced (1)",
            "  - The error falls with $k$ ({numref}`fig-a`)",
            "* - ◐ in a stated regime (1)",
            "  - Remark 2 ({doc}`Chapter 3 </book/03_x>`)",
            "* - beyond the paper (1)",
            "  - ✗ early stopping ({doc}`Chapter 3 </book/03_x>`)",
            ":::",
            "",
        ]
    )


def test_the_book_overview_names_every_claim_once_with_its_maths_typeset(monkeypatch):
    """The introduction's table, as myst-parser reads it: one table with a row per verdict and one
    for the extensions, each claim a link, every $…$ of the titles a math node; every extension and
    every claim reproduced in a stated regime has a title (the extension's name, the regime)."""
    from docutils import nodes
    from docutils.core import publish_doctree
    from docutils.parsers.rst import roles
    from myst_parser.docutils_ import Parser

    found = claims.collect(sorted((ROOT / "book").glob("[0-9][0-9]_*.md")))
    untitled = [c.id for c in found if not c.title and (c.kind == "extension" or c.regime)]
    assert not untitled, f"claims the table cannot name in a few words (add title=...): {untitled}"

    def link(name, rawtext, text, lineno, inliner, options=None, content=None):
        return [nodes.reference(rawtext, text, refuri=text)], []

    for name in ("numref", "doc"):  # Sphinx's roles, which plain docutils lacks
        monkeypatch.setitem(roles._roles, name, link)
    text = claims.overview(found)
    doc = publish_doctree(
        text,
        parser=Parser(),
        settings_overrides={"myst_enable_extensions": ["dollarmath", "colon_fence"], "report_level": 2},
    )
    assert not list(doc.findall(nodes.system_message)), [m.astext() for m in doc.findall(nodes.system_message)]
    (table,) = doc.findall(nodes.table)
    rows = [[e.astext() for e in r.findall(nodes.entry)] for r in table.findall(nodes.row)]
    paper = [c for c in found if c.kind == "paper"]
    labels = ("✓ reproduced", "◐ in a stated regime", "✗ not reproduced")
    groups = {label: [c for c in paper if c.verdict == v] for label, v in zip(labels, claims.VERDICTS, strict=True)}
    groups["beyond the paper"] = [c for c in found if c.kind == "extension"]
    expected = [f"{label} ({len(cs)})" for label, cs in groups.items() if cs]
    assert [r[0] for r in rows[1:]] == expected
    assert len(list(table.findall(nodes.reference))) == len(found)
    titles = "".join((c.title or c.source or "") for c in found)
    assert len(list(table.findall(nodes.math))) == titles.count("$") // 2
