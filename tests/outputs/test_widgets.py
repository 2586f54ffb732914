"""The analyst explorer driven from Python: controls -> overrides -> results -> saved scenario."""

import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from ccgmodels.inputs.loading import load_scenario  # noqa: E402
from ccgmodels.models.results import compare  # noqa: E402
from ccgmodels.models.run import run_scenario  # noqa: E402
from ccgmodels.outputs.widgets import Explorer, field_meta  # noqa: E402

CPR_GROWTH = "organisations.cpr_ccg.allocation.growth.programme"
SOUTHEND_GROWTH = "organisations.southend_ccg.allocation.growth.programme"


@pytest.fixture
def explorer():
    ex = Explorer("footprint_2019_20", draw=False)
    ex.recompute()
    return ex


def test_controls_come_from_the_model_metadata(explorer):
    c = explorer.controls
    # Scheme.delivery_probability is a Rate: bounded 0..1, unit from its description's brackets
    assert (c["p_in_progress"].min, c["p_in_progress"].max) == (0.0, 1.0)
    assert field_meta("qipp.delivery_probability.in_progress")["unit"] == "fraction"
    assert field_meta("solutions.efficiency_rate")["low"] == 0.0
    assert field_meta("allocation.growth.programme")["low"] == -1.0
    # starting values are the scenario's (cpr_ccg, footprint_2019_20.yaml: programme 0.0253,
    # in_progress 0.7); population bands come from demand.population_growth
    assert c["allocation_growth"].value == pytest.approx(0.0253)
    assert c["p_in_progress"].value == pytest.approx(0.7)
    assert {"population_growth_0-64", "population_growth_85+", "stf_arrives"} <= set(c)
    assert all(getattr(w, "continuous_update", False) is False
               for w in c.values() if hasattr(w, "min"))
    assert explorer.overrides() == {}


def test_raising_allocation_growth_raises_do_nothing_surplus(explorer):
    before = explorer.summary().loc["Do nothing surplus/(deficit)"]
    explorer.controls["allocation_growth"].value = 0.0687  # observer recomputes
    after = explorer.summary().loc["Do nothing surplus/(deficit)"]
    # footprint edits both CCGs
    assert explorer.overrides() == {CPR_GROWTH: 0.0687, SOUTHEND_GROWTH: 0.0687}
    # the base year is the plan year, before any growth applies: unchanged
    assert after["2019/20"] == pytest.approx(before["2019/20"])
    assert (after.iloc[1:] > before.iloc[1:] + 1000).all()


def test_one_org_edits_only_that_org(explorer):
    explorer.org_dropdown.value = "cpr_ccg"
    explorer.controls["demand_mitigation"].value = 0.25
    assert explorer.overrides() == {
        "organisations.cpr_ccg.solutions.demand_mitigation_rate": 0.25}
    sol = explorer.results
    sel = sol[(sol["measure"] == "solutions") & (sol["item"] == "demand_mitigation")
              & (sol["year"] == "2020/21")].set_index("org")["value"]
    # mitigation = 25% of the cost of activity growth > 0 for cpr only (finance.py Notes)
    assert sel["cpr_ccg"] > 0 and sel["southend_ccg"] == 0


def test_stf_toggle_removes_bridge_stf(explorer):
    explorer.controls["stf_arrives"].value = False
    r = explorer.results
    stf = r[(r["measure"] == "pc_bridge") & (r["item"] == "stf") & (r["org"] == "footprint")]
    # with STF arriving, cpr's 2020/21 bridge has 2,500 STF (000:L689-715, cpr_2019_20.yaml)
    assert stf["value"].abs().sum() == 0


def test_save_as_scenario_validates_and_reproduces(explorer, tmp_path):
    explorer.controls["allocation_growth"].value = 0.04
    explorer.controls["p_in_progress"].value = 0.5
    explorer.controls["stf_arrives"].value = False
    path = explorer.save(tmp_path / "my what if.yaml")
    text = path.read_text()
    assert "extends: footprint_2019_20" in text and "name: my_what_if" in text
    done = subprocess.run([sys.executable, "-m", "ccgmodels", "validate", str(path)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    again = run_scenario(load_scenario(path))
    keys = ["org", "year", "measure", "item", "unit"]
    assert compare(again, explorer.results, tol=1e-9, keys=keys).empty


def test_save_refuses_to_overwrite(explorer, tmp_path):
    path = tmp_path / "exists.yaml"
    path.write_text("keep me")
    with pytest.raises(FileExistsError):
        explorer.save(path)
    assert path.read_text() == "keep me"
    # the button path: refuses by default and says why
    explorer.save_path.value = str(path)
    explorer._on_save()
    assert path.read_text() == "keep me" and "Not saved" in explorer.message.value
    explorer.save_overwrite.value = True
    explorer._on_save()
    assert "extends: footprint_2019_20" in path.read_text()
    assert explorer.save_overwrite.value is False  # asks again next time


def test_scenario_dropdown_resets_controls(explorer):
    explorer.controls["allocation_growth"].value = 0.08
    explorer.scenario_dropdown.value = "southend_2019_20"
    assert explorer.org == "southend_ccg"
    assert explorer.overrides() == {}
    assert set(explorer.results["scenario"]) == {"southend_2019_20"}


def test_redraw_fills_outputs():
    ex = Explorer("cpr_2019_20", draw=True)
    ex.recompute()
    assert len(ex.table_out.outputs) == 1
    # three charts: do nothing vs something, allocation vs expenditure, bridge waterfall
    assert len(ex.charts_out.outputs) == 3
    assert all("image/png" in o["data"] for o in ex.charts_out.outputs)


def test_a_rate_given_by_year_gets_a_control_a_year():
    by_year = {"2020/21": 0.03, "2021/22": 0.025, "2022/23": 0.02, "2023/24": 0.02}
    e = Explorer("cpr_2019_20", overrides={  # (its Monte Carlo range is on the single rate)
        "uncertainty": {}, "organisations.cpr_ccg.expenditure.price_inflation": by_year},
        draw=False)
    names = [n for n in e.controls if n.startswith("price_inflation")]
    assert names == [f"price_inflation_{y}" for y in by_year]
    assert e.controls["price_inflation_2021/22"].value == 0.025
    e.controls["price_inflation_2021/22"].value = 0.04
    over = e.overrides()
    assert over["organisations.cpr_ccg.expenditure.price_inflation.2021/22"] == 0.04
    results = e.recompute()
    infl = results[(results["org"] == "cpr_ccg") & (results["measure"] == "expenditure")
                   & (results["item"] == "other_programme")].sort_values("year")["value"]
    np.testing.assert_allclose(infl.to_numpy()[2] / infl.to_numpy()[1], 1.04)
