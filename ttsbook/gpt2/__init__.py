"""A small GPT-2-style transformer for in-context weight prediction (chapter 8, :doc:`/book/08_gpt2`).

Laid out as in nanoGPT: the model in :mod:`ttsbook.gpt2.model` (:class:`GPT2Config`,
:class:`GPT2`: a read-in of the paper's prompt columns, pre-LayerNorm causal blocks, a read-out
of ŵ at the last token), training, checkpoints and the command line beside it in
:mod:`ttsbook.gpt2.training` (:func:`train`, :func:`save`, :func:`load`, :func:`checkpoint`,
``python -m ttsbook.gpt2 train --help``). Every name is importable from here.

Test-time chain of thought (:func:`ttsbook.cot.rollout_reprompt`) re-prompts the model on the residuals
r_i = y − Xᵀŵ_i and adds the predicted correction: ŵ_{i+1} = ŵ_i + s_i f(X, r_i/s_i), with
s_i = rms(r_i)/rms(y) putting the residual back on the scale of the labels the model was trained
on. For the LSA, f is linear in y, so this is exactly the pseudo-Newton step of
:func:`ttsbook.cot.pseudo_newton` (Proposition 3.2). Training uses no chain of thought.
"""

from .. import cot, tasks
from .model import GPT2, GPT2Config
from .training import GPT2History, TrainingHistory, checkpoint, load, main, save, train

__all__ = [
    "GPT2Config",
    "GPT2",
    "GPT2History",
    "train",
    "save",
    "load",
    "checkpoint",
    "main",
]

# Older names, kept out of __all__: TrainingHistory is an alias of GPT2History; rollout, SPECTRA
# and spectrum are aliases of :func:`ttsbook.cot.rollout_reprompt`, :data:`ttsbook.tasks.SPECTRA`
# and :func:`ttsbook.tasks.by_name`.
rollout = cot.rollout_reprompt
SPECTRA = tasks.SPECTRA
spectrum = tasks.by_name
