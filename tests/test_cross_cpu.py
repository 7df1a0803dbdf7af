"""tools/cross_cpu.py (``make cross-cpu``) sets what it says: each setting's dispatch variables, the
thread counts, and a start-up file that holds torch at the thread count whatever a chapter asks."""

from __future__ import annotations

import subprocess
import sys

import pytest

import cross_cpu


def test_each_setting_sets_its_variables_and_clears_the_others(tmp_path, monkeypatch):
    monkeypatch.setenv("MKL_CBWR", "AVX512")  # left over from the caller: must not leak into native
    native = cross_cpu.environment("native", 1, tmp_path / "a")
    assert "MKL_CBWR" not in native and native["OMP_NUM_THREADS"] == "1"
    avx2 = cross_cpu.environment("avx2", 2, tmp_path / "b")
    assert avx2["ATEN_CPU_CAPABILITY"] == "avx2" and avx2["MKL_CBWR"] == "AVX2"
    assert avx2["OPENBLAS_NUM_THREADS"] == avx2["MKL_NUM_THREADS"] == "2"
    baseline = cross_cpu.environment("baseline", 1, tmp_path / "c")
    assert baseline["ATEN_CPU_CAPABILITY"] == "default" and "X86_V3" in baseline["NPY_DISABLE_CPU_FEATURES"]
    assert {s for s in cross_cpu.SETTINGS if s != "native"} >= {"avx2", "baseline"} and len(cross_cpu.SETTINGS) >= 4
    with pytest.raises(ValueError, match="setting must be one of"):
        cross_cpu.environment("avx1024", 1, tmp_path / "d")


def test_the_startup_file_holds_torch_at_the_thread_count(tmp_path):
    env = cross_cpu.environment("native", 2, tmp_path)
    startup = tmp_path / "profile_default" / "startup" / "00-threads.py"
    code = startup.read_text() + "\ntorch.set_num_threads(1)\nprint(torch.get_num_threads())\n"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "2"
    assert env["IPYTHONDIR"] == str(tmp_path)


def test_the_commands_name_the_notebooks_where_each_runner_reads_them(tmp_path):
    nbs = ["book/01_setup.ipynb", "book/02_training.ipynb"]
    venv = cross_cpu.command(nbs, None)
    assert venv[-2:] == nbs and "--nbval" in venv
    colab = cross_cpu.command(nbs, tmp_path)
    assert colab[2:5] == ["colab", *nbs] and colab[-3:] == ["--workdir", str(tmp_path), "--reuse"]
