"""Test-time chain of thought (CoT): rolling a trained LSA forward k steps.

After step i the estimate ŵ_i is appended to the prompt as a new column [0_d; 0; ŵ_i; 1] and
the model is applied again, with ρ kept at m, the number of examples. For the LSA this is the
pseudo-Newton iteration w_{i+1} = w_i − (1/m) Γ⁻¹ X Xᵀ (w_i − w) (Proposition 3.2, chapter 3,
:doc:`/book/03_cot`), whose closed form from w_0 = 0 is w_k = (I − (I − Γ⁻¹Ŝ)^k) w.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
import torch

from ._checks import finite_float, float_tensor, invertible, positive_int, prompt_inputs, prompts, steps
from .lsa import LSA, embed

__all__ = [
    "ChainModel",
    "rollout",
    "rollout_reprompt",
    "pseudo_newton",
    "closed_form",
    "squared_error",
    "steps_to_reach",
    "rollout_adaptive",
]


@runtime_checkable
class ChainModel(Protocol):
    """What :func:`rollout` needs of a model: its task dimension ``d`` and its appended-token chain.

    ``chain(examples, k, window=None, cache=...)`` takes the prompt's example tokens, shape
    (batch, m, 2d+2) (the columns [x_i; y_i; 0_d; 0] of the paper's embedding, one per row), and
    returns the iterates ŵ_0 = 0, …, ŵ_k, shape (k+1, batch, d); ``window`` keeps the last
    ``window`` estimate tokens, ``cache`` chooses the cached computation over the literal re-run
    (each model has its own default). :class:`ttsbook.lsa.LSA` and :class:`ttsbook.gpt2.GPT2`
    implement it.
    """

    d: int

    def chain(self, examples: torch.Tensor, k: int, window: int | None = None, cache: bool = ...) -> torch.Tensor: ...


def rollout(
    model, X: torch.Tensor, y: torch.Tensor, k: int, method: str | None = None, window: int | None = None
) -> torch.Tensor:
    """Roll ``model`` forward k steps on the prompts (X, y) by appending estimate tokens.

    The paper's chain of thought: the prompt's example columns [x_i; y_i; 0_d; 0] are followed by
    an estimate token [0_d; 0; ŵ_0; 1] with ŵ_0 = 0; the model's read-out at the last token is
    ŵ_1, which is appended as the token [0_d; 0; ŵ_1; 1], and so on: ŵ_{i+1} is the read-out
    at the last estimate token after i appended estimates. For the LSA (applied with ρ = m, the
    number of examples) this is the pseudo-Newton iteration (Proposition 3.2, chapter 3,
    :doc:`/book/03_cot`); for a :class:`ttsbook.gpt2.GPT2` it is the chain of the paper's
    transformer experiment (chapter 8, :doc:`/book/08_gpt2`).

    Parameters
    ----------
    model : ttsbook.lsa.LSA or ttsbook.gpt2.GPT2
        The model to roll forward (its dtype is used throughout).
    X, y : torch.Tensor
        Test prompts, shapes (batch, d, m) and (batch, m).
    k : int
        Number of CoT steps, k >= 0.
    method : {"cache", "append"} or None
        How the chain is computed; both are exact and differ only by rounding. ``"append"``
        applies the model to the whole growing sequence at every step: the literal definition.
        ``"cache"`` computes the prompt's part once. For the LSA, linear attention reads the
        prompt only through G = E₀E₀ᵀ, since V E (Eᵀ W e) = V G W e + V C (Cᵀ W e) for the
        prompt's columns E₀ and the appended columns C: each step then costs O(d (d + k)),
        independent of m (on a diverging chain in float32 its rounding grows faster: about 3e-4
        relative after 50 steps at d = 10, where ``"append"`` stays at the 2e-5 of the
        pseudo-Newton recursion itself). For the GPT-2 model, a causal transformer without
        position embedding never changes what it computed for earlier tokens, so their keys and
        values are kept and each step runs one token. None (default): ``"append"`` for the LSA,
        ``"cache"`` for the GPT-2 model.
    window : int or None
        Keep only the last ``window`` estimate tokens (ŵ_0 counts as one) after the prompt's
        examples; None (default) keeps the whole chain. With a window, each step re-runs the
        window's tokens after the examples' cached keys and values (GPT-2), or drops the older
        estimate columns from E (the LSA, ``method="append"`` only).

    Returns
    -------
    torch.Tensor, shape (k+1, batch, d)
        The iterates w_0 = 0, w_1, …, w_k in the model's dtype. All prompts are processed
        together as batched tensor operations. A diverging chain gives inf/nan honestly
        (nothing is clipped).
    """
    if not isinstance(model, ChainModel):
        raise TypeError(
            f"model must be a ttsbook.lsa.LSA or a ttsbook.gpt2.GPT2 (a ChainModel: a dimension d and a "
            f"method chain(examples, k, window, cache)), got {type(model).__name__}"
        )
    batch, d, m = prompts(X, y)
    if d != model.d:
        raise ValueError(f"X has dimension d = {d} but the model was built for d = {model.d}")
    k = steps("k", k)
    if method not in (None, "cache", "append"):
        raise ValueError(f"method must be 'cache' or 'append', got {method!r}")
    if window is not None:
        window = positive_int("window", window)
    examples = embed(X, y)[:, :, :m].transpose(1, 2)  # one token [x_i; y_i; 0_d; 0] per example
    options = {} if method is None else {"cache": method == "cache"}
    with torch.no_grad():
        return model.chain(examples, k, window=window, **options).cpu()


def rollout_reprompt(model, X: torch.Tensor, y: torch.Tensor, k: int, batch_size: int = 1024) -> torch.Tensor:
    """Test-time CoT of any model with ``predict`` by residual re-prompting: k steps from ŵ_0 = 0.

    ŵ_{i+1} = ŵ_i + s_i · model.predict(X, r_i / s_i), with r_i = y − Xᵀŵ_i and
    s_i = rms(r_i)/rms(y) per prompt (a prompt whose residual is exactly zero gets no correction).
    The first step is the model's plain prediction. For a model linear in y (the LSA) the scaling
    cancels and the step is the pseudo-Newton step ŵ_i + Γ⁻¹X(y − Xᵀŵ_i)/m of
    :func:`pseudo_newton`. :func:`rollout` is the LSA's own chain (appended estimate columns);
    this one needs nothing of the model but ``predict``, so it also rolls out the GPT-2-style
    model of :mod:`ttsbook.gpt2` (chapter 8, :doc:`/book/08_gpt2`).

    Parameters
    ----------
    model : ttsbook.gpt2.GPT2, ttsbook.lsa.LSA, …
        Anything with ``predict(X, y) -> (batch, d)``.
    X : torch.Tensor, shape (batch, d, m)
    y : torch.Tensor, shape (batch, m)
    k : int
        Number of CoT steps, ≥ 0.
    batch_size : int
        Prompts per forward pass (memory only; the result does not depend on it).

    Returns
    -------
    torch.Tensor, shape (k+1, batch, d)
        The iterates ŵ_0 = 0, …, ŵ_k on the CPU in the dtype of X. A diverging chain gives
        inf/nan (nothing is clipped).
    """
    if not callable(getattr(model, "predict", None)):
        raise TypeError(f"model must have a predict(X, y) method, got {type(model).__name__}")
    batch, d, m = prompts(X, y)
    k = steps("k", k)
    batch_size = positive_int("batch_size", batch_size)
    chunks = []
    with torch.no_grad():
        for lo in range(0, batch, batch_size):
            Xc, yc = X[lo : lo + batch_size], y[lo : lo + batch_size]
            y_rms = yc.pow(2).mean(dim=1, keepdim=True).sqrt().clamp_min(torch.finfo(yc.dtype).tiny)
            w = Xc.new_zeros(Xc.shape[0], d)
            its = [w]
            for _ in range(k):
                r = yc - torch.einsum("bdn,bd->bn", Xc, w)
                s = r.pow(2).mean(dim=1, keepdim=True).sqrt() / y_rms
                live = torch.isfinite(s)  # a diverged prompt stays diverged (nan), nothing is clipped
                moving = live & (s > 0)  # a zero residual needs no correction
                s = torch.where(moving, s, torch.ones_like(s))
                r_in = torch.where(live, r / s, torch.zeros_like(r))
                step = model.predict(Xc, r_in).to("cpu", Xc.dtype) * s
                step = torch.where(moving, step, torch.zeros_like(step))
                w = w + torch.where(live, step, torch.full_like(step, float("nan")))
                its.append(w)
            chunks.append(torch.stack(its))
    return torch.cat(chunks, dim=1)


def _gamma_inverse(Gamma, d: int, dtype) -> torch.Tensor:
    """Γ⁻¹ for any invertible Γ: the theory's Γ is SPD, but one read back from a model trained by
    stochastic gradient descent (:meth:`LSA.gamma`) is only approximately symmetric."""
    return torch.as_tensor(np.linalg.inv(invertible("Gamma", Gamma, d)), dtype=dtype)


def pseudo_newton(Gamma: np.ndarray, X: torch.Tensor, y: torch.Tensor, k: int) -> torch.Tensor:
    """The pseudo-Newton recursion w_{i+1} = w_i − (1/m) Γ⁻¹ X (Xᵀ w_i − y), w_0 = 0.

    Newton's method on ℓ(w) = (1/2m)‖y − Xᵀw‖² with Γ⁻¹ in place of the inverse Hessian.
    ``Gamma`` is any invertible d × d matrix: :func:`ttsbook.theory.gamma`, or the one a trained
    model implements (:meth:`ttsbook.lsa.LSA.gamma`, not exactly symmetric after SGD).
    Returns shape (k+1, batch, d) in the dtype of X.
    """
    batch, d, m = prompts(X, y)
    k = steps("k", k)
    A = _gamma_inverse(Gamma, d, X.dtype)
    y = y.to(X.dtype)
    w = X.new_zeros(batch, d)
    iterates = [w]
    for _ in range(k):
        residual = torch.einsum("bdn,bd->bn", X, w) - y
        w = w - torch.einsum("bdn,bn->bd", X, residual) @ A.T / m
        iterates.append(w)
    return torch.stack(iterates)


def closed_form(Gamma: np.ndarray, X: torch.Tensor, w: torch.Tensor, k: int) -> torch.Tensor:
    """w_k = (I − (I − Γ⁻¹Ŝ)^k) w with Ŝ = XXᵀ/m, the closed form of k pseudo-Newton steps."""
    batch, d, m = prompt_inputs(X)
    float_tensor("w", w, shape=(batch, d))
    w = w.to(X.dtype)
    k = steps("k", k)
    A = _gamma_inverse(Gamma, d, X.dtype)
    eye = torch.eye(d, dtype=X.dtype)
    M = eye - A @ (X @ X.transpose(1, 2)) / m
    return w - torch.einsum("bij,bj->bi", torch.linalg.matrix_power(M, k), w)


def squared_error(iterates: torch.Tensor, w: torch.Tensor, per_prompt: bool = False) -> np.ndarray:
    """Mean over the batch of ‖w_i − w‖² for each step i, shape (k+1,), in float64.

    With ``per_prompt=True`` the errors are not averaged: shape (k+1, batch), for example to
    attach a Monte Carlo standard error to the mean. Diverged iterates give inf (an overflowed
    or nan error is reported as inf, never clipped).
    """
    float_tensor("iterates", iterates, ndim=3, finite=False)
    float_tensor("w", w, shape=tuple(iterates.shape[1:]))
    diff = iterates.to(torch.float64) - w.to(torch.float64)[None]
    err = (diff**2).sum(dim=2)
    if not per_prompt:
        err = err.mean(dim=1)
    err = err.numpy()
    return np.where(np.isfinite(err), err, np.inf)


STOPPING_RULES = ("insample", "heldout", "heldout-refit")


def steps_to_reach(errors, target: float, interpolate: bool = False) -> float:
    """The fewest CoT steps k at which an error curve (indexed by k = 0, 1, …) is ≤ ``target``.

    Returns a float: the first integer k with ``errors[k] <= target``, or ``nan`` when the curve
    never gets there within its length. With ``interpolate=True`` the crossing is interpolated
    geometrically (linearly in log-error) between the two integer steps around it, for comparing
    with a law that is continuous in k.
    """
    errs = np.asarray(errors, dtype=np.float64)
    if errs.ndim != 1 or errs.size == 0:
        raise ValueError(f"errors must be a non-empty 1-d array indexed by k, got shape {errs.shape}")
    if np.any(np.isnan(errs)) or np.any(errs < 0):
        raise ValueError("errors must be >= 0 (inf for a diverged chain), without nan")
    target = finite_float("target", target)
    if target <= 0:
        raise ValueError(f"target must be > 0, got {target!r}")
    hit = np.flatnonzero(errs <= target)
    if hit.size == 0:
        return float("nan")
    k1 = int(hit[0])
    if not interpolate or k1 == 0 or not np.isfinite(errs[k1 - 1]):
        return float(k1)
    e0, e1 = errs[k1 - 1], errs[k1]
    if e1 <= 0:
        return float(k1)
    return float(k1 - 1 + np.log(e0 / target) / np.log(e0 / e1))


def rollout_adaptive(
    model,
    X: torch.Tensor,
    y: torch.Tensor,
    k_max: int,
    rule: str = "insample",
    holdout: float = 0.2,
    scheme: str | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Chain of thought that chooses its own number of steps per prompt, from residuals only.

    The model never sees w, but it sees the residuals y − Xᵀŵ_k of its own estimates. With
    e_k = ŵ_k − w, a residual on the chain's own m examples is (1/m)‖y − Xᵀŵ_k‖² = e_kᵀ Ŝ e_k,
    an Ŝ-weighted error; a residual on h examples the chain has not used is, given the chain,
    an unbiased estimate of e_kᵀ Σ e_k, the Σ-weighted error (for Σ = I exactly E‖e_k‖²).
    Chapter 6, :doc:`/book/06_finite_m`.

    Parameters
    ----------
    model : ttsbook.lsa.LSA, ttsbook.gpt2.GPT2 or any model with ``predict(X, y)``
        The model whose chain is stopped.
    X, y : torch.Tensor
        Test prompts, shapes (batch, d, m) and (batch, m).
    k_max : int
        The largest number of steps considered, >= 0.
    rule : {"insample", "heldout", "heldout-refit"}
        ``"insample"``: run the chain on all m examples, return the step k <= k_max with the
        smallest in-sample residual. ``"heldout"``: hold out the last h = max(1, round(holdout·m))
        examples, run the chain on the other m − h, choose k by the residual on the held-out ones
        and return that chain's estimate. ``"heldout-refit"``: choose k the same way, then return
        the estimate of the chain on all m examples at that k.
    holdout : float
        Fraction of the examples held out by the held-out rules, in (0, 1); the default is the
        usual 80/20 split. Both parts must keep at least one example.
    scheme : {"append", "reprompt"} or None
        The chain: ``"append"``, the appended-estimate chain :func:`rollout` (an LSA or a
        GPT-2 model); ``"reprompt"``, residual re-prompting :func:`rollout_reprompt` (any model
        with ``predict``). None (default): ``"append"`` for the LSA, ``"reprompt"`` otherwise.

    Returns
    -------
    w_hat : torch.Tensor, shape (batch, d)
        The chosen estimate per prompt (inf/nan only if every candidate diverged).
    k : torch.Tensor of int64, shape (batch,)
        The chosen number of steps per prompt, in 0 … k_max (the smallest on ties).
    """
    if not callable(getattr(model, "predict", None)):
        raise TypeError(f"model must have a predict(X, y) method, got {type(model).__name__}")
    batch, d, m = prompts(X, y)
    k_max = steps("k_max", k_max)
    if rule not in STOPPING_RULES:
        raise ValueError(f"rule must be one of {STOPPING_RULES}, got {rule!r}")
    if scheme is None:
        scheme = "append" if isinstance(model, LSA) else "reprompt"
    if scheme not in ("append", "reprompt"):
        raise ValueError(f"scheme must be 'append' or 'reprompt', got {scheme!r}")
    chain = rollout if scheme == "append" else rollout_reprompt
    holdout = finite_float("holdout", holdout)
    if not 0 < holdout < 1:
        raise ValueError(f"holdout must be in (0, 1), got {holdout!r}")
    if rule == "insample":
        its = chain(model, X, y, k_max)
        k = _smallest_residual(its, X, y)
    else:
        h = max(1, int(round(holdout * m)))
        if m - h < 1:
            raise ValueError(f"holdout leaves no example for the chain (m = {m}, h = {h})")
        its = chain(model, X[:, :, : m - h], y[:, : m - h], k_max)
        k = _smallest_residual(its, X[:, :, m - h :], y[:, m - h :])
        if rule == "heldout-refit":
            its = chain(model, X, y, k_max)
    return its[k, torch.arange(batch)], k


def _smallest_residual(iterates: torch.Tensor, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per prompt, the step whose estimate has the smallest squared residual on (X, y)."""
    pred = torch.einsum("bdn,kbd->kbn", X.to(torch.float64), iterates.to(torch.float64))
    res = ((y.to(torch.float64)[None] - pred) ** 2).sum(dim=2)
    res = torch.where(torch.isfinite(res), res, torch.full_like(res, float("inf")))
    return torch.argmin(res, dim=0)  # first minimum: the smallest k on ties
