"""The served app as a person meets it, in headless Chromium: what an accessibility checker
(axe-core) finds on the page, and how long what the user sees takes to redraw after a typed
change (the headline figures, the chart on screen), measured in the browser.

Used by ``tests/app/test_app_axe.py`` and ``benchmarks/bench_app.py``. It needs the ``app``
extra (Voila), selenium, Chromium and its driver (as the PDF printer does:
:func:`ccgmodels.outputs.pdf.chromium`, :func:`~ccgmodels.outputs.pdf.chromedriver`) and, for
axe, axe-core's ``axe.min.js``: the file ``CCGMODELS_AXE_JS`` names, else the copy
``selenium-axe-python`` ships (the ``a11y`` extra, ``pip install 'ccgmodels[a11y]'``), else
``node_modules/axe-core`` under the current folder (``npm install axe-core``).
:func:`problem` says what is missing. selenium is imported inside the functions that use it.

**Redraw time.** A listener on the page notes ``performance.now()`` when Enter is pressed in a
box (the input event that commits a typed value); an observer of the page notes when the
headline's element is rewritten and when the chart's new image is in the page, then waits for
the image to be decoded and the next frame to be painted: from the key to what the user sees,
the kernel's run and the messages both ways included.
"""

from __future__ import annotations

import importlib.util
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from ..outputs.pdf import FLAGS, chromedriver, chromium

#: the folder holding the ``ccgmodels`` package this module belongs to
PACKAGE_ROOT = Path(__file__).resolve().parents[2]
#: seconds for the server to print its URL, and for the page to show the explorer
START, RENDER = 60, 180
WINDOW = (1400, 1100)
#: axe-core rule tags run: WCAG 2.0, 2.1 and 2.2 A and AA, and axe's best practices
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice")

#: the page's timer: Enter in a box starts it; the headline's and the chart's redraws stop it
TIMER_JS = """
if (!window.__ccgTimer) {
  const t = window.__ccgTimer = {start: null, headline: null, chart: null};
  const painted = (key, at) => requestAnimationFrame(() => requestAnimationFrame(() => {
    if (t.start !== null && t[key] === null && at >= t.start) {
      t[key] = performance.now() - t.start; }
  }));
  document.addEventListener('keydown', e => {
    if (e.key === 'Enter') { t.start = performance.now(); t.headline = null; t.chart = null; }
  }, true);
  new MutationObserver(records => {
    if (t.start === null) return;
    const at = performance.now();
    for (const r of records) {
      const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      if (!el) continue;
      if (el.closest('.ccg-headlines')) painted('headline', at);
      if (el.closest('.ccg-chart-box')) {
        const img = el.closest('.ccg-chart-box').querySelector('img');
        if (img) img.decode().then(() => painted('chart', at), () => painted('chart', at));
      }
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true,
                             attributes: true, attributeFilter: ['src']});
}
"""


def axe_script() -> Path | None:
    """axe-core's ``axe.min.js``: ``CCGMODELS_AXE_JS``, selenium-axe-python's copy, or
    ``node_modules/axe-core`` here; None when there is none."""
    named = os.environ.get("CCGMODELS_AXE_JS")
    if named:
        return Path(named) if Path(named).is_file() else None
    spec = importlib.util.find_spec("selenium_axe_python")
    if spec is not None and spec.origin:
        bundled = Path(spec.origin).parent / "axe-core" / "axe.min.js"
        if bundled.is_file():
            return bundled
    local = Path("node_modules") / "axe-core" / "axe.min.js"
    return local if local.is_file() else None


def problem(axe: bool = False) -> str | None:
    """Why the app cannot be driven here (with axe when ``axe``), or None."""
    if importlib.util.find_spec("voila") is None:
        return "voila is not installed: pip install 'ccgmodels[app]'"
    if importlib.util.find_spec("selenium") is None:
        return "selenium is not installed: pip install 'ccgmodels[reports]'"
    if chromium() is None:
        return "no Chromium (Debian's chromium, or CCGMODELS_CHROMIUM)"
    if chromedriver() is None:
        return "no chromedriver (Debian's chromium-driver, or CCGMODELS_CHROMEDRIVER)"
    if axe and axe_script() is None:
        return ("no axe-core script: pip install 'ccgmodels[a11y]' (selenium-axe-python "
                "ships axe.min.js), npm install axe-core, or set CCGMODELS_AXE_JS")
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(scenario: str, folder: Path, cwd: Path) -> tuple[subprocess.Popen, str]:
    """Start ``ccgmodels app scenario`` in its own process group; ``(process, URL)`` once it
    prints the URL.

    Raises
    ------
    RuntimeError
        If it prints no URL within :data:`START` seconds.
    """
    # the app (and so its kernels) imports the package this module was imported from
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(PACKAGE_ROOT), *filter(None, [env.get(
        "PYTHONPATH")])])
    proc = subprocess.Popen(
        [sys.executable, "-m", "ccgmodels", "app", scenario, "--port", str(free_port()),
         "--folder", str(folder)], cwd=cwd, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    line = proc.stdout.readline() if sel.select(timeout=START) else ""
    match = re.search(r"http://127\.0\.0\.1:\d+/\?token=[0-9a-f]{48}", line)
    if not match:
        stop(proc)
        raise RuntimeError(f"ccgmodels app printed no URL within {START} s: {line!r}")
    return proc, match.group(0)


def stop(proc: subprocess.Popen) -> None:
    """End the served app's process group (the app, Voila and its kernels)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def browser(profile: Path, window: tuple[int, int] = WINDOW):
    """Headless Chromium through chromedriver, with a fresh profile in ``profile``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium()
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={window[0]},"
                 f"{window[1]}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=chromedriver()), options=options)


def wait_for(driver, condition, timeout: float, what: str):
    """``condition(driver)`` once truthy; an element redrawn while read is read again."""
    from selenium.common.exceptions import (
        NoSuchElementException,
        StaleElementReferenceException,
    )
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.1, ignored_exceptions=(
        StaleElementReferenceException, NoSuchElementException)).until(condition, message=what)


def open_app(driver, url: str, timeout: float = RENDER) -> float:
    """Load the app and wait for its headline and first chart; the seconds it took."""
    from selenium.webdriver.common.by import By

    started = time.monotonic()
    driver.get(url)
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".ccg-chart-box img"), timeout,
             "the explorer never showed its chart")
    return time.monotonic() - started


def run_axe(driver, tags: tuple[str, ...] = AXE_TAGS) -> list[dict]:
    """axe-core's violations on the page as it is: ``[{id, impact, help, nodes: ["target:
    why", ...]}]`` (empty when it finds none)."""
    script = axe_script()
    if script is None:
        raise RuntimeError(problem(axe=True))
    driver.execute_script(script.read_text(encoding="utf-8"))
    driver.set_script_timeout(120)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}))),"
        " e => done({error: String(e)}));",
        list(tags))
    if isinstance(result, dict):
        raise RuntimeError(f"axe failed: {result['error']}")
    return result


def entry_box(driver, label: str):
    """The box to type in on the row whose label starts with ``label``."""
    from selenium.webdriver.common.by import By

    return driver.find_element(By.XPATH, (
        f"//div[contains(@class,'widget-hbox')][.//span[starts-with(text(),'{label}')]]"
        "//input[@type='text']"))


def type_in(driver, label: str, value: str) -> None:
    """Replace what the box of ``label`` holds with ``value`` and press Enter."""
    from selenium.webdriver.common.keys import Keys

    box = entry_box(driver, label)
    box.click()
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(value)
    box.send_keys(Keys.ENTER)


def time_redraw(driver, label: str, value: str, timeout: float = 60.0) -> tuple[float, float]:
    """Type ``value`` in the box of ``label`` and press Enter; ``(headline, chart)``: the
    milliseconds from the key to the headline and to the chart on screen redrawn, painted."""
    driver.execute_script(TIMER_JS)
    type_in(driver, label, value)
    done = wait_for(driver, lambda d: d.execute_script(
        "const t = window.__ccgTimer; return t.headline !== null && t.chart !== null "
        "? [t.headline, t.chart] : null;"), timeout, f"no redraw after typing {value!r}")
    # settled: the kernel has written the value back, as shown ("1.0%"), so the next entry is
    # not overwritten by this one's echo
    wait_for(driver, lambda d: entry_box(d, label).get_attribute("value").endswith("%"),
             timeout, f"{value!r} was not shown back")
    return float(done[0]), float(done[1])
