"""The code, the tests and the notebooks pass ruff (pyproject.toml's rules), so an unused
import or a stray preamble in a notebook fails the suite, not just ``make lint``."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_ruff_passes_on_package_tests_benchmarks_and_notebooks():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.fail("ruff is not installed: pip install -e '.[dev]'")
    res = subprocess.run([ruff, "check", "--no-cache", "ccgmodels", "tests", "benchmarks",
                          "notebooks"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr


def test_tests_import_their_helpers_by_the_configured_path_not_as_a_package():
    """``tests/`` is not a package: its helper modules (frames, books, oracle, hostile) are on
    pytest's ``pythonpath``, so ``from tests.frames import ...`` breaks ``.venv/bin/pytest`` run
    from the repository (``tests`` is then not importable); import them by their own names."""
    found = [f"{p.relative_to(REPO)}:{n}" for p in sorted((REPO / "tests").rglob("*.py"))
             for n, line in enumerate(p.read_text().splitlines(), 1)
             if line.lstrip().startswith(("from tests.", "import tests"))]
    assert found == []


def test_every_quick_sample_names_a_test_that_exists():
    """conftest.QUICK_SAMPLE keeps a sample of a long parametrised test in the quick tier by the
    test's name: a renamed test would silently put every case back in the quick tier."""
    from conftest import QUICK_SAMPLE

    defined = {m for p in (REPO / "tests").rglob("test_*.py")
               for m in re.findall(r"^def (test_\w+)\(", p.read_text(), flags=re.MULTILINE)}
    assert set(QUICK_SAMPLE) - defined == set()
