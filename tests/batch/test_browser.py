"""The batch report pages open in headless Chromium with no console errors and visible charts.

Makes three bundled scenarios' reports once (``ccgmodels report``, ``shared_reports`` of
tests/conftest.py: tests/batch/test_print.py starts from them), then opens ``index.html``,
``compare.html`` and a scenario's ``report.html`` as ``file://`` URLs in Debian's ``chromium``
driven by Selenium through Debian's ``chromedriver`` (never Selenium Manager, so nothing is
downloaded). A page passes when the browser log has no SEVERE entry (console errors, failed
resource loads, uncaught exceptions), its title is right, every image has loaded and is drawn
larger than 100 x 100 px inside the viewport width, and its tables carry the expected headings.

Without Chromium or its driver the module is skipped, unless ``CCGMODELS_REQUIRE_BROWSER=1`` (set
by ``make test``, whose set-up installs them) turns the skip into a failure. Screenshots of each
page are saved under the pytest temporary folder (``browser0/screenshots``) for a human to look at.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from conftest import SHARED_SCENARIOS

from ccgmodels.inputs.loading import load_scenario
from ccgmodels.outputs import labels

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCENARIOS = SHARED_SCENARIOS  # cpr_2019_20 and the two footprints of 2019/20
REPORT = f"{SCENARIOS[0]}/report.html"
#: viewport [px]; the pages are laid out for a laptop screen
WINDOW = (1280, 1024)
#: smallest drawn chart [px], each side
MIN_CHART = 100
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage")

#: every <img> with its load state, drawn box [px] and visibility
IMAGES_JS = """
return Array.from(document.images).map(function (img) {
  var r = img.getBoundingClientRect(), s = getComputedStyle(img);
  return {alt: img.alt, complete: img.complete, naturalWidth: img.naturalWidth,
          width: r.width, height: r.height, left: r.left, right: r.right,
          visible: s.display !== 'none' && s.visibility !== 'hidden' && s.opacity !== '0'};
});
"""
#: the text of the <th> cells of every table, one list per table
HEADINGS_JS = """
return Array.from(document.querySelectorAll('table')).map(function (t) {
  return Array.from(t.querySelectorAll('th')).map(function (th) {
    return th.textContent.trim(); });
});
"""


def pdf_pages(data: bytes) -> list[tuple[float, float]]:
    """``(width, height)`` [pt] of every page of a PDF, read from its page objects' MediaBox
    (Chromium writes them uncompressed)."""
    boxes = []
    for m in re.finditer(rb"/Type\s*/Page(?!s)(.*?)endobj", data, re.S):
        box = re.search(rb"/MediaBox\s*\[\s*([\d.\-]+)\s+([\d.\-]+)\s+([\d.\-]+)\s+"
                        rb"([\d.\-]+)", m.group(1))
        assert box, "a page without a MediaBox"
        x0, y0, x1, y1 = map(float, box.groups())
        boxes.append((x1 - x0, y1 - y0))
    return boxes


def pdf_text(pdf: Path) -> str | None:
    """The PDF's text by poppler's ``pdftotext``, or None without it."""
    exe = shutil.which("pdftotext")
    if exe is None:
        return None
    return subprocess.run([exe, "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout


def browser_problem() -> str | None:
    """Why the browser tests cannot run here, or None if they can."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.is_file()]
    if missing:
        return (f"{' and '.join(missing)} not found: install Debian's chromium and "
                "chromium-driver packages (make test does so when run as root)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed: pip install -e '.[dev]'"
    return None


@pytest.fixture(scope="module")
def reports(shared_reports: Path) -> Path:
    """The output folder of one ``ccgmodels report`` run over :data:`SCENARIOS` (made once for
    the test run: tests/conftest.py)."""
    return shared_reports


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A headless Chromium session with a fresh profile and the browser log at level ALL."""
    problem = browser_problem()
    if problem:
        if os.environ.get("CCGMODELS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"CCGMODELS_REQUIRE_BROWSER=1 but {problem}")
        pytest.skip(problem)
    session = chromium_session(tmp_path_factory.mktemp("chromium_profile"))
    try:
        yield session
    finally:
        session.quit()


def chromium_session(profile: Path, window: tuple[int, int] = WINDOW):
    """Headless Chromium through chromedriver: a fresh profile in ``profile``, the browser log
    at level ALL."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={window[0]},{window[1]}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)),
                            options=options)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Folder for full-page screenshots."""
    return tmp_path_factory.mktemp("screenshots", numbered=False)


def severe(driver) -> list[dict]:
    """SEVERE browser log entries since the last call (reading the log empties it)."""
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def open_page(driver, path: Path) -> None:
    """Load ``path`` (waits for the load event) with the browser log emptied first."""
    driver.get_log("browser")
    driver.get(path.as_uri())
    assert driver.execute_script("return document.readyState") == "complete"


def screenshot(driver, path: Path) -> Path:
    """Save a PNG of the whole page, not just the viewport, to ``path``."""
    import base64

    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def check_loaded(driver, min_images: int) -> list[dict]:
    """Assert no SEVERE log entry, no http(s) request, and at least ``min_images`` images, each
    loaded and drawn larger than :data:`MIN_CHART` px inside the viewport width."""
    errors = severe(driver)
    assert errors == [], f"browser errors on {driver.current_url}: {errors}"
    remote = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => /^(https?|wss?):/.test(n));")
    assert remote == [], f"{driver.current_url} fetched from the network: {remote}"
    images = driver.execute_script(IMAGES_JS)
    viewport = driver.execute_script("return document.documentElement.clientWidth")
    assert len(images) >= min_images, f"{driver.current_url}: {len(images)} images"
    for img in images:
        assert img["complete"] and img["naturalWidth"] > 0, f"image did not load: {img}"
        assert img["visible"], f"image is hidden: {img}"
        assert img["width"] > MIN_CHART and img["height"] > MIN_CHART, f"image too small: {img}"
        assert img["left"] >= 0 and img["right"] <= viewport, (
            f"image outside the viewport width {viewport} px: {img}")
    return images


def local_target(href: str) -> Path:
    """The file a ``file://`` link points at."""
    parsed = urlparse(href)
    assert parsed.scheme == "file", f"link is not a local file: {href}"
    return Path(unquote(parsed.path))


def test_index_lists_every_scenario_with_working_links(driver, reports, shots):
    from selenium.webdriver.common.by import By

    open_page(driver, reports / "index.html")
    check_loaded(driver, min_images=0)
    screenshot(driver, shots / "index.png")
    assert driver.title == "Scenario reports"
    assert driver.find_element(By.TAG_NAME, "h1").text == driver.title
    tables = driver.execute_script(HEADINGS_JS)
    assert len(tables) == 1
    assert {"Scenario", "Status", "Years", "Outputs", "Finished"} <= set(tables[0])
    rows = driver.find_elements(By.CSS_SELECTOR, "tbody tr")
    by_name = {r.find_element(By.TAG_NAME, "strong").text: r for r in rows}
    assert sorted(by_name) == sorted(SCENARIOS)
    for name, row in by_name.items():
        assert row.find_element(By.CSS_SELECTOR, ".status").text == "ok", name
    links = [a.get_attribute("href") for a in driver.find_elements(By.TAG_NAME, "a")]
    broken = [h for h in links if not local_target(h).is_file()]
    assert broken == [], f"index links to missing files: {broken}"
    assert (reports / "compare.html").as_uri() in links

    # follow the report link of the first scenario as a reader would
    by_name[SCENARIOS[0]].find_element(By.LINK_TEXT, "report.html").click()
    assert driver.current_url == (reports / REPORT).as_uri()
    assert driver.execute_script("return document.readyState") == "complete"
    check_loaded(driver, min_images=3)
    assert SCENARIOS[0] in driver.title


def test_compare_page_compares_like_with_like(driver, reports, shots):
    from selenium.webdriver.common.by import By

    open_page(driver, reports / "compare.html")
    images = check_loaded(driver, min_images=2)
    screenshot(driver, shots / "compare.png")
    # the variance bridge's waterfall and the by-year lines, each saying what it shows
    assert len(images) == 2, "compare.html has a waterfall and a line chart"
    assert [i["alt"].split(",")[0] for i in images] == ["Waterfall chart", "Line chart"]
    assert driver.title == "Scenario comparison"
    tables = driver.execute_script(HEADINGS_JS)
    assert tables[0][:2] == ["Scenario", "Years"]
    key_rows = driver.find_elements(By.CSS_SELECTOR, "table:first-of-type tbody tr td:first-child")
    # each scenario by its title, its name small under it
    names = sorted(td.text.splitlines()[-1] for td in key_rows)
    assert names == sorted(SCENARIOS[1:]), names  # the two footprints; cpr is one CCG
    text = driver.find_element(By.TAG_NAME, "body").text
    base = load_scenario("footprint_2019_20").title
    assert f"Baseline: {base}, the scenario the others extend" in text
    h3 = [h.text for h in driver.find_elements(By.TAG_NAME, "h3")]
    assert any(h.startswith("Differences from the baseline") for h in h3), h3
    assert any(h.startswith("Variance bridge") for h in h3), h3
    assert "Not compared" in [h.text for h in driver.find_elements(By.TAG_NAME, "h2")]
    back = driver.find_element(By.LINK_TEXT, "All scenarios").get_attribute("href")
    assert local_target(back) == reports / "index.html"
    book = driver.find_element(By.LINK_TEXT, "compare.xlsx").get_attribute("href")
    assert local_target(book).is_file()


def test_report_shows_charts_and_tables(driver, reports, shots):
    from selenium.webdriver.common.by import By

    manifest = json.loads((reports / SCENARIOS[0] / "manifest.json").read_text(encoding="utf-8"))
    open_page(driver, reports / REPORT)
    images = check_loaded(driver, min_images=3)
    screenshot(driver, shots / "report.png")
    # every chart the notebook saved as a file is also shown in the page
    pngs = sorted((reports / SCENARIOS[0]).glob("*.png"))
    assert len(images) >= len(pngs) >= 3, (len(images), [p.name for p in pngs])
    assert manifest["title"] in driver.title and SCENARIOS[0] in driver.title, driver.title
    # a board report: the scenario's own title on the cover, its sections in order
    assert driver.find_element(By.TAG_NAME, "h1").text == manifest["title"]
    assert len(driver.execute_script(HEADINGS_JS)) >= 3, "report has fewer than 3 tables"
    h2 = [h.text for h in driver.find_elements(By.TAG_NAME, "h2")]
    want = ["Executive summary", "Key figures", "STP summary",
            "Appendix B: Assumptions register", "Appendix C: Methods and definitions"]
    assert [h for h in h2 if h in want] == want, h2


def test_report_images_say_what_they_show(driver, reports):
    open_page(driver, reports / REPORT)
    images = check_loaded(driver, min_images=3)
    for img in images:
        alt = img["alt"]
        # a chart's kind, its title naming the organisation, and its key numbers
        assert alt and "No description" not in alt, img
        assert re.search(r"chart|Histogram", alt) and re.search(r"\d{1,3}(,\d{3})*", alt), alt
        assert "NHS Castle Point and Rochford CCG" in alt or "Footprint" in alt, alt


def test_report_shows_no_identifiers(driver, reports):
    from selenium.webdriver.common.by import By

    for name in SCENARIOS:
        open_page(driver, reports / name / "report.html")
        text = driver.find_element(By.TAG_NAME, "body").text
        assert labels.identifiers_in(text) == [], name
        assert "{'" not in text and "['" not in text, name  # no Python repr on the page


def test_report_pdf_is_a4_with_numbered_pages(reports, shots):
    pdf = reports / SCENARIOS[0] / "report.pdf"
    pages = pdf_pages(pdf.read_bytes())
    assert len(pages) >= 5, len(pages)
    for width, height in pages:  # A4 is 595.28 x 841.89 pt; Chromium rounds to 1/100 in
        assert abs(width - 595.28) < 1.5 and abs(height - 841.89) < 1.5, (width, height)
    text = pdf_text(pdf)
    if text is not None:  # poppler's pdftotext, when installed
        assert f"Page 1 of {len(pages)}" in text and f"Page {len(pages)} of" in text
        assert "Executive summary" in text and "Assumptions register" in text
        (shots / "report_pdf.txt").write_text(text, encoding="utf-8")


def test_report_has_no_code(driver, reports):
    from selenium.webdriver.common.by import By

    source = (reports / SCENARIOS[0] / "report.ipynb").read_text(encoding="utf-8")
    assert "import ccgmodels" in source or "from ccgmodels" in source, (
        "the executed notebook holds code, so its absence from the HTML means something")
    html = (reports / REPORT).read_text(encoding="utf-8")
    assert "import ccgmodels" not in html and "from ccgmodels import" not in html
    open_page(driver, reports / REPORT)
    # nbconvert's lab template draws markdown cells inside .jp-InputArea too, so look for the
    # input of code cells, editors and prompts rather than for .jp-InputArea anywhere
    code_cells = driver.find_elements(By.CSS_SELECTOR, ".jp-CodeCell")
    assert code_cells, "no code cell in the report: the notebook export changed shape"
    assert all("jp-mod-noInput" in c.get_attribute("class").split() for c in code_cells)
    inputs = ".jp-CodeCell .jp-InputArea, .jp-InputPrompt, .jp-CodeMirrorEditor, .highlight"
    assert driver.find_elements(By.CSS_SELECTOR, inputs) == []
    text = driver.find_element(By.TAG_NAME, "body").text
    assert "import ccgmodels" not in text and "from ccgmodels import" not in text
