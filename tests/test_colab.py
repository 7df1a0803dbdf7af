"""The pieces of the Colab-like and Binder runs (tools/colab.py), checked without building them.

The runs themselves (``make colab``, ``make binder``, both in ``make test``) need a fresh
virtual environment each; here: the torch pin and the version are written once, the kernel
the run registers is the fresh environment's, each notebook is copied alone, Binder's
requirements install this clone, and a chapter's first cell installs what ``TTSBOOK_PIP_SPEC``
names and fails loudly when it cannot.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import jupytext
import pytest
from jupyter_client.kernelspec import KernelSpecManager

import colab
import makefile

ROOT = Path(__file__).resolve().parents[1]


def test_torch_is_pinned_once_in_environment_yml():
    version = colab.torch_version()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), version
    for path in ["Makefile", "pyproject.toml", "tools/colab.py", "README.md", ".ci/run"]:
        text = (ROOT / path).read_text()
        assert "torch==" + version not in text and version not in text, f"{path} repeats the torch pin"
    import torch

    assert torch.__version__.split("+")[0] == version, "this environment's torch is not the pinned one"


def test_version_is_written_once():
    import ttsbook

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "ttsbook.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", ttsbook.__version__)


def test_binder_requirements_install_this_clone():
    reqs = colab.binder_requirements()
    assert str(ROOT) in reqs and f"torch=={colab.torch_version()}" in reqs
    assert not any(colab.PUBLIC_SPEC.match(r) for r in reqs)
    assert not any(r.startswith("--") for r in reqs) or os.environ.get("TORCH_PIP_ARGS")


def test_chapter_imports_are_collected():
    imports = colab.chapter_imports(ROOT / "book" / "01_setup.md")
    assert re.search(r"^from ttsbook import .*\bglue\b", imports, re.M) and "import torch" in imports
    assert all(re.match(r"^(import|from) ", line) for line in imports.splitlines())


def test_notebooks_are_copied_alone(tmp_path):
    notebooks = sorted((ROOT / "book").glob("[0-9]*.ipynb"))[:2]
    copies = colab.lone_copies(notebooks, tmp_path)
    for nb, copy in zip(notebooks, copies, strict=True):
        assert [p.name for p in copy.parent.iterdir()] == [nb.name]
        assert copy.read_bytes() == nb.read_bytes()
    assert len({c.parent for c in copies}) == len(copies)


def test_registered_kernel_is_the_fresh_environments(tmp_path):
    python = tmp_path / "venv" / "bin" / "python"
    name = colab.register_kernel(tmp_path / "jupyter", "ttsbook-colab", python, {"TTSBOOK_PIP_SPEC": "/x"})
    spec = KernelSpecManager(kernel_dirs=[str(tmp_path / "jupyter" / "kernels")]).get_kernel_spec(name)
    assert spec.argv[0] == str(python) and spec.argv[1:3] == ["-m", "ipykernel_launcher"]
    assert spec.env["TTSBOOK_PIP_SPEC"] == "/x"
    assert spec.env["PATH"].split(os.pathsep)[0] == str(python.parent)


def test_clean_env_hides_this_checkout(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("PIP_CONSTRAINT", "x.txt")
    env = colab.clean_env(A="1")
    assert "PYTHONPATH" not in env and "PIP_CONSTRAINT" not in env and env["A"] == "1"


def first_cell() -> str:
    md = sorted((ROOT / "book").glob("[0-9]*.md"))[0]
    return next(c for c in jupytext.read(md).cells if c.cell_type == "code").source


def test_first_cell_installs_the_spec_and_fails_loudly(tmp_path):
    """Where ttsbook is missing, the cell runs `pip install $TTSBOOK_PIP_SPEC` and names it on failure."""
    code = "import sys; sys.modules['ttsbook'] = None  # `import ttsbook` raises ImportError\n" + first_cell()
    spec = str(tmp_path / "no-such-clone")
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**colab.clean_env(), "TTSBOOK_PIP_SPEC": spec},
        timeout=120,
    )
    assert done.returncode != 0
    assert f"pip install {spec!r} failed" in done.stderr, done.stderr[-2000:]


def test_first_cell_is_silent_when_ttsbook_is_installed():
    done = subprocess.run(
        [sys.executable, "-c", first_cell()],
        capture_output=True,
        text=True,
        env={**os.environ, "TTSBOOK_PIP_SPEC": "/no/such/clone"},
        timeout=120,
    )
    assert done.returncode == 0 and done.stdout == "" and done.stderr == "", done.stderr[-2000:]


@pytest.mark.parametrize("mode", ["colab", "binder"])
def test_command_line_refuses_a_missing_notebook(mode, tmp_path):
    with pytest.raises(ValueError, match="notebooks"):
        colab.main([mode, str(tmp_path / "missing.ipynb"), "--workdir", str(tmp_path)])


def test_ci_runs_the_readme_test_command_which_fails_on_skips():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## The two commands", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    command = next(line.split("#")[0].strip() for line in block.splitlines() if "test" in line)
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line.strip() and not line.startswith("#")]
    assert ci[-1] == command == "make test"
    recipe = makefile.commands("test")  # as make runs it, its variables expanded
    assert re.search(r"/python -m pytest --no-skips\b", recipe), recipe
    assert re.search(r"/python tools/colab\.py both --no-skips\b", recipe), recipe
    text = (ROOT / "Makefile").read_text()
    sudo = [line.strip() for line in text.splitlines() if "sudo" in line and not line.lstrip().startswith("#")]
    assert all(line.startswith("echo ") for line in sudo), f"the Makefile runs sudo: {sudo}"


def test_the_installed_source_is_what_git_tracks(tmp_path):
    copy = colab.tracked_copy(tmp_path / "src")
    tracked = set(
        subprocess.run(["git", "-C", str(ROOT), "ls-files"], capture_output=True, text=True, check=True).stdout.split()
    )
    copied = {p.relative_to(copy).as_posix() for p in copy.rglob("*") if p.is_file()}
    assert copied == {t for t in tracked if (ROOT / t).is_file()}
    assert {"pyproject.toml", "ttsbook/gpt2/model.py", "ttsbook/checkpoints/gpt2_n20.pt"} <= copied
    assert colab.binder_requirements(str(copy))[1] == str(copy)
