"""The exported assumptions workbook as a finance analyst sees it: a cover, one sheet per kind
of input, yellow unlocked input cells, grey locked formulas, drop-down lists, named Tables, £k
and percentage formats, and the sources with their ASSUMPTION flags beside each value."""

from __future__ import annotations

import openpyxl
import pytest
from books import cell_of

from ccgmodels.inputs.book.layout import SHEETS
from ccgmodels.inputs.book.writer import INPUT, export_book
from ccgmodels.inputs.loading import load_scenario


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "plan.xlsx"
    export_book(load_scenario("mid_south_essex_system_2019_20"), path)
    return openpyxl.load_workbook(path)


def test_sheets_in_order_each_a_named_table(book):
    assert book.sheetnames[:len(SHEETS)] == list(SHEETS)
    assert book["Lists"].sheet_state == "hidden"
    for name in SHEETS[1:]:
        assert list(book[name].tables) == [f"t_{name.replace(' ', '_')}"], name
        assert book[name].protection.sheet and not book[name].protection.insertRows
    cover = "\n".join(str(c.value) for row in book["Cover"].iter_rows() for c in row if c.value)
    for words in ("Yellow cells are inputs", "thousands of pounds (£k, £000)",
                  "surplus positive, deficit negative", "did you mean 0.034?"):
        assert words in cover


def test_inputs_are_yellow_and_unlocked_derived_cells_grey_locked_formulas(book):
    value = cell_of(book, "Plan", "cpr_ccg", "expenditure.base.acute", "Value (every year)")
    assert value.value == 141916  # 000:L1997-L2009
    assert value.fill.fgColor.rgb.endswith(INPUT) and not value.protection.locked
    assert value.number_format == "#,##0;(#,##0)"
    rate = cell_of(book, "Plan", "cpr_ccg", "expenditure.price_inflation", "Value (every year)")
    assert rate.value == 0.025 and rate.number_format.endswith("%")
    net = cell_of(book, "QIPP", "cpr_ccg", "avastin", "Net saving (worked out)")
    assert net.value.startswith("=IF(ISNUMBER(") and net.protection.locked
    assert not net.fill.fgColor.rgb.endswith(INPUT)
    src = cell_of(book, "Plan", "cpr_ccg", "expenditure.base.acute", "Source")
    assert '"organisations.cpr_ccg.expenditure.base"' in src.value  # the group's source
    flag = cell_of(book, "Plan", "cpr_ccg", "expenditure.base.acute", "Assumption?")
    assert flag.value.startswith('=IF(ISNUMBER(SEARCH("ASSUMPTION",')


@pytest.mark.parametrize("sheet, first, second, header, listed", [
    ("QIPP", "cpr_ccg", "avastin", "Status", "list_status"),
    ("QIPP", "cpr_ccg", "avastin", "Category", "list_service_line"),
    ("QIPP", "cpr_ccg", "avastin", "Start year", "list_years"),
    ("Organisations", "ccg", "cpr_ccg", "Kind", "list_kind"),
    ("Activity", "cpr_ccg", "ae", "Point of delivery", "list_pod"),
    ("Contracts", "cpr_ccg", None, "Basis", "list_basis"),
    ("Scenario", None, "base_year", "Value (every year)", "list_years"),
    ("Solutions", "cpr_ccg", "solutions.contingency_release", "Value (every year)",
     "list_yes_no"),
])
def test_drop_down_lists(book, sheet, first, second, header, listed):
    cell = cell_of(book, sheet, first, second, header)
    found = [dv.formula1 for dv in book[sheet].data_validations.dataValidation
             if cell.coordinate in dv.sqref]
    assert found == [f"={listed}"]
    assert listed in book.defined_names
