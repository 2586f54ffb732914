"""The registers of issue 28 in the assumptions workbook: a trust's and a council's efficiency
schemes, every body's risks and mitigations, a trust's workforce by staff group, contract
income and a contract's planned value, each on yellow input rows with drop-down lists, read
back exactly (export then import gives the same scenario) and refused cell by cell.

The registers' figures below are made up for the round trip (no plan's): the bundled
mid_south_essex_system_2019_20 scenario carries them only to exercise every column.
"""

from __future__ import annotations

import openpyxl
import pytest
from books import HEADER_ROW, edit, problems_of

from ccgmodels.inputs.book import layout as L
from ccgmodels.inputs.book.writer import export_book
from ccgmodels.inputs.loading import check, load_scenario, validate_data

REGISTER_SHEETS = ("CIP and savings schemes", "Workforce", "Risks", "Mitigations")


def _with_registers():
    data = load_scenario("mid_south_essex_system_2019_20").model_dump(mode="json")
    years = [y for y in ("2019/20", "2020/21", "2021/22", "2022/23", "2023/24")]
    data["uncertainty"] = {k: v for k, v in data["uncertainty"].items()
                           if "efficiency_delivery" not in k}  # a register draws its schemes
    orgs = {o["id"]: o for o in data["organisations"]}
    trust, council, ccg = orgs["suhft"], orgs["essex_cc"], orgs["cpr_ccg"]
    trust["efficiency_delivery"] = 1.0  # a register delivers scheme by scheme
    trust["efficiency"] = {
        "requirement": {"2019/20": 9000, "2020/21": 15000},
        "schemes": [
            {"id": "agency_reduction", "name": "Reduce agency staffing", "type": "pay",
             "category": "workforce_agency", "gross_saving": 3000, "status": "in_progress",
             "start_year": "2019/20", "start_quarter": 2, "wte": -20,
             "staff_group": "nursing"},
            {"id": "estate_sale", "name": "One-off estate disposal", "type": "income",
             "category": "estates_facilities", "gross_saving": 1500, "investment": 100,
             "status": "scoping", "recurrent": False}]}
    trust["workforce"] = {
        "pay_cost": 180000, "pay_award": {y: 0.02 for y in years[1:]}, "agency_premium": 0.03,
        "staff_groups": [{"group": "nursing", "wte": 2000, "cost_per_wte": 40.0},
                         {"group": "doctors", "wte": dict.fromkeys(years, 600),
                          "cost_per_wte": 140.0}]}
    trust["contract_income"] = {"cpr_ccg": 150000, "southend_ccg": dict.fromkeys(years, 190000)}
    trust["risks"] = [{"id": "elective_shortfall", "name": "Elective activity below plan",
                       "likelihood": 0.4, "low": 2000, "most_likely": 5000, "high": 9000,
                       "source": "ASSUMPTION: made up for the test"}]
    trust["mitigations"] = [{"id": "vacancy_control", "name": "Vacancy control", "value": 3000,
                             "probability": 0.6, "against": ["elective_shortfall"]}]
    council["efficiency"] = {"schemes": [
        {"id": "reablement", "name": "Reablement", "type": "non_pay", "category": "other",
         "gross_saving": 800, "status": "delivered"}]}
    ccg["risks"] = [{"id": "prescribing_growth", "name": "Prescribing growth above plan",
                     "likelihood": 0.5, "low": dict.fromkeys(years, 500),
                     "high": dict.fromkeys(years, 1500)}]
    ccg["contracts"][0]["planned_value"] = {"2019/20": 150000}
    scenario, problems = validate_data(data, "registers")
    assert scenario is not None, [str(p) for p in problems]
    return scenario


@pytest.fixture(scope="module")
def registers(tmp_path_factory):
    scenario = _with_registers()
    path = tmp_path_factory.mktemp("registers") / "plan.xlsx"
    export_book(scenario, path)
    return scenario, path.read_bytes()


def _copy(registers, tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(registers[1])
    return path


def test_the_registers_come_back_exactly(registers, tmp_path):
    scenario, _ = registers
    back, _, problems = check(_copy(registers, tmp_path))
    assert not problems, [str(p) for p in problems]
    assert back.model_dump() == scenario.model_dump()
    assert back.org("suhft").efficiency.schemes[1].recurrent is False
    assert back.org("cpr_ccg").risks[0].low == dict.fromkeys(
        ("2019/20", "2020/21", "2021/22", "2022/23", "2023/24"), 500)


def test_the_register_sheets_have_yellow_rows_with_drop_downs(registers, tmp_path):
    wb = openpyxl.load_workbook(_copy(registers, tmp_path))
    for sheet in REGISTER_SHEETS:
        ws = wb[sheet]
        heads = {c.value: c.column for c in ws[HEADER_ROW] if c.value}
        assert ws.cell(HEADER_ROW + 1, heads["Organisation"]).fill.fgColor.rgb.endswith("FFF2CC")
        listed = {c for dv in ws.data_validations.dataValidation for r in dv.sqref.ranges
                  for c in range(r.min_col, r.max_col + 1)}
        assert heads["Organisation"] in listed, sheet
        # the spare rows at the end have the lists too
        last = {r.max_row for dv in ws.data_validations.dataValidation for r in dv.sqref.ranges}
        assert max(last) == ws.max_row, sheet
    heads = {c.value: c.column for c in wb["CIP and savings schemes"][HEADER_ROW] if c.value}
    listed = {c for dv in wb["CIP and savings schemes"].data_validations.dataValidation
              for r in dv.sqref.ranges for c in range(r.min_col, r.max_col + 1)}
    assert {heads[h] for h in ("Type", "Category", "Status", "Staff group", "Recurrent")} <= \
        listed
    # an organisation with no register says so, in a row of its own
    orgs = [r[0] for r in wb["Risks"].iter_rows(min_row=HEADER_ROW + 1, values_only=True)
            if r[1] == L.NONE]
    assert set(orgs) == {"southend_ccg", "essex_cc", "southend_bc"}


@pytest.mark.parametrize("sheet, first, second, header, value, path, fragment", [
    ("Risks", "suhft", "elective_shortfall", "Likelihood", 40,
     "organisations.suhft.risks.elective_shortfall.likelihood", "did you mean 0.4?"),
    ("Risks", "suhft", "elective_shortfall", "Low: every year", 12000,
     "organisations.suhft.risks.elective_shortfall", "low 12000 is above high 9000"),
    ("CIP and savings schemes", "suhft", "agency_reduction", "Category", "agency",
     "organisations.suhft.efficiency.schemes.agency_reduction.category", "Input should be"),
    ("Mitigations", "suhft", "vacancy_control", "Held against (risk ids)", "elective",
     "organisations.suhft.mitigations", "elective"),
    ("Workforce", "suhft", "doctors", "Cost per WTE", -5,
     "organisations.suhft.workforce.staff_groups.1.cost_per_wte", "cannot be negative"),
])
def test_a_register_slip_is_named_by_its_cell(registers, tmp_path, sheet, first, second,
                                              header, value, path, fragment):
    book = _copy(registers, tmp_path)
    [ref] = edit(book, (sheet, first, second, header, value))
    texts = [str(p) for p in problems_of(book)]
    row = ref.split("!")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    assert any(f": {sheet}!" in t and t.split("!")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
               .startswith(f"{row}: ") and path in t and fragment in t for t in texts), texts


def test_a_trust_has_a_contract_income_row_for_each_commissioner_paying_it(tmp_path):
    """The trust's side of each contract is offered on Providers, blank (the commissioner's
    side) until typed, and reads back as not stated."""
    scenario = load_scenario("mid_south_essex_system_2019_20")
    assert scenario.org("suhft").contract_income == {}
    path = export_book(scenario, tmp_path / "plan.xlsx")
    ws = openpyxl.load_workbook(path)["Providers"]
    heads = {c.value: c.column for c in ws[HEADER_ROW] if c.value}
    rows = {r[heads[L.FIELD] - 1]: r for r in ws.iter_rows(min_row=HEADER_ROW + 1,
                                                           values_only=True)
            if r[0] == "suhft"}
    for ccg in ("cpr_ccg", "southend_ccg"):
        row = rows[f"contract_income.{ccg}"]
        assert row[heads[L.LABEL] - 1] == \
            f"Contract income planned from {scenario.org(ccg).name}"
        assert row[heads[L.VALUE] - 1] is None
    assert check(path)[0].model_dump() == scenario.model_dump()
