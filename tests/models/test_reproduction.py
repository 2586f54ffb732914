"""Every reference table a model uses, against what the model gives: each test reads the table
(``ccgmodels/data/reference``, the documents' figures with their lines) and the model's results,
so a change to either that breaks the reproduction fails here (the STP summary template, a
table of the outputs layer: ``tests/outputs/test_summaries.py``). The datasheet
(``data/README.md``) names the model and test of each table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ccgmodels import run_scenario
from ccgmodels.inputs import refdata
from ccgmodels.inputs.loading import load_scenario

CCGS = {"cpr_ccg": "cpr_2019_20", "southend_ccg": "southend_2019_20"}


@pytest.fixture(scope="module")
def runs() -> dict[str, pd.DataFrame]:
    return {org: run_scenario(name) for org, name in CCGS.items()}


def base_year(df: pd.DataFrame, org: str, measure: str) -> pd.Series:
    sel = df[(df.org == org) & (df.measure == measure) & (df.year == "2019/20")]
    return sel.set_index("item")["value"]


@pytest.mark.parametrize("org", CCGS)
def test_ccg_allocations(runs, org):
    """ccg_allocations.csv (000:L1980-L1984, L2079-L2083): the 2019/20 allocation by type."""
    model = base_year(runs[org], org, "allocation")
    for kind, value in refdata.allocations(org, "2019/20").items():
        assert model[kind] == pytest.approx(value), kind


@pytest.mark.parametrize("org", CCGS)
def test_ccg_expenditure_plan(runs, org):
    """ccg_expenditure_plan.csv (000:L1997-L2013, L2096-L2112): every line of the 2019/20
    plan, the contingency, the unidentified QIPP and the surplus; the CPR total to the 1 £k its
    printed lines leave (correction 5)."""
    spend = base_year(runs[org], org, "expenditure")
    plan = refdata.expenditure_plan(org)
    for line, value in plan.items():
        if line in ("total_allocation", "surplus", "total_expenditure"):
            continue
        if line == "unidentified_qipp" and org == "southend_ccg":
            assert spend[line] == pytest.approx(value)
            continue
        assert spend[line] == pytest.approx(value, abs=0.5), line
    assert spend["total"] == pytest.approx(plan["total_expenditure"], abs=1)
    assert base_year(runs[org], org, "surplus")[""] == pytest.approx(plan["surplus"], abs=1)
    assert base_year(runs[org], org, "allocation")["total"] == plan["total_allocation"]


def test_qipp_summary(runs):
    """qipp_summary.csv (000:L2028-L2036): the CPR QIPP by category, its planning gap and
    target, and the 20% headroom (printed 1,653 for 1,652.8)."""
    df = runs["cpr_ccg"]
    summary = refdata.qipp_summary()
    category = base_year(df, "cpr_ccg", "qipp_category")
    qipp = base_year(df, "cpr_ccg", "qipp")
    for line in ("acute", "continuing_care", "prescribing", "other_programme", "running_costs"):
        assert category[line] == pytest.approx(summary[line]), line
    assert qipp["unidentified"] == pytest.approx(summary["planning_gap"])
    assert qipp["target"] == pytest.approx(summary["grand_total"])
    assert qipp["headroom_target"] == pytest.approx(summary["headroom_target"], abs=0.5)


def test_qipp_schemes(runs):
    """qipp_schemes.csv (000:L2040-L2068): each scheme's 2019/20 saving and status."""
    df = runs["cpr_ccg"]
    model = base_year(df, "cpr_ccg", "qipp_scheme")
    # the scenario names each scheme as the plan prints it
    schemes = {s.name: s for s in load_scenario("cpr_2019_20").org("cpr_ccg").qipp.schemes}
    table = refdata.qipp_schemes()
    assert len(table) == 26
    for _, row in table.iterrows():
        s = schemes[row["scheme"]]
        expected = 0.0 if np.isnan(row["value"]) else row["value"]
        assert model[s.id] == pytest.approx(expected), s.id
        assert s.status == row["status"], s.id


@pytest.mark.parametrize("org", CCGS)
def test_primary_care_bridge(runs, org):
    """primary_care_bridge.csv (000:L689-L715, realigned, correction 1): every component to
    the £k, the printed subtotals to the 0.1 £m the document rounds to (corrections 2, 3)."""
    df = runs[org]
    names = {"ccg_baseline_funding": "baseline_funding", "stf_allocation_gpfv": "stf"}
    table = refdata.pc_bridge(org)
    for item, row in table.iterrows():
        model = df[(df.org == org) & (df.measure == "pc_bridge")
                   & (df["item"] == names.get(item, item))].set_index("year")["value"]
        for year, printed in row.items():
            if np.isnan(printed):
                continue
            subtotal = item in ("in_year_position", "future_model", "end_state")
            assert model[year] == pytest.approx(1000 * printed, abs=100 if subtotal else 1e-6), (
                item, year)


@pytest.mark.parametrize("org", CCGS)
def test_bcf_pools(runs, org):
    """bcf_pools.csv (000:L2007, L2106): the BCF line of each CCG's 2019/20 plan."""
    pools = refdata.load("bcf_pools")
    stated = pools[(pools.footprint == org) & (pools["item"] == "bcf_expenditure")]["value"].item()
    assert base_year(runs[org], org, "expenditure")["bcf"] == pytest.approx(stated)


@pytest.mark.parametrize("org", CCGS)
def test_planning_rules(runs, org):
    """planning_rules.csv (000:L2015, L2021, L2023, L1976, L2075): the contingency of 0.5% of
    allocation, the 3% gross QIPP rule, the 20% headroom and the planned surplus."""
    rules = refdata.load("planning_rules")
    rules = rules[rules.applies_to == org].set_index("rule")["value"]
    df = runs[org]
    allocation = base_year(df, org, "allocation")["total"]
    spend = base_year(df, org, "expenditure")
    assert spend["contingency_reserve"] == pytest.approx(
        rules["contingency_reserve_rate"] * allocation, abs=0.5)
    assert base_year(df, org, "surplus")[""] == pytest.approx(rules["planned_surplus"], abs=1)
    qipp = base_year(df, org, "qipp")
    if org == "cpr_ccg":
        assert qipp["planning_rule"] == pytest.approx(rules["qipp_gross_rate"] * allocation)
        assert qipp["headroom_target"] / qipp["target"] == pytest.approx(
            rules["qipp_headroom_rate"])


def test_activity_growth():
    """activity_growth.csv (000:L2487-L2494): the SUHFT growth by point of delivery is the
    total activity growth of the first projected year (demography + the rest)."""
    df = run_scenario("cpr_2019_20")
    activity = df[(df.org == "cpr_ccg") & (df.measure == "activity")].pivot_table(
        index="item", columns="year", values="value")
    table = refdata.activity_growth("suhft", "2019/20")
    checked = 0
    pods = load_scenario("cpr_2019_20").org("cpr_ccg").demand.pods
    for pod, growth in table.items():
        if growth is None or pod not in activity.index or pods[pod].non_demographic_growth:
            continue
        got = activity.loc[pod, "2020/21"] / activity.loc[pod, "2019/20"] - 1
        assert got == pytest.approx(growth, abs=1e-9), pod
        checked += 1
    assert checked >= 5


def test_demographic_drivers_behind_the_population_growth():
    """demographic_drivers.csv: the scenario's 65-84 growth is 000:L388's over-65s +19% by
    2030 over 2018-2030, and its 85+ growth 003:L419's 31,000 to 77,000 over 2014-2031."""
    drivers = refdata.load("demographic_drivers")
    growth = load_scenario("cpr_2019_20").org("cpr_ccg").demand.population_growth
    plus_19 = drivers[(drivers.source_lines == "L388") & (drivers.metric == "growth")]
    assert (1 + plus_19["value"].item()) ** (1 / 12) - 1 == pytest.approx(growth["65-84"],
                                                                          abs=5e-5)
    over_85 = drivers[(drivers.source_lines == "L419") & (drivers.metric == "count")
                      & (drivers.cohort.str.contains("85"))].sort_values("target_year")
    start, end = over_85["value"].to_numpy()
    assert (end / start) ** (1 / 17) - 1 == pytest.approx(growth["85+"], abs=5e-5)


def test_primary_care_and_community_growth_rules():
    """000:L2676: primary care and community spend grow at least at the overall uplift; the
    flag is 1 exactly where the plan's growth reaches the allocation's."""
    df = run_scenario("footprint_2019_20")
    for org in CCGS:
        def by_year(measure, item, sel=df[df.org == org]):
            return sel[(sel.measure == measure) & (sel["item"] == item)].sort_values(
                "year")["value"].to_numpy()

        uplift = by_year("allocation", "total")
        primary = (by_year("expenditure", "primary_care_cocommissioning")
                   + by_year("expenditure", "other_primary_care"))
        community = by_year("expenditure", "community")
        for rule, spend in (("primary_care_growth", primary), ("community_growth", community)):
            flags = by_year("business_rule", rule)
            expected = (spend[1:] / spend[:-1]) >= (uplift[1:] / uplift[:-1]) - 1e-12
            np.testing.assert_array_equal(flags, expected * 1.0, err_msg=f"{org} {rule}")
