"""The batch runner (``ccgmodels report``) when things go wrong: dead kernels and timeouts, the
progress line, invalid scenarios from the command line, interruption, a killed worker, a big
scenario (split from test_reports_resume.py so that the halves run side by side).

The tests run the small stand-in template of ``tests/reportkit.py`` (``quick_template``), the
big scenario the real one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from reportkit import LOG_LINE, quiet, variant, write_quick_template

from ccgmodels.batch import batchlog, outdir, reports
from ccgmodels.batch.reports import collect, run_batch
from ccgmodels.inputs.loading import load_scenario

#: slow: every test starts kernels or batch processes
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def quick_template(tmp_path_factory) -> Path:
    return write_quick_template(tmp_path_factory.mktemp("template"))


def test_a_dead_kernel_fails_its_report_and_the_next_gets_a_new_kernel(tmp_path,
                                                                        quick_template):
    out = tmp_path / "out"
    paths = [variant(tmp_path, "dies", description="KILLKERNEL"), variant(tmp_path, "after")]
    summary = run_batch(list(map(str, paths)), out, workers=1, template=quick_template,
                        log=quiet)
    rows = {r["name"]: r for r in summary.records}
    assert rows["dies"]["status"] == "failed" and rows["after"]["status"] == "ok"
    assert rows["dies"]["error"]["ename"] == "DeadKernelError"


def test_a_cell_over_the_timeout_fails_its_report(tmp_path, quick_template):
    paths = [variant(tmp_path, "hangs", description="SLOW"), variant(tmp_path, "fine")]
    summary = run_batch(list(map(str, paths)), tmp_path / "out", workers=1, timeout=2,
                        template=quick_template, log=quiet)
    rows = {r["name"]: r for r in summary.records}
    assert rows["hangs"]["error"]["ename"] == "CellTimeoutError"
    assert rows["fine"]["status"] == "ok"


def test_progress_bar_and_summary_line(tmp_path, quick_template, capsys):
    out = tmp_path / "out"
    paths = [variant(tmp_path, "shown"), variant(tmp_path, "broken", description="FAIL")]
    said = []
    summary = run_batch(list(map(str, paths)), out, workers=1, template=quick_template,
                        progress=True, log=said.append)
    err = capsys.readouterr().err
    assert said[0].startswith("Making 2 reports (HTML") and f"into {out}, 1 at a time" in said[0]
    # the tally in the summary line's words, and a first line saying what will be made
    assert "1 made, 0 unchanged, 1 failed, 0 invalid, 0 to go" in err and "2/2" in err
    told = "\n".join(said)  # the outcomes too, as the command line shows them
    assert "broken: failed (In [" in told and "deliberate failure in broken" in told
    assert "shown: ok\n" in told + "\n"  # a bar shows the tally: not repeated
    assert summary.line().startswith("2 scenarios in ")
    assert "1 made, 0 unchanged, 1 failed, 0 invalid; index: " in summary.line()


def test_cli_exits_2_on_invalid_scenarios_without_starting_kernels(tmp_path):
    typo = variant(tmp_path, "typo", allocaton=1)
    r = subprocess.run([sys.executable, "-m", "ccgmodels", "report", str(typo), "--out",
                        str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert r.returncode == reports.EXIT_INPUT
    assert f"{typo}: allocaton" in r.stderr
    assert "1 scenario in " in r.stdout and "1 invalid" in r.stdout
    assert (tmp_path / "out" / "index.html").is_file()
    # the terminal shows plain lines; the log has them with time and level, and the summary
    assert not [line for line in r.stderr.splitlines() if LOG_LINE.match(line)]
    [log] = batchlog.logs(tmp_path / "out")
    text = log.read_text(encoding="utf-8")
    assert re.search(rf" WARNING {re.escape(str(typo))}: allocaton", text)
    assert text.rstrip().endswith(r.stdout.strip())


def test_one_folder_one_batch_at_a_time(tmp_path):
    with outdir.locked(tmp_path):
        with pytest.raises(outdir.UnsafeOutput, match="another"):
            with outdir.locked(tmp_path):
                pass


# --- interruption ---------------------------------------------------------------------------


def _as_at_a_terminal() -> None:
    # a shell without job control starts background commands with SIGINT ignored, and a child
    # inherits that: give the command the Ctrl-C a user at a terminal has
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ccgmodels", "report", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=_as_at_a_terminal)


def _wait_for(check, timeout: float = 90) -> None:
    end = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.2)


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                         text=True).stdout
    return [int(x) for x in out.split()]


@pytest.mark.parametrize("how", ["kill"])  # Ctrl-C: tests/batch/test_faults.py
def test_interrupt_keeps_completed_reports_and_a_consistent_index(tmp_path, quick_template,
                                                                  how):
    out = tmp_path / "out"
    fast = variant(tmp_path, "fast_one")
    slow = [variant(tmp_path, f"slow_{i}", description=f"SLOW {tmp_path / 'release'}")
            for i in range(3)]
    proc = _start([str(fast), *map(str, slow), "--out", str(out), "--workers", "1",
                   "--template", str(quick_template)])
    _wait_for(lambda: (out / "fast_one" / "manifest.json").exists())
    _wait_for(lambda: any((out / ".staging").glob("slow_*")))  # a slow report under way
    if how == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
    else:
        os.kill(proc.pid, signal.SIGTERM)  # kill reaches the command only
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == reports.EXIT_INTERRUPTED, err
    manifest = json.loads((out / "fast_one" / "manifest.json").read_text())
    for name, digest in manifest["files_sha256"].items():
        assert hashlib.sha256((out / "fast_one" / name).read_bytes()).hexdigest() == digest
    assert not (out / ".staging").exists()
    assert not [p for p in out.iterdir() if p.name.startswith("slow_")]
    rows = {r["name"]: r["status"] for r in collect(out)}
    assert rows == {"fast_one": "ok"}  # the index lists exactly what is on disk
    assert "fast_one" in (out / "index.html").read_text()
    [log] = batchlog.logs(out)
    text = log.read_text(encoding="utf-8")
    assert " INFO fast_one: ok in " in text and " WARNING interrupted: not made: slow_" in text
    assert text.rstrip().endswith("interrupted; index: " + str(out / "index.html"))
    # a re-run finishes the job and leaves the completed report alone
    (tmp_path / "release").touch()  # the slow report need not wait now
    again = run_batch([str(fast), str(slow[0])], out, workers=1, template=quick_template,
                      log=quiet)
    assert (again.counts["unchanged"], again.counts["ok"]) == (1, 1)


def test_a_killed_worker_costs_one_retry_not_the_batch(tmp_path, quick_template):
    out = tmp_path / "out"
    names = ["slow_a", "slow_b", "quick_c"]
    paths = [variant(tmp_path, n, description=f"SLOW {tmp_path / 'release'}"
                     if n.startswith("slow") else "") for n in names]
    proc = _start([*map(str, paths), "--out", str(out), "--workers", "2",
                   "--template", str(quick_template)])
    _wait_for(lambda: len(list((out / ".staging").glob("slow_*"))) == 2)
    # pool workers own kernels (a staging folder is made before its kernel starts)
    _wait_for(lambda: [p for p in _children(proc.pid) if _children(p)])
    workers = [p for p in _children(proc.pid) if _children(p)]
    os.kill(workers[0], signal.SIGKILL)
    (tmp_path / "release").touch()  # the retried reports need not wait
    _, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err
    # the tally when stderr is not a terminal
    assert "[3 made, 0 unchanged, 0 failed, 0 invalid, 0 to go]" in err
    for name in names:
        assert (out / name / "manifest.json").is_file()
    assert {r["status"] for r in collect(out)} == {"ok"}


def test_a_scenario_of_4000_schemes_reports(tmp_path):
    """Issue #25: 4,000 schemes validated, but the resolved copy the notebook re-read
    (scenario.yaml, 1.1 MB) was over the 1 MiB limit and the report failed."""
    from ccgmodels.inputs.yamlread import dump

    data = yaml.safe_load((REPO / "ccgmodels" / "data" / "scenarios" / "cpr_2019_20.yaml")
                          .read_text(encoding="utf-8"))
    ccg = next(o for o in data["organisations"] if o["id"] == "cpr_ccg")
    ccg["qipp"]["schemes"] = [{"id": f"s{i:05d}", "name": f"Scheme {i}", "category": "acute",
                               "net_saving": 0.01, "status": "in_progress"} for i in range(4000)]
    data["sources"] = {k: v for k, v in data["sources"].items() if "schemes" not in k}
    data["name"] = "schemes_4000"
    source = tmp_path / "schemes_4000.yaml"
    source.write_text(dump(data), encoding="utf-8")
    summary = run_batch([str(source)], tmp_path / "out", workers=1, pdf=False, log=quiet)
    assert summary.exit_code == 0, summary.records
    resolved = tmp_path / "out" / "schemes_4000" / "scenario.yaml"
    assert resolved.stat().st_size > 1 << 20
    assert len(load_scenario(resolved).org("cpr_ccg").qipp.schemes) == 4000
