"""Run the chapters under nbval as other CPUs would run them: ``make cross-cpu``.

torch, MKL, oneDNN, OpenBLAS and NumPy choose their kernels by the processor's instruction set,
so the same code prints other last digits on another CPU. Each variable below restricts one
library to an older instruction set, which reproduces on one machine what another CPU computes:

* ``ATEN_CPU_CAPABILITY`` (torch's own kernels: ``default``, ``avx2``, ``avx512``),
* ``MKL_CBWR`` (MKL, torch's BLAS: ``COMPATIBLE``, ``AVX``, ``AVX2``, ``AVX512``),
* ``ONEDNN_MAX_CPU_ISA`` (oneDNN: ``SSE41``, ``AVX``, ``AVX2``, ``AVX512_CORE``),
* ``OPENBLAS_CORETYPE`` (NumPy's and SciPy's BLAS: ``Prescott``, ``Sandybridge``, ``Haswell``),
* ``NPY_DISABLE_CPU_FEATURES`` (NumPy's own loops; its baseline cannot be disabled).

Each setting of :data:`SETTINGS` runs every chapter under ``pytest --nbval`` with torch, MKL and
OpenBLAS on :data:`THREADS` threads. The chapters set torch to one thread themselves; the run on
two threads makes that call take two instead (through an IPython start-up file in a private
``IPYTHONDIR``), so that the printed numbers are shown not to depend on it either.

``python tools/cross_cpu.py`` runs the whole matrix in this environment (``.venv``);
``--colab`` runs each setting as the Colab-like run does (``tools/colab.py colab``, one fresh
environment reused across settings); ``--settings native avx2`` and ``--threads 1`` choose a part;
``--jobs 2`` runs two settings at a time. Arguments ending in ``.ipynb`` choose the chapters.
Prints one line per run (setting, threads, passed or failed, seconds) and exits non-zero when any
run failed.

``--shift-seed N`` checks the other direction, that the comparison still catches a change: each
chapter is copied with every seed of its cell of changeable numbers shifted by N (as
``benchmarks/variants.py`` shifts them) and must fail nbval with differing outputs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from by_path import load

ROOT = Path(__file__).resolve().parents[1]
SANITIZE = ROOT / "tests" / "sanitize.cfg"

# NumPy 2's feature groups above its x86-64 baseline (X86_V2: SSE4.2, POPCNT).
_NUMPY_ABOVE_AVX2 = "X86_V4 AVX512_ICL AVX512_SPR"
_NUMPY_ABOVE_BASELINE = "X86_V3 " + _NUMPY_ABOVE_AVX2

#: Name → environment of each dispatch setting: the machine's own choice, an AVX2-only CPU, an
#: AVX-only CPU (no FMA), and a baseline with no SIMD beyond SSE4 (torch's scalar-vectorised
#: "default" kernels, MKL's conditional-numerical-reproducibility mode "COMPATIBLE").
SETTINGS: dict[str, dict[str, str]] = {
    "native": {},
    "avx2": {
        "ATEN_CPU_CAPABILITY": "avx2",
        "MKL_CBWR": "AVX2",
        "ONEDNN_MAX_CPU_ISA": "AVX2",
        "OPENBLAS_CORETYPE": "Haswell",
        "NPY_DISABLE_CPU_FEATURES": _NUMPY_ABOVE_AVX2,
    },
    "avx": {
        "ATEN_CPU_CAPABILITY": "default",
        "MKL_CBWR": "AVX",
        "ONEDNN_MAX_CPU_ISA": "AVX",
        "OPENBLAS_CORETYPE": "Sandybridge",
        "NPY_DISABLE_CPU_FEATURES": _NUMPY_ABOVE_BASELINE,
    },
    "baseline": {
        "ATEN_CPU_CAPABILITY": "default",
        "MKL_CBWR": "COMPATIBLE",
        "ONEDNN_MAX_CPU_ISA": "SSE41",
        "OPENBLAS_CORETYPE": "Prescott",
        "NPY_DISABLE_CPU_FEATURES": _NUMPY_ABOVE_BASELINE,
    },
}
THREADS = (1, 2)

_STARTUP = """\
# Written by tools/cross_cpu.py: torch on {threads} thread(s) whatever a chapter asks for.
import torch

_set_num_threads = torch.set_num_threads
torch.set_num_threads = lambda n: _set_num_threads({threads})
torch.set_num_threads({threads})
"""


def shifted_copy(notebook: Path, folder: Path, shift: int) -> Path:
    """The committed notebook (outputs kept) with every seed of its cell of changeable numbers
    shifted by ``shift``, beside a copy of book/conftest.py (what ``pytest --nbval book/`` loads),
    in ``folder``. Raises ValueError for a notebook without such a cell (the introduction)."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    load(ROOT / "benchmarks" / "variants.py").rewrite_cell(nb, shift)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "book" / "conftest.py", folder / "conftest.py")
    target = folder / Path(notebook).name
    nbformat.write(nb, target)
    return target


def nbval_alone(notebook: Path) -> subprocess.CompletedProcess:
    """pytest --nbval on one notebook in its own folder (its conftest.py, no project settings)."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", "--nbval"]
        + ["--nbval-current-env", "--nbval-sanitize-with", str(SANITIZE), "--rootdir", str(notebook.parent)]
        + [str(notebook)],
        cwd=notebook.parent,
        capture_output=True,
        text=True,
    )


def teeth(notebooks: list[str], shift: int) -> int:
    """Every chapter with its seeds shifted must fail nbval with differing outputs."""
    missed = []
    with tempfile.TemporaryDirectory(prefix="ttsbook-teeth-") as tmp:
        for nb in notebooks:
            try:
                copy = shifted_copy(ROOT / nb, Path(tmp) / Path(nb).stem, shift)
            except ValueError:
                print(f"{nb}: no cell of changeable numbers (no seed to shift)", flush=True)
                continue
            out = nbval_alone(copy)
            caught = out.returncode == 1 and "Cell outputs differ" in out.stdout
            differ = out.stdout.count("Cell outputs differ")
            print(f"{nb}: seed +{shift} {'caught' if caught else 'NOT CAUGHT'} ({differ} cells differ)", flush=True)
            if not caught:
                missed.append(nb)
    return 1 if missed else 0


def environment(setting: str, threads: int, ipython_dir: Path) -> dict[str, str]:
    """os.environ with the setting's variables, the thread counts and a private IPYTHONDIR."""
    if setting not in SETTINGS:
        raise ValueError(f"setting must be one of {sorted(SETTINGS)}, got {setting!r}")
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / "00-threads.py").write_text(_STARTUP.format(threads=threads))
    dispatch = {var for variables in SETTINGS.values() for var in variables}  # none leaks from the caller
    env = {k: v for k, v in os.environ.items() if k not in dispatch}
    env.update(SETTINGS[setting])
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[var] = str(threads)
    env["IPYTHONDIR"] = str(ipython_dir)
    return env


def command(notebooks: list[str], colab_workdir: Path | None) -> list[str]:
    """pytest --nbval on the notebooks in this environment, or the Colab-like run of them."""
    if colab_workdir is not None:
        colab = [sys.executable, str(ROOT / "tools" / "colab.py"), "colab", *notebooks]
        return colab + ["--workdir", str(colab_workdir), "--reuse"]
    return [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--nbval",
        "--nbval-sanitize-with",
        str(SANITIZE),
        *notebooks,
    ]


def run(setting: str, threads: int, notebooks: list[str], colab: bool, log_dir: Path) -> tuple[bool, float]:
    with tempfile.TemporaryDirectory(prefix="ttsbook-ipython-") as tmp:
        env = environment(setting, threads, Path(tmp))
        workdir = None
        if colab:  # one Colab-like environment per (setting, threads), so runs side by side do not share it
            workdir = log_dir / f"colab-{setting}-{threads}"
        cmd = command(notebooks, workdir)
        t0 = time.perf_counter()
        log = log_dir / f"{setting}-{threads}.log"
        with log.open("w") as out:
            status = subprocess.run(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT).returncode
        return status == 0, time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks to run (default: every book/*.ipynb)")
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("--threads", nargs="+", type=int, default=list(THREADS))
    parser.add_argument("--colab", action="store_true", help="run each setting as the Colab-like run")
    parser.add_argument("--jobs", type=int, default=1, help="settings run side by side (default 1)")
    parser.add_argument("--log-dir", default=str(ROOT / "_build" / "cross-cpu"), help="one log per run")
    parser.add_argument("--shift-seed", type=int, help="instead: each chapter with its seeds shifted must fail")
    args = parser.parse_args(argv)
    if any(t < 1 for t in args.threads):
        parser.error(f"--threads must be >= 1, got {args.threads}")
    notebooks = args.notebooks or sorted(str(p.relative_to(ROOT)) for p in (ROOT / "book").glob("*.ipynb"))
    if args.shift_seed is not None:
        return teeth(notebooks, args.shift_seed)
    log_dir = Path(args.log_dir).resolve()
    log_dir.mkdir(parents=True, exist_ok=True)
    runs = [(s, t) for s in args.settings for t in args.threads]
    print(f"{len(runs)} runs of {len(notebooks)} notebooks, {args.jobs} at a time; logs in {log_dir}", flush=True)
    failed = []

    def one(st: tuple[str, int]) -> None:
        ok, seconds = run(*st, notebooks, args.colab, log_dir)
        print(f"{st[0]:>9} {st[1]} thread(s): {'passed' if ok else 'FAILED'} in {seconds:.0f} s", flush=True)
        if not ok:
            failed.append(st)

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        list(pool.map(one, runs))
    if failed:
        print(f"failed: {failed}; see the logs in {log_dir}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
