"""tools/by_path.py, the one loader of a file by its path: one module per file, one file per name."""

from __future__ import annotations

import sys

import pytest

import by_path


@pytest.fixture
def names():
    """Module names the test registers, removed from sys.modules afterwards."""
    used: list[str] = []
    yield used
    for name in used:
        sys.modules.pop(name, None)


def test_a_file_is_loaded_once_under_its_name(tmp_path, names):
    (tmp_path / "ttsbook_probe_a.py").write_text(
        "import itertools\nCOUNTER = itertools.count()\nVALUE = next(COUNTER)\n"
    )
    names.append("ttsbook_probe_a")
    first = by_path.load(tmp_path / "ttsbook_probe_a.py")
    assert first.__name__ == "ttsbook_probe_a" and first.VALUE == 0
    assert sys.modules["ttsbook_probe_a"] is first
    again = by_path.load(str(tmp_path / "ttsbook_probe_a.py"))
    assert again is first and next(again.COUNTER) == 1  # not run a second time


def test_a_name_is_never_given_to_two_files(tmp_path, names):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    (tmp_path / "one" / "ttsbook_probe_b.py").write_text("WHERE = 'one'\n")
    (tmp_path / "two" / "ttsbook_probe_b.py").write_text("WHERE = 'two'\n")
    names += ["ttsbook_probe_b", "ttsbook_probe_b_two"]
    assert by_path.load(tmp_path / "one" / "ttsbook_probe_b.py").WHERE == "one"
    with pytest.raises(ImportError, match=r"name 'ttsbook_probe_b' is taken"):
        by_path.load(tmp_path / "two" / "ttsbook_probe_b.py")
    assert by_path.load(tmp_path / "two" / "ttsbook_probe_b.py", "ttsbook_probe_b_two").WHERE == "two"


def test_a_module_that_fails_is_not_kept(tmp_path, names):
    (tmp_path / "ttsbook_probe_c.py").write_text("raise RuntimeError('broken on import')\n")
    names.append("ttsbook_probe_c")
    with pytest.raises(RuntimeError, match="broken on import"):
        by_path.load(tmp_path / "ttsbook_probe_c.py")
    assert "ttsbook_probe_c" not in sys.modules
    with pytest.raises(FileNotFoundError, match="path must name a Python file"):
        by_path.load(tmp_path / "missing.py")


def test_a_dataclass_in_a_loaded_file_works(tmp_path, names):
    """dataclasses look their module up in sys.modules while the file runs."""
    (tmp_path / "ttsbook_probe_d.py").write_text(
        "from __future__ import annotations\nfrom dataclasses import dataclass\n\n"
        "@dataclass\nclass Point:\n    x: int\n"
    )
    names.append("ttsbook_probe_d")
    assert by_path.load(tmp_path / "ttsbook_probe_d.py").Point(3).x == 3
