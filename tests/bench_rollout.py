"""Throughput of the CoT rollout (chapter 3): batched rollout vs a matmul of the same FLOPs,
and vs a per-prompt Python loop.

Run from the repository root::

    python tests/bench_rollout.py [--prompts 1024] [--m 200] [--k 20] [--threads 1]

Not collected by pytest (timings vary with the machine); it prints the two ratios:

* rollout time / time of one ``torch.bmm`` with the same number of floating-point operations
  (1 means the rollout runs at the speed of a plain batched matmul);
* per-prompt Python loop time / batched rollout time, for the same prompts.
"""

from __future__ import annotations

import argparse
import time

import torch

from ttsbook import cot, lsa, tasks


def rollout_flops(batch: int, d: int, m: int, k: int, method: str) -> float:
    """Floating-point operations (2 per multiply-add) of :func:`ttsbook.cot.rollout`."""
    D = 2 * d + 2
    if method == "cache":
        flops = 2.0 * batch * D * D * (m + 1)  # G = E0 E0ᵀ
        for i in range(k):
            flops += 3 * 2.0 * batch * D * D  # W e, G (W e), V (·)
            flops += 2 * 2.0 * batch * D * i  # the appended columns C (Cᵀ W e)
        return flops
    flops = 0.0
    for i in range(k):
        cols = m + 1 + i
        flops += 2 * 2.0 * batch * D * D + 2 * 2.0 * batch * D * cols  # W e, V(·); Eᵀ(W e), E(scores)
    return flops


def best_time(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=1024)
    parser.add_argument("--loop-prompts", type=int, default=128)
    parser.add_argument("--d", type=int, default=10)
    parser.add_argument("--m", type=int, default=200)
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    dtype = getattr(torch, args.dtype)
    Lambda = tasks.skewed(args.d)
    model = lsa.optimal(Lambda, 20, dtype=dtype)
    X, y, _ = tasks.sample_prompts(Lambda, args.m, args.prompts, seed=0, dtype=dtype)
    D = 2 * args.d + 2
    print(f"d = {args.d}, m = {args.m}, k = {args.k}, {args.prompts} prompts, {args.dtype}, "
          f"{torch.get_num_threads()} torch threads")
    for method in ("cache", "append"):
        t_roll = best_time(lambda: cot.rollout(model, X, y, args.k, method=method), args.repeats)
        flops = rollout_flops(args.prompts, args.d, args.m, args.k, method)
        cols = max(1, round(flops / (2.0 * args.prompts * D * D)))
        A = torch.randn(args.prompts, D, cols, dtype=dtype)
        B = torch.randn(args.prompts, cols, D, dtype=dtype)
        t_mm = best_time(lambda: torch.bmm(A, B), args.repeats)
        nl = args.loop_prompts
        t_batch_nl = best_time(lambda: cot.rollout(model, X[:nl], y[:nl], args.k, method=method), args.repeats)
        t_loop = best_time(lambda: [cot.rollout(model, X[b:b + 1], y[b:b + 1], args.k, method=method)
                                    for b in range(nl)], max(1, args.repeats // 2))
        print(f"[{method}] rollout {t_roll * 1e3:.1f} ms for {flops / 1e9:.3f} GFLOP "
              f"({flops / t_roll / 1e9:.2f} GFLOP/s, {args.prompts / t_roll:.0f} prompts/s); "
              f"bmm of the same FLOPs {t_mm * 1e3:.1f} ms ({flops / t_mm / 1e9:.2f} GFLOP/s)")
        print(f"[{method}]   ratio rollout / same-FLOP bmm = {t_roll / t_mm:.2f}")
        print(f"[{method}]   per-prompt loop over {nl} prompts {t_loop * 1e3:.1f} ms vs batched "
              f"{t_batch_nl * 1e3:.1f} ms: ratio loop / batched = {t_loop / t_batch_nl:.1f}")


if __name__ == "__main__":
    main()
