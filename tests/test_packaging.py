"""What a `pip install` of ttsbook ships: the checkpoints chapter 8 loads, the one version, the licence.

The wheel is built (without network, with this environment's setuptools) from a copy of the
package's files, so the checkout is left as it is.
"""

from __future__ import annotations

import email
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

import ttsbook
from ttsbook import gpt2

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "ttsbook" / "checkpoints").glob("*.pt"))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    src = tmp_path_factory.mktemp("src")
    for name in ["pyproject.toml", "README.md", "LICENSE"]:
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "ttsbook", src / "ttsbook", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(src),
        ],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("ttsbook-*.whl")
    return zipfile.ZipFile(path)


def test_there_are_checkpoints():
    assert len(SHIPPED) >= 4


def test_wheel_ships_every_checkpoint(wheel):
    names = set(wheel.namelist())
    missing = [p.name for p in SHIPPED if f"ttsbook/checkpoints/{p.name}" not in names]
    assert not missing, f"checkpoints left out of the wheel: {missing}"
    for p in SHIPPED:
        assert wheel.read(f"ttsbook/checkpoints/{p.name}") == p.read_bytes()


def test_wheel_ships_every_module(wheel):
    """Subpackages included (setuptools' ``packages`` lists each one)."""
    sources = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "ttsbook").rglob("*.py"))
    assert "ttsbook/gpt2/model.py" in sources
    missing = sorted(set(sources) - set(wheel.namelist()))
    assert not missing, f"modules left out of the wheel: {missing}"


def test_wheel_has_the_one_version_and_the_licence(wheel):
    meta_name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    meta = email.message_from_bytes(wheel.read(meta_name))
    assert meta["Version"] == ttsbook.__version__
    assert meta["License-Expression"] == "MIT"
    assert any(n.endswith("licenses/LICENSE") for n in wheel.namelist())
    assert "MIT License" in (ROOT / "LICENSE").read_text()


def test_citation_file_names_the_licence_and_the_paper():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert cff["cff-version"] == "1.2.0" and cff["license"] == project["license"]
    assert any("arXiv:2510.03605" in str(ref.get("identifiers")) for ref in cff["references"])


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_checkpoint_finds_each_shipped_file(path):
    assert gpt2.checkpoint(path.stem) == path
    assert gpt2.checkpoint(path.name) == path


@pytest.mark.parametrize(
    "name, error",
    [
        ("", ValueError),
        ("gpt2_n21", ValueError),
        ("../pyproject.toml", ValueError),
        ("checkpoints/gpt2_n20", ValueError),
        (20, TypeError),
        (None, TypeError),
    ],
)
def test_checkpoint_refuses_what_is_not_a_shipped_name(name, error):
    with pytest.raises(error, match="name"):
        gpt2.checkpoint(name)


def test_checkpoint_does_not_depend_on_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model, meta = gpt2.load(gpt2.checkpoint("gpt2_n20"))
    assert meta["settings"]["n"] == 20 and model.cfg.d == meta["config"]["d"]
