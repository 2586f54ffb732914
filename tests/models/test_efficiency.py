"""The efficiency engine of trusts and councils (models/efficiency.py, models/providers.py):
hand-worked small cases, recurrence in the headline and underlying positions (a trust's
register and a commissioner's QIPP), the unidentified gap, and the Monte Carlo draws.

Every figure below is made up for the case and worked by hand in the comments [£k]."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from frames import series

from ccgmodels.inputs.loading import validate_data
from ccgmodels.models import efficiency as eff
from ccgmodels.models import uncertainty as u
from ccgmodels.models.results import check_identities
from ccgmodels.models.run import run_scenario

CPR = "organisations.cpr_ccg"
YEARS = ["2026/27", "2027/28", "2028/29"]


def scheme(id, type="pay", gross=10.0, status="delivered", **kw) -> dict:
    return {"id": id, "name": id.title(), "type": type, "category": "other",
            "gross_saving": gross, "status": status, **kw}


def scenario(trust: dict | None = None, council: dict | None = None, **top):
    orgs = []
    if trust is not None:
        orgs.append({"kind": "provider", "id": "trust", "name": "Trust", "income": 1000,
                     "cost": 1000, "efficiency_rate": 0.02, **trust})
    if council is not None:
        orgs.append({"kind": "social_care", "id": "council", "name": "Council",
                     "budget": 500, "cost": 500, **council})
    s, problems = validate_data(copy.deepcopy({
        "name": "eff", "title": "Eff", "base_year": YEARS[0], "end_year": YEARS[-1],
        "organisations": orgs, **top}), "eff.yaml")
    assert problems == [], [str(p) for p in problems]
    return s


def trust_rows(df, measure, item=""):
    return series(df, measure, item, org="trust")


# --- a trust ---------------------------------------------------------------------------------


def test_trust_plan_worked_by_hand():
    s = scenario({"efficiency": {"schemes": [
        scheme("agency", "pay", 10, "delivered", recurrent=False),
        scheme("procure", "non_pay", 8, "in_progress", start_quarter=3),
        scheme("parking", "income", 4, "scoping", investment=1),
        scheme("later", "non_pay", 6, "pipeline", start_year="2027/28")]}})
    df = run_scenario(s)
    rows = {k: trust_rows(df, "efficiency_plan", k) for k in eff.PLAN_ITEMS}
    # CIP requirement: 1000 * (1 - 0.98^t) after the base year: 0, 20, 39.6
    np.testing.assert_allclose(rows["requirement"], [0, 20, 39.6])
    # agency 10 once; procure from Q3: 8 * 2/4 = 4, then 8; parking 4 - 1 = 3 a year
    np.testing.assert_allclose(rows["pay"], [10, 0, 0])
    np.testing.assert_allclose(rows["non_pay"], [4, 8, 8])
    np.testing.assert_allclose(rows["income"], [3, 3, 3])
    np.testing.assert_allclose(rows["identified"], [17, 11, 11])
    np.testing.assert_allclose(rows["recurrent"], [7, 11, 11])
    np.testing.assert_allclose(rows["non_recurrent"], [10, 0, 0])
    # probabilities (QIPP's defaults): delivered 1, in progress 0.7, scoping 0
    np.testing.assert_allclose(rows["risk_adjusted"], [10 + 0.7 * 4, 5.6, 5.6])
    np.testing.assert_allclose(rows["unidentified"], [0, 9, 28.6])
    np.testing.assert_allclose(rows["pipeline"], [0, 6, 6])  # outside the plan
    # the solution line: risk-adjusted + pipeline at p(pipeline) 0 + gap at p 0
    np.testing.assert_allclose(trust_rows(df, "solutions", "efficiency"), [12.8, 5.6, 5.6])
    np.testing.assert_allclose(trust_rows(df, "efficiency_scheme", "parking"), [3, 3, 3])
    assert check_identities(df).empty


def test_unidentified_gap_against_a_stated_requirement():
    s = scenario({"efficiency": {
        "requirement": {"2026/27": 30, "2027/28": 50},  # 2028/29: the CIP, 39.6
        "delivery_probability": {"delivered": 1.0, "unidentified": 0.5},
        "schemes": [scheme("a", gross=14), scheme("b", gross=8, start_year="2027/28")]}})
    df = run_scenario(s)
    identified = trust_rows(df, "efficiency_plan", "identified")
    np.testing.assert_allclose(identified, [14, 22, 22])
    np.testing.assert_allclose(trust_rows(df, "efficiency_plan", "requirement"), [30, 50, 39.6])
    # max(requirement - identified, 0): 16, 28, 17.6
    gap = trust_rows(df, "efficiency_plan", "unidentified")
    np.testing.assert_allclose(gap, [16, 28, 17.6])
    # the line takes the gap at p(unidentified) = 0.5
    np.testing.assert_allclose(trust_rows(df, "solutions", "efficiency"), identified + 0.5 * gap)
    # schemes beyond the requirement leave no negative gap
    over = run_scenario(scenario({"efficiency": {"requirement": {"2026/27": 5},
                                                 "schemes": [scheme("a", gross=14)]}}))
    assert series(over, "efficiency_plan", "unidentified", org="trust")[0] == 0


def test_trust_one_off_scheme_improves_the_headline_not_the_underlying_position():
    base = [scheme("steady", "non_pay", 20, "delivered")]
    without = run_scenario(scenario({"efficiency": {"schemes": base}}))
    one_off = run_scenario(scenario({"efficiency": {"schemes": base + [
        scheme("vacancy_freeze", "pay", 12, "delivered", recurrent=False)]}}))
    recurrent = run_scenario(scenario({"efficiency": {"schemes": base + [
        scheme("vacancy_freeze", "pay", 12, "delivered")]}}))
    headline = trust_rows(one_off, "do_something_surplus") - trust_rows(
        without, "do_something_surplus")
    np.testing.assert_allclose(headline, [12, 0, 0])  # in its year only
    np.testing.assert_allclose(trust_rows(one_off, "underlying_surplus"),
                               trust_rows(without, "underlying_surplus"))
    # the same saving, recurrent, improves both, every year
    np.testing.assert_allclose(trust_rows(recurrent, "underlying_surplus")
                               - trust_rows(without, "underlying_surplus"), [12, 12, 12])
    # today's breakeven rule reads the underlying position
    assert "business_rule" in set(one_off["measure"])


def test_commissioner_one_off_qipp_scheme_improves_the_headline_not_the_underlying():
    # CPR's Evidence Based Interventions scheme, delivered (p = 1), 811 £k from the base year
    # (000:L2040), one-off against the same scheme recurrent. (Do nothing is the plan before
    # its QIPP, so it cannot be compared with the plan without the scheme.)
    one_off = run_scenario("cpr_2019_20", {f"{CPR}.qipp.schemes.ebi_msb.recurrent": False})
    recurrent = run_scenario("cpr_2019_20")
    # the base year's headline is the same: the saving is delivered either way
    assert series(one_off, "do_something_surplus")[0] == pytest.approx(
        series(recurrent, "do_something_surplus")[0])
    # but the one-off is not in the underlying position
    np.testing.assert_allclose(series(recurrent, "underlying_surplus")[0]
                               - series(one_off, "underlying_surplus")[0], 811)

    def one_offs(df):  # what the headline holds beyond the underlying position
        return series(df, "do_something_surplus") - series(df, "underlying_surplus")
    np.testing.assert_allclose(one_offs(one_off) - one_offs(recurrent), [811, 0, 0, 0, 0],
                               atol=1e-6)
    # and it is gone from the next year's headline
    assert series(one_off, "qipp_scheme", "ebi_msb")[1] == 0


def test_trust_without_a_register_is_as_today():
    s = scenario({"efficiency_delivery": 0.8})
    df = run_scenario(s)
    # CIP delivered at 0.8: 0.8 * 1000 * (1 - 0.98^t) = 0, 16, 31.68
    np.testing.assert_allclose(trust_rows(df, "solutions", "efficiency"), [0, 16, 31.68])
    np.testing.assert_allclose(trust_rows(df, "underlying_surplus"),
                               trust_rows(df, "do_something_surplus"))
    assert not {"efficiency_plan", "efficiency_scheme"} & set(df["measure"])


def test_register_of_unidentified_alone_delivers_the_cip_at_its_probability():
    # no schemes, the gap delivered at 0.8: the same line as efficiency_delivery 0.8 today
    reg = run_scenario(scenario({"efficiency": {
        "delivery_probability": {"unidentified": 0.8}, "schemes": []}}))
    today = run_scenario(scenario({"efficiency_delivery": 0.8}))
    np.testing.assert_allclose(trust_rows(reg, "solutions", "efficiency"),
                               trust_rows(today, "solutions", "efficiency"))


def test_trust_savings_grow_with_what_they_come_out_of():
    s = scenario({"price_inflation": 0.1, "tariff_efficiency": 0.5,
                  "efficiency": {"schemes": [scheme("pay", "pay", 10),
                                             scheme("inc", "income", 10)]}})
    df = run_scenario(s)
    # pay on the cost base's price 1.1^t; income on the price less the tariff efficiency,
    # (1.1 * 0.5)^t
    np.testing.assert_allclose(trust_rows(df, "efficiency_scheme", "pay"), [10, 11, 12.1])
    np.testing.assert_allclose(trust_rows(df, "efficiency_scheme", "inc"), [10, 5.5, 3.025])


def test_trust_at_a_footprint_share():
    full = run_scenario(scenario({"efficiency": {"schemes": [scheme("a")]}}))
    half = run_scenario(scenario({"consolidation": 0.5,
                                  "efficiency": {"schemes": [scheme("a")]}}))
    np.testing.assert_allclose(trust_rows(half, "efficiency_plan", "identified"),
                               0.5 * trust_rows(full, "efficiency_plan", "identified"))


# --- a council -------------------------------------------------------------------------------


def test_council_savings_line_from_its_register():
    savings = {"2026/27": 10, "2027/28": 5}  # cumulative 10, 15, 15
    plain = run_scenario(scenario(council={"savings": savings}))
    reg = run_scenario(scenario(council={"savings": savings, "consolidation": 0.5,
                                         "efficiency": {"schemes": [
                                             scheme("homecare", "non_pay", 12),
                                             scheme("one_off", "non_pay", 2,
                                                    recurrent=False)]}}))
    c = {k: series(reg, "efficiency_plan", k, org="council") for k in eff.PLAN_ITEMS}
    # at the council's 0.5 share: requirement 5, 7.5, 7.5; identified (12 + 2, 12, 12) / 2
    np.testing.assert_allclose(c["requirement"], [5, 7.5, 7.5])
    np.testing.assert_allclose(c["identified"], [7, 6, 6])
    np.testing.assert_allclose(c["unidentified"], [0, 1.5, 1.5])
    np.testing.assert_allclose(series(reg, "solutions", "social_care", org="council"),
                               [7, 6, 6])
    # the one-off is in the headline, not the underlying position
    np.testing.assert_allclose(series(reg, "do_something_surplus", org="council")
                               - series(reg, "underlying_surplus", org="council"), [1, 0, 0])
    # without the register: cumulative savings, as today
    np.testing.assert_allclose(series(plain, "solutions", "social_care", org="council"),
                               [10, 15, 15])
    assert check_identities(reg).empty


def test_council_register_has_nothing_before_its_first_year():
    df = run_scenario(scenario(council={"first_year": "2027/28", "efficiency": {
        "requirement": {"2027/28": 20}, "schemes": [scheme("a", gross=12)]}}))
    np.testing.assert_allclose(series(df, "efficiency_plan", "identified", org="council"),
                               [0, 12, 12])
    np.testing.assert_allclose(series(df, "efficiency_plan", "unidentified", org="council"),
                               [0, 8, 0])


def test_wte_by_staff_group_phased_and_weighted():
    s = scenario({"efficiency": {"schemes": [
        scheme("nurses", wte=-10, staff_group="nursing", status="in_progress",
               start_quarter=3),
        scheme("more_nurses", wte=-2, staff_group="nursing"),
        scheme("no_wte")]}})
    wte = eff.wte_by_group(s.org("trust").efficiency, YEARS)
    # 0.7 * (-10) * (0.5, 1, 1) + (-2)
    np.testing.assert_allclose(wte["nursing"], [-5.5, -9, -9])


# --- Monte Carlo -----------------------------------------------------------------------------


def mc_scenario(correlation=0.0):
    return scenario({"efficiency": {"schemes": [
        scheme("a", gross=10, status="delivered"),
        scheme("b", gross=20, status="in_progress"),
        scheme("c", gross=40, status="in_progress", recurrent=False)]}},
        council={"efficiency": {"delivery_probability": {"scoping": 0.5},
                                "schemes": [scheme("d", gross=8, status="scoping")]}},
        delivery_correlation=correlation)


def test_monte_carlo_draws_each_register_scheme_and_run_zero_is_the_model():
    s = mc_scenario()
    sim = u.simulate(s, runs=801, seed=3)
    df = run_scenario(s)
    for org in ("trust", "council"):
        for measure in ("solutions", "do_something_surplus", "underlying_surplus"):
            item = {"trust": "efficiency", "council": "social_care"}[org] \
                if measure == "solutions" else ""
            np.testing.assert_array_equal(sim.get(org, measure, item)[0],
                                          series(df, measure, item, org=org))
    line = sim.get("trust", "solutions", "efficiency")[1:, 0]
    # each run delivers a (10, p = 1) and b, c each on its own draw (p = 0.7)
    assert set(np.round(line, 9)) <= {10.0, 30.0, 50.0, 70.0}
    assert len(set(np.round(line, 9))) == 4
    assert abs(line.mean() - (10 + 0.7 * 60)) < 4 * line.std() / np.sqrt(len(line))
    # the one-off c is out of the underlying position in every run
    np.testing.assert_allclose(sim.get("trust", "underlying_surplus")[1:, 0],
                               np.where(line >= 50, line - 40, line))
    council = sim.get("council", "solutions", "social_care")[1:, 0]
    assert set(np.round(council, 9)) == {0.0, 8.0}


def test_monte_carlo_register_slips_together_under_full_correlation():
    sim = u.simulate(mc_scenario(1.0), runs=401, seed=5)
    line = sim.get("trust", "solutions", "efficiency")[1:, 0]
    assert set(np.round(line, 9)) == {10.0, 70.0}  # b and c together, or neither


def test_monte_carlo_without_registers_draws_as_before():
    s = scenario({"efficiency_delivery": 0.8})
    assert u.spec_of(s).registers == ()
    assert u.spec_of(mc_scenario()).registers == (("trust", 3), ("council", 1))


@pytest.mark.parametrize("bad", [{"delivered": 1.5}])
def test_bad_probability_is_refused(bad):
    _, problems = validate_data({"name": "e", "title": "E", "base_year": "2026/27",
                                 "end_year": "2026/27", "organisations": [
                                     {"kind": "provider", "id": "t", "name": "T",
                                      "income": 1, "cost": 1,
                                      "efficiency": {"delivery_probability": bad}}]}, "e.yaml")
    (p,) = problems
    assert p.path == "organisations.t.efficiency.delivery_probability.delivered"
    assert "above 1" in p.message


def test_monte_carlo_draws_a_register_probability_from_its_range():
    data = mc_scenario().model_dump(mode="json")
    data["uncertainty"] = {"organisations.trust.efficiency.delivery_probability.in_progress":
                           {"dist": "uniform", "low": 0.0, "high": 0.0}}
    ranged, problems = validate_data(data, "eff.yaml")
    assert problems == []
    sim = u.simulate(ranged, runs=101, seed=2)
    line = sim.get("trust", "solutions", "efficiency")
    # run 0 at the stated 0.7; the others at 0 drawn: only the delivered scheme a (10)
    assert line[0, 0] == pytest.approx(10 + 0.7 * 60)
    np.testing.assert_allclose(line[1:, 0], 10)
