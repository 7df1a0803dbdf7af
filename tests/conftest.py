"""Shared pytest configuration for tests/."""

from noskips import pytest_addoption, pytest_sessionfinish  # noqa: F401  (--no-skips)
