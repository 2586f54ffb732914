"""GP access (000:L90, L632-637): the appointment gap and how the strategy's shares close it."""

from __future__ import annotations

import numpy as np
import pytest

from ccgmodels import run_scenario
from ccgmodels.inputs import refdata
from ccgmodels.inputs.loading import ScenarioError, load_scenario
from ccgmodels.models import access


def capacity(metric: str) -> np.ndarray:
    ref = refdata.load("primary_care_capacity")
    return ref[ref.metric == metric]["value"].to_numpy()


@pytest.fixture(scope="module")
def gap():
    df = run_scenario("footprint_2019_20")
    g = df[(df.measure == "gp_access") & (df.org == "footprint")]
    return g.pivot_table(index="item", columns="year", values="value")


def test_the_gap_runs_through_the_plans_two_points(gap):
    """000:L90: about 20k appointments a week in 2018, 60k by 2020/21 if nothing is done; the
    series stops where the documents do."""
    stated = capacity("unmet_gp_appointment_demand")
    assert list(gap.columns) == ["2018/19", "2019/20", "2020/21"]
    np.testing.assert_allclose(gap.loc["do_nothing", ["2018/19", "2020/21"]], stated)
    assert gap.loc["do_nothing", "2019/20"] == pytest.approx(stated.mean())


def test_the_strategys_shares_close_the_gap(gap):
    """000:L632-637: 81 / 12 / 3 / 3% of the solutions; collaboration has no share, so 1% of
    the gap stays open (unallocated) when the strategy has run its course."""
    shares = {"increasing_capacity": "solution_share_increasing_capacity",
              "improved_triage": "solution_share_improved_triage",
              "proactive_risk_stratified_care": "solution_share_proactive_risk_stratified_care",
              "reduced_gp_admin_burden": "solution_share_reduced_gp_admin"}
    end = gap["2020/21"]
    for item, metric in shares.items():
        assert end[item] == pytest.approx(capacity(metric).item() * end["do_nothing"]), item
    assert end["unallocated"] == pytest.approx(0.01 * end["do_nothing"])
    assert end["do_something"] == pytest.approx(end["unallocated"])
    np.testing.assert_allclose(gap.loc["do_something"], gap.loc["do_nothing"] - gap.loc[
        list(shares)].sum(), rtol=1e-12)


def test_compound_growth_and_a_later_close():
    a = load_scenario("footprint_2019_20").gp_access.model_copy(
        update={"growth": "compound", "close_by": "2019/20"})
    years, lines = access.gp_access(a)
    assert lines[("gp_access", "do_nothing")][1] == pytest.approx((20000 * 60000) ** 0.5)
    assert lines[("gp_access", "do_something")][1] == pytest.approx(
        0.01 * lines[("gp_access", "do_nothing")][1])


def test_shares_above_one_are_refused():
    with pytest.raises(ScenarioError, match="gp_access.solution_shares"):
        load_scenario("footprint_2019_20",
                      {"gp_access.solution_shares.collaboration": 0.05})
