"""Shared test set-up: the tests folder on sys.path (for ``regen_golden``), and the ``slow``
marker on what a module cannot mark itself, so that ``pytest -m "not slow"`` is a quick inner
loop.

A slow test file says so itself (``pytestmark = pytest.mark.slow``: it starts kernels, browsers,
clusters or the command line in a new process, a second or more a test). Here: the notebooks
under ``notebooks/`` (run by nbval, not Python files, so they carry no marker), and every test
marked ``dask`` or ``browser``. And the long parametrised lists of :data:`QUICK_SAMPLE`: the
quick tier runs the first cases of each (of each kind, for the hostile corpus), the slow tier
the rest, so ``make test`` still runs every case.

And :func:`shared_reports`: one ``ccgmodels report`` run over three bundled scenarios, made once
for the whole run (both pytest-xdist workers): tests/batch/test_browser.py opens its pages, and
tests/batch/test_print.py's run over every bundled scenario starts from its reports."""

from __future__ import annotations

import json
import os
import subprocess
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


#: parametrised tests whose quick tier runs a sample: test -> (cases kept, what groups them)
QUICK_SAMPLE = {
    "test_hostile_input_is_refused_with_a_message": (1, lambda p: p["case"].kind),
    "test_each_problem_names_its_cell_field_value_and_rule": (2, None),
    "test_layout_problems_name_the_cell": (2, None),
    "test_a_changed_cell_changes_exactly_that_assumption": (1, None),
    "test_every_bundled_scenario_comes_back_exactly": (1, None),
    "test_a_deleted_or_renamed_sheet_is_an_error_naming_it": (2, None),
    "test_every_bundled_scenario_draws": (1, None),
    "test_footprint_is_the_sum_of_every_additive_row_of_every_bundled_scenario": (2, None),
    "test_every_citation_resolves_to_a_named_document_of_the_appendix": (2, None),
    "test_a_register_slip_is_named_by_its_cell": (2, None),
    "test_each_list_covers_exactly_the_cells_the_layout_gives_it": (1, None),
    "test_a_limit_passed_is_refused_by_name_before_reading": (2, None),
}


def pytest_collection_modifyitems(config, items):
    slow = pytest.mark.slow
    seen: dict[tuple, int] = {}
    for item in items:
        rel = _relative(Path(str(item.fspath)))
        if (rel.startswith("notebooks/") or item.get_closest_marker("dask")
                or item.get_closest_marker("browser")):
            item.add_marker(slow)
        name = getattr(item, "originalname", item.name)
        if name in QUICK_SAMPLE and hasattr(item, "callspec"):
            keep, group = QUICK_SAMPLE[name]
            key = (rel, name, group(item.callspec.params) if group else None)
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > keep:
                item.add_marker(slow)


#: the bundled scenarios of :func:`shared_reports` (tests/batch/test_browser.py's)
SHARED_SCENARIOS = ("cpr_2019_20", "footprint_2019_20", "footprint_2019_20_tight_funding")
#: how :func:`shared_reports` runs ``ccgmodels report`` (after the scenario names)
SHARED_REPORT_OPTIONS = ("--runs", "200", "--workers", "2")


@pytest.fixture(scope="session")
def shared_reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of one ``ccgmodels report`` run over :data:`SHARED_SCENARIOS` (with a
    Monte Carlo: :data:`SHARED_REPORT_OPTIONS`), read, never written, by the tests.

    Made once per test run: under pytest-xdist the workers share the parent of their temporary
    folders, so the first to ask makes it holding a file lock and the other waits, then reads
    it (its outcome, failure included, is kept beside it: a failed run is not run again)."""
    from filelock import FileLock

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # shared by the workers of this run
    out, outcome = base / "shared_reports", base / "shared_reports.json"
    with FileLock(str(base / "shared_reports.lock")):
        if not outcome.is_file():
            cmd = [sys.executable, "-m", "ccgmodels", "report", *SHARED_SCENARIOS,
                   "--out", str(out), *SHARED_REPORT_OPTIONS]
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=1500)
            outcome.write_text(json.dumps({"cmd": cmd, "returncode": done.returncode,
                                           "stderr": done.stderr}), encoding="utf-8")
    made = json.loads(outcome.read_text(encoding="utf-8"))
    assert made["returncode"] == 0, (
        f"{' '.join(made['cmd'])} exited {made['returncode']}:\n{made['stderr']}")
    return out
