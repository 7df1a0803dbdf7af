"""What the chapters print reads as a paper prints it: no e-notation in any printed output,
nor in the claims that the verdict boxes and the claims page show.

Every number a chapter prints goes through ``ttsbook.number`` (a power of ten in superscripts) or
``ttsbook.below`` (a rounding-level value as its fixed bound, "< 10⁻¹²"), never Python's
``1.2e-07``. Checked on the committed notebooks, which the Colab-like run compares with every run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ttsbook import claims

ROOT = Path(__file__).resolve().parents[1]
E_NOTATION = re.compile(r"\d\.?\d*[eE][-+]?\d")


def printed(cell) -> list[str]:
    """The printed text of a code cell: its stdout and the plain text of its results."""
    texts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stdout":
            texts.append("".join(out["text"]))
        elif out.get("output_type") == "execute_result" and "text/html" not in out.get("data", {}):
            plain = out.get("data", {}).get("text/plain", "")
            texts.append("".join(plain) if isinstance(plain, list) else plain)
    return texts


@pytest.mark.parametrize("notebook", sorted((ROOT / "book").glob("*.ipynb")), ids=lambda p: p.stem)
def test_no_e_notation_in_printed_outputs(notebook):
    cells = [c for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code"]
    found = [
        (i, line) for i, c in enumerate(cells) for t in printed(c) for line in t.splitlines() if E_NOTATION.search(line)
    ]
    assert not found, f"e-notation printed (code cell, line): {found}"


def test_the_pattern_finds_e_notation():
    assert E_NOTATION.search("gap = 4.44e-16") and E_NOTATION.search("3E+05") and E_NOTATION.search("1e-12")
    assert not E_NOTATION.search("< 10⁻¹²") and not E_NOTATION.search("1.5 × 10⁻⁷") and not E_NOTATION.search("seed")


def test_no_claim_text_in_e_notation():
    """What the claims page and the verdict boxes show is typeset: 10⁻¹², never 1e-12."""
    found = claims.collect(sorted((ROOT / "book").glob("[0-9][0-9]_*.md")))
    typed = [
        f"{c.id}: {text}"
        for c in found
        for text in (c.claim, c.check, c.regime, c.source)
        if text and E_NOTATION.search(text)
    ]
    assert not typed, "e-notation in claims:\n  " + "\n  ".join(typed)
