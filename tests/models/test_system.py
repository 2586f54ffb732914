"""The system view (ccgmodels.models.system): contracts link commissioners to providers, flows
between footprint organisations are eliminated, efficiency is counted once, the BCF is pooled
with a council, the primary care bridge sits inside the CCG position, and national drivers are
shared in the Monte Carlo.

Sources: 000 = the 2019/20 CPR & Southend operational plan; 003 = the 2014 Essex HWB pack; 004
= the STP template. Money in £k; surplus positive.
"""

from __future__ import annotations

import numpy as np
import pytest

from ccgmodels.inputs.loading import check, load_scenario
from ccgmodels.models import results, uncertainty
from ccgmodels.models.run import run_scenario

SYSTEM = "mid_south_essex_system_2019_20"
CPR = "organisations.cpr_ccg"


def series(df, measure, item="", org="footprint") -> np.ndarray:
    sel = df[(df["org"] == org) & (df["measure"] == measure) & (df["item"] == item)]
    return sel.sort_values("year")["value"].to_numpy()


@pytest.fixture(scope="module")
def system():
    return run_scenario(SYSTEM)


def test_provider_income_is_what_the_commissioners_pay(system):
    # 70% of CPR's and 80% of Southend's planned acute spend (contracts in the scenario): what
    # the commissioner plan pays, QIPP schemes agreed in the contract
    for org, share in (("cpr_ccg", 0.7), ("southend_ccg", 0.8)):
        np.testing.assert_allclose(series(system, "contract_payments", "suhft", org),
                                   share * series(system, "expenditure", "acute", org))
    paid = series(system, "contract_payments", "suhft", "cpr_ccg") + series(
        system, "contract_payments", "suhft", "southend_ccg")
    np.testing.assert_allclose(series(system, "income", "contracts", "suhft"), paid)
    # CPR 2019/20: 0.7 x 141,916 (000:L1997), not 0.7 x its do-nothing acute spend
    assert series(system, "contract_payments", "suhft", "cpr_ccg")[0] == pytest.approx(
        0.7 * 141916)
    # other income: 2% volume at the commissioners' prices, 2.5% less the 1.1% efficiency
    np.testing.assert_allclose(series(system, "income", "total", "suhft"),
                               paid + 90000 * (1.02 * 1.025 * (1 - 0.011)) ** np.arange(5))


def test_flows_are_eliminated_and_the_surplus_is_the_sum(system):
    elim = series(system, "eliminations", "total")
    contracts = sum(series(system, "contract_payments", "suhft", o)
                    for o in ("cpr_ccg", "southend_ccg"))
    np.testing.assert_allclose(series(system, "eliminations", "contracts"), contracts)
    # CPR's BCF line (11,718 in 2019/20, 000:L2007) pooled with Essex County Council and
    # Southend's (12,604, 000:L2106) with Southend-on-Sea Borough Council
    assert series(system, "eliminations", "bcf")[0] == pytest.approx(11718 + 12604)
    orgs = ("cpr_ccg", "southend_ccg", "suhft", "essex_cc", "southend_bc")
    spend = sum(series(system, "do_nothing_expenditure", "total", o) for o in orgs)
    np.testing.assert_allclose(series(system, "system", "expenditure"), spend - elim)
    np.testing.assert_allclose(series(system, "system", "do_nothing_surplus"),
                               series(system, "do_nothing_surplus"), rtol=1e-12)
    assert results.check_identities(system).empty
    # the council's pooled BCF is income and cost alike
    np.testing.assert_allclose(series(system, "income", "bcf", "essex_cc"),
                               series(system, "bcf_pool", "", "cpr_ccg"))


@pytest.mark.parametrize("basis", ["activity", "block"])
def test_mitigation_moves_provider_income_only_under_activity_contracts(basis):
    over = {"uncertainty": {}, f"{CPR}.contracts.0.basis": basis,
            f"{CPR}.solutions.demand_mitigation_rate": 0.5}
    on = run_scenario(SYSTEM, over)
    off = run_scenario(SYSTEM, {**over, f"{CPR}.solutions.demand_mitigation_rate": 0.0})
    # the acute spend CPR's mitigation avoids on the SUHFT share (its QIPP schemes avoid some
    # in both runs)
    def d(measure, item, org):
        return series(on, measure, item, org) - series(off, measure, item, org)

    avoided = d("contract_activity_avoided", "suhft", "cpr_ccg")
    assert avoided[-1] > 0
    lost = d("solutions", "contract_flows", "suhft")
    if basis == "activity":
        np.testing.assert_allclose(lost, -avoided)  # income falls by exactly the avoided spend
        np.testing.assert_allclose(d("solutions", "contract_flows", "cpr_ccg"), 0, atol=1e-9)
    else:
        np.testing.assert_allclose(lost, 0, atol=1e-9)  # a block contract does not move
        # and the commissioner keeps paying: its saving on that share is given back
        np.testing.assert_allclose(d("solutions", "contract_flows", "cpr_ccg"), -avoided)
    np.testing.assert_allclose(d("solutions", "avoided_cost", "suhft"), 0.7 * avoided)
    # on the contracted share the footprint gains the provider's avoided cost, no more:
    # CPR's whole mitigation, less the SUHFT share, plus 70% of that share
    mitigation = d("solutions", "demand_mitigation", "cpr_ccg")
    gain = d("do_something_surplus", "", "footprint")
    np.testing.assert_allclose(gain, mitigation - avoided + 0.7 * avoided, rtol=1e-9,
                               atol=1e-6)


def test_the_no_stf_what_if_moves_the_headline():
    base = run_scenario("footprint_2019_20")
    tight = run_scenario("footprint_2019_20", {
        f"{CPR}.primary_care_bridge.stf_arrives": False})
    drop = series(base, "do_something_surplus") - series(tight, "do_something_surplus")
    np.testing.assert_allclose(drop, [0, 2500, 0, 0, 0])
    # the bridge's enablers net of CCG baseline funding (000:L689-715): CPR 2020/21
    # -2.8 - 0.1 - 0.5 + 2.3 = -1.1 £m
    assert series(base, "solutions", "primary_care_model", "cpr_ccg")[1] == pytest.approx(-1100)


def test_a_contract_must_name_a_provider_and_lines_add_up():
    _, _, found = check(SYSTEM, {f"{CPR}.contracts.0.provider": "nowhere",
                                 f"{CPR}.contracts.0.lines.acute": 0.7})
    assert any(p.path == f"{CPR}.contracts.0.provider" and "names no provider" in p.message
               for p in found)


def test_a_national_driver_is_one_draw_for_every_organisation():
    s = load_scenario(SYSTEM)
    spec = uncertainty.spec_of(s)
    k = spec.paths.index("organisations.*.expenditure.price_inflation")
    assert spec.targets[k] == ("organisations.cpr_ccg.expenditure.price_inflation",
                               "organisations.southend_ccg.expenditure.price_inflation")
    drawn = uncertainty.draws(spec, 7, 0, 50)
    case = uncertainty.substitute_draws(s, spec, drawn, np.arange(50) == 0)
    a = case.org("cpr_ccg").expenditure.price_inflation[:, 0]
    b = case.org("southend_ccg").expenditure.price_inflation[:, 0]
    np.testing.assert_array_equal(a, b)
    assert a[0] == 0.025 and np.std(a[1:]) > 0  # run 0 central, the others drawn


def test_programme_wide_slippage_correlates_scheme_delivery():
    s = load_scenario("cpr_2019_20", {"delivery_correlation": 1.0})
    sim = uncertainty.simulate(s, 400, seed=3)
    schemes = sim.get("cpr_ccg", "solutions", "schemes")[1:, 0]
    # with every scheme on one shared draw a run delivers all in-progress schemes or none:
    # 2,731 delivered + 5,127 or 0 (000:L2040-L2068)
    assert set(np.round(schemes)) == {2731, 7858}


def test_the_dependence_is_stated_for_the_fan_chart():
    text = uncertainty.dependence(load_scenario(SYSTEM))
    assert "shared across every organisation (one draw a run): expenditure.price_inflation" \
        in text and "slip together in 30% of runs" in text
    assert "each on its own draw." in uncertainty.dependence(load_scenario("cpr_2019_20"))


def test_a_provider_shared_with_other_footprints_enters_at_its_share():
    # the STP counts "EPUT (71.4%)" (000:L2568): a provider consolidated at 71.4%
    full = run_scenario(SYSTEM, {"uncertainty": {}})
    part = run_scenario(SYSTEM, {"uncertainty": {}, "organisations.suhft.consolidation": 0.714})
    for measure, item in (("do_nothing_surplus", ""), ("income", "total"),
                          ("solutions", "total")):
        np.testing.assert_allclose(series(part, measure, item, "suhft"),
                                   0.714 * series(full, measure, item, "suhft"))
    np.testing.assert_allclose(series(part, "eliminations", "contracts"),
                               0.714 * series(full, "eliminations", "contracts"))
    assert results.check_identities(part).empty  # the system surplus is still the sum
