"""Text from a scenario never becomes a live formula in anything ccgmodels writes (issue 25, 3):
a title ``=HYPERLINK(...)`` or a scheme named ``=cmd|' /C calc'!A0`` is stored as text in the
report's Excel pack, the assumptions workbook and the comparison workbook, and quoted in the
CSVs (OWASP's CSV injection guidance), which read back as written.

The scenario is cpr_2019_20 (000, the 2019/20 CPR operational plan) with its title and one
scheme's name replaced by an attacker's text; every figure is the plan's own.
"""

from __future__ import annotations

import csv

import openpyxl
import pandas as pd
import pytest

from ccgmodels.inputs.book.blank import new_book
from ccgmodels.inputs.book.writer import export_book
from ccgmodels.inputs.celltext import csv_read, csv_text
from ccgmodels.inputs.loading import check, load_scenario
from ccgmodels.models.results import read_tidy, write_tidy
from ccgmodels.outputs import report
from ccgmodels.outputs.workbook import write_frames

TITLE = '=HYPERLINK("http://example.com/x","Click me")'
SCHEME = "=cmd|' /C calc'!A0"
AVASTIN = "organisations.cpr_ccg.qipp.schemes.3.name"  # Avastin, 84 [£k] in the plan
HOSTILE = {"title": TITLE, AVASTIN: SCHEME, "description": "@SUM(1+1)*cmd|' /C calc'!A0"}


def formulas(path):
    """``{sheet: [(cell, text)]}`` of every cell stored as a formula in the workbook."""
    book = openpyxl.load_workbook(path)
    return {ws.title: [(c.coordinate, c.value) for row in ws.iter_rows() for c in row
                       if c.data_type == "f"] for ws in book.worksheets}


def texts(path):
    book = openpyxl.load_workbook(path)
    return {c.value for ws in book.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "s" and isinstance(c.value, str)}


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile_pack")
    rep = report.build("cpr_2019_20", overrides=HOSTILE, output_dir=str(folder))
    rep.write_files()
    return folder


def test_the_report_pack_holds_the_text_as_text(pack):
    found = formulas(pack / "report.xlsx")
    assert found["Cover"] == [] and found["Assumptions"] == []
    # the package's own formulas are still formulas: the scheme register's SUBTOTAL totals
    assert found["Schemes"] and all(v.startswith("=SUBTOTAL(109,") for _, v in
                                    found["Schemes"]), found["Schemes"]
    assert not [f for sheet, cells in found.items() if sheet != "Schemes" for f in cells]
    held = texts(pack / "report.xlsx")
    assert TITLE in held and SCHEME in held and HOSTILE["description"] in held


def test_the_assumptions_workbook_holds_the_text_as_text_and_reads_it_back(tmp_path):
    scenario = load_scenario("cpr_2019_20", HOSTILE)
    path = export_book(scenario, tmp_path / "plan.xlsx")
    for sheet, cells in formulas(path).items():
        for ref, value in cells:  # only the workbook's own worked-out cells
            assert value.startswith(("=IFERROR(INDEX(Sources!", '=IF(ISNUMBER(SEARCH("ASSU',
                                     "=SUM(", "=IF(ISNUMBER(")), (sheet, ref, value)
    assert {TITLE, SCHEME} <= texts(path)
    back, _, problems = check(path)
    assert problems == [] and back.model_dump() == scenario.model_dump()


def test_a_blank_workbook_and_the_comparison_workbook_hold_text_as_text(tmp_path):
    path = new_book(tmp_path / "blank.xlsx", orgs=[("ccg", "x", "=1+1"), ("provider", "p",
                                                                          "=A1")])
    assert {"=1+1", "=A1"} <= texts(path)
    frames = {"Key measures": pd.DataFrame({"Scenario": [TITLE, SCHEME], "Surplus": [1.0, -2.0]})}
    out = write_frames(frames, tmp_path / "compare.xlsx", "Scenario comparison")
    assert formulas(out) == {"Key measures": []}
    assert {TITLE, SCHEME} <= texts(out)


@pytest.mark.parametrize("text", [TITLE, SCHEME, "+1+2", "-2+3+cmd|' /C calc'!A0", "@SUM(1)",
                                  "\tx", "\rx", "'already quoted", "''", "=", "-", "plain",
                                  "", "2019/20"])
def test_a_csv_field_is_quoted_and_read_back_as_written(text):
    written = csv_text(text)
    assert not written.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert csv_read(written) == text


def test_results_csv_quotes_formula_text_and_reads_back_equal(tmp_path):
    frame = pd.DataFrame({
        "scenario": ["2019", "cpr"], "org": ["cpr_ccg", "footprint"], "year": ["2019/20"] * 2,
        "measure": ["surplus", "qipp"], "item": [SCHEME, "-acute"], "value": [-19175.5, 84.0],
        "value_real": [float("nan"), -1e-6], "unit": ["£k", "£k"], "kind": ["ccg", "@x"]})
    write_tidy(frame, tmp_path / "results.csv")
    with open(tmp_path / "results.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    fields = [f for row in rows for f in row]
    assert "'" + SCHEME in fields and "'-acute" in fields and "'@x" in fields
    assert "-19175.500000" in fields and "-0.000001" in fields  # numbers are left alone
    back = read_tidy(tmp_path / "results.csv")
    pd.testing.assert_frame_equal(back, frame)


def test_the_run_results_csv_reads_back_equal(pack):
    written = pd.read_csv(pack / "results.csv", dtype=str, keep_default_na=False)
    assert not written.apply(lambda col: col.str.match(r"[=+@\t\r]")).any().any()
    back = read_tidy(pack / "results.csv")
    assert len(back) == len(written) and set(back["scenario"]) == {"cpr_2019_20"}
