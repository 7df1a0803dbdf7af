"""The GPT-2-style model of chapter 8 (:doc:`/book/08_gpt2`): config, blocks, read-in and read-out.

The model follows nanoGPT (Karpathy): a config dataclass, pre-LayerNorm causal blocks of
attention + MLP with residuals, weight initialisation in one place. It replaces GPT-2's token
and position embeddings by a linear read-in of the paper's prompt columns and its language-model
head by a linear read-out of ŵ at the last token:

* tokens are the columns of the paper's embedding E (:func:`ttsbook.lsa.embed`): one token
  [x_i; y_i; 0_d; 0] per example and a last token [0_d; 0; w_0; 1] (w_0 = 0);
* no position embedding by default (the book's choice): the examples of a prompt are
  exchangeable, the last token is marked by its 1, and the model can be applied to prompts of
  any length m. ``n_positions > 0`` adds GPT-2's learned absolute position embedding over that
  many positions, as in Garg et al.'s models;
* the prediction ŵ is a linear map of the last token's final hidden state.

:func:`GPT2Config.paper` is the paper's configuration (12 layers, 8 heads, width 256, the
"standard" model of Garg et al.'s in-context-learning code); the default is a small CPU one.
Training, checkpoints and the command line sit beside this file, in :mod:`ttsbook.gpt2.training`.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from ..lsa import embed

__all__ = ["GPT2Config", "GPT2"]

KV = tuple[torch.Tensor, torch.Tensor]  # one layer's keys and values, each (batch, heads, T, width/heads)


@dataclass(frozen=True)
class GPT2Config:
    """Shape of a :class:`GPT2`: task dimension ``d``, depth, heads, width, and ``n_positions``
    (0: no position embedding; else a learned absolute one for sequences of up to that many tokens).

    The default (3 layers, 2 heads, width 64) trains on a 2-core CPU in minutes;
    :meth:`paper` gives the paper's 12 layers, 8 heads, width 256.
    """

    d: int = 10
    n_layer: int = 3
    n_head: int = 2
    n_embd: int = 64
    mlp_ratio: int = 4
    bias: bool = True
    n_positions: int = 0

    def __post_init__(self):
        for name in ("d", "n_layer", "n_head", "n_embd", "mlp_ratio", "n_positions"):
            value, least = getattr(self, name), 0 if name == "n_positions" else 1
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise TypeError(f"{name} must be an integer >= {least}, got {type(value).__name__} {value!r}")
            if value < least:
                raise ValueError(f"{name} must be an integer >= {least}, got {value!r}")
        if self.n_embd % self.n_head:
            raise ValueError(f"n_embd must be divisible by n_head, got n_embd={self.n_embd}, n_head={self.n_head}")
        if not isinstance(self.bias, bool):
            raise TypeError(f"bias must be a bool, got {self.bias!r}")

    @classmethod
    def paper(cls, d: int = 10) -> GPT2Config:
        """The paper's GPT-2: 12 layers, 8 heads, embedding 256 (about 9.5M parameters)."""
        return cls(d=d, n_layer=12, n_head=8, n_embd=256)

    @property
    def token_size(self) -> int:
        """Entries per token, 2d + 2 (the rows of the paper's embedding E)."""
        return 2 * self.d + 2


class CausalSelfAttention(nn.Module):
    def __init__(self, cfg: GPT2Config):
        super().__init__()
        self.n_head = cfg.n_head
        self.c_attn = nn.Linear(cfg.n_embd, 3 * cfg.n_embd, bias=cfg.bias)
        self.c_proj = nn.Linear(cfg.n_embd, cfg.n_embd, bias=cfg.bias)

    def forward(self, x: torch.Tensor, past: KV | None = None) -> tuple[torch.Tensor, KV]:
        """Attention of the tokens ``x`` to themselves and, when given, to ``past`` keys and values
        (those of earlier positions); returns the output and the keys and values of all positions."""
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        if past is None:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            k, v = torch.cat([past[0], k], dim=2), torch.cat([past[1], v], dim=2)
            # Query t (of T) sits at position P + t and sees every key up to it.
            P = k.shape[2] - T
            mask = None if T == 1 else torch.ones(T, P + T, dtype=torch.bool, device=x.device).tril(P)
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C)), (k, v)


class MLP(nn.Module):
    def __init__(self, cfg: GPT2Config):
        super().__init__()
        self.c_fc = nn.Linear(cfg.n_embd, cfg.mlp_ratio * cfg.n_embd, bias=cfg.bias)
        self.c_proj = nn.Linear(cfg.mlp_ratio * cfg.n_embd, cfg.n_embd, bias=cfg.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.c_proj(F.gelu(self.c_fc(x)))


class Block(nn.Module):
    """Pre-LayerNorm transformer block: x + attn(ln(x)), then x + mlp(ln(x))."""

    def __init__(self, cfg: GPT2Config):
        super().__init__()
        self.ln_1 = nn.LayerNorm(cfg.n_embd, bias=cfg.bias)
        self.attn = CausalSelfAttention(cfg)
        self.ln_2 = nn.LayerNorm(cfg.n_embd, bias=cfg.bias)
        self.mlp = MLP(cfg)

    def forward(self, x: torch.Tensor, past: KV | None = None) -> tuple[torch.Tensor, KV]:
        a, kv = self.attn(self.ln_1(x), past)
        x = x + a
        return x + self.mlp(self.ln_2(x)), kv


class GPT2(nn.Module):
    """GPT-2-style causal transformer that reads a prompt's columns and predicts w at the last token."""

    def __init__(self, cfg: GPT2Config):
        super().__init__()
        if not isinstance(cfg, GPT2Config):
            raise TypeError(f"cfg must be a GPT2Config, got {type(cfg).__name__}")
        self.cfg = cfg
        self.read_in = nn.Linear(cfg.token_size, cfg.n_embd, bias=cfg.bias)
        if cfg.n_positions:
            self.wpe = nn.Embedding(cfg.n_positions, cfg.n_embd)
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.n_layer)])
        self.ln_f = nn.LayerNorm(cfg.n_embd, bias=cfg.bias)
        self.read_out = nn.Linear(cfg.n_embd, cfg.d, bias=cfg.bias)
        # GPT-2 initialisation: N(0, 0.02), residual projections scaled by 1/sqrt(2 n_layer).
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * cfg.n_layer))
            elif p.ndim == 2:
                nn.init.normal_(p, mean=0.0, std=0.02)
            elif name.endswith("bias"):
                nn.init.zeros_(p)

    @property
    def d(self) -> int:
        """The task dimension d (tokens have 2d + 2 entries)."""
        return self.cfg.d

    def num_params(self) -> int:
        """Number of trainable parameters."""
        return sum(p.numel() for p in self.parameters())

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """Read-out at every position, shape (batch, T, d), for tokens of shape (batch, T, 2d+2).

        Causal: the output at position t depends only on tokens 0, …, t. Unchecked (it runs at
        every training step): :meth:`predict` and :func:`ttsbook.cot.rollout` are the checked
        entry points.
        """
        return self.extend(tokens)[0]

    def extend(self, tokens: torch.Tensor, past: list[KV] | None = None) -> tuple[torch.Tensor, list[KV]]:
        """Read-out at the positions of ``tokens`` placed after the positions cached in ``past``.

        ``past`` holds each layer's keys and values of earlier tokens, as returned by an earlier
        call; with a position embedding, ``tokens`` take the positions after the cached ones. The
        model is causal, so a token's keys and values never change when tokens are appended after
        it: ``extend(b, extend(a)[1])`` reads out at ``b`` what ``forward(cat(a, b))`` does, at the
        cost of ``b``'s tokens alone. Returns the read-out (batch, T, d) and the keys and values of
        all positions, ``past`` included.
        """
        x = self.read_in(tokens.to(self.read_in.weight.dtype))
        if self.cfg.n_positions:
            start = 0 if past is None else past[0][0].shape[2]
            end = start + tokens.shape[1]
            if end > self.cfg.n_positions:
                raise ValueError(
                    f"the sequence has {end} tokens but the model's position embedding holds "
                    f"n_positions = {self.cfg.n_positions}"
                )
            x = x + self.wpe(torch.arange(start, end, device=x.device))
        kvs = []
        for i, block in enumerate(self.blocks):
            x, kv = block(x, None if past is None else past[i])
            kvs.append(kv)
        return self.read_out(self.ln_f(x)), kvs

    def estimate_tokens(self, w: torch.Tensor) -> torch.Tensor:
        """Tokens [0_d; 0; ŵ; 1] carrying estimates ``w`` of shape (..., d): shape (..., 2d+2)."""
        zeros, one = w.new_zeros(*w.shape[:-1], self.cfg.d + 1), w.new_ones(*w.shape[:-1], 1)
        return torch.cat([zeros, w, one], dim=-1)

    def chain(self, examples: torch.Tensor, k: int, window: int | None = None, cache: bool = True) -> torch.Tensor:
        """The appended-token chain of thought from the example tokens: iterates (k+1, batch, d).

        Unchecked (called at every training step); :func:`ttsbook.cot.rollout` is the checked
        entry point and documents the chain. ``examples`` has shape (batch, m, 2d+2) (the columns
        [x_i; y_i; 0_d; 0] of the prompt), ``window`` keeps the last ``window`` estimate tokens
        (None: all), ``cache=False`` re-runs the whole sequence at every step.
        """
        param = self.read_in.weight
        examples = examples.to(param.device, param.dtype)
        w = examples.new_zeros(examples.shape[0], self.cfg.d)
        iterates, tokens = [w], [self.estimate_tokens(w)]
        past = None
        if window is not None or cache:
            _, past = self.extend(examples)  # the examples' keys and values, computed once
        for _ in range(k):
            if window is not None:  # the last `window` estimate tokens, re-run after the examples
                w = self.extend(torch.stack(tokens[-window:], dim=1), past)[0][:, -1]
            elif cache:  # the newest estimate token alone, after everything before it
                out, past = self.extend(tokens[-1][:, None], past)
                w = out[:, -1]
            else:
                w = self(torch.cat([examples, torch.stack(tokens, dim=1)], dim=1))[:, -1]
            iterates.append(w)
            tokens.append(self.estimate_tokens(w))
        return torch.stack(iterates)

    def predict(self, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """ŵ for the prompts (X, y): the read-out at the last token, shape (batch, d)."""
        tokens = embed(X, y).transpose(1, 2)  # checks the prompts' shapes
        if tokens.shape[2] != self.cfg.token_size:
            raise ValueError(f"X has dimension d = {X.shape[1]} but the model was built for d = {self.cfg.d}")
        tokens = tokens.to(self.read_in.weight.device)
        return self.forward(tokens)[:, -1]
