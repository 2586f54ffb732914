"""Batch faults (issue #15): a kernel that dies is retried once; any failure outside the
notebook (a full disk) fails that scenario only and leaves the next report its own error; the
kernel is reset to a known state between reports; a batch killed any way (SIGHUP, kill -9)
leaves no process behind and an index that says "interrupted".
"""

from __future__ import annotations

import errno
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest
import yaml

from ccgmodels.batch import executors, outdir
from ccgmodels.batch.reports import collect, plan, run_batch

#: slow: every test starts kernels or batch processes and breaks them
pytestmark = pytest.mark.slow

PARAMETERS = '''\
scenario: str = "footprint_2019_20"
overrides: dict = {}
org: str = "footprint"
runs: int = 0
seed: int = 20190401
output_dir: str = ""
interactive: bool = False
'''
LOAD = ("import os, random, sys, time, warnings\nfrom ccgmodels.inputs.loading import "
        "load_scenario\ns = load_scenario(scenario, overrides)")
#: fails when anything a report changed below is still changed in the next one
CLEAN = '''\
import matplotlib, numpy, pandas
assert os.environ.get("CCG_LEAK") is None, "environment leaked"
assert "/leak" not in sys.path, "sys.path leaked"
assert matplotlib.rcParams["lines.linewidth"] != 9.5, "rcParams leaked"
assert pandas.get_option("display.max_rows") != 7, "pandas options leaked"
assert numpy.geterr()["divide"] != "raise", "numpy error state leaked"
assert not any(f[0] == "error" and f[2] is UserWarning for f in warnings.filters), "filters"
assert numpy.random.get_state()[1][0] != 12345, "numpy random state leaked"
assert random.getstate() != random.Random(12345).getstate(), "random state leaked"
'''
DIRTY = '''\
os.environ["CCG_LEAK"] = "1"; sys.path.append("/leak")
matplotlib.rcParams["lines.linewidth"] = 9.5; pandas.set_option("display.max_rows", 7)
numpy.seterr(divide="raise"); warnings.simplefilter("error", UserWarning)
numpy.random.seed(12345); random.seed(12345)
'''
SWITCHES = '''\
if "KILLONCE:" in s.description:  # the kernel dies the first time only
    flag = s.description.split("KILLONCE:")[1].strip()
    if not os.path.exists(flag):
        open(flag, "w").close()
        os._exit(1)
if "SLOW" in s.description:
    time.sleep(8)
'''
WRITE = ("from ccgmodels.outputs import tables, workbook\nfrom ccgmodels.models.run import "
         "run_scenario\nresults = run_scenario(s)\nbook = tables.report_tables(results, s, org)"
         "\nwritten = workbook.write_report_files(output_dir, results, book, None)")


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(c) for c in (LOAD, CLEAN, DIRTY, SWITCHES, WRITE)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = tmp_path_factory.mktemp("template") / "faults.ipynb"
    nbformat.write(nb, path)
    return path


def variant(folder: Path, name: str, description: str = "") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"extends": "cpr_2019_20", "name": name,
                                    "description": description}))
    return path


def quiet(line: str) -> None:
    pass


def test_the_kernel_is_reset_to_a_known_state_between_reports(tmp_path, template):
    paths = [variant(tmp_path, f"clean_{i}") for i in range(3)]
    summary = run_batch(list(map(str, paths)), tmp_path / "out", workers=1, template=template,
                        log=quiet)
    errors = [r.get("error") for r in summary.records]
    assert summary.counts["ok"] == 3, errors


def test_a_dead_kernel_gets_one_retry(tmp_path, template):
    flag = tmp_path / "killed-once"
    path = variant(tmp_path, "dies_once", f"KILLONCE:{flag}")
    summary = run_batch([str(path)], tmp_path / "out", workers=1, template=template, log=quiet)
    assert flag.exists()  # the first kernel died
    assert summary.counts["ok"] == 1, summary.records


def test_a_full_disk_fails_one_report_and_the_next_gets_its_real_error(tmp_path, template,
                                                                       monkeypatch):
    """In-process: the HTML export hits ENOSPC once; that report fails with that error, the
    next one is made in a fresh kernel and staging folder."""
    out = tmp_path / "out"
    paths = [variant(tmp_path, "full_disk"), variant(tmp_path, "after_it")]
    p = plan(list(map(str, paths)), out, template=template)
    real = executors.html_report
    calls = []

    def full(nb):
        calls.append(1)
        if len(calls) == 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(nb)

    monkeypatch.setattr(executors, "html_report", full)
    with outdir.locked(out):
        first = executors.execute(p.tasks[0])
        second = executors.execute(p.tasks[1])
    executors._discard_kernel()
    assert first["status"] == "failed"
    assert "No space left on device" in first["error"]["evalue"]
    assert (out / "_failed" / "full_disk" / "failure.json").is_file()
    assert second["status"] == "ok", second["error"]
    assert (out / "after_it" / "report.html").is_file()


def _tree(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ccgmodels.cli", "report", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _wait_for(check, timeout: float = 90) -> None:
    end = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.2)


@pytest.mark.parametrize("how", [signal.SIGHUP, signal.SIGKILL], ids=["hup", "kill-9"])
def test_a_batch_killed_any_way_leaves_no_orphan_and_says_interrupted(tmp_path, template,
                                                                      how):
    out = tmp_path / "out"
    paths = [variant(tmp_path, "fast_one"), variant(tmp_path, "slow_a", "SLOW"),
             variant(tmp_path, "slow_b", "SLOW")]
    proc = _start([*map(str, paths), "--out", str(out), "--workers", "2",
                   "--template", str(template)])
    _wait_for(lambda: any((out / ".staging").glob("slow_*")))
    _wait_for(lambda: len(_tree(proc.pid)) >= 4)  # guardian, two workers, their kernels
    family = _tree(proc.pid)
    os.kill(proc.pid, how)
    proc.communicate(timeout=60)
    gone, alive = psutil.wait_procs(family, timeout=45)
    assert not alive, [p.cmdline() for p in alive]
    index = (out / "index.html").read_text()
    for name in ("slow_a", "slow_b"):
        row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{name}(?:(?!</tr>).)*</tr>", index, re.S)
        assert row and "interrupted" in row.group(0) and "pending" not in row.group(0), name
    assert {r["name"]: r["status"] for r in collect(out)}.get("fast_one") in (None, "ok")
    assert not (out / ".staging").exists()
    assert not [p for p in out.iterdir() if p.name.startswith("slow_")]


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill-9"])
def test_a_batch_stopped_after_a_pdf_leaves_no_browser(tmp_path, template, how):
    """The worker's kept browser (started for the first report's PDF, kept for the next) ends
    with the batch, interrupted (Ctrl-C) or killed outright."""
    from ccgmodels.outputs import pdf

    if pdf.chromium() is None or pdf.chromedriver() is None:
        pytest.skip("no Chromium with its driver here")
    out = tmp_path / "out"
    paths = [variant(tmp_path, "a_printed"), variant(tmp_path, "b_slow", "SLOW")]
    proc = _start([*map(str, paths), "--out", str(out), "--workers", "1",
                   "--template", str(template)])
    _wait_for(lambda: (out / "a_printed" / "report.pdf").exists()
              and any((out / ".staging").glob("b_slow*")))
    family = _tree(proc.pid)
    assert any("chromedriver" in " ".join(p.cmdline()) for p in family), "no kept browser"
    os.kill(proc.pid, how)
    proc.communicate(timeout=60)
    gone, alive = psutil.wait_procs(family, timeout=45)
    assert not alive, [p.cmdline() for p in alive]
