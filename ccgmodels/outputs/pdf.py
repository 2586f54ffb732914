"""``report.pdf``: the report's HTML printed by headless Chromium, the same engine the browser
tests use, with no network.

The page set-up is the HTML's own print stylesheet (``ccgmodels_report`` template): A4, page
numbers and the report title in the page margins (CSS ``@page`` margin boxes), headings kept
with their content. Chromium is Debian's ``chromium`` (``make browser`` installs it); another
binary can be named with ``CCGMODELS_CHROMIUM``. Without one, reports are made without a PDF
and the batch says so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

#: binaries tried in order when CCGMODELS_CHROMIUM is not set
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: headless, no sandbox (root in containers), nothing fetched or synced in the background
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-extensions", "--no-pdf-header-footer",
         "--run-all-compositor-stages-before-draw", "--disable-features=Translate")
#: seconds one print may take
TIMEOUT = 120


class PdfError(RuntimeError):
    """The PDF could not be printed (no Chromium, or it failed)."""


def chromium() -> str | None:
    """Path of the Chromium binary to print with, or None."""
    named = os.environ.get("CCGMODELS_CHROMIUM")
    if named:
        return named if Path(named).is_file() else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html: Path, pdf: Path, timeout: int = TIMEOUT) -> Path:
    """Print ``html`` (a local file) to ``pdf`` with headless Chromium.

    Raises
    ------
    PdfError
        If no Chromium is found, it fails or times out, or writes no PDF.
    """
    binary = chromium()
    if binary is None:
        raise PdfError("no Chromium found (install Debian's chromium, `make browser`, or set "
                       "CCGMODELS_CHROMIUM)")
    html, pdf = Path(html).resolve(), Path(pdf).resolve()
    with tempfile.TemporaryDirectory(prefix="ccgmodels-pdf-") as profile:
        cmd = [binary, *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}",
               html.as_uri()]
        log = Path(profile) / "chromium.log"
        # no pipes (a helper process holding one would block the wait) and a session of its
        # own, so that a print over time is stopped with every process Chromium started
        with open(log, "w+", encoding="utf-8", errors="replace") as err:
            try:
                proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=err,
                                        start_new_session=True,
                                        env={**os.environ, "HOME": profile})
            except OSError as exc:
                raise PdfError(f"Chromium ({binary}) could not start: {exc}") from exc
            try:
                code = proc.wait(timeout=timeout)
            except BaseException:  # over time, or interrupted: nothing of it may stay behind
                _stop_group(proc)
                code = None
                if not isinstance(sys.exc_info()[1], subprocess.TimeoutExpired):
                    raise
            err.seek(0)
            tail = err.read().strip().splitlines()[-3:]
    if code is None:
        raise PdfError(f"Chromium did not print {html.name} within {timeout} s")
    if code != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        raise PdfError(f"Chromium exited {code} without a PDF: {' / '.join(tail)}")
    return pdf


def _stop_group(proc: subprocess.Popen) -> None:
    """Kill Chromium's process group (its own session, started above; the browser is not yet
    reaped, so its id cannot have been reused) and reap the browser."""
    import signal

    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # Windows: no process groups of this kind
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()
