"""``ccgmodels app`` served and driven in headless Chromium, as an analyst without Python uses it.

Starts ``python -m ccgmodels app footprint_2019_20`` on a free localhost port (its own process
group, ended at the end), reads the URL it prints, and opens it in Debian's chromium through
chromedriver (the set-up of ``test_browser.py``). Passes when the page shows the explorer with no
code, no SEVERE browser log entry and nothing fetched from outside localhost; typing a new
allocation growth into the box beside its slider changes the headline number on the page and
lists the change; Save as scenario writes a file that ``ccgmodels run`` reproduces (the page's
headline figure equals the run's results.csv); switching to one commissioner and back shows
the change kept; and Remove takes one change away, the footprint control then saying the
commissioners differ. A screenshot after the change is saved under the
pytest temporary folder (``app_screenshots/app_after_change.png``).

Without Chromium, its driver or Voila the module is skipped, unless
``CCGMODELS_REQUIRE_BROWSER=1`` (``make test``) turns the skip into a failure.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from batch.test_browser import browser_problem, chromium_session, screenshot, severe

pytestmark = pytest.mark.browser

#: seconds for the server to print its URL, and for the page to run the notebook
START, RENDER = 60, 120
WINDOW = (1400, 1100)
GROWTH = "Allocation growth: change to the settlement"
#: the headline figure checked: the footprint's end-year do-something surplus/(deficit)
HEADLINE = "Do something surplus/(deficit)"


def problem() -> str | None:
    if importlib.util.find_spec("voila") is None:
        return "voila is not installed: pip install -e '.[app]'"
    return browser_problem()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: the process of the served app, whose children are its kernels
SERVED: dict[str, int] = {}


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Iterator[tuple[str, Path, float]]:
    """``(url, save folder, seconds to start)`` of a served app."""
    why = problem()
    if why:
        if os.environ.get("CCGMODELS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"CCGMODELS_REQUIRE_BROWSER=1 but {why}")
        pytest.skip(why)
    folder = tmp_path_factory.mktemp("app_saved")
    work = tmp_path_factory.mktemp("app_cwd")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ccgmodels", "app", "footprint_2019_20", "--port",
         str(free_port()), "--folder", str(folder)], cwd=work, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        assert sel.select(timeout=START), f"ccgmodels app printed nothing in {START} s"
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+/\?token=[0-9a-f]{48}", line)
        assert match, f"no localhost URL in {line!r}"
        SERVED["pid"] = proc.pid
        yield match.group(0), folder
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the group this fixture started: app and voila
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def driver(app, tmp_path_factory):
    session = chromium_session(tmp_path_factory.mktemp("app_profile"), WINDOW)
    try:
        yield session
    finally:
        session.quit()


def growth_readout(d):
    """The box beside the allocation growth slider, where a rate is typed [per cent]."""
    from selenium.webdriver.common.by import By

    return d.find_element(By.XPATH, (
        f"//div[contains(@class,'widget-hbox')][.//span[starts-with(text(),'{GROWTH}')]]"
        "//input[@type='text']"))


def headline(driver) -> float:
    """The page's footprint end-year do-something surplus/(deficit) [£k]."""
    from selenium.webdriver.common.by import By

    el = driver.find_element(By.CSS_SELECTOR, f".ccg-headline[data-row='{HEADLINE}']")
    return float(el.get_attribute("data-value"))


def wait(driver, condition, timeout: float, what: str):
    """Wait for ``condition``; an element the page redraws while it is read (a busy machine
    makes that likely) is read again at the next poll, not taken as a failure."""
    from selenium.common.exceptions import (
        NoSuchElementException,
        StaleElementReferenceException,
    )
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.2, ignored_exceptions=(
        StaleElementReferenceException, NoSuchElementException)).until(
        lambda d: condition(d), message=what)


def test_served_explorer_changes_saves_and_reproduces(app, driver, tmp_path_factory):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    url, folder = app
    driver.get_log("browser")
    driver.get(url)
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".ccg-headline"), RENDER,
         "the explorer never appeared")
    time.sleep(1)  # let the widgets settle: any late console error shows up below
    errors = severe(driver)
    assert errors == [], f"browser errors: {errors}"
    remote = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => /^(https?|wss?):/.test(n) && !/^(https?|wss?):\\/\\/127\\.0\\.0\\.1[:/]/"
        ".test(n));")
    assert remote == [], f"fetched from outside localhost: {remote}"
    page = driver.find_element(By.TAG_NAME, "body").text
    assert "from ccgmodels" not in page and "app()" not in page  # no code shown
    assert "None yet: move a control." in page  # loading changed nothing
    before = headline(driver)

    # the footprint's allocation growth, typed into the box beside its slider as per cent
    readout = growth_readout(driver)
    # the settlement as published (footprint_2019_20.yaml)
    assert readout.get_attribute("value") == "0.0%"
    readout.click()
    readout.send_keys(Keys.CONTROL, "a")
    readout.send_keys("1.0", Keys.ENTER)
    def changed(d):  # the new figure, once it differs (read once a poll: the page redraws)
        value = headline(d)
        return [value] if abs(value - before) > 1 else None

    (after,) = wait(driver, changed, 30, "the headline did not change")
    assert after > before + 1000  # more allocation growth: a better end-year position
    # the changes list is drawn after the headline: wait for its two rows, read in one poll
    def listed(d):
        rows = [r.text.split("\n") for r in d.find_elements(By.CSS_SELECTOR, ".ccg-change")]
        return rows if len(rows) == 2 else None

    rows = wait(driver, listed, 30, "the changes list did not show both commissioners")
    assert [r[2:4] for r in rows] == [["0.0%", "1.0%"], ["0.0%", "1.0%"]], rows
    wait(driver, lambda d: growth_readout(d).get_attribute("value") == "1.0%", 30,
         "the box does not show the new value")
    shots = tmp_path_factory.mktemp("app_screenshots", numbered=False)
    height = driver.execute_script(
        "return document.querySelector('.ccg-explorer').getBoundingClientRect().bottom")
    driver.set_window_size(WINDOW[0], max(WINDOW[1], int(height) + 200))
    screenshot(driver, shots / "app_after_change.png")
    driver.set_window_size(*WINDOW)

    # save as scenario, then ccgmodels run reproduces the page's figure
    name = driver.execute_script(
        "return Array.from(document.querySelectorAll('input'))"
        ".find(i => i.placeholder === 'name of the new scenario');")
    # the name replaced in one commit (select all, type, Tab): clear() commits "" first, and
    # the kernel's echo of it can land while the new name is typed on a busy machine
    name.click()
    name.send_keys(Keys.CONTROL, "a")
    name.send_keys("app what if", Keys.TAB)
    wait(driver, lambda d: name.get_attribute("value") == "app what if", 30,
         "the name box does not hold the name typed")
    driver.find_element(By.XPATH, "//button[.//text()[contains(.,'Save as scenario')]]").click()
    saved = folder / "app_what_if.yaml"
    wait(driver, lambda d: saved.is_file() and d.find_elements(By.CSS_SELECTOR, ".ccg-saved"),
         30, f"{saved} was not written")
    assert "extends: footprint_2019_20" in saved.read_text()

    # switch to one commissioner and back: each shows its values, nothing is lost
    from selenium.webdriver.support.ui import Select

    organisation = driver.find_element(
        By.XPATH, "//div[contains(@class,'widget-dropdown')][.//label[.='Organisation']]"
        "//select")
    Select(organisation).select_by_visible_text("NHS Castle Point and Rochford CCG")
    wait(driver, lambda d: "Castle Point" in d.find_element(
        By.CSS_SELECTOR, ".ccg-table").text, 30, "the table did not switch to cpr_ccg")
    assert growth_readout(driver).get_attribute("value") == "1.0%"
    Select(organisation).select_by_visible_text("Footprint: every commissioner")
    wait(driver, lambda d: "Footprint" in d.find_element(By.CSS_SELECTOR, ".ccg-table").text,
         30, "the table did not switch back to the footprint")
    assert growth_readout(driver).get_attribute("value") == "1.0%"
    # remove one change: the panel shrinks and the footprint control says they now differ
    driver.find_elements(By.CSS_SELECTOR, ".ccg-change button")[0].click()
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".ccg-change")) == 1, 30,
         "Remove did not remove the change")
    growth_row = (f"//div[contains(@class,'widget-hbox')][.//span[starts-with(text(),"
                  f"'{GROWTH}')]][not(.//div[contains(@class,'widget-hbox')])]")
    wait(driver, lambda d: "Differs" in d.find_element(By.XPATH, growth_row).text, 30,
         "the footprint control does not say the commissioners differ")
    assert "1.0%" in driver.find_element(By.XPATH, growth_row).text
    out = tmp_path_factory.mktemp("app_run")
    done = subprocess.run([sys.executable, "-m", "ccgmodels", "run", str(saved), "--out",
                           str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    (results,) = out.glob("*/results.csv")
    with results.open() as f:
        rows = [r for r in csv.DictReader(f) if r["org"] == "footprint"
                and r["measure"] == "do_something_surplus"]
    end = max(rows, key=lambda r: r["year"])
    assert float(end["value"]) == pytest.approx(after, abs=0.01)
    assert severe(driver) == []


def _kernels() -> int:
    """Kernels the served app is running (its ``ipykernel`` descendants)."""
    import psutil

    count = 0
    for p in psutil.Process(SERVED["pid"]).children(recursive=True):
        try:
            count += "ipykernel" in " ".join(p.cmdline())
        except psutil.NoSuchProcess:
            continue
    return count


def test_a_page_that_goes_away_stops_its_kernel_at_once(app, driver):
    """The page's own script stops its kernel when it is left (Voila's beacon on
    ``beforeunload``, through the token's cookie): well before the server would stop a kernel
    whose page has gone quiet (ccgmodels.app.launch.GONE_TIMEOUT, 60 s)."""
    from selenium.webdriver.common.by import By

    pytest.importorskip("psutil")
    url = app[0]
    for _ in range(3):
        driver.get(url)
        wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".ccg-headline"), RENDER,
             "the explorer never appeared")
        assert _kernels() >= 1
    driver.get("about:blank")
    end = time.monotonic() + 30
    while _kernels() > 0 and time.monotonic() < end:
        time.sleep(0.5)
    assert _kernels() <= 1
