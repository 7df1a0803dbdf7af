"""tools/bookkeeping_counts.py sees e-notation where a reader would: a table cell, a printed line,
the claims page."""

from __future__ import annotations

from pathlib import Path

import by_path

ROOT = Path(__file__).resolve().parents[1]
counts = by_path.load(ROOT / "tools" / "bookkeeping_counts.py")

PRINTED = (
    '<div class="cell_output docutils container"><div class="output stream highlight-myst-ansi notranslate">'
    '<div class="highlight"><pre><span></span>error {value}\nsteps 12\n</pre></div></div></div>'
)
TABLE = "<table><tr><td>{value}</td><td>0.5</td></tr></table>"


def test_e_notation_is_counted_in_tables_printed_lines_and_the_claims_page(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "_images").mkdir()
    (tmp_path / "book" / "03_x.html").write_text(PRINTED.format(value="1.2e-05") + TABLE.format(value="3E+4"))
    (tmp_path / "book" / "claims.html").write_text("<p>agree to 1e-12</p><p>within 10⁻¹⁰</p>")
    total = counts.count_html(tmp_path)["total"]
    assert total["e-notation printed lines"] == 1
    assert total["e-notation table cells"] == 1
    assert total["e-notation on the claims page"] == 1
    (tmp_path / "book" / "03_x.html").write_text(PRINTED.format(value="1.2 × 10⁻⁵") + TABLE.format(value="3 × 10⁴"))
    (tmp_path / "book" / "claims.html").write_text("<p>agree to 10⁻¹²</p>")
    total = counts.count_html(tmp_path)["total"]
    assert total["e-notation printed lines"] == total["e-notation table cells"] == 0
    assert total["e-notation on the claims page"] == 0
