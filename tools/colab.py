"""Run the chapters as Colab and Binder run them: each notebook alone, in a fresh environment.

``python tools/colab.py colab [NOTEBOOK ...]`` (``make colab``; default: every
``book/*.ipynb``, the chapters and the introduction)
    Creates one fresh virtual environment holding only the pinned torch and a Jupyter
    kernel (ipykernel), registers it as the kernel ``ttsbook-colab`` in a private
    ``JUPYTER_PATH``, copies each notebook alone into an empty folder and runs
    ``pytest --nbval`` on the copies with that kernel. Each chapter's own first cell then
    installs ttsbook as on Colab, from ``TTSBOOK_PIP_SPEC``, which points at a copy of the files
    git tracks in this clone (or at what ``TTSBOOK_PIP_SPEC`` already names); its
    dependencies are what ``pyproject.toml`` declares (resolved within ``constraints.txt``, so
    that the run is reproducible). nbval compares every printed output with the committed
    notebook: this is also the book's determinism check. A missing dependency or data file
    fails the chapter that needs it.

``python tools/colab.py binder``  (``make binder``)
    Installs the pip section of ``environment.yml`` (Binder's environment) into a fresh
    virtual environment, with the ``ttsbook @ git+…`` line replaced by that copy and the index
    options replaced by ``TORCH_PIP_ARGS`` (this check uses pip only: conda is not required),
    imports every chapter's imports there, and runs the first chapter alone under nbval.

``python tools/colab.py both`` (``make test``) runs the two, torch installed once for both: the
pinned torch goes once per run into ``WORKDIR/torch``, which each fresh environment sees through
a ``.pth`` file.

Options: ``--workdir DIR`` (default: a new temporary folder, removed afterwards), ``--reuse``
(keep an existing environment in ``--workdir``, with ttsbook uninstalled first; for repeated
runs by hand), ``--no-skips`` (fail when a cell is skipped). Other arguments starting with
``-`` go to pytest.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

import jupytext
import pytest
import yaml

from by_path import load

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
CONSTRAINTS = ROOT / "constraints.txt"
SANITIZE = TESTS / "sanitize.cfg"
PUBLIC_SPEC = re.compile(r"^ttsbook\s*@\s*git\+")


def environment_pip() -> list[str]:
    """The pip section of environment.yml, one requirement or option per entry."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    for dep in env["dependencies"]:
        if isinstance(dep, dict) and "pip" in dep:
            return [str(line) for line in dep["pip"]]
    raise ValueError("environment.yml has no pip section")


def torch_version() -> str:
    """The torch pin, written once: ``torch==X`` in environment.yml's pip section."""
    pins = [line.split("==", 1)[1].strip() for line in environment_pip() if re.match(r"^torch\s*==", line)]
    if len(pins) != 1:
        raise ValueError(f"environment.yml must pin torch exactly once (torch==X), found {pins}")
    return pins[0]


def torch_pip_args() -> list[str]:
    return os.environ.get("TORCH_PIP_ARGS", "").split()


def clean_env(**extra: str) -> dict[str, str]:
    """os.environ without what would let a fresh environment see this checkout or .venv."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PIP_CONSTRAINT", "JUPYTER_PATH"}
    }
    env.update(extra)
    return env


def pip(python: Path, *args: str, constraints: bool = True) -> None:
    cmd = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    if constraints:
        cmd += ["-c", str(CONSTRAINTS)]
    subprocess.run(cmd + list(args), check=True, env=clean_env(), cwd=python.parents[2])


def shared_torch(work: Path) -> Path:
    """The pinned torch (and its dependencies) installed once per run into ``work/torch``.

    Each fresh environment of the run sees it through a ``.pth`` file, so that torch, the
    largest download, is installed once for the Colab-like and the Binder environments.
    """
    site = work / "torch"
    if not (site / "torch").is_dir():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--target",
                str(site),
                f"torch=={torch_version()}",
                *torch_pip_args(),
            ],
            check=True,
            env=clean_env(),
        )
    return site


def fresh_venv(path: Path, torch_site: Path, reuse: bool = False) -> Path:
    """A new virtual environment at ``path``: pip, and the run's torch (:func:`shared_torch`)."""
    python = path / "bin" / "python"
    if reuse and python.exists():
        subprocess.run(
            [str(python), "-m", "pip", "uninstall", "--quiet", "--yes", "ttsbook"],
            check=True,
            env=clean_env(),
            capture_output=True,
        )
        return python
    if path.exists():
        shutil.rmtree(path)
    venv.EnvBuilder(with_pip=True, clear=True).create(path)
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
        env=clean_env(),
    ).stdout.strip()
    (Path(purelib) / "ttsbook_run_torch.pth").write_text(f"{torch_site}\n")
    return python


def register_kernel(jupyter_path: Path, name: str, python: Path, env: dict[str, str]) -> str:
    """Write the kernelspec ``name`` (``python``'s ipykernel, with ``env``) under ``jupyter_path``."""
    folder = jupyter_path / "kernels" / name
    folder.mkdir(parents=True, exist_ok=True)
    path = os.pathsep.join([str(python.parent), os.environ.get("PATH", "")])
    spec = {
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": name,
        "language": "python",
        "env": {"PATH": path, "VIRTUAL_ENV": str(python.parents[1]), **env},
    }
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1))
    return name


def lone_copies(notebooks: list[Path], folder: Path) -> list[Path]:
    """Each notebook copied alone into its own empty folder, as Colab opens one file."""
    copies = []
    for nb in notebooks:
        target = folder / nb.stem / nb.name
        target.parent.mkdir(parents=True)
        shutil.copyfile(nb, target)
        copies.append(target)
    return copies


def book_outputs_plugin():
    """book/conftest.py, which compares the glued values as numbers rather than as text; loaded by
    path, as the lone copies sit outside book/."""
    return load(ROOT / "book" / "conftest.py", "book_conftest")


def run_nbval(copies: list[Path], kernel: str, jupyter_path: Path, pytest_args: list[str]) -> int:
    """``pytest --nbval`` on the lone copies in kernel ``kernel`` (found in ``jupyter_path``)."""
    os.chdir(copies[0].parents[1])
    os.environ.clear()
    os.environ.update(clean_env(JUPYTER_PATH=str(jupyter_path)))  # the kernels inherit this
    args = [
        "--nbval",
        "--nbval-kernel-name",
        kernel,
        "--nbval-sanitize-with",
        str(SANITIZE),
        "--nbval-cell-timeout=1200",
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",
        "-ra",
        "--rootdir",
        str(copies[0].parents[1]),
        *pytest_args,
        *map(str, copies),
    ]
    return int(pytest.main(args, plugins=[load(TESTS / "noskips.py"), book_outputs_plugin()]))


def colab(notebooks: list[Path], work: Path, spec: str, reuse: bool, pytest_args: list[str]) -> int:
    python = fresh_venv(work / "colab-venv", shared_torch(work), reuse)
    pip(python, "ipykernel")
    kernel = register_kernel(
        work / "jupyter",
        "ttsbook-colab",
        python,
        {
            "TTSBOOK_PIP_SPEC": spec,
            "PIP_CONSTRAINT": str(CONSTRAINTS),  # the chapter's `pip install` resolves within it
        },
    )
    shutil.rmtree(work / "notebooks", ignore_errors=True)
    shutil.rmtree(work / "binder-notebooks", ignore_errors=True)
    return run_nbval(lone_copies(notebooks, work / "notebooks"), kernel, work / "jupyter", pytest_args)


def tracked_copy(target: Path) -> Path:
    """A copy of the files git tracks in this clone (their working-tree content) at ``target``.

    What Colab's ``pip install git+…`` sees: an untracked file (a checkpoint never committed)
    is missing, and no stale build output of an earlier install is shipped.
    """
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, text=True)
    if listed.returncode != 0:
        raise ValueError(f"ROOT {ROOT} is not a git checkout: set TTSBOOK_PIP_SPEC to what to install")
    if target.exists():
        shutil.rmtree(target)
    for name in filter(None, listed.stdout.split("\0")):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    return target


def pip_spec(work: Path) -> str:
    """What the chapters' first cell installs: TTSBOOK_PIP_SPEC, or this clone's tracked files."""
    return os.environ.get("TTSBOOK_PIP_SPEC") or str(tracked_copy(work / "src"))


def binder_requirements(spec: str = str(ROOT)) -> list[str]:
    """environment.yml's pip section with ttsbook from this clone, index options from TORCH_PIP_ARGS."""
    reqs, found = [], False
    for line in environment_pip():
        if line.startswith("-"):
            continue  # --extra-index-url …: where torch's CPU wheel comes from; TORCH_PIP_ARGS here
        if PUBLIC_SPEC.match(line):
            line, found = spec, True
        reqs.append(line)
    if not found:
        raise ValueError("environment.yml's pip section does not install ttsbook @ git+…")
    return reqs + torch_pip_args()


def chapter_imports(md: Path) -> str:
    """The import statements of a chapter's code cells (top-level lines only)."""
    lines = []
    for cell in jupytext.read(md).cells:
        if cell.cell_type == "code":
            lines += [line for line in cell.source.splitlines() if re.match(r"^(import|from) \w", line)]
    return "\n".join(lines)


IMPORT_CHECK = """
import json, sys, traceback
failed = {}
for name, code in json.loads(sys.argv[1]).items():
    try:
        exec(compile(code, name, "exec"), {})
    except Exception:
        failed[name] = traceback.format_exc()
for name, tb in failed.items():
    print(f"{name}: its imports fail in Binder's environment:\\n{tb}")
sys.exit(1 if failed else 0)
"""


def binder(work: Path, spec: str, reuse: bool, pytest_args: list[str]) -> int:
    python = fresh_venv(work / "binder-venv", shared_torch(work), reuse)
    pip(python, *binder_requirements(spec), constraints=False)  # Binder resolves without our pins
    imports = {md.name: chapter_imports(md) for md in sorted((ROOT / "book").glob("[0-9]*.md"))}
    done = subprocess.run([str(python), "-c", IMPORT_CHECK, json.dumps(imports)], env=clean_env(), cwd=work)
    if done.returncode != 0:
        return 1
    print(f"the imports of {', '.join(imports)} succeed in Binder's environment")
    kernel = register_kernel(work / "jupyter", "ttsbook-binder", python, {})
    first = sorted((ROOT / "book").glob("[0-9]*.ipynb"))[0]
    shutil.rmtree(work / "binder-notebooks", ignore_errors=True)
    return run_nbval(lone_copies([first], work / "binder-notebooks"), kernel, work / "jupyter", pytest_args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tools/colab.py", description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=["colab", "binder", "both"])
    parser.add_argument("notebooks", nargs="*", type=Path, help="colab: the .ipynb files to run")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true")
    args, pytest_args = parser.parse_known_args(argv)
    notebooks = [p.resolve() for p in args.notebooks] or sorted((ROOT / "book").glob("*.ipynb"))
    bad = [str(p) for p in notebooks if p.suffix != ".ipynb" or not p.is_file()]
    if bad:
        raise ValueError(f"notebooks must be existing .ipynb files, got {bad}")
    work = args.workdir.resolve() if args.workdir else Path(tempfile.mkdtemp(prefix=f"ttsbook-{args.mode}-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        status, spec = 0, pip_spec(work)  # one copy of the clone for both runs
        if args.mode in ("colab", "both"):
            status = colab(notebooks, work, spec, args.reuse, pytest_args)
        if args.mode in ("binder", "both"):
            status = binder(work, spec, args.reuse, pytest_args) or status
        return status
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
