"""The bundled current plan runs as today's rules read it: the breakeven rule for the ICB and
each trust in every year, deficit support out of the underlying position, the cited totals
carried into the base year, and the system a consolidation of its bodies."""

from __future__ import annotations

import pytest

from ccgmodels.inputs.loading import CURRENT_PLAN, load_scenario
from ccgmodels.models.run import run_scenario

YEARS = ["2025/26", "2026/27", "2027/28", "2028/29"]
BODIES = ["wy_icb", "ltht", "lypft", "lch"]
#: NHS West Yorkshire ICB's total 2025/26 allocation (DHSC written answer, question 51302) [£k]
ICB_TOTAL_2025_26 = 5_266_745
#: the 2025/26 NHS Payment Scheme net uplift the trusts' 2024/25 accounts are carried by
UPLIFT = 1.0483 * 0.98
#: the trusts' 2024/25 operating income (audited accounts) [£k]
ACCOUNTS_INCOME = {"ltht": 2_124_726, "lypft": 277_431, "lch": 238_248}


@pytest.fixture(scope="module")
def results():
    return run_scenario(CURRENT_PLAN)


def value(r, org, measure, item, year):
    sel = r[(r["org"] == org) & (r["measure"] == measure) & (r["item"] == item)
            & (r["year"] == year)]
    assert len(sel) == 1, (org, measure, item, year)
    return float(sel["value"].iloc[0])


def test_every_body_is_judged_by_the_breakeven_rule_every_year(results):
    rule = results[(results["measure"] == "business_rule") & (results["item"] == "breakeven")]
    assert sorted(zip(rule["org"], rule["year"], strict=True)) == sorted(
        (b, y) for b in BODIES for y in YEARS)
    # the council is not an NHS body: no breakeven rule
    assert "leeds_cc" not in set(rule["org"])


def test_the_icb_base_year_is_the_published_total_with_deficit_support(results):
    allocation = value(results, "wy_icb", "allocation", "total", "2025/26")
    support = value(results, "wy_icb", "solutions", "deficit_support", "2025/26")
    assert allocation + support == pytest.approx(ICB_TOTAL_2025_26, abs=1e-6)
    # breaks even in 2025/26 only with its deficit support: the rule fails on the underlying
    assert value(results, "wy_icb", "do_something_surplus", "", "2025/26") == pytest.approx(
        0, abs=1e-6)
    assert value(results, "wy_icb", "underlying_surplus", "", "2025/26") == pytest.approx(
        -support)
    assert value(results, "wy_icb", "business_rule", "breakeven", "2025/26") == 0
    # withdrawn by the end of the horizon
    assert value(results, "wy_icb", "solutions", "deficit_support", "2028/29") == 0


@pytest.mark.parametrize("trust", sorted(ACCOUNTS_INCOME))
def test_each_trust_base_year_income_is_its_accounts_carried_forward(results, trust):
    """The ICB contract and the income from outside it add up to the audited total, uplifted:
    splitting the income moves nothing."""
    total = value(results, trust, "income", "total", "2025/26")
    assert total == pytest.approx(ACCOUNTS_INCOME[trust] * UPLIFT, abs=0.1)
    contract = value(results, trust, "income", "contracts", "2025/26")
    assert contract == pytest.approx(value(results, "wy_icb", "contract_payments", trust,
                                           "2025/26"))


def test_the_system_eliminates_the_contracts_and_the_pooled_bcf(results):
    s = load_scenario(CURRENT_PLAN)
    for year in YEARS:
        paid = sum(value(results, "wy_icb", "contract_payments", t, year) for t in ACCOUNTS_INCOME)
        pooled = value(results, "wy_icb", "bcf_pool", "", year)
        assert value(results, "footprint", "eliminations", "total", year) == pytest.approx(
            paid + pooled)
        bodies = sum(value(results, o.id, "do_something_surplus", "", year)
                     for o in s.organisations)
        assert value(results, "footprint", "do_something_surplus", "", year) == pytest.approx(
            bodies)
