"""Train the LSA with its default settings on a grid of dimensions, prompt lengths and spectra.

For every d in {5, 10, 20, 40}, n in {⌈d/2⌉, 2d, 8d} and spectrum (isotropic, skewed,
skewed with tr Λ = d, power law α = 1.5), run :func:`ttsbook.lsa.train` in both modes and print
the relative distance ‖V_wx − V*‖_F/‖V*‖_F reached, the steps taken, the condition number κ of
E[S²] = ΓΛ, the wall time and whether the run warned.

    python benchmarks/train_grid.py [--modes sampled population] [--dims 5 10 20 40]
"""

from __future__ import annotations

import argparse
import math
import time
import warnings

import numpy as np

from ttsbook import lsa, tasks, theory

SPECTRA = {
    "isotropic": tasks.isotropic,
    "skewed": tasks.skewed,
    "skewed tr=d": lambda d: tasks.with_trace(tasks.skewed(d), d),
    "power 1.5": lambda d: tasks.power_law(d, 1.5),
}


def run(d: int, n: int, name: str, mode: str) -> dict:
    Lam = SPECTRA[name](d)
    mu = np.linalg.eigvalsh(theory.second_moment(Lam, n))
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _, hist = lsa.train(Lam, n, mode=mode, progress=False)
    seconds = time.perf_counter() - start
    return dict(
        d=d,
        n=n,
        spectrum=name,
        mode=mode,
        kappa=mu[-1] / mu[0],
        steps=int(hist.steps[-1]),
        error=float(hist.rel_error[-1]),
        seconds=seconds,
        warned=bool(caught),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", nargs="+", default=["population", "sampled"], choices=lsa.MODES)
    parser.add_argument("--dims", nargs="+", type=int, default=[5, 10, 20, 40])
    args = parser.parse_args()
    print(
        f"{'d':>3} {'n':>4} {'spectrum':<12} {'mode':<10} {'kappa':>8} {'steps':>6} "
        f"{'rel.err':>8} {'time s':>7} warned",
        flush=True,
    )
    for mode in args.modes:
        for d in args.dims:
            for n in (math.ceil(d / 2), 2 * d, 8 * d):
                for name in SPECTRA:
                    r = run(d, n, name, mode)
                    print(
                        f"{r['d']:>3} {r['n']:>4} {r['spectrum']:<12} {r['mode']:<10} {r['kappa']:>8.1f} "
                        f"{r['steps']:>6} {r['error']:>8.4f} {r['seconds']:>7.1f} {'yes' if r['warned'] else 'no'}",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
