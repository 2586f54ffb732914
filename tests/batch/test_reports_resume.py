"""The batch runner (``ccgmodels report``) over time: reruns and what they remake, PDFs and the
kept browser, a failure after a success, a notes sheet kept (split from test_reports.py so that
the halves run side by side; dead kernels, timeouts, interruption and a big scenario:
test_reports_interrupt.py).

The tests run the small stand-in template of ``tests/reportkit.py`` (``quick_template``).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import psutil
import pytest
from reportkit import log_names, quiet, variant, write_quick_template

from ccgmodels.batch import batchlog, reports
from ccgmodels.batch.reports import run_batch

#: slow: every test starts kernels or batch processes
pytestmark = pytest.mark.slow

@pytest.fixture(scope="module")
def quick_template(tmp_path_factory) -> Path:
    return write_quick_template(tmp_path_factory.mktemp("template"))


def test_rerun_skips_unchanged_and_remakes_changed_or_forced(tmp_path, quick_template):
    out = tmp_path / "out"
    a, b = variant(tmp_path, "keep_me"), variant(tmp_path, "change_me")
    first = run_batch([str(a), str(b)], out, workers=2, template=quick_template, log=quiet)
    assert first.counts["ok"] == 2
    ids = {n: json.loads((out / n / "manifest.json").read_text())["papermill_run_id"]
           for n in ("keep_me", "change_me")}
    variant(tmp_path, "change_me", description="edited")
    second = run_batch([str(a), str(b)], out, workers=2, template=quick_template, log=quiet)
    assert (second.counts["unchanged"], second.counts["ok"]) == (1, 1)
    after = {n: json.loads((out / n / "manifest.json").read_text())["papermill_run_id"]
             for n in ids}
    assert after["keep_me"] == ids["keep_me"] and after["change_me"] != ids["change_me"]
    assert {r["name"]: r["status"] for r in second.records} == {"keep_me": "unchanged",
                                                               "change_me": "ok"}
    third = run_batch([str(a)], out, runs=50, workers=1, template=quick_template, log=quiet)
    assert third.counts["ok"] == 1  # another number of runs is another report
    forced = run_batch([str(a)], out, runs=50, workers=1, force=True,
                       template=quick_template, log=quiet)
    assert forced.counts["ok"] == 1 and forced.exit_code == 0


def test_no_pdf_makes_html_and_excel_only_and_a_later_pdf_remakes(tmp_path, quick_template):
    from ccgmodels.outputs.pdf import chromium

    out, said = tmp_path / "out", []
    a = variant(tmp_path, "no_pdf")
    first = run_batch([str(a)], out, workers=1, template=quick_template, log=said.append,
                      pdf=False)
    assert first.counts["ok"] == 1, first.records
    assert {"report.html", "report.xlsx"} <= {p.name for p in (out / "no_pdf").iterdir()}
    assert not (out / "no_pdf" / "report.pdf").exists()
    assert any("(HTML and Excel (no PDF: --no-pdf))" in line for line in said), said
    again = run_batch([str(a)], out, workers=1, template=quick_template, log=quiet, pdf=False)
    assert again.counts["unchanged"] == 1
    if chromium() is None:
        pytest.skip("no Chromium here: a PDF cannot be asked for")
    with_pdf = run_batch([str(a)], out, workers=1, template=quick_template, log=quiet)
    assert with_pdf.counts["ok"] == 1  # a report without its PDF is not current
    assert (out / "no_pdf" / "report.pdf").read_bytes().startswith(b"%PDF")


def test_a_worker_prints_every_pdf_with_one_browser_and_none_outlives_the_batch(
        tmp_path, quick_template, monkeypatch):
    """Three reports on one worker: Chromium starts once (the old way: once a report), a
    failed report in between does not end it, and no process of it is left after the batch."""
    from ccgmodels.outputs import pdf

    if pdf.chromium() is None or pdf.chromedriver() is None:
        pytest.skip("no Chromium with its driver here")
    ours = pdf.kept()  # what this test process keeps already (an earlier test's in-process print)
    log = tmp_path / "starts.log"  # a line per browser start: its process id and group
    wrapper = tmp_path / "chromium-counted"
    wrapper.write_text('#!/bin/sh\nread -r _ _ _ _ group _ < /proc/$$/stat\n'
                       f'echo "$$ $group" >> "{log}"\nexec "{pdf.chromium()}" "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("CCGMODELS_CHROMIUM", str(wrapper))  # the workers inherit it
    paths = [variant(tmp_path, "pdf_a"), variant(tmp_path, "pdf_fails", "FAIL"),
             variant(tmp_path, "pdf_b"), variant(tmp_path, "pdf_c")]
    summary = run_batch(list(map(str, paths)), tmp_path / "out", workers=1,
                        template=quick_template, log=quiet)
    assert summary.counts["ok"] == 3 and summary.counts["failed"] == 1, summary.records
    for name in ("pdf_a", "pdf_b", "pdf_c"):
        assert (tmp_path / "out" / name / "report.pdf").read_bytes().startswith(b"%PDF")
    started = [line.split() for line in log.read_text().splitlines()]
    assert len(started) == 1, started
    pid, group = map(int, started[0])

    def left() -> list:
        found = []
        for proc in psutil.process_iter():
            try:
                if os.getpgid(proc.pid) == group and proc.status() != psutil.STATUS_ZOMBIE:
                    found.append(proc.cmdline())
            except (ProcessLookupError, psutil.Error):
                pass
        return found

    end = time.monotonic() + 10  # SIGKILLed processes end a moment after the signal
    while left() and time.monotonic() < end:
        time.sleep(0.1)
    assert left() == []
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert pdf.kept() is ours  # the batch's own process printed nothing: its workers did


def test_without_chromium_the_reports_have_no_pdf_and_the_batch_says_so(
        tmp_path, quick_template, monkeypatch):
    monkeypatch.setenv("CCGMODELS_CHROMIUM", str(tmp_path / "no-such-browser"))
    out, said = tmp_path / "out", []
    summary = run_batch([str(variant(tmp_path, "no_browser"))], out, workers=1,
                        template=quick_template, log=said.append)
    assert summary.counts["ok"] == 1, summary.records
    assert (out / "no_browser" / "report.html").is_file()
    assert not (out / "no_browser" / "report.pdf").exists()
    assert any("(HTML and Excel (no PDF: no Chromium))" in line for line in said), said


def test_a_later_failure_keeps_the_earlier_report(tmp_path, quick_template):
    out = tmp_path / "out"
    path = variant(tmp_path, "flaky")
    run_batch([str(path)], out, workers=1, template=quick_template, log=quiet)
    good = (out / "flaky" / "manifest.json").read_bytes()
    variant(tmp_path, "flaky", description="now FAIL")
    failed = run_batch([str(path)], out, workers=1, template=quick_template, log=quiet)
    assert failed.exit_code == reports.EXIT_FAILED
    assert (out / "flaky" / "manifest.json").read_bytes() == good
    row = failed.records[0]
    assert (row["status"], row["report"], row["partial"]) == ("failed", "flaky",
                                                               "_failed/flaky")
    variant(tmp_path, "flaky", description="fixed")
    fixed = run_batch([str(path)], out, workers=1, template=quick_template, log=quiet)
    assert fixed.exit_code == 0 and not (out / "_failed" / "flaky").exists()
    logs = batchlog.logs(out)  # one log per batch, even when two start in one second
    assert len(logs) == 3 and log_names(out) == sorted(p.name for p in logs)
    texts = [log.read_text(encoding="utf-8") for log in logs]
    assert " ERROR flaky: failed (In [" in texts[1] and "deliberate failure in flaky" in texts[1]
    assert [failed.line() in t for t in texts] == [False, True, False]
    assert " INFO flaky: ok in " in texts[2] and fixed.line() in texts[2]
    assert f'href="{logs[-1].name}">Batch log' in (out / "index.html").read_text()


def test_a_notes_sheet_added_to_a_made_report_is_kept_and_said(tmp_path, quick_template):
    """Issue 25: the next batch remakes the report but keeps the user's edited workbook beside
    it, and says so where the user looks (the terminal), not only in the log."""
    import openpyxl

    out = tmp_path / "out"
    a = variant(tmp_path, "noted")
    assert run_batch([str(a)], out, template=quick_template, log=quiet).counts["ok"] == 1
    book = openpyxl.load_workbook(out / "noted" / "report.xlsx")
    book.create_sheet("My notes")["A1"] = "ask the board about this"
    book.save(out / "noted" / "report.xlsx")
    said = []
    again = run_batch([str(a)], out, force=True, template=quick_template, log=said.append)
    assert again.counts["ok"] == 1
    (kept,) = (out / "noted").glob("report.yours-*.xlsx")
    assert "My notes" in openpyxl.load_workbook(kept).sheetnames
    assert "My notes" not in openpyxl.load_workbook(out / "noted" / "report.xlsx").sheetnames
    told = "\n".join(said)
    assert "noted: report.xlsx changed since the report was made" in told
    assert f"your edited copy is kept beside the remade report: {kept}" in told
