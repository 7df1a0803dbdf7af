"""Sphinx extension: the bibliography lists its entries in the style the text cites them.

The text cites author–year ({cite:t} gives "Javanmard et al. [2026]", {cite:p} gives
"[Javanmard et al., 2026]"), so the list is labelled the same way ("[Javanmard et al., 2026]")
and sorted by author and year, then in the order of publication (the arXiv number), so that two
papers of the same authors and year are "2026a" and "2026b" in the order they appeared; the text's
citations show the same letter (their year is read from the list's label). The style is registered
with pybtex as ``authoryear`` and made the default (``bibtex_default_style``).
"""

from __future__ import annotations

import re
from collections import Counter

from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting.author_year_title import SortingStyle as AuthorYearTitle

NAME = "authoryear"


def _surname(person) -> str:
    """The printed surname (with its "von" part), LaTeX accents and braces rendered as text."""
    latex = " ".join(person.prelast_names + person.last_names)
    return Text.from_latex(latex).render_as("text")


def author_year(entry) -> str:
    """ "Bishop, 2006", "Marčenko and Pastur, 1967", "Javanmard et al., 2026"."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_surname(p) for p in people]
    if not names:
        who = Text.from_latex(entry.fields.get("title", entry.key)).render_as("text")
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabels(BaseLabelStyle):
    """Labels "Surname et al., year"; equal labels get the suffixes a, b, … in list order."""

    def format_labels(self, sorted_entries):
        labels = [author_year(e) for e in sorted_entries]
        total, seen = Counter(labels), Counter()
        for label in labels:
            if total[label] > 1:
                seen[label] += 1
                label += "abcdefghijklmnopqrstuvwxyz"[seen[label] - 1]
            yield label


_ARXIV = re.compile(r"\b(\d{4}\.\d{4,5})\b")


class AuthorYearPublished(AuthorYearTitle):
    """By author and year, then by arXiv number (the order of publication; none last), then title."""

    def sorting_key(self, entry):
        author, year, title = super().sorting_key(entry)
        found = [m for value in entry.fields.values() for m in _ARXIV.findall(value)]
        return author, year, min(found, default="9999.99999"), title


class AuthorYearStyle(UnsrtStyle):
    """pybtex's ``unsrt`` entries, labelled and sorted by author and year, then publication."""

    default_label_style = AuthorYearLabels
    default_sorting_style = AuthorYearPublished


def labelled_year(children, data) -> Text:
    """A citation's year as the list labels it: "2026a" where two entries share authors and year."""
    return Text(data["formatted_entry"].label.rsplit(", ", 1)[-1])


def setup(app):
    from sphinxcontrib.bibtex.style import template
    from sphinxcontrib.bibtex.style.referencing import basic_author_year, extra_year

    year = template.node(labelled_year)
    basic_author_year.year = extra_year.year = year  # the author–year citations take the list's year
    register_plugin("pybtex.style.formatting", NAME, AuthorYearStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
