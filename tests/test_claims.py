"""The claims page is generated from the chapters' claim(...) calls: parsing, validation and the
exact text of a chapter's admonition and of the page's table."""

from __future__ import annotations

from pathlib import Path

import pytest

from ttsbook import claims

ROOT = Path(__file__).resolve().parents[1]

CHAPTER = '''---
kernelspec:
  name: python3
---
# A chapter

```{code-cell} ipython3
:tags: [remove-input]

from ttsbook import claim, verdicts
verdicts(
    claim("prop-1", r"The error falls as $k$ grows.", "reproduced", figure="fig-a",
          check="tests/test_cot.py::test_falls"),
    claim("remark-2", "Longer training hurts.", "reproduced in a stated regime",
          regime="n > n_c"),
)
```

```{code-cell} ipython3
x = 1  # claim("not-a-call", ...) in a comment is not a claim
```
'''


def test_collect_reads_the_calls_from_the_source(tmp_path):
    (tmp_path / "book").mkdir()
    path = tmp_path / "book" / "03_x.md"
    path.write_text(CHAPTER)
    found = claims.collect([path])
    assert [c.id for c in found] == ["prop-1", "remark-2"]
    assert found[0].chapter == "book/03_x" and found[0].figure == "fig-a"
    assert found[1].regime == "n > n_c"


def test_table_is_exact(tmp_path):
    (tmp_path / "book").mkdir()
    path = tmp_path / "book" / "03_x.md"
    path.write_text(CHAPTER)
    assert claims.table(claims.collect([path])) == "\n".join([
        ":::{list-table}", ":header-rows: 1", ":widths: 44 16 20 20", ":class: ttsbook-claims", "",
        "* - Claim of the paper", "  - Chapter and figure", "  - Verdict", "  - Check",
        "* - The error falls as $k$ grows.", "  - {doc}`Chapter 3 </book/03_x>`, {numref}`fig-a`",
        "  - ✓ reproduced", "  - `tests/test_cot.py::test_falls`",
        "* - Longer training hurts.", "  - {doc}`Chapter 3 </book/03_x>`",
        "  - ◐ reproduced in a stated regime (n > n_c)", "  - —",
        ":::", ""])


@pytest.mark.parametrize("check, cell", [
    ("chapter 3: the error falls (assert)", "The error falls (assert)"),
    ("chapter 4: the bound holds (assert)", "chapter 4: the bound holds (assert)"),
    ("tests/test_cot.py::test_falls and the chapter's assert",
     "`tests/test_cot.py::test_falls` and the chapter's assert"),
])
def test_table_sets_the_check_as_prose_with_tests_as_code(tmp_path, check, cell):
    (tmp_path / "book").mkdir()
    path = tmp_path / "book" / "03_x.md"
    path.write_text(CHAPTER.replace('"tests/test_cot.py::test_falls"', repr(check)))
    rows = claims.table(claims.collect([path])).splitlines()
    assert rows[rows.index("  - ✓ reproduced") + 1] == f"  - {cell}"


def test_verdicts_admonition_is_exact():
    out = claims.verdicts(
        claims.claim("a", "It holds.", "reproduced", figure="fig-a"),
        claims.claim("b", "It holds there", "reproduced in a stated regime", regime="m ≫ d"),
        claims.claim("c", "It does not hold.", "not reproduced"))
    assert out.data == (":::{admonition} Verdicts\n:class: tip\n"
                        "- **Reproduced** ✓: It holds ({numref}`fig-a`).\n"
                        "- **Reproduced in a stated regime** ◐: It holds there, when m ≫ d.\n"
                        "- **Not reproduced** ✗: It does not hold.\n:::\n")


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


@pytest.mark.parametrize("kwargs, match", [
    (dict(verdict="mostly"), r"\bverdict must be one of"),
    (dict(verdict="reproduced in a stated regime"), r"\bregime must say where"),
    (dict(id="Prop 1"), r"\bid must be lower case"),
    (dict(figure=""), r"\bfigure must be a non-empty string or None"),
])
def test_claim_refuses_bad_input(kwargs, match):
    args = dict(id="a", claim="It holds.", verdict="reproduced") | kwargs
    with pytest.raises(ValueError, match=match):
        claims.claim(**args)


def test_the_book_states_claims_the_page_can_read():
    """Every chapter's claim(...) calls parse (the claims page is built from them)."""
    found = claims.collect(sorted((ROOT / "book").glob("[0-9][0-9]_*.md")))
    assert found, "no chapter states a claim"
    assert all(c.verdict in claims.VERDICTS for c in found)


@pytest.mark.parametrize("args, kwargs, match", [
    ((), {}, r"\bclaims must be one or more results"),
    (("a claim",), {}, r"\bclaims must be one or more results"),
    ((claims.claim("a", "x", "reproduced"),), {"title": ""}, r"\btitle must be a non-empty string"),
])
def test_verdicts_refuses_bad_input(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        claims.verdicts(*args, **kwargs)
