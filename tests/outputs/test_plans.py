"""The efficiency plan and the I&E summary on the report's pages and in the Excel pack: read
from the results, shown only when a body has a register (the efficiency plan), each sheet an
Excel Table with the pack's print set-up."""

from __future__ import annotations

import numpy as np
import openpyxl
import pytest

from ccgmodels.inputs.scenario import Scenario
from ccgmodels.inputs.vocab import SERVICE_LINES
from ccgmodels.outputs import plans, report, workbook
from ccgmodels.outputs.document import no_identifiers

MONEY = "#,##0;(#,##0)"


def scheme(id, type="pay", gross=100.0, status="delivered", **kw) -> dict:
    return {"id": id, "name": id.replace("_", " ").capitalize(), "type": type,
            "category": "workforce_agency" if type == "pay" else "procurement",
            "gross_saving": gross, "status": status, **kw}


def system(era_base: str = "2025/26", registers: bool = True) -> Scenario:
    # an ICB (allocation 1000, spend 1000), a trust (income 1010, cost 1000, CIP 2%) and a
    # council (budget 500, cost 520, savings 20 planned in the base year)
    icb = {"kind": "icb", "id": "a", "name": "NHS A ICB", "population": 1000.0,
           "allocation": {"base": {"core_services": 1000.0}, "rca_per_head": 0.0},
           "expenditure": {"base": {k: 1000.0 if k == "acute" else 0.0
                                    for k in SERVICE_LINES}},
           "contingency_rate": 0.0}
    trust = {"kind": "provider", "id": "t", "name": "A Trust", "income": 1010.0,
             "cost": 1000.0, "efficiency_rate": 0.02}
    council = {"kind": "social_care", "id": "c", "name": "A Council", "budget": 500.0,
               "cost": 520.0, "savings": {era_base: 20.0}}
    if registers:
        trust["efficiency"] = {"requirement": {era_base: 30.0}, "schemes": [
            scheme("agency_cut", gross=12.0, wte=-3, staff_group="nursing"),
            scheme("one_off_sale", "non_pay", 8.0, recurrent=False),
            scheme("theatres", "non_pay", 10.0, "in_progress")]}
        council["efficiency"] = {"schemes": [scheme("homecare", "non_pay", 15.0)]}
    return Scenario.model_validate({"name": "p", "title": "P & plans", "base_year": era_base,
                                    "end_year": "2027/28",
                                    "organisations": [icb, trust, council]})


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plans")
    rep = report.build(system(), output_dir=str(folder))
    rep.write_files()
    return rep, openpyxl.load_workbook(folder / "report.xlsx")


def test_efficiency_plan_table_reads_the_results(built):
    rep, _ = built
    frame = rep.book["Efficiency plan"].frame
    # the trust's base year: requirement 30; identified 12 + 8 + 10 = 30, of which pay 12,
    # non-pay 18, one-off 8; risk-adjusted 12 + 8 + 0.7 * 10 = 27; no gap
    row = frame.loc
    assert row["A Trust: Efficiency requirement", "2025/26"] == pytest.approx(30)
    assert row["A Trust: Identified schemes", "2025/26"] == pytest.approx(30)
    assert row["A Trust: of which pay", "2025/26"] == pytest.approx(12)
    assert row["A Trust: of which non-pay", "2025/26"] == pytest.approx(18)
    assert row["A Trust: of which non-recurrent (one-off)", "2025/26"] == pytest.approx(8)
    assert row["A Trust: Risk-adjusted schemes", "2025/26"] == pytest.approx(27)
    assert row["A Trust: Unidentified (gap)", "2025/26"] == pytest.approx(0)
    # 2026/27: the CIP, 1000 * 0.02 = 20 (the stated 30 was the base year's); the one-off
    # is gone: identified 22 (as cash: no inflation here); no gap
    assert row["A Trust: Efficiency requirement", "2026/27"] == pytest.approx(20)
    assert row["A Trust: Identified schemes", "2026/27"] == pytest.approx(22)
    # the council: requirement its cumulative savings, 20; homecare 15 leaves a gap of 5
    assert row["A Council: Unidentified (gap)", "2026/27"] == pytest.approx(5)
    assert row["A Council: in the position (expected)", "2026/27"] == pytest.approx(15)
    r = rep.cash
    sel = r[(r["org"] == "t") & (r["measure"] == "solutions") & (r["item"] == "efficiency")]
    np.testing.assert_allclose(frame.loc["A Trust: in the position (expected)"].to_numpy(),
                               sel.sort_values("year")["value"].to_numpy())


def test_ie_summary_adds_up_body_by_body(built):
    rep, _ = built
    frame = rep.book["I&E summary"].frame
    for body in ("NHS A ICB", "A Trust", "A Council"):
        income, spend = frame.loc[f"{body}: income"], frame.loc[f"{body}: expenditure, do nothing"]
        dn = frame.loc[f"{body}: surplus/(deficit), do nothing"]
        np.testing.assert_allclose(dn, income - spend)
        np.testing.assert_allclose(frame.loc[f"{body}: surplus/(deficit), plan (do something)"],
                                   dn + frame.loc[f"{body}: solutions"])
    # the trust's one-off sale (8) is in the plan, not the underlying position
    gap = (frame.loc["A Trust: surplus/(deficit), plan (do something)"]
           - frame.loc["A Trust: underlying surplus/(deficit), plan"])
    np.testing.assert_allclose(gap, [8, 0, 0])
    system_name = [k for k in frame.index if k.endswith("surplus/(deficit), do nothing")][-1]
    assert system_name.startswith("System (")
    # a commissioner's income is its allocation: 1000 a year (no growth given)
    np.testing.assert_allclose(frame.loc["NHS A ICB: income"], [1000, 1000, 1000])


def test_section_only_with_a_register_and_in_words_not_identifiers(built):
    rep, _ = built
    html = rep.bodies()
    assert "<h2>Efficiency plan</h2>" in html
    assert "A Trust: efficiency schemes" in html and "Agency cut" in html
    assert "Workforce: agency" in html
    assert no_identifiers(html) == []
    plain = report.build(system(registers=False))
    assert plain.efficiency() == ""
    assert "Efficiency plan" not in plain.book and "I&E summary" in plain.book


def test_ccg_era_calls_it_cip_and_savings():
    rep = report.build(system("2019/20"))
    assert "Requirement (CIP; a council's savings)" in " ".join(
        rep.book["Efficiency plan"].frame.index)
    assert rep.book["Efficiency plan"].title.startswith("CIP and savings plan")
    assert "cost improvement (CIP) and savings plan" in rep.efficiency()


def test_pack_sheets_are_excel_tables_with_the_print_setup(built):
    rep, wb = built
    for name in ("Efficiency plan", "I&E summary"):
        ws = wb[name]
        (table, ref), = ws.tables.items()
        assert table == workbook.table_name(name)
        assert ref.endswith(str(ws.max_row))
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth == 1 and ws.print_title_rows == "$1:$1"
        assert ws.oddFooter.left.text == "P && plans"
        assert ws["A1"].value == rep.book[name].title
        assert ws["B2"].number_format == MONEY
        # numbers stored as numbers, the same as the table's
        frame = rep.book[name].frame
        assert ws.cell(2, 2).value == pytest.approx(frame.iloc[0, 0])
    assert plans.IE_SUMMARY in wb.sheetnames and plans.EFFICIENCY_PLAN in wb.sheetnames
    links = {c.value for c in wb["Cover"]["A"] if c.hyperlink is not None}
    assert {"Efficiency plan", "I&E summary"} <= links


def test_pack_holds_the_efficiency_scheme_register_with_totals(built):
    rep, wb = built
    ws = wb["Efficiency schemes"]
    headers = [c.value for c in ws[1]]
    assert headers == plans.SCHEME_COLUMNS
    rows = {ws.cell(r, 2).value: r for r in range(2, ws.max_row + 1)}
    agency = rows["Agency cut"]
    col = {h: j for j, h in enumerate(headers, start=1)}
    assert ws.cell(agency, col["Type"]).value == "Pay"
    assert ws.cell(agency, col["WTE"]).value == -3
    assert ws.cell(agency, col["Net saving"]).number_format == MONEY
    # a totals row of SUBTOTALs, as the QIPP scheme register has
    assert ws.cell(ws.max_row, 1).value == "Total"
    assert str(ws.cell(ws.max_row, col["Net saving"]).value).startswith("=SUBTOTAL(109,")
    assert len(ws.tables) == 1 and ws.page_setup.orientation == "landscape"
