"""The Makefile as make reads it, for the tests that check what it runs.

:func:`rules` reads make's own database (``make -p``): every target with a rule, and its
prerequisites. :func:`commands` is what ``make -n`` prints for a target, its variables expanded,
without remaking its prerequisites. Either holds however the Makefile is written (rules spread
over lines, targets named through variables, recipes reformatted), as long as make runs the same.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAKEFILE = ROOT / "Makefile"
RULE = re.compile(r"^(?P<target>[^#\t\s][^:]*?)::?(?!=)\s*(?P<prerequisites>.*)$")


def _make(makefile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", "-f", str(makefile), *args],
        cwd=makefile.parent,
        capture_output=True,
        text=True,
    )


def rules(makefile: Path = MAKEFILE) -> dict[str, list[str]]:
    """Each target of ``makefile`` that has a rule (prerequisites or a recipe), with its
    prerequisites (order-only ones included). Files make knows only as prerequisites ("Not a
    target") are left out, and so is a name only declared ``.PHONY``, for which make does nothing."""
    # -q asks, for the goal ':', which no Makefile defines: nothing is remade; -p prints the database.
    out = _make(makefile, "-pRrq", ":")
    if "# Files" not in out.stdout:
        raise RuntimeError(f"make printed no database for {makefile}:\n{out.stderr}")
    files = out.stdout.split("\n# Files\n", 1)[1].split("\n# files hash-table stats", 1)[0]
    found: dict[str, list[str]] = {}
    for block in re.split(r"\n\s*\n", files):
        lines = block.strip("\n").splitlines()
        if not lines or "# Not a target:" in lines:
            continue
        match = next((m for m in map(RULE.match, lines) if m), None)
        if match is None:
            continue
        prerequisites = [p for p in match["prerequisites"].split() if p != "|"]
        if prerequisites or any(line.startswith("\t") for line in lines):
            found[match["target"].strip()] = prerequisites
    return found


def commands(target: str, makefile: Path = MAKEFILE) -> str:
    """The commands ``make TARGET`` runs, as ``make -n`` prints them (variables expanded), with
    its prerequisites taken as up to date. Raises ``ValueError`` for a target with no rule."""
    table = rules(makefile)
    if target not in table:
        raise ValueError(f"target must have a rule in {makefile.name}, got {target!r}")
    old = [arg for prerequisite in table[target] for arg in ("-o", prerequisite)]
    out = _make(makefile, "-n", *old, target)
    if out.returncode != 0:
        raise RuntimeError(f"make -n {target} failed:\n{out.stderr}")
    return out.stdout
