"""The paper's claims and the book's verdicts, written once, in the chapter that tests them.

A chapter states each claim it tests with :func:`claim` and shows its verdicts at the top with
:func:`verdicts` (an admonition, a ``text/markdown`` output). The claims page of the book is
generated from the same calls: :func:`collect` reads the chapters' MyST sources and finds the
``claim(...)`` calls with :mod:`ast` (their arguments must be literal strings), and
:func:`page` writes the page's counts (:func:`summary`) and its two tables (:func:`table`), the
paper's claims apart from the book's own extensions (``kind``), so that a verdict is never typed
twice; :func:`overview` writes the introduction's short table of them, by verdict.
:doc:`/book/01_setup` shows a chapter's use.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Claim",
    "claim",
    "verdicts",
    "collect",
    "table",
    "page",
    "overview",
    "counts",
    "summary",
    "VERDICTS",
    "KINDS",
]

#: The three verdicts a claim can get.
VERDICTS = ("reproduced", "reproduced in a stated regime", "not reproduced")
ICON = {"reproduced": "✓", "reproduced in a stated regime": "◐", "not reproduced": "✗"}
#: What a claim is: a claim the paper makes, or the book's own extension of the paper.
KINDS = ("paper", "extension")
# The admonition class of each verdict's box (the theme's colours: green, amber, red) and the
# name in its class ttsbook-verdict-<name>.
_BOX = {
    "reproduced": ("tip", "reproduced"),
    "reproduced in a stated regime": ("attention", "regime"),
    "not reproduced": ("danger", "not-reproduced"),
}
_FIELDS = ("id", "claim", "verdict", "figure", "check", "regime", "source", "kind", "title")
_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.S | re.M)
_ID = re.compile(r"^[a-z0-9][a-z0-9.\-]*$")


@dataclass(frozen=True)
class Claim:
    """One claim of the paper, how the book tests it and what it found."""

    id: str
    claim: str
    verdict: str
    figure: str | None = None
    check: str | None = None
    regime: str | None = None
    source: str | None = None  # where in the paper (a section, theorem or figure)
    kind: str = "paper"  # "paper" or "extension" (KINDS)
    chapter: str | None = None  # the docname, filled in by collect
    title: str | None = None  # a few words naming it in the introduction's table (overview)

    def line(self) -> str:
        """The claim as a MyST list item of the chapter's verdict box."""
        text = f"{ICON[self.verdict]} {self.claim.rstrip('.')}"
        if self.regime:
            text += f", when {self.regime}"
        if self.figure:
            text += f" ({{numref}}`{self.figure}`)"
        return f"- {text}."

    def _repr_markdown_(self) -> str:
        return verdicts(self).data


def claim(
    id: str,
    claim: str,
    verdict: str,
    figure: str | None = None,
    check: str | None = None,
    regime: str | None = None,
    source: str | None = None,
    kind: str = "paper",
    title: str | None = None,
) -> Claim:
    """A claim of the paper with the book's verdict.

    Parameters
    ----------
    id : str
        A short stable name, lower case (``"prop-3.2"``).
    claim : str
        The claim in one sentence, in MyST (math in ``$…$``).
    verdict : str
        One of :data:`VERDICTS`: ``"reproduced"``, ``"reproduced in a stated regime"`` (then
        ``regime`` says which) or ``"not reproduced"``.
    figure : str, optional
        The label of the figure that shows it (``"fig-ch5-phase"``).
    check : str, optional
        What asserts it: a test (``"tests/test_cot.py::test_rollout"``) or the assert in the
        chapter, in words.
    regime : str, optional
        The setting where the claim holds; required for ``"reproduced in a stated regime"``.
    source : str, optional
        Where the paper states it (``"Theorem 3.1"``, ``"Section 4, Remark 4.1"``); for an
        extension, the result of the paper it extends.
    kind : str
        One of :data:`KINDS`: ``"paper"``, a claim of the paper, or ``"extension"``, the book's
        own result beyond the paper (listed apart on the claims page and counted apart).
    title : str, optional
        A few words in MyST naming the claim in the introduction's table (:func:`overview`), where
        it stands for the claim: for a claim reproduced in a stated regime, with the regime in
        brief (``"Proposition 4.3, for hard enough targets"``). Without it the table names a
        claim of the paper by its ``source``; every extension should have one.

    Every argument must be a literal string in the chapter's source: the claims page reads them
    from there without running the chapter.
    """
    for name, value in (("id", id), ("claim", claim), ("verdict", verdict)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a non-empty string, got {value!r}")
        if not value.strip():
            raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    if not _ID.match(id):
        raise ValueError(f"id must be lower case letters, digits, '.' and '-', got {id!r}")
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, got {verdict!r}")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    optional = (("figure", figure), ("check", check), ("regime", regime), ("source", source), ("title", title))
    for name, value in optional:
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{name} must be a non-empty string or None, got {value!r}")
        if value is not None and not value.strip():
            raise ValueError(f"{name} must be a non-empty string or None, got {value!r}")
    if verdict == "reproduced in a stated regime" and regime is None:
        raise ValueError("regime must say where the claim holds when the verdict is 'reproduced in a stated regime'")
    return Claim(id, claim, verdict, figure, check, regime, source, kind, title=title)


def verdicts(*claims: Claim, title: str = "Verdicts"):
    """The chapter's opening verdicts: one admonition per verdict present, in the order of
    :data:`VERDICTS`, each styled by its verdict (green ✓, amber ◐, red ✗), one line per claim
    (an IPython ``Markdown`` object)."""
    from IPython.display import Markdown

    if not all(isinstance(c, Claim) for c in claims):
        raise TypeError("claims must be one or more results of ttsbook.claim(...)")
    if not claims:
        raise ValueError("claims must be one or more results of ttsbook.claim(...)")
    if not isinstance(title, str):
        raise TypeError(f"title must be a non-empty string, got {title!r}")
    if not title.strip():
        raise ValueError(f"title must be a non-empty string, got {title!r}")
    boxes = []
    for verdict in VERDICTS:
        mine = [c for c in claims if c.verdict == verdict]
        if mine:
            theme, name = _BOX[verdict]
            body = "\n".join(c.line() for c in mine)
            boxes.append(
                f":::{{admonition}} {title}: {ICON[verdict]} {verdict}\n"
                f":class: {theme} ttsbook-verdict ttsbook-verdict-{name}\n{body}\n:::\n"
            )
    return Markdown("\n".join(boxes))


def collect(paths) -> list[Claim]:
    """Every ``claim(...)`` call in the code cells of the chapters at ``paths`` (MyST ``.md``
    or ``.ipynb``), in order.

    The chapter of each claim is its path without the suffix (``book/03_cot``) relative to the
    common root of ``paths``. A call whose arguments are not literal strings raises ValueError.
    """
    found = []
    for path in sorted(Path(p) for p in paths):
        for cell in _code_cells(path):
            found += [_with_chapter(c, path) for c in _claims_in(cell, path)]
    ids = [c.id for c in found]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"paths state the same claim id twice: {duplicates}")
    return found


def _code_cells(path: Path) -> list[str]:
    """The code cells of a MyST chapter (``.md``) or of its notebook (``.ipynb``)."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text())["cells"]
        return [
            "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in cells
            if c["cell_type"] == "code"
        ]
    return _CELL.findall(path.read_text())


def _with_chapter(c: Claim, path: Path) -> Claim:
    return Claim(**{**c.__dict__, "chapter": f"{path.parent.name}/{path.stem}"})


def _claims_in(source: str, path: Path) -> list[Claim]:
    lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(ln for ln in lines if not ln.startswith(":")))
    except SyntaxError:
        return []
    out = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and _name(node.func) == "claim"):
            continue
        try:
            args = [ast.literal_eval(a) for a in node.args]
            kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
        except ValueError as err:
            raise ValueError(
                f"paths: {path}: claim(...) on line {node.lineno} must have literal string arguments"
            ) from err
        out.append(claim(*args, **kwargs))
    return out


def _name(func) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def counts(claims: list[Claim]) -> dict[str, int]:
    """How many of ``claims`` have each verdict, in the order of :data:`VERDICTS`."""
    if not all(isinstance(c, Claim) for c in claims):
        raise TypeError("claims must be results of ttsbook.claim(...) or collect(...)")
    return {v: sum(c.verdict == v for c in claims) for v in VERDICTS}


def _tally(claims: list[Claim], words: bool = True) -> str:
    """``19 ✓ reproduced, 8 ◐ reproduced in a stated regime, 2 ✗ not reproduced`` (or, without
    words, ``19 ✓, 8 ◐, 2 ✗``)."""
    return ", ".join(f"{n} {ICON[v]}" + (f" {v}" if words else "") for v, n in counts(claims).items())


def summary(claims: list[Claim]) -> str:
    """The counts by verdict as a MyST paragraph: all claims, then the paper's claims and the
    book's extensions apart (what the introduction and the claims page open with)."""
    if not all(isinstance(c, Claim) for c in claims):
        raise TypeError("claims must be one or more results of ttsbook.claim(...) or collect(...)")
    if not claims:
        raise ValueError("claims must be one or more results of ttsbook.claim(...) or collect(...)")
    paper = [c for c in claims if c.kind == "paper"]
    extension = [c for c in claims if c.kind == "extension"]
    return (
        f"**{len(claims)} claims tested: {_tally(claims)}.** Of them, {len(paper)} are claims "
        f"of the paper ({_tally(paper, words=False)}) and {len(extension)} the book's own "
        f"extensions ({_tally(extension, words=False)}).\n"
    )


_SHORT = {
    "reproduced": "reproduced",
    "reproduced in a stated regime": "in a stated regime",
    "not reproduced": "not reproduced",
}


def table(claims: list[Claim], kind: str = "paper") -> str:
    """The claims page's table of one kind (a MyST ``list-table``): verdict first, then the
    claim (with the regime where it holds), where the paper states it (for an extension, what
    it extends), and the chapter, figure and check.

    A chapter is linked as "Chapter N" (from its file name ``NN_name``). The check is prose; a
    test it names (``tests/test_x.py::test_y``) is set as code, and a leading "chapter N: " that
    repeats the claim's own chapter is left out.
    """
    if not all(isinstance(c, Claim) for c in claims):
        raise TypeError("claims must be results of collect(...) (each knows its chapter)")
    if not all(c.chapter for c in claims):
        raise ValueError("claims must be results of collect(...) (each knows its chapter)")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    claims = [c for c in claims if c.kind == kind]
    if not claims:
        return "No chapter states such a claim yet.\n"
    source = "In the paper" if kind == "paper" else "Extends"
    rows = [
        ":::{list-table}",
        ":header-rows: 1",
        ":widths: 14 44 16 26",
        f":class: ttsbook-claims ttsbook-claims-{kind}",
        "",
        "* - Verdict",
        "  - Claim",
        f"  - {source}",
        "  - Chapter, figure and check",
    ]
    for c in claims:
        number = _chapter_number(c.chapter)
        where = f"{{doc}}`Chapter {number} </{c.chapter}>`" if number else f"{{doc}}`/{c.chapter}`"
        if c.figure:
            where += f", {{numref}}`{c.figure}`"
        where += f": {_check_text(c.check, number)}" if c.check else ""
        text = c.claim + (f" *Where:* {c.regime}." if c.regime else "")
        rows += [f"* - {ICON[c.verdict]} {_SHORT[c.verdict]}", f"  - {text}", f"  - {c.source or '—'}", f"  - {where}"]
    return "\n".join(rows + [":::", ""])


def page(claims: list[Claim]) -> str:
    """The generated part of the claims page: the counts, then the paper's claims and the
    book's extensions, each in its own section and table."""
    if not claims:
        return "No chapter states a claim yet.\n"
    return "\n".join(
        [
            summary(claims),
            "## Claims of the paper",
            "",
            "Each with the section, theorem or figure of the paper that states it.",
            "",
            table(claims, "paper"),
            "## The book's own extensions",
            "",
            "Results the book adds to the paper, each with the result it extends; they "
            "are not counted among the paper's claims.",
            "",
            table(claims, "extension"),
        ]
    )


def overview(claims: list[Claim]) -> str:
    """The introduction's table of the claims (a MyST ``list-table``), one row per verdict of the
    paper's claims (✓ reproduced, ◐ in a stated regime, ✗ not reproduced) and a last row for the
    book's own extensions, each row with its count.

    Each claim is named by its ``title`` (a claim of the paper without one by its ``source``),
    an extension with its verdict's sign, and linked to the figure that tests it (``figure``) or,
    without one, to its chapter; a row lists its claims in the chapters' order, and a verdict no
    claim has gets no row.
    """
    if not all(isinstance(c, Claim) for c in claims):
        raise TypeError("claims must be results of collect(...) (each knows its chapter)")
    if not claims:
        raise ValueError("claims must be one or more results of collect(...)")
    if not all(c.chapter for c in claims):
        raise ValueError("claims must be results of collect(...) (each knows its chapter)")
    rows = [
        ":::{list-table}",
        ":header-rows: 1",
        ":widths: 22 78",
        ":class: ttsbook-claims ttsbook-claims-overview",
        "",
        "* - Verdict",
        "  - Claims, each linked to the figure or chapter that tests it",
    ]
    paper = [c for c in claims if c.kind == "paper"]
    extension = [c for c in claims if c.kind == "extension"]
    groups = [(f"{ICON[v]} {_SHORT[v]}", [c for c in paper if c.verdict == v], False) for v in VERDICTS]
    groups.append(("beyond the paper", extension, True))
    for label, chosen, signed in groups:
        if chosen:
            entries = "; ".join(_overview_entry(c, signed) for c in chosen)
            rows += [f"* - {label} ({len(chosen)})", f"  - {entries[:1].upper()}{entries[1:]}"]
    return "\n".join(rows + [":::", ""])


def _overview_entry(c: Claim, signed: bool) -> str:
    """One claim in the introduction's table: its name and a link to where it is tested."""
    name = (c.title or c.source or c.id).strip().rstrip(".")
    if c.figure:
        link = f"{{numref}}`{c.figure}`"
    else:
        number = _chapter_number(c.chapter)
        link = f"{{doc}}`Chapter {number} </{c.chapter}>`" if number else f"{{doc}}`/{c.chapter}`"
    return (f"{ICON[c.verdict]} " if signed else "") + f"{name} ({link})"


_TEST_ID = re.compile(r"(tests/[\w/.\-]+\.py(?:::[\w\[\].\-]+)*)")


def _chapter_number(chapter: str) -> int | None:
    """1 for ``book/01_setup``; None for a page whose name does not start with a number."""
    found = re.match(r"(\d+)_", chapter.rsplit("/", 1)[-1])
    return int(found.group(1)) if found else None


def _check_text(check: str | None, number: int | None) -> str:
    """The check as a cell of the table: prose, with the tests it names set as code."""
    if not check:
        return "—"
    if number is not None:
        own = re.match(rf"chapter {number}:\s*", check, re.I)
        if own and check[own.end() :]:
            rest = check[own.end() :]
            check = rest[0].upper() + rest[1:]
    return _TEST_ID.sub(r"`\1`", check)
