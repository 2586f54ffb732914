"""report.pdf: the report's HTML printed by headless Chromium (no network), A4 pages, by one
browser kept for the process's prints."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ccgmodels.outputs import pdf


def test_no_chromium_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("CCGMODELS_CHROMIUM", str(tmp_path / "no-such-browser"))
    assert pdf.chromium() is None
    with pytest.raises(pdf.PdfError, match="no Chromium found"):
        pdf.print_pdf(tmp_path / "x.html", tmp_path / "x.pdf")


@pytest.fixture
def page(tmp_path):
    html = tmp_path / "page.html"
    html.write_text("<!DOCTYPE html><html><head><style>@page { size: A4; "
                    "@bottom-right { content: 'Page ' counter(page) ' of ' counter(pages); } }"
                    "h1 { break-after: page; }</style></head><body><h1>One</h1><p>Two</p>"
                    "</body></html>", encoding="utf-8")
    return html


@pytest.mark.slow  # starts Chromium
def test_prints_a4_pages(page, tmp_path):
    if pdf.chromium() is None:
        pytest.skip("no Chromium here")
    out = pdf.print_pdf(page, tmp_path / "page.pdf")
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)", data)
    assert len(boxes) == 2  # the heading breaks the page
    for w, h in boxes:  # A4: 595.28 x 841.89 pt
        assert abs(float(w) - 595.28) < 1.5 and abs(float(h) - 841.89) < 1.5


@pytest.mark.slow  # starts Chromium
def test_a_print_over_time_stops_and_says_so(page, tmp_path):
    if pdf.chromium() is None:
        pytest.skip("no Chromium here")
    with pytest.raises(pdf.PdfError, match="did not print page.html within"):
        pdf.print_pdf(page, tmp_path / "slow.pdf", timeout=0.01)


# --- the kept browser: one start for many prints, nothing left behind ------------------------


def _needs_driver():
    if pdf.chromium() is None or pdf.chromedriver() is None or not pdf._has_selenium():
        pytest.skip("no Chromium with its driver (chromium-driver) and selenium here")


@pytest.fixture
def counted(tmp_path, monkeypatch):
    """Chromium through a wrapper (``CCGMODELS_CHROMIUM``) that writes a line to a log at
    every start: the log's lines are the browser starts."""
    _needs_driver()
    log = tmp_path / "starts.log"
    wrapper = tmp_path / "chromium-counted"
    wrapper.write_text(f'#!/bin/sh\necho start >> "{log}"\nexec "{pdf.chromium()}" "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("CCGMODELS_CHROMIUM", str(wrapper))
    yield log
    pdf.close()


def starts(log) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


def group_members(pgid: int) -> list[int]:
    """Ids of the live processes (not zombies) of process group ``pgid``, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # ended while read
            continue
        fields = text.rsplit(")", 1)[1].split()  # after the command name: state, ppid, pgrp
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def gone(pgid: int, within: float = 10) -> bool:
    """Whether group ``pgid`` has no live process within ``within`` seconds (SIGKILLed
    processes end a moment after the signal, the more so on a busy machine)."""
    end = time.monotonic() + within
    while group_members(pgid):
        if time.monotonic() > end:
            return False
        time.sleep(0.1)
    return True


def a4_pages(path) -> int:
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)", path.read_bytes())
    assert all(abs(float(w) - 595.28) < 1.5 and abs(float(h) - 841.89) < 1.5 for w, h in boxes)
    return len(boxes)


@pytest.mark.slow  # starts Chromium
def test_one_browser_prints_every_page_of_the_process(page, tmp_path, counted):
    outs = [pdf.print_pdf(page, tmp_path / f"page{i}.pdf") for i in range(3)]
    assert [a4_pages(o) for o in outs] == [2, 2, 2]
    assert starts(counted) == 1  # the old way: 3
    browser = pdf.kept()
    assert (browser.starts, browser.prints) == (1, 3)


@pytest.mark.slow  # starts Chromium
def test_closing_leaves_no_browser_process_and_no_profile(page, tmp_path, counted):
    pdf.print_pdf(page, tmp_path / "page.pdf")
    browser = pdf.kept()
    group, profile = browser._sentinel.pid, Path(browser._profile.name)
    members = group_members(group)
    assert len(members) >= 3  # the sentinel, the driver, the browser and its helpers
    pdf.close()
    assert gone(group), group_members(group)
    assert not profile.exists()
    assert pdf.kept() is None


@pytest.mark.slow  # starts Chromium
def test_a_browser_warmed_in_the_background_is_the_one_that_prints(page, tmp_path, counted):
    pdf.warm()  # a batch worker at its start: the browser starts while the kernel runs
    browser = pdf.kept()
    assert browser is not None and browser._starting is not None
    outs = [pdf.print_pdf(page, tmp_path / f"page{i}.pdf") for i in range(2)]
    assert [a4_pages(o) for o in outs] == [2, 2]
    assert starts(counted) == 1 and (browser.starts, browser.prints) == (1, 2)
    group, profile = browser._sentinel.pid, Path(browser._profile.name)
    pdf.close()
    assert gone(group) and not profile.exists()


@pytest.mark.slow  # starts Chromium
def test_closing_while_the_browser_starts_leaves_nothing(tmp_path, counted, monkeypatch):
    started = []
    start = pdf.Browser._start

    def recorded(self):
        try:
            start(self)
        finally:  # what the start made, whether the close let it finish or not
            started.append((self._sentinel.pid if self._sentinel else None,
                            Path(self._profile.name) if self._profile else None))

    monkeypatch.setattr(pdf.Browser, "_start", recorded)
    pdf.warm()
    browser = pdf.kept()
    pdf.close()  # the process ends before its first print (a batch of fewer reports)
    assert browser._starting is None and not browser.running and browser._profile is None
    assert len(started) == 1
    group, profile = started[0]
    assert group is None or gone(group), group_members(group)
    assert profile is None or not profile.exists()


@pytest.mark.slow  # starts Chromium
def test_a_hung_page_times_out_and_the_next_print_gets_a_new_browser(page, tmp_path, counted):
    hung = tmp_path / "hung.html"
    hung.write_text("<!DOCTYPE html><html><body><p>never loads</p><script>for (;;) {}"
                    "</script></body></html>", encoding="utf-8")
    pdf.print_pdf(page, tmp_path / "before.pdf")
    group = pdf.kept()._sentinel.pid
    with pytest.raises(pdf.PdfError, match="did not print hung.html within 5 s"):
        pdf.print_pdf(hung, tmp_path / "hung.pdf", timeout=5)
    assert not (tmp_path / "hung.pdf").exists()
    assert gone(group)  # the hung browser is gone, with all it started
    assert a4_pages(pdf.print_pdf(page, tmp_path / "after.pdf")) == 2
    assert starts(counted) == 2


@pytest.mark.slow  # starts Chromium
def test_a_browser_killed_between_prints_is_replaced(page, tmp_path, counted):
    pdf.print_pdf(page, tmp_path / "one.pdf")
    browser = pdf.kept()
    os.killpg(browser._sentinel.pid, signal.SIGKILL)  # a crash, the OOM killer
    assert a4_pages(pdf.print_pdf(page, tmp_path / "two.pdf")) == 2  # not a failed report
    assert starts(counted) == 2


@pytest.mark.slow  # starts Chromium
def test_the_browser_dies_with_its_process_however_it_ends(page, tmp_path):
    """A process that prints, then is killed outright (kill -9: no exit handler runs),
    leaves no browser process and no profile: the sentinel kills the group when its pipe
    closes."""
    _needs_driver()
    code = (f"import os, sys\nfrom ccgmodels.outputs import pdf\n"
            f"pdf.print_pdf({str(page)!r}, {str(tmp_path / 'k.pdf')!r})\n"
            "print(pdf.kept()._sentinel.pid, pdf.kept()._profile.name, flush=True)\n"
            "os.kill(os.getpid(), 9)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    group, profile = proc.stdout.split()
    assert gone(int(group))
    end = time.monotonic() + 10  # removed by the sentinel's heir a second after
    while Path(profile).exists() and time.monotonic() < end:
        time.sleep(0.1)
    assert not Path(profile).exists()


@pytest.mark.slow  # starts Chromium
def test_without_a_driver_each_pdf_starts_its_own_browser(page, tmp_path, counted,
                                                          monkeypatch):
    monkeypatch.setenv("CCGMODELS_CHROMEDRIVER", str(tmp_path / "no-such-driver"))
    assert pdf.chromedriver() is None
    outs = [pdf.print_pdf(page, tmp_path / f"page{i}.pdf") for i in range(2)]
    assert [a4_pages(o) for o in outs] == [2, 2]
    assert starts(counted) == 2
    assert pdf.kept() is None


@pytest.mark.slow  # starts Chromium
@pytest.mark.parametrize("how", ["kept", "once"])
def test_the_pdf_has_bookmarks_from_the_headings(tmp_path, how):
    """The document outline (the PDF's bookmarks) from the page's headings: the kept browser
    asks Page.printToPDF for it (generateDocumentOutline), a browser started for one print
    gets --generate-pdf-document-outline."""
    import pdfcheck

    if how == "kept":
        _needs_driver()
    elif pdf.chromium() is None:
        pytest.skip("no Chromium here")
    html = tmp_path / "outline.html"
    html.write_text("<!DOCTYPE html><html><body><h1>Report</h1><p>one</p>"
                    "<h2>Executive summary</h2><p>two</p><h2 style='break-before: page'>"
                    "Appendix A: Assumptions register</h2><p>three</p></body></html>",
                    encoding="utf-8")
    printer = pdf.print_pdf if how == "kept" else pdf.print_once
    out = printer(html, tmp_path / "outline.pdf")
    assert pdfcheck.outline_titles(out) == ["Report", "Executive summary",
                                            "Appendix A: Assumptions register"]
