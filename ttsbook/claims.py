"""The paper's claims and the book's verdicts, written once, in the chapter that tests them.

A chapter states each claim it tests with :func:`claim` and shows its verdicts at the top with
:func:`verdicts` (an admonition, a ``text/markdown`` output). The claims page of the book is
generated from the same calls: :func:`collect` reads the chapters' MyST sources and finds the
``claim(...)`` calls with :mod:`ast` (their arguments must be literal strings), and
:func:`table` writes the page's table, so that a verdict is never typed twice.
:doc:`/book/01_setup` shows a chapter's use.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Claim", "claim", "verdicts", "collect", "table", "VERDICTS"]

#: The three verdicts a claim can get.
VERDICTS = ("reproduced", "reproduced in a stated regime", "not reproduced")
ICON = {"reproduced": "✓", "reproduced in a stated regime": "◐", "not reproduced": "✗"}
_FIELDS = ("id", "claim", "verdict", "figure", "check", "regime")
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
    chapter: str | None = None   # the docname, filled in by collect

    def line(self) -> str:
        """The claim as a MyST list item of the chapter's admonition."""
        text = f"**{self.verdict.capitalize()}** {ICON[self.verdict]}: {self.claim.rstrip('.')}"
        if self.regime:
            text += f", when {self.regime}"
        if self.figure:
            text += f" ({{numref}}`{self.figure}`)"
        return f"- {text}."

    def _repr_markdown_(self) -> str:
        return verdicts(self).data


def claim(id: str, claim: str, verdict: str, figure: str | None = None, check: str | None = None,
          regime: str | None = None) -> Claim:
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

    Every argument must be a literal string in the chapter's source: the claims page reads them
    from there without running the chapter.
    """
    for name, value in (("id", id), ("claim", claim), ("verdict", verdict)):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    if not _ID.match(id):
        raise ValueError(f"id must be lower case letters, digits, '.' and '-', got {id!r}")
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, got {verdict!r}")
    for name, value in (("figure", figure), ("check", check), ("regime", regime)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ValueError(f"{name} must be a non-empty string or None, got {value!r}")
    if verdict == "reproduced in a stated regime" and regime is None:
        raise ValueError("regime must say where the claim holds when the verdict is "
                         "'reproduced in a stated regime'")
    return Claim(id, claim, verdict, figure, check, regime)


def verdicts(*claims: Claim, title: str = "Verdicts"):
    """The chapter's opening admonition: one line per claim (an IPython ``Markdown`` object)."""
    from IPython.display import Markdown

    if not claims or not all(isinstance(c, Claim) for c in claims):
        raise ValueError("claims must be one or more results of ttsbook.claim(...)")
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"title must be a non-empty string, got {title!r}")
    body = "\n".join(c.line() for c in claims)
    return Markdown(f":::{{admonition}} {title}\n:class: tip\n{body}\n:::\n")


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
        return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                for c in cells if c["cell_type"] == "code"]
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
            raise ValueError(f"paths: {path}: claim(...) on line {node.lineno} must have literal "
                             f"string arguments") from err
        out.append(claim(*args, **kwargs))
    return out


def _name(func) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def table(claims: list[Claim]) -> str:
    """The claims page's table (a MyST ``list-table``): claim, chapter and figure, verdict, check.

    A chapter is linked as "Chapter N" (from its file name ``NN_name``). The check is prose; a
    test it names (``tests/test_x.py::test_y``) is set as code, and a leading "chapter N: " that
    repeats the claim's own chapter is left out.
    """
    if not all(isinstance(c, Claim) and c.chapter for c in claims):
        raise ValueError("claims must be results of collect(...) (each knows its chapter)")
    if not claims:
        return "No chapter states a claim yet.\n"
    rows = [":::{list-table}", ":header-rows: 1", ":widths: 44 16 20 20", ":class: ttsbook-claims", "",
            "* - Claim of the paper", "  - Chapter and figure", "  - Verdict", "  - Check"]
    for c in claims:
        number = _chapter_number(c.chapter)
        where = f"{{doc}}`Chapter {number} </{c.chapter}>`" if number else f"{{doc}}`/{c.chapter}`"
        if c.figure:
            where += f", {{numref}}`{c.figure}`"
        verdict = f"{ICON[c.verdict]} {c.verdict}" + (f" ({c.regime})" if c.regime else "")
        rows += [f"* - {c.claim}", f"  - {where}", f"  - {verdict}", f"  - {_check_text(c.check, number)}"]
    return "\n".join(rows + [":::", ""])


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
        if own and check[own.end():]:
            rest = check[own.end():]
            check = rest[0].upper() + rest[1:]
    return _TEST_ID.sub(r"`\1`", check)
