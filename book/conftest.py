"""nbval's comparison of the chapters (``pytest --nbval book/``; ``tools/colab.py`` loads it too).

Every printed output is compared as text with the committed notebook: the chapters print each
number to the digits it keeps on every CPU. The values glued into the prose (``ttsbook.glue``:
display outputs of type ``application/papermill.record/text/plain``, six significant digits)
are compared as numbers instead: texts and integers must be equal, a real number must agree to
:data:`DEFAULT_RTOL`, and a quantity whose computation amplifies rounding to the tolerance
:data:`TOLERANCES` gives it, with the reason. Rounding moves a well-conditioned value in its
sixth digit at most; a changed seed moves a Monte Carlo estimate by its standard error (per
cent) and a changed constant a closed form by more, so both still fail. On Colab myst-nb is
absent and ``glue`` records nothing: there is nothing to compare. ``tests/test_glued_values.py``
compares the book build's values the same way, and that every chapter glues the same names.
"""

from __future__ import annotations

import ast

import pytest

GLUE_RECORD = "application/papermill.record/text/plain"
DEFAULT_RTOL = 1e-4

#: Glue name → (relative tolerance, why the value moves more than rounding from CPU to CPU).
TOLERANCES: dict[str, tuple[float, str]] = {}


def glued(outputs) -> dict[str, object]:
    """Name → value (as Python reads it) of every ``glue`` record among a cell's outputs."""
    values = {}
    for out in outputs:
        name = (out.get("metadata") or {}).get("scrapbook", {}).get("name")
        if name is not None and GLUE_RECORD in (out.get("data") or {}):
            values[name] = ast.literal_eval(out["data"][GLUE_RECORD])
    return values


def agree(name: str, value, reference) -> bool:
    """Whether a glued value reproduces its reference: numbers within their tolerance, the rest equal."""
    if isinstance(value, float) or isinstance(reference, float):
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (value, reference)):
            return False
        return value == pytest.approx(reference, rel=TOLERANCES.get(name, (DEFAULT_RTOL, ""))[0], abs=0)
    return value == reference


def differences(values: dict, references: dict) -> dict:
    """Name → (value, reference) of every glued value that does not reproduce (or is missing)."""
    names = sorted(set(values) | set(references))
    return {
        n: (values.get(n), references.get(n))
        for n in names
        if n not in values or n not in references or not agree(n, values[n], references[n])
    }


def pytest_collection_modifyitems(items):
    for item in items:
        parent = item.parent
        if hasattr(parent, "skip_compare") and GLUE_RECORD not in parent.skip_compare:
            parent.skip_compare = (*parent.skip_compare, GLUE_RECORD)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    outputs, cell = getattr(item, "test_outputs", None), getattr(item, "cell", None)
    if outputs is None or cell is None or cell.get("cell_type") != "code":
        return result
    values = glued(outputs)
    if values:  # none where myst-nb is absent from the kernel (Colab): glue records nothing there
        differ = differences(values, glued(cell.get("outputs", [])))
        assert not differ, (
            f"glued values differ from the committed notebook (this run, committed), beyond each one's "
            f"tolerance (default {DEFAULT_RTOL:g} relative): {differ}"
        )
    return result
