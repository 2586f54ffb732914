"""Tests for ccgmodels.models.demand: demographic and non-demographic growth, activity and its cost.

Sources: 000 = the 2019/20 CPR & Southend operational plan; ``000:L2488`` is its line 2488 (keys
as in ccgmodels/data/documents.yaml). Other expected values are hand calculations written out.
"""

from __future__ import annotations

import numpy as np
import pytest

from ccgmodels.inputs import refdata
from ccgmodels.inputs.loading import load_scenario
from ccgmodels.inputs.scenario import POD_SERVICE_LINE, Demand
from ccgmodels.models import demand as dm
from ccgmodels.models import series as sr
from ccgmodels.models.run import run_scenario

CPR = "organisations.cpr_ccg"
BANDS = ("0-64", "65-84", "85+")
# SUFT 2019/20 activity growth, 000:L2488-L2494 (elective has no SUFT value, "-")
SUFT = {"ae": 0.034, "first_outpatient": 0.027, "followup_outpatient": 0.028,
        "day_case": 0.02, "non_elective": 0.02, "non_elective_zero_los": 0.055}


def series(df, measure, item, org="cpr_ccg"):
    """Values of one measure/item of one organisation, in year order."""
    sel = df[(df["org"] == org) & (df["measure"] == measure) & (df["item"] == item)]
    return sel.sort_values("year")["value"].to_numpy()


def zero_growth_overrides() -> dict:
    """No population growth, no non-demographic growth, no growth table."""
    s = load_scenario("cpr_2019_20")
    over: dict = {f"{CPR}.demand.growth_table": None}
    for band in BANDS:
        over[f"{CPR}.demand.population_growth.{band}"] = 0.0
    for pod in s.org("cpr_ccg").demand.pods:
        over[f"{CPR}.demand.pods.{pod}.non_demographic_growth"] = 0.0
    return over


# --- unit tests of the formulas -------------------------------------------------------------


def test_demographic_growth_is_age_mix_weighted_population_growth():
    # CPR A&E age mix 0.7/0.2/0.1 with 0.5%, 1.46%, 5.5% a year (cpr_2019_20.yaml):
    # 0.7*0.005 + 0.2*0.0146 + 0.1*0.055 = 0.0035 + 0.00292 + 0.0055 = 0.01192
    mix = {"0-64": 0.7, "65-84": 0.2, "85+": 0.1}
    pop = {"0-64": 0.005, "65-84": 0.0146, "85+": 0.055}
    years = ["2019/20", "2020/21", "2021/22"]
    np.testing.assert_allclose(dm.demographic_growth(mix, pop, years), [0, 0.01192, 0.01192])
    # by year: the 85+ band from 5.5% to 3% in 2021/22 -> 0.0035 + 0.00292 + 0.003
    pop_by_year = {**pop, "85+": {"2020/21": 0.055, "2021/22": 0.03}}
    np.testing.assert_allclose(dm.demographic_growth(mix, pop_by_year, years),
                               [0, 0.01192, 0.00942])


def test_combine_and_residual_growth_are_inverse():
    # (1.01 * 1.02) - 1 = 0.0302
    assert dm.combine_growth(0.01, 0.02) == pytest.approx(0.0302)
    # residual of SUFT A&E 3.4% after 1.192% demography: 1.034 / 1.01192 - 1
    r = dm.residual_growth(0.034, 0.01192)
    assert r == pytest.approx(1.034 / 1.01192 - 1)
    assert dm.combine_growth(0.01192, r) == pytest.approx(0.034)


YEARS3 = ["2019/20", "2020/21", "2021/22"]


def test_growth_and_price_index():
    # 1.1 ** [0, 1, 2] = 1, 1.1, 1.21
    np.testing.assert_allclose(sr.index(0.1, YEARS3), [1.0, 1.1, 1.21])
    # price net of efficiency: (1.02 * 0.99) ** t = 1.0098 ** t
    np.testing.assert_allclose(sr.combined_index([0.02, (0.01, -1)], YEARS3),
                               [1.0, 1.0098, 1.0098 ** 2])


def test_rates_by_year_compound_year_by_year():
    # 5.87% is the base year's uplift (in the base level); 2.5% then 3% after it
    idx = sr.index({"2020/21": 0.025, "2021/22": 0.03}, YEARS3)
    np.testing.assert_allclose(idx, [1.0, 1.025, 1.025 * 1.03])
    np.testing.assert_allclose(sr.rates({"2020/21": 0.025, "2021/22": 0.03}, YEARS3),
                               [0.0, 0.025, 0.03])
    np.testing.assert_allclose(sr.levels({"2019/20": 5, "2020/21": 6, "2021/22": 7},
                                             YEARS3), [5, 6, 7])


def test_growth_index_broadcasts_one_rate_per_run():
    idx = sr.index(np.array([[0.0], [0.1]]), YEARS3)
    assert idx.shape == (2, 3)
    np.testing.assert_allclose(idx, [[1, 1, 1], [1, 1.1, 1.21]])
    # a mapping may mix runs and plain numbers
    idx = sr.index({"2020/21": np.array([[0.0], [0.1]]), "2021/22": 0.1}, YEARS3)
    np.testing.assert_allclose(idx, [[1, 1, 1.1], [1, 1.1, 1.21]])


def test_pod_shares_sum_cost_shares_by_service_line():
    d = load_scenario("cpr_2019_20").org("cpr_ccg").demand
    shares = dm.pod_shares(d)
    # acute pods in cpr_2019_20.yaml: 0.06+0.08+0.08+0.12+0.12+0.38+0.06 = 0.90
    assert shares["acute"] == pytest.approx(0.90)
    assert shares["prescribing"] == pytest.approx(1.0)
    assert shares["primary_care_cocommissioning"] == pytest.approx(0.6)
    assert dm.pod_shares(None) == {}


def small_demand(pop: float = 0.0, non_demo: float = 0.0) -> Demand:
    return Demand(population_growth={"all": pop}, pods={
        "ae": {"activity": 1000, "cost_share": 0.25, "age_mix": {"all": 1.0},
               "non_demographic_growth": non_demo}})


def test_project_pods_by_hand():
    # acute line 4,000 £k, A&E 25% of it over 1,000 attendances: unit cost 1 £k.
    # growth (1.01)(1.02) - 1 = 3.02%; price (1.02)(1 - 0) = 1.02
    [p] = dm.project_pods(small_demand(0.01, 0.02), {"acute": 4000.0}, {"acute": 0.02}, YEARS3)
    assert p.unit_cost == pytest.approx(1.0)
    np.testing.assert_allclose(p.activity, [1000, 1030.2, 1030.2 * 1.0302])
    np.testing.assert_allclose(p.cost, p.activity * 1.0 * 1.02 ** np.arange(3))
    np.testing.assert_allclose(p.cost_at_base_volume, 1000 * 1.02 ** np.arange(3))


# --- through the model ----------------------------------------------------------------------


def test_zero_growth_gives_flat_activity():
    df = run_scenario("cpr_2019_20", zero_growth_overrides())
    acts = df[(df["org"] == "cpr_ccg") & (df["measure"] == "activity")]
    assert acts["item"].nunique() == 9
    for pod, g in acts.groupby("item"):
        v = g["value"].to_numpy()
        np.testing.assert_allclose(v, v[0], err_msg=pod)


@pytest.mark.parametrize("driver", [*(f"demand.population_growth.{b}" for b in BANDS),
                                    "demand.pods.elective.non_demographic_growth",
                                    "demand.pods.gp_appointments.non_demographic_growth"])
def test_activity_rises_with_every_driver(driver):
    base = zero_growth_overrides()
    low = run_scenario("cpr_2019_20", {**base, f"{CPR}.{driver}": 0.01})
    high = run_scenario("cpr_2019_20", {**base, f"{CPR}.{driver}": 0.03})
    key = ["org", "year", "item"]
    a = low[low["measure"] == "activity"].set_index(key)["value"]
    b = high[high["measure"] == "activity"].set_index(key)["value"]
    diff = (b - a).dropna()
    assert len(diff) == len(a)
    assert (diff >= -1e-9).all()
    assert (diff > 0).any()  # the driver does something


@pytest.mark.parametrize("pop", [0.0, 0.02, 0.1])
def test_growth_table_sets_total_growth_whatever_the_demography(pop):
    over = {f"{CPR}.demand.population_growth.{b}": pop for b in BANDS}
    df = run_scenario("cpr_2019_20", over)
    assert refdata.activity_growth("suhft", "2019/20") == {**SUFT, "elective": None}
    for pod, g in SUFT.items():
        a = series(df, "activity", pod)
        assert a[1] / a[0] - 1 == pytest.approx(g, abs=1e-12), pod


def test_growth_table_residual_is_the_non_demographic_driver():
    df = run_scenario("cpr_2019_20")
    demo = series(df, "growth_demographic", "ae")[0]  # the first year after the base
    non = series(df, "growth_non_demographic", "ae")[0]
    assert "2019/20" not in set(df.loc[df["measure"] == "growth_demographic", "year"])
    # A&E demography 0.01192 (hand calculation above); residual 1.034 / 1.01192 - 1
    assert demo == pytest.approx(0.01192)
    assert non == pytest.approx(1.034 / 1.01192 - 1)


def test_base_year_activity_cost_plus_uncovered_share_is_gross_line_spend():
    s = load_scenario("cpr_2019_20")
    o = s.org("cpr_ccg")
    df = run_scenario(s)
    base = df[(df["org"] == "cpr_ccg") & (df["year"] == "2019/20")]
    cost = base[base["measure"] == "activity_cost"].set_index("item")["value"]
    shares = dm.pod_shares(o.demand)
    for line in ("acute", "prescribing", "primary_care_cocommissioning"):
        # gross = plan line + the base-year saving of its schemes (all start Q1 of 2019/20)
        # (the plan's schemes: a pipeline scheme is not in the plan's lines)
        gross = getattr(o.expenditure.base, line) + sum(
            sc.net for sc in o.qipp.schemes if sc.category == line
            and sc.start_year in (None, "2019/20") and sc.status != "pipeline")
        pods = [p for p, ln in POD_SERVICE_LINE.items() if ln == line]
        assert cost[pods].sum() + (1 - shares[line]) * gross == pytest.approx(gross, abs=1e-6)
    # acute: 141,916 (000:L1999) + 4,681 acute schemes (000:L2029) = 146,597
    acute_pods = [p for p, ln in POD_SERVICE_LINE.items() if ln == "acute"]
    assert cost[acute_pods].sum() == pytest.approx(0.9 * 146597)


def test_total_activity_growth_compounds_its_two_drivers():
    # CPR elective (cpr_2019_20.yaml): age mix 50% 0-64, 40% 65-84, 10% 85+; population growth
    # 0.5%, 1.46%, 5.5%: demographic 0.0025 + 0.00584 + 0.0055 = 0.01384; non-demographic 2%
    # stated: total (1.01384)(1.02) - 1 = 0.0341168
    from ccgmodels.models.run import run_scenario

    df = run_scenario("cpr_2019_20")
    got = df[(df["measure"] == "growth_total") & (df["item"] == "elective")
             & (df["org"] == "cpr_ccg")].sort_values("year")["value"].to_numpy()
    np.testing.assert_allclose(got, 1.01384 * 1.02 - 1, rtol=1e-9)
    assert len(got) == 4  # none in the base year
