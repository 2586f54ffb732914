"""The risk-adjusted plan on the report's pages and in the Excel pack
(ccgmodels/outputs/riskplan.py, report.py, workbook.py), and the tornado's risk rows by name."""

from __future__ import annotations

import re

import pytest
from risk_scenarios import base_data, scenario, with_registers

from ccgmodels.models import uncertainty
from ccgmodels.outputs import labels, plotting, report, riskplan


@pytest.fixture(scope="module")
def registered():
    return scenario(with_registers())


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_section_shows_each_body_and_its_register(registered):
    rep = report.build(registered)
    text = text_of(rep.risk_adjusted_plan())
    assert "Risk-adjusted plan" in text
    # CCG 2019/20 by hand: net 0.4 * 16,000 / 3 = 2,133; mitigations 0.6 * 3,000 = 1,800
    assert "NHS Castle Point and Rochford CCG: net risk (likelihood x expected size) 2,133" \
        in text
    assert "mitigations (probability x value) 1,800" in text
    assert "Elective activity below plan 2019/20 40.0% 2,000 5,000 9,000 2,133" in text
    assert "Vacancy control 2019/20 60.0% 3,000 1,800 Elective activity below plan" \
        in text
    frame = rep.book[riskplan.PLAN_KEY].frame
    fp = labels.org_name(registered, "footprint")
    row = frame.loc[f"{fp}: risk-adjusted surplus/(deficit)"]
    plan = frame.loc[f"{fp}: plan surplus/(deficit) (do something)"]
    assert row["2019/20"] == pytest.approx(plan["2019/20"] - (6400 / 3 + 500) + 1800)
    # the council has no register: no block of its own
    assert not any(k.startswith("Southend council") for k in frame.index)


def test_no_register_no_section():
    rep = report.build(scenario(base_data()))
    assert rep.risk_adjusted_plan() == ""
    assert riskplan.PLAN_KEY not in rep.book


def test_excel_pack_has_the_register_as_a_table(registered, tmp_path):
    from openpyxl import load_workbook

    rep = report.build(registered, output_dir=str(tmp_path))
    rep.write_files()
    wb = load_workbook(tmp_path / "report.xlsx")
    assert {riskplan.PLAN_KEY, riskplan.REGISTER_KEY} <= set(wb.sheetnames)
    ws = wb[riskplan.REGISTER_KEY]
    assert list(ws.tables) == ["Risks_and_mitigations"]
    assert ws.tables["Risks_and_mitigations"].ref == "A1:M4"  # header and 3 entries
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1"
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    names = [r[2] for r in rows]
    assert names == ["Elective activity below plan", "Vacancy control",
                     "Pay award above funding"]
    assert rows[0][9] == pytest.approx(6400 / 3) and rows[1][9] == pytest.approx(1800)
    assert ws["E2"].number_format == "0.0%"


def test_tornado_chart_labels_a_risk_by_its_name(registered):
    t = uncertainty.tornado(registered)
    names = {p: labels.assumption_name(registered, p) for p in t["assumption"]}
    assert names["organisations.cpr_ccg.risks.elective_income_shortfall"] == (
        "Risk: Elective activity below plan (NHS Castle Point and Rochford CCG)")
    fig = plotting.tornado_chart(t, names=names, top=len(t))
    shown = [x.get_text() for x in fig.axes[0].get_yticklabels()]
    assert "Risk: Elective activity below plan (NHS Castle Point and Rochford CCG)" in shown
    plain = [x.get_text() for x in plotting.tornado_chart(t, top=len(t)).axes[0]
             .get_yticklabels()]
    assert "Mitigation: Vacancy control" in plain


def test_fan_chart_and_balance_table_add_the_risk_adjusted_position(registered, tmp_path):
    rep = report.build(registered, runs=60, output_dir=str(tmp_path))
    html = rep.uncertainty()
    assert "risk-adjusted panel" in text_of(html)
    balance = rep.book["Probability of balance"].frame
    assert "Chance the risk-adjusted position is at least break-even" in balance.index
    assert "risk-adjusted position most" in " ".join(
        re.findall(r"The (?:one|two|three) assumptions?[^<]*", rep.executive_summary()))


def test_summary_and_key_figures_give_the_risk_adjusted_position(registered):
    rep = report.build(registered)
    text = text_of(rep.executive_summary())
    assert "Against the risk registers of its bodies, the 2023/24 position is" in text
    assert "(£2,633k)" in text and "(£1,800k)" in text  # 2,133 + 500 net risk; 1,800
    assert "Risk-adjusted surplus/(deficit)" in text_of(rep.key_figures())
    assert "Risk-adjusted surplus/(deficit)" in rep.book["Headline"].frame.index
    plain = report.build(scenario(base_data()))
    assert "risk register" not in text_of(plain.executive_summary())
    assert "Risk-adjusted" not in text_of(plain.key_figures())
    assert "Risk-adjusted surplus/(deficit)" not in plain.book["Headline"].frame.index
