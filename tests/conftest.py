"""Shared test set-up: the tests folder on sys.path (for ``regen_golden``), and the ``slow``
marker applied by folder and file so that ``pytest -m "not slow"`` is a quick inner loop."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
sys.path.insert(0, str(TESTS))

#: test files (relative to tests/) and notebooks that start kernels, browsers or clusters
SLOW_FILES = {"batch/test_reports.py", "batch/test_faults.py", "batch/test_browser.py",
              "test_notebooks.py"}


def pytest_collection_modifyitems(config, items):
    slow = pytest.mark.slow
    for item in items:
        path = Path(str(item.fspath)).resolve()
        rel = path.relative_to(REPO).as_posix() if path.is_relative_to(REPO) else path.name
        if (rel.startswith("notebooks/") or rel.removeprefix("tests/") in SLOW_FILES
                or item.get_closest_marker("dask") or item.get_closest_marker("browser")):
            item.add_marker(slow)
