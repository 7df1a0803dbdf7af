"""The GitHub workflows (.github/workflows/) call what the project has, with the project's versions.

Every ``make`` target a workflow runs has a rule in the Makefile (read from make's own database,
``tests/makefile.py``); the Python version and the torch pin
the workflows use are read at run time by ``.github/versions.sh`` from ``pyproject.toml`` and
``environment.yml``, and no workflow writes a version of its own. ``actionlint`` (in ``make lint``)
checks the workflows' syntax and expressions.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.specifiers import SpecifierSet

import by_path
import colab
import makefile

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
VERSIONS_SCRIPT = ROOT / ".github" / "versions.sh"
CONTAINER = "python:${{ needs.versions.outputs.python }}-trixie"


def load(path: Path) -> dict:
    workflow = yaml.safe_load(path.read_text())
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads the key `on` as True
    return workflow


def run_commands(workflow: dict) -> list[str]:
    """The shell lines of every `run:` step of every job."""
    return [
        line
        for job in workflow["jobs"].values()
        for step in job.get("steps", [])
        for line in str(step.get("run", "")).splitlines()
    ]


def make_targets_called(commands: list[str]) -> set[str]:
    """The targets of every `make ...` command (variable assignments like X=1 are not targets)."""
    targets = set()
    for line in commands:
        words = shlex.split(line)
        for i, word in enumerate(words):
            if word == "make" and (i == 0 or words[i - 1] in {"&&", "||", ";", "then", "do"}):
                for arg in words[i + 1 :]:
                    if arg in {"&&", "||", ";"}:
                        break
                    if not arg.startswith("-") and "=" not in arg:
                        targets.add(arg)
    return targets


def written_versions(text: str) -> list[str]:
    """Version numbers (X.Y, X.Y.Z) outside comments: a workflow takes every version from versions.sh."""
    code = "\n".join(re.sub(r"(^|\s)#.*", "", line) for line in text.splitlines())
    return re.findall(r"(?<![\w.])\d+\.\d+(?:\.\d+)*(?![\w.])", code)


def versions() -> dict[str, str]:
    out = subprocess.run(["sh", str(VERSIONS_SCRIPT)], capture_output=True, text=True, check=True).stdout
    return dict(line.split("=", 1) for line in out.splitlines())


def test_there_are_the_ci_publish_and_weekly_workflows():
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "publish.yml", "weekly.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_make_target_a_workflow_calls_exists(path):
    called = make_targets_called(run_commands(load(path)))
    missing = called - set(makefile.rules())
    assert not missing, f"{path.name} runs make targets the Makefile lacks: {sorted(missing)}"


def test_the_target_check_finds_a_missing_target():
    commands = ["make book", "make linkcheck LINKCHECK_ARGS=--check-extern", "cd x && make no-such-target"]
    assert make_targets_called(commands) == {"book", "linkcheck", "no-such-target"}
    assert make_targets_called(commands) - set(makefile.rules()) == {"no-such-target"}


def test_targets_are_read_as_make_reads_them(tmp_path):
    """Rules written through variables, several targets on a line or a line split in two are found;
    a name make only knows as a prerequisite, a variable or a name only declared .PHONY (make does
    nothing for it) is not a target."""
    (tmp_path / "Makefile").write_text(
        "NAMES := book linkcheck\nBIN := .venv/bin\n.PHONY: $(NAMES) lint pdf\n"
        "$(NAMES): source.md ; @echo $@\n"
        "lint \\\n  : | $(NAMES)\n\t$(BIN)/ruff check .\n"
    )
    rules = makefile.rules(tmp_path / "Makefile")
    assert set(rules) == {".PHONY", "book", "linkcheck", "lint"}
    assert rules["book"] == ["source.md"] and rules["lint"] == ["book", "linkcheck"]
    assert make_targets_called(["make lint", "make BIN"]) - set(rules) == {"BIN"}
    assert makefile.commands("lint", tmp_path / "Makefile") == ".venv/bin/ruff check .\n"
    with pytest.raises(ValueError, match="target must have a rule"):
        makefile.commands("source.md", tmp_path / "Makefile")


def test_ci_runs_the_readme_test_command():
    ci = load(ROOT / ".github" / "workflows" / "ci.yml")
    assert "make test" in run_commands(ci)
    assert "make test" in (ROOT / "README.md").read_text()
    assert set(ci["on"]) >= {"pull_request", "push"} and ci["on"]["push"]["branches"] == ["main"]


def test_versions_script_reads_the_projects_own_versions():
    """Python: requires-python's lower bound, which Binder's environment.yml also names; torch:
    environment.yml's pin (tools/colab.py reads it independently) and the index options beside it."""
    read = versions()
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    lower = [s.version for s in SpecifierSet(requires) if s.operator == ">="]
    assert read["python"] == lower[0]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_python = [d.split("=", 1)[1] for d in env["dependencies"] if isinstance(d, str) and d.startswith("python=")]
    assert conda_python == [read["python"]]
    assert read["torch"] == colab.torch_version()
    options = [line for line in colab.environment_pip() if line.startswith("--")]
    assert read["torch-pip-args"] == " ".join(options)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_write_no_version_of_their_own(path):
    """The Python version and torch come from .github/versions.sh, through a job named versions."""
    text, workflow = path.read_text(), load(path)
    assert not written_versions(text), f"{path.name} writes versions: {written_versions(text)}"
    jobs = workflow["jobs"]
    for name, job in jobs.items():
        if "container" in job:
            assert job["container"] == CONTAINER, f"{path.name}: job {name} runs in {job['container']!r}"
            assert "versions" in job["needs"] if isinstance(job["needs"], list) else job["needs"] == "versions"
            assert job["env"]["TORCH_PIP_ARGS"] == "${{ needs.versions.outputs.torch-pip-args }}"
    if any("container" in job for job in jobs.values()):
        assert '.github/versions.sh >> "$GITHUB_OUTPUT"' in run_commands({"jobs": {"v": jobs["versions"]}})


def test_a_written_version_is_found():
    for line in [
        "python-version: '3.12'",
        "pip install torch==2.5.0",
        "container: python:3.12-trixie",
        'TORCH: "2.5.0"',
        "run: uv venv -p 3.11",
    ]:
        assert written_versions(line), line
    assert not written_versions("uses: actions/checkout@v7  # version 7.0.1\ncron: '17 5 * * 1'")


def test_failed_runs_upload_the_execution_reports_and_the_book():
    ci = load(ROOT / ".github" / "workflows" / "ci.yml")
    uploads = {
        step["with"]["path"]: step.get("if")
        for job in ci["jobs"].values()
        for step in job["steps"]
        if str(step.get("uses", "")).startswith("actions/upload-artifact@")
    }
    assert uploads == {"_build/html/reports": "failure()", "_build/html": "failure()", "_build/cross-cpu": "failure()"}


def test_ci_runs_the_chapters_as_two_other_cpus_would():
    """A job beside make test runs make cross-cpu under two settings of tools/cross_cpu.py."""
    import cross_cpu

    job = load(ROOT / ".github" / "workflows" / "ci.yml")["jobs"]["cross-cpu"]
    calls = [shlex.split(step["run"]) for step in job["steps"] if "make cross-cpu" in str(step.get("run", ""))]
    settings = set()
    for words in calls:
        args = shlex.split(next(w for w in words if w.startswith("CROSS_CPU_ARGS=")).split("=", 1)[1])
        chosen = args[args.index("--settings") + 1 :]
        settings |= {a for a in chosen if a in cross_cpu.SETTINGS}
    assert len(settings) >= 2 and "native" not in settings, settings


def test_weekly_jobs_run_the_colab_check_unpinned_and_the_link_check_and_report_failures():
    weekly = load(ROOT / ".github" / "workflows" / "weekly.yml")
    assert "schedule" in weekly["on"]
    jobs = weekly["jobs"]
    colab_run = run_commands({"jobs": {"c": jobs["colab"]}})
    assert colab_run.index("make constraints") < colab_run.index("make colab")
    assert "make linkcheck LINKCHECK_ARGS=--check-extern" in run_commands({"jobs": {"l": jobs["linkcheck"]}})
    for name in ("colab", "linkcheck"):
        last = jobs[name]["steps"][-1]
        assert last["if"] == "failure()" and last["uses"].startswith("actions/github-script@"), name
        assert jobs[name]["permissions"]["issues"] == "write"


# Each pre-commit hook and the command of `make lint` that runs the same check, as make runs it
# ({maxkb}: the size limit of the hook's own entry, which the command must use too).
LINT_OF_HOOK = {
    "ruff-check": ".venv/bin/ruff check .",
    "ruff-format": ".venv/bin/ruff format --check .",
    "jupytext-sync": ".venv/bin/python -m pytest -q -p no:cacheprovider tests/test_notebooks_sync.py",
    "actionlint": ".venv/bin/actionlint",
    "check-yaml": ".venv/bin/check-yaml",
    "check-toml": ".venv/bin/check-toml",
    "trailing-whitespace": "git grep -nIE '[[:space:]]+$'",
    "end-of-file": '[ -n "$(tail -c1 "$f")" ]',
    "large-files": ".venv/bin/check-added-large-files --enforce-all --maxkb={maxkb}",
    "large-checkpoints": ".venv/bin/check-added-large-files --enforce-all --maxkb={maxkb}",
}


def shell_commands(dry_run: str) -> list[str]:
    """The commands of a ``make -n`` listing, a command continued with a backslash joined to one."""
    return [" ".join(c.split()) for c in re.split(r"(?<!\\)\n", dry_run.strip()) if c.strip()]


def test_pre_commit_runs_what_make_lint_runs():
    """Every pre-commit hook has its command in `make lint`, and every command of `make lint` is a
    hook's check."""
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert all(repo["repo"] == "local" for repo in config["repos"]), "hooks run the tools of .venv"
    assert sorted(hook["id"] for hook in hooks) == sorted(LINT_OF_HOOK)
    lint = shell_commands(makefile.commands("lint"))
    expected = {}
    for hook in hooks:
        maxkb = re.search(r"--maxkb=(\d+)", hook["entry"])
        expected[hook["id"]] = LINT_OF_HOOK[hook["id"]].format(maxkb=maxkb[1] if maxkb else "")
        assert any(expected[hook["id"]] in c for c in lint), f"make lint does not run the check of hook {hook['id']}"
        tool = ROOT / hook["entry"].split()[0]
        assert tool.is_relative_to(ROOT / ".venv" / "bin") and tool.exists(), f"hook {hook['id']}: no {tool}"
    unhooked = [c for c in lint if not any(e in c for e in expected.values())]
    assert not unhooked, f"make lint runs checks no pre-commit hook runs: {unhooked}"


def test_shell_commands_joins_continued_lines():
    listing = "a \\\n\tb\nc\n\nif x; then \\\n  y; fi\n"
    assert shell_commands(listing) == ["a \\ b", "c", "if x; then \\ y; fi"]


def test_anchor_check_finds_a_missing_anchor(tmp_path):
    """.github/anchors.py (in make linkcheck): links to ids that exist pass, others are listed."""
    anchors = by_path.load(ROOT / ".github" / "anchors.py")
    (tmp_path / "book").mkdir()
    (tmp_path / "index.html").write_text(
        '<a href="book/ch.html#fig-1">ok</a> <a href="#top">ok</a> <a href="book/ch.html#gone">broken</a>'
        ' <a href="https://example.org/#x">external</a> <a href="missing.html#y">no page</a><p id="top"></p>'
    )
    (tmp_path / "book" / "ch.html").write_text('<figure id="fig-1"></figure><a href="../index.html#top">ok</a>')
    broken, checked = anchors.broken_anchors(tmp_path)
    assert checked == 5
    assert broken == ["index.html: book/ch.html#gone", "index.html: missing.html#y"]
    with pytest.raises(ValueError, match="root"):
        anchors.broken_anchors(tmp_path / "book")
