"""Plan against actual (ccgmodels.models.outturn): variance = actual - plan, by hand.

Plan (cpr_2019_20, 2019/20, cpr_ccg) and forecast outturn (tests/actuals_scenarios.py) [£k]:

=====================  =========  =========  ========  ===================  ===========
figure                 plan       forecast   variance  variance %           favourable
=====================  =========  =========  ========  ===================  ===========
surplus                579.9      -1,420.1   -2,000    -2000/579.9          no
allocation (total)     275,220    275,220    0         0                    yes
expenditure acute      141,916    144,916    3,000     3000/141916=2.114%   no (spend)
expenditure prescr.    29,373     28,873     -500      -500/29373=-1.702%   yes (spend)
=====================  =========  =========  ========  ===================  ===========
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from actuals_scenarios import ACTUALS, write

from ccgmodels.inputs.loading import load_scenario
from ccgmodels.inputs.scenario import Scenario
from ccgmodels.models.outturn import COLUMNS, ActualsError, plan_vs_actual
from ccgmodels.models.run import run_scenario


@pytest.fixture(scope="module")
def plan():
    return run_scenario("cpr_2019_20")


def test_hand_worked(tmp_path, plan):
    s = load_scenario(write(tmp_path))
    v = plan_vs_actual(s, plan)
    assert list(v.columns) == COLUMNS
    got = {(r.measure, r.item): r for r in v.itertuples()}
    assert list(got) == [("surplus", ""), ("allocation", "total"), ("expenditure", "acute"),
                         ("expenditure", "prescribing")]
    surplus = got["surplus", ""]
    assert (surplus.plan, surplus.actual) == pytest.approx((579.9, -1420.1))
    assert surplus.variance == pytest.approx(-2000)
    assert surplus.variance_pct == pytest.approx(-2000 / 579.9)
    assert surplus.favourable is False
    assert got["allocation", "total"].variance == 0 and got["allocation", "total"].favourable
    acute = got["expenditure", "acute"]
    assert acute.variance == pytest.approx(3000)
    assert acute.variance_pct == pytest.approx(0.021139, abs=1e-6)
    assert acute.favourable is False  # overspend
    presc = got["expenditure", "prescribing"]
    assert presc.variance == pytest.approx(-500) and presc.favourable is True
    assert set(v["year"]) == {"2019/20"} and set(v["basis"]) == {"forecast_outturn"}


def test_no_actuals_no_rows(plan):
    assert plan_vs_actual(load_scenario("cpr_2019_20"), plan).empty


def test_zero_plan_has_no_percentage(tmp_path, plan):
    s = load_scenario(write(tmp_path, ACTUALS.replace(
        "        acute: 144916", "        acute: 144916\n        unidentified_qipp: 10")))
    plan = plan.copy()
    row = ((plan["org"] == "cpr_ccg") & (plan["year"] == "2019/20")
           & (plan["measure"] == "expenditure") & (plan["item"] == "unidentified_qipp"))
    plan.loc[row, "value"] = 0.0
    r = plan_vs_actual(s, plan).set_index("item").loc["unidentified_qipp"]
    assert r["variance"] == 10 and math.isnan(r["variance_pct"])


@pytest.mark.parametrize("change, path, words", [
    (("acute: 144916", "acutes: 144916"), "actuals.figures.cpr_ccg.expenditure.acutes",
     "no expenditure item 'acutes'"),
    (("surplus: -1420.1", "surpluss: -1420.1"), "actuals.figures.cpr_ccg.surpluss",
     "'surpluss' is not a measure of the results"),
    (("surplus: -1420.1", "activity: 5"), "actuals.figures.cpr_ccg.activity",
     "'activity' is in count, not £k"),
    (("surplus: -1420.1", "contract_income_lost: 5"),
     "actuals.figures.cpr_ccg.contract_income_lost", "the plan has no contract_income_lost"),
])
def test_bad_figures_named(tmp_path, plan, change, path, words):
    s = load_scenario(write(tmp_path, ACTUALS.replace(*change)))
    with pytest.raises(ActualsError) as err:
        plan_vs_actual(s, plan)
    assert str(err.value).startswith(path + ":") and words in str(err.value)
    with pytest.raises(ActualsError):  # the run refuses it too
        run_scenario(s)


def test_an_icb_and_a_trust():
    """The ICB example (tests/scenarios): an ICB's stream and underlying position and a trust's
    surplus, against the plan's own base-year figures (actual = plan + a round variance)."""
    example = load_scenario(Path(__file__).parents[1] / "scenarios" / "icb_example_2025_26.yaml")
    plan = run_scenario(example)
    base = plan[(plan["year"] == "2025/26")].set_index(["org", "measure", "item"])["value"]
    core = base["merged_icb", "allocation", "core_services"]
    underlying = base["merged_icb", "underlying_surplus", ""]
    trust = base["example_trust", "do_something_surplus", ""]
    data = example.model_dump(mode="json", exclude_unset=True)
    data["actuals"] = {"basis": "actual", "figures": {
        "merged_icb": {"allocation": {"core_services": core + 100},
                       "underlying_surplus": underlying - 250},
        "example_trust": {"do_something_surplus": trust + 40}}}
    s = Scenario.model_validate(data)
    v = plan_vs_actual(s, run_scenario(s)).set_index(["org", "measure"])
    assert v.loc[("merged_icb", "allocation"), "variance"] == pytest.approx(100)
    assert v.loc[("merged_icb", "underlying_surplus"), "variance"] == pytest.approx(-250)
    assert not v.loc[("merged_icb", "underlying_surplus"), "favourable"]
    assert v.loc[("example_trust", "do_something_surplus"), "variance"] == pytest.approx(40)
