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

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from . import selection, tasks, theory
from ._checks import as_covariance, as_matrix, finite_float, float_tensor, nonnegative_int, positive_float, positive_int

__all__ = ["Blocks", "embed", "LSA", "optimal", "train", "TrainingHistory"]


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


def _check_prompts(X: torch.Tensor, y: torch.Tensor) -> tuple[int, int, int]:
    if not isinstance(X, torch.Tensor) or X.ndim != 3:
        raise ValueError(f"X must be a torch tensor of shape (batch, d, n), got "
                         f"{tuple(X.shape) if isinstance(X, torch.Tensor) else type(X).__name__}")
    batch, d, n = X.shape
    if not isinstance(y, torch.Tensor) or tuple(y.shape) != (batch, n):
        raise ValueError(f"y must be a torch tensor of shape (batch, n) = {(batch, n)}, got "
                         f"{tuple(y.shape) if isinstance(y, torch.Tensor) else type(y).__name__}")
    if batch < 1 or d < 1 or n < 1:
        raise ValueError(f"X must have at least one prompt, one dimension and one example, got shape {tuple(X.shape)}")
    float_tensor("X", X)
    float_tensor("y", y)
    return batch, d, n


def embed(X: torch.Tensor, y: torch.Tensor, w0: torch.Tensor | None = None) -> torch.Tensor:
    """The paper's embedding E, shape (batch, 2d+2, n+1), with the estimate ``w0`` (default 0)."""
    batch, d, n = _check_prompts(X, y)
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
        if not isinstance(E, torch.Tensor) or E.ndim != 3 or E.shape[1] != self.blocks.size:
            raise ValueError(f"E must be a tensor of shape (batch, {self.blocks.size}, columns), got "
                             f"{tuple(E.shape) if isinstance(E, torch.Tensor) else type(E).__name__}")
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
        _, d, n = _check_prompts(X, y)
        if d != self.d:
            raise ValueError(f"X has dimension d = {d} but the model was built for d = {self.d}")
        return self.last_column(embed(X, y, w0), rho=n)[:, self.blocks.w]

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
class TrainingHistory:
    """What :func:`train` records: the step numbers, the mini-batch loss at each, and the
    relative Frobenius distance ‖V_wx − V*‖_F/‖V*‖_F to the closed-form optimum V* = −Γ⁻¹/c."""

    steps: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    loss: np.ndarray = field(default_factory=lambda: np.zeros(0))
    rel_error: np.ndarray = field(default_factory=lambda: np.zeros(0))
    optimal_loss: float = float("nan")


def relative_error(model: LSA, target: np.ndarray) -> float:
    """‖V_wx − target‖_F / ‖target‖_F."""
    if not isinstance(model, LSA):
        raise ValueError(f"model must be a ttsbook.lsa.LSA, got {type(model).__name__}")
    target = as_matrix("target", target, model.d)
    if not np.any(target):
        raise ValueError("target must be a non-zero matrix")
    V = model.V_wx.detach().to(torch.float64).cpu().numpy()
    return float(np.linalg.norm(V - target) / np.linalg.norm(target))


def _is_single_task(Lambda) -> bool:
    if isinstance(Lambda, (np.ndarray, torch.Tensor)):
        return Lambda.ndim == 2
    try:
        return np.ndim(Lambda[0]) == 1
    except (TypeError, IndexError, KeyError):
        return True


def train(
    Lambda,
    n,
    steps: int = 600,
    batch: int = 4096,
    lr: float = 0.5,
    seed: int = 0,
    c: float = 1.0,
    decay_from: float = 0.3,
    record_every: int = 10,
    dtype: torch.dtype = torch.float32,
    progress: bool = True,
    weights=None,
) -> tuple[LSA, TrainingHistory]:
    """Train V_wx of an :class:`LSA` from zero by mini-batch gradient descent on fresh prompts.

    Each step samples ``batch`` prompts of length ``n`` from Λ and takes a gradient step on
    L = ½ mean ‖f(E)[:, −1] − (0, 0, w, 1)‖². The step size is ``lr`` for the first
    ``decay_from`` fraction of the steps and then decays as 1/t, so that the sampling noise of
    the mini-batch gradient averages out (with a constant step the iterate only reaches a noise
    floor around the optimum). No chain of thought is used in training.

    **Task mixtures** (chapter 7, :doc:`/book/07_selection`): pass a sequence of covariances
    ``Lambda = [Λ_1, …, Λ_L]``, their prompt lengths ``n = [n_1, …, n_L]`` (or one int for all)
    and the probabilities ``weights = π`` (default uniform). Prompts of different lengths need
    their own ρ = n_ℓ, so each step draws a stratified batch: task ℓ gets max(1, round(π_ℓ ·
    batch)) prompts of length n_ℓ (tasks with π_ℓ = 0 get none), the loss of each task is
    averaged over its prompts and the task losses are summed with weights π_ℓ. The gradient is
    then an unbiased estimate of the gradient of the mixture's population loss, with less noise
    than drawing a task label per prompt. The model converges to V_wx = −A_π/c with
    A_π = Λ̄_π M̄_π⁻¹ (:func:`ttsbook.selection.mixture_optimum`), which the history tracks.
    One task (a single matrix) behaves exactly as before.

    Returns the model and a :class:`TrainingHistory`.
    """

    if _is_single_task(Lambda):
        Lambda = as_covariance("Lambda", Lambda)
        n = positive_int("n", n)
        if weights is not None:
            tasks.mixture([Lambda], [n], weights)
        Lambdas, ns, pis = Lambda[None], (n,), np.ones(1)
        target = theory.optimal_v(Lambda, n, c)
        best_loss = theory.optimal_loss(Lambda, n)
        label = f"n={n}"
    else:
        L = len(Lambda)
        if weights is None:
            weights = np.full(L, 1.0 / L)
        mix = tasks.mixture(Lambda, n, weights)
        if mix.ns is None:
            raise ValueError("n must give the prompt length of every task")
        Lambdas, ns, pis = mix.Lambdas, mix.ns, mix.weights
        target = selection.mixture_optimal_v(Lambdas, ns, pis, c)
        best_loss = selection.mixture_optimal_loss(Lambdas, ns, pis)
        label = f"mixture of {L}"
    steps = nonnegative_int("steps", steps)
    batch = positive_int("batch", batch)
    lr = positive_float("lr", lr)
    record_every = positive_int("record_every", record_every)
    decay_from = finite_float("decay_from", decay_from)
    if not 0 <= decay_from <= 1:
        raise ValueError(f"decay_from must be in [0, 1], got {decay_from!r}")
    d = Lambdas.shape[1]
    active = [ell for ell in range(len(ns)) if pis[ell] > 0]
    sizes = {ell: batch if len(ns) == 1 else max(1, int(round(pis[ell] * batch))) for ell in active}
    model = LSA(d, c=c, dtype=dtype)
    gen = tasks.make_generator(seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    t0 = int(decay_from * steps)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: 1.0 if t < t0 else t0 / (t + 1) if t0 else 1 / (t + 1))
    rec_steps, rec_loss, rec_err = [], [], []
    b = model.blocks

    def batch_loss() -> torch.Tensor:
        loss = 0.0
        for ell in active:
            X, y, w = tasks.sample_prompts(Lambdas[ell], ns[ell], sizes[ell], seed=gen, dtype=dtype)
            out = model.last_column(embed(X, y), rho=ns[ell])
            target_col = torch.zeros_like(out)
            target_col[:, b.w] = w
            target_col[:, b.one] = 1
            loss = loss + float(pis[ell]) * 0.5 * ((out - target_col) ** 2).sum(dim=1).mean()
        return loss

    def record(step: int, loss: torch.Tensor) -> None:
        rec_steps.append(step)
        rec_loss.append(loss.item())
        rec_err.append(relative_error(model, target))

    for step in tqdm(range(steps), desc=f"LSA d={d} {label}", disable=not progress, mininterval=1.0):
        loss = batch_loss()
        if step % record_every == 0:
            record(step, loss)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    with torch.no_grad():
        record(steps, batch_loss())
    history = TrainingHistory(np.array(rec_steps), np.array(rec_loss), np.array(rec_err), best_loss)
    return model, history
