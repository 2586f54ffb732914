"""Shared test set-up: the tests folder on sys.path (for ``regen_golden``), and the ``slow``
marker on what a module cannot mark itself, so that ``pytest -m "not slow"`` is a quick inner
loop.

A slow test file says so itself (``pytestmark = pytest.mark.slow``: it starts kernels, browsers,
clusters or the command line in a new process, a second or more a test). Here: the notebooks
under ``notebooks/`` (run by nbval, not Python files, so they carry no marker), and every test
marked ``dask`` or ``browser``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
sys.path.insert(0, str(TESTS))


def _relative(path: Path) -> str:
    """``path`` relative to the checkout, its link itself (``notebooks/scenario_report.ipynb``
    links to the packaged template) rather than where the link points."""
    base = Path(os.path.abspath(REPO))
    path = Path(os.path.abspath(path))  # absolute, links kept
    if path.is_relative_to(base):
        return path.relative_to(base).as_posix()
    resolved = path.resolve()
    return resolved.relative_to(REPO).as_posix() if resolved.is_relative_to(REPO) else path.name


def pytest_collection_modifyitems(config, items):
    slow = pytest.mark.slow
    for item in items:
        rel = _relative(Path(str(item.fspath)))
        if (rel.startswith("notebooks/") or item.get_closest_marker("dask")
                or item.get_closest_marker("browser")):
            item.add_marker(slow)
