"""Contract value triangulation (ccgmodels.models.triangulation): a commissioner's planned
spend with a trust against the trust's planned income from it, the mismatch by year, each
body's own side in its own position and the mismatch kept in the system position.

The scenario: the bundled CPR CCG plan (2019/20 to 2023/24) with the illustrative trust of
tests/illustrative.py, paid half of CPR's acute line. Money in £k; surplus positive. Every
expected figure is worked from the run without stated sides (the derived contract payments),
plus the stated figures the tests add.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from illustrative import PROVIDER

from ccgmodels.inputs.loading import check, load_scenario, validate_data
from ccgmodels.models import results, triangulation
from ccgmodels.models.run import run_scenario

YEARS = ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24"]


def scenario(contract: dict | None = None, trust: dict | None = None, **top):
    """CPR plus the illustrative trust on a contract for half of CPR's acute line; ``contract``
    and ``trust`` add fields to the contract and to the trust, ``top`` to the scenario."""
    _, data, problems = check("cpr_2019_20")
    assert not problems
    data = copy.deepcopy(data)
    data["name"] = "cpr_with_a_contract"
    data["organisations"][0]["contracts"] = [
        {"provider": "suhft", "lines": {"acute": 0.5}, **(contract or {})}]
    data["organisations"].append({**PROVIDER, **(trust or {})})
    data.update(top)
    s, problems = validate_data(data, "triangulation test")
    assert not problems, problems
    return s


def row(df, measure, item="", org="footprint") -> np.ndarray:
    sel = df[(df["org"] == org) & (df["measure"] == measure) & (df["item"] == item)]
    return sel.sort_values("year")["value"].to_numpy()


@pytest.fixture(scope="module")
def derived():
    """The run with no side stated, and CPR's derived payments to the trust [£k]."""
    s = scenario()
    df = run_scenario(s)
    return s, df, row(df, "contract_payments", "suhft", "cpr_ccg")


def test_without_stated_sides_the_views_agree_and_no_row_is_added(derived):
    s, df, paid = derived
    t = triangulation.table(s, df)
    assert list(t["year"]) == YEARS and set(t["commissioner"]) == {"cpr_ccg"}
    # the commissioner view is the derived payment: half of CPR's plan acute line
    np.testing.assert_allclose(t["commissioner_view"], 0.5 * row(df, "expenditure", "acute",
                                                                 "cpr_ccg"))
    np.testing.assert_array_equal(t["provider_view"], t["commissioner_view"])
    assert (t["mismatch"] == 0).all() and not t["commissioner_stated"].any()
    assert not t["provider_stated"].any()
    # no triangulation rows in the results (the goldens stay as they are)
    assert not df["measure"].isin(["contract_mismatch", "contract_derived"]).any()
    assert not ((df["measure"] == "system") & (df["item"] == "contract_mismatch")).any()
    assert not ((df["measure"] == "solutions") & (df["item"] == "contract_value")).any()


def test_a_mismatch_appears_when_the_plans_differ_and_is_zero_when_they_agree(derived):
    _, base, paid = derived
    # agree: the trust states, every year, exactly what CPR plans to pay it
    agreed = dict(zip(YEARS, paid.tolist(), strict=True))
    s_agree = scenario(trust={"contract_income": {"cpr_ccg": agreed}})
    agree = run_scenario(s_agree)
    t = triangulation.table(s_agree, agree)
    assert t["provider_stated"].all()
    np.testing.assert_allclose(t["mismatch"], 0.0, atol=1e-9)
    np.testing.assert_allclose(row(agree, "system", "contract_mismatch"), 0.0, atol=1e-9)
    np.testing.assert_allclose(row(agree, "system", "do_nothing_surplus"),
                               row(base, "system", "do_nothing_surplus"), atol=1e-6)

    # differ: in 2020/21 the trust plans 1,500 £k more than CPR plans to pay it
    differ = dict(agreed, **{"2020/21": paid[1] + 1500.0})
    s_differ = scenario(trust={"contract_income": {"cpr_ccg": differ}})
    df = run_scenario(s_differ)
    t = triangulation.table(s_differ, df)
    np.testing.assert_allclose(t["mismatch"], [0, 1500, 0, 0, 0], atol=1e-6)
    np.testing.assert_allclose(t["commissioner_view"], paid)  # CPR's side has not moved
    np.testing.assert_allclose(t["provider_view"], paid + [0, 1500, 0, 0, 0])
    # the trust books its own side: its contract income and surplus up by the mismatch
    np.testing.assert_allclose(row(df, "income", "contracts", "suhft"),
                               paid + [0, 1500, 0, 0, 0])
    np.testing.assert_allclose(row(df, "contract_mismatch", "cpr_ccg", "suhft"),
                               [0, 1500, 0, 0, 0], atol=1e-6)
    # the eliminations take CPR's side, so the system position moves by exactly the mismatch,
    # shown as its own line
    np.testing.assert_allclose(row(df, "eliminations", "contracts"),
                               row(base, "eliminations", "contracts"))
    np.testing.assert_allclose(row(df, "system", "contract_mismatch"), [0, 1500, 0, 0, 0],
                               atol=1e-6)
    np.testing.assert_allclose(
        row(df, "system", "do_nothing_surplus") - row(base, "system", "do_nothing_surplus"),
        [0, 1500, 0, 0, 0], atol=1e-6)
    np.testing.assert_allclose(row(df, "surplus", "", "cpr_ccg"),
                               row(base, "surplus", "", "cpr_ccg"))
    assert results.check_identities(df).empty


def test_the_commissioner_states_its_side_and_pays_it(derived):
    _, base, paid = derived
    # CPR plans to pay 2,000 £k less than its acute line derives in the base year; the trust
    # states nothing, so it takes CPR's side: no mismatch
    s = scenario(contract={"planned_value": {"2019/20": paid[0] - 2000.0}})
    df = run_scenario(s)
    t = triangulation.table(s, df)
    np.testing.assert_allclose(t["commissioner_view"], paid - [2000, 0, 0, 0, 0])
    assert list(t["commissioner_stated"]) == [True, False, False, False, False]
    np.testing.assert_allclose(t["mismatch"], 0.0, atol=1e-9)
    np.testing.assert_allclose(row(df, "contract_derived", "suhft", "cpr_ccg"), paid)
    # CPR's own side in its own position: its contract_value line, derived - stated
    np.testing.assert_allclose(row(df, "solutions", "contract_value", "cpr_ccg"),
                               [2000, 0, 0, 0, 0], atol=1e-9)
    np.testing.assert_allclose(
        row(df, "do_something_surplus", "", "cpr_ccg")
        - row(base, "do_something_surplus", "", "cpr_ccg"), [2000, 0, 0, 0, 0], atol=1e-6)
    # the trust is paid CPR's side
    np.testing.assert_allclose(row(df, "income", "contracts", "suhft"),
                               paid - [2000, 0, 0, 0, 0])
    assert results.check_identities(df).empty


def test_both_sides_stated_one_figure_every_year_and_the_footprint_share(derived):
    _, base, paid = derived
    s = scenario(contract={"planned_value": 100000},
                 trust={"contract_income": {"cpr_ccg": 103000}, "consolidation": 0.5})
    df = run_scenario(s)
    t = triangulation.table(s, df)
    # the table shows the whole contract as both plans state it
    np.testing.assert_allclose(t["commissioner_view"], 100000)
    np.testing.assert_allclose(t["provider_view"], 103000)
    np.testing.assert_allclose(t["mismatch"], 3000)
    # the system position holds the trust's footprint share of it
    np.testing.assert_allclose(row(df, "system", "contract_mismatch"), 1500)
    np.testing.assert_allclose(row(df, "eliminations", "contracts"), 0.5 * 100000)



def test_an_icb_states_its_side_as_a_ccg_does():
    # the bundled current plan, overridden (not edited): WY ICB states 1,000,000 £k a year for
    # its contract with LTHT, which states nothing; LYPFT states 250,000 £k from the ICB
    name, icb = "west_yorkshire_2026_27", "organisations.wy_icb"
    base = run_scenario(name)
    df = run_scenario(name, {f"{icb}.contracts.0.planned_value": 1000000,
                             "organisations.lypft.contract_income": {"wy_icb": 250000}})
    derived = row(base, "contract_payments", "ltht", "wy_icb")
    np.testing.assert_allclose(row(df, "contract_payments", "ltht", "wy_icb"), 1000000)
    np.testing.assert_allclose(row(df, "solutions", "contract_value", "wy_icb"),
                               derived - 1000000)
    np.testing.assert_allclose(row(df, "income", "contracts", "ltht"), 1000000)
    lypft = row(base, "contract_payments", "lypft", "wy_icb")
    np.testing.assert_allclose(row(df, "contract_mismatch", "wy_icb", "lypft"),
                               250000 - lypft)
    share = {o.id: o.consolidation for o in load_scenario(name).organisations
             if o.kind == "provider"}["lypft"]
    np.testing.assert_allclose(row(df, "system", "contract_mismatch"),
                               share * (250000 - lypft))
    assert results.check_identities(df).empty


def test_run_zero_of_the_monte_carlo_keeps_the_stated_sides(derived):
    from ccgmodels.models import uncertainty

    _, _, paid = derived
    s = scenario(contract={"planned_value": {"2019/20": paid[0] - 2000.0}},
                 trust={"contract_income": {"cpr_ccg": {"2020/21": paid[1] + 1500.0}}},
                 uncertainty={"organisations.suhft.cost_volume_growth": {
                     "dist": "uniform", "low": 0.02, "high": 0.06}})
    sim = uncertainty.simulate(s, runs=40, seed=3)
    df = run_scenario(s)
    for org in ("cpr_ccg", "suhft", "footprint"):
        np.testing.assert_allclose(sim.get(org, "do_something_surplus")[0],
                                   row(df, "do_something_surplus", "", org), rtol=1e-12)
    # every run keeps CPR's stated side: its contract_value line, derived - stated, is 2,000
    # in 2019/20 (the base-year plan lines no draw moves) and 0 after it
    value = sim.get("cpr_ccg", "solutions", "contract_value")
    np.testing.assert_allclose(value, np.broadcast_to([2000.0, 0, 0, 0, 0], value.shape),
                               atol=1e-6)
    assert sim.get("suhft", "do_nothing_surplus")[1:, -1].std() > 0
