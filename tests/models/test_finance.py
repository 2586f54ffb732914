"""Tests for ccgmodels.models.finance: commissioner plan, do nothing, solutions, do something.

Sources: 000 = the 2019/20 CPR & Southend operational plan, ``000:L2013`` its line 2013;
004 = the NHS England STP plans on a page examples (keys as in ccgmodels/data/documents.yaml).
Sign: surplus positive, deficit negative; solutions positive.
"""

from __future__ import annotations

import numpy as np
import pytest
from frames import series

from ccgmodels.inputs import refdata
from ccgmodels.inputs.loading import load_scenario
from ccgmodels.inputs.scenario import Provider, SocialCare
from ccgmodels.models import arithmetic, finance, providers
from ccgmodels.models.run import run_scenario

CPR = "organisations.cpr_ccg"
YEARS = ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24"]
ALL_DELIVERED = {f"{CPR}.qipp.delivery_probability.{s}": 1.0
                 for s in ("delivered", "in_progress", "scoping", "unidentified")}


@pytest.fixture(scope="module")
def fp():
    return run_scenario("footprint_2019_20")


# --- the 2019/20 plans -----------------------------------------------------------------------


@pytest.mark.parametrize(("org", "allocation", "surplus", "total"), [
    ("cpr_ccg", 275220, 579, 274641),  # 000:L1984, L2013, L2012
    ("southend_ccg", 290241, 610, 289631),  # 000:L2083, L2112, L2111
])
def test_plan_reproduces_the_documents(fp, org, allocation, surplus, total):
    assert series(fp, "allocation", "total", org)[0] == allocation
    # CPR's printed lines (000:L1999-L2011) sum to 274,640 against 274,641 printed (000:L2012),
    # and the model keeps the unrounded 0.5% contingency: the surplus is within 1 £k
    assert series(fp, "surplus", "", org)[0] == pytest.approx(surplus, abs=1)
    assert series(fp, "expenditure", "total", org)[0] == pytest.approx(total, abs=1)


@pytest.mark.parametrize(("org", "printed"), [("cpr_ccg", 1376), ("southend_ccg", 1451)])
def test_contingency_is_half_a_percent_of_allocation(fp, org, printed):
    # 000:L2015: 0.5% of allocation; printed 1,376 (000:L2010) and 1,451 (000:L2109)
    cont = series(fp, "expenditure", "contingency_reserve", org)
    np.testing.assert_allclose(cont, 0.005 * series(fp, "allocation", "total", org))
    assert round(cont[0]) == printed


def test_unidentified_qipp_is_a_negative_expenditure_line(fp):
    # CPR (406) 000:L2011 = the planning gap 000:L2034; Southend (235) 000:L2110
    assert series(fp, "expenditure", "unidentified_qipp")[0] == pytest.approx(-406)
    assert series(fp, "expenditure", "unidentified_qipp", "southend_ccg")[0] == -235


def test_allocation_grows_by_type(fp):
    # programme 247,026 (000:L1981), which already holds the 5.87% uplift of 2019/20; then
    # the national core growth of each year (HFMA, 26 February 2019; cpr_2019_20.yaml)
    national = [1, 1.0414, 1.04, 1.0378, 1.0354]
    np.testing.assert_allclose(series(fp, "allocation", "programme"),
                               247026 * np.cumprod(national))
    # co-commissioning by year: 4.1% in 2020/21 (the bridge's income growth), then national
    np.testing.assert_allclose(series(fp, "allocation", "primary_care_cocommissioning"),
                               24311 * np.cumprod([1, 1.041, *national[2:]]))
    parts = sum(series(fp, "allocation", t) for t in
                ("programme", "running_costs", "primary_care_cocommissioning"))
    np.testing.assert_allclose(series(fp, "allocation", "total"), parts)


def test_base_year_do_nothing_is_plan_surplus_less_the_qipp_target(fp):
    # Do nothing grosses the plan lines up by the 7,858 £k of identified savings they already
    # net off and drops the (406) unidentified QIPP line, so it sits the whole QIPP target
    # below the plan: 579.9 - (7,858 + 406) = 579.9 - 8,264 = -7,684.1 (000:L2013, L2035;
    # 579.9 = 275,220 - 273,670 lines - 1,376.1 contingency + 406)
    surplus = series(fp, "surplus")[0]
    assert surplus == pytest.approx(579.9)
    assert series(fp, "do_nothing_surplus")[0] == pytest.approx(surplus - 8264)
    assert series(fp, "do_nothing_surplus")[0] == pytest.approx(-7684.1)
    # the same basis for Southend: its plan before its documented £1.6m medicines saving
    # (000:L1842) and its (235) unidentified QIPP (000:L2110): 610 - 1,835 = -1,225
    s = series(fp, "surplus", "", "southend_ccg")[0]
    assert series(fp, "do_nothing_surplus", "", "southend_ccg")[0] == pytest.approx(s - 1835)
    assert series(fp, "do_nothing_surplus", "", "southend_ccg")[0] == pytest.approx(-1225,
                                                                                 abs=1)


@pytest.mark.parametrize("name", ["cpr_2019_20", "southend_2019_20"])
def test_every_probability_one_gives_the_plan_surplus_exactly(name):
    org = name.replace("_2019_20", "_ccg")
    over = {k.replace("cpr_ccg", org): v for k, v in ALL_DELIVERED.items()}
    df = run_scenario(name, over)
    ds = series(df, "do_something_surplus", "", org)[0]
    assert abs(ds - series(df, "surplus", "", org)[0]) < 1e-9


# --- business rules (000:L2673, L2676, L1976) --------------------------------------------------


def test_mental_health_investment_standard_by_the_rule(fp):
    # MH grows (1 + 3% volume)(1 + 2.5% price) - 1 = 5.575% (cpr_2019_20.yaml ASSUMPTIONS);
    # the standard (000:L2673) asks for the programme allocation's growth (4.14% to 3.54%):
    # met, no shortfall, nothing to invest
    mh = series(fp, "expenditure", "mental_health")
    np.testing.assert_allclose(mh[1:] / mh[:-1] - 1, 1.03 * 1.025 - 1)
    flags = fp[(fp["org"] == "cpr_ccg") & (fp["item"] == "mental_health_investment")
               & (fp["measure"] == "business_rule")]
    assert list(flags["year"]) == YEARS[1:]  # no growth rule in the base year
    assert (flags["value"] == 1).all()
    required = series(fp, "mental_health_investment", "required")
    np.testing.assert_allclose(required, mh[:-1] * np.array([1.0414, 1.04, 1.0378, 1.0354]))
    assert (series(fp, "mental_health_investment", "shortfall") == 0).all()
    assert (series(fp, "mental_health_investment", "investment") == 0).all()


def test_mental_health_investment_shortfall_is_costed():
    # flat MH spend (no volume, no price growth) against 2.53% programme growth plus a 0.5%
    # uplift: the plan must add what meets the standard, which builds on last year's spend as
    # met, so MH spend grows 3.03% a year and the investment is P0 * (1.0303^t - 1)
    over = {f"{CPR}.expenditure.volume_growth.mental_health": 0.0,
            f"{CPR}.expenditure.price_inflation_by_line.mental_health": 0.0,
            f"{CPR}.allocation.growth.programme": 0.0253, f"{CPR}.mhis_uplift": 0.005}
    df = run_scenario("cpr_2019_20", over)
    assert (series(df, "business_rule", "mental_health_investment") == 1).all()
    mh = series(df, "expenditure", "mental_health")
    t = np.arange(5)
    np.testing.assert_allclose(mh, mh[0] * 1.0303 ** t, rtol=1e-9)
    invest = mh[0] * (1.0303 ** t[1:] - 1)
    np.testing.assert_allclose(series(df, "mental_health_investment", "investment"), invest,
                               rtol=1e-9)
    np.testing.assert_allclose(series(df, "mental_health_investment", "shortfall"), 0,
                               atol=1e-9)
    # costed: a solution line of negative value, and the plan's surplus carries it
    np.testing.assert_allclose(series(df, "solutions", "mental_health_investment"),
                               [0, *-invest], atol=1e-9)
    base = run_scenario("cpr_2019_20", {**over, f"{CPR}.mhis_uplift": 0.0})
    assert (series(base, "surplus") - series(df, "surplus"))[-1] > 0


def test_control_total_flag():
    # no control total stated: break-even; CPR's surplus 579.9 meets it (000:L1976)
    df = run_scenario("cpr_2019_20")
    assert series(df, "business_rule", "control_total")[0] == 1
    np.testing.assert_array_equal(series(df, "control_total"), 0.0)
    df = run_scenario("cpr_2019_20", {f"{CPR}.control_total": 600})
    assert series(df, "business_rule", "control_total")[0] == 0


# --- solutions -------------------------------------------------------------------------------


def test_do_something_is_do_nothing_plus_solutions_exactly(fp):
    orgs = fp[fp["measure"] == "do_nothing_surplus"]["org"].unique()
    assert len(orgs) == 3
    for org in orgs:
        dn = series(fp, "do_nothing_surplus", "", org)
        total = series(fp, "solutions", "total", org)
        ds = series(fp, "do_something_surplus", "", org)
        if org == "footprint":  # a sum of sums: equal to the last bits of a float
            np.testing.assert_allclose(ds, dn + total, rtol=1e-15, atol=1e-9)
        else:  # exactly, as the model adds them
            np.testing.assert_array_equal(ds, dn + total)
        lines = sum(series(fp, "solutions", i, org) for i in arithmetic.SOLUTION_ITEMS)
        np.testing.assert_allclose(total, lines, rtol=0, atol=1e-9)


def test_mitigation_zero_in_base_year_positive_after():
    df = run_scenario("cpr_2019_20", {f"{CPR}.solutions.demand_mitigation_rate": 0.25})
    v = series(df, "solutions", "demand_mitigation")
    assert v[0] == 0
    assert (v[1:] > 0).all()
    # efficiency is counted once, by providers and in tariff prices: never a CCG line
    np.testing.assert_array_equal(series(df, "solutions", "efficiency"), 0)


def test_a_commissioner_efficiency_rate_of_an_old_file_is_refused_with_why():
    from ccgmodels.inputs.loading import ScenarioError

    for value in (0.01, 0.0):  # removed, not merely refused unless 0
        with pytest.raises(ScenarioError, match="efficiency_rate was removed: provider "
                           "efficiency is counted once"):
            run_scenario("cpr_2019_20", {f"{CPR}.solutions.efficiency_rate": value})


def test_efficiency_saving_by_hand():
    # 1,000 £k at 2% a year: 1,000 x (1 - 0.98 ** t) = 0, 20, 39.6
    np.testing.assert_allclose(arithmetic.efficiency_saving(1000.0, 0.02, YEARS[:3]),
                               [0, 20, 39.6])
    # by year: 2% then 5%: 1,000 x (1 - 0.98 x 0.95) = 69
    np.testing.assert_allclose(arithmetic.efficiency_saving(
        1000.0, {"2020/21": 0.02, "2021/22": 0.05}, YEARS[:3]), [0, 20, 69])


def test_more_mitigation_never_lowers_do_something():
    runs = [series(run_scenario("cpr_2019_20", {f"{CPR}.solutions.demand_mitigation_rate": d}),
                   "do_something_surplus") for d in (0.0, 0.25, 0.5, 1.0)]
    for lo, hi in zip(runs, runs[1:], strict=False):
        assert (hi >= lo - 1e-9).all()
    assert runs[-1][-1] > runs[0][-1]


def test_stf_solution_by_year():
    df = run_scenario("cpr_2019_20", {f"{CPR}.solutions.stf": {"2020/21": 1000}})
    # plus the primary care bridge's GPFV STF, 2,500 in 2020/21 (000:L689-715, realigned)
    np.testing.assert_allclose(series(df, "solutions", "stf"), [0, 3500, 0, 0, 0])


# --- providers and councils ------------------------------------------------------------------


def test_provider_by_hand():
    p = Provider(kind="provider", id="p", name="P", income=100, other_income_growth=0.1, cost=100,
                 cost_volume_growth=0.2, efficiency_rate=0.05, stf={"2020/21": 3})
    out = providers.provider(p, YEARS[:2])
    # 2020/21: income 110, cost 120, do nothing -10; efficiency 120 x 0.05 = 6; STF 3
    np.testing.assert_allclose(out[("do_nothing_surplus", "")], [0, -10])
    np.testing.assert_allclose(out[("solutions", "efficiency")], [0, 6])
    np.testing.assert_allclose(out[("do_something_surplus", "")], [0, -1])
    # the STF is non-recurrent: the underlying position is do something less it
    np.testing.assert_allclose(out[("underlying_surplus", "")], [0, -4])


def test_social_care_savings_recur_and_accumulate():
    sc = SocialCare(kind="social_care", id="c", name="C", budget=500, cost=500,
                    cost_growth=0.1, savings={"2020/21": 20, "2021/22": 10})
    out = providers.social_care(sc, YEARS[:3])
    # cost 500, 550, 605: do nothing 0, -50, -105; savings cumulate 0, 20, 30
    np.testing.assert_allclose(out[("do_nothing_surplus", "")], [0, -50, -105])
    np.testing.assert_allclose(out[("solutions", "social_care")], [0, 20, 30])
    np.testing.assert_allclose(out[("do_something_surplus", "")], [0, -30, -75])
    np.testing.assert_allclose(out[("do_something_cumulative_surplus", "")], [0, -30, -105])


def test_commissioner_function_matches_the_table():
    s = load_scenario("cpr_2019_20")
    table = refdata.activity_growth("suhft", "2019/20")  # 000:L2485-L2497
    out = finance.commissioner(s.org("cpr_ccg"), s.years, table)
    np.testing.assert_allclose(out[("do_nothing_surplus", "")][0], -7684.1)
    np.testing.assert_allclose(out[("do_nothing_cumulative_surplus", "")],
                               np.cumsum(out[("do_nothing_surplus", "")]))


def test_mitigation_of_shrinking_demand_is_zero_not_a_cost():
    # Regression: with every volume falling, d x (spend - spend at base volume) was negative,
    # so raising the mitigation rate lowered do-something. Falling activity has no growth to
    # avoid: mitigation is 0 and do-something is unchanged by d.
    over = {f"{CPR}.demand.growth_table": None}
    over |= {f"{CPR}.demand.population_growth.{b}": -0.03 for b in ("0-64", "65-84", "85+")}
    pods = load_scenario("cpr_2019_20").org("cpr_ccg").demand.pods
    over |= {f"{CPR}.demand.pods.{p}.non_demographic_growth": -0.02 for p in pods}
    over |= {f"{CPR}.expenditure.volume_growth.{line}": -0.02 for line in (
        "acute", "ambulance", "mental_health", "community", "continuing_care",
        "primary_care_cocommissioning", "other_primary_care")}
    runs = [run_scenario("cpr_2019_20", {**over, f"{CPR}.solutions.demand_mitigation_rate": d})
            for d in (0.0, 0.5)]
    assert (series(runs[1], "solutions", "demand_mitigation") == 0).all()
    np.testing.assert_allclose(series(runs[1], "do_something_surplus"),
                               series(runs[0], "do_something_surplus"))
