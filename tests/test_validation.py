"""Every public callable of ttsbook refuses bad input with an error that names the argument.

A value of the wrong type (kinds ``type`` and ``dtype``: a float where an integer is needed, a
string where a number is, a complex array, an object that is not a model) raises ``TypeError``, as
NumPy and PyTorch raise it; a value of the right type that is out of range raises ``ValueError``.

The test is a table: one row per (public callable, argument, bad-input kind) with the bad value
and a regular expression the message must match. Each callable has one known-good call in
``GOOD``; a row replaces one argument of that call by a bad value, so a row fails only because
of that argument (``test_good_calls_succeed`` proves that the good calls pass, with each row's
other arguments too, and return what they are annotated to return).

Two meta-tests keep the table complete as the package grows:

* ``test_every_public_callable_has_rows`` walks the ``__all__`` of ttsbook and of every public
  module in it (and the public methods of the classes listed there) and fails if a callable has
  no row and is not in ``EXEMPT``;
* ``test_required_kinds_are_covered`` reads each callable's signature and, for every argument
  whose name has a rule in ``REQUIRED`` (``Lambda``, ``n``, ``k``, ``X`` …), demands a row for
  each bad-input kind of that rule, unless ``NOT_APPLICABLE`` says why it does not apply.

To cover a new function: add its good call to ``GOOD`` and its rows to ``TABLE`` (the helpers
``covariance_rows``, ``count_rows``, ``steps_rows`` and ``tensor_rows`` write the usual ones).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import tempfile
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import ttsbook  # noqa: E402
from ttsbook import analysis, claims, cot, gpt2, lsa, plots, selection, tasks, theory  # noqa: E402, F401

# ----------------------------------------------------------------------------- good inputs
D, N, M, B = 3, 5, 7, 4
LAM = tasks.skewed(D)
GAM = theory.gamma(LAM, N)
SIG = tasks.isotropic(D)
X, Y, W = tasks.sample_prompts(LAM, M, B, seed=0, dtype=torch.float64)
X4, Y4, _ = tasks.sample_prompts(tasks.isotropic(D + 1), M, B, seed=0, dtype=torch.float64)
MODEL = lsa.optimal(LAM, N)
ITER = cot.rollout(MODEL, X, Y, 2)
E = lsa.embed(X, Y)
_, AX = plt.subplots()
ERR = np.array([1.0, 0.5, 0.25])
GPT_CFG = gpt2.GPT2Config(d=D, n_layer=1, n_head=1, n_embd=8)
GPT = gpt2.GPT2(GPT_CFG)
TOKENS = E.transpose(1, 2).float()
CKPT = Path(tempfile.mkdtemp()) / "gpt2.pt"
gpt2.save(CKPT, GPT, gpt2.GPT2History())
_, ZOOM_AX = plt.subplots()
ZOOM_AX.plot([0.0, 1.0], [0.0, 1.0])
# A figure outside pyplot with its own Agg canvas, so that no other test's plt.close or backend
# change takes its renderer away.
LEGEND_FIG = Figure()
FigureCanvasAgg(LEGEND_FIG)
_legend_ax = LEGEND_FIG.add_subplot()
_legend_ax.plot([0.0, 1.0], [0.0, 1.0], label="a")
_legend_ax.legend()
TABLE_FRAME = pd.DataFrame({"error": [1.5e-7, float("inf")], "n": [10, 20]})
CLAIM = claims.claim("a", "It holds.", "reproduced")
CLAIM_SOURCE = Path(tempfile.mkdtemp()) / "01_x.md"
CLAIM_SOURCE.write_text('```{code-cell} ipython3\nclaim("a", "It holds.", "reproduced")\n```\n')
CLAIM_COLLECTED = claims.collect([CLAIM_SOURCE])[0]
CLAIM_BAD_SOURCE = CLAIM_SOURCE.with_name("02_y.md")
CLAIM_BAD_SOURCE.write_text('```{code-cell} ipython3\nclaim("b", TEXT, "reproduced")\n```\n')

# The one good call of each callable, as keyword arguments ("_self" is the instance a method is
# called on). Methods are named "module.Class.method".
CELL_ERRORS = np.ones((3, 4, D))  # per-coordinate errors of a chain, (k+1, B, d)
CELL_VALUES = {cell: 1.0 for cell in analysis.CELLS}  # a two-by-two of positive quantities
GOOD: dict[str, dict[str, Any]] = {
    "analysis.direction_errors": dict(model=MODEL, X=X, y=Y, w=W, k=2, window=None),
    "analysis.curve": dict(errors=CELL_ERRORS, stat="mean", directions=None),
    "analysis.k_star": dict(c=ERR, upto=None),
    "analysis.rise": dict(c=ERR, to=None, start=None, scale="log"),
    "analysis.interaction": dict(values=CELL_VALUES, scale="log"),
    "analysis.bootstrap": dict(statistic=lambda r: 0.0, errors={"a": CELL_ERRORS}, n_boot=2, seed=0),
    "gpt2.book_name": dict(n=30, k_train=3, seed=0, spectrum="skewed-trace-d"),
    "tasks.mixture": dict(Lambdas=[LAM, SIG], ns=[N, N], weights=[0.5, 0.5]),
    "tasks.training_tasks": dict(Lambda=LAM, n=N, weights=None),
    "selection.mixture_moments": dict(Lambdas=[LAM, SIG], ns=[N, N], weights=[0.5, 0.5]),
    "selection.mixture_optimum": dict(Lambdas=[LAM, SIG], ns=[N, N], weights=[0.5, 0.5]),
    "selection.mixture_optimal_v": dict(Lambdas=[LAM, SIG], ns=[N, N], weights=[0.5, 0.5], c=1.0),
    "selection.mixture_optimal_loss": dict(Lambdas=[LAM, SIG], ns=[N, N], weights=[0.5, 0.5]),
    "theory.mixture_moments": dict(Lambdas=[LAM, SIG], ns=[N, N], weights=[0.5, 0.5]),
    "theory.mixture_optimum": dict(Lambdas=[LAM, SIG], ns=[N, N], weights=[0.5, 0.5]),
    "theory.mixture_optimal_v": dict(Lambdas=[LAM, SIG], ns=[N, N], weights=[0.5, 0.5], c=1.0),
    "theory.mixture_optimal_loss": dict(Lambdas=[LAM, SIG], ns=[N, N], weights=[0.5, 0.5]),
    "theory.stable_step_size": dict(Lambda=LAM, n=N, c=1.0),
    "theory.condition_number": dict(Lambda=LAM, n=N, weights=None),
    "selection.iteration_error": dict(A=np.linalg.inv(GAM), Sigma=SIG, k=2),
    "selection.qp_objective": dict(weights=[0.5, 0.5], Lambdas=[LAM, SIG], Sigma=SIG),
    "selection.cot_objective": dict(weights=[0.5, 0.5], Lambdas=[LAM, SIG], ns=[N, N], Sigma=SIG, k=2),
    "selection.select_tasks": dict(Lambdas=[LAM, SIG], ns=[N, N], Sigma=SIG),
    "selection.closest_task": dict(Lambdas=[LAM, SIG], Sigma=SIG),
    "tasks.isotropic": dict(d=D),
    "tasks.skewed": dict(d=D),
    "tasks.power_law": dict(d=D, alpha=1.5),
    "tasks.random_rotation": dict(d=D, seed=0),
    "tasks.rotate": dict(Lambda=LAM, seed=0),
    "tasks.with_trace": dict(Lambda=LAM, trace=3.0),
    "tasks.make_generator": dict(seed=0),
    "tasks.sample_prompts": dict(Lambda=LAM, n=N, batch=B, seed=0, dtype=torch.float64),
    "theory.gamma": dict(Lambda=LAM, n=N),
    "theory.hardness": dict(Lambda=LAM),
    "theory.optimal_v": dict(Lambda=LAM, n=N, c=1.0),
    "theory.optimal_loss": dict(Lambda=LAM, n=N),
    "theory.second_moment": dict(Sigma=SIG, m=M),
    "theory.direct_error": dict(Gamma=GAM, Sigma=SIG, m=M),
    "theory.direct_error_bound": dict(Lambda=LAM, n=N, m=M),
    "theory.cot_error_bound": dict(Lambda=LAM, n=N, k=3),
    "theory.cot_error_limit": dict(Gamma=GAM, Sigma=SIG, k=3),
    "theory.direct_error_general": dict(Gamma=GAM, Sigma=SIG, m=M),
    "theory.cot_error_limit_general": dict(Gamma=GAM, Sigma=SIG, k=3),
    "theory.power_norms": dict(M=np.eye(D) / 2, k=3),
    "theory.cot_error_limit_per_skill": dict(Gamma=GAM, Sigma=LAM, k=3),
    "theory.skill_ratios": dict(Gamma=GAM, Sigma=SIG),
    "theory.overthinking_skills": dict(Gamma=GAM, Sigma=SIG),
    "theory.best_cot_steps": dict(Gamma=GAM, Sigma=SIG, k_max=None, k_cap=100),
    "theory.critical_train_length": dict(Lambda=LAM, Sigma=SIG),
    "theory.spectrum_edges": dict(Gamma=GAM, Sigma=SIG, m=M),
    "theory.critical_prompt_ratio": dict(Gamma=GAM, Sigma=SIG, s=2.0),
    "cot.rollout_adaptive": dict(model=MODEL, X=X, y=Y, k_max=2, rule="insample", holdout=0.2, scheme=None),
    "lsa.Blocks": dict(d=D),
    "lsa.embed": dict(X=X, y=Y, w0=W),
    "lsa.LSA": dict(d=D, c=1.0, dtype=torch.float64),
    "lsa.LSA.forward": dict(_self=MODEL, E=E, rho=M),
    "lsa.LSA.last_column": dict(_self=MODEL, E=E, rho=M),
    "lsa.LSA.predict": dict(_self=MODEL, X=X, y=Y, w0=W),
    "lsa.LSA.gamma": dict(_self=MODEL),
    "lsa.optimal": dict(Lambda=LAM, n=N, c=1.0, dtype=torch.float64),
    "lsa.relative_error": dict(model=MODEL, target=-np.linalg.inv(GAM)),
    "lsa.train": dict(
        Lambda=LAM,
        n=N,
        steps=1,
        batch=B,
        lr=0.1,
        seed=0,
        c=1.0,
        decay_from=0.3,
        record_every=1,
        dtype=torch.float64,
        progress=False,
        mode="sampled",
        tol=None,
    ),
    "cot.rollout": dict(model=MODEL, X=X, y=Y, k=2, method=None, window=None),
    "cot.pseudo_newton": dict(Gamma=GAM, X=X, y=Y, k=2),
    "cot.closed_form": dict(Gamma=GAM, X=X, w=W, k=2),
    "cot.squared_error": dict(iterates=ITER, w=W),
    "analysis.mean_and_sem": dict(per_prompt=np.ones((3, 4)), axis=-1),
    "analysis.median_and_interval": dict(per_prompt=np.ones((3, 40)), axis=-1, z=1.0),
    "cot.steps_to_reach": dict(errors=ERR, target=0.3, interpolate=False),
    "plots.palette": dict(n=3, name="viridis"),
    "plots.error_vs_k": dict(ax=AX, errors=ERR, label="run", theory=ERR, bound=ERR, ks=np.arange(3)),
    "plots.spectrum": dict(ax=AX, Lambda=LAM, label="skewed"),
    "plots.table_number": dict(value=1.5e-7, digits=3, infinite="diverged"),
    "plots.paper_table": dict(frame=TABLE_FRAME, digits=3, formats={"error": 2}, index=True, infinite="∞"),
    "plots.place_legends": dict(fig=LEGEND_FIG),
    "plots.covered_points": dict(fig=LEGEND_FIG),
    "plots.errors_at": dict(columns={"a": ERR, "b": ERR}, ks=[0, 2], digits=3),
    "glue": dict(name="x", value=1.0, digits=6),
    "number": dict(value=2.5e13, spec=".2g"),
    "count": dict(n=3, noun="skill", plural="skills", words=False),
    "below": dict(value=3e-16, floor=1e-12),
    "claims.claim": dict(
        id="a",
        claim="It holds.",
        verdict="reproduced",
        figure="fig-a",
        check="t",
        regime="d >= 2",
        source="Theorem 1",
        kind="paper",
    ),
    "claim": dict(id="a", claim="It holds.", verdict="reproduced"),
    "claims.collect": dict(paths=[CLAIM_SOURCE]),
    "claims.table": dict(claims=[CLAIM_COLLECTED], kind="paper"),
    "claims.page": dict(claims=[CLAIM_COLLECTED]),
    "claims.overview": dict(claims=[CLAIM_COLLECTED]),
    "claims.counts": dict(claims=[CLAIM]),
    "claims.summary": dict(claims=[CLAIM]),
    "plots.subplots": dict(nrows=1, ncols=2, height=3.0),
    "plots.integer_ticks": dict(ax=AX, axis="x"),
    "plots.log_ticks": dict(ax=AX, ticks=[1.0, 10.0], axis="y"),
    "plots.zoom": dict(ax=ZOOM_AX, xlim=(0.0, 1.0), ylim=(0.0, 1.0), bounds=(0.5, 0.5, 0.4, 0.4)),
    "plots.interactive_curves": dict(
        curves=lambda a: {"y": np.ones(3)},
        x=np.arange(3),
        sliders={"a": [1]},
        xlabel="k",
        ylabel="y",
        labels={"a": "a"},
        ylim=(0.1, 10.0),
        styles=None,
        note=None,
    ),
    "gpt2.GPT2Config": dict(d=D, n_layer=1, n_head=1, n_embd=8),
    "gpt2.GPT2": dict(cfg=GPT_CFG),
    "gpt2.GPT2.forward": dict(_self=GPT, tokens=TOKENS),
    "gpt2.GPT2.predict": dict(_self=GPT, X=X, y=Y),
    "gpt2.train": dict(
        cfg=GPT_CFG,
        Lambda=LAM,
        n=N,
        steps=1,
        batch=B,
        lr=1e-3,
        warmup=0,
        weight_decay=0.0,
        seed=0,
        device="cpu",
        record_every=1,
        progress=False,
        k_train=2,
        k_pretrain=0,
        pretrain_steps=0,
    ),
    "gpt2.book_command": dict(name="gpt2_chain_n20_k3", out=None),
    "cot.rollout_reprompt": dict(model=MODEL, X=X, y=Y, k=2, batch_size=2),
    "tasks.by_name": dict(name="skewed", d=D),
    "gpt2.save": dict(path=CKPT, model=GPT, history=gpt2.GPT2History()),
    "gpt2.load": dict(path=CKPT),
    "gpt2.checkpoint": dict(name="gpt2_n20"),
}


def resolve(func: str):
    """The callable named ``func`` ("module.name", "module.Class.method" or a top-level name)."""
    head, *rest = func.split(".")
    obj = getattr(ttsbook, head) if hasattr(ttsbook, head) else importlib.import_module(f"ttsbook.{head}")
    for part in rest:
        obj = getattr(obj, part)
    return obj


def call(func: str, **override):
    kwargs = {**GOOD[func], **override}
    self = kwargs.pop("_self", None)
    target = resolve(func)
    if self is not None:
        target = getattr(self, func.rsplit(".", 1)[1])
    return target(**kwargs)


# ----------------------------------------------------------------------------- the table
#: Kinds of bad input that are values of the wrong type, refused with TypeError; every other kind
#: is a value of the right type out of its range, refused with ValueError.
TYPE_KINDS = {"type", "dtype", "bool"}


@dataclass(frozen=True)
class Row:
    func: str  # the callable, as in GOOD
    arg: str  # the argument the message must name
    kind: str  # the kind of bad input (see REQUIRED)
    bad: Any  # the bad value put in place of ``key``
    match: str  # regular expression the error message must match
    key: str = ""  # the keyword that receives ``bad`` (default: ``arg``)
    context: dict | None = None  # other arguments changed from GOOD for this row (valid ones)
    error: type[Exception] | None = None  # the error raised (default: by kind, see TYPE_KINDS)

    @property
    def id(self) -> str:
        return f"{self.func}:{self.arg}:{self.kind}"

    @property
    def expected(self) -> type[Exception]:
        return self.error or (TypeError if self.kind in TYPE_KINDS else ValueError)


ASYMMETRIC = np.array([[1.0, 0.5, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
NOT_PD = np.diag([1.0, 1.0, -1.0])
NON_FINITE = np.diag([1.0, np.nan, 1.0])
COMPLEX = np.eye(D, dtype=complex)


def covariance_rows(func: str, arg: str) -> list[Row]:
    """Non-symmetric, indefinite, non-finite and complex-valued covariances."""
    return [
        Row(func, arg, "asymmetric", ASYMMETRIC, rf"\b{arg} must be symmetric"),
        Row(func, arg, "not-pd", NOT_PD, rf"\b{arg} must be positive definite"),
        Row(func, arg, "non-finite", NON_FINITE, rf"\b{arg} has non-finite entries"),
        Row(func, arg, "dtype", COMPLEX, rf"\b{arg} must be a real"),
    ]


def count_rows(func: str, arg: str) -> list[Row]:
    """An integer argument that must be >= 1: zero, a non-integer and a bool (not a count)."""
    return [
        Row(func, arg, "<1", 0, rf"\b{arg} must be an integer >= 1"),
        Row(func, arg, "dtype", 2.5, rf"\b{arg} must be an integer"),
        Row(func, arg, "bool", True, rf"\b{arg} must be an integer"),
    ]


def steps_rows(func: str, arg: str, context: dict | None = None) -> list[Row]:
    """A number of steps that must be an integer >= 0: negative, a non-integer and a bool."""
    return [
        Row(func, arg, "<0", -1, rf"\b{arg} must be (an integer )?>= 0", context=context),
        Row(func, arg, "dtype", 1.5, rf"\b{arg} must be an integer", context=context),
        Row(func, arg, "bool", True, rf"\b{arg} must be an integer", context=context),
    ]


def tensor_rows(func: str, arg: str, shape_bad, *, finite: bool = True, dtype: bool = True) -> list[Row]:
    """A float tensor argument: wrong shape, non-finite entries, integer dtype."""
    good = GOOD[func][arg]
    rows = [Row(func, arg, "shape", shape_bad, rf"\b{arg} must")]
    if finite:
        bad = good.clone()
        bad.view(-1)[0] = float("nan")
        rows.append(Row(func, arg, "non-finite", bad, rf"\b{arg} has non-finite entries"))
    if dtype:
        rows.append(Row(func, arg, "dtype", good.to(torch.int64), rf"\b{arg} must be a floating-point tensor"))
    return rows


def seed_rows(func: str) -> list[Row]:
    return [Row(func, "seed", "<0", -1, r"\bseed must be a non-negative integer")]


def positive_float_rows(func: str, arg: str) -> list[Row]:
    return [
        Row(func, arg, "range", 0.0, rf"\b{arg} must be > 0"),
        Row(func, arg, "non-finite", float("inf"), rf"\b{arg} must be a finite real number"),
    ]


def dtype_row(func: str) -> Row:
    """A torch dtype that is not a floating one: the right type, a refused value."""
    return Row(func, "dtype", "dtype", torch.int64, r"\bdtype must be torch.float32 or torch.float64", error=ValueError)


def lambdas_rows(func: str, context: dict | None = None) -> list[Row]:
    """A list of covariances with a bad first entry; the message names ``Lambdas[0]``."""
    return [
        Row(func, "Lambdas", "asymmetric", [ASYMMETRIC, LAM], r"\bLambdas\[0\] must be symmetric", context=context),
        Row(func, "Lambdas", "not-pd", [NOT_PD, LAM], r"\bLambdas\[0\] must be positive definite", context=context),
        Row(
            func, "Lambdas", "non-finite", [NON_FINITE, LAM], r"\bLambdas\[0\] has non-finite entries", context=context
        ),
        Row(func, "Lambdas", "dimension", [LAM, np.eye(D + 1)], rf"\bLambdas\[1\] must be {D}x{D}", context=context),
    ]


def mixture_rows(func: str, *, ns: bool = True, weights: bool = True) -> list[Row]:
    """The rows every function of a task mixture needs: Lambdas, ns and weights."""
    rows = lambdas_rows(func)
    if ns:
        rows += [
            Row(func, "ns", "<1", [0, N], r"\bns\[0\] must be an integer >= 1"),
            Row(func, "ns", "shape", [N], r"\bns must have one prompt length per task"),
        ]
    if weights:
        rows += [
            Row(func, "weights", "simplex", [0.7, 0.7], r"\bweights must lie on the probability simplex"),
            Row(func, "weights", "shape", [1.0], r"\bweights must have 2 entries"),
        ]
    return rows


TABLE: list[Row] = [
    Row("analysis.direction_errors", "model", "type", object(), r"\bmodel must be a ttsbook.lsa.LSA"),
    *tensor_rows("analysis.direction_errors", "X", X[0]),
    Row("analysis.direction_errors", "X", "dimension", X4, r"\bX has dimension d = 4 but the model"),
    *tensor_rows("analysis.direction_errors", "y", Y[:, :-1]),
    *tensor_rows("analysis.direction_errors", "w", W[:, :2], dtype=False),
    *steps_rows("analysis.direction_errors", "k"),
    Row("analysis.direction_errors", "window", "<1", 0, r"\bwindow must be an integer >= 1"),
    Row("analysis.curve", "errors", "shape", np.ones((3, 4)), r"\berrors must have shape \(\.\.\., k\+1, B, d\)"),
    Row("analysis.curve", "stat", "value", "max", r"\bstat must be one of"),
    *[
        row
        for func in ("analysis.k_star", "analysis.rise")
        for row in (
            Row(func, "c", "shape", np.ones(1), r"\bc must hold curves over k"),
            Row(func, "c", "non-finite", np.array([1.0, np.nan]), r"\bc has nan entries"),
            Row(func, "c", "range", np.array([1.0, -1.0]), r"\bc must be >= 0"),
        )
    ],
    Row("analysis.k_star", "upto", "range", 5, r"\bupto must be at most the curve's last step 2"),
    Row("analysis.rise", "to", "range", 5, r"\bto must be at most the curve's last step 2"),
    Row("analysis.rise", "start", "range", 3, r"\bstart must be at most to = 2"),
    Row("analysis.rise", "scale", "value", "ratio", r"\bscale must be one of"),
    Row("analysis.interaction", "values", "missing", {("skewed", "skewed"): 1.0}, r"\bvalues must map every cell"),
    Row("analysis.interaction", "scale", "value", "ratio", r"\bscale must be one of"),
    Row("analysis.bootstrap", "statistic", "type", None, r"\bstatistic must be a function"),
    Row("analysis.bootstrap", "errors", "shape", {"a": np.ones((3, 4))}, r"\berrors must map keys to arrays"),
    *count_rows("analysis.bootstrap", "n_boot"),
    *seed_rows("analysis.bootstrap"),
    *count_rows("gpt2.book_name", "n"),
    Row("gpt2.book_name", "k_train", "<0", -1, r"\bk_train must be an integer >= 0"),
    *seed_rows("gpt2.book_name"),
    # theory, for any invertible Gamma (a trained model's read-back Γ̂ is not exactly symmetric)
    *[
        row
        for func in ("theory.direct_error_general", "theory.cot_error_limit_general")
        for row in (
            Row(func, "Gamma", "singular", np.zeros((D, D)), r"\bGamma must be invertible"),
            Row(func, "Gamma", "non-finite", NON_FINITE, r"\bGamma has non-finite entries"),
            Row(func, "Gamma", "dtype", COMPLEX, r"\bGamma must be a real"),
            *covariance_rows(func, "Sigma"),
            Row(func, "Sigma", "dimension", np.eye(D + 1), rf"\bSigma must be {D}x{D}"),
        )
    ],
    *count_rows("theory.direct_error_general", "m"),
    Row("theory.power_norms", "M", "shape", np.ones((D, D + 1)), r"\bM must be a square matrix"),
    Row("theory.power_norms", "M", "non-finite", NON_FINITE, r"\bM has non-finite entries"),
    Row("theory.power_norms", "M", "dtype", COMPLEX, r"\bM must be a real"),
    *steps_rows("theory.power_norms", "k"),
    *steps_rows("theory.cot_error_limit_general", "k"),
    # tasks
    *count_rows("tasks.isotropic", "d"),
    *count_rows("tasks.skewed", "d"),
    *count_rows("tasks.power_law", "d"),
    Row("tasks.power_law", "alpha", "range", -1.0, r"\balpha must be >= 0"),
    Row("tasks.power_law", "alpha", "non-finite", float("nan"), r"\balpha must be a finite real"),
    *count_rows("tasks.random_rotation", "d"),
    *seed_rows("tasks.random_rotation"),
    *covariance_rows("tasks.rotate", "Lambda"),
    *seed_rows("tasks.rotate"),
    *covariance_rows("tasks.with_trace", "Lambda"),
    *positive_float_rows("tasks.with_trace", "trace"),
    *seed_rows("tasks.make_generator"),
    Row("tasks.make_generator", "seed", "dtype", "0", r"\bseed must be a non-negative integer"),
    *covariance_rows("tasks.sample_prompts", "Lambda"),
    Row("tasks.sample_prompts", "Lambda", "shape", np.ones((3, 2)), r"\bLambda must be a square matrix"),
    *count_rows("tasks.sample_prompts", "n"),
    *count_rows("tasks.sample_prompts", "batch"),
    *seed_rows("tasks.sample_prompts"),
    dtype_row("tasks.sample_prompts"),
    # theory
    *covariance_rows("theory.gamma", "Lambda"),
    Row("theory.gamma", "Lambda", "shape", np.ones(3), r"\bLambda must be a square matrix"),
    *count_rows("theory.gamma", "n"),
    *covariance_rows("theory.hardness", "Lambda"),
    *covariance_rows("theory.optimal_v", "Lambda"),
    *count_rows("theory.optimal_v", "n"),
    *positive_float_rows("theory.optimal_v", "c"),
    *covariance_rows("theory.optimal_loss", "Lambda"),
    *count_rows("theory.optimal_loss", "n"),
    *covariance_rows("theory.second_moment", "Sigma"),
    *count_rows("theory.second_moment", "m"),
    *[row for row in covariance_rows("theory.direct_error", "Gamma") if row.kind in ("non-finite", "dtype")],
    Row("theory.direct_error", "Gamma", "singular", np.zeros((D, D)), r"\bGamma must be invertible"),
    *covariance_rows("theory.direct_error", "Sigma"),
    Row("theory.direct_error", "Sigma", "dimension", np.eye(D + 1), rf"\bSigma must be {D}x{D}"),
    *count_rows("theory.direct_error", "m"),
    *covariance_rows("theory.direct_error_bound", "Lambda"),
    *count_rows("theory.direct_error_bound", "n"),
    *count_rows("theory.direct_error_bound", "m"),
    *covariance_rows("theory.cot_error_bound", "Lambda"),
    *count_rows("theory.cot_error_bound", "n"),
    *steps_rows("theory.cot_error_bound", "k"),
    Row("theory.cot_error_bound", "k", "shape", np.array([], dtype=int), r"\bk must not be empty"),
    *[row for row in covariance_rows("theory.cot_error_limit", "Gamma") if row.kind in ("non-finite", "dtype")],
    Row("theory.cot_error_limit", "Gamma", "singular", np.zeros((D, D)), r"\bGamma must be invertible"),
    Row("theory.cot_error_limit", "Gamma", "shape", np.ones((D, D - 1)), r"\bGamma must be a square matrix"),
    *covariance_rows("theory.cot_error_limit", "Sigma"),
    Row("theory.cot_error_limit", "Sigma", "dimension", np.eye(D + 1), rf"\bSigma must be {D}x{D}"),
    *steps_rows("theory.cot_error_limit", "k"),
    Row("theory.cot_error_limit", "k", "array<0", np.array([0, 1, -2]), r"\bk must be >= 0"),
    *covariance_rows("theory.cot_error_limit_per_skill", "Gamma"),
    *covariance_rows("theory.cot_error_limit_per_skill", "Sigma"),
    Row("theory.cot_error_limit_per_skill", "Sigma", "dimension", np.eye(D + 1), rf"\bSigma must be {D}x{D}"),
    Row(
        "theory.cot_error_limit_per_skill",
        "Sigma",
        "commute",
        tasks.rotate(LAM, seed=1),
        r"\bGamma and Sigma must commute",
    ),
    *steps_rows("theory.cot_error_limit_per_skill", "k"),
    *steps_rows("theory.best_cot_steps", "k_max"),
    *covariance_rows("theory.skill_ratios", "Gamma"),
    *covariance_rows("theory.skill_ratios", "Sigma"),
    Row("theory.skill_ratios", "Sigma", "dimension", np.eye(D + 1), rf"\bSigma must be {D}x{D}"),
    *covariance_rows("theory.overthinking_skills", "Gamma"),
    *covariance_rows("theory.overthinking_skills", "Sigma"),
    Row("theory.overthinking_skills", "Sigma", "dimension", np.eye(D + 1), rf"\bSigma must be {D}x{D}"),
    *covariance_rows("theory.best_cot_steps", "Gamma"),
    *covariance_rows("theory.best_cot_steps", "Sigma"),
    Row("theory.best_cot_steps", "Sigma", "dimension", np.eye(D + 1), rf"\bSigma must be {D}x{D}"),
    *count_rows("theory.best_cot_steps", "k_cap"),
    *covariance_rows("theory.critical_train_length", "Lambda"),
    *covariance_rows("theory.critical_train_length", "Sigma"),
    Row("theory.critical_train_length", "Sigma", "dimension", np.eye(D + 1), rf"\bSigma must be {D}x{D}"),
    Row(
        "theory.critical_train_length",
        "Sigma",
        "commute",
        tasks.rotate(LAM, seed=1),
        r"\bLambda and Sigma must commute",
    ),
    # lsa
    *count_rows("lsa.Blocks", "d"),
    *tensor_rows("lsa.embed", "X", X[0]),
    *tensor_rows("lsa.embed", "y", Y[:, :-1]),
    *tensor_rows("lsa.embed", "w0", W[:, :-1]),
    *count_rows("lsa.LSA", "d"),
    *positive_float_rows("lsa.LSA", "c"),
    dtype_row("lsa.LSA"),
    *tensor_rows("lsa.LSA.forward", "E", E[0], finite=False),
    *count_rows("lsa.LSA.forward", "rho"),
    *tensor_rows("lsa.LSA.last_column", "E", E[:, :-1], finite=False),
    *count_rows("lsa.LSA.last_column", "rho"),
    *tensor_rows("lsa.LSA.predict", "X", X[0]),
    Row("lsa.LSA.predict", "X", "dimension", X4, r"\bX has dimension d = 4 but the model"),
    *tensor_rows("lsa.LSA.predict", "y", Y[:, :-1]),
    *tensor_rows("lsa.LSA.predict", "w0", W[:, :-1]),
    Row("lsa.LSA.gamma", "V_wx", "singular", lsa.LSA(D), r"\bV_wx is singular", key="_self"),
    *covariance_rows("lsa.optimal", "Lambda"),
    *count_rows("lsa.optimal", "n"),
    *positive_float_rows("lsa.optimal", "c"),
    dtype_row("lsa.optimal"),
    Row("lsa.relative_error", "model", "type", object(), r"\bmodel must be a ttsbook.lsa.LSA"),
    Row("lsa.relative_error", "target", "dimension", np.eye(D + 1), rf"\btarget must be {D}x{D}"),
    Row("lsa.relative_error", "target", "non-finite", NON_FINITE, r"\btarget has non-finite entries"),
    Row("lsa.relative_error", "target", "range", np.zeros((D, D)), r"\btarget must be a non-zero"),
    *covariance_rows("lsa.train", "Lambda"),
    *count_rows("lsa.train", "n"),
    *steps_rows("lsa.train", "steps"),
    *count_rows("lsa.train", "batch"),
    *positive_float_rows("lsa.train", "lr"),
    *seed_rows("lsa.train"),
    *positive_float_rows("lsa.train", "c"),
    Row("lsa.train", "decay_from", "range", 1.5, r"\bdecay_from must be in \[0, 1\]"),
    Row("lsa.train", "decay_from", "non-finite", float("nan"), r"\bdecay_from must be a finite"),
    *count_rows("lsa.train", "record_every"),
    Row("lsa.train", "mode", "value", "exact", r"\bmode must be one of"),
    *positive_float_rows("lsa.train", "tol"),
    dtype_row("lsa.train"),
    # cot
    Row("cot.rollout", "model", "type", object(), r"\bmodel must be a ttsbook.lsa.LSA"),
    *tensor_rows("cot.rollout", "X", X[0]),
    Row("cot.rollout", "X", "dimension", X4, r"\bX has dimension d = 4 but the model"),
    *tensor_rows("cot.rollout", "y", Y[:, :-1]),
    *steps_rows("cot.rollout", "k"),
    Row("cot.rollout", "method", "value", "kv", r"\bmethod must be 'cache' or 'append'"),
    Row("cot.rollout", "window", "<1", 0, r"\bwindow must be an integer >= 1"),
    Row("cot.rollout", "window", "method", 2, r"\bwindow needs method='append'", context={"method": "cache"}),
    # any invertible Gamma: a trained model's read-back Γ̂ is not exactly symmetric (chapter 3)
    Row("cot.pseudo_newton", "Gamma", "singular", np.zeros((D, D)), r"\bGamma must be invertible"),
    Row("cot.pseudo_newton", "Gamma", "non-finite", NON_FINITE, r"\bGamma has non-finite entries"),
    Row("cot.pseudo_newton", "Gamma", "dtype", COMPLEX, r"\bGamma must be a real"),
    Row("cot.pseudo_newton", "Gamma", "dimension", np.eye(D + 1), rf"\bGamma must be {D}x{D}"),
    *tensor_rows("cot.pseudo_newton", "X", X[0]),
    Row(
        "cot.pseudo_newton",
        "X",
        "empty",
        X[:, :, :0],
        r"\bX must have at least one prompt, one dimension and one example",
    ),
    *tensor_rows("cot.pseudo_newton", "y", Y[:, :-1]),
    *steps_rows("cot.pseudo_newton", "k"),
    # any invertible Gamma: a trained model's read-back Γ̂ is not exactly symmetric (chapter 3)
    Row("cot.closed_form", "Gamma", "singular", np.zeros((D, D)), r"\bGamma must be invertible"),
    Row("cot.closed_form", "Gamma", "non-finite", NON_FINITE, r"\bGamma has non-finite entries"),
    Row("cot.closed_form", "Gamma", "dtype", COMPLEX, r"\bGamma must be a real"),
    Row("cot.closed_form", "Gamma", "dimension", np.eye(D + 1), rf"\bGamma must be {D}x{D}"),
    *tensor_rows("cot.closed_form", "X", X[0]),
    Row("cot.closed_form", "X", "empty", X[:0], r"\bX must have at least one prompt, one dimension and one example"),
    *tensor_rows("cot.closed_form", "w", W[:, :-1]),
    *steps_rows("cot.closed_form", "k"),
    *tensor_rows("cot.squared_error", "iterates", ITER[0], finite=False),
    *tensor_rows("cot.squared_error", "w", W[:, :-1]),
    Row("analysis.mean_and_sem", "per_prompt", "shape", np.ones(1), r"\bper_prompt must hold at least two prompts"),
    Row("analysis.mean_and_sem", "per_prompt", "non-finite", np.array([1.0, np.nan]), r"\bper_prompt has nan"),
    Row("analysis.mean_and_sem", "axis", "range", 2, r"\baxis must be in"),
    Row("cot.steps_to_reach", "errors", "shape", np.ones((2, 2)), r"\berrors must be a non-empty 1-d array"),
    Row("cot.steps_to_reach", "errors", "non-finite", np.array([1.0, np.nan]), r"\berrors must be >= 0"),
    Row("cot.steps_to_reach", "target", "range", 0.0, r"\btarget must be > 0"),
    Row("cot.steps_to_reach", "target", "non-finite", float("nan"), r"\btarget must be a finite real"),
    # plots
    *count_rows("plots.palette", "n"),
    Row("plots.palette", "name", "type", 3, r"\bname must be the name of a colour palette"),
    Row("plots.error_vs_k", "ax", "type", None, r"\bax must be a matplotlib Axes"),
    Row("plots.error_vs_k", "errors", "shape", np.ones((2, 2)), r"\berrors must be a non-empty 1-d"),
    Row("plots.error_vs_k", "errors", "dtype", ["a", "b", "c"], r"\berrors must be a 1-d array of real"),
    Row("plots.error_vs_k", "theory", "shape", ERR[:2], r"\btheory must have 3 entries"),
    Row("plots.error_vs_k", "bound", "shape", ERR[:2], r"\bbound must have 3 entries"),
    Row("plots.error_vs_k", "ks", "shape", np.arange(4), r"\bks must have 3 entries"),
    Row("plots.error_vs_k", "ks", "non-finite", np.array([0.0, np.nan, 2.0]), r"\bks has non-finite"),
    Row("plots.errors_at", "columns", "type", [ERR], r"\bcolumns must be a non-empty dict"),
    Row("plots.errors_at", "columns", "shape", {"a": ERR, "b": ERR[:2]}, r"\bcolumns must all have the same length"),
    Row("plots.errors_at", "ks", "range", [0, 3], r"\bks must be at most K = 2"),
    Row("plots.errors_at", "ks", "<0", [-1], r"\bks must be >= 0"),
    Row("plots.errors_at", "ks", "dtype", [0.5], r"\bks must be an integer or an array of integers"),
    *count_rows("plots.errors_at", "digits"),
    Row("plots.spectrum", "ax", "type", None, r"\bax must be a matplotlib Axes"),
    *covariance_rows("plots.spectrum", "Lambda"),
    # selection and task mixtures
    *mixture_rows("tasks.mixture"),
    *covariance_rows("tasks.training_tasks", "Lambda"),
    *count_rows("tasks.training_tasks", "n"),
    Row(
        "tasks.training_tasks",
        "weights",
        "simplex",
        [0.5, 0.6],
        r"\bweights must lie on the probability simplex",
        context={"Lambda": [LAM, SIG], "n": [N, N]},
    ),
    *mixture_rows("selection.mixture_moments"),
    *mixture_rows("selection.mixture_optimum"),
    *mixture_rows("selection.mixture_optimal_v"),
    Row("selection.mixture_optimal_v", "c", "range", 0.0, r"\bc must be > 0"),
    Row("selection.mixture_optimal_v", "c", "non-finite", float("nan"), r"\bc must be a finite"),
    *mixture_rows("selection.mixture_optimal_loss"),
    *mixture_rows("theory.mixture_moments"),
    *mixture_rows("theory.mixture_optimum"),
    *mixture_rows("theory.mixture_optimal_v"),
    Row("theory.mixture_optimal_v", "c", "range", 0.0, r"\bc must be > 0"),
    Row("theory.mixture_optimal_v", "c", "non-finite", float("nan"), r"\bc must be a finite"),
    *mixture_rows("theory.mixture_optimal_loss"),
    *covariance_rows("theory.stable_step_size", "Lambda"),
    *count_rows("theory.stable_step_size", "n"),
    *positive_float_rows("theory.stable_step_size", "c"),
    Row("theory.stable_step_size", "weights", "simplex", [0.5], r"\bweights must lie on the probability simplex"),
    *covariance_rows("theory.condition_number", "Lambda"),
    *count_rows("theory.condition_number", "n"),
    Row("theory.condition_number", "weights", "simplex", [0.5], r"\bweights must lie on the probability simplex"),
    *covariance_rows("selection.iteration_error", "Sigma"),
    Row("selection.iteration_error", "Sigma", "dimension", np.eye(D + 1), rf"\bSigma must be {D}x{D}"),
    Row("selection.iteration_error", "A", "shape", np.ones((D, D + 1)), r"\bA must be a square matrix"),
    *steps_rows("selection.iteration_error", "k"),
    *mixture_rows("selection.qp_objective", ns=False),
    *covariance_rows("selection.qp_objective", "Sigma"),
    Row("selection.qp_objective", "Sigma", "dimension", np.eye(D + 1), rf"\bSigma must be {D}x{D}"),
    *mixture_rows("selection.cot_objective"),
    *covariance_rows("selection.cot_objective", "Sigma"),
    Row("selection.cot_objective", "Sigma", "dimension", np.eye(D + 1), rf"\bSigma must be {D}x{D}"),
    *steps_rows("selection.cot_objective", "k"),
    *mixture_rows("selection.select_tasks", weights=False),
    *covariance_rows("selection.select_tasks", "Sigma"),
    Row("selection.select_tasks", "Sigma", "dimension", np.eye(D + 1), rf"\bSigma must be {D}x{D}"),
    Row("selection.select_tasks", "objective", "value", "l2", r"\bobjective must be 'qp' or 'cot'"),
    *steps_rows("selection.select_tasks", "k", context=dict(objective="cot", k=2)),
    *mixture_rows("selection.closest_task", ns=False, weights=False),
    *covariance_rows("selection.closest_task", "Sigma"),
    Row("selection.closest_task", "Sigma", "dimension", np.eye(D + 1), rf"\bSigma must be {D}x{D}"),
    Row("lsa.train", "weights", "simplex", [0.5], r"\bweights must lie on the probability simplex"),
    # finite test prompts (chapter 6)
    *covariance_rows("theory.spectrum_edges", "Gamma"),
    *covariance_rows("theory.spectrum_edges", "Sigma"),
    Row("theory.spectrum_edges", "Sigma", "dimension", np.eye(D + 1), rf"\bSigma must be {D}x{D}"),
    *count_rows("theory.spectrum_edges", "m"),
    *covariance_rows("theory.critical_prompt_ratio", "Gamma"),
    *covariance_rows("theory.critical_prompt_ratio", "Sigma"),
    Row("theory.critical_prompt_ratio", "Sigma", "dimension", np.eye(D + 1), rf"\bSigma must be {D}x{D}"),
    *positive_float_rows("theory.critical_prompt_ratio", "s"),
    Row(
        "analysis.median_and_interval",
        "per_prompt",
        "shape",
        np.float64(1.0),
        r"\bper_prompt must have at least one axis",
    ),
    Row("analysis.median_and_interval", "per_prompt", "non-finite", np.full((2, 40), np.nan), r"\bper_prompt has nan"),
    Row(
        "analysis.median_and_interval",
        "per_prompt",
        "size",
        np.ones((2, 3)),
        r"\bper_prompt must hold more prompts",
        context={"z": 3.0},
    ),
    Row("analysis.median_and_interval", "axis", "range", 2, r"\baxis must be in"),
    Row("analysis.median_and_interval", "z", "range", 0.0, r"\bz must be > 0"),
    Row("cot.rollout_adaptive", "model", "type", object(), r"\bmodel must have a predict"),
    *tensor_rows("cot.rollout_adaptive", "X", X[0]),
    Row("cot.rollout_adaptive", "X", "dimension", X4, r"\bX has dimension d = 4 but the model", context={"y": Y4}),
    *tensor_rows("cot.rollout_adaptive", "y", Y[:, :-1]),
    *steps_rows("cot.rollout_adaptive", "k_max"),
    Row("cot.rollout_adaptive", "rule", "value", "oracle", r"\brule must be one of"),
    Row("cot.rollout_adaptive", "holdout", "range", 1.0, r"\bholdout must be in \(0, 1\)", context={"rule": "heldout"}),
    Row("cot.rollout_adaptive", "holdout", "non-finite", float("nan"), r"\bholdout must be a finite real"),
    Row("cot.rollout_adaptive", "scheme", "value", "chain", r"\bscheme must be 'append' or 'reprompt'"),
    # glue
    Row("glue", "name", "type", 3, r"\bname must be a non-empty string"),
    Row("glue", "name", "shape", "", r"\bname must be a non-empty string"),
    Row("glue", "value", "non-finite", float("nan"), r"\bvalue must be finite"),
    # gpt2
    *count_rows("gpt2.GPT2Config", "d"),
    *count_rows("gpt2.GPT2Config", "n_layer"),
    Row("gpt2.GPT2Config", "n_embd", "divisible", 9, r"\bn_embd must be divisible by n_head", context={"n_head": 2}),
    Row("gpt2.GPT2", "cfg", "type", dict(d=D), r"\bcfg must be a GPT2Config"),
    *tensor_rows("gpt2.GPT2.predict", "X", X[0]),
    *tensor_rows("gpt2.GPT2.predict", "y", Y[:, :2], dtype=False),
    Row("gpt2.GPT2.predict", "X", "dimension", X4, r"\bX has dimension d = 4", context={"y": Y4}),
    Row("gpt2.train", "cfg", "type", None, r"\bcfg must be a GPT2Config"),
    *covariance_rows("gpt2.train", "Lambda"),
    Row("gpt2.train", "Lambda", "dimension", tasks.isotropic(D + 1), r"\bLambda must be 3x3"),
    *count_rows("gpt2.train", "n"),
    Row("gpt2.train", "steps", "<0", -1, r"\bsteps must be an integer >= 1"),
    *count_rows("gpt2.train", "batch"),
    *positive_float_rows("gpt2.train", "lr"),
    Row("gpt2.train", "warmup", "<0", -1, r"\bwarmup must be an integer >= 0"),
    Row("gpt2.train", "weight_decay", "range", -0.1, r"\bweight_decay must be a float >= 0"),
    Row("gpt2.train", "seed", "<0", -1, r"\bseed must be an integer >= 0"),
    Row("gpt2.train", "device", "value", "tpu", r"\bdevice must be"),
    Row("gpt2.train", "record_every", "<1", 0, r"\brecord_every must be an integer >= 1"),
    Row("gpt2.train", "k_train", "<0", -1, r"\bk_train must be an integer >= 0"),
    Row("gpt2.train", "k_pretrain", "<0", -1, r"\bk_pretrain must be an integer >= 0"),
    Row("gpt2.train", "pretrain_steps", "<0", -1, r"\bpretrain_steps must be an integer >= 0"),
    Row("gpt2.train", "pretrain_steps", "range", 2, r"\bpretrain_steps must be at most steps"),
    Row("gpt2.train", "k_pretrain", "pair", 8, r"\bk_pretrain and pretrain_steps must both be 0"),
    Row("gpt2.book_command", "name", "value", "gpt2_n67", r"\bname must be one of the book's checkpoints"),
    Row("cot.rollout_reprompt", "model", "type", object(), r"\bmodel must have a predict"),
    *tensor_rows("cot.rollout_reprompt", "X", X[0]),
    *tensor_rows("cot.rollout_reprompt", "y", Y[:, :2], dtype=False),
    Row("cot.rollout_reprompt", "X", "dimension", X4, r"\bX has dimension d = 4", context={"y": Y4}),
    *steps_rows("cot.rollout_reprompt", "k"),
    Row("cot.rollout_reprompt", "batch_size", "<1", 0, r"\bbatch_size must be an integer >= 1"),
    Row("tasks.by_name", "name", "value", "flat", r"\bname must be one of the spectra"),
    *count_rows("tasks.by_name", "d"),
    Row("gpt2.save", "model", "type", MODEL, r"\bmodel must be a GPT2"),
    Row("gpt2.save", "history", "type", {}, r"\bhistory must be a GPT2History"),
    Row("gpt2.load", "path", "missing", "/nonexistent/gpt2.pt", r"\bpath must name an existing checkpoint"),
    Row("gpt2.checkpoint", "name", "type", 20, r"\bname must be a checkpoint name"),
    Row("gpt2.checkpoint", "name", "missing", "gpt2_n21", r"\bname 'gpt2_n21' names no shipped checkpoint"),
    Row("glue", "digits", "<1", 0, r"\bdigits must be an integer >= 1"),
    # numbers in the prose and claims
    Row("number", "value", "non-finite", float("inf"), r"\bvalue must be finite"),
    Row("number", "value", "type", "3", r"\bvalue must be a real number"),
    Row("number", "spec", "value", ".2q", r"\bspec '\.2q' cannot format"),
    Row("count", "n", "<0", -1, r"\bn must be an integer >= 0"),
    Row("count", "n", "dtype", 1.5, r"\bn must be an integer >= 0"),
    Row("count", "noun", "value", " ", r"\bnoun must be a non-empty string"),
    Row("count", "plural", "value", "", r"\bplural must be a non-empty string or None"),
    Row("below", "value", "non-finite", float("nan"), r"\bvalue must be a finite real number"),
    Row("below", "value", "type", "1e-16", r"\bvalue must be a finite real number"),
    Row("below", "value", "range", 1e-9, r"\bvalue 1e-09 is not below the rounding floor"),
    Row("below", "floor", "non-finite", float("inf"), r"\bfloor must be a finite real number"),
    Row("below", "floor", "<=0", 0.0, r"\bfloor must be > 0"),
    *[Row(f, "verdict", "value", "mostly", r"\bverdict must be one of") for f in ("claims.claim", "claim")],
    *[Row(f, "id", "value", "Prop 1", r"\bid must be lower case") for f in ("claims.claim", "claim")],
    Row("claims.claim", "claim", "value", "", r"\bclaim must be a non-empty string"),
    Row("claims.claim", "figure", "value", "", r"\bfigure must be a non-empty string or None"),
    Row("claims.claim", "check", "type", 3, r"\bcheck must be a non-empty string or None"),
    Row(
        "claims.claim",
        "regime",
        "missing",
        None,
        r"\bregime must say where",
        context={"verdict": "reproduced in a stated regime"},
    ),
    Row("claims.collect", "paths", "value", [CLAIM_BAD_SOURCE], r"\bpaths: .* literal string arguments"),
    Row("claims.claim", "source", "value", "", r"\bsource must be a non-empty string or None"),
    Row("claims.claim", "kind", "value", "book", r"\bkind must be one of"),
    Row("claims.table", "claims", "type", ["x"], r"\bclaims must be results of collect"),
    Row("claims.table", "claims", "value", [CLAIM], r"\bclaims must be results of collect"),
    Row("claims.table", "kind", "value", "book", r"\bkind must be one of"),
    Row("claims.page", "claims", "type", ["x"], r"\bclaims must be one or more results"),
    Row("claims.page", "claims", "value", [CLAIM], r"\bclaims must be results of collect"),
    Row("claims.overview", "claims", "type", ["x"], r"\bclaims must be results of collect"),
    Row("claims.overview", "claims", "value", [CLAIM], r"\bclaims must be results of collect"),
    Row("claims.overview", "claims", "empty", [], r"\bclaims must be one or more results"),
    Row("claims.counts", "claims", "type", ["x"], r"\bclaims must be results of"),
    Row("claims.summary", "claims", "value", [], r"\bclaims must be one or more results"),
    *count_rows("plots.subplots", "nrows"),
    *count_rows("plots.subplots", "ncols"),
    Row("plots.subplots", "height", "range", 0.0, r"\bheight must be a number of inches"),
    *[
        Row(f, "ax", "type", None, r"\bax must be a matplotlib Axes")
        for f in ("plots.integer_ticks", "plots.log_ticks", "plots.zoom")
    ],
    Row("plots.integer_ticks", "axis", "value", "z", r"\baxis must be 'x', 'y' or 'both'"),
    Row("plots.log_ticks", "axis", "value", "both", r"\baxis must be 'x' or 'y'"),
    Row("plots.log_ticks", "ticks", "range", [0.0, 1.0], r"\bticks must be finite and > 0"),
    Row("plots.zoom", "xlim", "value", (1.0, 0.0), r"\bxlim must be two finite numbers"),
    Row("plots.zoom", "ylim", "value", (0.0, np.nan), r"\bylim must be two finite numbers"),
    Row("plots.zoom", "bounds", "shape", (0.5, 0.5), r"\bbounds must have 4 entries"),
    Row("plots.table_number", "digits", "<1", 0, r"\bdigits must be an integer >= 1"),
    Row("plots.table_number", "value", "type", [1.0], r"\bvalue must be a number, a string or None"),
    Row("plots.table_number", "infinite", "type", 0, r"\binfinite must be the text"),
    Row("plots.paper_table", "frame", "type", {"error": [1.0]}, r"\bframe must be a pandas DataFrame"),
    Row("plots.paper_table", "digits", "<1", 0, r"\bdigits must be an integer >= 1"),
    Row("plots.paper_table", "formats", "value", {"missing": 2}, r"\bformats must map columns"),
    Row("plots.place_legends", "fig", "type", AX, r"\bfig must be a matplotlib Figure"),
    Row("plots.covered_points", "fig", "type", AX, r"\bfig must be a matplotlib Figure"),
    Row("plots.interactive_curves", "curves", "type", 3, r"\bcurves must be a callable"),
    Row("plots.interactive_curves", "x", "shape", [1.0], r"\bx must be a finite 1-d array"),
    Row("plots.interactive_curves", "sliders", "value", {}, r"\bsliders must be a non-empty dict"),
    Row("plots.interactive_curves", "labels", "value", {"b": "b"}, r"\blabels must map slider names"),
    Row("plots.interactive_curves", "labels", "type", {"a": 3}, r"\blabels must map slider names"),
    Row("plots.interactive_curves", "sliders", "type", [("a", [1])], r"\bsliders must be a non-empty dict"),
    Row("plots.interactive_curves", "ylim", "range", (0.0, 1.0), r"\bylim must be \(low, high\)"),
    Row("plots.interactive_curves", "note", "type", "best k", r"\bnote must be a callable"),
    Row("plots.interactive_curves", "xlabel", "value", "error $k", r"\bxlabel must be text whose mathematics"),
    Row("plots.interactive_curves", "ylabel", "type", None, r"\bylabel must be text whose mathematics"),
]

# Public callables that take no argument a caller could get wrong, with the reason.
EXEMPT: dict[str, str] = {
    "claims.Claim": "a record returned by claims.claim, which validates its fields",
    "claims.Claim.line": "takes no arguments",
    "claims.verdicts": "takes the claims as *claims; its bad input is tested in tests/test_claims.py",
    "verdicts": "the same function as claims.verdicts",
    "lsa.TrainingDiverged": "an exception class raised by lsa.train and gpt2.train",
    "plots.set_style": "takes no arguments",
    "lsa.LSAHistory": "a record filled in by lsa.train, never built from user input",
    "gpt2.GPT2History": "a record filled in by gpt2.train, never built from user input",
    "gpt2.GPT2.num_params": "takes no arguments",
    "gpt2.GPT2.forward": "unchecked inner call of every training step; GPT2.predict is the checked entry",
    "gpt2.GPT2.extend": "unchecked inner call of every training step; cot.rollout is the checked entry",
    "gpt2.GPT2.chain": "unchecked inner call of every training step; cot.rollout is the checked entry",
    "lsa.LSA.chain": "unchecked inner call of cot.rollout, the checked entry",
    "cot.ChainModel": "a typing Protocol (what cot.rollout needs of a model), never called",
    "cot.ChainModel.chain": "the Protocol's method, never called; cot.rollout is the checked entry",
    "gpt2.GPT2.estimate_tokens": "unchecked inner call of every training step; cot.rollout is the checked entry",
    "gpt2.main": "the command line: argparse reports bad arguments and exits with status 2",
    "tasks.TaskMixture": "a record returned by tasks.mixture, which validates its fields",
}

# Kinds a rule of REQUIRED demands that do not apply to one callable, with the reason.
NOT_APPLICABLE: dict[tuple[str, str, str], str] = {
    **{
        (func, "Gamma", kind): "any invertible Gamma is accepted (a trained model's Γ̂ is not symmetric)"
        for func in (
            "theory.direct_error",
            "theory.cot_error_limit",
            "theory.direct_error_general",
            "theory.cot_error_limit_general",
            "cot.pseudo_newton",
            "cot.closed_form",
        )
        for kind in ("asymmetric", "not-pd")
    },
    ("count", "n", "<1"): 'zero is a count ("0 prompts"); the row n < 0 is there',
    ("plots.table_number", "value", "non-finite"): "an infinite value is a diverged error, shown as `infinite`",
    ("cot.squared_error", "iterates", "non-finite"): "a diverging rollout is reported as inf, not refused",
    ("lsa.LSA.forward", "E", "non-finite"): "E carries the estimates of a possibly diverging rollout",
    ("lsa.LSA.last_column", "E", "non-finite"): "E carries the estimates of a possibly diverging rollout",
}

# For each argument name, the bad-input kinds every callable that takes it must have a row for.
COVARIANCE = {"asymmetric", "not-pd", "non-finite", "dtype"}
REQUIRED: dict[str, set[str]] = {
    "Lambda": COVARIANCE,
    "Sigma": COVARIANCE,
    "Gamma": COVARIANCE,
    "Lambdas": {"asymmetric", "not-pd", "non-finite"},
    "d": {"<1", "dtype"},
    "n": {"<1", "dtype"},
    "m": {"<1", "dtype"},
    "batch": {"<1", "dtype"},
    "ns": {"<1"},
    "rho": {"<1"},
    "record_every": {"<1"},
    "digits": {"<1"},
    "k": {"<0", "dtype"},
    "k_max": {"<0"},
    "steps": {"<0"},
    "X": {"shape", "non-finite", "dtype"},
    "y": {"shape", "non-finite"},
    "w": {"shape", "non-finite"},
    "w0": {"shape", "non-finite"},
    "E": {"shape", "non-finite"},
    "iterates": {"shape"},
    "errors": {"shape"},
    "seed": {"<0"},
    "dtype": {"dtype"},
    "model": {"type"},
    "ax": {"type"},
    "c": {"range", "non-finite"},
    "lr": {"range", "non-finite"},
    "alpha": {"range", "non-finite"},
    "trace": {"range", "non-finite"},
    "decay_from": {"range", "non-finite"},
    "pi": {"simplex"},
    "p": {"simplex"},
    "probs": {"simplex"},
    "weights": {"simplex"},
    "mixture": {"simplex"},
    "value": {"non-finite"},
}
# Callables that take two of these must check that their dimensions agree ("dimension" row).
DIMENSIONED = {"Lambda", "Sigma", "Gamma", "Lambdas", "X", "model", "target"}


# ----------------------------------------------------------------------------- discovery
def public_callables() -> dict[str, Any]:
    """Every public callable of ttsbook: the callables in the package's ``__all__`` and in the
    ``__all__`` of each public module, with the public methods of the classes among them."""
    found: dict[str, Any] = {}
    for name in ttsbook.__all__:
        obj = getattr(ttsbook, name)
        if callable(obj) and not inspect.ismodule(obj):
            found[name] = obj
    for info in pkgutil.iter_modules(ttsbook.__path__):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"ttsbook.{info.name}")
        for n in sorted(getattr(mod, "__all__", [])):
            obj = getattr(mod, n)
            if not callable(obj):
                continue
            found[f"{info.name}.{n}"] = obj
            if inspect.isclass(obj):
                for mname, member in vars(obj).items():
                    if not mname.startswith("_") and inspect.isfunction(member):
                        found[f"{info.name}.{n}.{mname}"] = member
    return found


def parameters(obj) -> list[str]:
    return [p for p in inspect.signature(obj).parameters if p not in ("self", "cls")]


# ----------------------------------------------------------------------------- tests
@pytest.mark.parametrize("row", TABLE, ids=[r.id for r in TABLE])
def test_bad_input_raises_an_error_naming_the_argument(row: Row):
    """TypeError for a value of the wrong type, ValueError for one out of range: a ValueError where
    a TypeError is due fails the row, and the other way round."""
    with pytest.raises((TypeError, ValueError)) as info:
        call(row.func, **{**(row.context or {}), row.key or row.arg: row.bad})
    message = str(info.value)
    other = ValueError if row.expected is TypeError else TypeError
    assert isinstance(info.value, row.expected) and not isinstance(info.value, other), (
        f"{row.id}: raised {type(info.value).__name__} ({message!r}), expected {row.expected.__name__}"
    )
    assert re.search(row.match, message), f"message {message!r} does not match {row.match!r}"
    assert re.search(rf"\b{re.escape(row.arg)}\b", message), f"message {message!r} does not name {row.arg}"


def annotated_classes(func: str) -> tuple[type, ...] | None:
    """The classes a callable's return annotation allows (the class itself for a constructor), or
    None where the annotation names no class (absent, ``Any``, a type variable)."""
    target = resolve(func)
    if inspect.isclass(target):
        return (target,)
    hints = typing.get_type_hints(target)
    if "return" not in hints:
        return None
    hint = hints["return"]
    members = typing.get_args(hint) if typing.get_origin(hint) in (typing.Union, types.UnionType) else (hint,)
    classes = tuple(typing.get_origin(m) or m for m in members)
    return classes if all(isinstance(c, type) for c in classes) else None


@pytest.mark.parametrize("func", sorted(GOOD))
def test_good_calls_succeed(func: str):
    """The reference call of each callable is valid, and stays valid with the other arguments each
    of its rows changes, so a row fails only by its bad argument; it returns what its annotation
    says (a float or an int annotated so is Python's, not a NumPy scalar)."""
    result = call(func)
    classes = annotated_classes(func)
    if classes is not None:
        # A NumPy reduction of a 1-d array gives a NumPy scalar where it gives an array otherwise.
        allowed = classes + ((np.generic,) if np.ndarray in classes else ())
        assert isinstance(result, allowed), f"{func} returned {type(result).__name__}, annotated {classes}"
        if isinstance(result, np.generic) and np.ndarray not in classes:
            pytest.fail(f"{func} returned the NumPy scalar {result!r} where its annotation says {classes}")
    for context in {repr(r.context): r.context for r in TABLE if r.func == func and r.context}.values():
        call(func, **context)


def test_every_public_callable_has_rows():
    covered = {r.func for r in TABLE}
    missing = sorted(set(public_callables()) - covered - set(EXEMPT))
    assert not missing, (
        "public callables without a bad-input row in tests/test_validation.py "
        f"(add a GOOD call and TABLE rows, or an EXEMPT reason): {missing}"
    )


def test_required_kinds_are_covered():
    have = {(r.func, r.arg, r.kind) for r in TABLE}
    missing = []
    for func, obj in public_callables().items():
        if func in EXEMPT:
            continue
        params = parameters(obj)
        for arg in params:
            for kind in REQUIRED.get(arg, ()):
                if (func, arg, kind) not in have and (func, arg, kind) not in NOT_APPLICABLE:
                    missing.append((func, arg, kind))
        dimensioned = DIMENSIONED.intersection(params) | ({"model"} if ".LSA." in func else set())
        if len(dimensioned) >= 2 and not any(r.func == func and r.kind == "dimension" for r in TABLE):
            missing.append((func, "*", "dimension"))
    assert not missing, f"bad-input kinds without a row (function, argument, kind): {sorted(missing)}"


def test_table_and_exemptions_are_current():
    """Every row and exemption names an existing callable and argument, and rows are unique."""
    for func in set(EXEMPT) | {f for f, _, _ in NOT_APPLICABLE}:
        try:
            resolve(func)
        except (AttributeError, ImportError):
            pytest.fail(f"stale entry {func}: no such callable")
    for row in TABLE:
        assert row.func in GOOD, f"{row.id}: no good call in GOOD"
        key = row.key or row.arg
        assert key == "_self" or key in parameters(resolve(row.func)), f"{row.id}: no argument {key}"
    ids = [r.id for r in TABLE]
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates, f"duplicate rows: {duplicates}"
    assert all(EXEMPT.values()) and all(NOT_APPLICABLE.values()), "every exemption needs a reason"


@pytest.mark.parametrize(
    "bad, error, match",
    [
        (np.array([0.5, 0.6]), ValueError, "must lie on the probability simplex"),
        (np.array([1.2, -0.2]), ValueError, "must lie on the probability simplex"),
        (np.array([0.5, np.nan]), ValueError, "has non-finite entries"),
        (np.ones((2, 2)) / 4, ValueError, "must be a non-empty 1-d array"),
        (np.array([1.0 + 0j, 0.0]), TypeError, "must be a real"),
        (["a", "b"], TypeError, "must be a real"),
    ],
)
def test_simplex_check_names_the_argument(bad, error, match):
    """The helper every function taking probabilities uses (task mixtures, the QP)."""
    from ttsbook._checks import on_simplex

    with pytest.raises(error, match=rf"\bpi {match}"):
        on_simplex("pi", bad)
    np.testing.assert_allclose(on_simplex("pi", [0.25, 0.75]), [0.25, 0.75], rtol=0, atol=0)


def test_one_rule_for_a_number_of_steps():
    """Every number of CoT steps accepts an integral float (3.0) as the int; it refuses 1.5 and
    True as what is not an integer (TypeError) and -1 as out of range (ValueError)."""
    assert theory.cot_error_limit(GAM, SIG, 3.0) == theory.cot_error_limit(GAM, SIG, 3)
    assert torch.equal(cot.rollout(MODEL, X, Y, 3.0), cot.rollout(MODEL, X, Y, 3))
    assert torch.equal(cot.rollout_reprompt(MODEL, X, Y, 2.0), cot.rollout_reprompt(MODEL, X, Y, 2))
    assert theory.best_cot_steps(GAM, SIG, k_max=4.0) == theory.best_cot_steps(GAM, SIG, k_max=4)
    for bad, error in ((1.5, TypeError), (True, TypeError), ("3", TypeError), (-1, ValueError)):
        with pytest.raises(error, match=r"\bk must be"):
            cot.rollout(MODEL, X, Y, bad)
        with pytest.raises(error, match=r"\bk must be"):
            theory.cot_error_limit(GAM, SIG, bad)
