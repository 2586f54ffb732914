"""ICBs and today's rules with small hand-worked numbers: the running cost allowance per head,
convergence, places summing to the ICB, a merger restated from its predecessors (nothing
counted twice), deficit support and the breakeven rule for an ICB and for a trust."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ccgmodels.inputs.scenario import Scenario
from ccgmodels.inputs.vocab import FOOTPRINT, SERVICE_LINES
from ccgmodels.models import icb
from ccgmodels.models.run import run_scenario

EXAMPLE = Path(__file__).resolve().parents[1] / "scenarios" / "icb_example_2025_26.yaml"
YEARS = ["2025/26", "2026/27", "2027/28"]


def spend(**lines: float) -> dict[str, float]:
    """Base-year spend by line, 0 for every line not given [£k]."""
    return {k: lines.get(k, 0.0) for k in SERVICE_LINES}


def an_icb(org_id: str, core: float = 1000.0, population: float = 1000.0, rca: float = 0.0,
           acute: float = 1000.0, **extra) -> dict:
    """An ICB whose allocation (core services and running costs) equals its spend (acute and
    running costs) when ``acute = core``, no contingency, nothing growing."""
    running = rca * population / 1000
    return {"kind": "icb", "id": org_id, "name": org_id, "population": population,
            "allocation": {"base": {"core_services": core}, "rca_per_head": rca},
            "expenditure": {"base": spend(acute=acute, running_costs=running)},
            "contingency_rate": 0.0, **extra}


def scenario(*orgs: dict, **extra) -> Scenario:
    return Scenario.model_validate({"name": "t", "title": "t", "base_year": YEARS[0],
                                    "end_year": YEARS[-1], "organisations": list(orgs),
                                    **extra})


def values(df, org: str, measure: str, item: str = "") -> list[float]:
    rows = df[(df["org"] == org) & (df["measure"] == measure) & (df["item"] == item)]
    return rows.sort_values("year")["value"].round(6).tolist()


# --- running cost allowance and convergence ---------------------------------------------------


def test_running_cost_allowance_is_rate_per_head_times_population():
    # 18.76 £/person * 800,000 people / 1000 = 15,008 £k; a year on at 0.5% growth and
    # 18.00 £/person: 18 * 804,000 / 1000 = 14,472 £k; then 17.5 * 808,020 / 1000 = 14,140.35
    s = scenario(an_icb("a", population=800000.0, rca=18.76,
                        population_growth=0.005)
                 | {"allocation": {"base": {"core_services": 1000.0},
                                   "rca_per_head": {"2025/26": 18.76, "2026/27": 18.0,
                                                    "2027/28": 17.5}}})
    df = run_scenario(s)
    assert values(df, "a", "allocation", "running_costs") == [15008.0, 14472.0, 14140.35]
    assert values(df, "a", "population") == [800000.0, 804000.0, 808020.0]
    assert values(df, "a", "allocation", "total") == [16008.0, 15472.0, 15140.35]


def test_convergence_closes_the_distance_at_the_pace():
    # 110 against a target of 100: distance 0.1; half of it closed a year: 0.05, 0.025;
    # allocation = target * (1 + distance) = 105, 102.5
    level, distance = icb.converged(np.full(3, 110.0), np.full(3, 100.0), 0.5, np.arange(3))
    np.testing.assert_allclose(level, [110.0, 105.0, 102.5])
    np.testing.assert_allclose(distance, [0.1, 0.05, 0.025])


def test_convergence_of_a_growing_stream_through_the_model():
    # core 1000, target 800, growth 10%, pace 0.5: target 800, 880, 968; distance 0.25,
    # 0.125, 0.0625; allocation 1000, 880 * 1.125 = 990, 968 * 1.0625 = 1028.5
    org = an_icb("a")
    org["allocation"] |= {"growth": {"core_services": 0.1},
                          "convergence": {"core_services": {"target": 800.0,
                                                            "convergence_pace": 0.5}}}
    df = run_scenario(scenario(org))
    assert values(df, "a", "allocation", "core_services") == [1000.0, 990.0, 1028.5]
    assert values(df, "a", "target_allocation", "core_services") == [800.0, 880.0, 968.0]
    assert values(df, "a", "distance_from_target", "core_services") == [0.25, 0.125, 0.0625]


def test_no_pace_keeps_the_growth():
    org = an_icb("a")
    org["allocation"] |= {"growth": {"core_services": 0.1},
                          "convergence": {"core_services": {"target": 800.0}}}
    df = run_scenario(scenario(org))
    np.testing.assert_allclose(values(df, "a", "allocation", "core_services"),
                               [1000.0, 1100.0, 1210.0])
    np.testing.assert_allclose(values(df, "a", "distance_from_target", "core_services"),
                               [0.25] * 3)


# --- places ------------------------------------------------------------------------------------


def places_icb() -> dict:
    # core 1000 (north 600 in £k, south a 0.4 share: 400), running costs 10 £/person on 1000
    # people (north 700, south 300: 7 and 3 £k), acute 1000 (north 600, south 400), growing
    # 10% a year while the allocation does not
    org = an_icb("a", rca=10.0)
    org["expenditure"] |= {"volume_growth": {"acute": 0.1}}
    org["places"] = [
        {"id": "north", "name": "North", "population": 700.0,
         "allocation": {"core_services": 600.0},
         "expenditure": spend(acute=600.0, running_costs=7.0)},
        {"id": "south", "name": "South", "population": 300.0, "share": 0.4,
         "expenditure": spend(acute=400.0, running_costs=3.0)},
    ]
    return org


def test_places_sum_to_the_icb_every_year():
    df = run_scenario(scenario(places_icb()))
    # north: 600 + 0.7 * 10 = 607 allocation; acute 0.6 * 1000 * 1.1^t, running 7
    assert values(df, "a", "place_allocation", "north") == [607.0, 607.0, 607.0]
    assert values(df, "a", "place_allocation", "south") == [403.0, 403.0, 403.0]
    assert values(df, "a", "place_population", "south") == [300.0, 300.0, 300.0]
    north = values(df, "a", "place_expenditure", "north")
    assert north[1] == pytest.approx(0.6 * 1100 + 7)
    for measure, whole in (("place_allocation", ("allocation", "total")),
                           ("place_expenditure", ("expenditure", "total")),
                           ("place_surplus", ("surplus", ""))):
        parts = np.add(values(df, "a", measure, "north"), values(df, "a", measure, "south"))
        np.testing.assert_allclose(parts, values(df, "a", *whole), atol=1e-9)
    # places are the ICB's rows, never organisations of the footprint
    assert not df["org"].isin(["north", "south"]).any()
    assert not (df[df["org"] == FOOTPRINT]["measure"].str.startswith("place_")).any()


# --- a merger ----------------------------------------------------------------------------------


def merger() -> Scenario:
    # North: core 600, primary medical care 60, 500 people; South: core 400, 40, 300 people;
    # spend acute 590 + 395, running costs 5 + 3 (rca 10 £/person)
    north = an_icb("north", core=600.0, population=500.0, rca=10.0, acute=590.0)
    north["allocation"]["base"]["primary_medical_care"] = 60.0
    south = an_icb("south", core=400.0, population=300.0, rca=10.0, acute=395.0)
    south["allocation"]["base"]["primary_medical_care"] = 40.0
    merged = {"kind": "icb", "id": "merged", "name": "Merged", "predecessors": ["north", "south"],
              "allocation": {"rca_per_head": 10.0}, "expenditure": {}, "contingency_rate": 0.0}
    return scenario(north, south, merged)


def test_merger_restates_the_successor_as_the_sum_nothing_twice():
    df = run_scenario(merger())
    base = df[df["year"] == YEARS[0]]
    # the successor's base year is the sum: core 1000, primary medical care 100, 800 people,
    # running costs 10 * 800 / 1000 = 8, allocation 1108; spend 985 + 8 = 993
    assert values(base, "merged", "allocation", "core_services") == [1000.0]
    assert values(base, "merged", "allocation", "primary_medical_care") == [100.0]
    assert values(base, "merged", "population") == [800.0]
    assert values(base, "merged", "allocation", "total") == [1108.0]
    assert values(base, "merged", "do_nothing_expenditure", "total") == [993.0]
    # the restatement table: each predecessor and the total (the four streams, spend, people)
    assert values(base, "merged", "restated_allocation", "north") == [660.0]
    assert values(base, "merged", "restated_allocation", "south") == [440.0]
    assert values(base, "merged", "restated_allocation", "total") == [1100.0]
    assert values(base, "merged", "restated_expenditure", "total") == [595.0 + 398.0]
    assert values(base, "merged", "restated_population", "total") == [800.0]
    assert values(df, "merged", "restated_allocation", "total") == [1100.0]  # base year only
    # nothing counted twice: the predecessors are not organisations of the results, and the
    # footprint's allocation is the successor's
    assert set(df["org"]) == {"merged", FOOTPRINT}
    assert values(df, FOOTPRINT, "allocation", "total") == values(df, "merged", "allocation",
                                                                   "total")


# --- deficit support and breakeven -------------------------------------------------------------


def test_icb_breaking_even_only_with_deficit_support_fails():
    # allocation 1000, spend 1100: do nothing (100); deficit support 100 in every year
    # brings do something to 0, but the underlying position, without it, is (100) < 0
    org = an_icb("a", acute=1100.0,
                 deficit_support={"2025/26": 100.0, "2026/27": 100.0, "2027/28": 100.0})
    df = run_scenario(scenario(org))
    assert values(df, "a", "solutions", "deficit_support") == [100.0] * 3
    assert values(df, "a", "do_something_surplus") == [0.0] * 3
    assert values(df, "a", "underlying_surplus") == [-100.0] * 3
    assert values(df, "a", "business_rule", "breakeven") == [0.0] * 3
    assert values(df, "a", "business_rule", "control_total") == []  # a CCG's rule, not an ICB's


def test_icb_breaking_even_on_its_own_passes_and_the_taper_is_as_given():
    # allocation 1000, spend 990: 10 surplus without support; support tapers 50, 20, 0
    org = an_icb("a", acute=990.0, deficit_support={"2025/26": 50.0, "2026/27": 20.0})
    df = run_scenario(scenario(org))
    assert values(df, "a", "solutions", "deficit_support") == [50.0, 20.0, 0.0]
    assert values(df, "a", "do_something_surplus") == [60.0, 30.0, 10.0]
    assert values(df, "a", "underlying_surplus") == [10.0] * 3
    assert values(df, "a", "business_rule", "breakeven") == [1.0] * 3


def test_planned_surplus_is_the_bar():
    # 10 underlying against a planned surplus of 0, 10, 20: met, met, not met
    org = an_icb("a", acute=990.0, planned_surplus={"2025/26": 0.0, "2026/27": 10.0,
                                                     "2027/28": 20.0})
    df = run_scenario(scenario(org))
    assert values(df, "a", "control_total") == [0.0, 10.0, 20.0]
    assert values(df, "a", "business_rule", "breakeven") == [1.0, 1.0, 0.0]


def trust(income: float, cost: float, **extra) -> dict:
    return {"kind": "provider", "id": "trust", "name": "Trust", "income": income, "cost": cost,
            **extra}


def test_trust_breaking_even_only_with_deficit_support_fails():
    # income 1000, cost 1100, deficit support 100: do something 0, underlying (100)
    s = scenario(an_icb("a"), trust(1000.0, 1100.0, deficit_support={
        "2025/26": 100.0, "2026/27": 100.0, "2027/28": 100.0}))
    df = run_scenario(s)
    assert values(df, "trust", "do_something_surplus") == [0.0] * 3
    assert values(df, "trust", "underlying_surplus") == [-100.0] * 3
    assert values(df, "trust", "business_rule", "breakeven") == [0.0] * 3
    assert values(df, "a", "business_rule", "breakeven") == [1.0] * 3  # each body its own


def test_trust_in_surplus_passes_and_a_ccg_era_trust_has_no_rule():
    df = run_scenario(scenario(an_icb("a"), trust(1100.0, 1000.0)))
    assert values(df, "trust", "business_rule", "breakeven") == [1.0] * 3
    assert values(df, "trust", "control_total") == [0.0] * 3
    ccg_era = run_scenario("cpr_2019_20")
    assert not ((ccg_era["item"] == "breakeven") | (ccg_era["item"] == "deficit_support")).any()


def test_trust_rule_judges_the_whole_body_not_its_footprint_share():
    # a half-consolidated trust with underlying 10: the flag stays 1, not scaled to 0.5
    df = run_scenario(scenario(an_icb("a"), trust(1010.0, 1000.0, consolidation=0.5)))
    assert values(df, "trust", "business_rule", "breakeven") == [1.0] * 3
    assert values(df, "trust", "underlying_surplus") == [5.0] * 3


def test_system_is_a_consolidation_not_a_body():
    # the footprint sums the bodies' positions; it has no breakeven rule of its own
    df = run_scenario(scenario(an_icb("a", acute=1100.0), trust(1100.0, 1000.0)))
    assert values(df, FOOTPRINT, "do_something_surplus") == [0.0] * 3
    assert values(df, FOOTPRINT, "business_rule", "breakeven") == []


# --- the example, end to end --------------------------------------------------------------------


def test_example_scenario_runs_end_to_end():
    df = run_scenario(EXAMPLE)
    assert {"merged_icb", "example_trust", "example_council", FOOTPRINT} == set(df["org"])
    base = df[df["year"] == "2025/26"]
    # merged: north 690,000 + south 460,000 of the four streams; 800,000 people
    assert values(base, "merged_icb", "restated_allocation", "total") == [1150000.0]
    assert values(base, "merged_icb", "allocation", "running_costs") == [15008.0]
    assert len(values(df, "example_trust", "business_rule", "breakeven")) == 4
    assert len(values(df, "merged_icb", "business_rule", "breakeven")) == 4


def test_monte_carlo_over_a_predecessors_figure_and_the_convergence_pace():
    # ranges on a predecessor's base (restated into the successor run by run) and on the
    # pace: the runs evaluate, and the successor's base-year allocation moves with the draw
    from ccgmodels.inputs.loading import load_scenario
    from ccgmodels.models.uncertainty import simulate

    s = load_scenario(EXAMPLE, {"uncertainty": {
        "organisations.north_icb.allocation.base.core_services":
            {"dist": "uniform", "low": 550000.0, "high": 650000.0},
        "organisations.merged_icb.allocation.convergence.core_services.convergence_pace":
            {"dist": "uniform", "low": 0.1, "high": 0.5}}})
    r = simulate(s, runs=20, seed=1)
    total = r.exact[("merged_icb", "allocation", "total")]
    assert total["central"][0] == pytest.approx(1165008.0)
    assert total["mean"][0] != pytest.approx(1165008.0)
    assert abs(total["mean"][0] - 1165008.0) < 50000.0


def test_an_icb_is_judged_by_today_s_rule_alone_and_a_ccg_keeps_its_plan_s_rules():
    """The 2019/20 plans' rules (control total, MHIS growth, primary care and community growth:
    000:L1976, L2673, L2676) are not rules of the 2026/27 framework: an ICB carries the
    breakeven rule only; a CCG of the 2019/20 plans keeps all four, unchanged."""
    from ccgmodels.models.planning_rules import CCG_ERA_RULES

    def rules(df, org):
        return set(df[(df["org"] == org) & (df["measure"] == "business_rule")]["item"])

    assert rules(run_scenario(EXAMPLE), "merged_icb") == {"breakeven"}
    assert rules(run_scenario("cpr_2019_20"), "cpr_ccg") == set(CCG_ERA_RULES)
