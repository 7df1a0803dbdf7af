"""Benchmarks of ttsbook: chapter execution time, LSA training time, rollout throughput, memory.

Run from the repository root (not part of the tests' pass/fail)::

    python benchmarks/run.py                 # everything, prints a table
    python benchmarks/run.py --json out.json # also writes the numbers as JSON
    python benchmarks/run.py --only train    # one section: chapters, train or rollout

Each measurement runs in its own process (chapters in a fresh Jupyter kernel, the others in a
fresh Python started with ``multiprocessing``'s spawn), so its peak resident memory
(``ru_maxrss``) is its own. See benchmarks/README.md for what each number means.
"""

from __future__ import annotations

import argparse
import glob
import json
import multiprocessing as mp
import os
import platform
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MB = 1024.0  # ru_maxrss is in KiB on Linux


def _peak_mib() -> float:
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / MB if sys.platform != "darwin" else kib / MB / 1024


# ----------------------------------------------------------------------------- chapters
MARKER = "TTSBOOK-BENCH-MAXRSS-KIB="


def run_chapter(path: Path, timeout: int) -> dict:
    """Execute one chapter source in a fresh python3 kernel; wall time and the kernel's peak RSS."""
    import jupytext
    import nbformat
    from nbclient import NotebookClient

    nb = jupytext.read(path)
    nb.cells.append(
        nbformat.v4.new_code_cell(
            f"import resource; print('{MARKER}' + str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))"
        )
    )
    client = NotebookClient(
        nb, kernel_name="python3", timeout=timeout, resources={"metadata": {"path": str(path.parent)}}
    )
    t0 = time.perf_counter()
    error = None
    try:
        client.execute()
    except Exception as err:  # a failing chapter is reported, not fatal to the benchmark
        error = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
    wall = time.perf_counter() - t0
    peak = float("nan")
    for out in nb.cells[-1].get("outputs", []):
        if out.get("name") == "stdout" and MARKER in out.get("text", ""):
            peak = int(out["text"].split(MARKER)[1].split()[0]) / MB
    return {
        "chapter": str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path),
        "seconds": wall,
        "peak_mib": peak,
        "error": error,
    }


# ----------------------------------------------------------------------------- LSA training
def _set_threads(threads: int | None) -> None:
    import torch

    if threads:
        torch.set_num_threads(threads)


def _train_job(name: str, d: int, n: int, target: float, threads: int | None = None) -> dict:
    import numpy as np
    import torch

    _set_threads(threads)

    from ttsbook import lsa, tasks

    spectra = {
        "isotropic": tasks.isotropic(d),
        "skewed": tasks.skewed(d),
        "rotated": tasks.rotate(tasks.skewed(d), seed=0),
    }
    Lambda = spectra[name]
    t0 = time.perf_counter()
    _, history = lsa.train(Lambda, n, seed=0, record_every=5, progress=False)
    total = time.perf_counter() - t0
    steps = int(history.steps[-1])
    hit = np.flatnonzero(history.rel_error <= target)
    first = int(history.steps[hit[0]]) if hit.size else None
    return {
        "spectrum": name,
        "d": d,
        "n": n,
        "steps": steps,
        "total_seconds": total,
        "step_reached": first,
        # training cost is the same at every step, so the time to a step is proportional to it
        "seconds_to_target": None if first is None else total * first / max(steps, 1),
        "final_rel_error": float(history.rel_error[-1]),
        "threads": torch.get_num_threads(),
        "peak_mib": _peak_mib(),
    }


# ----------------------------------------------------------------------------- rollout
def _rollout_flops(batch: int, d: int, m: int, k: int) -> float:
    """Multiply-adds ×2 of :func:`ttsbook.cot.rollout` (LSA.last_column on a growing prompt).

    Step i (prompt of N = m + i columns, embedding size D = 2d + 2): last·Wᵀ (D²), scores
    Eᵀ(W e) (D·N), the weighted column sum E·scores (D·N) and the product with Vᵀ (D²).
    """
    D = 2 * d + 2
    return float(sum(2 * batch * (2 * D * D + 2 * D * (m + i)) for i in range(k)))


def _best_time(fn, repeats: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def _rollout_job(
    d: int, m: int, k: int, batch: int, loop_prompts: int, repeats: int, threads: int | None = None
) -> dict:
    import torch

    _set_threads(threads)

    from ttsbook import cot, lsa, tasks

    Lambda = tasks.skewed(d)
    model = lsa.optimal(Lambda, m, dtype=torch.float32)
    X, y, _ = tasks.sample_prompts(Lambda, m, batch, seed=0, dtype=torch.float32)

    t_roll = _best_time(lambda: cot.rollout(model, X, y, k), repeats)
    flops = _rollout_flops(batch, d, m, k)

    # a batched matmul of (about) the same FLOPs: batch × (q×q @ q×q), 2 q³ per product
    q = max(1, round((flops / (2 * batch)) ** (1 / 3)))
    A = torch.randn(batch, q, q, generator=torch.Generator().manual_seed(0))
    Bm = torch.randn(batch, q, q, generator=torch.Generator().manual_seed(1))
    t_mm = _best_time(lambda: torch.bmm(A, Bm), repeats)
    mm_flops = 2.0 * batch * q**3

    # the same rollout one prompt at a time (timed on a subset, per prompt)
    def loop():
        for b in range(loop_prompts):
            cot.rollout(model, X[b : b + 1], y[b : b + 1], k)

    t_loop = _best_time(loop, max(1, repeats // 2)) * batch / loop_prompts
    roll_rate, mm_rate = flops / t_roll, mm_flops / t_mm
    return {
        "d": d,
        "m": m,
        "k": k,
        "batch": batch,
        "dtype": "float32",
        "flops": flops,
        "rollout_seconds": t_roll,
        "rollout_gflops": roll_rate / 1e9,
        "prompts_per_second": batch / t_roll,
        "matmul_shape": [batch, q, q],
        "matmul_seconds": t_mm,
        "matmul_gflops": mm_rate / 1e9,
        "ratio_to_matmul": roll_rate / mm_rate,
        "loop_prompts_timed": loop_prompts,
        "loop_seconds_extrapolated": t_loop,
        "speedup_over_loop": t_loop / t_roll,
        "threads": torch.get_num_threads(),
        "peak_mib": _peak_mib(),
    }


def _gpt2_chain_job(checkpoint: str, m: int, k: int, batch: int, repeats: int, threads: int | None = None) -> dict:
    """The GPT-2 model's appended-token chain with cached keys and values against the whole sequence re-run."""
    import torch

    _set_threads(threads)

    from ttsbook import cot, gpt2, tasks

    model, _ = gpt2.load(gpt2.checkpoint(checkpoint))
    d = model.cfg.d
    X, y, _ = tasks.sample_prompts(tasks.isotropic(d), m, batch, seed=0)
    cached = cot.rollout(model, X, y, k, method="cache")
    whole = cot.rollout(model, X, y, k, method="append")
    t_cache = _best_time(lambda: cot.rollout(model, X, y, k, method="cache"), repeats)
    t_whole = _best_time(lambda: cot.rollout(model, X, y, k, method="append"), max(1, repeats // 2))
    return {
        "checkpoint": checkpoint,
        "d": d,
        "m": m,
        "k": k,
        "batch": batch,
        "cache_seconds": t_cache,
        "whole_seconds": t_whole,
        "speedup": t_whole / t_cache,
        "max_abs_difference": float((cached - whole).abs().max()),
        "max_abs_iterate": float(whole.abs().max()),
        "threads": torch.get_num_threads(),
        "peak_mib": _peak_mib(),
    }


def _in_fresh_process(fn, *args):
    with ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


# ----------------------------------------------------------------------------- report
def _fmt(x, spec=".3g"):
    return "-" if x is None or (isinstance(x, float) and x != x) else format(x, spec)


def print_table(results: dict) -> None:
    rows = []
    for ch in results.get("chapters", []):
        status = "FAILED " + ch["error"] if ch["error"] else ""
        rows.append(("chapter", ch["chapter"], f"{ch['seconds']:.1f} s", _fmt(ch["peak_mib"], ".0f"), status))
    for tr in results.get("train", []):
        reached = (
            f"{tr['seconds_to_target']:.2f} s (step {tr['step_reached']}/{tr['steps']})"
            if tr["step_reached"] is not None
            else f"not reached in {tr['steps']} steps"
        )
        rows.append(
            (
                "train to 2%",
                f"{tr['spectrum']} d={tr['d']} n={tr['n']} ({tr['threads']} thr)",
                reached,
                _fmt(tr["peak_mib"], ".0f"),
                f"total {tr['total_seconds']:.2f} s, final rel. error {tr['final_rel_error']:.2%}",
            )
        )
    ro = results.get("rollout")
    if ro:
        setting = f"d={ro['d']} m={ro['m']} k={ro['k']} batch={ro['batch']} ({ro['threads']} thr)"
        rows.append(
            (
                "rollout",
                setting,
                f"{ro['rollout_seconds'] * 1e3:.1f} ms",
                _fmt(ro["peak_mib"], ".0f"),
                f"{ro['prompts_per_second']:.3g} prompts/s, {ro['rollout_gflops']:.3g} GFLOP/s",
            )
        )
        rows.append(
            (
                "rollout / matmul",
                f"bmm {ro['matmul_shape']}",
                f"{ro['ratio_to_matmul']:.3f}",
                "",
                f"matmul {ro['matmul_gflops']:.3g} GFLOP/s at equal FLOPs ({ro['flops']:.3g})",
            )
        )
        rows.append(
            (
                "rollout / loop",
                "one prompt at a time",
                f"{ro['speedup_over_loop']:.1f}x faster",
                "",
                f"loop {ro['loop_seconds_extrapolated']:.2f} s for the batch "
                f"(timed on {ro['loop_prompts_timed']} prompts)",
            )
        )
    ch = results.get("gpt2_chain")
    if ch:
        setting = f"{ch['checkpoint']} m={ch['m']} k={ch['k']} batch={ch['batch']} ({ch['threads']} thr)"
        rows.append(
            (
                "GPT-2 chain, cached",
                setting,
                f"{ch['cache_seconds']:.2f} s",
                _fmt(ch["peak_mib"], ".0f"),
                f"{ch['speedup']:.1f}x faster than re-running the sequence ({ch['whole_seconds']:.2f} s); "
                f"max |difference| {ch['max_abs_difference']:.1e} (iterates up to {ch['max_abs_iterate']:.3g})",
            )
        )
    head = ("measure", "setting", "value", "peak MiB", "notes")
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(5)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format(*head))
    print(line.format(*("-" * w for w in widths)))
    for r in rows:
        print(line.format(*r))
    env = results["environment"]
    print(
        f"\n{env['python']} · torch {env['torch']} · {env['cpus']} CPUs · torch threads {env['torch_threads']} · "
        f"load average at start {env['load_average']}"
    )


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--only",
        choices=["chapters", "train", "rollout", "gpt2"],
        action="append",
        help="run only these sections (repeatable); default: all",
    )
    p.add_argument("--chapters", default="book/[0-9]*.md", help="glob of chapter sources (from the repo root)")
    p.add_argument("--timeout", type=int, default=900, help="per-cell timeout of a chapter, seconds")
    p.add_argument("--d", type=int, default=10, help="dimension for training and rollout")
    p.add_argument("--n", type=int, default=20, help="training prompt length")
    p.add_argument("--m", type=int, default=40, help="test prompt length of the rollout")
    p.add_argument("--k", type=int, default=20, help="CoT steps of the rollout")
    p.add_argument("--batch", type=int, default=4096, help="prompts in the rollout batch")
    p.add_argument("--loop-prompts", type=int, default=256, help="prompts timed in the per-prompt loop")
    p.add_argument("--repeats", type=int, default=5, help="timing repeats (best is kept)")
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch threads for every job, chapters included (default: torch's choice)",
    )
    p.add_argument("--gpt2-checkpoint", default="gpt2_chain_n30_k3", help="model of the GPT-2 chain benchmark")
    p.add_argument("--gpt2-prompts", type=int, default=500, help="prompts of the GPT-2 chain benchmark")
    p.add_argument("--gpt2-k", type=int, default=25, help="CoT steps of the GPT-2 chain benchmark")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = p.parse_args(argv)
    sections = set(args.only or ["chapters", "train", "rollout", "gpt2"])

    os.environ["PYTHONPATH"] = os.pathsep.join(
        x for x in [str(ROOT), os.environ.get("PYTHONPATH", "")] if x
    )  # kernels import this checkout
    sys.path.insert(0, str(ROOT))
    if args.threads:  # chapters' kernels read these when torch starts
        os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(args.threads)
    import torch

    results: dict = {
        "environment": {
            "python": f"Python {platform.python_version()}",
            "torch": torch.__version__,
            "cpus": os.cpu_count(),
            "torch_threads": torch.get_num_threads(),
            "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        }
    }
    if "chapters" in sections:
        paths = sorted(Path(x) for x in glob.glob(str(ROOT / args.chapters)))
        if not paths:
            print(f"no chapter matches {args.chapters}", file=sys.stderr)
        results["chapters"] = []
        for path in paths:
            print(f"executing {path.name} …", file=sys.stderr, flush=True)
            results["chapters"].append(run_chapter(path, args.timeout))
    if "train" in sections:
        results["train"] = []
        for name in ("isotropic", "skewed", "rotated"):
            print(f"training LSA ({name}) …", file=sys.stderr, flush=True)
            results["train"].append(_in_fresh_process(_train_job, name, args.d, args.n, 0.02, args.threads))
    if "rollout" in sections:
        print("timing the rollout …", file=sys.stderr, flush=True)
        results["rollout"] = _in_fresh_process(
            _rollout_job, args.d, args.m, args.k, args.batch, args.loop_prompts, args.repeats, args.threads
        )
    if "gpt2" in sections:
        print("timing the GPT-2 chain …", file=sys.stderr, flush=True)
        results["gpt2_chain"] = _in_fresh_process(
            _gpt2_chain_job, args.gpt2_checkpoint, args.m, args.gpt2_k, args.gpt2_prompts, args.repeats, args.threads
        )
    print_table(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
