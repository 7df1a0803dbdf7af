"""Numbers in the prose: ttsbook.number and ttsbook.count give the exact strings a paper prints,
and ttsbook.glue leaves nothing on the page."""

from __future__ import annotations

from pathlib import Path

import pytest

import by_path
from ttsbook import below, count, glue, number


@pytest.mark.parametrize(
    "value, spec, expected",
    [
        (2.04e13, ".2g", "2 × 10¹³"),
        (2.04e13, ".1e", "2.0 × 10¹³"),
        (2.04e13, ".3g", "2.04 × 10¹³"),
        (1e-11, ".0e", "10⁻¹¹"),
        (1e-11, ".2g", "10⁻¹¹"),
        (3.2e-5, ".2g", "3.2 × 10⁻⁵"),
        (1e5, ".0e", "10⁵"),
        (152202, "", "152,202"),
        (152202, "d", "152,202"),
        (20000, "", "20,000"),
        (2000, "", "2000"),  # four digits stay whole
        (12345.678, ".1f", "12,345.7"),
        (-0.25, "", "−0.25"),  # a true minus sign
        (-11, "", "−11"),
        (-2.5e-7, ".2g", "−2.5 × 10⁻⁷"),
        (0.123456789, "", "0.123457"),
        (0.5, ".1%", "50.0%"),
        (0.004, ".2%", "0.40%"),
        (29.2897, ".1f", "29.3"),
        (7, "", "7"),
        (1.0, ".3g", "1"),
        (5e0, ".1e", "5.0"),  # a zero exponent is dropped
    ],
)
def test_number_prints_like_a_paper(value, spec, expected):
    assert number(value, spec) == expected


@pytest.mark.parametrize(
    "n, noun, kwargs, expected",
    [
        (1, "skill", {}, "1 skill"),
        (3, "skill", {}, "3 skills"),
        (0, "prompt", {}, "0 prompts"),
        (152202, "parameter", {}, "152,202 parameters"),
        (1, "skill", {"words": True}, "one skill"),
        (3, "skill", {"words": True}, "three skills"),
        (12, "skill", {"words": True}, "12 skills"),
        (2, "matrix", {"plural": "matrices"}, "2 matrices"),
        (1, "matrix", {"plural": "matrices"}, "1 matrix"),
    ],
)
def test_count_agrees_in_number(n, noun, kwargs, expected):
    assert count(n, noun, **kwargs) == expected


@pytest.mark.parametrize(
    "bad, error, match",
    [
        (True, TypeError, "value must be a real"),
        ("3", TypeError, "value must be a real"),
        (float("inf"), ValueError, "value must be finite"),
    ],
)
def test_number_refuses_what_it_cannot_print(bad, error, match):
    with pytest.raises(error, match=match):
        number(bad)


def test_number_names_a_bad_spec():
    with pytest.raises(ValueError, match=r"\bspec '\.2q'"):
        number(1.5, ".2q")


def test_glue_returns_nothing_so_a_last_line_shows_nothing():
    """A cell ending in glue(...) must not display a value: glue returns None."""
    assert glue("x", 1.5) is None
    assert glue("n", 3) is None


def test_glued_numbers_are_formatted_by_the_book(tmp_path):
    """The book's {glue:text} role formats a glued float and int with ttsbook.number."""
    paper_numbers = by_path.load(Path(__file__).resolve().parents[1] / "book" / "_ext" / "paper_numbers.py")
    assert paper_numbers.number is number  # the role and the chapters use the same formatter


def test_below_writes_the_bound_and_refuses_what_is_not_rounding():
    assert below(3.1e-16, 1e-12) == below(0.0, 1e-12) == "< 10⁻¹²"
    assert below(-2e-6, 1e-5) == "< 10⁻⁵"
    with pytest.raises(ValueError, match="not below the rounding floor"):
        below(2e-12, 1e-12)
    with pytest.raises(ValueError, match="floor must be > 0"):
        below(0.0, 0.0)
    with pytest.raises(ValueError, match="value must be a finite real number"):
        below(float("nan"), 1e-12)
