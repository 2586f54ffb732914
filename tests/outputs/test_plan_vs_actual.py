"""The variance to plan table and report section (outputs.tables, outputs.report): the hand-worked
figures of tests/models/test_outturn.py as the report shows them, and nothing at all for a
scenario without actuals."""

from __future__ import annotations

import pytest
from actuals_scenarios import write

from ccgmodels.inputs.loading import load_scenario
from ccgmodels.models.run import run_scenario
from ccgmodels.outputs import tables
from ccgmodels.outputs.report import Report


@pytest.fixture(scope="module")
def plain():
    s = load_scenario("cpr_2019_20")
    return s, run_scenario(s)


@pytest.fixture
def with_actuals(tmp_path):
    s = load_scenario(write(tmp_path))
    return s, run_scenario(s)


def test_table(with_actuals):
    s, df = with_actuals
    t = tables.report_tables(df, s, "cpr_ccg")[tables.PLAN_VS_ACTUAL]
    assert t.unit == "£k" and "month 9" in t.title and "forecast outturn" in t.title
    # the Excel pack's sheet: £k columns only
    assert list(t.frame.columns) == ["Plan", "Forecast outturn", "Variance"]
    assert t.frame["Variance"].tolist() == pytest.approx([-2000, 0, 3000, -500])
    shown = tables.plan_vs_actual_table(df, s, "cpr_ccg", percent=True).frame
    assert shown["Variance %"].iloc[2] == pytest.approx(3000 / 141916)
    # the footprint of one organisation shows the same rows
    assert len(tables.report_tables(df, s)[tables.PLAN_VS_ACTUAL].frame) == 4


def test_section_follows_key_figures(with_actuals):
    s, df = with_actuals
    html = Report(s, df, df, "cpr_ccg", 0, 0).key_figures()
    assert html.index("Key figures") < html.index("<h2>Variance to plan</h2>")
    assert "<td class=\"num\">3,000</td>" in html and "<td class=\"num\">2.1%</td>" in html
    assert "(2,000)" in html  # the surplus short of plan, in brackets


def test_nothing_without_actuals(plain):
    s, df = plain
    assert tables.PLAN_VS_ACTUAL not in tables.report_tables(df, s, "cpr_ccg")
    rep = Report(s, df, df, "cpr_ccg", 0, 0)
    assert rep.plan_vs_actual() == ""
    assert "Variance to plan" not in rep.key_figures()


FOOTPRINT_ACTUALS = """
extends: footprint_2019_20
name: footprint_actuals
actuals:
  basis: actual
  figures:
    cpr_ccg:
      surplus: 0
    southend_ccg:
      expenditure:
        acute: 1
"""


def test_footprint_shows_every_organisation_by_name(tmp_path):
    s = load_scenario(write(tmp_path, FOOTPRINT_ACTUALS))
    df = run_scenario(s)
    whole = tables.report_tables(df, s)[tables.PLAN_VS_ACTUAL]
    assert list(whole.frame.columns)[1] == "Actual"
    assert [i.split(":")[0] for i in whole.frame.index] == [
        "NHS Castle Point and Rochford CCG", "NHS Southend CCG"]
    one = tables.report_tables(df, s, "southend_ccg")[tables.PLAN_VS_ACTUAL]
    assert len(one.frame) == 1 and not one.frame.index[0].startswith("NHS")
    cpr = Report(s, df, df, "cpr_ccg", 0, 0)  # each organisation shows its own figures only
    assert len(cpr.book[tables.PLAN_VS_ACTUAL].frame) == 1
    # an organisation with no figures of its own gets no section
    s2 = load_scenario(write(tmp_path, FOOTPRINT_ACTUALS.split("    southend_ccg:")[0]))
    assert Report(s2, df, df, "southend_ccg", 0, 0).plan_vs_actual() == ""
