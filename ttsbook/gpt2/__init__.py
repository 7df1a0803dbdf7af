"""A small GPT-2-style transformer for in-context weight prediction (chapter 8, :doc:`/book/08_gpt2`).

Laid out as in nanoGPT: the model in :mod:`ttsbook.gpt2.model` (:class:`GPT2Config`,
:class:`GPT2`: a read-in of the paper's prompt columns, pre-LayerNorm causal blocks, a read-out
of ŵ at the last token), training, checkpoints and the command line beside it in
:mod:`ttsbook.gpt2.training` (:func:`train`, :func:`save`, :func:`load`, :func:`checkpoint`,
``python -m ttsbook.gpt2 train --help``). Every name is importable from here.

Test-time chain of thought is the paper's: :func:`ttsbook.cot.rollout` appends a token
[0_d; 0; ŵ_i; 1] carrying the current estimate and reads ŵ_{i+1} off it, reusing the keys and
values of the earlier tokens (:meth:`GPT2.extend`). :func:`train` unrolls that chain in training
(``k_train`` steps) or, with ``k_train = 0``, trains on the empty estimate slot only; a model
trained that way can think by residual re-prompting instead (:func:`ttsbook.cot.rollout_reprompt`:
ŵ_{i+1} = ŵ_i + s_i f(X, r_i/s_i) with r_i = y − Xᵀŵ_i and s_i = rms(r_i)/rms(y), which for the
LSA is the pseudo-Newton step of :func:`ttsbook.cot.pseudo_newton`). :data:`BOOK_CHECKPOINTS`
lists the book's trained models and :func:`book_command` the command that trains each.
"""

from . import training
from .model import GPT2, GPT2Config
from .training import (
    GPT2History,
    book_command,
    book_name,
    checkpoint,
    load,
    main,
    save,
    train,
)

#: Name → training settings and group of each checkpoint in ``ttsbook/checkpoints/``
#: (:data:`ttsbook.gpt2.training.BOOK_CHECKPOINTS`); :func:`book_name` finds one by its settings,
#: :func:`book_command` gives the command that writes it.
BOOK_CHECKPOINTS = training.BOOK_CHECKPOINTS

__all__ = [
    "GPT2Config",
    "GPT2",
    "GPT2History",
    "train",
    "save",
    "load",
    "checkpoint",
    "BOOK_CHECKPOINTS",
    "book_name",
    "book_command",
    "main",
]
