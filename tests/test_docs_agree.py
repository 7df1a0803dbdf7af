"""The README and CONTRIBUTING.md cannot disagree on a time or a size: each is stated once.

The README gives every measured time and size (how long each command takes on 2 cores, the
checkpoints' CPU time and megabytes, the PDF's pages); CONTRIBUTING.md points to it. So the guide
states no quantity with a unit of time or size, in figures or in words ("ten minutes", "an hour"),
and every command of its test table has its time in the README, in a paragraph that names it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text()

_FIGURES = r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?:\s*(?:to|–|-|/)\s*\d[\d,]*(?:\.\d+)?)?"
_WORDS = (
    r"(?i:\b(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|sixty|a few|several|half an?|a quarter of an?|a couple of))"
)
_TIMES = r"(?:ms|s|sec|seconds?|min|minutes?|h|hours?|days?)"
_SIZES = r"(?:B|[kKMG]i?B|pages?)"
_LONG_TIMES = r"(?i:seconds?|minutes?|hours?|days?)"
#: A time: an amount in figures and a unit ("1.5 min", "5 / 1.3 min", "243 CPU-minutes"), or in
#: words and a unit written out ("ten minutes", "half an hour").
TIME = re.compile(rf"(?:{_FIGURES}\s*(?:CPU[- ])?{_TIMES}|{_WORDS}\s+(?:CPU[- ])?{_LONG_TIMES})\b")
#: A time or a size ("30 MB", "184 A4 pages").
QUANTITY = re.compile(rf"{TIME.pattern}|{_FIGURES}\s*(?:A4 )?{_SIZES}\b")
#: Commands of the guide's test table that the README does not time, with the reason.
UNTIMED = {
    "pytest tests/test_theory.py -q": "one test file, which takes seconds",
    "pytest --nbval book/03_cot.ipynb": "one chapter, which takes its run time (the book's execution page)",
}


def prose(markdown: str) -> str:
    """The text of a Markdown file outside its fenced code blocks."""
    return re.sub(r"(?ms)^```.*?^```", "", markdown)


def quantities(text: str, kind: re.Pattern = QUANTITY) -> list[str]:
    return [m.group(0) for m in kind.finditer(prose(text))]


def paragraphs(markdown: str) -> list[str]:
    """Paragraphs, list items and table rows of the prose."""
    blocks = re.split(r"\n\s*\n|\n(?=\s*(?:\d+\.|-|\|)\s)", prose(markdown))
    return [b for b in blocks if b.strip()]


def table_commands(markdown: str, heading: str) -> list[str]:
    """The commands (in backticks) of the first column of the table under ``heading``, without
    the ``.venv/bin/`` that runs them in the project's environment."""
    section = markdown.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|") and not line.startswith("|---")][1:]
    cells = [row.strip("|").split("|")[0] for row in rows]
    return [c.removeprefix(".venv/bin/") for cell in cells for c in re.findall(r"`([^`]+)`", cell)]


def timed_in(markdown: str, command: str) -> bool:
    """Whether a paragraph of ``markdown`` names ``command`` (in backticks, alone or with arguments)
    and states a time."""
    named = re.compile(rf"`{re.escape(command)}[` ]")
    return any(named.search(p) and quantities(p, TIME) for p in paragraphs(markdown))


def test_contributing_states_no_time_or_size():
    found = quantities(CONTRIBUTING)
    assert not found, f"CONTRIBUTING.md states times or sizes the README gives (state them there only): {found}"


def test_every_command_of_the_test_table_is_timed_in_the_readme():
    commands = table_commands(CONTRIBUTING, "## Running the tests")
    assert {"make test", "make lint", "pytest", "make colab", "make binder"} <= set(commands), commands
    assert set(UNTIMED) <= set(commands), f"stale UNTIMED entries: {set(UNTIMED) - set(commands)}"
    missing = [c for c in commands if c not in UNTIMED and not timed_in(README, c)]
    assert not missing, f"commands of CONTRIBUTING.md's test table without a time in the README: {missing}"


def test_the_readme_gives_the_checkpoints_time_and_size():
    """CONTRIBUTING.md sends the reader who retrains to the README for how long it takes."""
    assert "see the README for how long" in CONTRIBUTING
    retrain = next(p for p in paragraphs(README) if "`make checkpoints`" in p and "Retrain" in p)
    assert any(re.search(r"hours?|CPU-minutes", q) for q in quantities(retrain, TIME)), retrain
    assert any(q.endswith("MB") for q in quantities(retrain)), retrain


@pytest.mark.parametrize(
    "text",
    [
        "| `make lint` | ruff | about 20 s |",
        "takes about 1.5 min",
        "about 5 / 1.3 min",
        "about ten minutes",
        "half an hour",
        "2 to 7 minutes a model",
        "243 CPU-minutes",
        "30 MB in all",
        "184 A4 pages",
    ],
)
def test_a_time_or_size_is_found(text):
    assert quantities(text), text
    assert bool(quantities(text, TIME)) == (not re.search(r"MB|pages", text)), text


@pytest.mark.parametrize(
    "text", ["on 2 cores", "Python 3.11", "k = 25 steps", "chapters 6, 8 and 9", "`make test` runs", "2 settings"]
)
def test_other_numbers_are_not_times_or_sizes(text):
    assert not quantities(text), quantities(text)
