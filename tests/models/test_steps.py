"""Hand-sized tests of each step of the chain, called directly.

Each test builds a tiny organisation with pydantic (a few hundred £k, three years, round
numbers), calls one step of :mod:`ccgmodels.models.finance` (in the order of its module
docstring), :mod:`ccgmodels.models.providers` or :mod:`ccgmodels.models.system`, and asserts
numbers worked by hand: the comment beside each expected value shows the arithmetic. None was
copied from running the code. Money in £k; surplus positive; years on the last axis, base year
first.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from ccgmodels.inputs.scenario import Commissioner, Provider, SocialCare
from ccgmodels.inputs.vocab import SERVICE_LINES
from ccgmodels.models import arithmetic, finance, planning_rules, providers, system
from ccgmodels.models import schemes as sch

YEARS = ["2019/20", "2020/21", "2021/22"]
FLAT = np.full(3, 1000.0)  # an allocation of 1,000 £k in every year


def close(actual, expected) -> None:
    """``actual`` equals the hand-worked ``expected`` to rounding (NaN matches NaN)."""
    np.testing.assert_allclose(np.asarray(actual, dtype=float),
                               np.asarray(expected, dtype=float), rtol=0, atol=1e-9)


def ccg(spend: dict | None = None, expenditure: dict | None = None, **fields) -> Commissioner:
    """A commissioner of round numbers: allocation 1,000 £k (programme 800, running costs 100,
    co-commissioning 100) with no growth; every service line 0 unless ``spend`` names it; no
    contingency; ``expenditure`` and ``fields`` add to or replace the rest."""
    data = {
        "kind": "ccg", "id": "ccg_a", "name": "CCG A",
        "allocation": {"base": {"programme": 800.0, "running_costs": 100.0,
                                "primary_care_cocommissioning": 100.0}},
        "expenditure": {"base": {line: 0.0 for line in SERVICE_LINES} | (spend or {}),
                        **(expenditure or {})},
        "contingency_rate": 0.0,
    }
    return Commissioner.model_validate(data | fields)


def scheme(id: str, category: str, gross: float | None, status: str = "delivered",
           **fields) -> dict:
    """A QIPP scheme starting in the base year's first quarter, recurrent unless told."""
    return {"id": id, "name": id, "category": category, "status": status,
            **({} if gross is None else {"gross_saving": gross}), **fields}


def with_schemes(*schemes: dict, **qipp) -> dict:
    return {"qipp": {"schemes": list(schemes), **qipp}}


# --- 1. allocation ---------------------------------------------------------------------------


def test_allocation_grows_each_type_by_its_own_rate_and_sums_them():
    o = ccg(allocation={
        "base": {"programme": 800.0, "running_costs": 100.0,
                 "primary_care_cocommissioning": 100.0},
        "growth": {"programme": {"2020/21": 0.05, "2021/22": 0.02},
                   "primary_care_cocommissioning": 0.1}})
    a = finance.allocation(o, YEARS)
    close(a["programme"], [800, 840, 856.8])  # 800 * 1.05 = 840; 840 * 1.02 = 856.8
    close(a["running_costs"], [100, 100, 100])  # no growth given: 0
    close(a["primary_care_cocommissioning"], [100, 110, 121])  # 100 * 1.1 = 110; * 1.1 = 121
    close(a["total"], [1000, 1050, 1077.8])  # 840 + 100 + 110; 856.8 + 100 + 121


def test_allocation_takes_published_levels_times_the_growth_adjustment():
    level = {"programme": 900.0, "running_costs": 100.0, "primary_care_cocommissioning": 100.0}
    o = ccg(allocation={
        "base": {"programme": 800.0, "running_costs": 100.0,
                 "primary_care_cocommissioning": 100.0},
        "levels": {"2020/21": level, "2021/22": level | {"programme": 950.0}},
        "growth_adjustment": 0.01})
    a = finance.allocation(o, YEARS)
    # the base year is as stated; each later level compounds the adjustment from the base
    close(a["programme"], [800, 909, 969.095])  # 900 * 1.01 = 909; 950 * 1.01^2 = 969.095
    close(a["running_costs"], [100, 101, 102.01])  # 100 * 1.01; 100 * 1.0201
    close(a["total"], [1000, 1111, 1173.115])  # 909 + 101 + 101; 969.095 + 2 * 102.01


# --- 2. plan lines and activity --------------------------------------------------------------


def test_plan_lines_grow_each_line_by_volume_and_price():
    o = ccg(spend={"acute": 1000.0, "mental_health": 100.0},
            expenditure={"volume_growth": {"acute": 0.02}, "price_inflation": 0.03,
                         "price_inflation_by_line": {"mental_health": 0.1}})
    lines = finance.plan_lines(o, YEARS)
    # 1000 * 1.02 * 1.03 = 1050.6; 1050.6 * 1.0506 = 1103.76036
    close(lines.spend["acute"], [1000, 1050.6, 1103.76036])
    close(lines.at_base_volume["acute"], [1000, 1030, 1060.9])  # price only: 1000 * 1.03^t
    close(lines.index["acute"], [1, 1.0506, 1.10376036])  # spend / 1000
    # the line's own inflation replaces the general one: 100 * 1.1 = 110; * 1.1 = 121
    close(lines.spend["mental_health"], [100, 110, 121])
    close(lines.spend["community"], [0, 0, 0])
    close(lines.index["community"], [1, 1, 1])  # an empty line indexes as 1, not 0/0
    assert lines.pods == []


def test_plan_lines_gross_up_the_base_year_schemes_but_not_the_gap_or_the_pipeline():
    o = ccg(spend={"acute": 1000.0, "community": 200.0}, **with_schemes(
        # the plan's acute line is net of this 100 saving, its community line holds the 20
        scheme("s1", "acute", 100.0, investment=20.0, investment_line="community"),
        scheme("later", "acute", 50.0, start_year="2020/21"),  # not in the base-year plan
        scheme("pipe", "acute", 70.0, status="pipeline"),  # costed, outside the plan
        unidentified=25.0))  # the unidentified gap: not a line, never delivered by do nothing
    lines = finance.plan_lines(o, YEARS)
    assert lines.gross["acute"] == 1100  # 1000 + 100 taken off by s1
    assert lines.gross["community"] == 180  # 200 - 20 s1 put in
    close(lines.spend["acute"], [1100, 1100, 1100])  # no growth given
    close(lines.spend["community"], [180, 180, 180])


def test_plan_lines_grow_points_of_delivery_by_activity_and_the_rest_by_the_line():
    o = ccg(spend={"acute": 1000.0}, expenditure={"price_inflation": 0.03}, demand={
        "population_growth": {"all": 0.1},
        "pods": {"ae": {"activity": 100.0, "cost_share": 0.5, "age_mix": {"all": 1.0},
                        "non_demographic_growth": 0.0}}})
    lines = finance.plan_lines(o, YEARS)
    # A&E: half of acute's 1,000 over 100 attendances, 5 £k each; activity 100, 110, 121;
    # price 1, 1.03, 1.0609. Cost 500; 110 * 5 * 1.03 = 566.5; 121 * 5 * 1.0609 = 641.8445.
    # The other half at price alone: 500, 515, 530.45.
    close(lines.spend["acute"], [1000, 1081.5, 1172.2945])  # 566.5 + 515; 641.8445 + 530.45
    close(lines.at_base_volume["acute"], [1000, 1030, 1060.9])  # 1000 * price
    measures = finance.activity(lines)
    close(measures[("activity", "ae")], [100, 110, 121])
    close(measures[("activity_cost", "ae")], [500, 566.5, 641.8445])
    close(measures[("unit_cost", "ae")], [5, 5.15, 5.3045])  # 5 * 1.03; 5 * 1.0609
    # growth from the year before; none in the base year
    close(measures[("growth_demographic", "ae")], [np.nan, 0.1, 0.1])
    close(measures[("growth_non_demographic", "ae")], [np.nan, 0, 0])


def test_the_tariff_efficiency_factor_cuts_acute_prices_only():
    pod = {"cost_share": 1.0, "age_mix": {"all": 1.0}, "non_demographic_growth": 0.0}
    o = ccg(spend={"acute": 1000.0, "prescribing": 200.0}, demand={
        "population_growth": {"all": 0.0}, "tariff_efficiency": 0.1,
        "pods": {"ae": {"activity": 100.0, **pod},
                 "prescribing_items": {"activity": 50.0, **pod}}})
    lines = finance.plan_lines(o, YEARS)
    close(lines.spend["acute"], [1000, 900, 810])  # 1000 * 0.9 = 900; * 0.9 = 810
    close(lines.spend["prescribing"], [200, 200, 200])  # the Drug Tariff: no factor


# --- 3. scheme savings and a stated plan -----------------------------------------------------


def test_scheme_savings_phase_by_start_and_index_with_their_lines():
    o = ccg(spend={"acute": 1000.0, "community": 100.0},
            expenditure={"price_inflation": 0.1,
                         "price_inflation_by_line": {"community": 0.05}},
            **with_schemes(
                scheme("a", "acute", 100.0, investment=20.0, investment_line="community"),
                scheme("b", "acute", 40.0, start_quarter=3),
                scheme("c", "acute", 40.0, start_year="2018/19", start_quarter=3),
                scheme("d", "acute", 30.0, recurrent=False)))
    lines = finance.plan_lines(o, YEARS)
    s = finance.scheme_savings(o, YEARS, lines)
    # acute index 1, 1.1, 1.21; community 1, 1.05, 1.1025
    close(s.effect[0], [80, 89, 98.95])  # 100 - 20; 110 - 21; 121 - 22.05
    close(s.effect[1], [20, 44, 48.4])  # a Q3 start: (5 - 3) / 4 = half in the base; 40 * 1.1
    close(s.effect[2], [20, 22, 24.2])  # started 2018/19 Q3: the other half of 40, indexed
    close(s.effect[3], [30, 0, 0])  # non-recurrent: once
    close(s.by_line["acute"], [170, 176, 193.6])  # 100+20+20+30; 110+44+22; 121+48.4+24.2
    close(s.by_line["community"], [-20, -21, -22.05])  # the investment goes on its line


def test_a_stated_plan_is_a_scheme_of_its_own_mitigating_do_nothing():
    o = ccg(spend={"acute": 1000.0, "mental_health": 100.0},
            expenditure={"price_inflation": 0.1,
                         "price_inflation_by_line": {"mental_health": 0.0},
                         "planned": {"2020/21": {"acute": 1050.0, "mental_health": 120.0},
                                     "2021/22": {"acute": 1100.0, "mental_health": 130.0}},
                         "planned_status": "scoping"},
            **with_schemes(scheme("s1", "acute", 50.0)))
    lines = finance.plan_lines(o, YEARS)
    savings, schemes = sch.stated_plan(o, YEARS, lines.spend,
                                       finance.scheme_savings(o, YEARS, lines))
    assert [(s.id, s.status) for s in schemes] == [
        ("s1", "delivered"), ("stated_plan_acute", "scoping"),
        ("stated_plan_mental_health", "scoping")]
    # acute grossed up to 1,050 then 10% a year: 1050, 1155, 1270.5; s1 takes 50, 55, 60.5
    # off, leaving 1000, 1100, 1210; the plan states 1,050 and 1,100
    close(savings.effect[0], [50, 55, 60.5])
    close(savings.effect[1], [0, 50, 110])  # 1100 - 1050; 1210 - 1100; none in the base
    # mental health 100 flat against 120 and 130 planned: the plan spends more (negative)
    close(savings.effect[2], [0, -20, -30])
    close(savings.by_line["acute"], [50, 105, 170.5])  # 50 + 0; 55 + 50; 60.5 + 110
    close(savings.by_line["mental_health"], [0, -20, -30])


# --- 4. do nothing and the control total -----------------------------------------------------


def test_do_nothing_is_allocation_less_spend_and_contingency():
    o = ccg(spend={"acute": 800.0}, expenditure={"price_inflation": 0.05},
            contingency_rate=0.005, qipp={"unidentified": 25.0})
    lines = finance.plan_lines(o, YEARS)
    dn = finance.do_nothing(o, np.array([1000.0, 1100.0, 1200.0]), lines, YEARS)
    # spend 800, 840, 882; contingency 0.5% of 1000, 1100, 1200 = 5, 5.5, 6; the gap of 25
    # is not delivered by do nothing, so it is nowhere here
    close(dn[("do_nothing_expenditure", "total")], [805, 845.5, 888])
    close(dn[("do_nothing_surplus", "")], [195, 254.5, 312])  # 1000 - 805; 1100 - 845.5; ...
    close(dn[("do_nothing_cumulative_surplus", "")], [195, 449.5, 761.5])


def test_do_nothing_takes_a_stated_contingency_instead_of_the_rate():
    o = ccg(spend={"acute": 800.0}, contingency=-10.0)  # a negative reserve, as stated
    dn = finance.do_nothing(o, FLAT, finance.plan_lines(o, YEARS), YEARS)
    close(dn[("do_nothing_expenditure", "total")], [790, 790, 790])  # 800 - 10
    close(dn[("do_nothing_surplus", "")], [210, 210, 210])  # 1000 - 790


@pytest.mark.parametrize(("stated", "expected"), [
    (None, [0, 0, 0]),  # break-even when absent
    (5.0, [5, 5, 5]),  # one level for every year
    ({"2019/20": 0.0, "2020/21": 5.0, "2021/22": -10.0}, [0, 5, -10]),  # year by year
])
def test_control_total_is_stated_or_break_even(stated, expected):
    close(finance.control_total(ccg(control_total=stated), YEARS), expected)


# --- 5. QIPP ---------------------------------------------------------------------------------

QIPP_SCHEMES = with_schemes(
    scheme("s1", "acute", 60.0, status="in_progress"),
    scheme("s2", "community", 40.0),
    scheme("s3", "acute", 30.0, status="pipeline"),
    scheme("s4", "acute", None, status="pipeline"))  # described, not costed
P = np.array([0.5, 1.0, 0.0, 0.0])  # delivery of s1..s4


def _qipp(dn_surplus, **qipp):
    o = ccg(spend={"acute": 500.0, "community": 100.0},
            qipp={**QIPP_SCHEMES["qipp"], **qipp})
    lines = finance.plan_lines(o, YEARS)
    return finance.qipp(o, o.qipp.schemes, FLAT, finance.scheme_savings(o, YEARS, lines),
                        delivery=P, target=np.zeros(3), do_nothing_surplus=np.array(dn_surplus))


def test_qipp_requirement_target_identified_gap_and_headroom():
    q = _qipp([-150.0, -200.0, -250.0])
    close(q[("qipp", "required")], [150, 200, 250])  # control total 0 - do nothing
    close(q[("qipp", "planning_rule")], [30, 30, 30])  # 3% of 1,000
    close(q[("qipp", "target")], [150, 200, 250])  # no stated target: the requirement
    close(q[("qipp", "identified")], [100, 100, 100])  # s1 60 + s2 40, the plan's only
    close(q[("qipp", "risk_adjusted")], [70, 70, 70])  # 0.5 * 60 + 1 * 40
    close(q[("qipp", "unidentified")], [50, 100, 150])  # target - 100
    close(q[("qipp", "headroom_target")], [30, 40, 50])  # 20% of the target
    close(q[("qipp", "pipeline_target")], [180, 240, 300])  # target * 1.2
    close(q[("qipp", "pipeline")], [30, 30, 30])  # s3
    close(q[("qipp", "pipeline_cover")], [-50, -110, -170])  # 100 + 30 - 180; 130 - 240; ...
    close(q[("qipp_scheme", "s1")], [60, 60, 60])
    close(q[("qipp_scheme", "s4")], [np.nan] * 3)  # uncosted: no number made up
    close(q[("qipp_status", "in_progress")], [60, 60, 60])
    close(q[("qipp_status", "pipeline")], [30, 30, 30])  # s3 30 + s4 0
    close(q[("qipp_category", "acute")], [60, 60, 60])  # s1; the pipeline's s3 is not in it
    close(q[("qipp_category", "community")], [40, 40, 40])


def test_qipp_base_year_target_as_stated_or_as_identified_plus_a_stated_gap():
    q = _qipp([-150.0, -200.0, -250.0], target=120.0)
    close(q[("qipp", "target")], [120, 200, 250])  # stated in the base year only
    close(q[("qipp", "unidentified")], [20, 100, 150])  # 120 - 100
    q = _qipp([-150.0, -200.0, -250.0], unidentified=25.0)
    close(q[("qipp", "target")], [125, 200, 250])  # identified 100 + the stated gap 25
    close(q[("qipp", "unidentified")], [25, 100, 150])


def test_qipp_requires_nothing_when_do_nothing_beats_the_control_total():
    q = _qipp([10.0, 0.0, -40.0])
    close(q[("qipp", "required")], [0, 0, 40])  # max(0, 0 - 10) = 0, never negative
    close(q[("qipp", "unidentified")], [0, 0, 0])  # the schemes' 100 cover 40


# --- 6. the mental health investment standard ------------------------------------------------


def test_mhis_investment_builds_on_last_years_spend_as_met():
    alloc = {"programme": np.array([1000.0, 1100.0, 1210.0])}  # 10% growth a year
    inv = planning_rules.mhis_investment(ccg(mhis_uplift=0.01), YEARS, alloc,
                                         np.array([100.0, 105.0, 120.0]))
    # must grow 10% + 1% = 11%: met 100; max(105, 100 * 1.11) = 111; max(120, 111 * 1.11)
    # = 123.21 (on 111 as met, not the 105 planned: 105 * 1.11 = 116.55 < 120 would need none)
    close(inv, [0, 6, 3.21])  # 111 - 105; 123.21 - 120


def test_mhis_adds_nothing_to_a_plan_stated_year_by_year():
    o = ccg(mhis_uplift=0.01, expenditure={"planned": {
        "2020/21": {"mental_health": 100.0}, "2021/22": {"mental_health": 100.0}}})
    inv = planning_rules.mhis_investment(o, YEARS, {"programme": np.array([1000.0, 1100, 1210])},
                                         np.array([100.0, 100.0, 100.0]))
    close(inv, [0, 0, 0])  # taken as printed; its shortfall is reported, not costed


# --- 7. the commissioner plan ----------------------------------------------------------------


def test_plan_is_do_nothing_with_the_schemes_and_the_base_year_gap_netted_off():
    o = ccg(spend={"acute": 800.0, "mental_health": 100.0}, contingency_rate=0.01,
            **with_schemes(scheme("s1", "acute", 50.0)))
    lines = finance.plan_lines(o, YEARS)  # acute grossed up to 850, flat
    savings = finance.scheme_savings(o, YEARS, lines)
    p = finance.plan(o, YEARS, FLAT, lines, savings, gap=np.array([20.0, 30.0, 40.0]),
                     mhis=np.array([0.0, 6.0, 3.0]))
    close(p[("expenditure", "acute")], [800, 800, 800])  # 850 - 50
    close(p[("expenditure", "mental_health")], [100, 106, 103])  # 100 + the MHIS investment
    close(p[("expenditure", "contingency_reserve")], [10, 10, 10])  # 1% of 1,000
    close(p[("expenditure", "unidentified_qipp")], [-20, 0, 0])  # the gap, base year only
    close(p[("expenditure", "total")], [890, 916, 913])  # 800 + 100 + 10 - 20; 800 + 106 + 10
    close(p[("surplus", "")], [110, 84, 87])  # 1000 - total
    # do nothing is 1000 - 850 - 100 - 10 = 40: the base-year plan is 40 + 50 (s1) + 20 (the
    # gap); a later year's carries s1 alone, less the investment: 40 + 50 - 6 = 84


# --- 8. mitigation, contract flows and the primary care bridge -------------------------------


def test_mitigation_takes_a_share_of_activity_growth_never_of_price_or_a_fall():
    o = ccg(spend={"acute": 1000.0, "community": 100.0, "bcf": 50.0},
            expenditure={"price_inflation": 0.05,
                         "volume_growth": {"acute": 0.1, "community": -0.1, "bcf": 0.1}},
            solutions={"demand_mitigation_rate": 0.5})
    m = finance.mitigation_by_line(o, finance.plan_lines(o, YEARS), 3)
    # acute 1000 * (1.1 * 1.05)^t = 1000, 1155, 1334.025 against 1000 * 1.05^t = 1000, 1050,
    # 1102.5 at base volume: growth 0, 105, 231.525, half of it mitigated
    close(m["acute"], [0, 52.5, 115.7625])
    close(m["community"], [0, 0, 0])  # shrinking: max(spend - at base volume, 0) = 0
    assert "bcf" not in m  # not patient activity
    assert set(m) == set(o.solutions.mitigation_lines)


def test_contract_flows_pay_the_plan_and_a_block_contract_gives_back():
    o = ccg(contracts=[{"provider": "trust_a", "lines": {"acute": 0.6, "community": 0.5}},
                       {"provider": "trust_b", "lines": {"acute": 0.3}, "basis": "block"}])
    plan_spend = {"acute": np.array([1000.0, 1100.0, 1210.0]), "community": np.full(3, 100.0)}
    avoided = {"acute": np.array([0.0, 50.0, 105.0])}
    f = system.contract_flows(o, plan_spend, avoided, 3)
    close(f[("contract_payments", "trust_a")], [650, 710, 776])  # 0.6 * acute + 0.5 * 100
    close(f[("contract_activity_avoided", "trust_a")], [0, 30, 63])  # 0.6 * 50; 0.6 * 105
    close(f[("contract_income_lost", "trust_a")], [0, 30, 63])  # activity: income follows
    close(f[("contract_payments", "trust_b")], [300, 330, 363])  # 0.3 * acute
    close(f[("contract_activity_avoided", "trust_b")], [0, 15, 31.5])  # 0.3 * 50; 0.3 * 105
    close(f[("contract_income_lost", "trust_b")], [0, 0, 0])  # block: the payment stays
    close(f[("solutions", "given_back")], [0, 15, 31.5])  # what the block keeps being paid


BRIDGE = {"years": {
    "2019/20": {"income": 100.0, "expenditure": 90.0, "workforce": -5.0,
                "baseline_funding": 2.0, "stf": 3.0},
    "2020/21": {"income": 110.0, "expenditure": 100.0, "workforce": -10.0, "estates": -4.0,
                "baseline_funding": 6.0, "stf": 8.0}}}


def test_bridge_in_plan_after_the_base_year_and_its_recurrent_model_after_its_last_year():
    o = ccg(primary_care_bridge=BRIDGE)
    lines, recon = system.bridge_in_plan(o, YEARS, np.array([100.0, 105.0, 110.0]),
                                         np.array([95.0, 99.0, 104.0]))
    # base year: the plan as printed carries its own; 2020/21: -10 - 4 + 6 = -8; 2021/22 is
    # after the bridge: its recurrent model carries on at the last year's -8
    close(lines["primary_care_model"], [0, -8, -8])
    close(lines["stf"], [0, 8, 0])  # non-recurrent: in its own year only
    close(recon[("pc_bridge_reconciliation", "income")], [np.nan, 5, np.nan])  # 110 - 105
    close(recon[("pc_bridge_reconciliation", "expenditure")], [np.nan, 1, np.nan])  # 100 - 99


def test_no_bridge_adds_nothing():
    lines, recon = system.bridge_in_plan(ccg(), YEARS, FLAT, FLAT)
    close(lines["primary_care_model"], [0, 0, 0])
    close(lines["stf"], [0, 0, 0])
    assert recon == {}


# --- 9. solutions ----------------------------------------------------------------------------


def _solutions(reserve, **solution_fields):
    o = ccg(spend={"acute": 500.0, "community": 100.0},
            solutions={"demand_mitigation_investment": 0.5, "stf": {"2020/21": 12.0},
                       **solution_fields},
            **with_schemes(scheme("s1", "acute", 60.0, status="in_progress"),
                           scheme("s2", "community", 40.0),
                           scheme("s3", "acute", 30.0, status="pipeline")))
    savings = finance.scheme_savings(o, YEARS, finance.plan_lines(o, YEARS))
    return finance.solutions(
        o, YEARS, savings,
        {"acute": np.array([0.0, 50.0, 105.0]), "community": np.array([0.0, 10.0, 20.0])},
        delivery=np.array([0.5, 1.0, 0.0]), gap_delivery=0.2,
        unidentified=np.array([50.0, 100.0, 150.0]), reserve=np.array(reserve),
        in_plan=sch.plan_mask(o.qipp.schemes), given_back=np.array([0.0, 15.0, 31.5]),
        bridge={"primary_care_model": np.array([0.0, -8.0, -8.0]),
                "stf": np.array([0.0, 8.0, 0.0])},
        mhis=np.array([0.0, 6.0, 3.21]))


def test_solutions_each_on_its_own_line():
    s = _solutions([100.0, 100.0, 100.0])
    close(s["demand_mitigation"], [0, 30, 62.5])  # (1 - 0.5) * (50 + 10); 0.5 * (105 + 20)
    # 0.5 * 60 + 1 * 40 + 0 * 30 = 70, and 0.2 of the gap 50, 100, 150
    close(s["schemes"], [80, 90, 100])
    # slippage over the plan's schemes (the pipeline's s3 is not slippage): 0.5 * 60 = 30,
    # and 0.8 of the gap: 70, 110, 150; the reserve of 100 is released up to it
    close(s["contingency_release"], [70, 100, 100])
    close(s["primary_care_model"], [0, -8, -8])  # the bridge's, as given
    close(s["mental_health_investment"], [0, -6, -3.21])  # a cost
    close(s["contract_flows"], [0, -15, -31.5])  # given back on the block contract
    close(s["stf"], [0, 20, 0])  # 12 received + the bridge's 8
    close(s["social_care"], [0, 0, 0])
    assert "efficiency" not in s  # a commissioner has no efficiency line of its own


def test_contingency_is_released_only_when_asked_and_never_below_zero():
    close(_solutions([100.0, 100.0, 100.0], contingency_release=False)["contingency_release"],
          [0, 0, 0])
    close(_solutions([-10.0, 40.0, 200.0])["contingency_release"],
          [0, 40, 150])  # max(-10, 0) = 0; min(40, 110) = 40; min(200, 150) = 150


# --- 10. position and the non-recurrent part -------------------------------------------------


def test_non_recurrent_is_the_expected_saving_of_one_off_schemes():
    o = ccg(spend={"acute": 500.0}, **with_schemes(
        scheme("r", "acute", 60.0, status="in_progress"),
        scheme("n", "acute", 40.0, recurrent=False)))
    savings = finance.scheme_savings(o, YEARS, finance.plan_lines(o, YEARS))
    close(finance.non_recurrent(o.qipp.schemes, savings, np.array([0.5, 0.75])),
          [30, 0, 0])  # 0.75 * 40 in its one year; the recurrent r is not counted


def test_position_adds_the_solutions_and_takes_the_one_offs_out_of_the_underlying():
    out = arithmetic.position(
        np.array([-100.0, -200.0, -300.0]),
        {"schemes": np.array([80.0, 90.0, 100.0]), "stf": np.array([0.0, 20.0, 0.0]),
         "contingency_release": np.array([70.0, 100.0, 100.0])},
        non_recurrent_extra=np.array([30.0, 0.0, 0.0]))
    close(out[("solutions", "total")], [150, 210, 200])  # 80 + 0 + 70; 90 + 20 + 100; ...
    close(out[("solutions", "efficiency")], [0, 0, 0])  # an absent line is 0
    close(out[("do_something_surplus", "")], [50, 10, -100])  # -100 + 150; -200 + 210; ...
    close(out[("do_something_cumulative_surplus", "")], [50, 60, -40])
    # less STF, the contingency release and the one-off schemes: 50 - 0 - 70 - 30 = -50;
    # 10 - 20 - 100 = -110; -100 - 0 - 100 = -200
    close(out[("underlying_surplus", "")], [-50, -110, -200])


# --- providers and councils ------------------------------------------------------------------


def trust(**fields) -> Provider:
    return Provider.model_validate({"kind": "provider", "id": "trust", "name": "A trust",
                                    "income": 200.0, "cost": 1000.0} | fields)


CONTRACTS = [
    {("contract_payments", "trust"): np.array([500.0, 510.0, 520.0]),  # activity-based
     ("contract_income_lost", "trust"): np.array([0.0, 10.0, 20.0]),
     ("contract_activity_avoided", "trust"): np.array([0.0, 10.0, 20.0])},
    {("contract_payments", "trust"): np.array([300.0, 310.0, 320.0]),  # a block
     ("contract_activity_avoided", "trust"): np.array([0.0, 10.0, 20.0])},
    {("contract_payments", "someone_else"): np.array([999.0, 999.0, 999.0])},
]


def test_provider_income_cost_cip_and_what_avoided_activity_does():
    p = trust(cost_volume_growth=0.1, efficiency_rate=0.02, efficiency_delivery=0.5,
              marginal_cost_rate=0.7, stf={"2020/21": 5.0})
    out = providers.provider(p, YEARS, CONTRACTS, prices=(0.05, 0.02))
    # other income 200 at the contracts' price, 1.05 * 0.98 = 1.029 a year: 200, 205.8,
    # 211.7682; contracts 500 + 300 = 800, 820, 840 (not the other provider's 999)
    close(out[("income", "other")], [200, 205.8, 211.7682])
    close(out[("income", "contracts")], [800, 820, 840])
    close(out[("income", "total")], [1000, 1025.8, 1051.7682])
    # cost 1000 * (1.1 volume * 1.05 price)^t = 1000, 1155, 1334.025
    close(out[("do_nothing_expenditure", "total")], [1000, 1155, 1334.025])
    close(out[("do_nothing_surplus", "")], [0, -129.2, -282.2568])
    # CIP: half of cost * (1 - 0.98^t): 0.5 * 1155 * 0.02 = 11.55;
    # 0.5 * 1334.025 * (1 - 0.9604) = 26.413695
    close(out[("solutions", "efficiency")], [0, 11.55, 26.413695])
    close(out[("solutions", "contract_flows")], [0, -10, -20])  # the activity contract's loss
    close(out[("solutions", "avoided_cost")], [0, 14, 28])  # 0.7 * (10 + 10); 0.7 * 40
    close(out[("solutions", "stf")], [0, 5, 0])
    # 11.55 - 10 + 14 + 5 = 20.55; 26.413695 - 20 + 28 = 34.413695
    close(out[("solutions", "total")], [0, 20.55, 34.413695])
    close(out[("do_something_surplus", "")], [0, -108.65, -247.843105])
    close(out[("underlying_surplus", "")], [0, -113.65, -247.843105])  # less the STF of 5


def test_a_provider_income_and_cost_move_with_the_same_price_index():
    # contracts paid at the national price, 300 * 1.05^t; the provider's other income and its
    # costs take the same 5%: 200 + 300 = 500 against 500, 525 against 525, 551.25 against
    # 551.25: a price change makes no margin
    paid = [{("contract_payments", "trust"): np.array([300.0, 315.0, 330.75])}]
    out = providers.provider(trust(cost=500.0), YEARS, paid, prices=(0.05, 0.0))
    close(out[("income", "total")], [500, 525, 551.25])
    close(out[("do_nothing_expenditure", "total")], [500, 525, 551.25])
    close(out[("do_nothing_surplus", "")], [0, 0, 0])


def test_a_provider_enters_at_its_consolidation_share():
    out = providers.provider(trust(consolidation=0.5), YEARS, CONTRACTS[:1])
    close(out[("income", "total")], [350, 355, 360])  # 0.5 * (200 + 500, 510, 520)
    close(out[("do_nothing_expenditure", "total")], [500, 500, 500])  # 0.5 * 1000
    close(out[("solutions", "avoided_cost")], [0, 3.5, 7])  # 0.5 * 0.7 * (0, 10, 20)


def test_price_drivers_are_the_first_paying_commissioners_unless_the_provider_has_its_own():
    a = ccg(expenditure={"price_inflation": 0.03},
            contracts=[{"provider": "trust", "lines": {"acute": 1.0}}],
            demand={"population_growth": {}, "tariff_efficiency": 0.011, "pods": {}})
    assert providers.price_drivers(trust(), [ccg(), a]) == (0.03, 0.011)  # ccg() pays nobody
    assert providers.price_drivers(trust(price_inflation=0.02), [a]) == (0.02, 0.011)
    assert providers.price_drivers(trust(), []) == (0.0, 0.0)


def council(**fields) -> SocialCare:
    return SocialCare.model_validate({"kind": "social_care", "id": "council", "name": "Council",
                                      "budget": 500.0, "cost": 520.0} | fields)


def test_a_council_enters_at_its_share_and_its_pooled_bcf_in_full():
    sc = council(budget_growth=0.04, cost_growth=0.05, consolidation=0.5,
                 savings={"2020/21": 10.0, "2021/22": 5.0}, bcf_from=["ccg_a", "ccg_b"])
    pooling = [{("bcf_pool", ""): np.array([100.0, 100.0, 100.0])},
               {("bcf_pool", ""): np.array([50.0, 60.0, 70.0])}]
    out = providers.social_care(sc, YEARS, pooling)
    close(out[("income", "budget")], [250, 260, 270.4])  # 0.5 * 500 * 1.04^t
    close(out[("income", "bcf")], [150, 160, 170])  # 100 + 50, 60, 70: in full
    close(out[("income", "total")], [400, 420, 440.4])
    # 0.5 * 520 * 1.05^t = 260, 273, 286.65, and the BCF spent on the pooled services
    close(out[("do_nothing_expenditure", "total")], [410, 433, 456.65])
    close(out[("do_nothing_surplus", "")], [-10, -13, -16.25])  # 250 - 260; 260 - 273; ...
    close(out[("solutions", "social_care")], [0, 5, 7.5])  # 0.5 * (0, 10, 10 + 5), recurrent
    close(out[("do_something_surplus", "")], [-10, -8, -8.75])


def test_a_council_starting_after_the_base_year_has_no_money_before_it():
    out = providers.social_care(council(cost=500.0, budget_growth=0.04, first_year="2020/21"),
                                YEARS)
    close(out[("income", "total")], [0, 500, 520])  # 500 is 2020/21's; * 1.04
    close(out[("do_nothing_expenditure", "total")], [0, 500, 500])


# --- the system ------------------------------------------------------------------------------


def test_system_position_leaves_out_the_flows_between_its_organisations():
    footprint = SimpleNamespace(organisations=[
        ccg(), ccg(id="ccg_b"), trust(consolidation=0.5), council(bcf_from=["ccg_a"])])

    def org(income_key, income, spend, more=None):
        return {(income_key, "total"): np.array(income),
                ("do_nothing_expenditure", "total"): np.array(spend), **(more or {})}

    evaluated = [
        ("ccg_a", "ccg", org("allocation", [1000.0] * 3, [990.0] * 3,
                             {("contract_payments", "trust"): np.array([600.0, 610.0, 620.0]),
                              ("bcf_pool", ""): np.full(3, 50.0)})),
        ("ccg_b", "ccg", org("allocation", [500.0] * 3, [520.0] * 3,
                             {("contract_payments", "trust"): np.full(3, 200.0),
                              ("bcf_pool", ""): np.full(3, 30.0)})),
        ("trust", "provider", org("income", [700.0] * 3, [690.0] * 3)),
        ("council", "social_care", org("income", [300.0] * 3, [310.0] * 3)),
    ]
    out = system.system_position(footprint, evaluated, (3,))
    # contracts at the trust's 50% share: 0.5 * (600 + 200) = 400; 0.5 * 810; 0.5 * 820
    close(out[("eliminations", "contracts")], [400, 405, 410])
    close(out[("eliminations", "bcf")], [50, 50, 50])  # ccg_a pools with the council; b not
    close(out[("eliminations", "total")], [450, 455, 460])
    close(out[("system", "income")], [2050, 2045, 2040])  # 1000 + 500 + 700 + 300 - 450; ...
    close(out[("system", "expenditure")], [2060, 2055, 2050])  # 990 + 520 + 690 + 310 - 450
    # the sum of the organisations': 10 - 20 + 10 - 10 = -10
    close(out[("system", "do_nothing_surplus")], [-10, -10, -10])
