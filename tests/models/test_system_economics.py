"""The system view a finance director would sign (issue 24): scopes, every item in the total,
honest later years, one set of flows and prices, and the drivers that matter drawn."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracle import footprint_of

from ccgmodels.inputs.loading import bundled_scenarios, load_scenario
from ccgmodels.models import measures, results
from ccgmodels.models import uncertainty as u
from ccgmodels.models.run import run_scenario

CPR = "organisations.cpr_ccg"
SOUTHEND = "organisations.southend_ccg"
SYSTEM = "mid_south_essex_system_2019_20"
KEYS = ["scenario", "year", "measure", "item", "unit"]


def series(df, measure, item="", org="footprint") -> np.ndarray:
    sel = df[(df["org"] == org) & (df["measure"] == measure) & (df["item"] == item)]
    return sel.sort_values("year")["value"].to_numpy()


# --- 2. the footprint is the sum of its organisations ----------------------------------------


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_footprint_is_the_sum_of_every_additive_row_of_every_bundled_scenario(name):
    df = run_scenario(name)
    orgs = df[df["org"] != "footprint"]
    additive = [m for m, d in measures.MEASURES.items() if d.additive]
    fp = df[(df["org"] == "footprint") & df["measure"].isin(additive)]
    want = footprint_of(orgs)
    # no organisation's additive row is missing from the footprint, nor the other way round
    assert results.compare(want, fp, 1e-6, KEYS).empty
    assert len(fp) == len(want)


ITEMS = st.sampled_from(["delivered", "in_progress", "scoping", "acute", "other_programme"])
VALUES = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.dictionaries(ITEMS, st.lists(VALUES, min_size=3, max_size=3), max_size=5),
                min_size=1, max_size=4))
def test_property_organisations_reporting_different_items_sum_to_the_footprint(orgs):
    # each organisation reports its own set of qipp_status items: the footprint has every item
    # any of them has, each the sum over the organisations that report it
    series_ = [{("qipp_status", k): np.array(v) for k, v in o.items()} for o in orgs]
    fp = results.footprint(series_)
    items = {k for o in orgs for k in o}
    assert {k for _, k in fp} == items
    for k in items:
        want = sum(np.array(o[k]) for o in orgs if k in o)
        np.testing.assert_allclose(fp[("qipp_status", k)], want, atol=1e-6)


# --- 3. honest later years ------------------------------------------------------------------


def test_a_plan_that_balances_only_on_unidentified_qipp_fails_the_control_total_rule():
    # CPR 2019/20 as printed: surplus 579.9 (000:L2013) nets off 406 of unidentified QIPP; a
    # control total of 500 is met as printed (579.9 >= 500) but not on identified savings
    # (579.9 - 406 = 173.9 < 500)
    df = run_scenario("cpr_2019_20", {f"{CPR}.control_total": 500})
    assert series(df, "surplus", org="cpr_ccg")[0] == pytest.approx(579.9, abs=1)
    assert series(df, "expenditure", "unidentified_qipp", "cpr_ccg")[0] == pytest.approx(-406)
    assert series(df, "business_rule", "control_total", "cpr_ccg")[0] == 0
    # and met once the plan's identified savings reach it
    ok = run_scenario("cpr_2019_20", {f"{CPR}.control_total": 170})
    assert series(ok, "business_rule", "control_total", "cpr_ccg")[0] == 1


def test_later_years_carry_identified_savings_only_and_show_what_is_still_to_find():
    df = run_scenario("cpr_2019_20")
    gap = series(df, "qipp", "unidentified", "cpr_ccg")
    assert (gap[1:] > 500).all()  # a requirement nobody has identified yet
    # no plug: the plan's unidentified line is 0 after the base, so its surplus shows the gap
    np.testing.assert_array_equal(series(df, "expenditure", "unidentified_qipp", "cpr_ccg")[1:],
                                  0)
    surplus = series(df, "surplus", org="cpr_ccg")
    target = series(df, "control_total", org="cpr_ccg")
    np.testing.assert_allclose(surplus[1:] - target[1:], -gap[1:], atol=1e-6)
    assert (series(df, "business_rule", "control_total", "cpr_ccg")[1:] == 0).all()


# --- 4. one set of flows and prices ---------------------------------------------------------


def trust(df, measure, item=""):
    return series(df, measure, item, "suhft")


def test_a_national_price_change_moves_trust_income_and_cost_together():
    over = {f"{o}.expenditure.price_inflation": 0.035 for o in (CPR, SOUTHEND)}
    base, dear = run_scenario(SYSTEM), run_scenario(SYSTEM, over)
    price = (1.035 / 1.025) ** np.arange(5)
    # every part of the trust's income and its cost rise by the same price index...
    for measure, item in (("income", "total"), ("do_nothing_expenditure", "total")):
        np.testing.assert_allclose(trust(dear, measure, item), trust(base, measure, item) * price,
                                   rtol=1e-9)
    # ...so its position is the same in real terms: no margin made on prices
    np.testing.assert_allclose(trust(dear, "do_nothing_surplus"),
                               trust(base, "do_nothing_surplus") * price, rtol=1e-9)


def test_tariff_efficiency_leaves_prescribing_and_gp_contract_spend_alone():
    def lines(df):
        return {k: series(df, "activity_cost", k, "cpr_ccg")
                for k in ("prescribing_items", "gp_appointments", "non_elective")}

    base = lines(run_scenario("cpr_2019_20"))
    none = lines(run_scenario("cpr_2019_20", {f"{CPR}.demand.tariff_efficiency": 0.0}))
    for pod in ("prescribing_items", "gp_appointments"):
        np.testing.assert_allclose(base[pod], none[pod], rtol=1e-12)
    # tariff-priced acute activity is cut by 1.1% a year
    np.testing.assert_allclose(base["non_elective"], none["non_elective"] * 0.989 ** np.arange(5),
                               rtol=1e-9)


def test_the_trusts_cip_is_risked_at_its_delivery_probability():
    full = run_scenario(SYSTEM, {"organisations.suhft.efficiency_delivery": 1.0})
    risked = run_scenario(SYSTEM)  # 0.7, as a QIPP scheme in progress (ASSUMPTION)
    np.testing.assert_allclose(trust(risked, "solutions", "efficiency"),
                               0.7 * trust(full, "solutions", "efficiency"), rtol=1e-12)


# --- 1. scopes ------------------------------------------------------------------------------


def test_a_council_enters_the_system_at_its_footprint_share_and_its_pooled_bcf_in_full():
    df = run_scenario(SYSTEM)
    whole = run_scenario(SYSTEM, {"organisations.essex_cc.consolidation": 1.0})
    share = 0.1198  # Castle Point and Rochford: 177,051 of Essex's 1,477,764 (ONS mid-2018)
    np.testing.assert_allclose(series(df, "income", "budget", "essex_cc"),
                               share * series(whole, "income", "budget", "essex_cc"))
    np.testing.assert_allclose(series(df, "do_nothing_surplus", "", "essex_cc"),
                               share * series(whole, "do_nothing_surplus", "", "essex_cc"))
    # CPR's BCF (11,718 in 2019/20, 000:L2007) is all the footprint's: in full either way
    assert series(df, "income", "bcf", "essex_cc")[0] == pytest.approx(11718)
    assert series(whole, "income", "bcf", "essex_cc")[0] == pytest.approx(11718)
    # 2019/20: 477,065 x 11.98%, balanced as a council must set its budget
    assert series(df, "income", "budget", "essex_cc")[0] == pytest.approx(477065 * share)
    assert series(df, "do_nothing_surplus", "", "essex_cc")[0] == pytest.approx(0)


def test_each_ccg_pools_its_bcf_with_its_own_council():
    s = load_scenario(SYSTEM)
    assert s.org("essex_cc").bcf_from == ["cpr_ccg"]
    assert s.org("southend_bc").bcf_from == ["southend_ccg"]
    assert s.org("southend_bc").consolidation == 1.0


def test_no_organisation_carries_most_of_the_headline_outside_its_share():
    # the council no longer dominates the system's do nothing (it was 63% of it)
    df = run_scenario(SYSTEM)
    total = series(df, "do_nothing_surplus")[-1]
    council = series(df, "do_nothing_surplus", "", "essex_cc")[-1]
    assert abs(council) < 0.1 * abs(total)


# --- 5. the assumptions that matter ---------------------------------------------------------


def test_the_bridges_recurrent_model_carries_on_after_its_last_year():
    df = run_scenario("cpr_2019_20")
    model = series(df, "solutions", "primary_care_model", "cpr_ccg")
    # 2020/21: enablers -3,400 (000:L702) and baseline funding 2,300 (realigned); the same after
    assert model[1] == pytest.approx(-3400 + 2300)
    np.testing.assert_allclose(model[2:], model[1])
    stf = series(df, "solutions", "stf", "cpr_ccg")
    assert stf[1] == pytest.approx(2500) and (stf[2:] == 0).all()  # non-recurrent


def test_demand_mitigation_carries_its_investment():
    on = {f"{CPR}.solutions.demand_mitigation_rate": 0.25}
    free = run_scenario("cpr_2019_20", {**on, f"{CPR}.solutions.demand_mitigation_investment": 0})
    costed = run_scenario("cpr_2019_20", on)
    np.testing.assert_allclose(series(costed, "solutions", "demand_mitigation", "cpr_ccg"),
                               0.225 * series(free, "solutions", "demand_mitigation", "cpr_ccg"),
                               rtol=1e-12)


def test_tight_funding_never_ends_better_than_its_base():
    base = run_scenario("footprint_2019_20")
    tight = run_scenario("footprint_2019_20_tight_funding")
    for measure in ("do_nothing_surplus", "do_something_surplus", "underlying_surplus"):
        assert (series(tight, measure) <= series(base, measure) + 1e-6).all(), measure


def test_southend_ae_activity_is_southends_share_of_the_hospitals():
    # 108,203 attendances at Southend's A&E in 2019/20 (000:L92 grown 3.40%), 51.33% Southend's
    s = load_scenario("southend_2019_20")
    assert s.org("southend_ccg").demand.pods["ae"].activity == pytest.approx(108203 * 0.5133,
                                                                             abs=1)


# --- 6. the Monte Carlo draws the drivers that matter ---------------------------------------


def test_the_footprint_monte_carlo_draws_allocation_growth_shared_by_both_ccgs():
    s = load_scenario("footprint_2019_20")
    spec = u.spec_of(s)
    key = "organisations.*.allocation.growth_adjustment"
    assert key in spec.paths
    k = spec.paths.index(key)
    assert set(spec.targets[k]) == {f"{CPR}.allocation.growth_adjustment",
                                    f"{SOUTHEND}.allocation.growth_adjustment"}
    drawn = u.draws(spec, seed=3, start=0, stop=500)[key]
    assert drawn[0] == 0 and drawn[1:].std() > 0.002  # central run, then a real spread
    # one draw a run reaches both CCGs: their allocation growth moves together, run by run
    sim = u.simulate(s, 300, seed=3)
    a = sim.get("cpr_ccg", "allocation", "total")
    b = sim.get("southend_ccg", "allocation", "total")
    ga, gb = a[1:, -1] / a[1:, 0], b[1:, -1] / b[1:, 0]
    assert np.corrcoef(ga, gb)[0, 1] > 0.99


def test_the_system_monte_carlo_draws_trust_council_and_shared_volume():
    spec = u.spec_of(load_scenario(SYSTEM))
    for key in ("organisations.*.allocation.growth_adjustment",
                "organisations.*.expenditure.volume_growth.acute",
                "organisations.suhft.cost_volume_growth", "organisations.suhft.efficiency_delivery",
                "organisations.essex_cc.budget_growth", "organisations.southend_bc.budget_growth"):
        assert key in spec.paths, key
    assert spec.correlation == 0.3
    assert load_scenario("footprint_2019_20").delivery_correlation == 0.3


def test_the_trust_no_longer_hedges_the_commissioners_on_prices():
    # a national price draw moves the trust's income and cost together, so its result no
    # longer rises with inflation as the commissioners' falls (it was +0.35)
    s = load_scenario(SYSTEM, {"uncertainty": {
        "organisations.*.expenditure.price_inflation":
            {"dist": "uniform", "low": 0.015, "high": 0.035}}})
    sim = u.simulate(s, 400, seed=5)
    infl = u.draws(u.spec_of(s), 5, 0, 400)["organisations.*.expenditure.price_inflation"][1:]
    real = sim.get("suhft", "do_nothing_surplus")[1:, -1] / (1 + infl) ** 4
    assert np.ptp(real) < 1e-6 * np.abs(real).max()
