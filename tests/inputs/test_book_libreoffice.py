"""The assumptions workbook is a real workbook: LibreOffice opens it, recalculates every formula
without an error, and converts it to PDF.

Debian's ``libreoffice-calc`` runs headless with a fresh profile: once to convert the exported
workbook to ``.xlsx`` (recalculated on load: openpyxl writes formulas without values, and the
workbook asks for a full calculation), read back with openpyxl for the values LibreOffice
computed; once to convert it to PDF. Without LibreOffice the module is skipped, unless
``CCGMODELS_REQUIRE_LIBREOFFICE=1`` (set by ``make test``, whose set-up installs it) turns the
skip into a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from ccgmodels.inputs.book.blank import new_book
from ccgmodels.inputs.book.writer import export_book
from ccgmodels.inputs.loading import load_scenario

pytestmark = pytest.mark.slow

SCENARIO = "mid_south_essex_system_2019_20"
ICB_EXAMPLE = str(Path(__file__).parents[1] / "scenarios" / "icb_example_2025_26.yaml")
ERRORS = ("#NAME?", "#REF!", "#VALUE!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!", "Err:")


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        why = ("LibreOffice (soffice) not found: install Debian's libreoffice-calc (make test "
               "does so when run as root)")
        if os.environ.get("CCGMODELS_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail(f"CCGMODELS_REQUIRE_LIBREOFFICE=1 but {why}")
        pytest.skip(why)
    return found


def convert(source: Path, to: str, tmp: Path) -> Path:
    """``source`` converted by headless LibreOffice to format ``to`` in ``tmp/out``."""
    out = tmp / "out"
    profile = (tmp / "profile").as_uri()
    cmd = [soffice(), f"-env:UserInstallation={profile}", "--headless", "--norestore",
           "--convert-to", to, "--outdir", str(out), str(source)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    target = out / f"{source.stem}.{to.split(':')[0]}"
    assert done.returncode == 0 and target.is_file(), (
        f"{' '.join(cmd)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return target


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("libreoffice")
    return {"export": export_book(load_scenario(SCENARIO), tmp / "plan.xlsx"),
            "new": new_book(tmp / "blank.xlsx"),  # an ICB-era blank (2025/26)
            "icb": export_book(load_scenario(ICB_EXAMPLE), tmp / "icb.xlsx"), "tmp": tmp}


def formulas(path: Path) -> list[tuple[str, str]]:
    wb = openpyxl.load_workbook(path)
    return [(ws.title, c.coordinate) for ws in wb for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and c.value.startswith("=")]


@pytest.mark.parametrize("which", ["export", "new", "icb"])
def test_libreoffice_recalculates_every_formula_without_an_error(books, which):
    source = books[which]
    cells = formulas(source)
    assert len(cells) > 100  # sources, flags, net savings, age mix totals, places' totals
    recalculated = convert(source, "xlsx", books["tmp"] / f"recalc_{which}")
    values = openpyxl.load_workbook(recalculated, data_only=True)
    bad = [(s, c, values[s][c].value) for s, c in cells
           if isinstance(values[s][c].value, str) and values[s][c].value.startswith(ERRORS)]
    assert bad == []
    if which == "export":
        scenario = load_scenario(SCENARIO)
        qipp = values["QIPP"]
        heads = {c.value: c.column for c in qipp[4] if c.value}
        row = next(r for r in qipp.iter_rows(min_row=5) if r[1].value == "avastin")
        # the worked-out net saving of Avastin, 84 in the CPR scheme list (000:L2040-L2068)
        assert row[heads["Net saving (worked out)"] - 1].value == 84
        assert row[heads["Source"] - 1].value == \
            scenario.sources["organisations.cpr_ccg.qipp.schemes"]
        # the total above the table: every scheme's net saving, both CCGs
        total = qipp.cell(row=3, column=heads["Net saving (worked out)"]).value
        assert total == pytest.approx(sum(sc.net for o in scenario.organisations
                                          if o.kind == "ccg" for sc in o.qipp.schemes))
        activity = values["Activity"]
        heads = {c.value: c.column for c in activity[4] if c.value}
        totals = [r[heads["Age mix total (worked out)"] - 1].value
                  for r in activity.iter_rows(min_row=5) if r[0].value]
        assert totals and all(t == pytest.approx(1.0) for t in totals)
        flags = [r[2].value for r in values["Sources"].iter_rows(min_row=5) if r[0].value]
        assert flags.count("ASSUMPTION") == sum("ASSUMPTION" in v
                                                for v in scenario.sources.values())


def test_a_workbook_saved_by_libreoffice_imports_to_the_same_scenario(books):
    """Saved by a spreadsheet program (cached values, its own styles), with a figure typed as a
    formula, the workbook still gives the scenario back exactly."""
    from ccgmodels.inputs.loading import check

    source = books["tmp"] / "typed.xlsx"
    shutil.copy(books["export"], source)
    wb = openpyxl.load_workbook(source)
    ws = wb["Plan"]
    heads = {c.value: c.column for c in ws[4] if c.value}
    row = next(r for r in ws.iter_rows(min_row=5)
               if r[0].value == "cpr_ccg" and r[2].value == "expenditure.base.acute")
    row[heads["Value (every year)"] - 1].value = "=141000+916"  # 141,916: 000:L1997-L2009
    wb.save(source)
    saved = convert(source, "xlsx", books["tmp"] / "saved")
    scenario, _, problems = check(saved)
    assert problems == [], [str(p) for p in problems]
    assert scenario.model_dump() == load_scenario(SCENARIO).model_dump()


def test_libreoffice_converts_it_to_pdf(books):
    pdf = convert(books["export"], "pdf", books["tmp"] / "pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    # a page at least for each printed sheet: the cover, 8 parameter and 6 record sheets
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages >= 15


def test_an_icb_workbook_saved_by_libreoffice_imports_to_the_same_scenario(books):
    """The ICB era's workbook (sheet names with spaces, the Places sheet) saved by a
    spreadsheet program gives the scenario back exactly."""
    from ccgmodels.inputs.loading import check

    saved = convert(books["icb"], "xlsx", books["tmp"] / "saved_icb")
    scenario, _, problems = check(saved)
    assert problems == [], [str(p) for p in problems]
    assert scenario.model_dump() == load_scenario(ICB_EXAMPLE).model_dump()
