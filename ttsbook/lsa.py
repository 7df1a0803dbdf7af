"""The linear self-attention (LSA) model of the paper, its embedding and its training loop.

Embedding of a prompt with n examples, a (2d+2) × (n+1) matrix (chapter 1, :doc:`/book/01_setup`)::

    E = [ X        0  ]   d rows   x_1 … x_n
        [ y        0  ]   1 row    labels
        [ 0_{d×n}  w_0]   d rows   the estimate slot (w_0 = 0 in training)
        [ 0_{1×n}  1  ]   1 row

The model is f(E; W, V) = E + V E (Eᵀ W E) / ρ, with ρ the number of examples, and its
prediction ŵ is the w-rows of the last column. With the paper's sparse structure (W_{x,w} = cI,
W_{y,1} = −c held fixed, V zero except the block V_{w,x}), training V_{w,x} by gradient descent
reaches −Γ⁻¹/c (Theorem 3.1, chapter 2, :doc:`/book/02_training`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from . import tasks, theory
from ._checks import (
    as_matrix,
    finite_float,
    float_tensor,
    nonnegative_int,
    positive_float,
    positive_int,
    prompts,
)

__all__ = ["Blocks", "embed", "LSA", "optimal", "train", "LSAHistory", "TrainingDiverged"]


@dataclass(frozen=True)
class Blocks:
    """Row/column index ranges of the blocks x, y, w, 1 in the (2d+2)-dimensional embedding."""

    d: int

    def __post_init__(self):
        positive_int("d", self.d)

    @property
    def x(self) -> slice:
        return slice(0, self.d)

    @property
    def y(self) -> int:
        return self.d

    @property
    def w(self) -> slice:
        return slice(self.d + 1, 2 * self.d + 1)

    @property
    def one(self) -> int:
        return 2 * self.d + 1

    @property
    def size(self) -> int:
        return 2 * self.d + 2


def embed(X: torch.Tensor, y: torch.Tensor, w0: torch.Tensor | None = None) -> torch.Tensor:
    """The paper's embedding E, shape (batch, 2d+2, n+1), with the estimate ``w0`` (default 0)."""
    batch, d, n = prompts(X, y)
    b = Blocks(d)
    E = X.new_zeros(batch, b.size, n + 1)
    E[:, b.x, :n] = X
    E[:, b.y, :n] = y
    if w0 is not None:
        float_tensor("w0", w0, shape=(batch, d))
        E[:, b.w, n] = w0.to(X.dtype)
    E[:, b.one, n] = 1
    return E


class LSA(nn.Module):
    """Single-layer linear self-attention with residual, f(E) = E + V E (Eᵀ W E)/ρ.

    W is the paper's fixed sparse key-query matrix (W_{x,w} = cI, W_{y,1} = −c); the value
    matrix V is zero except the trainable block V_{w,x} (a d × d parameter ``V_wx``), which
    starts at zero (the paper's initialisation). ``V`` returns the full (2d+2)² matrix.
    """

    def __init__(self, d: int, c: float = 1.0, dtype: torch.dtype = torch.float32):
        super().__init__()
        d = positive_int("d", d)
        c = positive_float("c", c)
        if dtype not in (torch.float32, torch.float64):
            raise ValueError(f"dtype must be torch.float32 or torch.float64, got {dtype!r}")
        self.d, self.c, self.blocks = d, c, Blocks(d)
        b = self.blocks
        W = torch.zeros(b.size, b.size, dtype=dtype)
        W[b.x, b.w] = c * torch.eye(d, dtype=dtype)
        W[b.y, b.one] = -c
        self.register_buffer("W", W)
        self.V_wx = nn.Parameter(torch.zeros(d, d, dtype=dtype))

    @property
    def V(self) -> torch.Tensor:
        """The full value matrix, zero outside the block V_{w,x}."""
        b = self.blocks
        V = self.V_wx.new_zeros(b.size, b.size)
        V[b.w, b.x] = self.V_wx
        return V

    def _check_E(self, E: torch.Tensor, rho) -> int:
        if not isinstance(E, torch.Tensor):
            raise TypeError(f"E must be a tensor of shape (batch, {self.blocks.size}, columns), got {type(E).__name__}")
        if E.ndim != 3 or E.shape[1] != self.blocks.size:
            raise ValueError(f"E must be a tensor of shape (batch, {self.blocks.size}, columns), got {tuple(E.shape)}")
        # E may carry inf/nan estimates of a diverging chain of thought: only its dtype is checked.
        float_tensor("E", E, finite=False)
        return positive_int("rho", rho)

    def forward(self, E: torch.Tensor, rho: int) -> torch.Tensor:
        """f(E) = E + V E (Eᵀ W E)/ρ for every column; ρ is the number of examples in the prompt.

        Computed as E + (V (E Eᵀ) W) E / ρ, which costs O(d² N) for N columns instead of O(d N²).
        """
        rho = self._check_E(E, rho)
        E = E.to(self.W.dtype)
        M = self.V @ (E @ E.transpose(1, 2)) @ self.W
        return E + M @ E / rho

    def last_column(self, E: torch.Tensor, rho: int) -> torch.Tensor:
        """The last column of f(E), shape (batch, 2d+2): E_last + V E (Eᵀ W E_last)/ρ."""
        rho = self._check_E(E, rho)
        E = E.to(self.W.dtype)
        last = E[:, :, -1]
        scores = torch.einsum("bdn,bd->bn", E, last @ self.W.T)  # Eᵀ W e_last
        return last + torch.einsum("bdn,bn->bd", E, scores) @ self.V.T / rho

    def predict(self, X: torch.Tensor, y: torch.Tensor, w0: torch.Tensor | None = None) -> torch.Tensor:
        """One forward pass: ŵ, the w-rows of the last column of f(E), shape (batch, d)."""
        _, d, n = prompts(X, y)
        if d != self.d:
            raise ValueError(f"X has dimension d = {d} but the model was built for d = {self.d}")
        return self.last_column(embed(X, y, w0), rho=n)[:, self.blocks.w]

    def chain(self, examples: torch.Tensor, k: int, window: int | None = None, cache: bool = False) -> torch.Tensor:
        """The appended-token chain of thought from the example tokens: iterates (k+1, batch, d).

        Unchecked; :func:`ttsbook.cot.rollout` is the checked entry point and documents the chain.
        ``examples`` has shape (batch, m, 2d+2) (the columns [x_i; y_i; 0_d; 0] of the prompt,
        one token per row, as :class:`ttsbook.gpt2.GPT2` reads them), the model is applied with
        ρ = m, ``window`` keeps the last ``window`` estimate columns (None: all; only with
        ``cache=False``), and ``cache=True`` computes the prompt's part E₀E₀ᵀ once.
        """
        if window is not None and cache:
            raise ValueError("window needs method='append' (cache=False) for the LSA")
        b = self.blocks
        batch, m, _ = examples.shape
        # The prompt's columns, then the estimate column [0_d; 0; ŵ_0; 1] (ŵ_0 = 0), then room for
        # the k appended estimates (the model sees a growing view of E, or, with a window, the
        # examples and the last `window` estimate columns).
        E = examples.new_zeros(batch, b.size, m + 1 + (0 if cache else k), dtype=self.W.dtype)
        E[:, :, :m] = examples.transpose(1, 2)
        E[:, b.one, m] = 1
        E0 = E[:, :, : m + 1]
        iterates = [E.new_zeros(batch, self.d)]
        with torch.no_grad():
            if not cache:
                for i in range(k):
                    if window is None or i + 1 <= window:
                        view = E[:, :, : m + 1 + i]
                    else:
                        view = torch.cat([E[:, :, :m], E[:, :, m + 1 + i - window : m + 1 + i]], dim=2)
                    w_next = self.last_column(view, rho=m)[:, b.w]
                    iterates.append(w_next)
                    E[:, b.w, m + 1 + i] = w_next
                    E[:, b.one, m + 1 + i] = 1
            else:
                V, W = self.V, self.W
                G = E0 @ E0.transpose(1, 2)  # the prompt's part of E Eᵀ, (batch, 2d+2, 2d+2)
                C = E0.new_zeros(batch, b.size, k)  # the appended estimate columns
                last = E0[:, :, m]
                for i in range(k):
                    q = last @ W.T  # W e for the last column e
                    attn = torch.einsum("bij,bj->bi", G, q)
                    if i > 0:
                        Ci = C[:, :, :i]
                        attn = attn + torch.einsum("bdi,bi->bd", Ci, torch.einsum("bdi,bd->bi", Ci, q))
                    w_next = (last + attn @ V.T / m)[:, b.w]
                    iterates.append(w_next)
                    C[:, b.w, i] = w_next
                    C[:, b.one, i] = 1
                    last = C[:, :, i]
        return torch.stack(iterates)

    def gamma(self) -> np.ndarray:
        """The Γ this model inverts, read back from its weights: Γ̂ = −(c V_wx)⁻¹."""
        V = self.V_wx.detach().to(torch.float64).cpu().numpy()
        if not np.all(np.isfinite(V)) or np.linalg.matrix_rank(V) < self.d:
            raise ValueError("the model's V_wx is singular; it defines no Γ")
        return -np.linalg.inv(self.c * V)


def optimal(Lambda: np.ndarray, n: int, c: float = 1.0, dtype: torch.dtype = torch.float64) -> LSA:
    """An LSA set to the closed-form optimum of Theorem 3.1, V_wx = −Γ⁻¹/c."""
    V = theory.optimal_v(Lambda, n, c)
    model = LSA(V.shape[0], c=c, dtype=dtype)
    with torch.no_grad():
        model.V_wx.copy_(torch.as_tensor(V, dtype=dtype))
    return model


@dataclass
class LSAHistory:
    """What :func:`train` records: the step numbers, the mini-batch loss at each, and the
    relative Frobenius distance ‖V_wx − V*‖_F/‖V*‖_F to the closed-form optimum V* = −Γ⁻¹/c."""

    steps: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    loss: np.ndarray = field(default_factory=lambda: np.zeros(0))
    rel_error: np.ndarray = field(default_factory=lambda: np.zeros(0))
    optimal_loss: float = float("nan")


def relative_error(model: LSA, target: np.ndarray) -> float:
    """‖V_wx − target‖_F / ‖target‖_F."""
    if not isinstance(model, LSA):
        raise TypeError(f"model must be a ttsbook.lsa.LSA, got {type(model).__name__}")
    target = as_matrix("target", target, model.d)
    if not np.any(target):
        raise ValueError("target must be a non-zero matrix")
    V = model.V_wx.detach().to(torch.float64).cpu().numpy()
    return float(np.linalg.norm(V - target) / np.linalg.norm(target))


class TrainingDiverged(RuntimeError):
    """Raised by :func:`train` when gradient descent diverges (non-finite or exploding loss)."""


def _sample_statistics(
    chol: torch.Tensor, n: int, batch: int, gen: torch.Generator, dtype: torch.dtype
) -> tuple[torch.Tensor, torch.Tensor]:
    """Draw ``batch`` pairs (u, w) with u = S w = X y / n for fresh prompts of n examples.

    The LSA sees a prompt only through u: its prediction is ŵ = −c V_wx u. With X = L Z
    (L Lᵀ = Λ, Z standard normal d × n) and v = Lᵀ w, u = L Z Zᵀ v / n. Split Z along
    v̂ = v/‖v‖: a = Zᵀ v̂ ~ N(0, I_n) is independent of (I − v̂v̂ᵀ) Z, so
    Z Zᵀ v̂ = q v̂ + √q (I − v̂v̂ᵀ) g with q = ‖a‖² ~ χ²_n and g ~ N(0, I_d) independent.
    This draws u exactly from its distribution with O(n + d²) work per prompt instead of O(d n).
    """
    d = chol.shape[0]
    w = torch.randn(batch, d, generator=gen, dtype=dtype)
    q = (torch.randn(batch, n, generator=gen, dtype=dtype) ** 2).sum(dim=1, keepdim=True)
    g = torch.randn(batch, d, generator=gen, dtype=dtype)
    v = w @ chol
    norm = v.norm(dim=1, keepdim=True)
    vh = v / norm
    z = q * vh + q.sqrt() * (g - (g * vh).sum(dim=1, keepdim=True) * vh)
    return (norm * z) @ chol.T / n, w


def _statistics_loss(model: LSA, u: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """½ mean ‖ŵ − w‖² with the LSA's prediction ŵ = −c V_wx u (u = S w, see :meth:`LSA.predict`)."""
    pred = -model.c * u @ model.V_wx.T
    return 0.5 * ((pred - w) ** 2).sum(dim=1).mean()


MODES = ("sampled", "population")
MAX_DEFAULT_STEPS = 20_000


def _constant_steps(rate_min: float, tol: float) -> int:
    """Steps of a constant step that shrink the slowest error mode, contracted by (1 − rate_min)
    a step (rate_min = lr c² μ_min), to tol/4: ln(4/tol) / −ln(1 − rate_min) ≈ κ ln(4/tol)."""
    return max(1, int(np.ceil(np.log(4.0 / tol) / -np.log1p(-min(rate_min, 1 - 1e-12)))))


def _sampled_schedule(rate_min: float, tol: float, noise: float, decay_from: float | None) -> tuple[int, int]:
    """(steps T, decay start t0) for the sampled mode: constant step up to t0, then lr t0/(t+1).

    The summed step size is lr t0 (1 + ln(T/t0)), which must shrink the slowest mode to tol/4
    (:func:`_constant_steps`). The 1/t phase leaves the one-step noise ``noise`` of the
    mini-batch gradient shrunk by about √(t0/T), which must be below tol/4: bias and noise then
    add to about tol/2, a margin of two for where a noisy run ends (a one-step estimate of the
    noise, and the run's own draws). With ``decay_from`` given, t0 = decay_from · T.
    """
    D = _constant_steps(rate_min, tol)
    if decay_from is not None:
        if decay_from == 0:
            return D, 0
        T = int(np.ceil(D / (decay_from * (1 + np.log(1 / decay_from)))))
        return T, int(decay_from * T)
    R = max(1 / 0.3, (noise / (tol / 4)) ** 2)
    t0 = max(1, int(np.ceil(D / (1 + np.log(R)))))
    return int(np.ceil(t0 * R)), t0


def _step_noise(model: LSA, target: np.ndarray, lr: float, loss_fn) -> float:
    """Relative size ‖lr · ĝ‖_F/‖V*‖_F of one mini-batch step taken at the optimum V* (where the
    expected gradient is zero, so ĝ is pure sampling noise); the model is reset to zero after."""
    with torch.no_grad():
        model.V_wx.copy_(torch.as_tensor(target, dtype=model.V_wx.dtype))
    model.V_wx.grad = None
    loss_fn().backward()
    noise = lr * float(model.V_wx.grad.norm()) / float(np.linalg.norm(target))
    model.V_wx.grad = None
    with torch.no_grad():
        model.V_wx.zero_()
    return noise


def train(
    Lambda,
    n,
    steps: int | None = None,
    batch: int = 4096,
    lr: float | None = None,
    seed: int = 0,
    c: float = 1.0,
    decay_from: float | None = None,
    record_every: int = 10,
    dtype: torch.dtype = torch.float32,
    progress: bool = True,
    weights=None,
    mode: str = "sampled",
    tol: float | None = 0.02,
) -> tuple[LSA, LSAHistory]:
    """Train V_wx of an :class:`LSA` from zero by gradient descent, to V* = −Γ⁻¹/c (Theorem 3.1).

    The loss is L = ½ mean ‖ŵ − w‖² over prompts of length ``n`` from Λ, with the LSA's
    prediction ŵ = −c V_wx S w. With A = −c V_wx its expectation is
    ½ [d − 2 tr(A Λ) + tr(A M Aᵀ)], M = E[S²] = ΓΛ, a quadratic with curvature c² M in V_wx:
    gradient descent with a constant step η contracts the error mode j by (1 − η c² μ_j) per
    step (μ_j the eigenvalues of M) and diverges for η ≥ 2/(c² μ_max)
    (:func:`ttsbook.theory.stable_step_size`).

    Parameters
    ----------
    Lambda, n :
        One task: a covariance Λ and a prompt length n. A **task mixture** (chapter 7,
        :doc:`/book/07_selection`): a sequence ``[Λ_1, …, Λ_L]``, the prompt lengths
        ``[n_1, …, n_L]`` (or one int for all) and ``weights = π`` (default uniform). The loss is
        Σ_ℓ π_ℓ L_ℓ, with Λ and M replaced by Λ̄_π and M̄_π (:func:`ttsbook.theory.mixture_moments`),
        and the target is V* = −A_π/c (:func:`ttsbook.theory.mixture_optimum`). One task is the
        mixture of one.
    steps : int, optional
        Gradient steps. Default: derived from the problem. ``"population"``: the steps the
        slowest error mode needs to shrink to ``tol``/4, ln(4/tol)/−ln(1 − lr c² μ_min) ≈
        κ ln(4/tol) for the default step (κ = μ_max/μ_min), at most 2 000 000. ``"sampled"``: as many
        constant-step equivalents, plus a 1/t phase long enough to average the mini-batch noise
        (measured by one step at V*) below ``tol``/4, at most 20 000: a run is planned to end near
        ``tol``/2, with a margin of two for the noise.
    batch : int
        ``mode="sampled"``: prompts per step (a stratified batch for a mixture: task ℓ gets
        max(1, round(π_ℓ · batch)) prompts, tasks with π_ℓ = 0 none).
    lr : float, optional
        The step size. Default: half the stable bound, 1/(c² μ_max).
    seed, c, dtype, progress, record_every :
        The random stream, the LSA's scale c, the parameter dtype, a progress bar, and how often
        the history records.
    decay_from : float, optional
        ``mode="sampled"``: the step is ``lr`` for this fraction of the steps and then decays as
        lr t0/(t + 1), so that the sampling noise of the mini-batch gradient averages out.
        Default: derived with ``steps`` (0.3 when only ``steps`` is given).
    mode : {"sampled", "population"}
        ``"sampled"`` (default): each step draws ``batch`` fresh prompts and follows the gradient
        of their loss (the prompts enter through u = S w, drawn exactly, see
        ``_sample_statistics``). ``"population"``: the exact expected gradient
        −c (A M − Λ) of Theorem 3.1's setting, with a constant step (``batch`` and
        ``decay_from`` are unused).
    tol : float or None
        A run that ends with ‖V_wx − V*‖_F/‖V*‖_F above ``tol`` issues a ``UserWarning`` with the
        error reached and what would get there; ``None`` turns the check off.

    Returns
    -------
    model : LSA
    history : LSAHistory

    Raises
    ------
    TrainingDiverged
        (a ``RuntimeError``) when the loss or V_wx becomes non-finite or the loss grows 10⁴-fold
        over its starting value d/2; the message names the step size and the stable bound.
    """
    Lambdas, ns, pis = tasks.training_tasks(Lambda, n, weights)
    c = positive_float("c", c)
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    batch = positive_int("batch", batch)
    record_every = positive_int("record_every", record_every)
    if decay_from is not None:
        decay_from = finite_float("decay_from", decay_from)
        if not 0 <= decay_from <= 1:
            raise ValueError(f"decay_from must be in [0, 1], got {decay_from!r}")
    if tol is not None:
        tol = positive_float("tol", tol)
    Lbar, Mbar = theory.mixture_moments(Lambdas, ns, pis)
    mu = np.linalg.eigvalsh(Mbar)
    bound = theory.stable_step_size(Lambdas, ns, c, pis)
    lr = bound / 2 if lr is None else positive_float("lr", lr)
    if steps is not None:
        steps = nonnegative_int("steps", steps)
    target = theory.mixture_optimal_v(Lambdas, ns, pis, c)
    d, L = Lambdas.shape[1], len(ns)
    model = LSA(d, c=c, dtype=dtype)
    gen = tasks.make_generator(seed)
    moments = tuple(torch.as_tensor(T, dtype=dtype) for T in (Lbar, Mbar))
    loss_fn = _loss_function(model, mode, moments, Lambdas, ns, pis, batch, gen)
    goal = 0.02 if tol is None else tol
    steps, t0 = _schedule(
        mode, steps, decay_from, lr * c**2 * mu[0], goal, lambda: _step_noise(model, target, lr, loss_fn)
    )

    def diverged(step: int, loss: float) -> TrainingDiverged:
        return TrainingDiverged(
            f"gradient descent diverged at step {step} (loss {loss:.3g}, starting loss {d / 2:g}) "
            f"with lr = {lr:.4g}; the stable bound is 2/(c² λ_max(E[S²])) = {bound:.4g} "
            f"(theory.stable_step_size): use a smaller lr"
        )

    label = f"n={ns[0]}" if L == 1 else f"mixture of {L}"
    bar = tqdm(range(steps), desc=f"LSA d={d} {label}", disable=not progress, mininterval=1.0)
    exact = moments if mode == "population" else None
    rec_steps, rec_loss, rec_err = _descend(
        model, loss_fn, bar, t0=t0, lr=lr, exact=exact, target=target, record_every=record_every, diverged=diverged
    )
    best_loss = theory.mixture_optimal_loss(Lambdas, ns, pis)
    history = LSAHistory(np.array(rec_steps), np.array(rec_loss), np.array(rec_err), best_loss)
    if tol is not None and rec_err[-1] > tol:
        _warn_not_converged(rec_err[-1], tol, steps, lr, c**2 * mu, mode)
    return model, history


def _loss_function(model: LSA, mode: str, moments, Lambdas, ns, pis, batch: int, gen: torch.Generator):
    """The loss a run descends, a function of the model's V_wx.

    ``"population"``: the exact expectation ½ [d − 2 tr(A Λ̄) + tr(A M̄ Aᵀ)], A = −c V_wx, from
    ``moments`` = (Λ̄, M̄). ``"sampled"``: ½ mean ‖ŵ − w‖² over fresh prompts, a stratified batch
    for a mixture (task ℓ gets max(1, round(π_ℓ · batch)) prompts, tasks with π_ℓ = 0 none).
    """
    c, d, dtype = model.c, model.d, model.V_wx.dtype
    if mode == "population":
        Lbar, Mbar = moments

        def population_loss() -> torch.Tensor:
            A = -c * model.V_wx
            return 0.5 * (d - 2 * torch.trace(A @ Lbar) + torch.trace(A @ Mbar @ A.T))

        return population_loss
    active = [ell for ell in range(len(ns)) if pis[ell] > 0]
    sizes = {ell: batch if len(ns) == 1 else max(1, int(round(pis[ell] * batch))) for ell in active}
    chols = {ell: torch.as_tensor(np.linalg.cholesky(Lambdas[ell]), dtype=dtype) for ell in active}

    def sampled_loss() -> torch.Tensor:
        loss = 0.0
        for ell in active:
            u, w = _sample_statistics(chols[ell], ns[ell], sizes[ell], gen, dtype)
            loss = loss + float(pis[ell]) * _statistics_loss(model, u, w)
        return loss

    return sampled_loss


def _schedule(mode: str, steps, decay_from, rate_min: float, goal: float, noise) -> tuple[int, int]:
    """(steps T, decay start t0): the step is constant up to t0, then lr t0/(t + 1).

    Given ``steps``, t0 = ``decay_from`` · T (0.3 by default; the whole run for ``"population"``).
    Derived (``steps`` None), from the slowest mode's contraction ``rate_min`` a step and, for
    ``"sampled"``, the one-step gradient noise ``noise()`` (:func:`_sampled_schedule`), capped at
    :data:`MAX_DEFAULT_STEPS` (100 times that for ``"population"``).
    """
    if steps is not None:
        return steps, steps if mode == "population" else int((0.3 if decay_from is None else decay_from) * steps)
    if mode == "population":
        steps = t0 = _constant_steps(rate_min, goal)
    else:
        steps, t0 = _sampled_schedule(rate_min, goal, noise(), decay_from)
    steps = min(steps, MAX_DEFAULT_STEPS if mode == "sampled" else 100 * MAX_DEFAULT_STEPS)
    return steps, min(t0, steps)


def _descend(model: LSA, loss_fn, steps: range, *, t0, lr, exact, target, record_every, diverged):
    """Gradient descent on V_wx over ``steps`` (a range, or a progress bar over one): SGD at
    ``lr``, constant up to t0, then lr t0/(t + 1).

    With ``exact`` = (Λ̄, M̄) the gradient is the exact −c (A M̄ − Λ̄), A = −c V_wx; without,
    the autograd gradient of ``loss_fn``. Every ``record_every`` steps, and after the last, the
    loss and the relative error to ``target`` are recorded; a non-finite or exploding loss or
    V_wx raises ``diverged(step, loss)``. Returns the recorded (steps, losses, errors).
    """
    d, c = model.d, model.c
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: 1.0 if t < t0 else t0 / (t + 1) if t0 else 1 / (t + 1))
    recorded = ([], [], [])

    def record(step: int, loss: torch.Tensor) -> None:
        for values, value in zip(recorded, (step, loss.item(), relative_error(model, target)), strict=True):
            values.append(value)

    def check(step: int, loss: torch.Tensor) -> None:
        value = loss.item()
        if not np.isfinite(value) or value > 1e4 * d / 2 or not bool(torch.isfinite(model.V_wx).all()):
            raise diverged(step, value)

    for step in steps:
        if exact is not None:
            with torch.no_grad():
                loss = loss_fn()
                # ∂L/∂V_wx = −c (A M̄ − Λ̄) with A = −c V_wx
                model.V_wx.grad = -c * (-c * model.V_wx @ exact[1] - exact[0])
        else:
            loss = loss_fn()
            opt.zero_grad()
            loss.backward()
        check(step, loss)
        if step % record_every == 0:
            record(step, loss)
        opt.step()
        sched.step()
    with torch.no_grad():
        loss = loss_fn()
    check(len(steps), loss)
    record(len(steps), loss)
    return recorded


def _warn_not_converged(err: float, tol: float, steps: int, lr: float, curvature: np.ndarray, mode: str) -> None:
    kappa = curvature[-1] / curvature[0]
    needed = _constant_steps(lr * curvature[0], tol)
    hint = (
        f"the slowest mode needs about {needed} constant steps (condition number {kappa:.3g}): more steps"
        if needed > steps
        else "the mini-batch noise dominates: a larger batch or more steps"
    )
    other = "" if mode == "population" else "; mode='population' follows the exact expected gradient"
    warnings.warn(
        f"lsa.train stopped at relative error {err:.3g} > tol = {tol:g} after {steps} steps "
        f"(lr = {lr:.4g}): {hint}{other}",
        stacklevel=3,
    )
