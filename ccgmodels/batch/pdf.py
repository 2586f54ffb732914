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
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL, env={**os.environ, "HOME": profile})
        except subprocess.TimeoutExpired as exc:
            raise PdfError(f"Chromium did not print {html.name} within {timeout} s") from exc
        except OSError as exc:
            raise PdfError(f"Chromium ({binary}) could not start: {exc}") from exc
    if done.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        tail = (done.stderr or "").strip().splitlines()[-3:]
        raise PdfError(f"Chromium exited {done.returncode} without a PDF: {' / '.join(tail)}")
    return pdf
