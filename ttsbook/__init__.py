"""ttsbook: the support package of the book "Understanding the Role of Training Data in
Test-Time Scaling", an executable reproduction of Javanmard, Mirzasoleiman and Mirrokni (2025).

Modules: :mod:`ttsbook.tasks` (spectra and prompts), :mod:`ttsbook.theory` (closed forms),
:mod:`ttsbook.lsa` (the linear self-attention model and its training), :mod:`ttsbook.cot`
(test-time chain of thought), :mod:`ttsbook.analysis` (statistics of chains over prompts and
training seeds), :mod:`ttsbook.selection` (choosing the training mixture),
:mod:`ttsbook.gpt2` (a small GPT-2-style transformer for the same
task), :mod:`ttsbook.plots` (the book's figure style and interactive figures),
:mod:`ttsbook.claims` (the paper's claims and the book's verdicts, see :doc:`/book/claims`).
:func:`glue`, :func:`number`, :func:`count` and :func:`below` put computed numbers into the prose.
"""

from . import analysis, claims, cot, lsa, plots, selection, tasks, theory
from ._glue import below, count, glue, number
from .claims import claim, verdicts

__all__ = [
    "tasks",
    "theory",
    "lsa",
    "cot",
    "analysis",
    "selection",
    "gpt2",
    "plots",
    "claims",
    "glue",
    "number",
    "count",
    "below",
    "claim",
    "verdicts",
]
__version__ = "0.1.0"


def __getattr__(name: str):
    # ttsbook.gpt2 is imported on first use, so that `python -m ttsbook.gpt2` runs it cleanly.
    if name == "gpt2":
        import importlib

        return importlib.import_module(".gpt2", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
