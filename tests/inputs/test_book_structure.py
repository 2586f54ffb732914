"""The workbook's structure is checked before its values (issue 25, item 2): a sheet deleted or
renamed, a header row or column deleted, a register emptied is an error naming the sheet (exit
2 from the command line: ``tests/test_cli_main.py``), never assumptions lost without a word. A
register with no rows says so in a row that says ``(none)``, which export and new write and
import reads back as empty.

The workbook is mid_south_essex_system_2019_20's export (000 and the system plans): before the
check, deleting its QIPP and Sources sheets dropped all 37 schemes and still validated.
"""

from __future__ import annotations

import openpyxl
import pytest
from books import exported, problems_of, without

from ccgmodels.inputs.book.blank import new_book
from ccgmodels.inputs.book.reader import read_book
from ccgmodels.inputs.book.writer import export_book
from ccgmodels.inputs.loading import check, load_scenario


@pytest.mark.parametrize("sheets, rename, named", [
    (("QIPP", "Sources"), None, ["QIPP", "Sources"]),
    ((), {"Solutions": "Solutions (old)"}, ["Solutions"]),
    (("Uncertainty",), None, ["Uncertainty"]),
    (("Scenario",), None, ["Scenario"]),
    (("Providers", "Councils"), None, ["Providers", "Councils"]),
])
def test_a_deleted_or_renamed_sheet_is_an_error_naming_it(tmp_path, sheets, rename, named):
    book = without(exported(tmp_path), *sheets, rename=rename)
    texts = [str(p) for p in problems_of(book)]
    assert [t.split(": ")[1] for t in texts] == named, texts
    for sheet, text in zip(named, texts, strict=True):
        assert f"sheet {sheet!r} is missing" in text, text
    if rename:
        assert "(renamed 'Solutions (old)'?)" in texts[0]


def test_a_deleted_column_or_header_row_is_an_error_naming_it(tmp_path):
    book = exported(tmp_path)
    wb = openpyxl.load_workbook(book)
    wb["QIPP"].delete_cols(7)  # Investment line: its values would be lost
    wb["Plan"].delete_cols(10)  # a year column: 2021/22
    wb["Sources"].delete_rows(4)  # its header row
    wb.save(book)
    texts = [str(p) for p in problems_of(book)]
    assert any(t.startswith(f"{book}: QIPP!A4: the header row lacks 'Investment line'")
               for t in texts), texts
    assert any(t.startswith(f"{book}: Plan!A4: the header row lacks '2021/22'")
               for t in texts), texts
    assert any(t.startswith(f"{book}: Sources!A1: no header row") for t in texts), texts


@pytest.mark.slow  # every register emptied in turn: seconds
def test_an_emptied_register_is_an_error_and_a_none_row_reads_back_empty(tmp_path):
    book = exported(tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["QIPP"]
    keep = [r for r in range(5, ws.max_row + 1) if ws.cell(r, 1).value != "cpr_ccg"]
    for r in reversed(range(5, ws.max_row + 1)):
        if r not in keep:
            ws.delete_rows(r)
    wb.save(book)
    (text,) = map(str, problems_of(book))
    assert text.startswith(f"{book}: QIPP!A5: no rows for commissioner 'cpr_ccg': a register "
                           "with none says so, in a row with Organisation 'cpr_ccg' and "
                           "'Scheme id' (none)"), text
    assert "a workbook from an earlier ccgmodels left an empty register blank" in text
    wb = openpyxl.load_workbook(book)
    wb["QIPP"].insert_rows(5)
    wb["QIPP"]["A5"], wb["QIPP"]["B5"] = "cpr_ccg", "(none)"
    wb.save(book)
    data, _, rows = read_book(book)
    assert rows == []
    orgs = {o["id"]: o for o in data["organisations"]}
    assert "schemes" not in orgs["cpr_ccg"].get("qipp", {})  # empty: the default, none
    assert orgs["southend_ccg"]["qipp"]["schemes"]  # the other commissioner's are kept
    # validation goes on to the values: the sources that cite CPR's schemes now cite nothing
    assert {p.message.split(":")[0] for p in check(book)[2]} == {"names no assumption"}
    # a row saying none beside rows is a contradiction
    wb = openpyxl.load_workbook(book)
    wb["QIPP"]["A5"] = "southend_ccg"
    wb.save(book)
    texts = [str(p) for p in problems_of(book)]
    assert texts[-1].startswith(f"{book}: QIPP!B5: says there are no rows for commissioner "
                                "'southend_ccg', beside"), texts


@pytest.mark.slow  # exports and blank workbooks of several scenarios
def test_export_and_new_write_an_empty_register_as_a_none_row(tmp_path):
    scenario = load_scenario("cpr_2019_20", {"uncertainty": {}, "sources": {},
                                             "organisations.cpr_ccg.qipp.schemes": []})
    path = export_book(scenario, tmp_path / "plan.xlsx")
    wb = openpyxl.load_workbook(path)
    assert [c.value for c in wb["Uncertainty"][5][:1]] == ["(none)"]
    assert [c.value for c in wb["QIPP"][5][:2]] == ["cpr_ccg", "(none)"]
    back, _, problems = check(path)
    assert problems == [] and back.model_dump() == scenario.model_dump()
    blank = new_book(tmp_path / "blank.xlsx", orgs=[("ccg", "a", "A"), ("ccg", "b", "B")])
    wb = openpyxl.load_workbook(blank)  # base year 2025/26: the ICB era's Efficiency sheet
    rows = [[c.value for c in row[:2]] for row in wb["Efficiency"].iter_rows(min_row=5,
                                                                            max_row=6)]
    assert rows[1] == ["b", "(none)"], rows
