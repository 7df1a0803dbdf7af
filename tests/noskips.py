"""pytest plugin: ``--no-skips`` turns a run with skipped tests into a failed run.

``make test`` (and so CI) passes it: there, the book is built and Chromium is installed, so a
skip means a check did not run. Without the option, skips are reported (``-ra``) and pass.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser):
    parser.addoption(
        "--no-skips", action="store_true", help="fail the run when any test is skipped (make test and CI pass it)"
    )


def pytest_sessionfinish(session, exitstatus):
    if not session.config.getoption("no_skips"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"--no-skips: {len(skipped)} tests were skipped, which fails this run", red=True, bold=True)
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
