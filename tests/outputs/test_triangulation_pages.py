"""The report's "Contract triangulation" and "Workforce" sections and the Excel pack's sheets
of the same names: shown only where they apply, naming no identifier, each sheet an Excel Table
with the pack's print set-up.

The scenario: the bundled CPR CCG plan with the illustrative trust of tests/illustrative.py on a
contract for half of CPR's acute line; the trust plans 80,000 £k from CPR in 2020/21 and gives
a workforce whose base-year pay bill, (2,000 x 50 + 500 x 180) x 1.02 = 193,800 £k, is its pay
cost.
"""

from __future__ import annotations

import copy

import openpyxl
import pytest
from illustrative import PROVIDER

from ccgmodels.inputs.loading import check, validate_data
from ccgmodels.inputs.workforce import Workforce
from ccgmodels.outputs import report, workbook
from ccgmodels.outputs import triangulation as pages
from ccgmodels.outputs.document import no_identifiers

WORKFORCE = {"pay_cost": 193800, "pay_award": 0.03, "agency_premium": 0.02,
             "staff_groups": [{"group": "nursing", "wte": 2000, "cost_per_wte": 50},
                              {"group": "doctors", "wte": 500, "cost_per_wte": 180}]}


def scenario(trust: dict | None = None, contracts: bool = True):
    _, data, problems = check("cpr_2019_20")
    assert not problems
    data = copy.deepcopy(data)
    data["name"] = "cpr_triangulated"
    if contracts:
        data["organisations"][0]["contracts"] = [{"provider": "suhft", "lines": {"acute": 0.5}}]
    data["organisations"].append({**PROVIDER, **(trust or {})})
    s, problems = validate_data(data, "pages test")
    assert not problems, problems
    return s


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("triangulated")
    s = scenario({"contract_income": {"cpr_ccg": {"2020/21": 80000}}, "workforce": WORKFORCE})
    rep = report.build(s, output_dir=str(folder))
    rep.write_files()
    return rep, openpyxl.load_workbook(folder / "report.xlsx")


def test_the_sections_show_both_sides_the_mismatch_and_the_reconciliation(built):
    rep, _ = built
    html = rep.triangulation()
    assert "<h2>Contract triangulation</h2>" in html and no_identifiers(html) == []
    assert "with Southend University Hospital (illustrative): mismatch" in html
    assert "eliminates the commissioners&#x27; side of each contract" in html
    assert "The two sides differ on 1 of 5 contract-years" in html
    # the system position says which side it uses when a side is stated
    assert "eliminates the commissioners&#x27; side" in rep.system()
    html = rep.workforce()
    assert "<h2>Workforce</h2>" in html and no_identifiers(html) == []
    assert "Nurses and health visitors" in html and "HCHS doctors" in html
    assert "£193,800k" in html and "the two reconcile" in html


def test_sections_only_where_they_apply(tmp_path):
    rep = report.build(scenario(contracts=False), output_dir=str(tmp_path))
    assert rep.triangulation() == "" and rep.workforce() == ""
    # a contract with a trust is enough for the triangulation, with no side stated
    rep = report.build(scenario(), output_dir=str(tmp_path))
    html = rep.triangulation()
    assert "Every contract&#x27;s two sides agree in every year" in html
    assert rep.workforce() == ""
    assert "eliminates the commissioners" not in rep.system()  # no side stated: unchanged


def test_a_pay_bill_out_of_line_is_said_so():
    w = Workforce(**{**WORKFORCE, "pay_cost": 200000})
    text = pages.reconciliation_sentence("Trust A", "2019/20", w, 193800.0)
    assert text == ("Trust A: its 2019/20 pay bill built from its workforce, £193,800k, "
                    "against the pay cost of its finance plan, £200,000k: difference "
                    "£(6,200)k (-3.1%), more than 1%: the two do not reconcile; the staff "
                    "groups' WTE and cost per WTE, or the premia, differ from the finance "
                    "plan.")


def test_pack_sheets_are_excel_tables_with_the_print_set_up(built):
    rep, wb = built
    names = wb.sheetnames
    assert names.index("Contract triangulation") < names.index("Workforce") < names.index(
        "Schemes")
    for name in ("Contract triangulation", "Workforce"):
        ws = wb[name]
        (table, ref), = ws.tables.items()
        assert table == workbook.table_name(name) and ref.endswith(str(ws.max_row))
        assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1"
        assert ws.oddFooter.left.text == rep.scenario.title.replace("&", "&&")
    ws = wb["Contract triangulation"]
    assert [c.value for c in ws[1]] == ["Commissioner", "Trust", "Year", "Commissioner view",
                                        "Provider view", "Mismatch"]
    assert ws.cell(ws.max_row, 1).value == "Total"
    assert ws.cell(ws.max_row, 6).value == "=SUBTOTAL(109,Contract_triangulation[Mismatch])"
    mismatch = [ws.cell(r, 6).value for r in range(2, ws.max_row)]
    assert mismatch[0] == 0 and mismatch[1] == pytest.approx(
        80000 - ws.cell(3, 4).value) and all(v == 0 for v in mismatch[2:])
    assert ws.cell(2, 4).number_format == "#,##0;(#,##0)"
    ws = wb["Workforce"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    base = [r for r in rows if r[1] == "All staff groups" and r[2] == "2019/20"]
    assert base == [("Southend University Hospital (illustrative)", "All staff groups",
                     "2019/20", 2500, pytest.approx(193800), 193800, pytest.approx(0))]
