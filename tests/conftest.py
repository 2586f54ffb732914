"""Shared test set-up: the tests folder on sys.path (for ``regen_golden``), and the ``slow``
marker applied by folder and file so that ``pytest -m "not slow"`` is a quick inner loop."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
sys.path.insert(0, str(TESTS))

#: test files (relative to tests/) that start kernels, browsers, clusters or the command
#: line in a new process (a second or more a test); notebooks are slow too
SLOW_FILES = {"batch/test_reports.py", "batch/test_faults.py", "batch/test_browser.py",
              "test_notebooks.py", "test_cli.py", "test_cli_workbook.py"}


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
        if (rel.startswith("notebooks/") or rel.removeprefix("tests/") in SLOW_FILES
                or item.get_closest_marker("dask") or item.get_closest_marker("browser")):
            item.add_marker(slow)
