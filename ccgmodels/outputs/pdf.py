"""``report.pdf``: the report's HTML printed by headless Chromium, the same engine the browser
tests use, with no network.

The page set-up is the HTML's own print stylesheet (``ccgmodels_report`` template): A4, page
numbers and the report title in the page margins (CSS ``@page`` margin boxes), headings kept
with their content; no header or footer of the browser's; bookmarks from the headings
(Chromium's document outline). Chromium is Debian's ``chromium``
(``make browser`` installs it); another binary can be named with ``CCGMODELS_CHROMIUM``. Without
one, reports are made without a PDF and the batch says so.

One browser per process (:func:`print_pdf`): started at the first PDF (a batch worker starts
it in the background when the worker starts, :func:`warm`) and kept for the next ones,
driven through its WebDriver (selenium and Debian's ``chromedriver``, package
``chromium-driver``; another can be named with ``CCGMODELS_CHROMEDRIVER``), printing with the
DevTools command ``Page.printToPDF``, as ``--print-to-pdf`` does. A batch worker pays the
browser's start once, not once per report. The browser and its driver run in a process group
of their own, led by a sentinel that kills the group when this process ends, however it ends
(kill -9 included). A print that fails or goes over time kills that group, and the next print
starts a new browser; the browser is also replaced after :data:`RECYCLE_AFTER` prints, and
stopped when the process ends (:func:`close`, at exit: the worker's end, or SIGTERM when the
batch is interrupted). Without selenium or the driver, each PDF is printed by a browser
started for it alone (:func:`print_once`, ``chromium --print-to-pdf``).
"""

from __future__ import annotations

import atexit
import base64
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

#: binaries tried in order when CCGMODELS_CHROMIUM is not set
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: the WebDriver of Chromium, tried in order when CCGMODELS_CHROMEDRIVER is not set (Debian's
#: chromium-driver puts it on the PATH and in /usr/lib/chromium)
DRIVERS = ("chromedriver", "/usr/lib/chromium/chromedriver")
#: headless, no sandbox (root in containers), nothing fetched or synced in the background
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-extensions", "--run-all-compositor-stages-before-draw",
         "--disable-features=Translate")
#: ``Page.printToPDF`` as ``--print-to-pdf --no-pdf-header-footer
#: --generate-pdf-document-outline`` prints: the page's CSS ``@page`` size (A4) and margins,
#: no header or footer of the browser's, and the document outline (the PDF's bookmarks, one
#: per heading: page one, each section, each appendix)
PRINT = {"preferCSSPageSize": True, "displayHeaderFooter": False, "printBackground": False,
         "generateDocumentOutline": True}
#: the command-line flags of :data:`PRINT` (:func:`print_once`)
PRINT_FLAGS = ("--no-pdf-header-footer", "--generate-pdf-document-outline")
#: seconds one print may take (a browser start included)
TIMEOUT = 120
#: the leader of a kept browser's process group, given the profile folder: waits for its
#: input (a pipe from this process) to close, then kills the group (the driver joins it; the
#: browser inherits it), leaving behind, in a session of its own, the profile's removal two
#: seconds later (when the browser has ended)
SENTINEL = ("/bin/sh", "-c",
            """read _; setsid -f /bin/sh -c 'sleep 2; rm -rf -- "$0"' "$0"; sleep 0.3; """
            "kill -9 0")
#: prints one kept browser makes before it is replaced by a fresh one [count]
RECYCLE_AFTER = 50
#: seconds :meth:`Browser.close` waits for a start under way (a process that ends, told to
#: stop, is not held up by a browser it no longer needs)
STOP_WAIT = 5


class PdfError(RuntimeError):
    """The PDF could not be printed (no Chromium, or it failed)."""


def _binary(variable: str, names: tuple[str, ...]) -> str | None:
    """The file the environment ``variable`` names (None if it is not a file), else the first
    of ``names`` on the PATH, or None."""
    named = os.environ.get(variable)
    if named:
        return named if Path(named).is_file() else None
    return next(filter(None, map(shutil.which, names)), None)


def chromium() -> str | None:
    """Path of the Chromium binary to print with, or None."""
    return _binary("CCGMODELS_CHROMIUM", CANDIDATES)


def chromedriver() -> str | None:
    """Path of Chromium's WebDriver (``chromedriver``), or None."""
    return _binary("CCGMODELS_CHROMEDRIVER", DRIVERS)


def _chromium_or_raise() -> str:
    """The Chromium binary (:func:`chromium`), or :class:`PdfError` saying how to get one."""
    binary = chromium()
    if binary is None:
        raise PdfError("no Chromium found (install Debian's chromium, `make browser`, or set "
                       "CCGMODELS_CHROMIUM)")
    return binary


def print_pdf(html: Path, pdf: Path, timeout: float = TIMEOUT) -> Path:
    """Print ``html`` (a local file) to ``pdf`` with this process's kept browser
    (:class:`Browser`, started at the first print), or, without selenium or a driver, with a
    browser started for this print alone (:func:`print_once`).

    Raises
    ------
    PdfError
        If no Chromium is found, it fails or times out, or writes no PDF.
    """
    binary = _chromium_or_raise()
    browser = _kept(binary)
    if browser is None:
        return print_once(html, pdf, timeout)
    return browser.print(html, pdf, timeout)


def _kept(binary: str) -> Browser | None:
    """This thread's kept browser of ``binary`` (made, not started, if there is none), or None
    without selenium or a driver."""
    driver = chromedriver()
    if driver is None or not _has_selenium():
        return None
    me = _me()
    browser = _BROWSERS.get(me)
    if browser is not None and (browser.binary, browser.driver) != (binary, driver):
        browser.close()
        browser = None
    if browser is None:
        browser = _BROWSERS[me] = Browser(binary, driver)
    return browser


def warm() -> None:
    """Start this thread's kept browser now, in the background, so that its first print does
    not wait for its start (a batch worker: while its kernel runs the first report). Nothing
    without Chromium, selenium or a driver; a start that fails is tried again by the print."""
    binary = chromium()
    browser = _kept(binary) if binary is not None else None
    if browser is not None:
        browser.start_soon()


def kept() -> Browser | None:
    """This thread's kept browser (:func:`print_pdf`), or None before its first print."""
    return _BROWSERS.get(_me())


def _me() -> tuple[int, int]:
    """This process and thread: a browser prints one page at a time, so each thread that
    prints (a dask worker's) keeps its own, as it keeps its own kernel; a child forked from
    here starts its own."""
    return os.getpid(), threading.get_ident()


def _has_selenium() -> bool:
    try:
        import selenium.webdriver  # noqa: F401
    except ImportError:
        return False
    return True


class Browser:
    """One headless Chromium kept for many prints, driven through ``chromedriver``.

    The driver and the browser run in a process group of their own, led by a sentinel
    (:data:`SENTINEL`) that kills the group when this process ends, however it ends; stopping
    them (:meth:`close`, a print over time) kills the group: every process the browser
    started. Its profile is a temporary folder, removed when it stops.

    Parameters
    ----------
    binary : str
        Chromium's path.
    driver : str
        ``chromedriver``'s path (the same version as Chromium).
    """

    def __init__(self, binary: str, driver: str):
        self.binary, self.driver = binary, driver
        #: browsers started by this object [count]
        self.starts = 0
        #: prints made by the running browser [count]
        self.prints = 0
        self._web = self._service = None
        self._sentinel: subprocess.Popen | None = None
        self._profile: tempfile.TemporaryDirectory | None = None
        self._starting: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._web is not None

    def _start(self) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self._profile = tempfile.TemporaryDirectory(prefix="ccgmodels-pdf-")
        home = self._profile.name
        self.starts += 1
        self.prints = 0
        group: dict = {}
        if os.name == "posix":
            # the sentinel: leader of a process group of its own that the driver joins and
            # the browser inherits; it kills that group when its input closes, that is when
            # this process ends, however it ends (kill -9 included)
            self._sentinel = subprocess.Popen((*SENTINEL, home), stdin=subprocess.PIPE,
                                              stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL, process_group=0)
            group = {"process_group": self._sentinel.pid}
        options = webdriver.ChromeOptions()
        options.binary_location = self.binary
        for flag in (*FLAGS, f"--user-data-dir={home}"):
            options.add_argument(flag)
        options.page_load_strategy = "normal"  # the print waits for the page's load event
        service = Service(self.driver, log_output=subprocess.DEVNULL,
                          env={**os.environ, "HOME": home}, popen_kw=group)
        try:
            self._web = webdriver.Chrome(options=options, service=service)
        except Exception as exc:  # noqa: BLE001 - any failure to start is the print's
            raise PdfError(f"Chromium could not start through {self.driver}: "
                           f"{_first_line(exc)}") from exc
        finally:
            self._service = service

    def start_soon(self) -> None:
        """Start the browser in a thread of its own (:meth:`print` and :meth:`close` wait for
        it); nothing if it is running or starting. A start that fails leaves none running:
        the next print starts one and says why if it cannot."""
        if self.running or self._starting is not None:
            return
        # what the start imports, imported here: a thread importing while this process is
        # told to stop (SIGTERM in a batch worker) could wait for ever on the import lock
        import selenium.webdriver.chrome.options
        import selenium.webdriver.chrome.service
        import selenium.webdriver.chrome.webdriver  # noqa: F401

        def start() -> None:
            try:
                self._start()
            except Exception:  # noqa: BLE001 - the print tries again and raises
                self._stop()

        self._starting = threading.Thread(target=start, name="ccgmodels-browser-start",
                                          daemon=True)
        self._starting.start()

    def _started(self, timeout: float) -> None:
        """Wait (up to ``timeout`` seconds) for a start begun by :meth:`start_soon`; a start
        still under way then is killed and given up (its thread a daemon; the sentinel ends
        whatever it started with this process)."""
        starting, self._starting = self._starting, None
        if starting is not None:
            starting.join(max(timeout, 0.0))
            if starting.is_alive():
                self._kill()
                starting.join(STOP_WAIT)

    def print(self, html: Path, pdf: Path, timeout: float = TIMEOUT) -> Path:
        """Print ``html`` (a local file) to ``pdf``, starting the browser first if none is
        running (or it has made :data:`RECYCLE_AFTER` prints). A browser that fails between
        prints (killed, crashed) is replaced and the print tried once more.

        Raises
        ------
        PdfError
            If the browser cannot start, the print fails or takes over ``timeout`` seconds
            (the browser is then stopped; the next print starts a new one).
        """
        html, pdf = Path(html).resolve(), Path(pdf).resolve()
        deadline = time.monotonic() + timeout
        self._started(timeout)
        if self.running and self.prints >= RECYCLE_AFTER:
            self.close()
        for attempt in (1, 2):
            fresh = not self.running
            over = threading.Event()
            watch = threading.Timer(max(deadline - time.monotonic(), 0.0), self._over_time,
                                    (over,))
            watch.daemon = True
            watch.start()
            try:
                if fresh:
                    self._start()
                data = self._print(html)
            except BaseException as exc:  # stopped, failed or interrupted: no browser stays
                self.close()
                if over.is_set():
                    raise PdfError(f"Chromium did not print {html.name} within "
                                   f"{timeout:g} s") from None
                if not isinstance(exc, Exception):
                    raise
                if attempt == 1 and not fresh:
                    continue  # a browser that died since its last print: one more, fresh
                if isinstance(exc, PdfError):
                    raise
                raise PdfError(f"Chromium failed to print {html.name}: "
                               f"{_first_line(exc)}") from exc
            finally:
                watch.cancel()
            if over.is_set():  # the watchdog fired as the print ended
                self.close()
                raise PdfError(f"Chromium did not print {html.name} within {timeout:g} s")
            if not data.startswith(b"%PDF"):
                raise PdfError(f"Chromium printed no PDF for {html.name}")
            tmp = pdf.with_name(pdf.name + ".part")
            tmp.write_bytes(data)
            os.replace(tmp, pdf)
            self.prints += 1
            return pdf
        raise AssertionError("unreachable")

    def _print(self, html: Path) -> bytes:
        web = self._web
        web.get(html.as_uri())
        return base64.b64decode(web.execute_cdp_cmd("Page.printToPDF", dict(PRINT))["data"])

    def _over_time(self, over: threading.Event) -> None:
        """The watchdog of a print: the browser is killed, so the print waiting on it ends."""
        over.set()
        self._kill()

    def _kill(self) -> None:
        """SIGKILL the sentinel's process group: the driver, the browser and every process it
        started (the sentinel is reaped only by :meth:`close`, after this, so its id, the
        group's, cannot have been reused)."""
        sentinel = self._sentinel
        if sentinel is not None:
            try:
                os.killpg(sentinel.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        elif self._web is not None:  # no process groups (Windows): the driver quits it
            try:
                self._web.quit()
            except Exception:  # noqa: BLE001 - a dead driver has nothing to quit
                pass

    def close(self) -> None:
        """Stop the browser, its driver and every process they started, and remove the
        profile. Nothing happens when none is running.

        Killed, not quit through the driver: nothing of the browser's state is kept (its
        profile is removed), and a hung browser does not answer.
        """
        starting = self._starting
        if starting is not None and starting.is_alive():  # a start under way is given up
            self._kill()
        self._started(STOP_WAIT)
        self._stop()

    def _stop(self) -> None:
        """:meth:`close` once no start is under way."""
        self._kill()
        self._web = None
        for proc in (self._sentinel, getattr(self._service, "process", None)):
            if proc is None:
                continue
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:  # not seen: SIGKILLed processes end
                proc.kill()
            for stream in (proc.stdin, proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
        self._sentinel = self._service = None
        if self._profile is not None:
            self._profile.cleanup()
            self._profile = None


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "msg", None) or exc).strip()
    return (text.splitlines() or [type(exc).__name__])[0][:300]


#: the kept browsers, by process and thread (:func:`_me`)
_BROWSERS: dict[tuple[int, int], Browser] = {}


@atexit.register
def close() -> None:
    """Stop every kept browser of this process (at exit)."""
    for key in [k for k in _BROWSERS if k[0] == os.getpid()]:
        _BROWSERS.pop(key).close()


def print_once(html: Path, pdf: Path, timeout: float = TIMEOUT) -> Path:
    """Print ``html`` (a local file) to ``pdf`` with a headless Chromium started for this print
    alone (``chromium --print-to-pdf``): the way without a driver.

    Raises
    ------
    PdfError
        If no Chromium is found, it fails or times out, or writes no PDF.
    """
    binary = _chromium_or_raise()
    html, pdf = Path(html).resolve(), Path(pdf).resolve()
    with tempfile.TemporaryDirectory(prefix="ccgmodels-pdf-") as profile:
        cmd = [binary, *FLAGS, *PRINT_FLAGS, f"--user-data-dir={profile}",
               f"--print-to-pdf={pdf}",
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
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # Windows: no process groups of this kind
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()
