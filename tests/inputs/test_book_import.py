"""Workbook import: every error path names the sheet and cell, the field, the value and what is
allowed, with the YAML loader's own messages; cells are read the way a person meant them.

Each case edits one cell (or a few) of the exported mid_south_essex_system_2019_20 workbook and
asserts the exact cell edited and a fragment of the message. The figures edited are the
scenario's own (000 = the 2019/20 CPR & Southend operational plan); only the broken value is
made up.
"""

from __future__ import annotations

import re

import openpyxl
import pytest
from books import edit, exported, problems_of

from ccgmodels.inputs.book.blank import new_book
from ccgmodels.inputs.book.reader import read_book
from ccgmodels.inputs.loading import check, load_scenario

CPR = "organisations.cpr_ccg"
VALUE = "Value (every year)"

# (edits, field path, value shown, message fragment): one problem each
CASES = [
    # 000:L2021 gives CPR's QIPP rate as 3%; typed 3.4 in a rate cell
    ([("Solutions", "cpr_ccg", "qipp.rate", VALUE, 3.4)], f"{CPR}.qipp.rate", "3.4",
     "did you mean 0.034?"),
    ([("Plan", "cpr_ccg", "expenditure.base.mental_health", VALUE, "lots")],
     f"{CPR}.expenditure.base.mental_health", "'lots'", "not a number: expected a number"),
    ([("Plan", "cpr_ccg", "expenditure.base.mental_health", VALUE, -19175)],
     f"{CPR}.expenditure.base.mental_health", "-19175", "cannot be negative [£k]"),
    ([("QIPP", "cpr_ccg", "prescribing", "Status", "planned")],
     f"{CPR}.qipp.schemes.prescribing.status", "'planned'",
     "Input should be 'delivered', 'in_progress', 'scoping'"),
    ([("QIPP", "cpr_ccg", "avastin", "Net saving", -84)],
     f"{CPR}.qipp.schemes.avastin.net_saving", "-84", "a negative net saving is a scheme that "
     "costs more than it saves"),
    ([("QIPP", "cpr_ccg", "msk", "Scheme id", "avastin")],
     f"{CPR}.qipp.schemes.avastin.id", "'avastin'", "duplicate scheme id"),
    ([("Allocations", "cpr_ccg", "allocation.growth.running_costs", VALUE, -1.5)],
     f"{CPR}.allocation.growth.running_costs", "-1.5", "below -1 (-100%)"),
    # a rule on a group names the group's first cell, on the row edited
    ([("Activity", "cpr_ccg", "ae", "Age mix: 85+", 0.2)],
     f"{CPR}.demand.pods.ae.age_mix", "1.09", "age mix must sum to 1"),
    ([("Contracts", "cpr_ccg", None, "Provider", "meht")],
     f"{CPR}.contracts.0.provider", "'meht'", "names no provider organisation"),
    ([("Uncertainty", f"{CPR}.expenditure.volume_growth.continuing_care", None, "Low", 0.08)],
     f"uncertainty.{CPR}.expenditure.volume_growth.continuing_care.low", "0.08",
     "low is above high (0.07)"),
    ([("Sources", "deflator", None, "Assumption (dotted path)", "deflater")],
     "sources.deflater", "'deflater'", "names no assumption"),
    ([("Scenario", None, "base_year", VALUE, "2019/21")], "base_year", "'2019/21'",
     "the second year must follow the first"),
    ([("Organisations", "provider", None, "Kind", "trust")], "organisations.suhft.kind",
     "'trust'", "'ccg', 'icb', 'provider', 'social_care'"),
]


@pytest.mark.parametrize("edits, path, shown, fragment", CASES,
                         ids=[c[1].split(".")[-1] + "-" + c[3][:20] for c in CASES])
def test_each_problem_names_its_cell_field_value_and_rule(tmp_path, edits, path, shown,
                                                         fragment):
    book = exported(tmp_path)
    refs = edit(book, *edits)
    problems = problems_of(book)
    assert len(problems) == 1, [str(p) for p in problems]
    text = str(problems[0])
    if path.endswith(".age_mix"):  # the group's first cell, on the row edited
        row = refs[0].split("!")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        assert text.startswith(f"{book}: Activity!E{row}: {path}: "), text
    else:
        assert text.startswith(f"{book}: {refs[0]}: {path}: "), text
    assert fragment in text and f"(got {shown}" in text, text


@pytest.mark.parametrize("edits, cell_header, fragment", [
    ([("Providers", "suhft", "cost", "Organisation", "sufht")], "Organisation",
     "names no organisation on the Organisations sheet (have cpr_ccg, southend_ccg, suhft, "
     "essex_cc, southend_bc)"),
    ([("Plan", "cpr_ccg", "contingency_rate", "Field", "contingency_rte")], "Field",
     "did you mean 'contingency_rate'?"),
    # a year filled beside the one number: the problem is shown at the one number
    ([("Plan", "cpr_ccg", "expenditure.price_inflation", "2021/22", 0.03),
      ("Plan", "cpr_ccg", "expenditure.price_inflation", VALUE, 0.025)], VALUE,
     "give one number for every year or one in each year column, not both"),
    ([("Providers", "suhft", "cost", VALUE, None),
      ("Providers", "suhft", "stf", VALUE, 500)], VALUE, "give this year by year"),
    ([("Activity", "cpr_ccg", "ae", "Organisation", "suhft")], "Organisation",
     "names no commissioner (ccg)"),
])
def test_layout_problems_name_the_cell(tmp_path, edits, cell_header, fragment):
    book = exported(tmp_path)
    refs = edit(book, *edits)
    texts = [str(p) for p in problems_of(book)]
    assert any(t.startswith(f"{book}: {refs[-1]}") and fragment in t for t in texts), texts


def test_every_problem_at_once(tmp_path):
    """Every field problem and layout problem of a workbook at once (as for YAML, the rules
    across fields run once every field has its type)."""
    book = exported(tmp_path)
    refs = edit(book, *[e for c in CASES[:2] + CASES[3:4] + CASES[6:7] for e in c[0]],
                ("Providers", "suhft", "cost", "Organisation", "sufht"))
    texts = [str(p) for p in problems_of(book)]
    for ref in refs:
        assert any(f": {ref}: " in t for t in texts), (ref, texts)


def test_ten_slips_on_ten_sheets_in_one_import(tmp_path):
    """Ten slips, one on each of ten sheets, of every stage of the checks (a field's type or
    bounds, an organisation's kind, the rules across fields: an age mix, a contract's provider,
    a range, a source) are all reported by one import, each at its cell, and nothing else is:
    no rounds (issue 29)."""
    book = exported(tmp_path)
    slips = [
        ("Scenario", None, "deflator", VALUE, 2),  # 2% typed as 2
        ("Organisations", "provider", None, "Kind", "trust"),
        *[e for c in (CASES[6], CASES[1], CASES[7], CASES[3], CASES[0], CASES[8], CASES[9],
                      CASES[10]) for e in c[0]],
    ]
    refs = edit(book, *slips)
    assert len({r.split("!")[0] for r in refs}) == 10, refs
    texts = [str(p) for p in problems_of(book)]
    for ref in refs:  # a rule on a group (the age mix) names its first cell, on the row edited
        sheet, row = ref.split("!")[0], ref.split("!")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        at = [t for t in texts if re.search(rf": {sheet}![A-Z]+{row}: ", t)]
        assert len(at) == 1 and (f": {ref}: " in at[0] or sheet == "Activity"), (ref, texts)
    assert len(texts) == 10, texts
    # the contract that names the organisation of an unknown kind is not reported as a slip,
    # and the one that names no provider says it was read without it
    assert not any("southend_ccg.contracts" in t for t in texts), texts
    assert any("read without suhft, whose kind is not known" in t for t in texts), texts


def test_cells_read_the_way_a_person_meant_them(tmp_path):
    """Blank rows, trailing spaces, thousands separators, brackets and per cents typed as
    text give the scenario unchanged."""
    book = exported(tmp_path, "cpr_2019_20")
    wb = openpyxl.load_workbook(book)
    ws = wb["QIPP"]
    ws.insert_rows(7, amount=2)  # two blank rows inside the scheme list
    wb.save(book)
    edit(book,
         ("QIPP", "cpr_ccg", "fye_18_19_schemes", "Net saving", " 1,045 "),
         ("QIPP", "cpr_ccg", "fye_18_19_schemes", "Status", "delivered  "),
         ("Plan", "cpr_ccg", "expenditure.base.acute", VALUE, "£141,916"),
         ("Plan", "cpr_ccg", "expenditure.price_inflation", VALUE, "2.5%"),
         ("Solutions", "cpr_ccg", "solutions.contingency_release", VALUE, "yes"),
         ("Bridge", "cpr_ccg", "primary_care_bridge.years.{year}.workforce", "2019/20",
          "(2,000)"))
    assert check(book)[0].model_dump() == load_scenario("cpr_2019_20").model_dump()


def test_the_blank_workbook_refuses_its_example_rows_by_cell(tmp_path):
    path = new_book(tmp_path / "blank.xlsx")  # base year 2025/26: the ICB era's sheet names
    texts = [str(p) for p in problems_of(path)]
    examples = [t for t in texts if "example row" in t]
    assert {t.split(": ")[1].split("!")[0] for t in examples} == {
        "Organisations", "Places", "Activity", "Efficiency", "Contracts", "Uncertainty",
        "Sources"}
    assert any(t.startswith(f"{path}: Scenario!G5: name: required field is missing")
               for t in texts), texts


def test_not_a_workbook_and_a_missing_sheet(tmp_path):
    fake = tmp_path / "plan.xlsx"
    fake.write_text("name: not a workbook\n", encoding="utf-8")
    assert "is not an Excel workbook (.xlsx) that can be read" in str(problems_of(fake)[0])
    book = exported(tmp_path)
    wb = openpyxl.load_workbook(book)
    del wb["Organisations"]
    wb.save(book)
    assert "sheet 'Organisations' is missing" in str(problems_of(book)[0])
    data, cells, rows = read_book(tmp_path / "absent.xlsx")
    assert data is None and rows[0][2] == "file not found"


def test_a_missing_group_says_which_sheet_its_rows_go_on(tmp_path):
    book = exported(tmp_path, "cpr_2019_20")
    wb = openpyxl.load_workbook(book)
    ws = wb["Activity"]
    ws.delete_rows(5, amount=ws.max_row - 4)  # every point of delivery
    wb.save(book)
    # an emptied register is a lost sheet, unless a row says it has none (issue 25)
    texts = [str(p) for p in problems_of(book)]
    assert texts == [f"{book}: Activity!A5: no rows for commissioner 'cpr_ccg': a register "
                     "with none says so, in a row with Organisation 'cpr_ccg' and 'Point of "
                     "delivery' (none); add its rows or that row (a workbook from an earlier "
                     "ccgmodels left an empty register blank)"]
    wb["Activity"]["A5"], wb["Activity"]["B5"] = "cpr_ccg", "(none)"
    wb.save(book)
    texts = [str(p) for p in problems_of(book)]
    assert any(t.startswith(f"{book}: Demand!") and t.endswith(
        f"{CPR}.demand.pods: required field is missing: add its rows on the Activity sheet")
        for t in texts), texts


def test_a_formula_without_a_saved_value_and_a_row_given_twice(tmp_path):
    book = exported(tmp_path, "cpr_2019_20")
    refs = edit(book, ("Plan", "cpr_ccg", "expenditure.base.acute", VALUE, "=141000+916"),
                ("Plan", "cpr_ccg", "expenditure.base.community", "Field",
                 "expenditure.base.ambulance"))
    texts = [str(p) for p in problems_of(book)]
    assert f"{book}: {refs[0]}: a formula with no saved value" in texts[0]
    assert any(t.startswith(f"{book}: {refs[1]}: {CPR}.expenditure.base.ambulance: this "
                            "assumption is given twice: also at Plan!C") for t in texts), texts


def test_a_point_of_delivery_growth_by_year_or_one_number(tmp_path):
    book = exported(tmp_path, "cpr_2019_20")
    # elective grows 2% a year not explained by demography (the scenario's own figure)
    refs = edit(book, ("Activity", "cpr_ccg", "elective", "Non-demographic growth: 2021/22",
                       0.03))
    texts = [str(p) for p in problems_of(book)]
    assert texts == [f"{book}: {refs[0]}: give one number for every year or one in each year "
                     "column, not both (got 0.03)"]
    edit(book, ("Activity", "cpr_ccg", "elective", "Non-demographic growth: every year", None),
         *[("Activity", "cpr_ccg", "elective", f"Non-demographic growth: {y}", 0.02)
           for y in ("2020/21", "2021/22", "2022/23", "2023/24")])
    pod = check(book)[0].org("cpr_ccg").demand.pods["elective"]
    assert pod.non_demographic_growth == dict.fromkeys(
        ("2020/21", "2021/22", "2022/23", "2023/24"), 0.02)


def test_a_zip_that_unpacks_too_far_is_refused_unread(tmp_path, monkeypatch):
    import zipfile

    from ccgmodels.inputs import limits

    monkeypatch.setattr(limits, "MAX_BOOK_UNPACKED", 100_000)  # 64 MiB in use
    bomb = tmp_path / "plan.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * 100_001)
    assert bomb.stat().st_size < 1_000
    (problem,) = problems_of(bomb)
    assert "unpacks to 100,001 bytes: an assumptions workbook is at most 100,000 (limits." \
        "MAX_BOOK_UNPACKED" in str(problem)
