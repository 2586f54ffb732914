"""Print that holds (issue 29), checked the way a person sees it: every bundled scenario's
report.pdf read back from its text positions (tests/pdfcheck.py) has no word outside its page,
its table or its cell and no table word broken mid-token; it opens on the answer, has
bookmarks and a body under 12 pages before its appendices; and the Excel pack printed by
LibreOffice shows every sheet, one page wide, its headings whole, no "(0)" for a residual and
no line printed over another.

One ``ccgmodels report`` run over every bundled scenario (module fixture; it starts from the
reports tests/batch/test_browser.py opens, ``shared_reports`` of tests/conftest.py) makes the
PDFs and the packs, and one LibreOffice start prints the packs. Without Chromium the PDF tests skip
(``CCGMODELS_REQUIRE_BROWSER=1``, set by ``make test``, makes that a failure); without
LibreOffice the pack tests skip likewise (``CCGMODELS_REQUIRE_LIBREOFFICE=1``).
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import openpyxl.utils
import pandas as pd
import pdfcheck
import pytest

from ccgmodels.inputs.loading import bundled_names
from ccgmodels.outputs import pdf as printer
from ccgmodels.outputs.tables import money

pytestmark = pytest.mark.slow

SCENARIOS = sorted(bundled_names())
TEMPLATE = (Path(__file__).parents[2] / "ccgmodels" / "data" / "templates" / "ccgmodels_report"
            / "index.html.j2")
#: the body a board reads, page one included, before the appendices [pages]
BODY_PAGES = 12


def page_margins() -> tuple[float, float]:
    """The left and right page margins of the report's stylesheet [mm]."""
    m = re.search(r"@page\s*{[^}]*?margin:\s*([\d.]+)mm\s+([\d.]+)mm\s+([\d.]+)mm\s+([\d.]+)mm",
                  TEMPLATE.read_text(encoding="utf-8"))
    assert m, "no @page margin in the report stylesheet"
    top, right, bottom, left = map(float, m.groups())
    return left, right


#: a report's PDF read once for the tests that read it (pdfminer takes seconds a report)
read_report = functools.cache(pdfcheck.read)


def _require(variable: str, why: str) -> None:
    if os.environ.get(variable) == "1":
        pytest.fail(f"{variable}=1 but {why}")
    pytest.skip(why)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory, shared_reports: Path) -> Path:
    """One ``ccgmodels report`` run over every bundled scenario, with a Monte Carlo: the
    reports of ``shared_reports`` (tests/conftest.py: the same options) copied in first, which
    it finds current, so that it makes only the others."""
    from conftest import SHARED_REPORT_OPTIONS, SHARED_SCENARIOS

    if printer.chromium() is None:
        _require("CCGMODELS_REQUIRE_BROWSER", "no Chromium here (make browser installs it)")
    out = tmp_path_factory.mktemp("printed")
    for name in SHARED_SCENARIOS:
        shutil.copytree(shared_reports / name, out / name)
    cmd = [sys.executable, "-m", "ccgmodels", "report", *SCENARIOS, "--out", str(out),
           *SHARED_REPORT_OPTIONS]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=1500)
    assert done.returncode == 0, f"{' '.join(cmd)} exited {done.returncode}:\n{done.stderr}"
    made = f"{len(SCENARIOS) - len(SHARED_SCENARIOS)} made, {len(SHARED_SCENARIOS)} unchanged"
    assert made in done.stdout, done.stdout
    return out


@pytest.mark.parametrize("name", SCENARIOS)
def test_no_word_outside_its_page_table_or_cell_and_none_broken(reports, name):
    path = reports / name / "report.pdf"
    pages = read_report(path)
    found = sum(len(pdfcheck.tables(p)) for p in pages)
    assert found >= 5, f"{name}: the checker found only {found} tables in {len(pages)} pages"
    tokens = pdfcheck.html_tokens((reports / name / "report.html").read_text(encoding="utf-8"))
    bad = (pdfcheck.outside_page(pages, page_margins()) + pdfcheck.outside_cells(pages)
           + pdfcheck.broken_tokens(pages, tokens))
    assert bad == [], f"{name}: {len(bad)} problems:\n" + "\n".join(bad[:40])


def test_page_one_carries_the_answer_and_the_body_is_short(reports):
    name = "footprint_2019_20"
    path = reports / name / "report.pdf"
    pages = read_report(path)
    first = " ".join(w.text for w in pages[0].words)
    manifest = (reports / name / "manifest.json").read_text(encoding="utf-8")
    for words in ("THE GAP", "THE PLAN", "AFTER THE PLAN", "THE RISK", "Executive summary",
                  "South east Essex CCGs 2019/20 plans"):
        assert words in first, (words, first[:400])
    assert "South east Essex CCGs 2019/20 plans (footprint)" in manifest
    # the gap and the position after the plan: the end year's figures, as plans print them
    results = pd.read_csv(reports / name / "results.csv")
    end = results[(results["org"] == "footprint") & (results["year"] == "2023/24")]
    for measure in ("do_nothing_surplus", "do_something_surplus"):
        value = end.loc[end["measure"] == measure, "value"].sum()
        assert money(value) in first.split(), (measure, money(value), first[:300])
    appendix = next(p.number for p in pages
                    if any(w.text == "Appendix" for w in p.words[:40]))
    assert appendix - 1 <= BODY_PAGES, f"the body runs to page {appendix - 1}"


@pytest.mark.parametrize("name", ["footprint_2019_20", "cpr_2019_20"])
def test_the_pdf_has_bookmarks_for_page_one_each_section_and_each_appendix(reports, name):
    titles = pdfcheck.outline_titles(reports / name / "report.pdf")
    assert "Executive summary" in titles and "Key figures" in titles, titles
    appendices = [t for t in titles if t.startswith("Appendix ")]
    assert [t.split(":")[0] for t in appendices] == ["Appendix A", "Appendix B", "Appendix C",
                                                     "Appendix D"]
    assert appendices[-1] == "Appendix D: Sources", appendices
    assert appendices[1] == "Appendix B: Assumptions register", appendices
    body = titles[: titles.index(appendices[0])]
    assert "Assumptions register" not in " ".join(body)  # registers are not in the body


def test_the_checker_sees_a_broken_year_a_number_past_its_cell_and_a_badge_past_its_table(
        tmp_path):
    """The checks fail on what broke before (issue 29): a table of fixed narrow columns
    breaking "2017/18", pushing "3,500,000" into the next column and a badge past the table."""
    if printer.chromium() is None:
        _require("CCGMODELS_REQUIRE_BROWSER", "no Chromium here (make browser installs it)")
    page = tmp_path / "broken.html"
    page.write_text(
        "<!DOCTYPE html><html><head><style>@page { size: A4; margin: 16mm 12mm; } "
        "* { print-color-adjust: exact; -webkit-print-color-adjust: exact; } "
        "body { font: 10pt Arial, 'Liberation Sans', sans-serif; margin: 0; } "
        "table { border-collapse: collapse; table-layout: fixed; width: 44mm; } "
        "thead th { background: #005EB8; color: #fff; overflow-wrap: anywhere; } "
        "td, th { border-bottom: 1px solid #D8DDE0; padding: 2px 4px; } "
        "td.num { text-align: left; white-space: nowrap; } "
        ".flag { white-space: nowrap; }</style></head><body><table><colgroup>"
        "<col style='width: 20mm'><col style='width: 12mm'><col style='width: 12mm'>"
        "</colgroup><thead><tr>"
        "<th>Name</th><th>2017/18</th><th>All years</th></tr></thead><tbody>"
        "<tr><th>Allocation</th><td class='num'>3,500,000</td><td>1</td></tr>"
        "<tr><th>Growth</th><td>2</td><td><span class='flag'>ASSUMPTION</span></td></tr>"
        "</tbody></table></body></html>", encoding="utf-8")
    out = printer.print_pdf(page, tmp_path / "broken.pdf")
    pages = pdfcheck.read(out)
    cells = "\n".join(pdfcheck.outside_cells(pages))
    assert "'3,500,00" in cells and "edge of its column" in cells, cells  # over the next
    assert "'ASSUMPTION'" in cells and "out of its table" in cells, cells
    broken = pdfcheck.broken_tokens(pages, pdfcheck.html_tokens(page.read_text()))
    assert broken and all("2017/18" not in b for b in broken), broken


# --- the Excel pack through LibreOffice -------------------------------------------------------


def soffice() -> str:
    import shutil

    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        _require("CCGMODELS_REQUIRE_LIBREOFFICE",
                 "LibreOffice (soffice) not found: install Debian's libreoffice-calc (make "
                 "test does so when run as root)")
    return found


def printed(books: list[Path], tmp: Path) -> list[Path]:
    """``books`` printed to PDF by one headless LibreOffice (each its print set-up: scale,
    areas), in their order; their file names differ (each PDF is named by its book's)."""
    out = tmp / "out"
    cmd = [soffice(), f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless",
           "--norestore", "--convert-to", "pdf", "--outdir", str(out), *map(str, books)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    targets = [out / f"{book.stem}.pdf" for book in books]
    assert done.returncode == 0 and all(t.is_file() for t in targets), (
        f"{' '.join(cmd)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return targets


#: the packs printed by LibreOffice
PACKS = ["footprint_2019_20", "mid_south_essex_system_2019_20"]


@pytest.fixture(scope="module")
def packs(reports: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The Excel pack of each of :data:`PACKS` printed to PDF, by one LibreOffice start."""
    tmp = tmp_path_factory.mktemp("packs")
    books = [shutil.copyfile(reports / name / "report.xlsx", tmp / f"{name}.xlsx")
             for name in PACKS]
    return dict(zip(PACKS, printed(books, tmp), strict=True))


def overprinted(pages: list[pdfcheck.Page]) -> list[str]:
    """Words drawn over each other: a wrapped cell taller than its row prints over the next."""
    bad = []
    for p in pages:
        words = sorted(p.words, key=lambda w: w.box.y0)
        for i, a in enumerate(words):
            for b in words[i + 1:]:
                if b.box.y0 >= a.box.y1:
                    break
                dx = a.box.overlap_x(b.box)
                dy = min(a.box.y1, b.box.y1) - max(a.box.y0, b.box.y0)
                small = min(a.box.y1 - a.box.y0, b.box.y1 - b.box.y0)
                if dx > 1 and dy > 0.3 * small and abs(a.box.y0 - b.box.y0) > 0.5:
                    bad.append(f"{a} and {b.text!r} overprint")
    return bad


@pytest.mark.parametrize("name", PACKS)
def test_the_excel_pack_prints_every_sheet_readably(reports, packs, name):
    book = reports / name / "report.xlsx"
    pages = pdfcheck.read(packs[name])
    text = [" ".join(w.text for w in p.words) for p in pages]
    words = {w.text for p in pages for w in p.words}
    wb = openpyxl.load_workbook(book)
    for ws in wb:
        # the sheet's name is in its page header: it printed
        assert any(ws.title in t for t in text), f"{name}: sheet {ws.title} did not print"
        if ws.title == "Cover":
            continue
        # one page wide: the first and the last heading of the printed columns on one page
        last = ws.max_column
        area = ws.print_area
        if area:
            area = area if isinstance(area, str) else area[0]
            last = openpyxl.utils.column_index_from_string(
                re.search(r"\$?([A-Z]+)\$?\d+$", area).group(1))
        first_head = str(ws.cell(1, 1).value).split()[0]
        last_head = str(ws.cell(1, last).value).split()[-1]
        assert any(first_head in t and last_head in t for t in text), (
            f"{name}: sheet {ws.title} is not one page wide ({first_head} ... {last_head})")
        # every heading's words whole: "Pipeline (outside plan)", "Delivery probability"
        for j in range(1, last + 1):
            for word in str(ws.cell(1, j).value or "").split():
                assert pdfcheck.normal(word) in words, (
                    f"{name}: sheet {ws.title} heading {ws.cell(1, j).value!r} prints "
                    f"without {word!r}")
    statuses = {str(c.value) for c in wb["Schemes"]["D"][1:]} if "Schemes" in wb.sheetnames \
        else set()
    for status in statuses - {"None", "Total"}:
        assert all(w in words for w in status.split()), f"{name}: status {status!r} cut"
    assert "(0)" not in words, f"{name}: a residual prints as (0)"
    assert pdfcheck.outside_page(pages, (0, 0)) == []
    bad = overprinted(pages)
    assert bad == [], f"{name}: {len(bad)} overprints:\n" + "\n".join(bad[:20])
