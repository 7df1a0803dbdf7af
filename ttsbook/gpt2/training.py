"""Training, checkpoint I/O and the command line of the GPT-2-style model (:mod:`ttsbook.gpt2.model`).

Training (:func:`train`) is a plain loop: AdamW on fresh prompts every step, loss
½ mean ‖ŵ − w‖². Its parts are named as a reader follows them: the schedule (``_lr_factor``: linear
warm-up then cosine decay; ``_chain_lengths``: the chain length K of every step), one step (``_loss``
of a batch, from the empty slot or the unrolled chain, then ``_descend``), the stop when the loss is
not finite (``_stop_if_diverged``) and the loss curve (``_LossLog``). ``python -m ttsbook.gpt2 train --help``
(:func:`main`) writes a checkpoint that :func:`load` reads with ``torch.load(weights_only=True)``.
The book's trained models ship inside the package (``ttsbook/checkpoints/``): :func:`checkpoint`
finds one by name with :mod:`importlib.resources`, wherever the package is installed.
"""

from __future__ import annotations

import argparse
import functools
import importlib.resources
import math
import numbers
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from .. import tasks
from .._checks import as_covariance, nonnegative_int, positive_float, positive_int
from ..lsa import TrainingDiverged, embed
from .model import GPT2, GPT2Config

__all__ = [
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


@dataclass
class GPT2History:
    """What :func:`train` records: steps, mini-batch loss ½‖ŵ − w‖² (mean over the batch)
    averaged over the last ``record_every`` steps, and the settings of the run."""

    steps: list = field(default_factory=list)
    loss: list = field(default_factory=list)
    settings: dict = field(default_factory=dict)


def _device(device: str) -> torch.device:
    if not isinstance(device, str):
        raise TypeError(f"device must be 'cpu', 'cuda', 'cuda:N' or 'auto', got {type(device).__name__}")
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device not in ("cpu", "cuda") and not str(device).startswith("cuda:"):
        raise ValueError(f"device must be 'cpu', 'cuda', 'cuda:N' or 'auto', got {device!r}")
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device {device!r} requested but CUDA is not available")
    return torch.device(device)


def train(
    cfg: GPT2Config,
    Lambda: np.ndarray,
    n: int,
    steps: int = 4000,
    batch: int = 64,
    lr: float = 1e-3,
    warmup: int = 200,
    weight_decay: float = 0.0,
    seed: int = 0,
    device: str = "cpu",
    record_every: int = 50,
    progress: bool = True,
    k_train: int = 0,
    k_pretrain: int = 0,
    pretrain_steps: int = 0,
    k_random: bool = False,
) -> tuple[GPT2, GPT2History]:
    """Train a :class:`GPT2` to predict w from prompts of ``n`` examples x ~ N(0, Λ) (chapter 8).

    Every step draws ``batch`` fresh prompts (:func:`ttsbook.tasks.sample_prompts` from one
    generator seeded with ``seed``). AdamW with linear warm-up over ``warmup`` steps, then cosine
    decay to lr/10. The initial weights come from ``torch.manual_seed(seed)``, so the same
    arguments give the same weights on one machine (with the same thread count).

    With ``k_train = 0`` the model is trained on its one prediction from the empty estimate slot
    (w_0 = 0): the loss is ½ mean ‖ŵ_1 − w‖², and the read-in of the estimate slot never
    receives a gradient. With ``k_train = K >= 1`` the chain of thought is unrolled in training,
    as in the paper's transformer experiment: the chain ŵ_1, …, ŵ_{K−1} of :func:`ttsbook.cot.rollout`
    is generated without gradients, then one forward pass over the examples and the estimate
    tokens of ŵ_0, …, ŵ_{K−1} reads out ŵ_1, …, ŵ_K (the same values) and the loss is the mean
    over the K steps of ½ mean ‖ŵ_i − w‖²: every step is trained to predict w. The fed-back
    estimates are self-generated inputs with stopped gradients (the model's own estimates, not
    the true values teacher forcing would feed): no gradient flows through the chain, so a step
    costs one parallel pass over m + K tokens (backpropagating through K sequential passes would
    cost K times more and compound the gradient across steps like backpropagation through time).
    ``k_train = 1`` computes the same loss as ``k_train = 0``. A chain-length curriculum: the
    first ``pretrain_steps`` steps use ``k_pretrain`` instead of ``k_train`` (the paper's
    companion pretrains with k = 8, then trains with k = 3). A length-generalising recipe (a
    random number of iterations per step, as Geiping et al., arXiv 2502.05171, draw per sample):
    with ``k_random = True`` each step draws its chain length uniformly from 1, …, ``k_train`` (from
    its own generator, so the prompts are those of the fixed-length run), so that every length up
    to ``k_train`` is trained.

    Parameters
    ----------
    cfg : GPT2Config
        The model's shape.
    Lambda : np.ndarray, shape (d, d)
        Training covariance (symmetric positive definite, d = ``cfg.d``).
    n : int
        Examples per training prompt.
    steps, batch : int
        Optimiser steps and prompts per step.
    lr : float
        Peak learning rate.
    warmup : int
        Warm-up steps.
    weight_decay : float
        AdamW weight decay (0 by default).
    seed : int
        Seeds the initialisation and the prompt stream.
    device : str
        ``"cpu"`` (default), ``"cuda"``, ``"cuda:N"`` or ``"auto"``. Float32 throughout.
    record_every : int
        The history holds the loss averaged over blocks of this many steps.
    progress : bool
        Show a tqdm progress bar.
    k_train : int
        Chain-of-thought steps unrolled in training (0: the empty slot only).
    k_pretrain, pretrain_steps : int
        Chain length of the first ``pretrain_steps`` steps (both 0: no curriculum).
    k_random : bool
        Draw each step's chain length uniformly from 1, …, ``k_train`` (after any pretraining).

    Returns
    -------
    model : GPT2
        On the CPU, in eval mode.
    history : GPT2History

    Raises
    ------
    ttsbook.lsa.TrainingDiverged
        (a ``RuntimeError``) as soon as the training loss is not finite.
    """
    if not isinstance(cfg, GPT2Config):
        raise TypeError(f"cfg must be a GPT2Config, got {type(cfg).__name__}")
    Lambda = as_covariance("Lambda", Lambda, cfg.d)
    n = positive_int("n", n)
    steps = positive_int("steps", steps)
    batch = positive_int("batch", batch)
    lr = positive_float("lr", lr)
    warmup = nonnegative_int("warmup", warmup)
    if isinstance(weight_decay, bool) or not isinstance(weight_decay, numbers.Real):
        raise TypeError(f"weight_decay must be a float >= 0, got {type(weight_decay).__name__}")
    if not 0 <= weight_decay < float("inf"):
        raise ValueError(f"weight_decay must be a float >= 0, got {weight_decay!r}")
    seed = nonnegative_int("seed", seed)
    record_every = positive_int("record_every", record_every)
    k_train, k_pretrain, pretrain_steps = _check_chain_lengths(steps, k_train, k_pretrain, pretrain_steps, k_random)
    dev = _device(device)

    torch.manual_seed(seed)
    model = GPT2(cfg).to(dev)
    prompt_stream = tasks.make_generator(seed)
    chain_lengths = _chain_lengths(steps, k_train, k_pretrain, pretrain_steps, k_random, seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, functools.partial(_lr_factor, warmup=warmup, steps=steps))
    history = GPT2History(
        settings=dict(
            n=n,
            steps=steps,
            batch=batch,
            lr=lr,
            warmup=warmup,
            weight_decay=float(weight_decay),
            seed=seed,
            k_train=k_train,
            k_pretrain=k_pretrain,
            pretrain_steps=pretrain_steps,
            k_random=k_random,
            Lambda=_as_list(Lambda),
        )
    )
    bar = tqdm(
        range(steps),
        desc=f"GPT2 L={cfg.n_layer} H={cfg.n_head} C={cfg.n_embd} n={n}",
        disable=not progress,
        mininterval=2.0,
    )
    log = _LossLog(history, record_every, steps, bar)
    model.train()
    for step in bar:
        X, y, w = (t.to(dev) for t in tasks.sample_prompts(Lambda, n, batch, seed=prompt_stream))
        loss = _loss(model, X, y, w, chain_lengths[step])
        value = loss.item()
        _stop_if_diverged(value, step, lr)
        _descend(opt, sched, loss)
        log.add(step, value)
    return model.to("cpu").eval(), history


def _check_chain_lengths(steps: int, k_train, k_pretrain, pretrain_steps, k_random) -> tuple[int, int, int]:
    """``k_train``, ``k_pretrain`` and ``pretrain_steps`` checked against each other and ``steps``."""
    k_train = nonnegative_int("k_train", k_train)
    k_pretrain = nonnegative_int("k_pretrain", k_pretrain)
    pretrain_steps = nonnegative_int("pretrain_steps", pretrain_steps)
    if pretrain_steps > steps:
        raise ValueError(f"pretrain_steps must be at most steps = {steps}, got {pretrain_steps}")
    if not isinstance(k_random, bool):
        raise TypeError(f"k_random must be a bool, got {type(k_random).__name__}")
    if k_random and k_train == 0:
        raise ValueError("k_random draws chain lengths from 1, …, k_train: k_train must be >= 1, got 0")
    if (k_pretrain == 0) != (pretrain_steps == 0):
        raise ValueError(
            f"k_pretrain and pretrain_steps must both be 0 or both be >= 1, "
            f"got k_pretrain={k_pretrain}, pretrain_steps={pretrain_steps}"
        )
    return k_train, k_pretrain, pretrain_steps


def _lr_factor(t: int, warmup: int, steps: int) -> float:
    """The learning rate of step ``t`` as a fraction of the peak: a linear warm-up to 1 over the first
    ``warmup`` steps, then a cosine decay from 1 at the end of the warm-up to 0.1 at ``steps``."""
    if t < warmup:
        return (t + 1) / warmup
    progress_frac = (t - warmup) / max(1, steps - warmup)
    return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress_frac))


def _chain_lengths(steps: int, k_train: int, k_pretrain: int, pretrain_steps: int, k_random: bool, seed: int) -> list:
    """The chain length K of every step: ``k_pretrain`` for the first ``pretrain_steps`` steps, then
    ``k_train``; with ``k_random``, after the pretraining, a length drawn uniformly from 1, …,
    ``k_train`` at every step, from a generator of its own (seeded ``[seed, 1]``), so that the
    prompts stay those of the fixed-length run."""
    draws = np.random.default_rng([seed, 1])
    lengths = []
    for step in range(steps):
        if step < pretrain_steps:
            lengths.append(k_pretrain)
        elif k_random:
            lengths.append(int(draws.integers(1, k_train + 1)))
        else:
            lengths.append(k_train)
    return lengths


def _loss(model: GPT2, X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, K: int) -> torch.Tensor:
    """The loss of one batch: ½ mean ‖ŵ_1 − w‖² of the one prediction from the empty estimate slot
    (K = 0), or the chain's loss over K unrolled steps (:func:`_chain_loss`)."""
    if K == 0:
        return 0.5 * (model.predict(X, y) - w).pow(2).sum(dim=1).mean()
    return _chain_loss(model, X, y, w, K)


def _stop_if_diverged(value: float, step: int, lr: float) -> None:
    """Raise :class:`~ttsbook.lsa.TrainingDiverged` when the loss of ``step`` is not finite: one
    non-finite loss makes every later weight NaN."""
    if not math.isfinite(value):
        raise TrainingDiverged(
            f"the GPT-2 training loss is {value} at step {step} with peak lr = {lr:g}: "
            "use a smaller lr (or a longer warm-up)"
        )


def _descend(opt: torch.optim.Optimizer, sched: torch.optim.lr_scheduler.LRScheduler, loss: torch.Tensor) -> None:
    """One AdamW step on the gradient of ``loss``, then the learning rate of the next step."""
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    sched.step()


class _LossLog:
    """The history's loss curve: the mean mini-batch loss of every block of ``every`` steps (the
    last block may be shorter), shown on the progress bar as it is recorded."""

    def __init__(self, history: GPT2History, every: int, steps: int, bar) -> None:
        self.history, self.every, self.steps, self.bar = history, every, steps, bar
        self.total, self.count = 0.0, 0

    def add(self, step: int, value: float) -> None:
        self.total += value
        self.count += 1
        if (step + 1) % self.every == 0 or step + 1 == self.steps:
            mean = self.total / self.count
            self.history.steps.append(step + 1)
            self.history.loss.append(mean)
            self.bar.set_postfix(loss=f"{mean:.4f}")
            self.total, self.count = 0.0, 0


def _as_list(Lambda: np.ndarray) -> list:
    """Λ as stored in a checkpoint: its diagonal when Λ is diagonal, else all its rows."""
    return np.diag(Lambda).tolist() if np.allclose(Lambda, np.diag(np.diag(Lambda))) else Lambda.tolist()


def _chain_loss(model: GPT2, X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, K: int) -> torch.Tensor:
    """Mean over the K steps of the chain of ½ mean ‖ŵ_i − w‖², the chain's tokens held fixed."""
    n = X.shape[2]
    examples = embed(X, y)[:, :, :n].transpose(1, 2)
    with torch.no_grad():
        fed_back = model.chain(examples, K - 1)  # ŵ_0 = 0, ŵ_1, …, ŵ_{K−1}: (K, batch, d)
    tokens = torch.cat([examples, model.estimate_tokens(fed_back.transpose(0, 1))], dim=1)
    w_hat = model(tokens)[:, n:]  # ŵ_1, …, ŵ_K: (batch, K, d)
    return 0.5 * (w_hat - w[:, None]).pow(2).sum(dim=2).mean()


def save(path: str | Path, model: GPT2, history: GPT2History, extra: dict | None = None) -> None:
    """Write a checkpoint to ``path``: config, state_dict and training metadata.

    Only plain Python types and tensors are stored, so that :func:`load` can use
    ``torch.load(weights_only=True)``. ``extra`` holds further plain metadata.
    """
    if not isinstance(model, GPT2):
        raise TypeError(f"model must be a GPT2, got {type(model).__name__}")
    if not isinstance(history, GPT2History):
        raise TypeError(f"history must be a GPT2History, got {type(history).__name__}")
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a file path, got {type(path).__name__}")
    torch.save(
        {
            "config": asdict(model.cfg),
            "state_dict": {k: v.detach().cpu().clone() for k, v in model.state_dict().items()},
            "history": {"steps": list(map(int, history.steps)), "loss": list(map(float, history.loss))},
            "settings": dict(history.settings),
            "extra": dict(extra or {}),
        },
        path,
    )


def load(path: str | Path) -> tuple[GPT2, dict]:
    """Read a checkpoint written by :func:`save` with ``torch.load(weights_only=True)``.

    Returns
    -------
    model : GPT2
        On the CPU, in eval mode.
    meta : dict
        ``config``, ``history`` (steps, loss), ``settings`` (n, steps, batch, lr, …, Lambda)
        and ``extra``.
    """
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must name an existing checkpoint file, got {type(path).__name__}")
    if not Path(path).is_file():
        raise ValueError(f"path must name an existing checkpoint file, got {path!r}")
    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(ckpt, dict) or "config" not in ckpt or "state_dict" not in ckpt:
        raise ValueError(f"path {path!r} is not a ttsbook.gpt2 checkpoint")
    model = GPT2(GPT2Config(**ckpt["config"]))
    model.load_state_dict(ckpt["state_dict"])
    return model.eval(), {k: v for k, v in ckpt.items() if k != "state_dict"}


CHECKPOINTS = "checkpoints"  # the package folder that holds the book's trained models


def checkpoint(name: str) -> Path:
    """The path of a checkpoint shipped with the package, e.g. ``checkpoint("gpt2_n20")``.

    The book's models live in ``ttsbook/checkpoints/NAME.pt`` (``make checkpoints`` writes them)
    and are found with :mod:`importlib.resources`, never relative to the working directory, so a
    chapter opened alone (on Colab) finds them. Read one with ``load(checkpoint(name))``.

    Parameters
    ----------
    name : str
        The file name without ``.pt`` (``"gpt2_n20"``); a trailing ``.pt`` is accepted.

    Returns
    -------
    pathlib.Path
        An existing file.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a checkpoint name such as 'gpt2_n20', got {type(name).__name__}")
    if not name or "/" in name or "\\" in name:
        raise ValueError(f"name must be a checkpoint name such as 'gpt2_n20', got {name!r}")
    folder = importlib.resources.files("ttsbook") / CHECKPOINTS
    stem = name.removesuffix(".pt")
    path = Path(str(folder / f"{stem}.pt"))
    if not path.is_file():
        shipped = (
            sorted(p.name.removesuffix(".pt") for p in folder.iterdir() if p.name.endswith(".pt"))
            if folder.is_dir()
            else []
        )
        raise ValueError(f"name {name!r} names no shipped checkpoint; there are {shipped}")
    return path


def _book_checkpoints() -> dict[str, dict]:
    """The training settings of every checkpoint the book ships, by name (see :data:`BOOK_CHECKPOINTS`)."""
    skewed, iso = "skewed-trace-d", "isotropic"
    book = {}
    # "paper": the paper's two experiments (chapter 8): three training seeds of the paper's protocol
    for n in (20, 30, 40):  # the empty-slot baselines (residual re-prompting)
        book[f"gpt2_n{n}"] = dict(n=n, spectrum=skewed, k_train=0, seed=0, group="paper")
    for seed in (0, 1, 2):
        suffix = "" if seed == 0 else f"_seed{seed}"
        for n in (20, 30, 40):  # the paper's protocol: chain unrolled, k = 3
            book[f"gpt2_chain_n{n}_k3{suffix}"] = dict(n=n, spectrum=skewed, k_train=3, seed=seed, group="paper")
    # "controls": what makes the transformer overthink (chapter 9), at n = 30
    for seed in (0, 1, 2):
        suffix = "" if seed == 0 else f"_seed{seed}"
        # isotropic training data, for the two-by-two of training × test data at k = 3
        book[f"gpt2_chain_iso_n30_k3{suffix}"] = dict(n=30, spectrum=iso, k_train=3, seed=seed)
        # chains trained as long as the test runs them (K = 25), skewed and isotropic data
        book[f"gpt2_chain_n30_k25{suffix}"] = dict(n=30, spectrum=skewed, k_train=25, seed=seed)
        book[f"gpt2_chain_iso_n30_k25{suffix}"] = dict(n=30, spectrum=iso, k_train=25, seed=seed)
    for seed in (0, 1):
        suffix = "" if seed == 0 else f"_seed{seed}"
        # a longer fixed chain
        book[f"gpt2_chain_n30_k8{suffix}"] = dict(n=30, spectrum=skewed, k_train=8, seed=seed)
        # learned absolute position embeddings, as in Garg et al.'s GPT-2
        for k in (3, 25):
            book[f"gpt2_pos_n30_k{k}{suffix}"] = dict(n=30, spectrum=skewed, k_train=k, positions=128, seed=seed)
        # a random chain length per step, 1 to 25 (length generalisation)
        book[f"gpt2_chain_n30_krand25{suffix}"] = dict(n=30, spectrum=skewed, k_train=25, k_random=True, seed=seed)
        # the companion paper's schedule: k = 8 for the first half of training, then k = 3
        book[f"gpt2_chain_n30_k8to3{suffix}"] = dict(
            n=30, spectrum=skewed, k_train=3, k_pretrain=8, pretrain_steps=1250, seed=seed
        )
    # Garg et al.'s "small" size (6 layers, 4 heads, width 128): the main cells at a larger scale
    for k in (3, 25):
        book[f"gpt2_small_n30_k{k}"] = dict(n=30, spectrum=skewed, k_train=k, seed=0, size=(6, 4, 128))
    for settings in book.values():
        settings.setdefault("group", "controls")
        settings.update(d=10, steps=2500)
    # "finite-m": the empty-slot model of chapter 6's finite-m section (long prompts cost more a step)
    book["gpt2_n66"] = dict(n=66, spectrum=skewed, k_train=0, seed=0, d=10, steps=1500, group="finite-m")
    return book


BOOK_CHECKPOINTS = _book_checkpoints()
"""Name → training settings (``n``, ``d``, ``spectrum``, ``k_train``, ``seed``, ``steps``; where
used, ``k_pretrain`` and ``pretrain_steps``, ``k_random``, ``positions``, and ``size`` = (layers,
heads, width) where it is not :class:`GPT2Config`'s default) of each checkpoint in
``ttsbook/checkpoints/``, and its ``group``: ``"paper"`` (the paper's two experiments, chapter 8),
``"controls"`` (what makes the transformer overthink, chapter 9: isotropic training data, longer
chains, chains trained as long as the test runs them, position embeddings, random chain lengths,
the companion paper's schedule, Garg et al.'s "small" size) or ``"finite-m"`` (chapter 6).
:func:`book_name` finds a checkpoint by its settings, :func:`book_command` gives the command
that writes it."""


_OPTIONAL = {"positions": 0, "k_random": False, "k_pretrain": 0, "size": None}  # absent settings


def book_name(n: int = 30, k_train: int = 3, seed: int = 0, spectrum: str = "skewed-trace-d", **settings) -> str:
    """The name of the book's checkpoint trained with these settings (see :data:`BOOK_CHECKPOINTS`).

    ``settings`` may name ``positions``, ``k_random``, ``k_pretrain`` or ``size``; one left out
    means the default recipe (no position embedding, a fixed chain length, no curriculum, the
    default size). ``book_name(30, k_train=25, seed=1)`` is ``"gpt2_chain_n30_k25_seed1"``.
    """
    positive_int("n", n)
    nonnegative_int("k_train", k_train)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"seed must be a non-negative integer, got {type(seed).__name__} {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    unknown = set(settings) - set(_OPTIONAL)
    if unknown:
        raise ValueError(f"settings must be among {sorted(_OPTIONAL)}, got {sorted(unknown)}")
    want = dict(_OPTIONAL, **settings, n=n, k_train=k_train, seed=seed, spectrum=spectrum)
    found = [
        name
        for name, s in BOOK_CHECKPOINTS.items()
        if all(s.get(key, _OPTIONAL.get(key)) == value for key, value in want.items())
    ]
    if len(found) != 1:
        raise ValueError(f"the settings {want} name {len(found)} of the book's checkpoints, not one: {found}")
    return found[0]


def book_command(name: str, out: str | Path | None = None) -> list[str]:
    """The command line (after ``python -m ttsbook.gpt2``) that trains the book's checkpoint ``name``.

    One thread, so that the weights do not depend on the machine's core count. ``out`` defaults
    to the package's checkpoint folder.
    """
    if name not in BOOK_CHECKPOINTS:
        raise ValueError(f"name must be one of the book's checkpoints {sorted(BOOK_CHECKPOINTS)}, got {name!r}")
    s = BOOK_CHECKPOINTS[name]
    out = out if out is not None else f"ttsbook/{CHECKPOINTS}/{name}.pt"
    argv = [
        "train",
        "--n",
        str(s["n"]),
        "--d",
        str(s["d"]),
        "--spectrum",
        s["spectrum"],
        "--steps",
        str(s["steps"]),
        "--seed",
        str(s["seed"]),
    ]
    if s["k_train"]:
        argv += ["--k-train", str(s["k_train"])]
    if s.get("pretrain_steps"):
        argv += ["--k-pretrain", str(s["k_pretrain"]), "--pretrain-steps", str(s["pretrain_steps"])]
    if s.get("k_random"):
        argv += ["--k-random"]
    if s.get("positions"):
        argv += ["--positions", str(s["positions"])]
    if s.get("size"):
        layers, heads, width = s["size"]
        argv += ["--layers", str(layers), "--heads", str(heads), "--width", str(width)]
    return argv + ["--threads", "1", "--out", str(out)]


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m ttsbook.gpt2 train --n 20 --out ckpt.pt`` (see ``--help``)."""
    parser = argparse.ArgumentParser(
        prog="python -m ttsbook.gpt2", description="Train the GPT-2-style weight predictor of chapter 8."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser(
        "train",
        help="train a model and write a checkpoint",
        description="Train a GPT-2-style model on in-context weight prediction and save "
        "config + state_dict + training metadata to --out.",
    )
    p.add_argument("--out", required=True, help="checkpoint path (.pt)")
    p.add_argument("--n", type=int, required=True, help="training prompt length (examples per prompt)")
    p.add_argument("--d", type=int, default=10, help="task dimension (default 10)")
    p.add_argument(
        "--spectrum",
        choices=tasks.SPECTRA,
        default="skewed-trace-d",
        help="training covariance (default skewed-trace-d: λ_i ∝ 1/i with tr Λ = d)",
    )
    p.add_argument("--paper", action="store_true", help="the paper's 12 layers / 8 heads / width 256")
    p.add_argument("--layers", type=int, default=GPT2Config.n_layer)
    p.add_argument("--heads", type=int, default=GPT2Config.n_head)
    p.add_argument("--width", type=int, default=GPT2Config.n_embd)
    p.add_argument("--steps", type=int, default=4000)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--k-train",
        type=int,
        default=0,
        help="CoT steps unrolled in training (default 0: the empty estimate slot only)",
    )
    p.add_argument(
        "--k-pretrain",
        type=int,
        default=0,
        help="chain length of the first --pretrain-steps steps (a chain-length curriculum)",
    )
    p.add_argument("--pretrain-steps", type=int, default=0)
    p.add_argument(
        "--k-random",
        action="store_true",
        help="draw each step's chain length uniformly from 1 to --k-train (length generalisation)",
    )
    p.add_argument(
        "--positions",
        type=int,
        default=0,
        help="learned absolute position embedding over this many positions (default 0: none)",
    )
    p.add_argument("--device", default="cpu", help="cpu (default), cuda, cuda:N or auto")
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        help="CPU threads for torch (default: torch's choice; 1 is fastest on a busy machine)",
    )
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    c = sub.add_parser(
        "commands",
        help="print the command that trains each of the book's checkpoints",
        description="One line per checkpoint in ttsbook/checkpoints/ (make checkpoints runs them).",
    )
    c.add_argument("names", nargs="*", help="only these checkpoints (default: all)")
    args = parser.parse_args(argv)
    if args.command == "commands":
        for name in args.names or BOOK_CHECKPOINTS:
            print(" ".join(["python", "-m", "ttsbook.gpt2"] + book_command(name)))
        return 0
    if args.threads is not None:
        torch.set_num_threads(positive_int("threads", args.threads))
    cfg = (
        GPT2Config.paper(args.d)
        if args.paper
        else GPT2Config(d=args.d, n_layer=args.layers, n_head=args.heads, n_embd=args.width, n_positions=args.positions)
    )
    t0 = time.perf_counter()
    model, history = train(
        cfg,
        tasks.by_name(args.spectrum, args.d),
        args.n,
        steps=args.steps,
        batch=args.batch,
        lr=args.lr,
        warmup=args.warmup,
        seed=args.seed,
        device=args.device,
        progress=not args.no_progress,
        k_train=args.k_train,
        k_pretrain=args.k_pretrain,
        pretrain_steps=args.pretrain_steps,
        k_random=args.k_random,
    )
    seconds = time.perf_counter() - t0
    save(
        args.out,
        model,
        history,
        extra={
            "spectrum": args.spectrum,
            "train_seconds": round(seconds, 1),
            "num_params": model.num_params(),
            "device": args.device,
            "threads": torch.get_num_threads(),
        },
    )
    print(f"{args.out}: {model.num_params()} parameters, final loss {history.loss[-1]:.4f}, {seconds:.0f} s wall")
    return 0
